/** Constructs outside the subset are compile errors naming the construct and a way out. */
import type { ConformanceCase } from "../case.ts";

const rows = [{ a: 1, s: "x", ts: "2026-11-22 10:00:00" }];
const two = "SELECT * FROM (VALUES (1)) v(a)";

export const cases: ConformanceCase[] = [
  { name: "list_distinct outside list_sort is refused (DuckDB's element order is its hash table's)", sql: "SELECT list_distinct([a, a, 2]) AS r FROM t", rows, expect: "compile-error", message: "list_distinct() outside list_sort()" },
  { name: "COLLATE is refused, not dropped (the comparison would lose it)", sql: "SELECT s < 'Y' COLLATE NOCASE AS r FROM t", rows, expect: "compile-error", message: "COLLATE NOCASE" },
  { name: "row(...) / (a, b) is refused: a STRUCT without field names has no names to write", sql: "SELECT (a, s) AS r FROM t", rows, expect: "compile-error", message: "STRUCT without field names" },
  { name: "age(x) with one argument is refused (it measures from the query's own time)", sql: "SELECT age(CAST(ts AS TIMESTAMP)) AS r FROM t", rows, expect: "compile-error", message: "age(x) with one argument" },
  { name: "TABLESAMPLE is refused with a stable hash filter to write instead", sql: "SELECT a FROM t TABLESAMPLE 10%", rows, expect: "compile-error", message: "md5_number(id) % 10" },
  { name: "USING SAMPLE is refused (a comment or a text naming it is not)", sql: "SELECT a, 'pivot' AS \"pivot\" FROM t USING SAMPLE 5 -- PIVOT", rows, expect: "compile-error", message: "a sample (TABLESAMPLE / USING SAMPLE)" },
  { name: "PIVOT is refused with the FILTER columns to write instead", sql: "PIVOT t ON s USING sum(a)", rows, expect: "compile-error", message: "PIVOT / UNPIVOT" },
  { name: "text and quoted names that say PIVOT or TABLESAMPLE are not refused", sql: "SELECT a, 'PIVOT TABLESAMPLE' AS \"tablesample\" FROM t", rows },
  { name: "row_number() OVER is refused", sql: "SELECT row_number() OVER (ORDER BY a) AS r FROM t", rows, expect: "compile-error", message: "window function row_number()" },
  { name: "sum() OVER is refused", sql: "SELECT sum(a) OVER (PARTITION BY s) AS r FROM t", rows, expect: "compile-error", message: "OVER" },
  { name: "ORDER BY in a sink cell is refused", sql: "SELECT a FROM t ORDER BY a", rows, expect: "compile-error", message: "ORDER BY" },
  { name: "LIMIT in a sink cell is refused", sql: "SELECT a FROM t LIMIT 3", rows, expect: "compile-error", message: "LIMIT" },
  { name: "SELECT DISTINCT is refused", sql: "SELECT DISTINCT s FROM t", rows, expect: "compile-error", message: "DISTINCT" },
  { name: "a join between two streams is refused", sql: "SELECT * FROM t JOIN t AS u ON t.a = u.a", rows, expect: "compile-error", message: "two streams" },
  { name: "UNION without ALL is refused (a stream cannot remove duplicates at its end)", sql: "SELECT a FROM t UNION SELECT a FROM t", rows, expect: "compile-error", message: "UNION ALL" },
  { name: "try() is refused with TRY_CAST suggested", sql: "SELECT try(CAST(s AS INTEGER)) AS i FROM t", rows, expect: "compile-error", message: "TRY_CAST" },
  { name: "format with a {:.2f} spec is refused with round() suggested", sql: "SELECT format('{:.2f} / {{:x}} / {}', a / 3, a) AS p FROM t", rows, expect: "compile-error", message: "round(x, 2)" },
  { name: "format with {{ and }} but no spec still compiles", sql: "SELECT format('{{:x}} {}', a) AS p FROM t", rows, expect: "same" },
  { name: "printf with %f is refused with round() suggested", sql: "SELECT printf('%.2f', a / 3) AS p FROM t", rows, expect: "compile-error", message: "round(x, 2)" },
  { name: "EXCEPT of streams is refused", sql: "SELECT a FROM t EXCEPT SELECT a FROM t", rows, expect: "compile-error", message: "EXCEPT" },
  { name: "an aggregate in a branch of UNION ALL is refused", sql: "SELECT a FROM t UNION ALL SELECT count(*) FROM t", rows, expect: "compile-error", message: "aggregate in a branch" },
  { name: "UNION ALL inside a subquery is refused with where it is supported", sql: "SELECT * FROM (SELECT a FROM t UNION ALL SELECT a FROM t) WHERE a IS NOT NULL", rows, expect: "compile-error", message: "sink cell" },
  { name: "a scalar subquery is refused", sql: "SELECT (SELECT max(a) FROM t) AS m FROM t", rows, expect: "compile-error", message: "subquery" },
  { name: "QUALIFY is refused", sql: "SELECT a FROM t QUALIFY row_number() OVER () = 1", rows, expect: "compile-error", message: "QUALIFY" },
  { name: "a table function in FROM is refused", sql: "SELECT * FROM range(3)", rows, expect: "compile-error", message: "table function" },
  { name: "unnest in FROM WITH ORDINALITY is refused with the select-list form", sql: "SELECT a, x, n FROM t, unnest([a, a + 1]) WITH ORDINALITY AS u(x, n)", rows, expect: "compile-error", message: "SELECT ..., unnest(items) AS item FROM s" },
  { name: "an unsupported aggregate is refused", sql: "SELECT s, approx_quantile(a, 0.5) AS m FROM t GROUP BY s", rows, expect: "compile-error", message: "quantile_cont" },
  { name: "GROUPING SETS are refused", sql: "SELECT s, count(*) FROM t GROUP BY GROUPING SETS ((s), ())", rows, expect: "compile-error", message: "GROUPING SETS" },
  { name: "a RIGHT JOIN is refused", sql: "SELECT * FROM t RIGHT JOIN (VALUES (1)) v(a) ON t.a = v.a", rows, expect: "compile-error", message: "RIGHT" },
  { name: "JOIN USING a static cell gives DuckDB's rows, the key once", sql: "SELECT * FROM t JOIN two USING (a)", rows, cells: { two } },
  { name: "a cell reading no source is refused as a sink", sql: "SELECT * FROM two", rows, cells: { two }, expect: "compile-error", message: "reads no source" },
  { name: "an unknown column is a compile error", sql: "SELECT nope FROM t", rows, expect: "compile-error", message: "nope" },
  { name: "list_reduce is refused with what to write instead", sql: "SELECT list_reduce([a, a], (x, y) -> x + y) AS l FROM t", rows, expect: "compile-error", message: "unnest and aggregate" },
  { name: "a lambda parameter named like a column is refused", sql: "SELECT list_transform([a, a], a -> a + 1) AS l FROM t", rows, expect: "compile-error", message: "give the parameter a name no column has" },
  { name: "a function the pipeline's library lacks is refused at its line, with what to use instead", sql: "SELECT a,\n  hash(s) AS h\nFROM t", rows, expect: "compile-error", message: "the function hash() in cell result (conformance/a function the pipeline's library lacks is refused at its line, with what to use instead line 2): DuckDB's hash() differs between versions" },
  { name: "a compile error names the line inside the cell", sql: "SELECT a,\n  s,\n  lag(a) OVER () AS prev\nFROM t", rows, expect: "compile-error", message: "line 3" },
];

/** SELECT lists, stars, WHERE, CTEs, references between cells. */
import type { ConformanceCase } from "../case.ts";

const people = [
  { id: 1, name: "Ada", age: 36, city: "London", score: 9.5, tags: ["a", "b"], addr: { zip: "N1", geo: { lat: 51.5, lon: -0.1 } } },
  { id: 2, name: "Ben", age: null, city: "Paris", score: 7.25, tags: [], addr: { zip: null, geo: null } },
  { id: 3, name: "Chloé", age: 17, city: null, score: null, tags: null, addr: null },
  { id: 4, name: "", age: 0, city: "london", score: -1.5, tags: ["c"], addr: { zip: "E2", geo: { lat: 0, lon: 0 } } },
  { id: 5, name: "日本", age: 99, city: "Tokyo", score: 1e10, tags: ["a", null], addr: { zip: "100", geo: { lat: 35.7, lon: 139.7 } } },
];

const unionRows = [{ a: 1, s: "x" }, { a: 2, s: null }, { a: null, s: "ü" }, { a: 3, s: "" }];

export const cases: ConformanceCase[] = [
  { name: "UNION ALL: every branch's rows, types unified (INTEGER beside DOUBLE, a constant beside a column), names from the first branch, CTEs seen by all", sql: "WITH base AS (SELECT * FROM t WHERE a IS NOT NULL) SELECT a AS x, 'first' AS src FROM base UNION ALL SELECT a * 1.5, 'second' FROM base WHERE a > 1 UNION ALL SELECT NULL, s FROM t", rows: unionRows },
  { name: "SELECT * passes every column through", sql: "SELECT * FROM t", rows: people },
  { name: "a column list with aliases renames", sql: "SELECT id AS key, name AS who FROM t", rows: people },
  { name: "unaliased expressions take DuckDB's column names", sql: "SELECT id + 1, upper(name) FROM t", rows: people },
  { name: "* EXCLUDE drops the named columns", sql: "SELECT * EXCLUDE (tags, addr) FROM t", rows: people },
  { name: "* REPLACE swaps a column for an expression", sql: "SELECT * EXCLUDE (addr) REPLACE (age + 1 AS age) FROM t", rows: people },
  { name: "a STRUCT column's star expands its fields (NULL structs give NULL fields), with EXCLUDE", sql: "SELECT name, addr.* EXCLUDE (geo), addr.* EXCLUDE (zip) FROM t", rows: people },
  { name: "a qualified star selects the table's columns", sql: "SELECT t.* EXCLUDE (addr) FROM t", rows: people },
  { name: "a table alias qualifies columns", sql: "SELECT p.id, p.name FROM t AS p", rows: people },
  { name: "the same column twice under two names", sql: "SELECT id AS a, id AS b FROM t", rows: people },
  { name: "constants in the select list", sql: "SELECT id, 1 AS one, 'x' AS s, 2.5 AS d, NULL AS n, true AS b FROM t", rows: people },
  { name: "WHERE keeps rows whose predicate is true", sql: "SELECT id FROM t WHERE age > 18", rows: people },
  { name: "WHERE drops rows whose predicate is NULL", sql: "SELECT id FROM t WHERE age <> 36", rows: people },
  { name: "WHERE with AND and OR", sql: "SELECT id FROM t WHERE (age > 18 AND city = 'London') OR name = ''", rows: people },
  { name: "WHERE NOT", sql: "SELECT id FROM t WHERE NOT (age > 18)", rows: people },
  { name: "WHERE false keeps nothing", sql: "SELECT id FROM t WHERE false", rows: people },
  { name: "WHERE on a struct field", sql: "SELECT id FROM t WHERE addr.zip = 'N1'", rows: people },
  { name: "struct field access with a dot", sql: "SELECT id, addr.zip AS zip, addr.geo.lat AS lat FROM t", rows: people },
  { name: "struct field access with brackets", sql: "SELECT id, addr['zip'] AS zip FROM t", rows: people },
  { name: "struct_extract as a function", sql: "SELECT id, struct_extract(addr, 'geo') AS geo FROM t", rows: people },
  { name: "a whole struct passes through", sql: "SELECT id, addr FROM t", rows: people },
  { name: "a list passes through", sql: "SELECT id, tags FROM t", rows: people },
  { name: "a CTE is inlined", sql: "WITH adults AS (SELECT * FROM t WHERE age >= 18) SELECT id, name FROM adults", rows: people },
  { name: "two CTEs in a chain", sql: "WITH a AS (SELECT id, age FROM t), b AS (SELECT id, age * 2 AS twice FROM a WHERE age IS NOT NULL) SELECT * FROM b", rows: people },
  { name: "a subquery in FROM", sql: "SELECT x FROM (SELECT id * 10 AS x FROM t) AS s WHERE x > 20", rows: people },
  { name: "a cell that reads a UNION ALL cell runs once per branch (types unified, names from the first branch)", sql: "SELECT x * 2 AS y, upper(src) AS src FROM u WHERE x IS NOT NULL", rows: unionRows, cells: { u: "SELECT a AS x, 'first' AS src FROM t UNION ALL SELECT a * 1.5, s FROM t WHERE a > 1" } },
  { name: "a UNION ALL cell of a UNION ALL cell, read through a third cell: every combination of branches", sql: "SELECT src, x FROM w WHERE src IS DISTINCT FROM 'ü'", rows: unionRows, cells: { u: "SELECT a AS x, 'first' AS src FROM t UNION ALL SELECT a * 1.5, s FROM t WHERE a > 1", v: "SELECT x, src FROM u UNION ALL SELECT a, 'third' FROM t", w: "SELECT x + 1 AS x, src FROM v" } },
  { name: "a GROUP BY over a UNION ALL cell aggregates every branch's rows together (one group per key, not one per branch)", sql: "SELECT src, count(*) AS n, sum(x) AS s, max(x) AS mx FROM u GROUP BY ALL", rows: unionRows, cells: { u: "SELECT a AS x, 'first' AS src FROM t UNION ALL SELECT a * 1.5, 'first' FROM t WHERE a > 1 UNION ALL SELECT a, s FROM t" } },
  { name: "dot access on a field whose shapes differ across events (typed JSON) is DuckDB's JSON extraction, nested too", sql: "SELECT p.region AS r, p.n AS n, p.region.code AS c, p.missing AS m FROM t", rows: [{ p: { region: "EU", n: 1 } }, { p: "sword" }, { p: null }, { p: [1, 2] }, { p: { region: { code: "ü" } } }, {}] },
  { name: "a reference to another cell", sql: "SELECT id, shout FROM loud WHERE id < 4", rows: people, cells: { loud: "SELECT id, upper(name) AS shout FROM t" } },
  { name: "a chain of three cells", sql: "SELECT id FROM c2", rows: people, cells: { c1: "SELECT id, age FROM t WHERE age IS NOT NULL", c2: "SELECT id FROM c1 WHERE age < 50" } },
  { name: "a cell's star expands to its columns", sql: "SELECT * FROM clean", rows: people, cells: { clean: "SELECT id, lower(city) AS city FROM t" } },
  { name: "quoted identifiers keep their case", sql: 'SELECT id AS "Key", name AS "the name" FROM t', rows: people },
  { name: "column names resolve case-insensitively", sql: "SELECT ID, Name FROM t", rows: people },
  { name: "a missing field reads as NULL", sql: "SELECT id, age FROM t", rows: [{ id: 1 }, { id: 2, age: 3 }] },
  { name: "extra fields in later events are ignored", sql: "SELECT * FROM t", rows: [{ a: 1 }], schema: [{ name: "a", type: "INTEGER" }] },
  { name: "nested objects become STRUCT columns", sql: "SELECT o.a AS a, o.b.c AS c FROM t", rows: [{ o: { a: 1, b: { c: "x" } } }, { o: { a: 2, b: null } }, { o: null }] },
  { name: "ISO timestamps in JSON become TIMESTAMP", sql: "SELECT ts, ts + INTERVAL 1 hour AS later FROM t", rows: [{ ts: "2026-11-22 10:00:00" }, { ts: "2024-02-29 23:59:59" }] },
  { name: "a JSON column of mixed kinds", sql: "SELECT v FROM t", rows: [{ v: 1 }, { v: "a" }, { v: { x: 1 } }, { v: [1, 2] }, { v: null }] },
  { name: "large integers keep every digit", sql: "SELECT n, n + 1 AS m FROM t", rows: [{ n: 9007199254740993n }, { n: -9007199254740993n }, { n: 1 }] },
  { name: "doubles and integers mixed in one field read as DOUBLE", sql: "SELECT x FROM t", rows: [{ x: 1 }, { x: 2.5 }, { x: -0.125 }] },
  { name: "strings into an INTEGER column are cast", sql: "SELECT i FROM t", rows: [{ i: "12" }, { i: 7 }], schema: [{ name: "i", type: "INTEGER" }] },
  { name: "numbers into a VARCHAR column become text", sql: "SELECT s FROM t", rows: [{ s: 12 }, { s: "x" }, { s: true }], schema: [{ name: "s", type: "VARCHAR" }] },
  { name: "objects into a VARCHAR column become JSON text", sql: "SELECT s FROM t", rows: [{ s: { a: [1, 2] } }, { s: [1, "x"] }], schema: [{ name: "s", type: "VARCHAR" }] },
  { name: "doubles into an INTEGER column round", sql: "SELECT i FROM t", rows: [{ i: 1.5 }, { i: 2.5 }, { i: -1.5 }, { i: 3.4 }], schema: [{ name: "i", type: "INTEGER" }] },
  { name: "TIMESTAMPTZ columns compare in UTC", sql: "SELECT ts FROM t WHERE ts > TIMESTAMPTZ '2026-01-01 00:00:00+00'", rows: [{ ts: "2026-06-01 10:00:00+02" }, { ts: "2025-06-01 10:00:00" }], schema: [{ name: "ts", type: "TIMESTAMP WITH TIME ZONE" }] },
  { name: "DATE columns", sql: "SELECT d, d + 1 AS next FROM t WHERE d >= DATE '2024-01-01'", rows: [{ d: "2024-02-28" }, { d: "2023-12-31" }, { d: "2024-02-29" }] },
  { name: "a list of structs", sql: "SELECT id, items FROM t", rows: [{ id: 1, items: [{ k: "a", v: 1 }, { k: "b", v: null }] }, { id: 2, items: [] }] },
];

cases.push(
  { name: "a SELECT item may use an earlier item's alias", sql: "SELECT id + 1 AS next, next * 2 AS twice FROM t", rows: people },
  { name: "a column wins over an alias of the same name", sql: "SELECT id * 10 AS age, age AS raw FROM t", rows: people },
);

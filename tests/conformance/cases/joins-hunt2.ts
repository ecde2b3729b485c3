/**
 * What a data engineer writes around the expressions (the "joins" hunt, 2026-12-05): set
 * operations, aliases, stars, FROM items and static tables computed by a query.
 */
import type { ConformanceCase } from "../case.ts";

const events = [
  { id: 1, k: "FR", n: 2, d: 1.5, dt: "2026-01-01", ts: "2026-01-01 10:00:00", s: "x" },
  { id: 2, k: "de", n: null, d: null, dt: null, ts: null, s: null },
  { id: 3, k: null, n: 5, d: -0.0, dt: "2026-02-01", ts: "2026-02-01 00:00:01", s: "ü🦆" },
  { id: 4, k: "US", n: 9007199254740993, d: 2.25, dt: "2026-02-02", ts: "2026-02-02 23:59:59", s: "" },
];
const countries = "tests/conformance/fixtures/countries.csv";

export const cases: ConformanceCase[] = [
  // Set operations nest: `a UNION ALL b UNION ALL c` is (a ∪ b) ∪ c, each level with its own type.
  { name: "UNION ALL of three branches casts through the inner union's type (BIGINT beside DOUBLE, then text: 1.0, not 1)", sql: "SELECT id AS x FROM t UNION ALL SELECT d FROM t UNION ALL SELECT k FROM t", rows: events },
  { name: "UNION ALL of a DATE, a TIMESTAMP and text writes the DATE as a timestamp's text", sql: "SELECT CAST(dt AS DATE) AS x FROM t UNION ALL SELECT CAST(ts AS TIMESTAMP) FROM t UNION ALL SELECT s FROM t", rows: events },
  { name: "UNION ALL nested the other way round keeps each branch's own path (a DATE stays a date's text)", sql: "SELECT CAST(dt AS DATE) AS x FROM t UNION ALL (SELECT CAST(ts AS TIMESTAMP) FROM t UNION ALL SELECT s FROM t)", rows: events },
  { name: "UNION ALL of an INTEGER, a DECIMAL and text: the INTEGER becomes the DECIMAL's text (5.0)", sql: "SELECT CAST(id AS INTEGER) AS x FROM t UNION ALL SELECT CAST(d AS DECIMAL(4, 1)) FROM t UNION ALL SELECT s FROM t", rows: events },
  { name: "a cell reading a three-branch UNION ALL cell sees the nested types", sql: "SELECT x || '!' AS y FROM u", rows: events, cells: { u: "SELECT id AS x FROM t UNION ALL SELECT d FROM t UNION ALL SELECT k FROM t" } },
  { name: "UNION ALL BY NAME matches columns by name regardless of case, a missing one NULL", sql: "SELECT id, k AS Kk FROM t UNION ALL BY NAME SELECT 'x' AS KK, n AS ID, d FROM t", rows: events },
  { name: "UNION ALL BY NAME nested with a positional UNION ALL", sql: "SELECT id, k FROM t UNION ALL BY NAME SELECT k, n AS id FROM t UNION ALL SELECT d, 'q' FROM t", rows: events },
  { name: "a GROUP BY over a UNION ALL BY NAME cell", sql: "SELECT k, count(*) AS c, count(d) AS cd FROM u GROUP BY k", rows: events, cells: { u: "SELECT id, k FROM t UNION ALL BY NAME SELECT d, k FROM t" } },
  { name: "a union of the stream with constant rows is refused with a message naming the static branch", sql: "SELECT id, k FROM t UNION ALL SELECT 99, 'z'", rows: events, expect: "compile-error", message: "branch that reads no stream" },
  { name: "UNION BY NAME without ALL is refused with UNION ALL BY NAME to write", sql: "SELECT id FROM t UNION BY NAME SELECT n AS id FROM t", rows: events, expect: "compile-error", message: "write UNION ALL BY NAME" },

  // Aliases.
  { name: "WHERE may name a SELECT alias no column has, as in DuckDB (an alias of an alias too)", sql: "SELECT n * 2 AS m, m + 1 AS m2 FROM t WHERE m2 > 3 OR m IS NULL", rows: events },
  { name: "WHERE names the column, not the alias, when a column has that name", sql: "SELECT n * 10 AS id FROM t WHERE id > 1", rows: events },
  { name: "WHERE names an alias of a grouped key", sql: "SELECT upper(k) AS u, count(*) AS c FROM t WHERE u <> 'FR' GROUP BY u", rows: events },
  { name: "a grouped SELECT item may name an earlier item's alias (count(*) AS c, c * 2 AS c2)", sql: "SELECT k, count(*) AS c, c * 2 AS c2 FROM t GROUP BY k HAVING c2 > 1", rows: events },

  { name: "HAVING names the SELECT alias where the FROM column of that name is not grouped", sql: "SELECT upper(k) AS k, count(*) AS c FROM t GROUP BY upper(k) HAVING k = 'FR' OR k IS NULL", rows: events },
  { name: "HAVING reads the FROM column inside an aggregate, even where an alias has its name", sql: "SELECT upper(k) AS k, count(*) AS c FROM t GROUP BY upper(k) HAVING max(k) = 'de'", rows: events },
  { name: "HAVING names the grouped column, not an alias of the same name", sql: "SELECT upper(k) AS k, count(*) AS c FROM t GROUP BY t.k HAVING k = 'de'", rows: events },

  // Names of FROM items and of the sink's columns.
  { name: "a subquery with two columns of one name is read as DuckDB renames them (id, id_1)", sql: "SELECT id, id_1 FROM (SELECT id, n AS id FROM t)", rows: events },
  { name: "a cell with two columns of one name is read as DuckDB renames them (id, id_1)", sql: "SELECT id_1 AS x, id FROM c", rows: events, cells: { c: "SELECT id, n AS id FROM t" } },
  { name: "sink columns whose names differ only in case are refused (DuckDB reads the second back as A_1)", sql: "SELECT id AS a, n AS \"A\" FROM t", rows: events, expect: "compile-error", message: "columns named a and A" },
  { name: "* RENAME renames a column (qualified by its table too)", sql: "SELECT * EXCLUDE (dt, ts) RENAME (n AS nn, v.k AS vk) FROM t LEFT JOIN (VALUES ('FR', 1)) v(k, w) ON t.k = v.k", rows: events },

  { name: "a table's name as a value is its row as a STRUCT (to_json(e) archives the raw event)", sql: "SELECT to_json(e) AS raw, e AS r FROM t AS e", rows: events },
  { name: "a static table's name as a value is its row, NULL fields where the LEFT JOIN found none", sql: "SELECT t.id, v AS r FROM t LEFT JOIN (VALUES ('FR', 1)) v(code, w) ON t.k = v.code", rows: events },

  // CTEs.
  { name: "a CTE's own column names (WITH s(a, b) AS ...)", sql: "WITH s(a, b) AS (SELECT id, k FROM t) SELECT a, b FROM s WHERE a > 1", rows: events },
  { name: "a MATERIALIZED CTE answers as the plain one", sql: "WITH s AS MATERIALIZED (SELECT id, k FROM t WHERE n IS NOT NULL) SELECT * FROM s", rows: events },
  { name: "a recursive CTE over no stream is a static table", sql: "WITH RECURSIVE r AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM r WHERE x < 3) SELECT t.id, r.x FROM t JOIN r ON t.id <= r.x", rows: events },
  { name: "a recursive CTE over the stream is refused with a message naming it", sql: "WITH RECURSIVE r AS (SELECT id AS x FROM t UNION ALL SELECT x + 1 FROM r WHERE x < 3) SELECT x FROM r", rows: events, expect: "compile-error", message: "WITH RECURSIVE over a stream" },

  // FROM items.
  { name: "CROSS JOIN with a static table gives every table row for every stream row", sql: "SELECT t.id, v.w FROM t CROSS JOIN (VALUES (1), (2), (NULL)) v(w)", rows: events },
  { name: "a comma join with a static table filtered in WHERE", sql: "SELECT t.id, v.w FROM t, (VALUES (2, 'two'), (5, 'five')) v(k, w) WHERE t.n = v.k", rows: events },
  { name: "an INNER JOIN tests a condition on the stream's row alone for every row, as DuckDB's pushed-down filter does (a failing CAST on an unmatched row fails)", sql: "SELECT t.id FROM t JOIN (VALUES ('FR', 1), ('DE', 0)) v(code, r) ON t.k = v.code AND CAST(t.s AS INTEGER) > 0", rows: [{ id: 1, k: "FR", s: "1" }, { id: 2, k: "ZZ", s: "x" }], expect: "error" },
  { name: "an INNER JOIN with a condition on the stream's row alone keeps the matching rows", sql: "SELECT t.id, v.r FROM t JOIN (VALUES ('FR', 1), ('DE', 0), ('FR', 2)) v(code, r) ON t.k = v.code AND t.n > 1 AND v.r >= 1", rows: events },
  { name: "a lateral subquery in FROM is refused with a message naming it (it runs in the notebook)", sql: "SELECT t.id, l.x FROM t, LATERAL (SELECT t.n * 2 AS x) l", rows: events, expect: "compile-error", message: "LATERAL subquery" },
  { name: "a columns() expansion inside an aggregate gives one column per name, as DuckDB", sql: "SELECT max(COLUMNS(['n', 'd'])) FROM t", rows: events },
  { name: "the grouping function is refused with a message naming it", sql: "SELECT k, grouping(k) AS g, count(*) AS c FROM t GROUP BY k", rows: events, expect: "compile-error", message: "grouping()" },

  // Static tables computed by a query: DuckDB's rows, taken at publish.
  { name: "a static cell that projects, filters and computes over a CSV file", sql: "SELECT t.id, c.nm FROM t LEFT JOIN c ON upper(t.k) = c.code", rows: events, cells: { c: `SELECT code, upper(name) || '!' AS nm FROM read_csv('${countries}') WHERE rank IS NOT NULL` } },
  { name: "a static cell with GROUP BY and DISTINCT over a VALUES list", sql: "SELECT t.id, c.code, c.n FROM t JOIN c ON t.k = c.code", rows: events, cells: { c: "SELECT DISTINCT code, count(*) AS n FROM (VALUES ('FR'), ('FR'), ('de'), (NULL)) v(code) GROUP BY code" } },
  { name: "a static CTE with WHERE, joined", sql: `WITH c AS (SELECT code FROM read_csv('${countries}') WHERE rank > 1 OR rank IS NULL) SELECT t.id, c.code FROM t LEFT JOIN c ON t.k = c.code`, rows: events },
  { name: "a static UNION (without ALL) cell is a static table", sql: "SELECT t.id, c.code FROM t LEFT JOIN c ON t.k = c.code", rows: events, cells: { c: "SELECT 'FR' AS code UNION SELECT 'de' UNION SELECT 'FR'" } },
  { name: "a static cell reading a static cell, used in an IN subquery", sql: "SELECT id FROM t WHERE k IN (SELECT code FROM e)", rows: events, cells: { d: `SELECT * FROM read_csv('${countries}')`, e: "SELECT code FROM d WHERE rank < 2" } },
  { name: "a static table computed with random() is refused", sql: "SELECT t.id, c.r FROM t LEFT JOIN c ON t.n = c.k", rows: events, cells: { c: "SELECT k, random() AS r FROM (VALUES (2), (5)) v(k)" }, expect: "compile-error", message: "answers differently on each run" },
];

/**
 * Subqueries over static tables, folded into literals at publish time (edge/compile/subqueries.node.ts),
 * and IN lists long enough for the executor's Set.
 */
import type { ConformanceCase } from "../case.ts";

const events = [
  { id: 1, user: "u1", v: 3, d: "2026-11-22", x: 1.5 },
  { id: 2, user: "u2", v: null, d: "2026-11-23", x: 0.1 },
  { id: 3, user: null, v: 5, d: null, x: null },
  { id: 4, user: "it's", v: 10, d: "2026-01-01", x: "NaN" },
  { id: 5, user: "ü🦆", v: -1, d: "2026-11-22", x: -0.0 },
  { id: 6, user: "U1", v: 7, d: "2026-11-22", x: 0 },
];

const dim = { dim: "SELECT * FROM (VALUES ('u1', 'Ada', 5), ('it''s', 'Q', NULL), ('ü🦆', 'D', 1)) v(user, name, lim)" };
const withNull = { dim: "SELECT * FROM (VALUES ('u1', 5), (NULL, 7)) v(user, lim)" };

export const cases: ConformanceCase[] = [
  { name: "IN a static cell's column keeps the matching events", sql: "SELECT id FROM t WHERE user IN (SELECT user FROM dim)", rows: events, cells: dim },
  { name: "NOT IN a static cell's column", sql: "SELECT id FROM t WHERE user NOT IN (SELECT user FROM dim)", rows: events, cells: dim },
  { name: "IN and NOT IN a static column in the select list, NULL on the left", sql: "SELECT id, user IN (SELECT user FROM dim) AS a, user NOT IN (SELECT user FROM dim) AS b FROM t", rows: events, cells: dim },
  { name: "IN a static column holding a NULL: no match is NULL, NOT IN never true", sql: "SELECT id, user IN (SELECT user FROM dim) AS a, user NOT IN (SELECT user FROM dim) AS b FROM t", rows: events, cells: withNull },
  { name: "IN an empty static subquery is false, even for NULL", sql: "SELECT id, user IN (SELECT user FROM dim WHERE false) AS a, user NOT IN (SELECT user FROM dim WHERE lim > 100) AS b FROM t", rows: events, cells: dim },
  { name: "= ANY over a static subquery", sql: "SELECT id FROM t WHERE user = ANY (SELECT user FROM dim)", rows: events, cells: dim },
  { name: "a scalar subquery over a static cell, compared and selected", sql: "SELECT id, v > (SELECT max(lim) FROM dim) AS a, (SELECT min(lim) FROM dim) AS m FROM t", rows: events, cells: dim },
  { name: "a scalar subquery with no row is NULL", sql: "SELECT id, (SELECT lim FROM dim WHERE false) AS m FROM t", rows: events, cells: dim },
  { name: "EXISTS and NOT EXISTS over a static cell", sql: "SELECT id, EXISTS (SELECT 1 FROM dim WHERE lim > 3) AS e, NOT EXISTS (SELECT 1 FROM dim WHERE lim > 30) AS f FROM t", rows: events, cells: dim },
  { name: "IN a VALUES subquery", sql: "SELECT id FROM t WHERE v IN (SELECT * FROM (VALUES (3), (10)) x(n))", rows: events },
  { name: "IN a CTE over a static cell", sql: "WITH a AS (SELECT user FROM dim WHERE lim IS NOT NULL) SELECT id FROM t WHERE user IN (SELECT user FROM a)", rows: events, cells: dim },
  { name: "IN a static subquery of dates, the event's text cast", sql: "SELECT id FROM t WHERE CAST(d AS DATE) IN (SELECT DATE '2026-11-22')", rows: events },
  { name: "an INTEGER IN static DOUBLEs compares as DOUBLE", sql: "SELECT id, v IN (SELECT x FROM (VALUES (3.0::DOUBLE), (10.5::DOUBLE)) q(x)) AS a FROM t", rows: events },
  { name: "static subqueries in WHERE and HAVING of a grouped cell", sql: "SELECT user, count(*) AS c FROM t WHERE user IN (SELECT user FROM dim) GROUP BY user HAVING count(*) >= (SELECT min(lim) FROM dim)", rows: events, cells: dim },
  { name: "an unaliased IN subquery keeps the notebook's column name", sql: "SELECT id, user IN (SELECT user FROM dim) FROM t", rows: events, cells: dim },
  { name: "a long IN list of text with a NULL", sql: "SELECT id, user IN ('a', 'b', 'c', 'u1', 'ü🦆', NULL) AS a, user NOT IN ('a', 'b', 'c', 'd', 'u2') AS b FROM t", rows: events },
  { name: "a long IN list of doubles: NaN = NaN and -0 = 0", sql: "SELECT id, x IN (1.0, 2.0, 3.0, 'NaN'::DOUBLE, 0.0) AS a, v IN (1, 2, 3, 4, 5, 6.5) AS b FROM t", rows: events },
  { name: "a JSON column IN a static subquery of integers compares JSON text, as DuckDB binds a subquery", sql: "SELECT j FROM t WHERE j IN (SELECT k FROM d)", rows: [{ j: 1 }, { j: "2" }, { j: null }, { j: 3 }, { j: 2.0 }], cells: { d: "SELECT * FROM (VALUES (1), (2), (3), (NULL)) v(k)" } },
  { name: "a JSON column = a static scalar subquery compares as the number, as a comparison binds", sql: "SELECT j, j = (SELECT max(k) FROM d) AS m FROM t", rows: [{ j: 1 }, { j: "3" }, { j: null }, { j: 3 }], cells: { d: "SELECT * FROM (VALUES (1), (2), (3)) v(k)" } },
  { name: "a VARCHAR column IN a static subquery of integers fails to bind, as in DuckDB", sql: "SELECT id FROM t WHERE user IN (SELECT lim FROM dim)", rows: events, cells: dim, expect: "compile-error", message: "Cannot compare" },
  { name: "a subquery over the stream is refused", sql: "SELECT id FROM t WHERE v > (SELECT avg(v) FROM t)", rows: events, expect: "compile-error", message: "reads t, a stream" },
  { name: "a correlated EXISTS over a static cell by equality is the keys it finds", sql: "SELECT id FROM t WHERE EXISTS (SELECT 1 FROM dim WHERE dim.user = t.user)", rows: events, cells: dim },
  { name: "a correlated subquery by another comparison than = is refused", sql: "SELECT id FROM t WHERE EXISTS (SELECT 1 FROM dim WHERE dim.lim > t.v)", rows: events, cells: dim, expect: "compile-error", message: "refers to the outer query's row" },
  { name: "a scalar subquery of several rows is refused with DuckDB's error", sql: "SELECT id, (SELECT lim FROM dim) AS m FROM t", rows: events, cells: dim, expect: "compile-error", message: "More than one row returned by a subquery" },
];

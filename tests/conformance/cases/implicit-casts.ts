/** Values DuckDB's binder casts to text for a text-only aggregate. */
import type { ConformanceCase } from "../case.ts";

const rows = [
  { k: "a", i: 12, d: 1.5, b: true, l: [1, 2], j: { x: 1 }, ts: "2026-01-01 10:00:00" },
  { k: "a", i: -3, d: 1e21, b: false, l: [], j: { x: null }, ts: "2026-01-02 00:00:00.5" },
  { k: "b", i: null, d: null, b: null, l: null, j: null, ts: null },
  { k: "a", i: 0, d: -0.0, b: true, l: [null], j: { x: 2 }, ts: "2026-01-03 00:00:00" },
];

export const cases: ConformanceCase[] = [
  { name: "string_agg of integers, doubles and booleans writes their text", sql: "SELECT k, string_agg(i, ',') AS a, string_agg(d, '|') AS b, string_agg(b) AS c FROM t GROUP BY k", rows },
  { name: "string_agg of lists, structs and timestamps writes their text", sql: "SELECT k, string_agg(l, ';') AS a, string_agg(j, ';') AS b, string_agg(CAST(ts AS TIMESTAMP), ';') AS c FROM t GROUP BY k", rows },
  { name: "listagg and group_concat of numbers", sql: "SELECT k, listagg(i) AS a, group_concat(d) AS b FROM t GROUP BY k", rows },
  { name: "string_agg of a number ordered by itself is refused (DuckDB orders by value)", sql: "SELECT k, string_agg(i, ',' ORDER BY i) AS a FROM t GROUP BY k", rows, expect: "compile-error", message: "ordered by itself" },
];

/** `count(DISTINCT (a, b))`: distinct pairs, a NULL field counting as a value. */
const pairs = [{ u: "a", c: "x", n: 1 }, { u: "a", c: "x", n: 2 }, { u: "a", c: null, n: 3 }, { u: null, c: null, n: 4 }, { u: null, c: null, n: 5 }, { u: "b", c: "x", n: 6 }];
cases.push(
  { name: "count(DISTINCT (a, b)) counts distinct pairs, NULL fields included", sql: "SELECT count(DISTINCT (u, c)) AS pairs, count(DISTINCT u) AS users FROM t", rows: pairs },
  { name: "count(DISTINCT (a, b)) per group, unaliased", sql: "SELECT c, count(DISTINCT (u, n % 2)) FROM t GROUP BY c", rows: pairs },
  { name: "a tuple outside count(DISTINCT ...) is refused as a STRUCT without field names", sql: "SELECT (u, c) AS r FROM t", rows: pairs, expect: "compile-error", message: "STRUCT without field names" },
);

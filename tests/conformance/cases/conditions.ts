/**
 * Where DuckDB wants a BOOLEAN (WHERE, HAVING, ON, FILTER, AND / OR / NOT, CASE WHEN) it casts
 * whatever it is given: a JSON or text flag holding "true", a number (non-zero is true).
 */
import type { ConformanceCase } from "../case.ts";

/** `x` mixes booleans, numbers and text, so DuckDB reads it as JSON. */
const flags = [
  { x: true, i: 5, v: "true", d: 0.5 },
  { x: 5, i: 0, v: "f", d: 0.0 },
  { x: 0, i: null, v: "T", d: -1 },
  { x: "true", i: -1, v: null, d: null },
  { x: null, i: 2, v: "false", d: 2 },
  { x: "false", i: 1, v: "0", d: 1 },
];

export const cases: ConformanceCase[] = [
  { name: "WHERE over a JSON flag casts it to BOOLEAN", sql: "SELECT i FROM t WHERE x", rows: flags },
  { name: "NOT, AND and OR over a JSON flag", sql: "SELECT NOT x AS a, x AND true AS b, x OR false AS c FROM t", rows: flags },
  { name: "CASE WHEN and an aggregate FILTER over a JSON flag", sql: "SELECT count(*) FILTER (WHERE x) AS a, sum(CASE WHEN x THEN 1 ELSE 0 END) AS b FROM t", rows: flags },
  { name: "WHERE over an INTEGER keeps the non-zero rows", sql: "SELECT i FROM t WHERE i", rows: flags },
  { name: "NOT, AND and CASE WHEN over an INTEGER", sql: "SELECT NOT i AS a, i AND true AS b, CASE WHEN i THEN 1 END AS c FROM t", rows: flags },
  { name: "WHERE, NOT and OR over a VARCHAR flag", sql: "SELECT i, NOT v AS a, v OR false AS b FROM t WHERE v OR true", rows: flags },
  { name: "WHERE over a DOUBLE", sql: "SELECT i FROM t WHERE d", rows: flags },
  { name: "HAVING over an INTEGER aggregate", sql: "SELECT v, count(*) AS c FROM t GROUP BY v HAVING max(i)", rows: flags },
  { name: "a JOIN's ON over a JSON flag", sql: "SELECT i, k FROM t JOIN d ON x", rows: flags, cells: { d: "SELECT * FROM (VALUES (1)) v(k)" } },
  { name: "WHERE over a text flag that is not a boolean fails as DuckDB fails", sql: "SELECT i FROM t WHERE v", rows: [{ v: "on", i: 1 }, { v: "yes", i: 2 }], expect: "error" },
  { name: "text flags DuckDB reads as booleans: yes, y, no, 1, 0, TRUE", sql: "SELECT i FROM t WHERE v", rows: [{ v: "yes", i: 1 }, { v: "y", i: 2 }, { v: "no", i: 3 }, { v: "1", i: 4 }, { v: "0", i: 5 }, { v: "TRUE", i: 6 }] },
];

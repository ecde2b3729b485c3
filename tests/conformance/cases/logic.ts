/** Comparison, boolean logic with NULL, IN, BETWEEN, IS [NOT] NULL, IS DISTINCT FROM, CASE, COALESCE. */
import type { ConformanceCase } from "../case.ts";

const nums = [
  { a: 1, b: 2, x: 1.5, s: "a" },
  { a: 2, b: 2, x: -0.0, s: "B" },
  { a: null, b: 1, x: null, s: null },
  { a: 3, b: null, x: 2.5, s: "ab" },
  { a: -5, b: -5, x: 1e300, s: "" },
  { a: 2147483647, b: -2147483648, x: 0.1, s: "é" },
];
const bools = [
  { p: true, q: true }, { p: true, q: false }, { p: true, q: null },
  { p: false, q: true }, { p: false, q: false }, { p: false, q: null },
  { p: null, q: true }, { p: null, q: false }, { p: null, q: null },
];

const compareOps = ["=", "<>", "!=", "<", "<=", ">", ">="];

export const cases: ConformanceCase[] = [
  ...compareOps.map((op) => ({ name: `integer ${op} integer with NULLs`, sql: `SELECT a, b, a ${op} b AS r FROM t`, rows: nums })),
  ...compareOps.map((op) => ({ name: `integer ${op} double compares as DOUBLE`, sql: `SELECT a, x, a ${op} x AS r FROM t`, rows: nums })),
  ...compareOps.map((op) => ({ name: `string ${op} string compares by bytes`, sql: `SELECT s, s ${op} 'a' AS r FROM t`, rows: nums })),
  ...compareOps.map((op) => ({ name: `integer ${op} a string literal casts the literal`, sql: `SELECT a, a ${op} '2' AS r FROM t`, rows: nums })),
  { name: "a comparison evaluates its right side even where its left is NULL, so the right side's error surfaces as DuckDB's", sql: "SELECT a, a < CAST(s AS INTEGER) AS r FROM t", rows: [{ a: null, s: "x" }, { a: 1, s: "2" }], schema: [{ name: "a", type: "INTEGER" }, { name: "s", type: "VARCHAR" }], expect: "error" },
  { name: "AND follows three-valued logic", sql: "SELECT p, q, p AND q AS r FROM t", rows: bools },
  { name: "OR follows three-valued logic", sql: "SELECT p, q, p OR q AS r FROM t", rows: bools },
  { name: "NOT of NULL is NULL", sql: "SELECT p, NOT p AS r FROM t", rows: bools },
  { name: "a chain of ANDs and ORs", sql: "SELECT p, q, (p OR q) AND NOT (p AND q) AS xor FROM t", rows: bools },
  { name: "IS NULL and IS NOT NULL", sql: "SELECT a, a IS NULL AS n, a IS NOT NULL AS nn FROM t", rows: nums },
  { name: "IS DISTINCT FROM treats NULLs as values", sql: "SELECT a, b, a IS DISTINCT FROM b AS d, a IS NOT DISTINCT FROM b AS nd FROM t", rows: nums },
  { name: "IS TRUE / IS FALSE style comparisons with booleans", sql: "SELECT p, p = true AS t1, p IS NOT DISTINCT FROM false AS f1 FROM t", rows: bools },
  { name: "IN over integers", sql: "SELECT a, a IN (1, 3, 5) AS r FROM t", rows: nums },
  { name: "NOT IN over integers", sql: "SELECT a, a NOT IN (1, 3) AS r FROM t", rows: nums },
  { name: "IN with a NULL in the list gives NULL when nothing matches", sql: "SELECT a, a IN (1, NULL) AS r FROM t", rows: nums },
  { name: "NOT IN with a NULL in the list", sql: "SELECT a, a NOT IN (1, NULL) AS r FROM t", rows: nums },
  { name: "IN over strings", sql: "SELECT s, s IN ('a', 'ab', 'é') AS r FROM t", rows: nums },
  { name: "IN mixing integer and double", sql: "SELECT a, a IN (1.0, 2.5) AS r FROM t", rows: nums },
  { name: "IN with column expressions in the list", sql: "SELECT a, b, a IN (b, b + 1) AS r FROM t", rows: nums },
  { name: "BETWEEN is inclusive", sql: "SELECT a, a BETWEEN 1 AND 3 AS r FROM t", rows: nums },
  { name: "NOT BETWEEN", sql: "SELECT a, a NOT BETWEEN 1 AND 3 AS r FROM t", rows: nums },
  { name: "BETWEEN with a NULL bound", sql: "SELECT a, b, a BETWEEN b AND 10 AS r FROM t", rows: nums },
  { name: "BETWEEN over doubles", sql: "SELECT x, x BETWEEN 0 AND 2 AS r FROM t", rows: nums },
  { name: "BETWEEN over strings", sql: "SELECT s, s BETWEEN 'a' AND 'b' AS r FROM t", rows: nums },
  { name: "searched CASE picks the first true branch", sql: "SELECT a, CASE WHEN a < 0 THEN 'neg' WHEN a < 3 THEN 'small' ELSE 'big' END AS k FROM t", rows: nums },
  { name: "CASE without ELSE gives NULL", sql: "SELECT a, CASE WHEN a > 1 THEN a END AS k FROM t", rows: nums },
  { name: "simple CASE compares with =", sql: "SELECT a, CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'other' END AS k FROM t", rows: nums },
  { name: "CASE branches are cast to the common type", sql: "SELECT a, CASE WHEN a > 1 THEN a ELSE x END AS k FROM t", rows: nums },
  { name: "CASE with a NULL condition takes ELSE", sql: "SELECT p, CASE WHEN p THEN 1 ELSE 0 END AS k FROM t", rows: bools },
  { name: "CASE does not evaluate untaken branches that would fail", sql: "SELECT s, CASE WHEN s = 'a' THEN 1 ELSE CAST(s AS INTEGER) END AS k FROM t WHERE s IN ('a')", rows: nums },
  { name: "COALESCE takes the first non-NULL", sql: "SELECT a, b, coalesce(a, b, 0) AS r FROM t", rows: nums },
  { name: "COALESCE over mixed numeric types", sql: "SELECT coalesce(a, x) AS r FROM t", rows: nums },
  { name: "COALESCE over strings", sql: "SELECT coalesce(s, 'none') AS r FROM t", rows: nums },
  { name: "IFNULL is COALESCE", sql: "SELECT ifnull(a, -1) AS r FROM t", rows: nums },
  { name: "comparison results as columns and filters together", sql: "SELECT a FROM t WHERE a > b OR b IS NULL", rows: nums },
  { name: "comparing a struct field with a constant", sql: "SELECT o.k AS k FROM t WHERE o.k >= 2", rows: [{ o: { k: 1 } }, { o: { k: 3 } }, { o: null }] },
  { name: "NaN is equal to NaN and greater than any number", sql: "SELECT x, x = 'NaN'::DOUBLE AS isnan, x > 1e308 AS big FROM t", rows: [{ x: "NaN" }, { x: 1 }, { x: "Infinity" }, { x: "-Infinity" }], schema: [{ name: "x", type: "DOUBLE" }] },
  { name: "-0.0 equals 0.0", sql: "SELECT x, x = 0 AS zero FROM t", rows: [{ x: -0.0 }, { x: 0.0 }], schema: [{ name: "x", type: "DOUBLE" }] },
  { name: "timestamps compare with timestamp literals", sql: "SELECT ts FROM t WHERE ts BETWEEN TIMESTAMP '2026-01-01' AND TIMESTAMP '2026-12-31'", rows: [{ ts: "2026-11-22 10:00:00" }, { ts: "2025-11-22 10:00:00" }] },
  { name: "timestamps compare with string literals", sql: "SELECT ts FROM t WHERE ts >= '2026-06-01'", rows: [{ ts: "2026-11-22 10:00:00" }, { ts: "2026-01-22 10:00:00" }] },
  { name: "dates compare with timestamps", sql: "SELECT d FROM t WHERE d < TIMESTAMP '2024-02-29 12:00:00'", rows: [{ d: "2024-02-29" }, { d: "2024-03-01" }] },
  { name: "booleans compare false < true", sql: "SELECT p, q, p < q AS r FROM t", rows: bools },
];

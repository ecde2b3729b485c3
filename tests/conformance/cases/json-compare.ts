/**
 * A JSON column (read_json's type for a key whose events mix numbers and text) compared with a
 * number, a boolean or a time is cast to that type, as DuckDB binds it; with text it stays JSON.
 */
import type { ConformanceCase } from "../case.ts";

/** Numbers, numeric text and NULL under one key: DuckDB infers JSON. */
const mixed = [{ x: 1.5 }, { x: -0.0 }, { x: 1 }, { x: null }, { x: 7 }, { x: "12" }, { x: 2.5e-7 }];
const withWord = [...mixed, { x: "n/a" }];

export const cases: ConformanceCase[] = [
  { name: "JSON = a number compares numbers: \"12\" equals 12, -0 equals 0", sql: "SELECT x = 12 AS a, x = 0.0::DOUBLE AS b, x = 1.5::DOUBLE AS c, x > 2::DOUBLE AS d FROM t", rows: mixed },
  { name: "JSON IN numbers compares as their common type", sql: "SELECT x IN (1, 7) AS a, x IN (1.5, 12) AS b, x NOT IN (1, 2.5) AS c FROM t", rows: mixed },
  { name: "JSON BETWEEN numbers and nullif(JSON, number)", sql: "SELECT x BETWEEN 0 AND 2 AS a, nullif(x, 1) AS b FROM t", rows: mixed },
  { name: "a JSON filter against a number keeps what DuckDB keeps", sql: "SELECT x FROM t WHERE x >= 1", rows: mixed },
  { name: "JSON text that is not a number fails the comparison as DuckDB fails it", sql: "SELECT x > 0 AS a FROM t", rows: withWord, expect: "error" },
  { name: "JSON = a string literal compares JSON text", sql: "SELECT x = '1.0' AS a, x = '12' AS b FROM t", rows: [{ x: 1 }, { x: "1.0" }, { x: 12 }, { x: "12" }] },
  { name: "JSON = BOOLEAN casts the JSON: 5 and \"true\" are true", sql: "SELECT x = true AS a FROM t", rows: [{ x: true }, { x: 5 }, { x: "true" }, { x: 0 }, { x: null }] },
  { name: "JSON = DATE casts the JSON text to a date", sql: "SELECT x = DATE '2026-01-01' AS a FROM t", rows: [{ x: "2026-01-01" }, { x: "2026-01-02" }, { x: null }, { x: [1] }], expect: "same" },
  { name: "JSON = JSON compares the JSON text", sql: "SELECT x = y AS a FROM t", rows: [{ x: 1, y: "1" }, { x: "a", y: 2 }, { x: 1.0, y: 1 }, { x: [1], y: [1] }] },
];

import type { ConformanceCase } from "../case.ts";

// A fixed-size ARRAY takes a list, text or JSON array of its size only: CAST fails (a dead letter), TRY_CAST is NULL.
// The executor wrote a list of any length into a DOUBLE[2] column.
const rows = [{ p: [1.5, 2.5] }, { p: [1, 2, 3] }, { p: [7] }, { p: [] }, { p: null }];
const text = [{ s: "[1.5, 2.5]" }, { s: "[1, 2, 3]" }, { s: "[]" }, { s: "[[1], [1, 2]]" }, { s: null }];
const json = [{ j: [1.5, 2.5] }, { j: [1, "x", 3] }, { j: { a: [1] } }, { j: { a: [1, 2] } }, { j: null }];
const schema = [{ name: "j", type: "JSON" }];

export const cases: ConformanceCase[] = [
  { name: "a list of two cast to DOUBLE[2] is that array", sql: "SELECT CAST(p AS DOUBLE[2]) AS a FROM t", rows: [rows[0]!, rows[4]!] },
  { name: "a list of three cast to DOUBLE[2] fails as DuckDB fails", sql: "SELECT CAST(p AS DOUBLE[2]) AS a FROM t", rows: [rows[1]!], expect: "error" },
  { name: "TRY_CAST of lists of other sizes to DOUBLE[2] is NULL", sql: "SELECT TRY_CAST(p AS DOUBLE[2]) AS a FROM t", rows },
  { name: "text of three elements cast to INTEGER[2] fails as DuckDB fails", sql: "SELECT CAST(s AS INTEGER[2]) AS a FROM t", rows: [text[1]!], expect: "error" },
  { name: "TRY_CAST of text to DOUBLE[2] and INTEGER[2][] is NULL where a size differs", sql: "SELECT TRY_CAST(s AS DOUBLE[2]) AS a, TRY_CAST(s AS INTEGER[2][]) AS b FROM t", rows: text },
  { name: "a JSON array of three cast to INTEGER[2] fails as DuckDB fails", sql: "SELECT CAST(j AS INTEGER[2]) AS a FROM t", rows: [json[1]!], schema, expect: "error" },
  { name: "TRY_CAST of JSON to DOUBLE[2] and STRUCT(a INTEGER[2]) is NULL where a size differs", sql: "SELECT TRY_CAST(j AS DOUBLE[2]) AS a, TRY_CAST(j AS STRUCT(a INTEGER[2])) AS b FROM t", rows: json, schema },
  { name: "json_transform to an INTEGER[2] field is NULL where the size differs", sql: "SELECT json_transform(j, '{\"a\": \"INTEGER[2]\"}') AS b FROM t", rows: json.slice(2), schema },
];

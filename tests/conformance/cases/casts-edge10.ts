import type { ConformanceCase } from "../case.ts";

// Casts a pipeline cannot make are refused when the plan is compiled, at the cast's line: before,
// each compiled and then failed (CAST) or was NULL (TRY_CAST) on every event of the running pipeline.
const rows = [{ n: "12345678901234567890123", t: "10:00:00+02", d: "2024-01-02" }, { n: "5", t: "11:00:00", d: null }];

export const cases: ConformanceCase[] = [
  { name: "a cast to BIGNUM is refused with the types that hold such a number", sql: "SELECT CAST(n AS BIGNUM)::VARCHAR AS b FROM t", rows, expect: "compile-error", message: "CAST to BIGNUM" },
  { name: "a TRY_CAST to BIGNUM is refused, not NULL on every event", sql: "SELECT TRY_CAST(n AS BIGNUM)::VARCHAR AS b FROM t", rows, expect: "compile-error", message: "TRY_CAST to BIGNUM" },
  { name: "a :: cast to TIMETZ is refused with TIME and TIMESTAMPTZ as the alternatives", sql: "SELECT t::TIMETZ::VARCHAR AS b FROM t", rows, expect: "compile-error", message: "cast to TIME for the time of day" },
  { name: "a cast to a list of TIMETZ is refused", sql: "SELECT CAST([t] AS TIMETZ[])::VARCHAR AS b FROM t", rows, expect: "compile-error", message: "CAST to TIMETZ (in TIME WITH TIME ZONE[])" },
  { name: "a cast to BIT is refused", sql: "SELECT n::BIT::VARCHAR AS b FROM t", rows: [{ n: "101" }], expect: "compile-error", message: "CAST to BIT" },
  { name: "a cast to TIME_NS is refused", sql: "SELECT CAST(t AS TIME_NS)::VARCHAR AS b FROM t", rows: [{ t: "10:00:00" }], expect: "compile-error", message: "CAST to TIME_NS" },
  { name: "a cast to TIMESTAMP_NS inside a STRUCT is refused", sql: "SELECT CAST({'a': d} AS STRUCT(a TIMESTAMP_NS)) AS b FROM t", rows, expect: "compile-error", message: "cast to TIMESTAMP instead" },
  { name: "TRY_CAST of a DATE to BIGINT, always NULL in DuckDB, is refused with date_diff", sql: "SELECT TRY_CAST(CAST(d AS DATE) AS BIGINT) AS b FROM t", rows, expect: "compile-error", message: "date_diff('day', DATE '1970-01-01', x)" },
  { name: "a CAST of a TIMESTAMP to DOUBLE is refused with epoch", sql: "SELECT CAST(CAST(d AS TIMESTAMP) AS DOUBLE) AS b FROM t", rows, expect: "compile-error", message: "epoch(x) for seconds" },
  { name: "a CAST of a TIME to BOOLEAN is refused", sql: "SELECT CAST(CAST('10:00' AS TIME) + INTERVAL (length(n)) SECOND AS BOOLEAN) AS b FROM t", rows, expect: "compile-error", message: "TIME to BOOLEAN" },
  { name: "a cast of an ENUM to JSON, which DuckDB answers with the bare label, is refused with to_json", sql: "SELECT CAST(CAST(k AS ENUM('a', 'b')) AS JSON) AS j FROM t", rows: [{ k: "a" }], expect: "compile-error", message: "to_json(x)" },
  { name: "to_json of an ENUM, the suggested spelling, answers as DuckDB", sql: "SELECT to_json(CAST(k AS ENUM('a', 'b'))) AS j FROM t", rows: [{ k: "a" }, { k: null }] },
  { name: "a cast of a JSON value to BLOB is refused with encode", sql: "SELECT CAST(j AS BLOB) AS b FROM t", rows: [{ j: { a: 1 } }], schema: [{ name: "j", type: "JSON" }], expect: "compile-error", message: "encode(CAST(x AS VARCHAR))" },
  { name: "encode of a JSON value's text, the suggested spelling, answers as DuckDB", sql: "SELECT encode(CAST(j AS VARCHAR)) AS b FROM t", rows: [{ j: { a: "é\n" } }, { j: [1, 2] }], schema: [{ name: "j", type: "JSON" }] },
  { name: "a cast to an ENUM from text still compiles and answers as DuckDB", sql: "SELECT CAST(k AS ENUM('a', 'b')) AS e FROM t", rows: [{ k: "a" }, { k: "b" }, { k: null }] },
  { name: "a cast to DECIMAL(38,0), where BIGNUM was wanted, keeps a 23-digit number", sql: "SELECT CAST(n AS DECIMAL(38,0)) AS b FROM t", rows },
  { name: "a cast of a TIMESTAMPTZ text to TIME WITH an offset kept as TIMESTAMPTZ answers as DuckDB", sql: "SELECT CAST(('2024-01-02 ' || t) AS TIMESTAMPTZ) AS b FROM t", rows },
];

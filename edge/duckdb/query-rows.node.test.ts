import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Value } from "../plan/values.ts";
import { type DuckDB, openDuckDB } from "./open.node.ts";
import { queryRows } from "./query-rows.node.ts";
import { DATE_INFINITY, DATE_NEG_INFINITY, TIMESTAMP_INFINITY, TIMESTAMP_NEG_INFINITY } from "./to-value.node.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

/** The single value and type of `SELECT <expr> AS v`. */
async function one(expr: string): Promise<{ value: Value; type: string }> {
  const { schema, rows } = await queryRows(db, `SELECT ${expr} AS v`);
  expect(rows).toHaveLength(1);
  return { value: rows[0]!.v!, type: schema[0]!.type };
}

describe("queryRows holds each DuckDB type as values.ts says", () => {
  const cases: Array<[string, Value, string]> = [
    ["true", true, "BOOLEAN"],
    ["NULL::BOOLEAN", null, "BOOLEAN"],
    ["(-128)::TINYINT", -128, "TINYINT"],
    ["32767::SMALLINT", 32767, "SMALLINT"],
    ["(-2147483648)::INTEGER", -2147483648, "INTEGER"],
    ["255::UTINYINT", 255, "UTINYINT"],
    ["4294967295::UINTEGER", 4294967295, "UINTEGER"],
    ["9223372036854775807::BIGINT", 9223372036854775807n, "BIGINT"],
    ["(-9007199254740993)::BIGINT", -9007199254740993n, "BIGINT"],
    ["18446744073709551615::UBIGINT", 18446744073709551615n, "UBIGINT"],
    ["(-170141183460469231731687303715884105727)::HUGEINT", -170141183460469231731687303715884105727n, "HUGEINT"],
    ["340282366920938463463374607431768211455::UHUGEINT", 340282366920938463463374607431768211455n, "UHUGEINT"],
    ["0.1::FLOAT", Math.fround(0.1), "FLOAT"],
    ["0.1::DOUBLE", 0.1, "DOUBLE"],
    ["'nan'::DOUBLE", Number.NaN, "DOUBLE"],
    ["'inf'::DOUBLE", Number.POSITIVE_INFINITY, "DOUBLE"],
    ["'-inf'::FLOAT", Number.NEGATIVE_INFINITY, "FLOAT"],
    ["1 / 2", 0.5, "DOUBLE"],
    ["7 // 2", 3, "INTEGER"],
    ["7::BIGINT // 2", 3n, "BIGINT"],
    ["12.34::DECIMAL(4,2)", 1234n, "DECIMAL(4,2)"],
    ["(-0.01)::DECIMAL(18,2)", -1n, "DECIMAL(18,2)"],
    ["12345678901234567890.123456789::DECIMAL(38,9)", 12345678901234567890123456789n, "DECIMAL(38,9)"],
    ["'é🎉 中文 e\u0301'", "é🎉 中文 e\u0301", "VARCHAR"],
    ["''", "", "VARCHAR"],
    [`'{"a": [1, 2]}'::JSON`, `{"a": [1, 2]}`, "JSON"],
    ["'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "UUID"],
    ["'b'::ENUM('a', 'b')", "b", "ENUM('a', 'b')"],
    ["'\\xAA\\x00z'::BLOB", new Uint8Array([0xaa, 0x00, 0x7a]), "BLOB"],
    ["DATE '1970-01-01'", 0, "DATE"],
    ["DATE '1969-12-31'", -1, "DATE"],
    ["DATE '2026-11-22'", 20779, "DATE"],
    ["DATE 'infinity'", DATE_INFINITY, "DATE"],
    ["DATE '-infinity'", DATE_NEG_INFINITY, "DATE"],
    ["TIME '23:59:59.999999'", 86_399_999_999n, "TIME"],
    ["TIMESTAMP '1969-12-31 23:59:59.999999'", -1n, "TIMESTAMP"],
    ["TIMESTAMP '2026-11-22 05:00:00.5'", 1_795_323_600_500_000n, "TIMESTAMP"],
    ["TIMESTAMP 'infinity'", TIMESTAMP_INFINITY, "TIMESTAMP"],
    ["TIMESTAMP '-infinity'", TIMESTAMP_NEG_INFINITY, "TIMESTAMP"],
    ["TIMESTAMPTZ '2020-01-01 00:00:00+02'", 1_577_829_600_000_000n, "TIMESTAMP WITH TIME ZONE"],
    ["TIMESTAMP_S '2020-01-01 00:00:01'", 1_577_836_801_000_000n, "TIMESTAMP_S"],
    ["TIMESTAMP_MS '2020-01-01 00:00:00.123'", 1_577_836_800_123_000n, "TIMESTAMP_MS"],
    ["TIMESTAMP_NS '2020-01-01 00:00:00.123456789'", 1_577_836_800_123_456_789n, "TIMESTAMP_NS"],
    ["INTERVAL '1 month 2 days 3.5 seconds'", { months: 1, days: 2, micros: 3_500_000n }, "INTERVAL"],
    ["INTERVAL 90 minute", { months: 0, days: 0, micros: 5_400_000_000n }, "INTERVAL"],
    ["[1, NULL, 3]", [1, null, 3], "INTEGER[]"],
    ["[[1], [], NULL]", [[1], [], null], "INTEGER[][]"],
    ["[]::VARCHAR[]", [], "VARCHAR[]"],
    ["{'a': NULL::INTEGER, 'b c': [NULL, 'x']}", { a: null, "b c": [null, "x"] }, 'STRUCT(a INTEGER, "b c" VARCHAR[])'],
    ["NULL::STRUCT(a INTEGER)", null, "STRUCT(a INTEGER)"],
    ["[{'k': 1}, NULL, {'k': NULL}]", [{ k: 1 }, null, { k: null }], "STRUCT(k INTEGER)[]"],
    ["MAP {'x': 1, 'y': NULL}", [{ key: "x", value: 1 }, { key: "y", value: null }], "MAP(VARCHAR, INTEGER)"],
    ["[1, 2]::INTEGER[2]", [1, 2], "INTEGER[2]"],
    ["TIMETZ '12:00:00+02'", { micros: 43_200_000_000n, offset: 7200 }, "TIME WITH TIME ZONE"],
    ["union_value(k := 1)", { tag: "k", value: 1 }, "UNION(k INTEGER)"],
    ["'101'::BIT", "101", "BIT"],
  ];
  test.each(cases)("SELECT %s", async (expr, value, type) => {
    const got = await one(expr);
    expect(got.type).toBe(type);
    expect(got.value).toEqual(value);
  });

  test("-0.0 stays negative zero", async () => {
    expect(Object.is((await one("-0.0::DOUBLE")).value, -0)).toBe(true);
  });

  test("struct fields come in declared order", async () => {
    const { value } = await one("{'z': 1, 'a': 2, 'm': 3}");
    expect(Object.keys(value as object)).toEqual(["z", "a", "m"]);
  });

  test("infinite dates and timestamps sort beyond every finite one", async () => {
    const { rows } = await queryRows(
      db,
      "SELECT d, t FROM (VALUES (DATE 'infinity', TIMESTAMP 'infinity'), (DATE '-infinity', TIMESTAMP '-infinity'), (DATE '5881580-07-10', TIMESTAMP '294247-01-10 04:00:54.775806')) v(d, t) ORDER BY d",
    );
    expect(rows.map((r) => r.d)).toEqual([DATE_NEG_INFINITY, 2147483646, DATE_INFINITY]);
    expect(rows.map((r) => r.t)).toEqual([TIMESTAMP_NEG_INFINITY, 9223372036854775806n, TIMESTAMP_INFINITY]);
  });
});

describe("queryRows", () => {
  test("returns every row, columns in the query's order, with DESCRIBE's schema", async () => {
    const { schema, rows } = await queryRows(db, "SELECT i, i * 2 AS twice, NULL AS nothing FROM range(3) t(i) ORDER BY i");
    expect(schema).toEqual([
      { name: "i", type: "BIGINT" },
      { name: "twice", type: "BIGINT" },
      { name: "nothing", type: "INTEGER" },
    ]);
    expect(rows).toEqual([
      { i: 0n, twice: 0n, nothing: null },
      { i: 1n, twice: 2n, nothing: null },
      { i: 2n, twice: 4n, nothing: null },
    ]);
  });

  test("an empty result still has its schema", async () => {
    const { schema, rows } = await queryRows(db, "SELECT 'x' AS s WHERE false");
    expect(schema).toEqual([{ name: "s", type: "VARCHAR" }]);
    expect(rows).toEqual([]);
  });

  test("two columns with one name are refused", async () => {
    await expect(queryRows(db, "SELECT 1 AS a, 2 AS a")).rejects.toThrow('duckdb: the query returns two columns named "a"; give them distinct aliases');
  });

  test("a failing query names DuckDB's error and the statement", async () => {
    await expect(queryRows(db, "SELECT nope FROM range(1)")).rejects.toThrow(/^duckdb: Binder Error: Referenced column "nope" not found/);
    await expect(queryRows(db, "SELECT CAST('x' AS INTEGER)")).rejects.toThrow(/^duckdb: Conversion Error: Could not convert string 'x' to INT32[\s\S]*\n {2}while running: SELECT CAST\('x' AS INTEGER\)$/);
  });

  test("more than one statement is refused", async () => {
    await expect(queryRows(db, "SELECT 1; SELECT 2")).rejects.toThrow("duckdb: expected one SQL statement, found 2");
  });

  test("the session time zone is UTC and extensions are never fetched", async () => {
    expect((await one("TIMESTAMPTZ '2020-01-01 00:00:00+02'::VARCHAR")).value).toBe("2019-12-31 22:00:00+00");
    expect((await one("current_setting('autoload_known_extensions')")).value).toBe(false);
  });
});

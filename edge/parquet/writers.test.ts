import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snappyUncompress } from "hyparquet";
import { afterAll, describe, expect, test } from "vitest";
import type { Row, Schema, Value } from "../plan/values.ts";
import { queryJson, sqlString, withDuckDB } from "./duckdb-oracle.node.ts";
import { hyparquetWriter } from "./hyparquet.ts";
import { runnelWriter } from "./runnel.ts";
import { snappyCompress } from "./snappy.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-parquet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function save(bytes: Uint8Array): string {
  const path = join(dir, `f${files++}.parquet`);
  writeFileSync(path, bytes);
  return path;
}

const us = (iso: string, micros = 0n) => BigInt(Date.parse(iso + "Z")) * 1000n + micros;
const day = (iso: string) => Date.parse(iso + "T00:00:00Z") / 86_400_000;
const bytes = (...b: number[]) => new Uint8Array(b);

/**
 * One column: its DuckDB type, the values as the executor holds them, the
 * same values as DuckDB SQL, and — where the file stores another type — the
 * SQL that turns the source column into what DuckDB reads back.
 */
interface Case {
  name: string;
  type: string;
  values: Value[];
  sql: string[];
  readBack?: { type: string; expr: (col: string) => string };
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const D38 = 10n ** 38n - 1n;

const cases: Case[] = [
  { name: "id", type: "INTEGER", values: [1, 2, 3, 4], sql: ["1", "2", "3", "4"] },
  { name: "b", type: "BOOLEAN", values: [true, false, null, true], sql: ["true", "false", "NULL", "true"] },
  { name: "i8", type: "TINYINT", values: [-128, 127, null, 0], sql: ["-128", "127", "NULL", "0"] },
  { name: "i16", type: "SMALLINT", values: [-32768, 32767, null, -1], sql: ["-32768", "32767", "NULL", "-1"] },
  { name: "i32", type: "INTEGER", values: [-2147483648, 2147483647, null, 0], sql: ["-2147483648", "2147483647", "NULL", "0"] },
  { name: "i64", type: "BIGINT", values: [I64_MIN, I64_MAX, null, -1n], sql: [`${I64_MIN}`, `${I64_MAX}`, "NULL", "-1"] },
  { name: "u8", type: "UTINYINT", values: [0, 255, null, 7], sql: ["0", "255", "NULL", "7"] },
  { name: "u16", type: "USMALLINT", values: [0, 65535, null, 7], sql: ["0", "65535", "NULL", "7"] },
  { name: "u32", type: "UINTEGER", values: [0, 4294967295, null, 2147483648], sql: ["0", "4294967295", "NULL", "2147483648"] },
  { name: "u64", type: "UBIGINT", values: [0n, 2n ** 64n - 1n, null, 2n ** 63n], sql: ["0", `${2n ** 64n - 1n}`, "NULL", `${2n ** 63n}`] },
  {
    name: "h",
    type: "HUGEINT",
    values: [-D38, D38, null, 0n],
    sql: [`${-D38}`, `${D38}`, "NULL", "0"],
    readBack: { type: "DECIMAL(38,0)", expr: (c) => `CAST(${c} AS DECIMAL(38,0))` },
  },
  {
    name: "uh",
    type: "UHUGEINT",
    values: [0n, D38, null, 1n],
    sql: ["0", `${D38}`, "NULL", "1"],
    readBack: { type: "DECIMAL(38,0)", expr: (c) => `CAST(${c} AS DECIMAL(38,0))` },
  },
  { name: "f", type: "FLOAT", values: [-Infinity, Infinity, null, NaN], sql: ["'-inf'", "'inf'", "NULL", "'nan'"] },
  { name: "f2", type: "FLOAT", values: [Math.fround(-3.4028234663852886e38), Math.fround(1.1), null, -0], sql: ["-3.4028234663852886e38", "1.1", "NULL", "0"] },
  { name: "d", type: "DOUBLE", values: [-Infinity, Infinity, NaN, null], sql: ["'-inf'", "'inf'", "'nan'", "NULL"] },
  { name: "d2", type: "DOUBLE", values: [-1.7976931348623157e308, 5e-324, null, 0.1], sql: ["-1.7976931348623157e308", "5e-324", "NULL", "0.1"] },
  { name: "dec4", type: "DECIMAL(4,2)", values: [-9999n, 9999n, null, 1234n], sql: ["-99.99", "99.99", "NULL", "12.34"] },
  {
    name: "dec18",
    type: "DECIMAL(18,6)",
    values: [-(10n ** 18n - 1n), 10n ** 18n - 1n, null, 1n],
    sql: ["-999999999999.999999", "999999999999.999999", "NULL", "0.000001"],
  },
  {
    name: "dec38",
    type: "DECIMAL(38,10)",
    values: [-D38, D38, null, -1n],
    sql: ["-9999999999999999999999999999.9999999999", "9999999999999999999999999999.9999999999", "NULL", "-0.0000000001"],
  },
  {
    name: "s",
    type: "VARCHAR",
    values: ["", "héllo wörld 🦆 日本語", null, "it's\ttab\nline \"q\""],
    sql: ["''", "'héllo wörld 🦆 日本語'", "NULL", `'it''s' || chr(9) || 'tab' || chr(10) || 'line "q"'`],
  },
  { name: "j", type: "JSON", values: ['{"a":1}', '[1,2,"ü"]', null, "null"], sql: [`'{"a":1}'`, `'[1,2,"ü"]'`, "NULL", "'null'"] },
  {
    name: "u",
    type: "UUID",
    values: ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", null, "123e4567-e89b-12d3-a456-426614174000"],
    sql: ["'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "NULL", "'123e4567-e89b-12d3-a456-426614174000'"],
  },
  { name: "bl", type: "BLOB", values: [bytes(), bytes(0, 255, 10), null, bytes(97)], sql: ["''", "'\\x00\\xFF\\x0A'", "NULL", "'a'"] },
  {
    name: "dt",
    type: "DATE",
    values: [day("0001-01-01"), day("9999-12-31"), null, -1],
    sql: ["'0001-01-01'", "'9999-12-31'", "NULL", "'1969-12-31'"],
  },
  {
    name: "ts",
    type: "TIMESTAMP",
    values: [us("1677-09-21T00:12:43", 145225n), us("2262-04-11T23:47:16", 854775n), null, -1n],
    sql: ["'1677-09-21 00:12:43.145225'", "'2262-04-11 23:47:16.854775'", "NULL", "'1969-12-31 23:59:59.999999'"],
  },
  {
    name: "tstz",
    type: "TIMESTAMP WITH TIME ZONE",
    values: [us("1900-01-01T00:00:00"), us("2026-11-22T05:06:07", 89n), null, 0n],
    sql: ["'1900-01-01 00:00:00+00'", "'2026-11-22 05:06:07.000089+00'", "NULL", "'1970-01-01 00:00:00+00'"],
  },
  {
    name: "t",
    type: "TIME",
    values: [0n, 86_399_999_999n, null, 45_296_789_000n],
    sql: ["'00:00:00'", "'23:59:59.999999'", "NULL", "'12:34:56.789'"],
  },
  {
    name: "iv",
    type: "INTERVAL",
    values: [{ months: 14, days: -3, micros: 3_723_000_004n }, { months: 0, days: 0, micros: 0n }, null, { months: -1, days: 40, micros: -1n }],
    sql: [
      "INTERVAL '14 months -3 days 3723000004 microseconds'",
      "INTERVAL '0 seconds'",
      "NULL",
      "INTERVAL '-1 months 40 days -1 microseconds'",
    ],
    readBack: {
      type: "STRUCT(months INTEGER, days INTEGER, micros BIGINT)",
      // datepart splits what DuckDB keeps in one field; recombine each of DuckDB's three fields.
      expr: (c) =>
        `CASE WHEN ${c} IS NULL THEN NULL ELSE {'months': (datepart('year', ${c}) * 12 + datepart('month', ${c}))::INTEGER, 'days': datepart('day', ${c})::INTEGER, 'micros': (epoch_us(${c}) - (datepart('year', ${c}) * 12 + datepart('month', ${c})) * 30 * 86400000000 - datepart('day', ${c}) * 86400000000)::BIGINT} END`,
    },
  },
  { name: "li", type: "INTEGER[]", values: [[1, null, 3], [], null, [2147483647]], sql: ["[1, NULL, 3]", "[]", "NULL", "[2147483647]"] },
  { name: "ls", type: "VARCHAR[]", values: [["a", "ü🦆"], [null], null, []], sql: ["['a', 'ü🦆']", "[NULL]", "NULL", "[]"] },
  {
    name: "st",
    type: 'STRUCT(a INTEGER, "b c" VARCHAR[])',
    values: [{ a: 1, "b c": ["x"] }, { a: null, "b c": null }, null, { a: -1, "b c": [] }],
    sql: ["{'a': 1, 'b c': ['x']}", "{'a': NULL, 'b c': NULL}", "NULL", "{'a': -1, 'b c': []}"],
  },
  {
    name: "lst",
    type: "STRUCT(x DOUBLE, y TIMESTAMP)[]",
    values: [[{ x: 1.5, y: 0n }, { x: NaN, y: us("1950-06-01T12:00:00") }], [null], null, [{ x: null, y: null }]],
    sql: [
      "[{'x': 1.5::DOUBLE, 'y': '1970-01-01'::TIMESTAMP}, {'x': 'nan'::DOUBLE, 'y': '1950-06-01 12:00:00'::TIMESTAMP}]",
      "[NULL]",
      "NULL",
      "[{'x': NULL::DOUBLE, 'y': NULL::TIMESTAMP}]",
    ],
  },
  {
    name: "m",
    type: "MAP(VARCHAR, INTEGER)",
    values: [[{ key: "a", value: 1 }, { key: "b", value: null }], [], null, [{ key: "ü", value: 3 }]],
    sql: ["MAP {'a': 1, 'b': NULL}", "MAP {}", "NULL", "MAP {'ü': 3}"],
  },
  { name: "ll", type: "INTEGER[][]", values: [[[1], [null, 2]], [[]], null, [null]], sql: ["[[1], [NULL, 2]]", "[[]]", "NULL", "[NULL]"] },
  {
    name: "lh",
    type: "HUGEINT[]",
    values: [[D38, null], [], null, [-D38]],
    sql: [`[${D38}, NULL]`, "[]", "NULL", `[${-D38}]`],
    readBack: { type: "DECIMAL(38,0)[]", expr: (c) => `CAST(${c} AS DECIMAL(38,0)[])` },
  },
  {
    name: "sj",
    type: "STRUCT(doc JSON, n HUGEINT)",
    values: [{ doc: '{"k":[1]}', n: 5n }, { doc: null, n: null }, null, { doc: "1", n: -D38 }],
    sql: [`{'doc': '{"k":[1]}', 'n': 5}`, "{'doc': NULL, 'n': NULL}", "NULL", `{'doc': '1', 'n': ${-D38}}`],
    readBack: { type: "STRUCT(doc JSON, n DECIMAL(38,0))", expr: (c) => `CAST(${c} AS STRUCT(doc JSON, n DECIMAL(38,0)))` },
  },
];

const schema: Schema = cases.map((c) => ({ name: c.name, type: c.type }));
const rows: Row[] = cases[0]!.values.map((_, r) => Object.fromEntries(cases.map((c) => [c.name, c.values[r]!])));
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** DuckDB's own copy of the source rows, typed as the source schema. */
function sourceSql(): string {
  return cases[0]!.sql
    .map((_, r) => `SELECT ${cases.map((c) => `CAST(${c.sql[r]} AS ${c.type}) AS ${quoted(c.name)}`).join(", ")}`)
    .join(" UNION ALL ");
}

describe.each([runnelWriter, hyparquetWriter])("$name writer", (writer) => {
  test("DuckDB reads back every values.ts type with NULLs, unicode and extremes exactly", async () => {
    const path = save(writer.write(schema, rows));
    await withDuckDB(async (db) => {
      await db.run("SET TimeZone = 'UTC'");
      await db.run(`CREATE TABLE source AS ${sourceSql()}`);
      await db.run(
        `CREATE TABLE expected AS SELECT ${cases.map((c) => `${c.readBack ? c.readBack.expr(quoted(c.name)) : quoted(c.name)} AS ${quoted(c.name)}`).join(", ")} FROM source`,
      );
      await db.run(`CREATE TABLE got AS SELECT * FROM read_parquet(${sqlString(path)})`);
      const types = await queryJson(db, "SELECT column_name, column_type FROM (DESCRIBE got)");
      const expectedTypes = await queryJson(db, "SELECT column_name, column_type FROM (DESCRIBE expected)");
      expect(types).toEqual(expectedTypes);
      expect(types.find((t) => t.column_name === "tstz")?.column_type).toBe("TIMESTAMP WITH TIME ZONE");
      expect(types.find((t) => t.column_name === "u")?.column_type).toBe("UUID");
      expect(types.find((t) => t.column_name === "j")?.column_type).toBe("JSON");
      const missing = await queryJson(db, "SELECT * FROM expected EXCEPT ALL SELECT * FROM got");
      const extra = await queryJson(db, "SELECT * FROM got EXCEPT ALL SELECT * FROM expected");
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      // Spot checks in DuckDB's own printing, so a shared mistake in both tables cannot pass.
      const spot = await queryJson(
        db,
        "SELECT id, i64::VARCHAR AS i64, h, ts::VARCHAR AS ts, dt::VARCHAR AS dt, f::VARCHAR AS f, iv FROM got ORDER BY id",
      );
      expect(spot[0]).toMatchObject({ i64: "-9223372036854775808", h: `${-D38}`, ts: "1677-09-21 00:12:43.145225", dt: "0001-01-01", f: "-inf" });
      expect(spot[3]).toMatchObject({ i64: "-1", ts: "1969-12-31 23:59:59.999999", dt: "1969-12-31", f: "nan" });
      // The interval struct recombines into the source interval.
      const iv = await queryJson(
        db,
        `SELECT count(*) AS n FROM got JOIN source USING (id) WHERE to_months(got.iv.months) + to_days(got.iv.days) + to_microseconds(got.iv.micros) IS NOT DISTINCT FROM source.iv`,
      );
      expect(iv).toEqual([{ n: "4" }]);
    });
  });

  test("the same rows give the same bytes", () => {
    const a = writer.write(schema, rows);
    const b = writer.write(schema, structuredClone(rows));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  test("files carry row groups of the asked size, SNAPPY pages and min/max/null-count statistics", async () => {
    const n = 2500;
    const big: Row[] = Array.from({ length: n }, (_, i) => ({
      n: BigInt(i) - 1000n,
      s: i % 10 === 0 ? null : `station-${i % 37}`,
      ts: us("2026-11-22T00:00:00") + BigInt(i) * 1_000_000n,
    }));
    const path = save(
      writer.write(
        [
          { name: "n", type: "BIGINT" },
          { name: "s", type: "VARCHAR" },
          { name: "ts", type: "TIMESTAMP" },
        ],
        big,
        { rowGroupSize: 1000 },
      ),
    );
    await withDuckDB(async (db) => {
      const meta = await queryJson(
        db,
        `SELECT row_group_id, row_group_num_rows AS rows, path_in_schema AS col, compression, stats_min_value AS min, stats_max_value AS max, stats_null_count AS nulls, created_by
         FROM parquet_metadata(${sqlString(path)}) JOIN parquet_file_metadata(${sqlString(path)}) USING (file_name) ORDER BY row_group_id, column_id`,
      );
      expect(meta.filter((m) => m.col === "n").map((m) => [m.rows, m.min, m.max, m.nulls])).toEqual([
        ["1000", "-1000", "-1", "0"],
        ["1000", "0", "999", "0"],
        ["500", "1000", "1499", "0"],
      ]);
      expect(meta.filter((m) => m.col === "s").map((m) => m.nulls)).toEqual(["100", "100", "50"]);
      expect(meta.filter((m) => m.col === "ts")[2]).toMatchObject({ min: "2026-11-22 00:33:20", max: "2026-11-22 00:41:39" });
      expect(new Set(meta.map((m) => m.compression))).toEqual(new Set(["SNAPPY"]));
      expect(meta[0]!.created_by).toBe("runnel version 1.0.0");
      if (writer === runnelWriter) {
        // Unique integers are delta-encoded; repeated text gets a dictionary.
        const encodings = await queryJson(db, `SELECT path_in_schema AS col, encodings FROM parquet_metadata(${sqlString(path)}) WHERE row_group_id = 0 ORDER BY column_id`);
        expect(encodings.map((e) => [e.col, e.encodings])).toEqual([
          ["n", expect.stringContaining("DELTA_BINARY_PACKED")],
          ["s", expect.stringContaining("RLE_DICTIONARY")],
          ["ts", expect.stringContaining("DELTA_BINARY_PACKED")],
        ]);
      }
      // Readers skip row groups by those statistics.
      const skipped = await queryJson(db, `SELECT count(*) AS c FROM read_parquet(${sqlString(path)}) WHERE n > 1200`);
      expect(skipped).toEqual([{ c: "299" }]);
    });
  });

  test("UNCOMPRESSED files read back the same; ZSTD is refused with a reason", async () => {
    const path = save(writer.write(schema, rows, { codec: "UNCOMPRESSED" }));
    await withDuckDB(async (db) => {
      const codecs = await queryJson(db, `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(path)})`);
      expect(codecs).toEqual([{ compression: "UNCOMPRESSED" }]);
      const [row] = await queryJson(db, `SELECT count(*) AS n, max(i64)::VARCHAR AS m FROM read_parquet(${sqlString(path)})`);
      expect(row).toEqual({ n: "4", m: "9223372036854775807" });
    });
    expect(() => writer.write(schema, rows, { codec: "ZSTD" })).toThrow(/^parquet: .* no ZSTD compressor/);
  });

  test("an empty batch is a valid file with the schema and no rows", async () => {
    const path = save(writer.write([{ name: "a", type: "INTEGER[]" }], []));
    await withDuckDB(async (db) => {
      expect(await queryJson(db, `SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(path)}))`)).toEqual([
        { column_type: "INTEGER[]" },
      ]);
      expect(await queryJson(db, `SELECT count(*) AS c FROM read_parquet(${sqlString(path)})`)).toEqual([{ c: "0" }]);
    });
  });

  test("errors name the column and the problem", () => {
    expect(() => writer.write([{ name: "x", type: "UNION(a INTEGER)" }], [])).toThrow(
      `parquet: column "x" has type UNION, which the Parquet writer does not support`,
    );
    expect(() => writer.write([{ name: "x", type: "INTEGER" }], [{}])).toThrow(
      'parquet: row 0 has no value for column "x" (use null for NULL)',
    );
    expect(() => writer.write([{ name: "x", type: "DECIMAL(4,2)" }], [{ x: "12.34" }])).toThrow(/^parquet: (encoding|row 0)/);
    // A HUGEINT is a DECIMAL(38,0) in the file: our writer refuses a value past 38 digits rather than storing
    // another number (the sinks make such a row a dead letter before it gets here; hyparquet-writer checks nothing).
    if (writer !== runnelWriter) return;
    expect(() => writer.write([{ name: "h", type: "HUGEINT" }], [{ h: 10n ** 38n }])).toThrow(/^parquet: /);
    expect(() => writer.write([{ name: "h", type: "UHUGEINT[]" }], [{ h: [2n ** 128n - 1n] }])).toThrow(/^parquet: /);
  });
});

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65_536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65_536)));
  return out;
}

describe("snappyCompress", () => {
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["one byte", bytes(7)],
    ["15 bytes", new TextEncoder().encode("abcdefghijklmno")],
    ["repetitive text over several 64 KiB blocks", new TextEncoder().encode("station-1,station-2,".repeat(20_000))],
    ["random bytes", randomBytes(65_536 * 2 + 17)],
    ["a long run of one byte", new Uint8Array(300_001).fill(9)],
  ];
  test.each(cases)("%s round-trips through hyparquet's decoder", (_, input) => {
    const compressed = snappyCompress(input);
    const output = new Uint8Array(input.length);
    snappyUncompress(compressed, output);
    expect(Buffer.from(output).equals(Buffer.from(input))).toBe(true);
  });

  test("compresses repetitive input well and random input not past its size plus framing", () => {
    expect(snappyCompress(new TextEncoder().encode("station-1,".repeat(50_000))).length).toBeLessThan(30_000);
    const random = randomBytes(65_536);
    expect(snappyCompress(random).length).toBeLessThan(65_536 + 16);
  });
});

describe("runnel encoder against hyparquet-writer", () => {
  test("many pages and row groups of nested, nullable, dictionary and plain values read back the same in DuckDB", async () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const schema: Schema = [
      { name: "id", type: "INTEGER" },
      { name: "xs", type: "BIGINT[]" },
      { name: "s", type: "STRUCT(tag VARCHAR, ys DOUBLE[], m MAP(VARCHAR, DATE))" },
      { name: "word", type: "VARCHAR" },
      { name: "uniq", type: "VARCHAR" },
      { name: "u", type: "UBIGINT" },
    ];
    const rows: Row[] = Array.from({ length: 45_000 }, (_, i) => ({
      id: i,
      xs: next() % 7 === 0 ? null : Array.from({ length: next() % 4 }, () => (next() % 5 === 0 ? null : BigInt(next()) - 2n ** 31n)),
      s:
        next() % 9 === 0
          ? null
          : {
              tag: next() % 3 === 0 ? null : `tag-${next() % 20}`,
              ys: next() % 4 === 0 ? [] : [next() / 7, NaN],
              m: next() % 5 === 0 ? null : [{ key: `k${i % 3}`, value: next() % 2 ? null : 20_000 + (i % 50) }],
            },
      word: next() % 10 === 0 ? null : ["alpha", "beta", "gamma", "δέλτα"][next() % 4]!,
      uniq: `row-${i}-${next().toString(36)}`,
      u: next() % 6 === 0 ? null : 2n ** 64n - 1n - BigInt(next()),
    }));
    const whole = runnelWriter.write(schema, rows, { rowGroupSize: 20_000 });
    // The same file written as its rows arrive, in uneven batches: page cuts fall inside lists and maps.
    const file = runnelWriter.open!(schema, { rowGroupSize: 20_000 });
    for (let at = 0; at < rows.length; ) {
      const n = 1 + (next() % 3_000);
      file.add(rows.slice(at, at + n));
      at += n;
    }
    expect(Buffer.from(file.finish()).equals(Buffer.from(whole))).toBe(true);
    const ours = save(whole);
    const theirs = save(hyparquetWriter.write(schema, rows, { rowGroupSize: 20_000 }));
    await withDuckDB(async (db) => {
      const [d] = await queryJson(
        db,
        `SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet(${sqlString(ours)}) EXCEPT ALL SELECT * FROM read_parquet(${sqlString(theirs)}))) +
                (SELECT count(*) FROM (SELECT * FROM read_parquet(${sqlString(theirs)}) EXCEPT ALL SELECT * FROM read_parquet(${sqlString(ours)}))) AS diff,
                (SELECT count(*) FROM read_parquet(${sqlString(ours)})) AS n`,
      );
      expect(d).toEqual({ diff: "0", n: "45000" });
      const groups = await queryJson(db, `SELECT count(DISTINCT row_group_id) AS g FROM parquet_metadata(${sqlString(ours)})`);
      expect(groups).toEqual([{ g: "3" }]);
      // Row-group statistics let DuckDB skip: the filter's answer must not change.
      const [filtered] = await queryJson(db, `SELECT count(*) AS c FROM read_parquet(${sqlString(ours)}) WHERE id >= 44990 AND u IS NOT NULL`);
      expect(filtered!.c).toBe(String(rows.slice(44_990).filter((r) => r.u !== null).length));
    });
  });
});

test("delta-encoded integer pages read back exactly at block edges, sign changes and range limits", async () => {
  let seed = 11;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const shapes: [string, (i: number) => bigint][] = [
    ["rising", (i) => 1_763_769_600_000_000n + BigInt(i) * 250_000n + BigInt(next() % 1000)],
    ["falling", (i) => 10n ** 12n - BigInt(i) * 3n],
    ["zigzag", (i) => (i % 2 ? -1n : 1n) * BigInt(next())],
    ["near the limit", (i) => (i % 2 ? 2n ** 51n : -(2n ** 51n)) + BigInt(i % 3)],
    ["past the limit", (i) => (i % 2 ? 2n ** 62n : -(2n ** 62n)) + BigInt(i)],
    ["wide jumps", (i) => BigInt(next()) * BigInt(next() % 2 ** 30) * (i % 2 ? 1n : -1n)],
  ];
  for (const n of [1, 2, 33, 129, 161, 20_001]) {
    const schema: Schema = [...shapes.map(([name]) => ({ name, type: "BIGINT" })), { name: "i", type: "INTEGER" }];
    const rows: Row[] = Array.from({ length: n }, (_, i) => ({
      ...Object.fromEntries(shapes.map(([name, f]) => [name, i % 17 === 5 ? null : f(i)])),
      i: i % 2 ? -(2 ** 31) + i : 2 ** 31 - 1 - i,
    }));
    const ours = save(runnelWriter.write(schema, rows));
    const theirs = save(hyparquetWriter.write(schema, rows));
    await withDuckDB(async (db) => {
      const [d] = await queryJson(
        db,
        `SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet(${sqlString(ours)}) EXCEPT ALL SELECT * FROM read_parquet(${sqlString(theirs)}))) AS diff`,
      );
      expect(d, `${n} rows`).toEqual({ diff: "0" });
    });
  }
});

describe("runnel encoder, a file written as its rows arrive", () => {
  let seed = 23;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const schema: Schema = [
    { name: "id", type: "BIGINT" },
    { name: "tag", type: "VARCHAR" },
    { name: "xs", type: "INTEGER[]" },
    { name: "drift", type: "VARCHAR" },
    { name: "k", type: "BIGINT" },
  ];
  // `drift` repeats ten words for the first 30,000 rows and is unique after: its dictionary is
  // given up in a later page of the chunk, so the chunk mixes dictionary and plain pages.
  const rows: Row[] = Array.from({ length: 70_000 }, (_, i) => ({
    id: BigInt(i),
    tag: next() % 8 === 0 ? null : `t${next() % 50}`,
    xs: next() % 5 === 0 ? null : Array.from({ length: next() % 4 }, () => next() % 1000),
    drift: i % 97 === 0 ? null : i < 30_000 ? `word-${i % 10}` : `unique-${i}-${next().toString(36)}`,
    // 3,000 keys: dictionary indexes 12 bits wide.
    k: BigInt(next() % 3000) * 1_000_003n,
  }));

  test("gives the same bytes whatever the batches, and DuckDB reads every row back", async () => {
    const whole = runnelWriter.write(schema, rows, { rowGroupSize: 50_000 });
    const file = runnelWriter.open!(schema, { rowGroupSize: 50_000 });
    for (let at = 0; at < rows.length; ) {
      const n = [1, 7, 999, 20_000, 33_333][next() % 5]!;
      file.add(rows.slice(at, at + n));
      at += n;
    }
    expect(file.rows).toBe(70_000);
    const streamed = file.finish();
    expect(Buffer.from(streamed).equals(Buffer.from(whole))).toBe(true);
    expect(() => file.finish()).toThrow("parquet: a file finished twice");
    expect(() => file.add(rows.slice(0, 1))).toThrow("parquet: rows added to a file already finished");

    const ours = save(streamed);
    const theirs = save(hyparquetWriter.write(schema, rows, { rowGroupSize: 50_000 }));
    await withDuckDB(async (db) => {
      const [d] = await queryJson(
        db,
        `SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet(${sqlString(ours)}) EXCEPT ALL SELECT * FROM read_parquet(${sqlString(theirs)}))) AS diff,
                (SELECT count(*) FROM read_parquet(${sqlString(ours)})) AS n,
                (SELECT count(DISTINCT drift) FROM read_parquet(${sqlString(ours)}) WHERE id < 30000) AS words`,
      );
      expect(d).toEqual({ diff: "0", n: "70000", words: "10" });
      const [k] = await queryJson(db, `SELECT encodings FROM parquet_metadata(${sqlString(ours)}) WHERE path_in_schema = 'k' AND row_group_id = 0`);
      expect(k!.encodings).toContain("RLE_DICTIONARY");
      const chunks = await queryJson(
        db,
        `SELECT row_group_id AS g, encodings, stats_min_value AS min, stats_max_value AS max, stats_null_count AS nulls
         FROM parquet_metadata(${sqlString(ours)}) WHERE path_in_schema = 'drift' ORDER BY g`,
      );
      // Row group 0: dictionary pages for the words, plain pages once the values stopped repeating;
      // the statistics cover both. Row group 1 (all unique) has no dictionary at all.
      expect(chunks[0]).toMatchObject({ encodings: expect.stringContaining("RLE_DICTIONARY"), min: expect.stringMatching(/^unique-/), max: "word-9" });
      expect(chunks[0]!.encodings).toContain("PLAIN");
      expect(chunks[1]!.encodings).not.toContain("RLE_DICTIONARY");
      expect(chunks.map((c) => c.nulls)).toEqual([String(rows.slice(0, 50_000).filter((r) => r.drift === null).length), String(rows.slice(50_000).filter((r) => r.drift === null).length)]);
    });
  });

  test("a bad value is refused with its column, and a NULL column of a million levels stays small", () => {
    const file = runnelWriter.open!([{ name: "n", type: "INTEGER" }], {});
    expect(() => file.add(Array.from({ length: 25_000 }, (_, i) => ({ n: i === 1000 ? "x" : i })))).toThrow(/parquet: encoding column n of rows up to 24999 failed/);
    // The failed add left the file half-updated: it refuses more rows and a footer.
    expect(() => file.add([{ n: 1 }])).toThrow(/^parquet: the file cannot be used after a failed add \(parquet: encoding column n of rows up to 24999 failed/);
    expect(() => file.finish()).toThrow(/cannot be used after a failed add/);
    const empty = runnelWriter.open!([{ name: "s", type: "VARCHAR" }], {});
    for (let i = 0; i < 100; i++) empty.add(Array.from({ length: 10_000 }, () => ({ s: null })));
    expect(empty.finish().length).toBeLessThan(20_000);
  });
});

describe("runnel encoder statistics", () => {
  test("a chunk with NaN has no min/max, so DuckDB (NaN above every number) never skips its group", async () => {
    const schema: Schema = [
      { name: "id", type: "INTEGER" },
      { name: "d", type: "DOUBLE" },
      { name: "f", type: "FLOAT" },
      { name: "xs", type: "DOUBLE[]" },
    ];
    const rows: Row[] = [
      { id: 0, d: 1.5, f: 1.5, xs: [1.5] },
      { id: 1, d: NaN, f: NaN, xs: [NaN, 2] },
      { id: 2, d: -2, f: -2, xs: [-2] },
      { id: 3, d: 3, f: 3, xs: null },
    ];
    const path = save(runnelWriter.write(schema, rows, { rowGroupSize: 2 }));
    await withDuckDB(async (db) => {
      const file = `read_parquet(${sqlString(path)})`;
      const ids = async (where: string) => (await queryJson(db, `SELECT list(id ORDER BY id) AS ids FROM ${file} WHERE ${where}`))[0]!.ids;
      expect(await ids("d > 100")).toEqual([1]);
      expect(await ids("f > 100")).toEqual([1]);
      expect(await ids("d = 'nan'::DOUBLE")).toEqual([1]);
      expect(await ids("f >= 'nan'::FLOAT")).toEqual([1]);
      expect(await ids("list_contains(xs, 'nan'::DOUBLE)")).toEqual([1]);
      const stats = await queryJson(
        db,
        `SELECT row_group_id AS g, path_in_schema AS col, stats_min_value AS min, stats_max_value AS max FROM parquet_metadata(${sqlString(path)}) WHERE path_in_schema <> 'id' ORDER BY g, column_id`,
      );
      expect(stats.map((s) => [s.g, s.col, s.min, s.max])).toEqual([
        ["0", "d", null, null],
        ["0", "f", null, null],
        ["0", "xs, list, element", null, null],
        ["1", "d", "-2.0", "3.0"],
        ["1", "f", "-2.0", "3.0"],
        ["1", "xs, list, element", "-2.0", "-2.0"],
      ]);
    });
  });
});

describe("runnel encoder range checks", () => {
  test.each<[string, Value]>([
    ["TINYINT", 128],
    ["TINYINT", -129],
    ["UTINYINT", -1],
    ["USMALLINT", 65536],
    ["INTEGER", 2147483648],
    ["UINTEGER", 4294967296],
    ["DATE", 2 ** 31],
    ["BIGINT", 2n ** 63n],
    ["UBIGINT", -1n],
    ["TIMESTAMP", -(2n ** 63n) - 1n],
    ["DECIMAL(4,2)", 10000n],
    ["DECIMAL(18,0)", -(10n ** 18n)],
    ["DECIMAL(38,2)", 10n ** 38n],
    ["INTEGER[]", [1, 2 ** 40]],
  ])("%s %s, which the column cannot hold, is refused rather than wrapped", (type, value) => {
    const write = () => runnelWriter.write([{ name: "c", type }], [{ c: null }, { c: value }]);
    expect(write).toThrow(/parquet: encoding column c/);
    try {
      write();
    } catch (e) {
      expect(String((e as Error).cause)).toMatch(/expected (an integer in|an unscaled DECIMAL within)/);
    }
  });

  test("the limits themselves are written and read back", async () => {
    const schema: Schema = [
      { name: "a", type: "TINYINT" },
      { name: "b", type: "UINTEGER" },
      { name: "c", type: "UBIGINT" },
      { name: "d", type: "DECIMAL(9,9)" },
      { name: "e", type: "DECIMAL(38,0)" },
    ];
    const rows: Row[] = [
      { a: -128, b: 4294967295, c: 2n ** 64n - 1n, d: -999999999n, e: 10n ** 38n - 1n },
      { a: 127, b: 0, c: 0n, d: 999999999n, e: -(10n ** 38n - 1n) },
    ];
    const path = save(runnelWriter.write(schema, rows));
    await withDuckDB(async (db) => {
      // DuckDB prints DECIMAL(9,9) without a leading zero.
      const got = await queryJson(db, `SELECT a, b, c::VARCHAR AS c, d::VARCHAR AS d, e::VARCHAR AS e FROM read_parquet(${sqlString(path)})`);
      expect(got).toEqual([
        { a: -128, b: 4294967295, c: "18446744073709551615", d: "-.999999999", e: "99999999999999999999999999999999999999" },
        { a: 127, b: 0, c: "0", d: ".999999999", e: "-99999999999999999999999999999999999999" },
      ]);
    });
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { queryJson, withDuckDB } from "../parquet/duckdb-oracle.node.ts";
import { datasetRows, datasetSchema, expectDatasetReadsBack, partitionBy, writeDataset } from "./dataset-case.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { fsSink } from "./fs.node.ts";
import { datasetSql, escapePathSegment, formatPartitionValue, objectKey, partitionPath, partitionRows, rangeName } from "./layout.ts";
import { writeBatch } from "./write-batch.ts";

describe("layout", () => {
  test("partition values are escaped as Hive escapes path names", () => {
    expect(escapePathSegment("a/b=c%d e")).toBe("a%2Fb%3Dc%25d%20e");
    expect(escapePathSegment("x:y*?\"'#[]{}^\\|<>")).toBe("x%3Ay%2A%3F%22%27%23%5B%5D%7B%7D%5E%5C%7C%3C%3E");
    expect(escapePathSegment("\u0001\u007f\n")).toBe("%01%7F%0A");
    expect(escapePathSegment("Ünïon 🦆-_.+,;&")).toBe("Ünïon%20🦆-_.+,;&");
  });

  test("values print as DuckDB's CAST(... AS VARCHAR) prints them", async () => {
    const cases: [string, unknown, string][] = [
      ["DATE", -1, "DATE '1969-12-31'"],
      ["DATE", -719_162, "DATE '0001-01-01'"],
      ["DATE", -719_163, "DATE '0001-12-31 (BC)'"],
      ["DATE", 2_932_896, "DATE '9999-12-31'"],
      ["TIMESTAMP", 1_763_787_967_500_000n, "TIMESTAMP '2025-11-22 05:06:07.5'"],
      ["TIMESTAMP", -1n, "TIMESTAMP '1969-12-31 23:59:59.999999'"],
      ["TIMESTAMP", 0n, "TIMESTAMP '1970-01-01'"],
      ["TIMESTAMPTZ", 1_000_000n, "TIMESTAMPTZ '1970-01-01 00:00:01+00'"],
      ["TIME", 45_296_000_001n, "TIME '12:34:56.000001'"],
      ["DECIMAL(9,3)", -1234n, "-1.234::DECIMAL(9,3)"],
      ["DECIMAL(9,3)", 5n, "0.005::DECIMAL(9,3)"],
      ["BIGINT", -(2n ** 63n), "(-9223372036854775808)::BIGINT"],
      ["BOOLEAN", true, "true"],
      ["DOUBLE", 0.1, "0.1::DOUBLE"],
      ["DOUBLE", -Infinity, "'-inf'::DOUBLE"],
      ["VARCHAR", "ü/x", "'ü/x'"],
      // Found by the text hunt: DOUBLE and FLOAT printed as JS prints them (1, 1e-7, 0, 0.6666666865348816),
      // and INTERVAL, BLOB, LIST and STRUCT partitions failed the flush ("cannot partition by").
      ["DOUBLE", 1, "1.0::DOUBLE"],
      ["DOUBLE", 1e-7, "1e-7::DOUBLE"],
      ["DOUBLE", -0, "-0.0::DOUBLE"],
      ["DOUBLE", 1.2345678901234568e20, "1.2345678901234568e+20::DOUBLE"],
      ["DOUBLE", NaN, "'nan'::DOUBLE"],
      ["FLOAT", Math.fround(2 / 3), "(2::FLOAT / 3)::FLOAT"],
      ["INTERVAL", { months: 0, days: 0, micros: 129_600_000_000n }, "INTERVAL 36 HOUR"],
      ["INTERVAL", { months: 14, days: -3, micros: 1n }, "INTERVAL '1 year 2 months -3 days 0.000001 seconds'"],
      ["BLOB", new Uint8Array([0xff, 0x61]), "'\\xFFa'::BLOB"],
      ["VARCHAR[]", ["a/b", null, "it's"], "['a/b', NULL, 'it''s']"],
      // Found by the numbers-and-time hunt: an infinite date or time was the folder `0NaN-NaN-NaN (BC)`.
      ["DATE", 2_147_483_647, "'infinity'::DATE"],
      ["DATE", -2_147_483_647, "'-infinity'::DATE"],
      ["TIMESTAMP", 2n ** 63n - 1n, "'infinity'::TIMESTAMP"],
      ["TIMESTAMPTZ", -(2n ** 63n - 1n), "'-infinity'::TIMESTAMPTZ"],
      ["TIMESTAMP", -62_135_596_800_000_001n, "TIMESTAMP '0001-12-31 (BC) 23:59:59.999999'"],
      ["STRUCT(a INTEGER, \"b c\" VARCHAR)", { a: 1, "b c": "x y" }, "{'a': 1, 'b c': 'x y'}::STRUCT(a INTEGER, \"b c\" VARCHAR)"],
    ];
    await withDuckDB(async (db) => {
      await db.run("SET TimeZone = 'UTC'");
      for (const [type, value, sql] of cases) {
        const [row] = await queryJson(db, `SELECT CAST(${sql} AS VARCHAR) AS v`);
        expect(formatPartitionValue(type, value as never), `${type} ${sql}`).toBe(row!.v);
      }
    });
    expect(formatPartitionValue("DATE", null)).toBeNull();
    expect(() => formatPartitionValue("TIME WITH TIME ZONE", 1n)).toThrow("layout: cannot partition by a TIME WITH TIME ZONE value");
  });

  test("NULL goes to Hive's default partition, or to the folder name asked for", () => {
    const cols = [{ name: "day", type: "DATE" }, { name: "s", type: "VARCHAR" }];
    expect(partitionPath(cols, { day: null, s: "" })).toBe("day=__HIVE_DEFAULT_PARTITION__/s=/");
    expect(partitionPath(cols, { day: 0, s: null }, { nullValue: "NULL" })).toBe("day=1970-01-01/s=NULL/");
    // A string spelled NULL must not read back as SQL NULL.
    expect(partitionPath(cols, { day: 0, s: "NULL" }, { nullValue: "NULL" })).toBe("day=1970-01-01/s=%4EULL/");
    expect(partitionPath(cols, { day: 0, s: "null" })).toBe("day=1970-01-01/s=%6Eull/");
    expect(partitionPath(cols, { day: 0, s: "__HIVE_DEFAULT_PARTITION__" })).toBe("day=1970-01-01/s=%5F_HIVE_DEFAULT_PARTITION__/");
  });

  test("range names sort lexically in numeric order", () => {
    const names = [[9, 10], [10, 99], [100, 100], [2n ** 64n - 2n, 2n ** 64n - 1n]].map(([a, b]) => rangeName(a!, b!));
    expect([...names].sort()).toEqual(names);
    expect(names[0]).toBe("00000000000000000009-00000000000000000010");
    expect(() => rangeName(5, 4)).toThrow("layout: invalid range 5..4");
  });

  test("object keys follow <prefix><sink>/<col>=<value>/.../<writer>-<range>.parquet", () => {
    expect(objectKey({ prefix: "turnstile/", sink: "lake", partition: "day=2026-11-22/", writer: "mta.turnstile.3", first: 1200, last: 1299 })).toBe(
      "turnstile/lake/day=2026-11-22/mta.turnstile.3-00000000000000001200-00000000000000001299.parquet",
    );
    expect(() => objectKey({ sink: "lake", partition: "", writer: "../x", first: 0, last: 0 })).toThrow(/writer name/);
  });

  test("partitionRows groups rows in key order, keeps row order, and drops partition columns from the body", () => {
    const schema = [{ name: "day", type: "DATE" }, { name: "n", type: "INTEGER" }];
    const parts = partitionRows(schema, [{ day: 1, n: 1 }, { day: 0, n: 2 }, { day: 1, n: 3 }, { day: null, n: 4 }], ["day"]);
    expect(parts.map((p) => [p.path, p.rows.map((r) => r.n), p.values.day])).toEqual([
      ["day=1970-01-01/", [2], 0],
      ["day=1970-01-02/", [1, 3], 1],
      ["day=__HIVE_DEFAULT_PARTITION__/", [4], null],
    ]);
    expect(parts[0]!.schema).toEqual([{ name: "n", type: "INTEGER" }]);
    expect(() => partitionRows(schema, [], ["nope"])).toThrow('layout: partition column "nope" is not in the schema (day, n)');
  });
});

describe("a dataset written through the fs sink", () => {
  for (const layout of [undefined, { nullValue: "NULL" }]) {
    test(`reads back in DuckDB with hive_partitioning as exactly the source rows and types (null folder ${layout?.nullValue ?? "__HIVE_DEFAULT_PARTITION__"})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "runnel-dataset-"));
      try {
        const rows = datasetRows();
        const keys = await writeDataset(fsSink(dir), rows, layout);
        expect(keys).toContain(
          `lake/per_minute/day=1969-12-31/station=Times%20Sq%2F42%20St/w0-${"0".repeat(20)}-${"149".padStart(20, "0")}.parquet`,
        );
        expect(new Set(keys).size).toBe(keys.length);
        // Repeating the flushes rewrites the same keys with the same bytes.
        const again = mkdtempSync(join(tmpdir(), "runnel-dataset-again-"));
        try {
          const sinkA = fsSink(dir);
          const sinkB = fsSink(again);
          expect(await writeDataset(sinkB, rows, layout)).toEqual(keys);
          for (const key of keys) expect(Buffer.from((await sinkB.get(key))!).equals(Buffer.from((await sinkA.get(key))!))).toBe(true);
        } finally {
          rmSync(again, { recursive: true, force: true });
        }
        await expectDatasetReadsBack(dir, rows, layout);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

test("the dataset fixture covers what the layout must escape", () => {
  const rows = datasetRows();
  expect(datasetSchema.map((c) => c.name)).toEqual(expect.arrayContaining(partitionBy));
  expect(rows.some((r) => r.station === null) && rows.some((r) => r.day === null) && rows.some((r) => r.station === "")).toBe(true);
});

test("rows whose partition folder would pass 255 bytes are handed over with the reason (or throw); the others are partitioned", () => {
  const schema = [{ name: "cat", type: "VARCHAR" }, { name: "n", type: "INTEGER" }];
  const long = "x".repeat(300);
  const rows = [{ cat: "a", n: 1 }, { cat: long, n: 2 }, { cat: "a/b", n: 3 }, { cat: "%".repeat(83), n: 4 }, { cat: "%".repeat(84), n: 5 }];
  const rejected: { row: (typeof rows)[number]; reason: string }[] = [];
  const keep = partitionRows(schema, rows, ["cat"], { onUnwritable: (row, reason) => rejected.push({ row: row as (typeof rows)[number], reason }) }).flatMap((p) => p.rows);
  expect(keep.map((r) => r.n).sort()).toEqual([1, 3, 4]);
  expect(rejected.map((r) => [r.row.n, r.reason])).toEqual([
    [2, "partition value of cat makes a folder name of 304 bytes; object stores and file systems take at most 255: partition by a shorter value (left(x, 50), md5(x))"],
    [5, "partition value of cat makes a folder name of 256 bytes; object stores and file systems take at most 255: partition by a shorter value (left(x, 50), md5(x))"],
  ]);
  expect(() => partitionRows(schema, rows, ["cat"])).toThrow(/partition value of cat makes a folder name of 304 bytes/);
  expect(partitionRows(schema, rows, []).flatMap((p) => p.rows)).toEqual(rows);
});

test("a HUGEINT past the 38 digits of its DECIMAL(38,0) column, at any depth, is handed over with the reason; a partition column holds any", () => {
  const schema = [{ name: "day", type: "HUGEINT" }, { name: "total", type: "HUGEINT" }, { name: "m", type: "MAP(VARCHAR, HUGEINT)" }];
  const rows = [
    { day: 10n ** 40n, total: 10n ** 38n - 1n, m: [] },
    { day: 1n, total: -(10n ** 38n), m: null },
    { day: 1n, total: null, m: [{ key: "x", value: 2n ** 127n - 1n }] },
    { day: 1n, total: 5n, m: [{ key: "y", value: null }] },
  ];
  const rejected: [unknown, string][] = [];
  const keep = partitionRows(schema, rows, ["day"], { onUnwritable: (row, reason) => rejected.push([row.total, reason]) }).flatMap((p) => p.rows);
  expect(keep.map((r) => r.total)).toEqual([5n, 10n ** 38n - 1n]);
  expect(rejected).toEqual([
    [-(10n ** 38n), `total is ${-(10n ** 38n)}, past the 38 digits of DECIMAL(38,0), the Parquet type a HUGEINT is written as: cast it to DOUBLE or VARCHAR in the cell to keep such values`],
    [null, `m.value is ${2n ** 127n - 1n}, past the 38 digits of DECIMAL(38,0), the Parquet type a HUGEINT is written as: cast it to DOUBLE or VARCHAR in the cell to keep such values`],
  ]);
});

describe("partition values a Map or the unescaped folder value could confuse", () => {
  const write = async (dir: string, schema: { name: string; type: string }[], rows: Record<string, unknown>[]) => {
    await writeBatch({ sink: fsSink(dir), parquet: runnelWriter, schema, rows: rows as never, partitionBy: ["k"], sinkName: "lake", writer: "w", first: 0, last: 9 });
    return join(dir, "lake", "**", "*.parquet");
  };

  // Found by edge/parquet/messy-values-fuzz12: the router's Map took 0 for -0, so a 0.0 row went to
  // the -0.0 folder (or the other way round) and read back with the other sign.
  test("0.0 and -0.0 go to their own folders and read back with their sign", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runnel-zero-"));
    try {
      const schema = [{ name: "id", type: "INTEGER" }, { name: "k", type: "DOUBLE" }];
      const glob = await write(dir, schema, [{ id: 1, k: -0 }, { id: 2, k: 0 }, { id: 3, k: -0 }]);
      expect(partitionRows(schema, [{ id: 2, k: 0 }, { id: 1, k: -0 }], ["k"]).map((p) => p.path)).toEqual(["k=-0.0/", "k=0.0/"]);
      const got = await withDuckDB((db) => queryJson(db, `SELECT id, k::VARCHAR AS k FROM (${datasetSql(glob, schema, ["k"])}) ORDER BY id`));
      expect(got).toEqual([{ id: 1, k: "-0.0" }, { id: 2, k: "0.0" }, { id: 3, k: "-0.0" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // DuckDB unescapes `%5F_HIVE_DEFAULT_PARTITION__` to the null folder's name before the query sees it:
  // the text read back as NULL.
  test("a VARCHAR spelled like the null folder reads back as that text, NULL as NULL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runnel-nullname-"));
    try {
      const schema = [{ name: "id", type: "INTEGER" }, { name: "k", type: "VARCHAR" }];
      const glob = await write(dir, schema, [{ id: 1, k: "__HIVE_DEFAULT_PARTITION__" }, { id: 2, k: null }, { id: 3, k: "NULL" }]);
      const got = await withDuckDB((db) => queryJson(db, `SELECT id, k FROM (${datasetSql(glob, schema, ["k"])}) ORDER BY id`));
      expect(got).toEqual([{ id: 1, k: "__HIVE_DEFAULT_PARTITION__" }, { id: 2, k: null }, { id: 3, k: "NULL" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Found by writing the fuzz's partition values to the S3 server: its listing answered U+FFFD for U+FFFF.
  test("U+FFFE and U+FFFF are escaped as their UTF-8 bytes, and DuckDB reads them back as themselves", async () => {
    expect(escapePathSegment("a\uFFFFb\uFFFE\uFFFD")).toBe("a%EF%BF%BFb%EF%BF%BE\uFFFD");
    const dir = mkdtempSync(join(tmpdir(), "runnel-ffff-"));
    try {
      const schema = [{ name: "id", type: "INTEGER" }, { name: "k", type: "VARCHAR" }];
      const glob = await write(dir, schema, [{ id: 1, k: "a\uFFFFb" }, { id: 2, k: "\uFFFE" }, { id: 3, k: "\uFFFD" }]);
      const got = await withDuckDB((db) => queryJson(db, `SELECT id, k FROM (${datasetSql(glob, schema, ["k"])}) ORDER BY id`));
      expect(got).toEqual([{ id: 1, k: "a\uFFFFb" }, { id: 2, k: "\uFFFE" }, { id: 3, k: "\uFFFD" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

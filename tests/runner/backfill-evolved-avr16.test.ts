/**
 * avr16: a backfill of two years of Avro exports whose `price` went from decimal scale 2 to scale 4 and
 * whose `at` went from timestamp-millis to -micros, read by `runnel run --input` into today's reader
 * schema: every old price is the same amount (12.34 is 12.3400, not 0.1234) and every old instant the
 * same instant, as fastavro reads them, and no file is a dead letter; the Parquet written is what DuckDB
 * answers over the same events as JSON.
 */
import { spawnSync } from "node:child_process";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { avroBackfillFolder, avroContainer } from "./avro-container.ts";
import { lettersUnder } from "./framed-topic.ts";
import { runnel } from "./harness.ts";

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));
const order = (scale: number, unit: string) => ({
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "int" },
    { name: "price", type: { type: "bytes", logicalType: "decimal", precision: 12, scale } },
    { name: "ts", type: { type: "long", logicalType: unit } },
  ],
});
const READER = order(4, "timestamp-micros");
const SELECT = "SELECT id, CAST(price AS DECIMAL(12, 4)) AS price, ts FROM orders";
/** A decimal's unscaled value as Avro's bytes (two's complement, big-endian). */
const unscaled = (n: number) => {
  const out = Buffer.alloc(4);
  out.writeInt32BE(n);
  return out;
};

test("avr16: old exports with a smaller decimal scale and a coarser timestamp unit read as the same amounts and instants in the reader schema's shape", { timeout: 240_000 }, async () => {
  const { dir, exports } = await avroBackfillFolder("runnel-avr16-evolved-", READER, SELECT);
  const files: [string, object, unknown[]][] = [
    // 2024: prices in cents (scale 2), instants in microseconds already.
    ["orders+0+0000000000.avro", order(2, "timestamp-micros"), [{ id: 1, price: unscaled(1234), ts: 1_700_000_000_123_456 }, { id: 2, price: unscaled(-5), ts: 0 }]],
    // 2025: prices in cents, instants in milliseconds.
    ["orders+0+0000000002.avro", order(2, "timestamp-millis"), [{ id: 3, price: unscaled(99), ts: 1_700_000_000_123 }]],
    // Today's shape.
    ["orders+0+0000000003.avro", READER, [{ id: 4, price: unscaled(123_456), ts: 1_700_000_000_000_001 }]],
  ];
  for (const [i, [name, schema, values]] of files.entries()) {
    await writeFile(join(exports, name), await avroContainer(schema, values, "null"));
    await utimes(join(exports, name), 1_700_000_000 + i, 1_700_000_000 + i);
  }

  const sample = join(exports, files[2]![0]);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(dir, "orders.md"), "--sample", `orders=${sample}`, "--out", join(dir, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const out = join(dir, "lake");
  const run = spawnSync(process.execPath, [runnel, "run", join(dir, "dist", "orders"), "--input", `orders=${exports}/*.avro`, "--sink", `lake=fs:${out}`], { encoding: "utf8", timeout: 120_000 });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect((await lettersUnder(out)).map((l) => l.reason)).toEqual([]);

  const db = await openDuckDB({ threads: 1 });
  try {
    const ndjson = join(dir, "orders.ndjson");
    await writeFile(
      ndjson,
      [
        `{"id": 1, "price": "12.3400", "ts": "2023-11-14 22:13:20.123456"}`,
        `{"id": 2, "price": "-0.0500", "ts": "1970-01-01 00:00:00.000000"}`,
        `{"id": 3, "price": "0.9900", "ts": "2023-11-14 22:13:20.123000"}`,
        `{"id": 4, "price": "12.3456", "ts": "2023-11-14 22:13:20.000001"}`,
      ].join("\n") + "\n",
    );
    await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${ndjson}')`);
    const expected = (await db.read(`SELECT * FROM (${SELECT}) ORDER BY ALL`)).getRows();
    const written = (await db.read(`SELECT * FROM read_parquet('${out}/**/*.parquet') ORDER BY ALL`)).getRows();
    expect(shown(written)).toBe(shown(expected));
  } finally {
    db.close();
  }
});

/**
 * avro16 (needs the gateway/cli/run.ts and samples.ts diff in .tmp-hunt/s16/avro16/REPORT.md):
 * a backfill of old Avro exports into a source whose `avro.schema` names today's reader schema, through
 * the real CLI. `runnel publish --sample` reads an old export as the sample in the reader's shape;
 * `runnel run --input orders=exports/*.avro` resolves each file's own schema into the reader's, so
 * every file lands in one shape and the lake holds what DuckDB answers over the same events as
 * NDJSON; a file whose schema does not resolve is one dead letter naming the file and the field.
 */
import { spawnSync } from "node:child_process";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { lettersUnder } from "./framed-topic.ts";
import { runnel } from "./harness.ts";
import { avroBackfillFolder, avroContainer } from "./avro-container.ts";

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));

const containerFile = (schema: object, values: unknown[], codec: "null" | "deflate") => avroContainer(schema, values, codec);

const kind = (symbols: string[], extra: object = {}) => ({ type: "enum", name: "Kind", symbols, ...extra });
const V1 = { type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "int" }, { name: "qty", type: "int" }, { name: "price", type: "float" }, { name: "kind", type: kind(["NEW", "PAID", "LOST"]) }] };
const READER = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "quantity", type: "long", aliases: ["qty"] },
    { name: "price", type: "double" },
    { name: "kind", type: kind(["NEW", "PAID", "OTHER"], { default: "OTHER" }) },
    { name: "currency", type: "string", default: "EUR" },
    { name: "note", type: ["null", "string"], default: null },
  ],
};
// `note` is left out: the old sample has it null throughout, so the plan types it from the sample as JSON (not this change's).
const SELECT = "SELECT id, quantity, price, kind, currency FROM orders";

test("avro16: runnel run --input of old and new Avro exports into a source with a reader schema writes one shape, as DuckDB reads the same events; a file that does not resolve is one dead letter", { timeout: 240_000 }, async () => {
  const { dir, exports } = await avroBackfillFolder("runnel-avro16-backfill-", READER, SELECT);
  const old = [{ id: 1, qty: 2, price: 0.5, kind: "PAID" }, { id: 2, qty: -3, price: 1.25, kind: "LOST" }];
  const now = [{ id: 2n ** 60n, quantity: 5, price: 9.75, kind: "NEW", currency: "CHF", note: { string: "l'été" } }];
  await writeFile(join(exports, "orders+0+0000000000.avro"), await containerFile(V1, old, "deflate"));
  await writeFile(join(exports, "orders+0+0000000002.avro"), await containerFile(READER, now, "null"));
  // A legacy export whose ids were strings: no long reads them.
  await writeFile(join(exports, "orders+1+0000000000.avro"), await containerFile({ type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "string" }] }, [{ id: "A-1" }], "null"));
  const names = ["orders+0+0000000000.avro", "orders+0+0000000002.avro", "orders+1+0000000000.avro"];
  for (const [i, name] of names.entries()) await utimes(join(exports, name), 1_700_000_000 + i, 1_700_000_000 + i);

  // The sample is the old export: read in the reader's shape, its columns are today's.
  const pub = spawnSync(process.execPath, [runnel, "publish", join(dir, "orders.md"), "--sample", `orders=${join(exports, names[0]!)}`, "--out", join(dir, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const out = join(dir, "lake");
  const run = spawnSync(process.execPath, [runnel, "run", join(dir, "dist", "orders"), "--input", `orders=${exports}/*.avro`, "--sink", `lake=fs:${out}`], { encoding: "utf8", timeout: 120_000 });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

  expect((await lettersUnder(out)).map((l) => l.reason)).toEqual([
    `run: ${join(exports, names[2]!)}: is an Avro file whose schema (shop.Order) cannot be read as the reader schema schemas/orders.avsc (sources.orders.avro.schema): field id: the writer's string cannot be read as the reader's long (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other); its records are not read`,
  ]);
  const db = await openDuckDB({ threads: 1 });
  try {
    const ndjson = join(dir, "orders.ndjson");
    await writeFile(
      ndjson,
      [
        `{"id": 1, "quantity": 2, "price": 0.5, "kind": "PAID", "currency": "EUR", "note": null}`,
        `{"id": 2, "quantity": -3, "price": 1.25, "kind": "OTHER", "currency": "EUR", "note": null}`,
        `{"id": 1152921504606846976, "quantity": 5, "price": 9.75, "kind": "NEW", "currency": "CHF", "note": "l'été"}`,
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

/**
 * avro16: a topic whose schema evolved, read from a real Schema Registry (Apicurio's Confluent API)
 * into ONE shape, the notebook's reader schema (`avro: { registry, schema }`), as Confluent's
 * deserializer with a reader schema and Spark's from_avro(col, schema) read it: v1 values lack
 * fields the reader defaults, carry one it drops and one renamed (an alias) and promoted (int to
 * long); v2 values carry an enum symbol the reader reads as its default. The notebook's sample is
 * those events; the bundle `runnel publish` makes carries the reader schema, and its runner writes
 * what DuckDB answers over the same events as JSON. A writer schema that cannot be resolved into the
 * reader's makes its values dead letters naming the id, the field and why.
 */
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { loadAvroSchemas } from "../../gateway/sources/avro-schema.ts";
import { avroType } from "../../gateway/sources/avro.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { kafka as kafkaConfig, registry as registryConfig } from "../servers/config.ts";
import { fill, register } from "./avro-registry-sr15-topic.ts";
import { framed, lettersUnder, publishBundle } from "./framed-topic.ts";
import { startBundledRunner, uniqueName } from "./harness.ts";

const status = (symbols: string[], extra: object = {}) => ({ type: "enum", name: "Status", symbols, ...extra });
const V1 = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "price", type: "double" },
    { name: "qty", type: "int" },
    { name: "status", type: status(["NEW", "PAID"]) },
  ],
};
const V2 = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "quantity", type: "long" },
    { name: "currency", type: "string", default: "EUR" },
    { name: "status", type: status(["NEW", "PAID", "REFUNDED"]) },
    { name: "note", type: ["null", "string"], default: null },
  ],
};
/** A legacy producer's schema: its id is a string, which no long reads. */
const LEGACY = { type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "string" }, { name: "name", type: "string" }] };
/** Today's shape, the notebook's schemas/orders.avsc. */
const READER = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "quantity", type: "long", aliases: ["qty"] },
    { name: "currency", type: "string", default: "EUR" },
    { name: "status", type: status(["NEW", "PAID", "OTHER"], { default: "OTHER" }) },
    { name: "note", type: ["null", "string"], default: null },
  ],
};

/** Each value as written, and the event the reader schema makes of it, as JSON text written by hand. */
const EVENTS: { schema: "v1" | "v2"; avro: Record<string, unknown>; json: string }[] = [
  { schema: "v1", avro: { id: 1, name: "Zürich 🚀", price: 9.5, qty: 3, status: "PAID" }, json: `{"id": 1, "name": "Zürich 🚀", "quantity": 3, "currency": "EUR", "status": "PAID", "note": null}` },
  { schema: "v2", avro: { id: 2, name: "", quantity: 2n ** 40n, currency: "CHF", status: "REFUNDED", note: { string: "l'été" } }, json: `{"id": 2, "name": "", "quantity": 1099511627776, "currency": "CHF", "status": "OTHER", "note": "l'été"}` },
  { schema: "v1", avro: { id: 2n ** 60n + 1n, name: "tab\there", price: -0.25, qty: -1, status: "NEW" }, json: String.raw`{"id": 1152921504606846977, "name": "tab\there", "quantity": -1, "currency": "EUR", "status": "NEW", "note": null}` },
  { schema: "v2", avro: { id: 4, name: "日本語", quantity: 7, currency: "EUR", status: "PAID", note: null }, json: `{"id": 4, "name": "日本語", "quantity": 7, "currency": "EUR", "status": "PAID", "note": null}` },
];
const SELECT = "SELECT id, name, quantity, currency, status, note FROM orders";

const notebookText = (topic: string) => `---
title: Orders in today's shape
sources:
  orders:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: avro
    avro: { registry: ${registryConfig.url}, schema: schemas/orders.avsc }
sinks:
  lake:
    fs: { dir: out, prefix: orders/ }
---

\`\`\`sql id=clean sink=lake
${SELECT}
\`\`\`
`;

/** A fresh topic of the events (each framed with its schema's id) and one legacy value; a folder with the notebook and its reader schema. */
async function evolvedTopic() {
  const topic = uniqueName("avro16");
  const ids = { v1: await register(`${topic}-value`, V1), v2: await register(`${topic}-value`, V2), legacy: await register(`${topic}-legacy-value`, LEGACY) };
  const types = { v1: avroType(V1), v2: avroType(V2) };
  const legacy = framed(ids.legacy, avroType(LEGACY).toBuffer({ id: "A-7", name: "old" }));
  const values = [...EVENTS.map((e) => framed(ids[e.schema], types[e.schema].toBuffer(e.avro))), legacy];
  const remove = await fill(topic, values);
  const dir = await mkdtemp(join(tmpdir(), "runnel-avro16-"));
  await mkdir(join(dir, "schemas"));
  await writeFile(join(dir, "schemas", "orders.avsc"), JSON.stringify(READER, null, 2));
  await writeFile(join(dir, "orders.md"), notebookText(topic));
  const reason = `decode: Avro value of ${legacy.length} bytes cannot be read: schema id ${ids.legacy} (shop.Order) of the Schema Registry at ${registryConfig.url} cannot be read as the reader schema schemas/orders.avsc (sources.orders.avro.schema): field id: the writer's string cannot be read as the reader's long (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other)`;
  return { topic, dir, legacy, reason, remove };
}

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));

/** DuckDB's answer to the cell over the reader-shaped events as JSON text. */
async function expectedRows(dir: string): Promise<string> {
  const db = await openDuckDB({ threads: 1 });
  try {
    const file = join(dir, "orders.ndjson");
    await writeFile(file, EVENTS.map((e) => e.json).join("\n") + "\n");
    await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${file}')`);
    const rows = (await db.read(`SELECT * FROM (${SELECT}) ORDER BY id`)).getRows();
    expect(rows).toHaveLength(EVENTS.length);
    return shown(rows);
  } finally {
    db.close();
  }
}

test("avro16: registry + reader schema: the notebook's sample is every version in the reader's shape (defaults, alias, promotion, enum default); check agrees with DuckDB; a writer schema that does not resolve is a dead letter naming the id, the field and why", { timeout: 120_000 }, async () => {
  const { dir, legacy, reason, remove } = await evolvedTopic();
  try {
    const file = join(dir, "orders.md");
    const parsed = parseNotebook(await readFile(file, "utf8"), file);
    expect(parsed.issues).toEqual([]);
    const loaded = await loadAvroSchemas(parsed.notebook, file);
    expect(loaded.issues).toEqual([]);
    const spec = loaded.sources.orders!;
    if (spec.kind !== "kafka") throw new Error("expected a Kafka source");
    const source = openKafkaSource(spec, "runnel-avro16");
    let sample;
    try {
      sample = await source.sample(100);
    } finally {
      await source.close();
    }
    expect(sample.filter((e) => e.ok).map((e) => e.ok && e.value)).toEqual(EVENTS.map((e) => decodePayload(e.json, "json", 0)[0]).map((e) => e!.ok && e!.value));
    expect(sample.filter((e) => !e.ok)).toMatchObject([{ ok: false, error: reason, raw: legacy.toString("latin1") }]);

    const report = await checkNotebook({ ...parsed.notebook, sources: loaded.sources }, { samples: { orders: sample.flatMap((e) => (e.ok ? [e.value] : [])) }, library: defaultLibrary, random: { batches: 2, size: 4, seed: 16 } });
    expect(report.steps.filter((s) => !s.agree).map((s) => `${s.step}: ${s.detail}`)).toEqual([]);
  } finally {
    await remove();
  }
});

test("avro16: runnel publish carries the reader schema into the bundle, and its runner writes DuckDB's answer over the reader-shaped events; the unresolvable value is the same dead letter", { timeout: 240_000 }, async () => {
  const { topic, dir, reason, remove } = await evolvedTopic();
  try {
    const bundle = publishBundle(dir, "orders", []);
    const manifest = JSON.parse(await readFile(join(bundle, "bundle.json"), "utf8"));
    expect(manifest.sources.orders.avro).toEqual({ registry: registryConfig.url, schema: "schemas/orders.avsc", definition: READER });

    const out = await mkdtemp(join(tmpdir(), "runnel-avro16-out-"));
    const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `lake=fs:${out}`]);
    expect(await run.exited, run.output()).toBe(0);
    const db = await openDuckDB({ threads: 1 });
    let written: string;
    try {
      written = shown((await db.read(`SELECT * FROM read_parquet('${out}/**/*.parquet', union_by_name = true) ORDER BY id`)).getRows());
    } finally {
      db.close();
    }
    expect(written).toBe(await expectedRows(dir));
    expect((await lettersUnder(out)).map((l) => l.reason)).toEqual([reason]);
  } finally {
    await remove();
  }
});

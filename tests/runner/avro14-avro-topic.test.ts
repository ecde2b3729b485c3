/**
 * A Kafka topic of Avro values (`format: avro` with a `.avsc` file beside the notebook), framed as
 * Confluent's serializer frames them and bare, with messy values: unicode, null unions, longs past
 * 2^53, nested records, arrays, maps, logical types, a truncated value and one with bytes after it.
 * Both readers decode a value the same way: the notebook's sample (gateway/sources/kafka-source.ts)
 * gives the very events the same JSON gives, `runnel check` agrees with DuckDB on them, and the runner's
 * engine (edge/runner/partition-engine.ts, in its worker thread) writes Parquet whose rows are what
 * DuckDB answers over the same events as JSON; the values that do not decode are in `_errors/`.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import avro from "avsc";
import { Kafka, logLevel, type KafkaMessage } from "kafkajs";
import { expect, test } from "vitest";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { workerEngines } from "../../edge/runner/engine-client.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import type { Segment } from "../../edge/runner/partition-engine.ts";
import { avroType } from "../../gateway/sources/avro.ts";
import { loadAvroSchemas } from "../../gateway/sources/avro-schema.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { EVENTS, notebookText, SCHEMA, SELECT } from "./avro14-orders.ts";
import { framed, lettersUnder } from "./framed-topic.ts";
import { uniqueName } from "./harness.ts";

/** Rows as comparable text: bigints as digits, NaN kept. */
const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : typeof v === "number" && !Number.isFinite(v) ? String(v) : v));

test("avro14: an Avro topic, framed and bare, reads in the notebook's sample and in the runner as the same events as JSON; what the runner writes is DuckDB's answer over that JSON, and values that do not decode are dead letters saying where", { timeout: 180_000 }, async () => {
  const type = avroType(SCHEMA);
  const encoded = EVENTS.map((e) => type.toBuffer(e.avro));
  const values = [
    framed(7, encoded[0]!),
    encoded[1]!,
    encoded[2]!,
    framed(42, encoded[3]!),
    // Cut inside the double `price` (after id, name and note).
    framed(7, encoded[0]!.subarray(0, 24)),
    Buffer.concat([encoded[1]!, Buffer.from([0x02, 0x04])]),
  ];
  expect(encoded[2]![0]).toBe(0);

  const topic = uniqueName("avro14");
  const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
    await producer.disconnect();

    const dir = await mkdtemp(join(tmpdir(), "runnel-avro14-"));
    await mkdir(join(dir, "schemas"));
    await writeFile(join(dir, "schemas", "orders.avsc"), JSON.stringify(SCHEMA, null, 2));
    const file = join(dir, "orders.md");
    await writeFile(file, notebookText(topic));
    const parsed = parseNotebook(notebookText(topic), file);
    expect(parsed.issues).toEqual([]);
    const loaded = await loadAvroSchemas(parsed.notebook, file);
    expect(loaded.issues).toEqual([]);
    const notebook = { ...parsed.notebook, sources: loaded.sources };
    const spec = loaded.sources.orders!;
    if (spec.kind !== "kafka") throw new Error("expected a Kafka source");

    // The same events as JSON, as the JSON path reads them.
    const asJson = EVENTS.map((e) => decodePayload(e.json, "json", 0)[0]!).map((e) => (e.ok ? e.value : e.error));

    // The notebook's sample.
    const source = openKafkaSource(spec, "runnel-avro14");
    let sample;
    try {
      sample = await source.sample(100);
    } finally {
      await source.close();
    }
    expect(sample.filter((e) => e.ok).map((e) => e.ok && e.value)).toEqual(asJson);
    const truncated = "decode: Avro value of 29 bytes is not a shop.Order: the value is truncated: it ends inside field price, which starts at byte 28 of 29 (after the Schema Registry header, schema id 7; read as bare Avro without a header it does not decode either)";
    const trailing = `decode: Avro value of ${encoded[1]!.length + 2} bytes is not a shop.Order: 2 bytes follow the value, which ends at byte ${encoded[1]!.length} of ${encoded[1]!.length + 2} (written with another schema, or two values in one message?)`;
    expect(sample.filter((e) => !e.ok).map((e) => !e.ok && e.error)).toEqual([truncated, trailing]);
    expect(sample.filter((e) => !e.ok).map((e) => !e.ok && e.raw)).toEqual([values[4]!.toString("latin1"), values[5]!.toString("latin1")]);

    // `runnel check` on that sample: the plan agrees with DuckDB.
    const samples = { orders: sample.flatMap((e) => (e.ok ? [e.value] : [])) };
    const report = await checkNotebook(notebook, { samples, library: defaultLibrary, random: { batches: 2, size: 5, seed: 4 } });
    expect(report.steps.filter((s) => !s.agree).map((s) => `${s.step}: ${s.detail}`)).toEqual([]);

    // The runner's engine, in its worker thread, over the messages as a consumer reads them.
    const messages: KafkaMessage[] = [];
    const consumer = client.consumer({ groupId: topic, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length === values.length) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();
    const out = await mkdtemp(join(tmpdir(), "runnel-avro14-out-"));
    const sinkSpec = parseSinkOverride(`fs:${out}`, notebook.sinks.lake!);
    const engines = workerEngines({ plan: report.plan, topic, source: { name: "orders", format: spec.format, avro: spec.avro! } }, { lake: { spec: sinkSpec, opened: openSink(sinkSpec) } }, 1);
    try {
      const lengths = Int32Array.from(messages.map((m) => m.value!.length));
      const segment: Segment = {
        values: new Uint8Array(Buffer.concat(messages.map((m) => m.value!))),
        lengths,
        offsets: BigInt64Array.from(messages.map((m) => BigInt(m.offset))),
        timestamps: Float64Array.from(messages.map((m) => Number(m.timestamp))),
      };
      await engines.call(0, { op: "open", id: 1, partition: 0, writerName: `${topic}.0`, snapshot: null });
      await engines.call(0, { op: "run", id: 1, segment, autoSeal: false });
      await engines.call(0, { op: "seal", id: 1, final: true, ifDue: false });
      await engines.call(0, { op: "write", id: 1 });
    } finally {
      await engines.close();
    }

    const db = await openDuckDB({ threads: 1 });
    try {
      const jsonFile = join(dir, "orders.ndjson");
      await writeFile(jsonFile, EVENTS.map((e) => e.json).join("\n") + "\n");
      await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${jsonFile}')`);
      const expected = (await db.read(`SELECT * FROM (${SELECT}) ORDER BY id`)).getRows();
      const written = (await db.read(`SELECT * FROM read_parquet('${out}/lake/*.parquet') ORDER BY id`)).getRows();
      expect(expected).toHaveLength(4);
      expect(shown(written)).toBe(shown(expected));
      // The JSON's types are what the notebook shows: the timestamps and date typed by DuckDB's reader.
      const types = (await db.read(`SELECT column_name, column_type FROM (DESCRIBE orders) WHERE column_name IN ('id', 'price', 'ts', 'tsu', 'day')`)).getRows();
      expect(types).toEqual([["id", "BIGINT"], ["price", "DOUBLE"], ["ts", "TIMESTAMP"], ["tsu", "TIMESTAMP"], ["day", "DATE"]]);
    } finally {
      db.close();
    }
    const letters = await lettersUnder(out);
    expect(letters.map((l) => l.reason)).toEqual([truncated, trailing]);
    expect(letters.map((l) => l.raw)).toEqual([values[4]!.toString("latin1"), values[5]!.toString("latin1")]);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

test("avro14: avsc itself reads back what the test writes (the fixture is Avro, not a guess)", () => {
  const type = avro.Type.forSchema(SCHEMA as avro.Schema, { wrapUnions: true });
  expect(() => type.fromBuffer(avroType(SCHEMA).toBuffer({ ...EVENTS[1]!.avro, id: 5, tsu: 0 }))).not.toThrow();
});

/**
 * `kafka: { metadata: ... }`: a record's key, timestamp, partition, offset,
 * topic and headers as columns `_key` ... `_headers` of its events, with the
 * same values and types in the notebook's sample (DuckDB's inference),
 * `runnel check` (the published plan) and the runner's Parquet files.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { loadEvents } from "../../edge/duckdb/load-events.node.ts";
import { stringifyJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import type { Plan } from "../../edge/plan/types.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel, startBundledRunner, uniqueName } from "./harness.ts";

const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
const topic = uniqueName("metadata");
const ALL = ["key", "timestamp", "partition", "offset", "topic", "headers"] as const;

/** What each column holds, as DuckDB prints it, for the records produced below (ordered by id). */
const expected = [
  { id: 1, _key: "order-1", _timestamp: "2023-11-14 22:13:20.123", _partition: 0, _offset: 0, _topic: topic, _headers: [{ key: "trace", value: "t1" }, { key: "tag", value: "a" }, { key: "tag", value: "b" }] },
  { id: 2, _key: null, _timestamp: "2023-11-14 22:13:21", _partition: 0, _offset: 1, _topic: topic, _headers: [] },
  { id: 3, _key: "注文-3", _timestamp: "2023-11-14 22:13:22.5", _partition: 1, _offset: 0, _topic: topic, _headers: [{ key: "trace", value: "t3" }] },
  { id: 4, _key: "注文-3", _timestamp: "2023-11-14 22:13:22.5", _partition: 1, _offset: 0, _topic: topic, _headers: [{ key: "trace", value: "t3" }] },
];

const TYPES = {
  id: "BIGINT",
  _key: "VARCHAR",
  _timestamp: "TIMESTAMP",
  _partition: "BIGINT",
  _offset: "BIGINT",
  _topic: "VARCHAR",
  _headers: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]',
};

const CONFLICT = "kafka: the event already has a field _key, and metadata: key adds the column _key; rename the field in the producer, or leave key out of metadata:";
const NOT_UTF8 = "kafka: the record's key is not UTF-8 text (bytes fffe); leave it out of metadata: to read this topic";

/** The events of the notebook's sample of the topic (what the browser's DuckDB reads). */
async function sampleOf(spec: KafkaSpec): Promise<{ values: unknown[]; scalars: unknown[]; errors: string[] }> {
  const source = openKafkaSource(spec);
  try {
    const sample = await source.sample(100);
    const values = sample.flatMap((e) => (e.ok ? [e.value] : []));
    return { values: values.filter((v) => typeof v === "object"), scalars: values.filter((v) => typeof v !== "object"), errors: sample.flatMap((e) => (e.ok ? [] : [e.error])) };
  } finally {
    await source.close();
  }
}
type KafkaSpec = Extract<SourceSpec, { kind: "kafka" }>;
const spec: KafkaSpec = { kind: "kafka", name: "ev", topic, brokers: [...kafkaConfig.brokers], metadata: [...ALL], format: "json", sampleSize: 100, demo: null };

beforeAll(async () => {
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = client.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      { partition: 0, key: "order-1", value: JSON.stringify({ id: 1 }), timestamp: "1700000000123", headers: { trace: "t1", tag: ["a", "b"] } },
      { partition: 0, key: null, value: JSON.stringify({ id: 2 }), timestamp: "1700000001000" },
      // One message of two events: both get its record's columns.
      { partition: 1, key: "注文-3", value: JSON.stringify([{ id: 3 }, { id: 4 }]), timestamp: "1700000002500", headers: { trace: "t3" } },
      { partition: 1, key: "k5", value: JSON.stringify({ id: 5, _key: "mine" }), timestamp: "1700000003000" },
      { partition: 1, key: Buffer.from([0xff, 0xfe]), value: JSON.stringify({ id: 6 }), timestamp: "1700000004000" },
      // Not an object: nothing to add columns to; the pipeline refuses it as it does without metadata.
      { partition: 1, key: "k7", value: "42", timestamp: "1700000005000" },
    ],
  });
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  const admin = client.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

/** DuckDB's rows of a query, with TIMESTAMP and nested values as its text forms. */
async function query(sql: string, load?: (db: Awaited<ReturnType<typeof openDuckDB>>) => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await load?.(db);
    return (await db.read(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

const SELECT = "SELECT id::INTEGER AS id, _key, _timestamp::VARCHAR AS _timestamp, _partition::INTEGER AS _partition, _offset::INTEGER AS _offset, _topic, _headers";
const asRows = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, _timestamp: String(r._timestamp).replace(/\.?0+$/, "") }));
const expectedRows = expected.map((r) => ({ ...r, _timestamp: r._timestamp.replace(/\.?0+$/, "") }));

describe("a Kafka source with metadata: true", () => {
  test("the notebook's sample has every column with the record's values, typed by DuckDB as documented; bad records are errors saying why", async () => {
    const { values, scalars, errors } = await sampleOf(spec);
    expect(errors.sort()).toEqual([CONFLICT, NOT_UTF8]);
    expect(scalars).toEqual([42]);
    const types = await query("SELECT column_name, column_type FROM (DESCRIBE ev)", (db) => loadEvents(db, "ev", values, { format: "json" }));
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual(TYPES);
    const rows = await query(`${SELECT} FROM ev ORDER BY id`, (db) => loadEvents(db, "ev", values, { format: "json" }));
    expect(asRows(rows)).toEqual(expectedRows);
  });

  test("publish checks them on that sample, and the runner writes Parquet that DuckDB reads back with exactly those values and types", { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "runnel-metadata-"));
    const notebook = [
      "---",
      "title: Kafka metadata",
      "sources:",
      "  ev:",
      `    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"], metadata: true }`,
      "sinks:",
      "  out:",
      "    fs: { dir: out, prefix: ev/ }",
      "---",
      "",
      "```sql id=keyed sink=out",
      "SELECT id, _key, _timestamp, _partition, _offset, _topic, _headers FROM ev",
      "```",
      "",
    ].join("\n");
    await writeFile(join(dir, "metadata.md"), notebook);
    // The sample the notebook showed, saved as a file: what publish checks the plan against.
    const { values } = await sampleOf(spec);
    await writeFile(join(dir, "sample.ndjson"), values.map((v) => `${stringifyJsonLossless(v)}\n`).join(""));
    const published = spawnSync(process.execPath, [runnel, "publish", join(dir, "metadata.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
    expect(published.status, `${published.stdout}\n${published.stderr}`).toBe(0);
    const bundle = join(dir, "dist", "metadata");
    const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
    const schema = plan.sources.ev!.schema.map((c) => [c.name, c.type]);
    expect(Object.fromEntries(schema)).toEqual(TYPES);
    // Publish ran the check: the executor and DuckDB agreed on the sample's metadata columns.
    const manifest = JSON.parse(await readFile(join(bundle, "bundle.json"), "utf8")) as { check: { agree: boolean; forced: boolean }; sources: Record<string, SourceSpec> };
    expect(manifest.check).toMatchObject({ agree: true, forced: false });
    expect(manifest.sources.ev).toMatchObject({ metadata: [...ALL] });
    // A backfill from files has no records to take the columns from, and says so.
    const backfill = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `ev=${join(dir, "sample.ndjson")}`, "--sink", `out=fs:${join(dir, "files-out")}`], { encoding: "utf8" });
    expect(backfill.status, `${backfill.stdout}\n${backfill.stderr}`).toBe(0);
    expect(backfill.stdout).toContain("note: source ev adds _key, _timestamp, _partition, _offset, _topic, _headers from the Kafka record; read from files they are NULL unless the events hold fields of those names");

    // In a worker thread (keys and headers cross to it with the segment) and on the consumer's own thread.
    for (const threads of ["1", "0"]) {
      const out = await mkdtemp(join(tmpdir(), "runnel-metadata-out-"));
      const run = startBundledRunner(bundle, ["--until-caught-up", "--group", `${topic}-${threads}`, "--sink", `out=fs:${out}`], { RUNNEL_RUNNER_THREADS: threads });
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/runner stopped: 7 events → 4 rows .* 3 dead letters/);

      const parquet = `read_parquet('${out}/**/*.parquet')`;
      const types = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${parquet})`);
      expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual(TYPES);
      expect(asRows(await query(`${SELECT} FROM ${parquet} ORDER BY id`))).toEqual(expectedRows);
      const letters = await query(`SELECT reason, raw FROM read_json('${out}/_errors/**/*.ndjson', format = 'newline_delimited') ORDER BY raw`);
      expect(letters).toEqual([
        { reason: "out: event is a number, not a JSON object: 42", raw: "42" },
        { reason: CONFLICT, raw: '{"id":5,"_key":"mine"}' },
        { reason: NOT_UTF8, raw: '{"id":6}' },
      ]);
    }
  });

  test("on a LogAppendTime topic _timestamp is the broker's append time, not the producer's", async () => {
    const appended = uniqueName("metadata-append");
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: appended, numPartitions: 1, configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }] }], waitForLeaders: true });
      const before = Date.now();
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic: appended, messages: [{ key: "k", value: JSON.stringify({ id: 1 }), timestamp: "1000000000000" }] });
      await producer.disconnect();
      const { values } = await sampleOf({ ...spec, topic: appended, metadata: ["timestamp"] });
      expect(values).toHaveLength(1);
      const stamped = Date.parse(`${(values[0] as { _timestamp: string })._timestamp.replace(" ", "T")}Z`);
      // The producer said 2001-09-09; the broker stamped it when it appended it.
      expect(stamped).toBeGreaterThanOrEqual(before - 60_000);
      expect(values[0]).toEqual({ id: 1, _timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/) });
    } finally {
      await admin.deleteTopics({ topics: [appended] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

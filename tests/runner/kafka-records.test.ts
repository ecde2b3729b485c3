/**
 * Kafka records as real producers write them, read by the published runner:
 * transactions (markers and aborted messages that kafkajs filters out),
 * partitions that hold nothing to read, and JSON values as producers frame
 * them: Confluent's Schema Registry framing around JSON (its JSON Schema
 * serializer writes a zero byte and a 4-byte schema id before the JSON; the
 * header is written here by hand, the format is public), and an object with a
 * key twice, which DuckDB's read_json refuses; the notebook's Kafka source
 * reads those the same way.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel, startBundledRunner, uniqueName } from "./harness.ts";

const NOTEBOOK = `---
title: Kafka records
sources:
  ev:
    kafka: { topic: records, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
---

\`\`\`sql id=out sink=out
SELECT id, name FROM ev
\`\`\`
`;

let bundle: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-records-"));
  await writeFile(join(dir, "records.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n');
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, "records.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  bundle = join(dir, "dist", "records");
}, 240_000);

const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
const event = (id: number, name: string) => ({ value: JSON.stringify({ id, name }) });

async function rowsUnder(dir: string): Promise<{ id: number; name: string }[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    const r = await db.read(`SELECT id::INTEGER AS id, name FROM read_parquet('${dir}/**/*.parquet') ORDER BY id`);
    return r.getRowObjectsJS() as { id: number; name: string }[];
  } finally {
    db.close();
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String);
}

describe("the Kafka runner on records producers really write", () => {
  test("a message holding a JSON array of events counts each event, as the Worker counts a request's", { timeout: 60_000 }, async () => {
    const topic = uniqueName("records-array");
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: JSON.stringify([{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 3, name: "c" }]) }, event(4, "d"), { value: null }] });
    await producer.disconnect();
    const out = await mkdtemp(join(tmpdir(), "runnel-records-out-"));
    const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/runner stopped: 5 events → 4 rows .* 1 dead letter$/m);
    expect((await rowsUnder(out)).map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  test("transactions: aborted messages are not read, markers are no events, and a backfill ends with every offset committed", { timeout: 60_000 }, async () => {
    const topic = uniqueName("records-txn");
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const producer = client.producer({ transactionalId: topic, maxInFlightRequests: 1, idempotent: true });
      await producer.connect();
      // Partition 0: committed, aborted, committed (each transaction ends with a marker, the last one too).
      // Partition 1: only an aborted transaction. Partition 2: a message deleted since (retention).
      for (const [messages, commit] of [
        [[{ partition: 0, ...event(1, "c1") }, { partition: 0, ...event(2, "c2") }], true],
        [[{ partition: 0, ...event(3, "aborted") }, { partition: 1, ...event(4, "aborted") }], false],
        [[{ partition: 0, ...event(5, "c5") }], true],
      ] as const) {
        const t = await producer.transaction();
        await t.send({ topic, messages: [...messages] });
        await (commit ? t.commit() : t.abort());
      }
      await producer.disconnect();
      const plain = client.producer();
      await plain.connect();
      await plain.send({ topic, messages: [{ partition: 2, ...event(6, "deleted") }] });
      await plain.disconnect();
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 2, offset: "-1" }] });

      const out = await mkdtemp(join(tmpdir(), "runnel-records-out-"));
      const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
      const exited = await Promise.race([run.exited, new Promise<string>((r) => setTimeout(() => r("still running after 20 s"), 20_000))]);
      expect(exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/runner stopped: 3 events → 3 rows .* 0 dead letters/);
      expect(run.output()).not.toMatch(/not on the broker/);
      expect(await rowsUnder(out)).toEqual([{ id: 1, name: "c1" }, { id: 2, name: "c2" }, { id: 5, name: "c5" }]);
      expect((await filesUnder(out)).some((f) => f.includes("_errors"))).toBe(false);
      // The group's offsets pass the markers and the aborted transaction: no lag left.
      const [committed] = await admin.fetchOffsets({ groupId: topic, topics: [topic] });
      const high = await admin.fetchTopicOffsets(topic);
      const at = (p: number) => committed!.partitions.find((o) => o.partition === p)!.offset;
      expect([at(0), at(1)]).toEqual([0, 1].map((p) => high.find((o) => o.partition === p)!.high));

      // A second backfill of the same group finds nothing to do and ends.
      const again = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
      const second = await Promise.race([again.exited, new Promise<string>((r) => setTimeout(() => r("still running after 20 s"), 20_000))]);
      expect(second, again.output()).toBe(0);
      expect(again.output()).toMatch(/runner stopped: 0 events/);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  test("two producers' aborted transactions that both began before the fetch's first offset: neither is read", { timeout: 60_000 }, async () => {
    const topic = uniqueName("records-aborts");
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      const [p1, p2] = [client.producer({ transactionalId: `${topic}-1`, maxInFlightRequests: 1, idempotent: true }), client.producer({ transactionalId: `${topic}-2`, maxInFlightRequests: 1, idempotent: true })];
      await Promise.all([p1.connect(), p2.connect()]);
      const t1 = await p1.transaction();
      await t1.send({ topic, messages: [event(1, "aborted 1")] }); // offset 0
      const t2 = await p2.transaction();
      await t2.send({ topic, messages: [event(2, "aborted 2")] }); // offset 1
      await t1.abort(); // offset 2
      await t2.abort(); // offset 3
      await Promise.all([p1.disconnect(), p2.disconnect()]);
      const plain = client.producer();
      await plain.connect();
      await plain.send({ topic, messages: [event(3, "ok")] }); // offset 4
      await plain.disconnect();
      // The group resumes at offset 1, inside both aborted transactions (kafkajs took the second as committed).
      await admin.setOffsets({ groupId: topic, topic, partitions: [{ partition: 0, offset: "1" }] });
      const out = await mkdtemp(join(tmpdir(), "runnel-records-out-"));
      const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
      const exited = await Promise.race([run.exited, new Promise<string>((r) => setTimeout(() => r("still running after 20 s"), 20_000))]);
      expect(exited, run.output()).toBe(0);
      expect(await rowsUnder(out)).toEqual([{ id: 3, name: "ok" }]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  test("a dead letter of a record whose timestamp is no date (nanoseconds) is written, dated when read; the runner does not fail on it", { timeout: 60_000 }, async () => {
    const topic = uniqueName("records-ts");
    const admin = client.admin();
    await admin.connect();
    try {
      // Kafka refuses timestamps far in the future unless the topic allows them.
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: "message.timestamp.after.max.ms", value: "9223372036854775807" }] }], waitForLeaders: true });
      const producer = client.producer();
      await producer.connect();
      const ns = "1700000000000000000";
      await producer.send({ topic, messages: [{ ...event(1, "a"), timestamp: ns }, { key: "k", value: null, timestamp: ns }, { ...event(2, "b") }] });
      await producer.disconnect();
      const out = await mkdtemp(join(tmpdir(), "runnel-records-out-"));
      const before = Date.now();
      const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
      const exited = await Promise.race([run.exited, new Promise<string>((r) => setTimeout(() => r("still running after 20 s"), 20_000))]);
      expect(exited, run.output()).toBe(0);
      expect(await rowsUnder(out)).toEqual([{ id: 1, name: "a" }, { id: 2, name: "b" }]);
      const errors = (await filesUnder(out)).filter((f) => f.includes("_errors") && f.endsWith(".ndjson"));
      const letters = (await Promise.all(errors.map((f) => readFile(join(out, f), "utf8")))).join("").trim().split("\n").map((l) => JSON.parse(l) as { reason: string; at: string });
      expect(letters).toMatchObject([{ reason: 'kafka: message has no value (a tombstone) at offset 1, key "k"' }]);
      expect(Date.parse(letters[0]!.at)).toBeGreaterThanOrEqual(before - 1000);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  test("a topic that does not exist stops the runner at once with the reason", { timeout: 30_000 }, async () => {
    const topic = uniqueName("records-missing");
    const out = await mkdtemp(join(tmpdir(), "runnel-records-out-"));
    const started = Date.now();
    const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
    const exited = await Promise.race([run.exited, new Promise<string>((r) => setTimeout(() => r("still running after 15 s"), 15_000))]);
    expect(exited, run.output()).toBe(1);
    expect(run.output()).toContain(`runner: cannot read topic ${topic} on ${kafkaConfig.brokers[0]}: the topic does not exist`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

/** A value as Confluent's serializers frame it: magic byte 0, the schema id as 4 bytes big-endian, the payload. */
function framed(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

const values: Buffer[] = [
  Buffer.from('{"id": 1, "name": "plain"}'),
  framed(7, Buffer.from('{"id": 2, "name": "registry"}')),
  framed(7, Buffer.from('[{"id": 3, "name": "registry array"}, {"id": 4, "name": "registry array"}]')),
  // Avro's binary encoding of {"id": 5, "name": "avro"}: zigzag 5, then a string of length 4.
  framed(8, Buffer.from([0x0a, 0x08, 0x61, 0x76, 0x72, 0x6f])),
  Buffer.from('{"id": 6, "name": "first", "name": "second"}'),
  framed(7, Buffer.from('{"id": 7, "id": 8, "name": "registry twice"}')),
  Buffer.from('{"id": 9, "name": "last"}'),
];

const reasons = [
  "decode: the value starts with a Schema Registry header (magic byte 0, schema id 8) and is not JSON (Avro or Protobuf?); runnel reads JSON messages",
  'decode: Object {"id":6,"name":"first","name":"second"} has duplicate key "name"',
  'decode: Object {"id":7,"id":8,"name":"registry twice"} has duplicate key "id"',
];
/** The runner reads against the plan's schema, where id and name are columns: the converter refuses both, in DuckDB's words, for the sink. */
const runnerReasons = [reasons[0]!, 'out: Object {"id":6,"name":"first","name":"second"} has duplicate key "name"', 'out: Object {"id":7,"id":8,"name":"registry twice"} has duplicate key "id"'];

describe("JSON values as producers frame and write them", () => {
  test("the runner writes the JSON behind a Schema Registry header, dead-letters Avro and a key written twice in DuckDB's words; the notebook's sample reads the same", { timeout: 120_000 }, async () => {
    const topic = uniqueName("json-shapes");
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic, messages: values.map((value) => ({ value })) });
      await producer.disconnect();

      const out = await mkdtemp(join(tmpdir(), "runnel-shapes-out-"));
      const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/runner stopped: 8 events → 5 rows .* 3 dead letters/);
      const db = await openDuckDB({ threads: 1 });
      try {
        const rows = (await db.read(`SELECT id::INTEGER AS id, name FROM read_parquet('${out}/**/*.parquet') ORDER BY id`)).getRowObjectsJS();
        expect(rows).toEqual([
          { id: 1, name: "plain" },
          { id: 2, name: "registry" },
          { id: 3, name: "registry array" },
          { id: 4, name: "registry array" },
          { id: 9, name: "last" },
        ]);
      } finally {
        db.close();
      }
      const errors = (await readdir(out, { recursive: true })).map(String).filter((f) => f.includes("_errors") && f.endsWith(".ndjson"));
      const letters = (await Promise.all(errors.map((f) => readFile(join(out, f), "utf8")))).join("").trim().split("\n").map((l) => JSON.parse(l) as { reason: string; raw: string });
      expect(letters.map((l) => l.reason).sort()).toEqual([...runnerReasons].sort());
      expect(letters.find((l) => l.reason.includes('"name"'))!.raw).toBe('{"id": 6, "name": "first", "name": "second"}');

      const source = openKafkaSource({ kind: "kafka", name: "ev", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 100, demo: null });
      try {
        const sample = await source.sample(100);
        expect(sample.filter((e) => e.ok).map((e) => (e.ok ? e.value : null))).toEqual([
          { id: 1, name: "plain" },
          { id: 2, name: "registry" },
          { id: 3, name: "registry array" },
          { id: 4, name: "registry array" },
          { id: 9, name: "last" },
        ]);
        expect(sample.flatMap((e) => (e.ok ? [] : [e.error])).sort()).toEqual([...reasons].sort());
      } finally {
        await source.close();
      }
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

/**
 * A Kafka topic that changes under its runner: deleted (and created again under the same name,
 * whose offsets start over at 0), or given a partition more. The runner runs in this process
 * (`startKafkaRunner`, what `runnel run` calls) against the test broker, writing Parquet to a
 * folder that DuckDB reads back.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import { loadBundle, type Bundle } from "../../edge/publish/bundle.node.ts";
import { startKafkaRunner, type KafkaRunner, type KafkaRunnerOptions } from "../../edge/runner/kafka.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { committedTotal, runnel, sleep, uniqueName } from "./harness.ts";

const NOTEBOOK = `---
title: Topic changes
sources:
  ev:
    kafka: { topic: changes, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
    flush: { seconds: 600 }
---

\`\`\`sql id=out sink=out
SELECT id FROM ev
\`\`\`
`;

const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
let bundle: Bundle;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-topic-changes-"));
  await writeFile(join(dir, "changes.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1}\n');
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, "changes.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  bundle = await loadBundle(join(dir, "dist", "changes"));
}, 240_000);

/** Topics this file made, deleted after it. */
const made = new Set<string>();
afterAll(async () => {
  const admin = client.admin();
  await admin.connect();
  const left = (await admin.listTopics()).filter((t) => made.has(t));
  if (left.length) await admin.deleteTopics({ topics: left });
  await admin.disconnect();
});

async function createTopic(topic: string, partitions: number): Promise<void> {
  made.add(topic);
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopic(topic: string): Promise<void> {
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
    // Created again only once the broker no longer lists it.
    while ((await admin.listTopics()).includes(topic)) await sleep(100);
  } finally {
    await admin.disconnect();
  }
}

async function produce(topic: string, ids: number[], partition?: number): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: ids.map((id) => ({ value: JSON.stringify({ id }), ...(partition === undefined ? {} : { partition }) })) });
  await producer.disconnect();
}

/** Starts the bundle's runner on `topic` as group `group`, writing under `out`. */
function run(topic: string, group: string, out: string, options: Partial<KafkaRunnerOptions> = {}): Promise<KafkaRunner> {
  const spec = parseSinkOverride(`fs:${out}`, bundle.manifest.sinks.out!);
  return startKafkaRunner({
    plan: bundle.plan,
    source: Object.values(bundle.manifest.sources)[0] as KafkaRunnerOptions["source"],
    sinks: bundle.manifest.sinks,
    targets: { out: { spec, opened: openSink(spec) } },
    parquet: defaultParquetWriter,
    groupId: group,
    topic,
    brokers: [...kafkaConfig.brokers],
    threads: 0,
    ...options,
  });
}

/** Waits (without a deadline of its own: the test's timeout is one) until `done()` holds. */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await sleep(100);
}

async function idsUnder(dir: string): Promise<number[]> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith(".parquet"));
  if (files.length === 0) return [];
  const db = await openDuckDB({ threads: 1 });
  try {
    const r = await db.read(`SELECT id::INTEGER AS id FROM read_parquet('${dir}/**/*.parquet') ORDER BY id`);
    return (r.getRowObjectsJS() as { id: number }[]).map((row) => row.id);
  } finally {
    db.close();
  }
}

describe("a topic deleted under its runner", () => {
  test("the runner stops saying so, having written every event it read (the unflushed ones too) and committed none after", { timeout: 120_000 }, async () => {
    const topic = uniqueName("deleted");
    await createTopic(topic, 1);
    await produce(topic, [1, 2, 3, 4, 5]);
    const out = await mkdtemp(join(tmpdir(), "runnel-deleted-out-"));
    const runner = await run(topic, topic, out);
    const outcome = runner.done.then(() => "stopped without an error", (error: Error) => error.message);
    // flush.seconds is 600: all five are read and buffered, none written yet.
    await until(() => runner.metrics.eventsIn === 5);
    await deleteTopic(topic);
    expect(await outcome).toBe(
      `runner: topic ${topic} was deleted while the runner read it; what was read is written, no offset is committed from here on; a topic created again under the name is another topic whose offsets start over at 0: before reading it, move file://${out}/_state/${topic}/ and the files written so far aside (or name another --sink) and start a new --group, or its records are taken for the old topic's (the files are named by offset)`,
    );
    expect(await idsUnder(out)).toEqual([1, 2, 3, 4, 5]);
  });

  test("a runner started again once the topic is created anew with fewer records refuses to replay its checkpoints over them", { timeout: 120_000 }, async () => {
    const topic = uniqueName("recreated");
    await createTopic(topic, 1);
    await produce(topic, [1, 2, 3, 4, 5]);
    const out = await mkdtemp(join(tmpdir(), "runnel-recreated-out-"));
    const first = await run(topic, topic, out, { untilCaughtUp: true });
    await first.done;
    expect(await committedTotal(topic, topic)).toBe(5);
    await deleteTopic(topic);
    await createTopic(topic, 1);
    await produce(topic, [11, 12]);
    const again = await run(topic, topic, out);
    await expect(again.done).rejects.toThrow(
      `runner: partition 0 of topic ${topic} ends at offset 2, but the checkpoints under file://${out}/_state/${topic}/0/ (and the group's offsets) say offsets up to 4 were read and written: the topic was deleted and created again (or cut short) since; nothing is read;`,
    );
    // The first run's files are as they were: the new topic's records did not replace them.
    expect(await idsUnder(out)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("a partition added to the topic while its runner runs", () => {
  test("joins the runner's assignment, and under --start latest is read from its first record, not from where the group noticed it", { timeout: 120_000 }, async () => {
    const topic = uniqueName("added");
    await createTopic(topic, 1);
    await produce(topic, [1, 2]);
    const out = await mkdtemp(join(tmpdir(), "runnel-added-out-"));
    const log: string[] = [];
    const runner = await run(topic, topic, out, { start: { kind: "latest" }, metadataMaxAgeMs: 500, log: (line) => log.push(line) });
    try {
      await until(() => log.some((l) => l.startsWith(`joined group ${topic}: partitions 0`)));
      await produce(topic, [3], 0);
      await until(() => runner.metrics.eventsIn === 1);
      const admin = client.admin();
      await admin.connect();
      await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });
      await admin.disconnect();
      // Produced before the runner can know of the partition: --start latest must not skip them.
      await produce(topic, [21, 22], 1);
      await produce(topic, [4], 0);
      await until(() => log.includes(`joined group ${topic}: partitions 0, 1`));
      await produce(topic, [23], 1);
      await until(() => runner.metrics.partitionNext.get(1) === 3n && runner.metrics.partitionNext.get(0) === 4n);
    } finally {
      await runner.stop();
    }
    expect(await idsUnder(out)).toEqual([3, 4, 21, 22, 23]);
    expect(log).toContain("partition 1: added to the topic after the group began; reading it from its earliest offset 0");
  });
});

describe("the notebook's live tail of a topic", () => {
  test("shows the events of a partition added after it opened, from that partition's first record", { timeout: 120_000 }, async () => {
    const topic = uniqueName("tail-added");
    await createTopic(topic, 1);
    const source = openKafkaSource({ kind: "kafka", name: "ev", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 10, demo: null });
    const stop = new AbortController();
    const seen: unknown[] = [];
    try {
      const tail = source.tail(stop.signal)[Symbol.asyncIterator]();
      // The tail opens at the partitions' ends once connected: events of id 0 go to partition 0 until it shows one.
      const first = tail.next();
      while ((await Promise.race([first, sleep(200).then(() => null)])) === null) await produce(topic, [0], 0);
      const admin = client.admin();
      await admin.connect();
      await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });
      await admin.disconnect();
      await produce(topic, [21, 22], 1);
      while (seen.length < 2) {
        const event = ((await tail.next()).value as { value: { id: number } }).value;
        if (event.id !== 0) seen.push(event);
      }
    } finally {
      stop.abort();
      await source.close();
    }
    expect(seen).toEqual([{ id: 21 }, { id: 22 }]);
  });
});

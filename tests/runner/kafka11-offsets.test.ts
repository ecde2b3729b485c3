/**
 * Where a Kafka runner starts when the group's offsets no longer fit the topic: a topic deleted and
 * created again while no runner ran (the group's offset past the new end), records deleted by
 * retention while it was stopped (the offset before the partition's earliest), and a topic deleted
 * and created again under a running runner. The runner runs in this process (`startKafkaRunner`,
 * what `runnel run` calls) against the test broker, writing Parquet to a folder DuckDB reads back.
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
import { kafka as kafkaConfig } from "../servers/config.ts";
import { committedTotal, runnel, sleep, uniqueName } from "./harness.ts";

const NOTEBOOK = `---
title: Offsets
sources:
  ev:
    kafka: { topic: offsets, brokers: ["${kafkaConfig.brokers[0]}"] }
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
  const dir = await mkdtemp(join(tmpdir(), "runnel-kafka11-offsets-"));
  await writeFile(join(dir, "offsets.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1}\n');
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, "offsets.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  bundle = await loadBundle(join(dir, "dist", "offsets"));
}, 240_000);

const made = new Set<string>();
afterAll(async () => {
  const admin = client.admin();
  await admin.connect();
  const left = (await admin.listTopics()).filter((t) => made.has(t));
  if (left.length) await admin.deleteTopics({ topics: left });
  await admin.disconnect();
});

async function withAdmin<T>(work: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> {
  const admin = client.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function createTopic(topic: string, partitions: number): Promise<void> {
  made.add(topic);
  await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }));
}

async function deleteTopic(topic: string): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.deleteTopics({ topics: [topic] });
    while ((await admin.listTopics()).includes(topic)) await sleep(100);
  });
}

async function produce(topic: string, ids: number[]): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: ids.map((id) => ({ value: JSON.stringify({ id }), partition: 0 })) });
  await producer.disconnect();
}

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

/** Runs the group to the end of the topic (a backfill), writing under `out`. */
async function backfill(topic: string, group: string, out: string): Promise<void> {
  const runner = await run(topic, group, out, { untilCaughtUp: true });
  await runner.done;
}

describe("kafka11: a group whose committed offset no longer fits the partition", () => {
  test("a topic created again while no runner ran, read by the same group from a new --sink (its checkpoints moved aside, as the refusal says): the group's offsets went with the old topic, so the new topic is read from its first record", { timeout: 120_000 }, async () => {
    const topic = uniqueName("k11-again");
    await createTopic(topic, 1);
    await produce(topic, [1, 2, 3, 4, 5]);
    await backfill(topic, topic, await mkdtemp(join(tmpdir(), "runnel-k11-old-")));
    expect(await committedTotal(topic, topic)).toBe(5);
    await deleteTopic(topic);
    await createTopic(topic, 1);
    await produce(topic, [11, 12]);
    // The broker drops a deleted topic's committed offsets from every group: offset 5 is not kept past the new end 2.
    expect(await committedTotal(topic, topic)).toBe(0);
    const out = await mkdtemp(join(tmpdir(), "runnel-k11-new-"));
    const runner = await run(topic, topic, out);
    const outcome = runner.done.then(() => "stopped", (error: Error) => error.message);
    try {
      await Promise.race([until(() => runner.metrics.eventsIn >= 2), outcome]);
      await produce(topic, [13]);
      await Promise.race([until(() => runner.metrics.eventsIn >= 3), outcome]);
    } finally {
      await runner.stop().catch(() => undefined);
    }
    expect(await outcome).toBe("stopped");
    expect(await idsUnder(out)).toEqual([11, 12, 13]);
    expect(await committedTotal(topic, topic)).toBe(3);
  });

  test("a topic created again while no runner ran, read by the same group under --start latest: the group's offsets went with the old topic, so it starts at the new one's end and reads on", { timeout: 120_000 }, async () => {
    const topic = uniqueName("k11-again-latest");
    await createTopic(topic, 1);
    await produce(topic, [1, 2, 3, 4, 5]);
    await backfill(topic, topic, await mkdtemp(join(tmpdir(), "runnel-k11-old-")));
    await deleteTopic(topic);
    await createTopic(topic, 1);
    await produce(topic, [11, 12]);
    const out = await mkdtemp(join(tmpdir(), "runnel-k11-new-"));
    const log: string[] = [];
    const runner = await run(topic, topic, out, { start: { kind: "latest" }, log: (line) => log.push(line) });
    const outcome = runner.done.then(() => "stopped", (error: Error) => error.message);
    try {
      await Promise.race([until(() => log.some((l) => l.startsWith(`joined group ${topic}: partitions 0`))), outcome]);
      await produce(topic, [13]);
      await Promise.race([until(() => runner.metrics.eventsIn >= 1), outcome]);
    } finally {
      await runner.stop().catch(() => undefined);
    }
    expect(await Promise.race([outcome, sleep(0).then(() => "running")])).toBe("stopped");
    expect(await idsUnder(out)).toEqual([13]);
  });

  test("before the partition's earliest offset (records deleted while the runner was stopped): the runner reads on from the earliest record left, under --start latest too, and says which offsets it never read", { timeout: 120_000 }, async () => {
    for (const start of ["earliest", "latest"] as const) {
      const topic = uniqueName(`k11-retention-${start}`);
      await createTopic(topic, 1);
      await produce(topic, [1, 2, 3, 4, 5]);
      const out = await mkdtemp(join(tmpdir(), "runnel-k11-retention-"));
      await backfill(topic, topic, out);
      // Produced while the runner is stopped; retention (here deleteRecords) then removes 6, 7 and 8 before it runs again.
      await produce(topic, [6, 7, 8, 9, 10]);
      await withAdmin(async (admin) => {
        await admin.fetchTopicMetadata({ topics: [topic] });
        await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "8" }] });
      });
      const log: string[] = [];
      const runner = await run(topic, topic, out, { start: { kind: start }, log: (line) => log.push(line) });
      try {
        await until(() => log.some((l) => l.startsWith(`joined group ${topic}: partitions 0`)));
        // Under --start latest kafkajs waits at the partition's end, where the runner first hears of it.
        await produce(topic, [11]);
        await until(() => runner.metrics.eventsIn >= 3);
      } finally {
        await runner.stop();
      }
      expect({ start, ids: await idsUnder(out) }).toEqual({ start, ids: [1, 2, 3, 4, 5, 9, 10, 11] });
      expect(log).toContain(`partition 0: offsets 5-7 were deleted from the broker (retention, or records deleted) before the group read them; reading on from offset 8, the partition's earliest`);
      expect(await committedTotal(topic, topic)).toBe(11);
    }
  });
});

describe("kafka11: a topic deleted and created again at once under a running runner", () => {
  test("the runner stops saying so, whether it saw the topic missing or only offsets out of range, and does not seek back and forth", { timeout: 120_000 }, async () => {
    const topic = uniqueName("k11-swapped");
    await createTopic(topic, 1);
    await produce(topic, [1, 2, 3, 4, 5]);
    const out = await mkdtemp(join(tmpdir(), "runnel-k11-swapped-"));
    const runner = await run(topic, topic, out);
    const outcome = runner.done.then(() => "stopped without an error", (error: Error) => error.message);
    await until(() => runner.metrics.eventsIn === 5);
    // Deleted and created again with fewer records, as fast as a script does it.
    await withAdmin(async (admin) => {
      await admin.deleteTopics({ topics: [topic] });
      for (;;) {
        try {
          await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
          break;
        } catch {
          await sleep(20);
        }
      }
    });
    await produce(topic, [11, 12]);
    expect(await outcome).toMatch(new RegExp(`^runner: topic ${topic} was deleted (and created again )?while the runner read it`));
    expect(await idsUnder(out)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("kafka11: a topic created again with more records than were read, while no runner ran, the checkpoints left in place", () => {
  test("the runner refuses to replay its last flush over the new topic's records (it rewrote the old topic's files with them), saying why", { timeout: 120_000 }, async () => {
    const topic = uniqueName("k11-again-more");
    await createTopic(topic, 1);
    await produce(topic, [1, 2, 3, 4, 5]);
    const out = await mkdtemp(join(tmpdir(), "runnel-k11-again-more-"));
    await backfill(topic, topic, out);
    expect(await idsUnder(out)).toEqual([1, 2, 3, 4, 5]);
    await deleteTopic(topic);
    await createTopic(topic, 1);
    // Values of the old ones' length, so the record at offset 4 differs only by its time.
    await produce(topic, [6, 7, 8, 9, 0, 1, 2]);
    // The broker dropped the group's offset with the old topic: the runner finds no committed offset and replays its last checkpoint.
    expect(await committedTotal(topic, topic)).toBe(0);
    const runner = await run(topic, topic, out, { untilCaughtUp: true });
    const outcome = await runner.done.then(() => "stopped without an error", (error: Error) => error.message);
    expect(outcome).toMatch(
      new RegExp(`^runner: partition 0 of topic ${topic} holds another record at offset 4 than the one its checkpoint under file://${out}/_state/${topic}/0/ was written after \\(its time is .*, the checkpoint's was .*\\): the topic was deleted and created again since`),
    );
    // The old topic's rows are as they were, and nothing of the new topic was committed as read.
    expect(await idsUnder(out)).toEqual([1, 2, 3, 4, 5]);
    expect(await committedTotal(topic, topic)).toBe(0);
  });
});

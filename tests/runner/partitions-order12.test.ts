/**
 * A two-partition topic written in bulk (every record the same record timestamp), keyed so each
 * station's readings are in one partition, partition 1's readings ten minutes behind partition 0's.
 * The Kafka runner runs one executor per partition (partition-engine.ts), each with its own
 * watermark, in offset order: nothing is late. The check's stream order step must predict that
 * from the gateway's sample, not merge the partitions into one stream (where partition 0 racing
 * ahead made every partition-1 reading late, and publish was refused for rows the runner writes).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { expect, test } from "vitest";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { openKafkaSource, sampleArrival } from "../../gateway/sources/kafka-source.ts";
import { parseNotebook } from "../../notebook/format/index.ts";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { lettersUnder, publishBundle } from "./framed-topic.ts";
import { runnel, startBundledRunner, uniqueName } from "./harness.ts";

const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });

const notebookText = (topic: string) => `---
title: Partitions in order
sources:
  ev:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
    sample_size: 1000
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
    lateness: 1 minute
---

\`\`\`sql id=out sink=out
SELECT station, time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS minute, count(*) AS n, sum(v) AS v
FROM ev
GROUP BY ALL
\`\`\`
`;

/** `count` readings of `station`, one every 10 s from `start` (ms). */
const readings = (station: string, start: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ station, ts: new Date(start + i * 10_000).toISOString(), v: i }));

/**
 * A topic of `byPartition`'s partitions, each's events produced in the order given. Record timestamps:
 * one for all (a bulk write), or each event's own time (`eventTimes`: a producer that sets CreateTime).
 */
async function withPartitionedTopic<T>(byPartition: Record<number, unknown[]>, body: (topic: string) => Promise<T>, eventTimes = false): Promise<T> {
  const topic = uniqueName("order12");
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: Object.keys(byPartition).length }], waitForLeaders: true });
    const producer = client.producer();
    await producer.connect();
    // Bulk: one send, one record timestamp for all, as a backfill producer or a batch export writes them.
    const timestamp = String(Date.now());
    await producer.send({ topic, messages: Object.entries(byPartition).flatMap(([p, evs]) => evs.map((e) => ({ partition: Number(p), timestamp: eventTimes ? String(Date.parse((e as { ts: string }).ts)) : timestamp, key: (e as { station: string }).station, value: JSON.stringify(e) }))) });
    await producer.disconnect();
    return await body(topic);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The gateway's sample with where each event was read, the check over it, and the runner's rows and dead letters over the topic. */
async function checkAndRun(topic: string) {
  const dir = await mkdtemp(join(tmpdir(), "runnel-order12-"));
  const text = notebookText(topic);
  await writeFile(join(dir, "order.md"), text);
  const { notebook } = parseNotebook(text, join(dir, "order.md"));
  const source = openKafkaSource({ ...notebook.sources.ev!, name: "ev" } as never, "order12");
  const sampled = await source.sample(1000);
  await source.close();
  const events = sampled.flatMap((e) => (e.ok ? [e.value] : []));
  const arrival = sampleArrival(sampled)!;
  expect(arrival).toHaveLength(events.length);
  const report = await checkNotebook(notebook, { samples: { ev: events }, arrival: { ev: arrival }, library: defaultLibrary, random: { batches: 1, size: 10, seed: 1 } });
  const step = report.steps.find((s) => s.step === "stream order")!;
  const bundle = publishBundle(dir, "order", ["--force"]);
  const out = await mkdtemp(join(tmpdir(), "runnel-order12-out-"));
  const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `out=fs:${out}`]);
  expect(await run.exited, run.output()).toBe(0);
  const letters = await lettersUnder(out);
  const files = (await readdir(out, { recursive: true })).map(String).filter((f) => f.endsWith(".parquet"));
  const db = await openDuckDB({ threads: 1 });
  try {
    const written = files.length === 0 ? [] : (await db.read(`SELECT station, minute::VARCHAR AS minute, n, v::BIGINT AS v FROM read_parquet('${out}/**/*.parquet') ORDER BY ALL`)).getRowObjectsJS().map((r) => ({ ...r, n: Number(r.n), v: Number(r.v) }));
    return { events, step, letters, written };
  } finally {
    db.close();
  }
}

/** A row of the check's answer as the written rows read: minute as text, integers as numbers. */
const asWritten = (rows: Record<string, unknown>[]) =>
  rows
    .map((r) => ({ station: r.station, minute: new Date(Number(BigInt(r.minute as bigint) / 1000n)).toISOString().replace("T", " ").replace(".000Z", ""), n: Number(r.n), v: Number(r.v) }))
    .sort((a, b) => String(a.station).localeCompare(String(b.station)) || a.minute.localeCompare(b.minute) || a.n - b.n);

test("a producer that sets record timestamps, one reading written 5 minutes late in its partition: the check predicts the runner's late dead letter and rows, not the sample's timestamp order", { timeout: 180_000 }, async () => {
  const base = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
  const p0 = readings("A", base, 30);
  const p1 = readings("B", base, 30);
  // Partition 1's last record (by offset) is a reading from 5 minutes in, so it sorts into the sample's middle by its timestamp.
  const straggler = { station: "B", ts: new Date(base + 60_000).toISOString(), v: 100 };
  await withPartitionedTopic({ 0: p0, 1: [...p1, straggler] }, async (topic) => {
    const { step, letters, written } = await checkAndRun(topic);
    // The runner: partition 1's watermark has passed the straggler's minute, so it is a late dead letter.
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toMatch(/is closed: the watermark/);
    expect(JSON.parse(letters[0]!.raw)).toEqual(straggler);
    // The check predicts exactly that: one late event, and the rows the runner writes.
    expect(step.agree).toBe(false);
    expect(step.detail).toMatch(/^ {2}1 of 61 sample events arrive after the watermark \(newest event time of their partition, read in offset order, minus lateness 1 minute\)/);
    expect(step.detail).toContain(`first late event (partition 1): {"station":"B","ts":"${straggler.ts}","v":100}`);
    expect(step.plan.ok).toBe(true);
    expect(asWritten(step.plan.ok ? (step.plan.rows as Record<string, unknown>[]) : [])).toEqual(written);
  }, true);
});

test("a bulk-written two-partition topic, one partition behind the other: the check predicts what the runner writes (no late events), from the gateway's sample", { timeout: 180_000 }, async () => {
  const base = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
  const p0 = readings("A", base + 10 * 60_000, 60);
  const p1 = readings("B", base, 60);
  await withPartitionedTopic({ 0: p0, 1: p1 }, async (topic) => {
    const { events, step, letters, written } = await checkAndRun(topic);
    expect(events).toHaveLength(120);
    // What the runner did: every reading in its minute, no dead letter (each partition has its own watermark).
    expect(letters.map((l) => l.reason)).toEqual([]);
    expect(written).toHaveLength(20);
    // What the check predicted: the same, so publish is not refused. It used to merge the partitions
    // (the sample's order: record timestamp, then partition) and call partition 1's 60 readings late.
    expect(step.detail).toBeNull();
    expect(step.agree).toBe(true);
    expect(asWritten(step.plan.ok ? (step.plan.rows as Record<string, unknown>[]) : [])).toEqual(written);
  });
});

test("a station's readings spread over both partitions (no key): the runner writes a row per partition for a minute, and the check predicts those rows and says to key the topic", { timeout: 180_000 }, async () => {
  const base = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
  const all = readings("A", base, 24);
  await withPartitionedTopic({ 0: all.filter((_, i) => i % 2 === 0), 1: all.filter((_, i) => i % 2 === 1) }, async (topic) => {
    const { step, letters, written } = await checkAndRun(topic);
    // The runner: each partition's executor counts its own half of each minute.
    expect(letters).toEqual([]);
    expect(written).toHaveLength(8);
    expect(written.every((r) => r.n === 3)).toBe(true);
    // DuckDB over the sample: one row per minute; the check predicts the runner's halves and refuses, naming the cause.
    expect(step.duckdb.ok && step.duckdb.rows.length).toBe(4);
    expect(step.agree).toBe(false);
    expect(asWritten(step.plan.ok ? (step.plan.rows as Record<string, unknown>[]) : [])).toEqual(written);
    expect(step.detail).toContain("the Kafka runner aggregates each partition on its own");
    expect(step.detail).toContain("produce the topic with a Kafka key that the GROUP BY keys determine");
  });
});

test("runnel publish of the bulk-written two-partition topic, one partition behind: its sample is checked per partition and publish goes ahead (needs the callers' arrival plumbing)", { timeout: 180_000 }, async () => {
  const base = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
  await withPartitionedTopic({ 0: readings("A", base + 10 * 60_000, 60), 1: readings("B", base, 60) }, async (topic) => {
    const dir = await mkdtemp(join(tmpdir(), "runnel-order12-publish-"));
    await writeFile(join(dir, "order.md"), notebookText(topic));
    const r = spawnSync(process.execPath, [runnel, "publish", join(dir, "order.md"), "--out", join(dir, "dist")], { encoding: "utf8" });
    expect(r.stdout).toContain("stream order: 120 events one at a time in offset order per partition (2 partitions, each with its own watermark, as the Kafka runner runs them), no event arrives after its window closed");
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

test("the sample of a bulk-written two-partition topic (one record timestamp) holds both partitions' newest records, not only the last partition's", { timeout: 60_000 }, async () => {
  const base = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
  await withPartitionedTopic({ 0: readings("A", base, 60), 1: readings("B", base, 60) }, async (topic) => {
    const { notebook } = parseNotebook(notebookText(topic), "order.md");
    const source = openKafkaSource({ ...notebook.sources.ev!, name: "ev" } as never, "order12");
    try {
      const sample = (await source.sample(40)).map((e) => (e.ok ? (e.value as { station: string; v: number }) : null));
      // 20 of each, each partition's newest 20 (v 40..59) in offset order.
      expect(sample.filter((e) => e?.station === "A").map((e) => e!.v)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
      expect(sample.filter((e) => e?.station === "B").map((e) => e!.v)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    } finally {
      await source.close();
    }
  });
});


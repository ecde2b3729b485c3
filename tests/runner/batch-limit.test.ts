/**
 * The runner's bound on one record batch decompressed (64 MiB unless raised): a batch past it
 * stops the runner naming the setting that reads it, and a runner given a higher bound reads
 * the same topic to the last row. The runner runs in this process (`startKafkaRunner`, the
 * function `runnel run` calls with `--max-batch-mib`), against the test broker, writing Parquet
 * to a folder that DuckDB reads back.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import { loadBundle, type Bundle } from "../../edge/publish/bundle.node.ts";
import { startKafkaRunner } from "../../edge/runner/kafka.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import type { SinkTarget } from "../../edge/runner/sink-writer.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { committedTotal, runnel, uniqueName } from "./harness.ts";

const NOTEBOOK = `---
title: Large batches
sources:
  ev:
    kafka: { topic: large, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
---

\`\`\`sql id=out sink=out
SELECT id, length(note) AS note_length FROM ev
\`\`\`
`;

const MiB = 1024 * 1024;
const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
let bundle: Bundle;
let bundleDir: string;
let topic: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-batch-limit-"));
  await writeFile(join(dir, "large.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "note": "a"}\n');
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, "large.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  bundleDir = join(dir, "dist", "large");
  bundle = await loadBundle(bundleDir);

  // One small event, then one gzip batch of a single 80 MiB event (~80 KB on the broker), then one more small event.
  topic = uniqueName("batch-limit");
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: JSON.stringify({ id: 1, note: "small" }) }] });
  await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ value: JSON.stringify({ id: 2, note: "0".repeat(80 * MiB) }) }] });
  await producer.send({ topic, messages: [{ value: JSON.stringify({ id: 3, note: "after" }) }] });
  await producer.disconnect();
}, 240_000);

afterAll(async () => {
  const admin = client.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

/** Runs the bundle over the topic until caught up (or stopped), with Parquet under a fresh folder. */
async function runOnce(group: string, maxBatchBytes?: number): Promise<{ out: string; done: Promise<void>; log: string[] }> {
  const out = await mkdtemp(join(tmpdir(), "runnel-batch-limit-out-"));
  const spec = parseSinkOverride(`fs:${out}`, bundle.manifest.sinks.out!);
  const targets: Record<string, SinkTarget> = { out: { spec, opened: openSink(spec) } };
  const log: string[] = [];
  const runner = await startKafkaRunner({
    plan: bundle.plan,
    source: Object.values(bundle.manifest.sources)[0] as Parameters<typeof startKafkaRunner>[0]["source"],
    sinks: bundle.manifest.sinks,
    targets,
    parquet: defaultParquetWriter,
    groupId: group,
    topic,
    brokers: [...kafkaConfig.brokers],
    untilCaughtUp: true,
    threads: 0,
    ...(maxBatchBytes === undefined ? {} : { maxBatchBytes }),
    log: (line) => log.push(line),
  });
  return { out, done: runner.done, log };
}

async function rowsUnder(dir: string): Promise<{ id: number; note_length: number }[]> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith(".parquet"));
  if (files.length === 0) return [];
  const db = await openDuckDB({ threads: 1 });
  try {
    const r = await db.read(`SELECT id::INTEGER AS id, note_length::INTEGER AS note_length FROM read_parquet('${dir}/**/*.parquet') ORDER BY id`);
    return r.getRowObjectsJS() as { id: number; note_length: number }[];
  } finally {
    db.close();
  }
}

describe("a record batch past the runner's batch limit", () => {
  test("stops the runner by default, naming --max-batch-mib; nothing from the batch on is committed", { timeout: 120_000 }, async () => {
    const group = uniqueName("batch-limit-default");
    const run = await runOnce(group);
    await expect(run.done).rejects.toThrow(
      `runner: a record batch of topic ${topic} cannot be read: gzip: the batch decompresses to more than 64 MiB (the most runnel reads in one batch); it is refused rather than read into memory; nothing from it on is written or committed; to read it, run again with --max-batch-mib above 64 (the memory one batch may take)`,
    );
    // The event before the batch may be written and committed; the batch and the event after it are not.
    expect(await committedTotal(topic, group)).toBeLessThanOrEqual(1);
    expect((await rowsUnder(run.out)).map((r) => r.id).filter((id) => id > 1)).toEqual([]);
  });

  test("runnel run --max-batch-mib 128 reads every event of the topic, the large one whole", { timeout: 120_000 }, async () => {
    const group = uniqueName("batch-limit-raised");
    const out = await mkdtemp(join(tmpdir(), "runnel-batch-limit-out-"));
    const args = [runnel, "run", bundleDir, "--topic", topic, "--brokers", kafkaConfig.brokers[0]!, "--group", group, "--until-caught-up", "--sink", `out=fs:${out}`];
    const r = spawnSync(process.execPath, [...args, "--max-batch-mib", "128"], { encoding: "utf8", timeout: 100_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(await rowsUnder(out)).toEqual([
      { id: 1, note_length: 5 },
      { id: 2, note_length: 80 * MiB },
      { id: 3, note_length: 5 },
    ]);
    expect(await committedTotal(topic, group)).toBe(3);
    const bad = spawnSync(process.execPath, [...args, "--max-batch-mib", "2048"], { encoding: "utf8", timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--max-batch-mib takes a whole number of MiB from 1 to 2047, got '2048'");
  });

  test("a limit that is no whole number of bytes from 1 to 2047 MiB is refused before anything is read", async () => {
    const group = uniqueName("batch-limit-bad");
    await expect(runOnce(group, 0)).rejects.toThrow("runner: the batch limit must be a whole number of bytes from 1 to 2146435072 (2047 MiB), got 0");
    await expect(runOnce(group, 2048 * MiB)).rejects.toThrow("got 2147483648");
  });
});

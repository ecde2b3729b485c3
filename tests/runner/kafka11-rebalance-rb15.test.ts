/**
 * Runners survive their group's rebalances. Two runner processes share a consumer group while events
 * flow and the group churns under them:
 * - a third member (plain kafkajs, the same group and topic) joins and leaves again and again, so the
 *   runners' heartbeats and offset commits meet REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION (kafkajs
 *   wraps a failed commit in a KafkaJSNonRetriableError; thrown back to it, its consumer crashed
 *   with `restart: false` and the runner exited: "Specified group generation id is not valid");
 * - a runner is frozen (SIGSTOP) past its session timeout, so the group drops it and the other takes
 *   its partitions; thawed, it finds itself out of the group with rows buffered and flushes due.
 * After the churn both runners are alive and stop with exit 0 on SIGTERM, and the Parquet on the S3
 * server holds every produced event exactly once (count, distinct ids, no two objects of a partition
 * covering one offset), read back with DuckDB.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { beforeAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { committedTotal, download, fillTopic, produce, runnel, sleep, startRunner, uniqueName, type RunnerProcess } from "./harness.ts";

const NOTEBOOK = `---
title: Churn
sources:
  ev:
    kafka: { topic: churn, brokers: ["127.0.0.1:19092"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
---

\`\`\`sql id=out sink=out
SELECT id, name FROM ev
\`\`\`
`;

const PARTITIONS = 4;
let bundle = "";

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-rb15-"));
  await writeFile(join(dir, "churn.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "name": "a"}\n');
  const published = spawnSync(process.execPath, [runnel, "publish", join(dir, "churn.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  expect(published.status, `${published.stdout}\n${published.stderr}`).toBe(0);
  bundle = join(dir, "dist", "churn");
}, 120_000);

const joins = (r: RunnerProcess): string[] => [...r.output().matchAll(/joined group \S+: partitions ([\d, ]+|\(none\))/g)].map((m) => m[1]!);
const alive = (r: RunnerProcess): boolean => r.child.exitCode === null && r.child.signalCode === null;
const tail = (r: RunnerProcess): string => r.output().split("\n").filter((l) => !/ events \(/.test(l)).slice(-60).join("\n");
const key = (e: unknown) => String((e as { id: number }).id);
const events = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `n${from + i}` }));

/**
 * A member of the group that is not a runner: it joins (the group rebalances, handing it a share of
 * the partitions), reads nothing of them (each partition is paused at its first batch, nothing is
 * resolved or committed) and leaves (the group rebalances again, its share goes back).
 */
async function visit(topic: string, group: string): Promise<void> {
  const consumer = new Kafka({ clientId: "rb15-visitor", brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).consumer({ groupId: group, allowAutoTopicCreation: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async ({ pause }) => void pause() });
  try {
    await expect.poll(() => joined, { timeout: 120_000, interval: 100 }).toBe(true);
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Waits until the group has committed every offset, then stops the runners and reads the lake: every
 * event once, but those of ids `claimed` (offsets another member of the group committed as its own).
 */
async function finish(topic: string, total: number, runners: RunnerProcess[], claimed: [number, number] = [0, 0]): Promise<void> {
  try {
    await expect.poll(() => committedTotal(topic, topic), { timeout: 240_000, interval: 1000 }).toBe(total);
  } catch (error) {
    console.log(runners.map((r, i) => `--- runner ${i}:\n${tail(r)}`).join("\n"));
    throw error;
  }
  // No runner died of the churn: each is still consuming, and stops cleanly.
  for (const r of runners) expect(alive(r), r.output()).toBe(true);
  for (const r of runners) r.child.kill("SIGTERM");
  for (const r of runners) expect(await r.exited, r.output()).toBe(0);

  const { dir: got, keys } = await download(`${topic}/`);
  const ranges = new Map<number, [bigint, bigint, string][]>();
  for (const k of keys.filter((k) => k.endsWith(".parquet"))) {
    const m = /\.(\d+)-(\d{20})-(\d{20})\.parquet$/.exec(k);
    expect(m, k).not.toBeNull();
    const list = ranges.get(Number(m![1])) ?? [];
    list.push([BigInt(m![2]!), BigInt(m![3]!), k]);
    ranges.set(Number(m![1]), list);
  }
  const overlaps: string[] = [];
  for (const list of ranges.values()) {
    list.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (let i = 1; i < list.length; i++) if (list[i]![0] <= list[i - 1]![1]) overlaps.push(`${list[i - 1]![2]} and ${list[i]![2]}`);
  }
  expect(overlaps, runners.map((r) => r.output()).join("\n---\n")).toEqual([]);
  const db = await openDuckDB({ threads: 1 });
  try {
    const r = await db.read(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, min(id)::INTEGER AS lo, max(id)::INTEGER AS hi, count(*) FILTER (WHERE name <> 'n' || id)::INTEGER AS wrong, count(*) FILTER (WHERE id >= ${claimed[0]} AND id < ${claimed[1]})::INTEGER AS claimed FROM read_parquet('${got}/**/*.parquet')`);
    const written = total - (claimed[1] - claimed[0]);
    expect(r.getRowObjectsJS()[0], `objects:\n${keys.join("\n")}\n${runners.map((r, i) => `--- runner ${i}:\n${r.output()}`).join("\n")}`).toEqual({ n: written, ids: written, lo: 0, hi: total - 1, wrong: 0, claimed: 0 });
  } finally {
    db.close();
  }
}

/** Starts two runners of one group on a fresh topic and waits until both hold partitions. */
async function twoRunners(prefix: string, env: Record<string, string> = {}, flushes = ["--flush-rows", "60", "--flush-seconds", "1"]): Promise<{ topic: string; a: RunnerProcess; b: RunnerProcess }> {
  const topic = uniqueName(prefix);
  await fillTopic(topic, PARTITIONS, [], () => "");
  // By default small flushes, by rows and by the clock, so seals, writes and commits are in flight when the group rebalances.
  const args = ["--topic", topic, "--group", topic, "--sink", `out=s3://${s3Config.bucket}/${topic}/`, ...flushes];
  const a = startRunner(bundle, args, env);
  await expect.poll(() => joins(a).at(-1), { timeout: 120_000, interval: 250 }).toBe("0, 1, 2, 3");
  const b = startRunner(bundle, args, env);
  const split = (r: RunnerProcess) => joins(r).length > 0 && !["(none)", "0, 1, 2, 3"].includes(joins(r).at(-1)!) && r.output().includes(`consuming ${topic}`);
  await expect.poll(() => split(a) && split(b), { timeout: 120_000, interval: 250 }).toBe(true);
  return { topic, a, b };
}

test("rb15: a third member joining and leaving the group eight times while two runners read and flush: both stay up, every event once in the Parquet", { timeout: 600_000 }, async () => {
  const { topic, a, b } = await twoRunners("rb15-churn");
  const ROUNDS = 8;
  const PER_ROUND = 250;
  for (let round = 0; round < ROUNDS; round++) {
    await produce(topic, events(round * PER_ROUND, PER_ROUND), key);
    await visit(topic, topic);
  }
  await finish(topic, ROUNDS * PER_ROUND, [a, b]);
});

test("rb15: a runner frozen (SIGSTOP) past its session timeout with rows buffered, the other taking its partitions, then thawed with its flushes due: both stay up, every event once", { timeout: 600_000 }, async () => {
  // A short session, so the group drops the frozen runner in seconds (the broker's least is 6 s); flushes by
  // the clock only, 4 s after a row arrives, so the frozen runner holds rows that are due when it thaws.
  const { topic, a, b } = await twoRunners("rb15-frozen", { RUNNEL_KAFKA_SESSION_TIMEOUT_MS: "6000" }, ["--flush-rows", "100000", "--flush-seconds", "4"]);
  await produce(topic, events(0, 600), key);
  await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 250 }).toBe(600);
  // A reads its share of 200 more (all its partitions read to the end: lag 0) and is frozen before they are due.
  const read = (r: RunnerProcess) => {
    const line = r.output().split("\n").filter((l) => / events \(/.test(l)).at(-1) ?? "";
    return { events: Number(/(\d+) events?\b/.exec(line)?.[1] ?? 0), caughtUp: /lag (p\d+:0 ?)+·/.test(line) };
  };
  const readBefore = read(a).events;
  await produce(topic, events(600, 200), key);
  await expect.poll(() => read(a).events > readBefore && read(a).caughtUp, { timeout: 120_000, interval: 50 }).toBe(true);
  const before = joins(a).length;
  a.child.kill("SIGSTOP");
  // B is given A's partitions once the group has dropped A, and writes what A held unwritten.
  await expect.poll(() => joins(b).at(-1), { timeout: 120_000, interval: 250 }).toBe("0, 1, 2, 3");
  await produce(topic, events(800, 400), key);
  await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 500 }).toBe(1200);
  a.child.kill("SIGCONT");
  // A finds itself out of the group, rejoins and takes a share again; what it held is not written by it.
  await expect.poll(() => alive(a) && joins(a).length > before && joins(a).at(-1) !== "(none)", { timeout: 120_000, interval: 250 }).toBe(true);
  await produce(topic, events(1200, 600), key);
  await finish(topic, 1800, [a, b]);
});

test("rb15: a runner frozen past its session while the group's offsets move on without it (set by an admin while the group is empty), then thawed: it reads on from the group's offsets, not from where it was", { timeout: 600_000 }, async () => {
  const topic = uniqueName("rb15-moved");
  await fillTopic(topic, PARTITIONS, [], () => "");
  const a = startRunner(bundle, ["--topic", topic, "--group", topic, "--sink", `out=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "60", "--flush-seconds", "1"], { RUNNEL_KAFKA_SESSION_TIMEOUT_MS: "6000" });
  await expect.poll(() => joins(a).at(-1), { timeout: 120_000, interval: 250 }).toBe("0, 1, 2, 3");
  await produce(topic, events(0, 400), key);
  // Everything read is written and committed: the runner holds its partitions' state, nothing buffered.
  await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 250 }).toBe(400);
  const before = joins(a).length;
  a.child.kill("SIGSTOP");
  await produce(topic, events(400, 300), key);
  // The group drops the frozen runner and is empty; the offsets are moved to the end, as another
  // member that wrote ids 400-699 would have committed them (or an operator skipping them).
  const admin = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await expect.poll(async () => (await admin.describeGroups([topic])).groups[0]!.state, { timeout: 120_000, interval: 250 }).toBe("Empty");
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId: topic, topic, partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })) });
  } finally {
    await admin.disconnect();
  }
  a.child.kill("SIGCONT");
  // It finds itself out of the group and rejoins, given all four partitions again.
  await expect.poll(() => alive(a) && joins(a).length > before && joins(a).at(-1) === "0, 1, 2, 3", { timeout: 120_000, interval: 250 }).toBe(true);
  await produce(topic, events(700, 300), key);
  await finish(topic, 1000, [a], [400, 700]);
});

test("rb15: one of two runners killed with SIGKILL mid-stream (flushes in flight), the other taking its partitions, then started again and given a share back: every event once", { timeout: 600_000 }, async () => {
  const env = { RUNNEL_KAFKA_SESSION_TIMEOUT_MS: "6000" };
  const { topic, a, b } = await twoRunners("rb15-killed", env);
  await produce(topic, events(0, 600), key);
  await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 250 }).toBeGreaterThan(0);
  // Killed while it reads and flushes its share of these.
  await produce(topic, events(600, 600), key);
  b.child.kill("SIGKILL");
  await b.exited;
  await expect.poll(() => joins(a).at(-1), { timeout: 120_000, interval: 250 }).toBe("0, 1, 2, 3");
  await produce(topic, events(1200, 400), key);
  const args = ["--topic", topic, "--group", topic, "--sink", `out=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "60", "--flush-seconds", "1"];
  const again = startRunner(bundle, args, env);
  await expect.poll(() => joins(again).length > 0 && joins(again).at(-1) !== "(none)" && joins(a).at(-1) !== "0, 1, 2, 3", { timeout: 120_000, interval: 250 }).toBe(true);
  await produce(topic, events(1600, 400), key);
  await finish(topic, 2000, [a, again]);
});

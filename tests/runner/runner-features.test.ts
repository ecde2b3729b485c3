/**
 * The Kafka runner's edges, on small topics against the real broker and S3:
 * the bundle's own runner.js under plain node, GET /metrics, and poison
 * messages. The 200k-message runs are in kafka-runner.test.ts.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { get as httpGet } from "node:http";
import { Kafka, logLevel } from "kafkajs";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { compareWithDuckDB, download, fillTopic, publish, readPlan, sleep, startBundledRunner, startRunner, uniqueName } from "./harness.ts";

let pii: { bundle: string; plan: Plan };
let turnstile: { bundle: string; plan: Plan };

beforeAll(async () => {
  const [a, b] = await Promise.all([publish("pii-staging"), publish("turnstile")]);
  pii = { bundle: a, plan: await readPlan(a) };
  turnstile = { bundle: b, plan: await readPlan(b) };
}, 240_000);

const piiEvents = (n: number, seed: number) => demoEvents({ generator: "pii", rate: 50, seed }, 0, n);
const byUser = (e: unknown) => String((e as { user_id?: unknown }).user_id ?? "");

async function committedAndHigh(group: string, topic: string): Promise<{ committed: Record<number, string>; high: Record<number, string> }> {
  const admin = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const high = await admin.fetchTopicOffsets(topic);
    return {
      committed: Object.fromEntries(offsets!.partitions.map((p) => [p.partition, p.offset])),
      high: Object.fromEntries(high.map((p) => [p.partition, p.high])),
    };
  } finally {
    await admin.disconnect();
  }
}

test("the bundled runner.js reports a failure in one line, as runnel run does, not a stack trace", { timeout: 60_000 }, async () => {
  const run = startBundledRunner(turnstile.bundle, ["--until-caught-up", "--topic", uniqueName("no-such-topic"), "--sink", `lake=s3://${s3Config.bucket}/${uniqueName("never")}/`]);
  expect(await run.exited).toBe(1);
  expect(run.output()).toMatch(/^runner\.js: runner: cannot read topic no-such-topic-\w+ on .*: the topic does not exist/m);
  expect(run.output()).not.toMatch(/^\s+at /m);
});

describe("the Kafka runner's bundle, metrics and dead letters", () => {
  test("runnel publish writes runner.js, and plain node runs it to exactly DuckDB's turnstile rows", async () => {
    const files = await readdir(turnstile.bundle);
    expect(files).toContain("runner.js");
    const topic = uniqueName("bundled");
    const events = demoEvents({ generator: "turnstile", rate: 50, seed: 21 }, 0, 20_000);
    await fillTopic(topic, 4, events, (e) => String((e as { station?: unknown }).station ?? ""));
    const run = startBundledRunner(turnstile.bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `lake=s3://${s3Config.bucket}/${topic}/`]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/runner stopped: 20000 events/);
    const { dir, keys } = await download(`${topic}/`);
    expect(keys.some((k) => /^lake\/.*\.parquet$/.test(k))).toBe(true);
    const c = await compareWithDuckDB("turnstile", turnstile.plan, events, dir, keys);
    expect(c.expected).toBeGreaterThan(0);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
    expect(await committedAndHigh(topic, topic)).toSatisfy(({ committed, high }) => JSON.stringify(committed) === JSON.stringify(high));
  }, 300_000);

  // A runner that found the backfill done before its first group join used to hang in kafkajs's
  // join; it now waits to be a member. One retry guards the rebalance timing on a loaded machine.
  test("two runners with --until-caught-up in one group both exit once the group has written the whole topic", { timeout: 120_000, retry: 1 }, async () => {
    const topic = uniqueName("pair-backfill");
    const events = piiEvents(20_000, 24);
    await fillTopic(topic, 4, events, byUser);
    const args = ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `staging=s3://${s3Config.bucket}/${topic}/`];
    const a = startRunner(pii.bundle, args);
    const b = startRunner(pii.bundle, args);
    expect(await a.exited, a.output()).toBe(0);
    expect(await b.exited, b.output()).toBe(0);
    const consumed = [a, b].map((r) => Number(/runner stopped: (\d+) events?\b/.exec(r.output())?.[1] ?? NaN));
    expect(consumed[0]! + consumed[1]!).toBeGreaterThanOrEqual(20_000);
    const { dir, keys } = await download(`${topic}/`);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
    const { committed, high } = await committedAndHigh(topic, topic);
    expect(committed).toEqual(high);
  });

  test("a message that is not JSON goes to _errors/ with its raw bytes and its partition moves on", async () => {
    const topic = uniqueName("poison");
    const events = piiEvents(3000, 22);
    await fillTopic(topic, 2, events.slice(0, 1500), byUser);
    const poison = [Buffer.from("{\"user_id\": 7, oops"), Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x7b])];
    const producer = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: poison.map((value) => ({ partition: 0, value })) });
    await producer.disconnect();
    await fillTopic(topic, 2, events.slice(1500), byUser);
    const run = startRunner(pii.bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `staging=s3://${s3Config.bucket}/${topic}/`]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/runner stopped: 3002 events .* 2 dead letters/);
    const { dir, keys } = await download(`${topic}/`);
    const errorKeys = keys.filter((k) => k.startsWith("_errors/source=accounts/") && k.endsWith(".ndjson"));
    expect(errorKeys.length).toBeGreaterThan(0);
    const letters = (await Promise.all(errorKeys.map(async (k) => decodeDeadLetters(await readFile(join(dir, ...k.split("/"))))))).flat();
    expect(letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^decode: not JSON/), expect.stringMatching(/^decode: payload is not valid UTF-8/)]);
    expect(letters[0]!.raw).toBe(poison[0]!.toString("utf8"));
    expect(Buffer.from(letters[1]!.raw, "latin1")).toEqual(poison[1]);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
    const { committed, high } = await committedAndHigh(topic, topic);
    expect(committed).toEqual(high);
  }, 300_000);

  // One retry: once a fresh-clone run saw "other side closed" from the metrics port (a collision, not reproduced).
  test("GET /metrics serves the Worker's names: a full buffer with its age, then a timed flush; SIGTERM exits with every offset committed", { retry: 1, timeout: 300_000 }, async () => {
    const topic = uniqueName("metrics");
    const events = piiEvents(3000, 23);
    await fillTopic(topic, 2, events, byUser);
    const port = 19000 + 100 + Math.floor(Math.random() * 400);
    // No row bound; a flush when the oldest buffered row is 8 s old, so the buffer is seen full first, then empty.
    const run = startRunner(pii.bundle, ["--topic", topic, "--group", topic, "--flush-seconds", "8", "--metrics-port", String(port), "--sink", `staging=s3://${s3Config.bucket}/${topic}/`]);
    const poll = async (done: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      let metrics: Record<string, unknown> = {};
      for (let i = 0; i < 480 && !done(metrics); i++) {
        await sleep(250);
        const answer = await fetch(`http://127.0.0.1:${port}/metrics`).catch((error: unknown) => (run.child.exitCode === null ? null : Promise.reject(error)));
        if (!answer) continue;
        expect(answer.status).toBe(200);
        metrics = (await answer.json()) as Record<string, unknown>;
      }
      return metrics;
    };
    const buffered = await poll((m) => m.events_in === 3000);
    // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) reads nothing.
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpGet({ host: "127.0.0.1", port, path: "/metrics", headers: { host: `attacker.example:${port}` } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
    });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain("events_in");
    expect(Object.keys(buffered).sort()).toEqual(
      ["broker_unreachable_seconds", "bytes_written", "buffer_depth", "dead_letters", "events_in", "files_written", "flush_failures", "lag", "last_flush_time", "oldest_buffered_age_seconds", "rows_out"].sort(),
    );
    expect(buffered).toMatchObject({ events_in: 3000, dead_letters: 0, files_written: 0, bytes_written: 0, last_flush_time: null, lag: { 0: 0, 1: 0 } });
    expect(buffered.rows_out).toBeGreaterThan(2000);
    expect(buffered.buffer_depth).toBe(buffered.rows_out);
    expect(buffered.oldest_buffered_age_seconds).toBeGreaterThan(0);
    expect(buffered.oldest_buffered_age_seconds).toBeLessThan(8);

    const flushed = await poll((m) => m.buffer_depth === 0);
    expect(flushed).toMatchObject({ events_in: 3000, buffer_depth: 0, oldest_buffered_age_seconds: 0, rows_out: buffered.rows_out, flush_failures: 0, broker_unreachable_seconds: 0 });
    expect(flushed.files_written).toBeGreaterThanOrEqual(2);
    expect(flushed.bytes_written).toBeGreaterThan(1000);
    expect(String(flushed.last_flush_time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    run.child.kill("SIGTERM");
    expect(await run.exited, run.output()).toBe(0);
    const { dir, keys } = await download(`${topic}/`);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
    const { committed, high } = await committedAndHigh(topic, topic);
    expect(committed).toEqual(high);
  });
});

/**
 * The Kafka runner against the real broker and the real S3 server: every
 * message's rows land exactly once, through crashes, a second runner and an
 * S3 outage. "Exactly" is DuckDB's answer over the same events.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { cacheDir } from "../servers/paths.ts";
import { versitygwVersion } from "../servers/s3.ts";
import { committedTotal, compareWithDuckDB, download, fillTopic, produce, publish, readPlan, type RunnerProcess, sleep, startRunner, uniqueName } from "./harness.ts";

const PARTITIONS = 4;
let pii: { bundle: string; plan: Plan };
let turnstile: { bundle: string; plan: Plan };

beforeAll(async () => {
  const [a, b] = await Promise.all([publish("pii-staging"), publish("turnstile")]);
  pii = { bundle: a, plan: await readPlan(a) };
  turnstile = { bundle: b, plan: await readPlan(b) };
}, 240_000);

const piiEvents = (n: number, seed: number) => demoEvents({ generator: "pii", rate: 50, seed }, 0, n);
const byUser = (e: unknown) => String((e as { user_id?: unknown }).user_id ?? "");
const byStation = (e: unknown) => String((e as { station?: unknown }).station ?? "");

describe("runnel run on a Kafka topic", () => {
  test("200,000 messages over 4 partitions land in S3 as exactly DuckDB's rows (pii-staging)", async () => {
    const topic = uniqueName("pii");
    const events = piiEvents(200_000, 11);
    await fillTopic(topic, PARTITIONS, events, byUser);
    const run = startRunner(pii.bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${topic}/`]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/runner stopped: 200000 events/);
    const { dir, keys } = await download(`${topic}/`);
    expect(keys.some((k) => /^staging\/day=[^/]+\/pii-[\w-]+\.[0-3]-\d{20}-\d{20}\.parquet$/.test(k))).toBe(true);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c.expected).toBeGreaterThan(150_000);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
  }, 600_000);

  test("200,000 turnstile messages keyed by station: windows written once, late events counted as dead letters", async () => {
    const topic = uniqueName("turnstile");
    const events = demoEvents({ generator: "turnstile", rate: 50, seed: 5 }, 0, 200_000);
    await fillTopic(topic, PARTITIONS, events, byStation);
    const run = startRunner(turnstile.bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `lake=s3://${s3Config.bucket}/${topic}/`]);
    expect(await run.exited, run.output()).toBe(0);
    const { dir, keys } = await download(`${topic}/`);
    const c = await compareWithDuckDB("turnstile", turnstile.plan, events, dir, keys);
    expect(c.expected).toBeGreaterThan(0);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
  }, 600_000);

  test("a runner killed with SIGKILL five times and restarted writes no missing and no duplicate row", async () => {
    const topic = uniqueName("crash");
    const events = piiEvents(200_000, 12);
    await fillTopic(topic, PARTITIONS, events, byUser);
    // Small flushes, so kills land between writes, checkpoints and commits.
    const sink = ["--sink", `staging=s3://${s3Config.bucket}/${topic}/`];
    let kills = 0;
    for (let i = 0; i < 5; i++) {
      const run = startRunner(pii.bundle, ["--topic", topic, "--group", topic, ...sink, "--flush-rows", "7000"]);
      await sleep(2500 + Math.floor(Math.random() * 3000));
      if (run.child.exitCode === null) {
        run.child.kill("SIGKILL");
        kills++;
      }
      await run.exited;
    }
    expect(kills).toBe(5);
    const last = startRunner(pii.bundle, ["--topic", topic, "--group", topic, "--until-caught-up", ...sink, "--flush-rows", "7000"]);
    expect(await last.exited, last.output()).toBe(0);
    const { dir, keys } = await download(`${topic}/`);
    expect(keys.filter((k) => k.endsWith(".parquet")).length).toBeGreaterThan(PARTITIONS);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
  }, 900_000);

  test("two runners in one group split the partitions; killing one hands its partitions to the other", async () => {
    const topic = uniqueName("pair");
    const events = piiEvents(100_000, 13);
    // The runners join an empty topic first, so both hold a share before any event flows
    // (a runner reads ~50k events/s: a pre-filled topic would be done before the second joined).
    await fillTopic(topic, PARTITIONS, [], byUser);
    const args = ["--topic", topic, "--group", topic, "--sink", `staging=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "5000"];
    const a = startRunner(pii.bundle, args);
    const b = startRunner(pii.bundle, args);
    const joins = (r: RunnerProcess): number[] => [...r.output().matchAll(/joined group .*: partitions ([\d, ]+)/g)].map((m) => m[1]!.split(", ").length);
    await expect.poll(() => joins(b).length > 0 && (joins(a).at(-1) ?? PARTITIONS) < PARTITIONS, { timeout: 120_000, interval: 250 }).toBe(true);
    await produce(topic, events, byUser);
    await sleep(300);
    expect(b.child.exitCode, b.output()).toBe(null);
    b.child.kill("SIGKILL");
    await b.exited;
    // A takes B's partitions once the group notices B is gone, and commits everything.
    await expect.poll(() => committedTotal(topic, topic), { timeout: 180_000, interval: 1000 }).toBe(events.length);
    a.child.kill("SIGTERM");
    expect(await a.exited, a.output()).toBe(0);
    // A held a share while B was alive, then every partition.
    expect(joins(a).slice(0, -1).some((n) => n < PARTITIONS), a.output()).toBe(true);
    expect(joins(a).at(-1), a.output()).toBe(PARTITIONS);
    const { dir, keys } = await download(`${topic}/`);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
  }, 900_000);

  test("with the S3 server down for 20 seconds the runner waits, then completes the output", async () => {
    const topic = uniqueName("outage");
    // A live run, not a backfill: a runner reads a pre-filled topic of this size in about a
    // second, before the outage could begin. The first 20,000 events are there at start; the
    // other 40,000 arrive while S3 is down, and the runner is stopped with SIGTERM at the end.
    const events = piiEvents(60_000, 14);
    await fillTopic(topic, PARTITIONS, events.slice(0, 20_000), byUser);
    // A second S3 server of our own, so stopping it disturbs no other test.
    const port = 19000 + 40 + Math.floor(Math.random() * 50);
    const data = await mkdtemp(join(tmpdir(), "runnel-s3-outage-"));
    const binary = join(cacheDir, `versitygw-${versitygwVersion}`, "versitygw");
    const startS3 = () => {
      const child = spawn(binary, ["--port", `127.0.0.1:${port}`, "posix", "--sidecar", join(data, "meta"), join(data, "data")], {
        env: { ...process.env, ROOT_ACCESS_KEY: s3Config.accessKeyId, ROOT_SECRET_KEY: s3Config.secretAccessKey },
        stdio: "ignore",
      });
      return child;
    };
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(data, "meta"), { recursive: true });
    await mkdir(join(data, "data", s3Config.bucket), { recursive: true });
    let server = startS3();
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForS3(endpoint);
    const run = startRunner(pii.bundle, ["--topic", topic, "--group", topic, "--sink", `staging=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "4000", "--flush-seconds", "5"], {
      RUNNEL_S3_ENDPOINT: endpoint,
    });
    for (let i = 0; i < 120 && !/\d+ files?\b/.test(run.output().replace(/ 0 files/g, "")); i++) await sleep(250);
    server.kill("SIGKILL");
    await produce(topic, events.slice(20_000), byUser);
    // While S3 is down the runner must stop fetching: its memory and its event count stay put.
    const consumed = () => Number([...run.output().matchAll(/ (\d+) events? \(/g)].at(-1)?.[1] ?? 0);
    const rss: number[] = [];
    const downAt = Date.now();
    await sleep(3000);
    const eventsEarly = consumed();
    while (Date.now() - downAt < 20_000) {
      rss.push(await residentKiB(run.child.pid!));
      await sleep(500);
    }
    const eventsLate = consumed();
    expect(run.child.exitCode).toBe(null);
    expect(eventsLate - eventsEarly, run.output()).toBeLessThanOrEqual(4 * 4000);
    // Bounded: no more than 64 MiB above the first sample, and not climbing at the end.
    const first = rss[0]!;
    expect(Math.max(...rss) - first, `RSS KiB while S3 was down: ${rss.join(" ")}`).toBeLessThan(64 * 1024);
    console.log(`outage: RSS ${Math.round(first / 1024)}–${Math.round(Math.max(...rss) / 1024)} MiB over ${rss.length} samples; ${eventsLate - eventsEarly} events consumed from 3 s to 20 s of the outage`);
    expect(run.output()).toMatch(/flush of offsets \d+-\d+ failed .*retrying/);
    server = startS3();
    try {
      try {
        await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 1000 }).toBe(events.length);
      } catch (error) {
        // Which partition stalled, and on what: the runner's own account.
        console.log(`committed offsets short after S3 came back; the runner's last lines:\n${run.output().split("\n").slice(-60).join("\n")}`);
        throw error;
      }
      run.child.kill("SIGTERM");
      expect(await run.exited, run.output()).toBe(0);
      const { dir, keys } = await download(`${topic}/`, endpoint);
      const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
      expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
    } finally {
      server.kill("SIGTERM");
    }
  }, 600_000);
});

/** A process's resident set size in KiB, from /proc/<pid>/status (VmRSS). */
async function residentKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`test: no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

async function waitForS3(endpoint: string): Promise<void> {
  let last: unknown = null;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(endpoint);
      return;
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw new Error(`test S3 at ${endpoint} did not answer`, { cause: last });
}


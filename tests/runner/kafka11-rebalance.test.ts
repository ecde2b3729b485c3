/**
 * Two runner processes in one consumer group while events flow: a second runner joins mid-stream
 * (the first gives up partitions it has buffered rows and flushes in flight for), then leaves on
 * SIGTERM (its partitions go back). Every event must be in the Parquet on the S3 server exactly once:
 * the count and the distinct ids read back with DuckDB, and no two objects of a partition covering
 * the same offset.
 */
import { spawnSync } from "node:child_process";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { committedTotal, download, fillTopic, produce, runnel, sleep, startRunner, uniqueName, type RunnerProcess } from "./harness.ts";

const NOTEBOOK = `---
title: Rebalance
sources:
  ev:
    kafka: { topic: rebalance, brokers: ["127.0.0.1:19092"] }
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
const EVENTS = 3_000;

/** Forwards every request to the S3 server, each PUT `delayMs` late: a store far away, so writes are in flight for long. */
async function slowProxy(delayMs: number): Promise<{ endpoint: string; close: () => void }> {
  const target = new URL(s3Config.endpoint);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const forward = () => {
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    };
    if (req.method === "PUT") {
      req.pause();
      setTimeout(forward, delayMs);
    } else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

test("kafka11: a runner joining the group mid-stream and leaving again: every event once in the Parquet, no object covering another's offsets", { timeout: 600_000 }, () => rebalance(null));

test("kafka11: the same while the first runner's store answers each PUT 700 ms late (its writes are in flight when the group rebalances)", { timeout: 600_000 }, async () => {
  const proxy = await slowProxy(700);
  try {
    await rebalance({ RUNNEL_S3_ENDPOINT: proxy.endpoint });
  } finally {
    proxy.close();
  }
});

async function rebalance(envA: Record<string, string> | null): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "runnel-kafka11-rebalance-"));
  await writeFile(join(dir, "rebalance.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "name": "a"}\n');
  const published = spawnSync(process.execPath, [runnel, "publish", join(dir, "rebalance.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  expect(published.status, `${published.stdout}\n${published.stderr}`).toBe(0);
  const bundle = join(dir, "dist", "rebalance");

  const topic = uniqueName("k11-rebalance");
  await fillTopic(topic, PARTITIONS, [], () => "");
  // Small flushes, by rows and by the clock, so seals and writes are in flight when the group rebalances.
  const args = ["--topic", topic, "--group", topic, "--sink", `out=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "120", "--flush-seconds", "1"];
  const joins = (r: RunnerProcess): string[] => [...r.output().matchAll(/joined group \S+: partitions ([\d, ]+|\(none\))/g)].map((m) => m[1]!);
  const a = startRunner(bundle, args, envA ?? {});
  await expect.poll(() => joins(a).at(-1), { timeout: 120_000, interval: 250 }).toBe("0, 1, 2, 3");

  const events = Array.from({ length: EVENTS }, (_, id) => ({ id, name: `n${id}` }));
  const key = (e: unknown) => String((e as { id: number }).id);
  let b: RunnerProcess | null = null;
  for (let round = 0; round < 30; round++) {
    await produce(topic, events.slice(round * 100, round * 100 + 100), key);
    if (round === 8) b = startRunner(bundle, args);
    if (round === 20) {
      // B holds a share now (it joined while A held buffered rows); it leaves with SIGTERM, flushing what it holds.
      // `consuming …` is printed as `runnel run` takes SIGTERM over: before, a SIGTERM ends the process unflushed.
      await expect.poll(() => joins(b!).length > 0 && joins(a).at(-1) !== "0, 1, 2, 3" && b!.output().includes(`consuming ${topic}`), { timeout: 120_000, interval: 250 }).toBe(true);
      b!.child.kill("SIGTERM");
      expect(await b!.exited, b!.output()).toBe(0);
    }
    await sleep(150);
  }
  try {
    await expect.poll(() => committedTotal(topic, topic), { timeout: 180_000, interval: 1000 }).toBe(EVENTS);
  } catch (error) {
    const last = (r: RunnerProcess | null) => (r?.output() ?? "").split("\n").filter((l) => !/ events \(/.test(l)).slice(-80).join("\n");
    console.log(`committed offsets short; A's last lines:\n${last(a)}\n--- B's:\n${last(b)}`);
    throw error;
  }
  a.child.kill("SIGTERM");
  expect(await a.exited, a.output()).toBe(0);
  // A held all four, then a share beside B, then all four again.
  expect(joins(a).some((j) => j !== "0, 1, 2, 3"), a.output()).toBe(true);
  expect(joins(a).at(-1), a.output()).toBe("0, 1, 2, 3");

  const { dir: got, keys } = await download(`${topic}/`);
  const objects = keys.filter((k) => k.endsWith(".parquet"));
  const ranges = new Map<number, [bigint, bigint, string][]>();
  for (const k of objects) {
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
  expect(overlaps, `${a.output()}\n---\n${b!.output()}`).toEqual([]);
  const db = await openDuckDB({ threads: 1 });
  try {
    const r = await db.read(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, min(id)::INTEGER AS lo, max(id)::INTEGER AS hi, count(*) FILTER (WHERE name <> 'n' || id)::INTEGER AS wrong FROM read_parquet('${got}/**/*.parquet')`);
    expect(r.getRowObjectsJS()[0]).toEqual({ n: EVENTS, ids: EVENTS, lo: 0, hi: EVENTS - 1, wrong: 0 });
  } finally {
    db.close();
  }
}

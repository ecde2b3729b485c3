/**
 * A runner cut off from its brokers while S3 (here its folder) still answers: past its session the group
 * drops it and hands its partitions to another runner, which writes them from the committed offset. Its
 * timed flush of what it had buffered must then store nothing. Until 2026-12-07 the membership check
 * before a flush returned as soon as the heartbeat failed with a network error, before it looked at when
 * the group last answered, so the cut-off runner stored objects of offsets another runner writes too.
 * The runner (`startKafkaRunner`) runs in this process against the test broker; every request kafkajs sends
 * fails with a connection error while the cut lasts, as when the network to the brokers is down.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { loadBundle, type Bundle } from "../../edge/publish/bundle.node.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { committedTotal, fillTopic, produce, runnel, uniqueName } from "./harness.ts";
import { startLoggedRunner } from "./in-process-runner.ts";

const SESSION_MS = 6_000;

const NOTEBOOK = `---
title: Cut off
sources:
  ev:
    kafka: { topic: cut, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
    flush: { seconds: 12 }
---

\`\`\`sql id=out sink=out
SELECT id, name FROM ev
\`\`\`
`;

let bundle: Bundle;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-hb17-cut-"));
  await writeFile(join(dir, "cut.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "name": "a"}\n');
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, "cut.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  bundle = await loadBundle(join(dir, "dist", "cut"));
}, 240_000);

// kafkajs's own modules, as the runner's consumer loads them.
const require = createRequire(import.meta.url);
const Connection = require("kafkajs/src/network/connection.js") as { prototype: { send(request: unknown): Promise<unknown> } };
const { KafkaJSConnectionError } = require("kafkajs/src/errors.js") as { KafkaJSConnectionError: new (e: string, o: { broker?: string; code?: string }) => Error };

const key = (e: unknown) => String((e as { id: number }).id);
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: `n${i}` }));

async function parquetFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".parquet"));
}

test("a runner cut off from its brokers past its session stores no object of what it buffered; every event is written once after the network is back", { timeout: 300_000 }, async () => {
  const topic = uniqueName("hb17-cut");
  await fillTopic(topic, 1, [], () => "");
  const out = await mkdtemp(join(tmpdir(), "runnel-hb17-cut-out-"));
  const before = process.env.RUNNEL_KAFKA_SESSION_TIMEOUT_MS;
  process.env.RUNNEL_KAFKA_SESSION_TIMEOUT_MS = String(SESSION_MS);
  const started = startLoggedRunner(bundle, topic, out);
  if (before === undefined) delete process.env.RUNNEL_KAFKA_SESSION_TIMEOUT_MS;
  else process.env.RUNNEL_KAFKA_SESSION_TIMEOUT_MS = before;
  const { runner, log, joins, ended } = await started;

  // Every request of every kafkajs connection in this process fails while the cut lasts (the test's own
  // admin and producer are done before it and start after it).
  const originalSend = Connection.prototype.send;
  let cut = false;
  const refused = () => new KafkaJSConnectionError(`Connection error: connect ECONNREFUSED ${kafkaConfig.brokers[0]}`, { broker: kafkaConfig.brokers[0], code: "ECONNREFUSED" });
  Connection.prototype.send = function (this: unknown, request: unknown) {
    return cut ? Promise.reject(refused()) : originalSend.call(this, request);
  };
  let storedWhileCut: string[] = [];
  try {
    await expect.poll(joins, { timeout: 120_000, interval: 100 }).toBe(1);
    await produce(topic, events(100), key);
    await expect.poll(() => runner.metrics.partitionNext.get(0) ?? 0n, { timeout: 120_000, interval: 50 }).toBe(100n);
    cut = true;
    const cutAt = Date.now();
    // The flush is due 12 s after the rows came, twice the session: its objects appear, or the runner says it dropped them.
    await expect
      .poll(async () => (await parquetFiles(out)).length > 0 || log.some((l) => l.includes("its buffered rows are dropped")) || log.join("\n"), { timeout: 60_000, interval: 100 })
      .toBe(true);
    storedWhileCut = await parquetFiles(out);
    expect(Date.now() - cutAt, log.join("\n")).toBeGreaterThan(SESSION_MS);
    cut = false;
    await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 250 }).toBe(100);
    expect(ended(), log.join("\n")).toBe(null);
    await runner.stop();
  } finally {
    cut = false;
    Connection.prototype.send = originalSend;
    await runner.stop().catch(() => undefined);
  }
  expect(storedWhileCut, log.join("\n")).toEqual([]);
  expect(log.join("\n")).toMatch(/answered no heartbeat of this runner for \d+ s, past its session|left the group|rebalancing|has not answered a heartbeat/);

  const db = await openDuckDB({ threads: 1 });
  try {
    const r = await db.read(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM read_parquet('${out}/**/*.parquet')`);
    expect(r.getRowObjectsJS()[0]).toEqual({ n: 100, ids: 100 });
  } finally {
    db.close();
  }
});

/**
 * Running a published pipeline locally twice must not write its rows twice. Before, each run of
 * "Run locally" (from the sample) wrote every sample event again under keys of its own, and DuckDB
 * reading the lake counted each twice.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";
import { DEMO_EPOCH_MS } from "../../gateway/sources/demo/clock.ts";
import type { LocalRunInfo } from "../../gateway/pipeline/local-run.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";

const NOTEBOOK = `---
title: Shop rerun
sources:
  shop:
    demo: { generator: shop, rate: 20, seed: 3 }
    sample_size: 200
sinks:
  lake:
    fs: { dir: data, prefix: shop/ }
    flush: { rows: 100000, seconds: 60 }
---

\`\`\`sql id=actions sink=lake
SELECT event_id, action, ts FROM shop
\`\`\`
`;

let gw: TestGateway | null = null;
let pipelinesDir = "";
let stateDir = "";
/** The gateway's clock: the demo sample is the 200 events due before it; the tail follows it. */
let clock = 0;
beforeEach(() => {
  pipelinesDir = mkdtempSync(join(tmpdir(), "runnel-rerun13-pipelines-"));
  stateDir = mkdtempSync(join(tmpdir(), "runnel-rerun13-state-"));
  clock = DEMO_EPOCH_MS + 20_000;
});
afterEach(async () => {
  await gw?.close();
  gw = null;
  rmSync(pipelinesDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

async function open(notebook = NOTEBOOK, more: { afterObjects?: () => void; realClock?: boolean } = {}): Promise<TestGateway> {
  // A variable, not a literal: the gateway's options name only the flush bound and tick of local runs.
  const localRuns = { maxFlushSeconds: 1, tickMs: 20, afterObjects: more.afterObjects };
  return openTestGateway({ "shop.md": notebook }, { demo: true, pipelinesDir, stateDir, ...(more.realClock ? {} : { now: () => clock }), localRuns });
}

async function publish(g: TestGateway): Promise<void> {
  expect(await (await g.app.request("/api/pipelines/publish/shop.md", { method: "POST", headers: g.auth })).text()).toContain('"kind":"published"');
}

async function runFromSample(g: TestGateway, query = ""): Promise<LocalRunInfo> {
  const res = await g.app.request(`/api/pipelines/run/shop.md?from=sample${query}`, { method: "POST", headers: g.auth });
  expect(res.status).toBe(201);
  const run = async () => ((await (await g.app.request("/api/pipelines/runs", { headers: g.auth })).json()) as LocalRunInfo[])[0]!;
  await expect.poll(async () => (await run()).sampleEvents.shop, { timeout: 20_000 }).toBe(200);
  return run();
}

async function stop(g: TestGateway): Promise<LocalRunInfo> {
  const res = await g.app.request("/api/pipelines/run/shop.md", { method: "DELETE", headers: g.auth });
  expect(res.status).toBe(200);
  return (await res.json()) as LocalRunInfo;
}

/** Rows in the lake as DuckDB reads them: all, and distinct event ids. */
async function lake(dir: string, id = "event_id"): Promise<{ rows: number; ids: number }> {
  const row = (await query(`SELECT count(*), count(DISTINCT ${id}) FROM read_parquet('${join(dir, "lake")}/**/*.parquet', union_by_name = true)`))[0]!;
  return { rows: Number(row[0]), ids: Number(row[1]) };
}

async function query(sql: string): Promise<unknown[][]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    return (await db.read(sql)).getRows() as unknown[][];
  } finally {
    db.close();
  }
}

/** The Parquet files under the sink's folder, by name. */
function files(dir: string): string[] {
  return (readdirSync(join(dir, "lake"), { recursive: true }) as string[]).filter((f) => f.endsWith(".parquet")).sort();
}

test("run from the sample, stop, run again from the sample: the lake holds each sample event once", async () => {
  gw = await open();
  await publish(gw);
  await runFromSample(gw);
  const first = await stop(gw);
  expect(first).toMatchObject({ state: "stopped", events: 200, rows: 200 });
  expect(await lake(first.dir)).toEqual({ rows: 200, ids: 200 });

  // Five seconds on, the sample is the 200 newest: 100 the first run wrote, 100 new.
  clock += 5_000;
  const again = await runFromSample(gw);
  expect(again).toMatchObject({ skipped: 100, resumed: { events: 200, runs: [first.startedAt] }, rolledBack: 0, earlier: null });
  const second = await stop(gw);
  expect(second).toMatchObject({ state: "stopped", events: 100, rows: 100, skipped: 100 });
  expect(await lake(first.dir)).toEqual({ rows: 300, ids: 300 });

  // A restart of the gateway (npm start again) and the same sample: every event is written already.
  await gw.close();
  gw = await open();
  const third = await runFromSample(gw);
  expect(third).toMatchObject({ skipped: 200, events: 0, resumed: { events: 300 } });
  expect(await stop(gw)).toMatchObject({ state: "stopped", rows: 0, files: 0 });
  expect(await lake(first.dir)).toEqual({ rows: 300, ids: 300 });
}, 120_000);

test("the gateway dies between a flush's objects and its commit: the next run deletes them and writes those events once, under the same keys", async () => {
  let crash = true;
  gw = await open(NOTEBOOK, {
    afterObjects: () => {
      if (crash) throw new Error("killed between the objects and the commit");
    },
  });
  await publish(gw);
  await runFromSample(gw);
  const died = await stop(gw);
  expect(died).toMatchObject({ state: "failed", error: "killed between the objects and the commit" });
  // The objects are there, uncommitted: a lake reader sees them once.
  const written = files(died.dir);
  expect(written).toHaveLength(1);
  expect(await lake(died.dir)).toEqual({ rows: 200, ids: 200 });

  crash = false;
  await gw.close();
  gw = await open();
  const next = await runFromSample(gw);
  expect(next).toMatchObject({ rolledBack: 1, skipped: 0, resumed: null });
  expect(await stop(gw)).toMatchObject({ state: "stopped", events: 200, rows: 200 });
  expect(files(died.dir)).toEqual(written);
  expect(await lake(died.dir)).toEqual({ rows: 200, ids: 200 });
}, 120_000);

test("the gateway dies between a flush's objects and its commit, and the next run's flush covers more events: the unfinished flush's objects are deleted, not left beside it", async () => {
  let crash = true;
  gw = await open(NOTEBOOK, {
    afterObjects: () => {
      if (crash) throw new Error("killed between the objects and the commit");
    },
  });
  await publish(gw);
  await runFromSample(gw);
  const died = await stop(gw);
  expect(died.state).toBe("failed");
  const unfinished = files(died.dir);
  expect(unfinished).toHaveLength(1);

  crash = false;
  await gw.close();
  gw = await open();
  const next = await runFromSample(gw);
  expect(next).toMatchObject({ rolledBack: 1 });
  // A second on, the tail brings 20 more: the flush at Stop covers events 0..219, not the unfinished 0..199.
  clock += 1_000;
  const run = async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as LocalRunInfo[])[0]!;
  await expect.poll(async () => (await run()).events, { timeout: 20_000 }).toBe(220);
  expect(await stop(gw)).toMatchObject({ state: "stopped", rows: 220 });
  expect(files(died.dir)).not.toContain(unfinished[0]);
  expect(await lake(died.dir)).toEqual({ rows: 220, ids: 220 });
}, 120_000);

test("after a new publish the run writes the new transform's rows, says the lake holds the old ones, and with replace deletes them after its first flush", async () => {
  gw = await open();
  await publish(gw);
  const old = await runFromSample(gw);
  await stop(gw);
  await gw.close();

  const upper = NOTEBOOK.replace("SELECT event_id, action, ts FROM shop", "SELECT event_id, upper(action) AS action, ts, 2 AS version FROM shop");
  gw = await open(upper);
  // Published a second later: another publish.
  clock += 1_000;
  await publish(gw);
  const kept = await runFromSample(gw);
  expect(kept).toMatchObject({ skipped: 0, resumed: null, earlier: { files: 1, publishedAt: [old.publishedAt] }, replace: false, replacedFiles: null });
  expect(kept.publishedAt).not.toBe(old.publishedAt);
  await stop(gw);
  // Kept: both transforms' rows, 20 sample events apart (the clock moved a second).
  expect(await lake(old.dir)).toEqual({ rows: 400, ids: 220 });

  // The new publish's run again, replacing: what it wrote is skipped, the old publish's objects go.
  const replacing = await runFromSample(gw, "&replace=true");
  expect(replacing).toMatchObject({ skipped: 200, replace: true, earlier: { files: 1 } });
  expect(await stop(gw)).toMatchObject({ state: "stopped", replacedFiles: 1 });
  expect(await lake(old.dir)).toEqual({ rows: 200, ids: 200 });
  expect(await query(`SELECT DISTINCT version FROM read_parquet('${join(old.dir, "lake")}/**/*.parquet', union_by_name = true)`)).toEqual([[2]]);

  // A third publish, replacing while its run goes on (the card's button on a running run): at its first flush.
  await gw.close();
  gw = await open(NOTEBOOK.replace("SELECT event_id, action, ts FROM shop", "SELECT event_id, lower(action) AS action, ts, 3 AS version FROM shop"));
  clock += 1_000;
  await publish(gw);
  // Replacing with a run that writes nothing (from now, and nothing arrives) deletes nothing: the lake would be empty.
  expect((await gw.app.request("/api/pipelines/run/shop.md?from=now&replace=true", { method: "POST", headers: gw.auth })).status).toBe(201);
  expect(await stop(gw)).toMatchObject({ state: "stopped", events: 0, replace: true, replacedFiles: null, earlier: { files: 1 } });
  expect(await lake(old.dir)).toEqual({ rows: 200, ids: 200 });
  const third = await runFromSample(gw);
  expect(third).toMatchObject({ earlier: { files: 1, publishedAt: [kept.publishedAt] }, replace: false });
  const asked = await gw.app.request("/api/pipelines/run/shop.md?from=sample&replace=true", { method: "POST", headers: gw.auth });
  expect(asked.status).toBe(200);
  expect(await asked.json()).toMatchObject({ startedAt: third.startedAt, replace: true, replacedFiles: null });
  expect(await stop(gw)).toMatchObject({ state: "stopped", replacedFiles: 1 });
  expect(await lake(old.dir)).toEqual({ rows: 200, ids: 200 });
  expect(await query(`SELECT DISTINCT version FROM read_parquet('${join(old.dir, "lake")}/**/*.parquet', union_by_name = true)`)).toEqual([[3]]);

  const wrong = await gw.app.request("/api/pipelines/run/shop.md?from=sample&replace=yes", { method: "POST", headers: gw.auth });
  expect(wrong.status).toBe(400);
  expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('pipelines: replace must be true or false, got "yes"');
}, 120_000);

const WINDOWED = NOTEBOOK.replace("SELECT event_id, action, ts FROM shop", "SELECT time_bucket(INTERVAL 10 second, CAST(ts AS TIMESTAMP)) AS w, count(*) AS n FROM shop GROUP BY ALL").replace("flush: { rows: 100000, seconds: 60 }", "flush: { rows: 100000, seconds: 60 }\n    lateness: 1 minute");

test("a window Stop wrote is not written again by the next run: its later events are late dead letters, and the lake has one row per window", async () => {
  // 300 events due: the sample is events 100..299, 5 s to 15 s after the demo's start, in windows [0 s, 10 s) and [10 s, 20 s).
  clock = DEMO_EPOCH_MS + 15_000;
  gw = await open(WINDOWED);
  await publish(gw);
  await runFromSample(gw);
  const first = await stop(gw);
  expect(first).toMatchObject({ state: "stopped", events: 200, rows: 2 });
  // Five seconds on: events 200..299 were written; 300..399 fall in [10 s, 20 s), which Stop wrote.
  clock += 5_000;
  await runFromSample(gw);
  const second = await stop(gw);
  expect(second).toMatchObject({ state: "stopped", skipped: 100, events: 100, rows: 0, deadLetters: 100 });
  expect(second.recentDeadLetters.at(-1)!.reason).toMatch(/^lake: late event: its window \[2026-11-22 00:00:10, 2026-11-22 00:00:20\) is closed/);
  const rows = await query(`SELECT w::VARCHAR, n FROM read_parquet('${join(first.dir, "lake")}/**/*.parquet') ORDER BY w`);
  expect(rows).toEqual([["2026-11-22 00:00:00", 100n], ["2026-11-22 00:00:10", 100n]]);
}, 120_000);

test("Kafka: a second run from the sample, and one after a restart, write only the records the first did not", async () => {
  const client = new Kafka({ clientId: "runnel-rerun13", brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  const producer = client.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
  const topic = `rerun13-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    let n = 0;
    const produce = async (count: number) => {
      const messages = Array.from({ length: count }, () => {
        const i = n++;
        return { value: JSON.stringify({ order_id: i, amount: i / 4 }), partition: i % 3 };
      });
      await producer.send({ topic, messages });
    };
    await produce(120);
    const notebook = `---
title: Orders rerun
sources:
  orders:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
    sample_size: 1000
sinks:
  lake:
    fs: { dir: data, prefix: orders/ }
    flush: { rows: 100000, seconds: 60 }
---

\`\`\`sql id=orders_out sink=lake
SELECT order_id, amount FROM orders
\`\`\`
`;
    gw = await openTestGateway({ "orders.md": notebook }, { demo: false, pipelinesDir, stateDir, localRuns: { maxFlushSeconds: 1, tickMs: 20 } });
    const g = gw;
    expect(await (await g.app.request("/api/pipelines/publish/orders.md", { method: "POST", headers: g.auth })).text()).toContain('"kind":"published"');
    const run = async () => ((await (await g.app.request("/api/pipelines/runs", { headers: g.auth })).json()) as LocalRunInfo[])[0]!;
    const start = async (gate: TestGateway) => expect((await gate.app.request("/api/pipelines/run/orders.md?from=sample", { method: "POST", headers: gate.auth })).status).toBe(201);
    const halt = async (gate: TestGateway) => (await (await gate.app.request("/api/pipelines/run/orders.md", { method: "DELETE", headers: gate.auth })).json()) as LocalRunInfo;

    await start(g);
    await expect.poll(async () => (await run()).events, { timeout: 30_000 }).toBe(120);
    // Records produced while it runs come through the tail.
    await produce(30);
    await expect.poll(async () => (await run()).events, { timeout: 30_000 }).toBe(150);
    const first = await halt(g);
    expect(first).toMatchObject({ state: "stopped", rows: 150 });
    expect(await lake(first.dir, "order_id")).toEqual({ rows: 150, ids: 150 });

    // Produced while stopped; the sample then holds all 180.
    await produce(30);
    await start(g);
    await expect.poll(async () => (await run()).skipped + (await run()).events, { timeout: 30_000 }).toBe(180);
    const second = await halt(g);
    expect(second).toMatchObject({ state: "stopped", skipped: 150, events: 30, rows: 30, resumed: { events: 150 } });
    expect(await lake(first.dir, "order_id")).toEqual({ rows: 180, ids: 180 });

    await g.close();
    gw = await openTestGateway({ "orders.md": notebook }, { demo: false, pipelinesDir, stateDir, localRuns: { maxFlushSeconds: 1, tickMs: 20 } });
    const h = gw;
    await start(h);
    const runH = async () => ((await (await h.app.request("/api/pipelines/runs", { headers: h.auth })).json()) as LocalRunInfo[])[0]!;
    await expect.poll(async () => (await runH()).skipped, { timeout: 30_000 }).toBe(180);
    expect(await halt(h)).toMatchObject({ state: "stopped", events: 0, rows: 0 });
    expect(await lake(first.dir, "order_id")).toEqual({ rows: 180, ids: 180 });
    // Where the written records end, per partition, beside the lake.
    const checkpoint = JSON.parse(readFileSync(join(first.dir, "_runs", readdirSync(join(first.dir, "_runs"))[0]!), "utf8")) as { positions: { orders: Record<string, { order: string }> } };
    // Each with its record's time, which tells the record apart from another at the same offset of a topic created again.
    const at = { at: expect.any(Number) };
    expect(checkpoint.positions.orders).toEqual({ "partition 0": { order: "59", ids: { "": 1 }, ...at }, "partition 1": { order: "59", ids: { "": 1 }, ...at }, "partition 2": { order: "59", ids: { "": 1 }, ...at } });
  } finally {
    await gw?.close();
    gw = null;
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}, 180_000);

test("webhook: deliveries of several events each, received in the same millisecond, are written once over two runs and a restart", async () => {
  const secret = "rerun13-secret";
  const notebook = `---
title: Hooks rerun
sources:
  hooks:
    webhook: { signature: sha256, secret: HOOK_SECRET }
    format: ndjson
sinks:
  lake:
    fs: { dir: data, prefix: hooks/ }
    flush: { rows: 100000, seconds: 60 }
---

\`\`\`sql id=hooks_out sink=lake
SELECT id, note FROM hooks
\`\`\`
`;
  const options = { demo: false, pipelinesDir, stateDir, env: { HOOK_SECRET: secret }, now: () => clock, localRuns: { maxFlushSeconds: 1, tickMs: 20 } };
  gw = await openTestGateway({ "hooks.md": notebook }, options);
  let n = 0;
  const deliver = async (g: TestGateway, events: number) => {
    const body = Array.from({ length: events }, () => JSON.stringify({ id: n++, note: "ünïcode" })).join("\n");
    const res = await g.app.request("/hooks/hooks.md/hooks", { method: "POST", headers: { "content-type": "application/x-ndjson", "x-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` }, body });
    expect(res.status).toBe(202);
  };
  for (let d = 0; d < 4; d++) await deliver(gw, 5);
  expect(await (await gw.app.request("/api/pipelines/publish/hooks.md", { method: "POST", headers: gw.auth })).text()).toContain('"kind":"published"');
  const cycle = async (g: TestGateway, events: number): Promise<LocalRunInfo> => {
    expect((await g.app.request("/api/pipelines/run/hooks.md?from=sample", { method: "POST", headers: g.auth })).status).toBe(201);
    const run = async () => ((await (await g.app.request("/api/pipelines/runs", { headers: g.auth })).json()) as LocalRunInfo[])[0]!;
    await expect.poll(async () => { const r = await run(); return r.skipped + r.events; }, { timeout: 20_000 }).toBe(events);
    return (await (await g.app.request("/api/pipelines/run/hooks.md", { method: "DELETE", headers: g.auth })).json()) as LocalRunInfo;
  };
  const first = await cycle(gw, 20);
  expect(first).toMatchObject({ state: "stopped", events: 20, skipped: 0 });
  // Two more deliveries in the same millisecond as the first four: told apart by their delivery ids.
  await deliver(gw, 5);
  await deliver(gw, 3);
  expect(await cycle(gw, 28)).toMatchObject({ state: "stopped", events: 8, skipped: 20, rows: 8 });
  expect(await lake(first.dir, "id")).toEqual({ rows: 28, ids: 28 });

  await gw.close();
  gw = await openTestGateway({ "hooks.md": notebook }, options);
  await deliver(gw, 2);
  expect(await cycle(gw, 30)).toMatchObject({ state: "stopped", events: 2, skipped: 28 });
  expect(await lake(first.dir, "id")).toEqual({ rows: 30, ids: 30 });
}, 120_000);

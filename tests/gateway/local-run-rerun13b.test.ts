/**
 * Ways a second local run skipped, or wrote again, what it should not. A Kafka topic deleted and
 * created again starts its offsets over: the run's checkpoint held "partition 0 → offset 49", so
 * every new record at or below it was skipped as already written, and never reached the lake; with
 * at least as many records as were written, its log end alone cannot show it, and the record at the
 * written offset (its timestamp) does. An HTTP source's events had no position: each run wrote the
 * polls the notebook shows again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";
import type { LocalRunInfo } from "../../gateway/pipeline/local-run.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";

let gw: TestGateway | null = null;
let pipelinesDir = "";
let stateDir = "";
beforeEach(() => {
  pipelinesDir = mkdtempSync(join(tmpdir(), "runnel-rerun13b-pipelines-"));
  stateDir = mkdtempSync(join(tmpdir(), "runnel-rerun13b-state-"));
});
afterEach(async () => {
  await gw?.close();
  gw = null;
  rmSync(pipelinesDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

async function query(sql: string): Promise<unknown[][]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    return (await db.read(sql)).getRows() as unknown[][];
  } finally {
    db.close();
  }
}

/** Rows in the lake as DuckDB reads them: all, distinct ids, and the ids. */
async function lake(dir: string, id: string): Promise<{ rows: number; ids: number; min: number; max: number }> {
  const row = (await query(`SELECT count(*), count(DISTINCT ${id}), min(${id}), max(${id}) FROM read_parquet('${join(dir, "lake")}/**/*.parquet', union_by_name = true)`))[0]!;
  return { rows: Number(row[0]), ids: Number(row[1]), min: Number(row[2]), max: Number(row[3]) };
}

function runs(g: TestGateway, path: string) {
  return {
    info: async () => ((await (await g.app.request("/api/pipelines/runs", { headers: g.auth })).json()) as LocalRunInfo[])[0]!,
    start: async () => expect((await g.app.request(`/api/pipelines/run/${path}?from=sample`, { method: "POST", headers: g.auth })).status).toBe(201),
    stop: async () => (await (await g.app.request(`/api/pipelines/run/${path}`, { method: "DELETE", headers: g.auth })).json()) as LocalRunInfo,
  };
}

/**
 * A one-partition topic of 50 orders, published and run once (50 rows in the lake), then deleted and created
 * again (empty); `body` goes on from there, and the topic and clients are cleaned up after it.
 */
async function recreatedTopic(
  tag: string,
  body: (t: { topic: string; notebook: string; firstDir: string; produce: (ids: number[]) => Promise<unknown>; admin: ReturnType<Kafka["admin"]> }) => Promise<void>,
): Promise<void> {
  const client = new Kafka({ clientId: "runnel-rerun13b", brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  const producer = client.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
  const topic = `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const produce = async (ids: number[]) => producer.send({ topic, messages: ids.map((i) => ({ value: JSON.stringify({ order_id: i, amount: i / 4 }), partition: 0 })) });
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await produce(Array.from({ length: 50 }, (_, i) => i));
    const notebook = `---
title: Orders recreated
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
    const run = runs(g, "orders.md");
    await run.start();
    await expect.poll(async () => (await run.info()).events, { timeout: 30_000 }).toBe(50);
    const first = await run.stop();
    expect(first).toMatchObject({ state: "stopped", rows: 50, restarted: [] });
    expect(await lake(first.dir, "order_id")).toMatchObject({ rows: 50, ids: 50 });
    // The gateway stops (npm start again later, as a user does after recreating a topic); the topic is deleted
    // and created again, empty: its offsets start over at 0.
    await g.close();
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    await expect
      .poll(async () => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).then(() => true, () => false), { timeout: 30_000, interval: 500 })
      .toBe(true);
    await body({ topic, notebook, firstDir: first.dir, produce, admin });
  } finally {
    await gw?.close();
    gw = null;
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}

const reopen = async (notebook: string) => {
  gw = await openTestGateway({ "orders.md": notebook }, { demo: false, pipelinesDir, stateDir, localRuns: { maxFlushSeconds: 1, tickMs: 20 } });
  return runs(gw, "orders.md");
};

test("Kafka: a topic deleted and created again is read from its start by the next run, not skipped as written", async () => {
  await recreatedTopic("rerun13b", async ({ topic, notebook, firstDir, produce }) => {
    const again = await reopen(notebook);
    await again.start();
    await expect.poll(async () => (await again.info()).sampleEvents.orders, { timeout: 30_000 }).toBe(0);
    // New records at offsets 0..19, below the 49 written: before, every one was skipped as written.
    await produce(Array.from({ length: 20 }, (_, i) => 1000 + i));
    await expect.poll(async () => { const i = await again.info(); return i.events + i.skipped; }, { timeout: 30_000 }).toBe(20);
    const second = await again.stop();
    expect(await lake(firstDir, "order_id")).toEqual({ rows: 70, ids: 70, min: 0, max: 1019 });
    expect(second).toMatchObject({ state: "stopped", skipped: 0, rows: 20 });
    // The card's "read again" row.
    expect(second.restarted).toEqual([`topic ${topic} partition 0 restarted below the written position (offset 0 < 50): reading it from its start`]);

    // The position is the new topic's now: a third run skips those 20 and writes nothing again.
    await again.start();
    await expect.poll(async () => (await again.info()).skipped, { timeout: 30_000 }).toBe(20);
    const third = await again.stop();
    expect(third).toMatchObject({ state: "stopped", events: 0, restarted: [] });
    expect(await lake(firstDir, "order_id")).toEqual({ rows: 70, ids: 70, min: 0, max: 1019 });
  });
}, 180_000);

test("Kafka: a topic created again with more records than were written is read from its start, known by the record at the written offset", async () => {
  await recreatedTopic("rerun13b-more", async ({ topic, notebook, firstDir, produce, admin }) => {
    // 60 new records produced before the next run: offsets 0..59, past the 49 written.
    await produce(Array.from({ length: 60 }, (_, i) => 2000 + i));
    expect((await admin.fetchTopicOffsets(topic))[0]!.high).toBe("60");
    const again = await reopen(notebook);
    await again.start();
    await expect.poll(async () => { const i = await again.info(); return i.events + i.skipped; }, { timeout: 30_000 }).toBe(60);
    const second = await again.stop();
    // Before: the first 50 new records were skipped as written, and the lake held 60 rows, 10 of them new.
    expect(second).toMatchObject({ state: "stopped", skipped: 0, rows: 60 });
    expect(await lake(firstDir, "order_id")).toEqual({ rows: 110, ids: 110, min: 0, max: 2059 });
    expect(second.restarted).toHaveLength(1);
    expect(second.restarted[0]).toMatch(new RegExp(`^topic ${topic} partition 0 holds another record at offset 49 than the one written there \\(its time \\d{4}-.*Z, not \\d{4}-.*Z\\): the topic was deleted and created again; reading it from its start$`));

    // The same topic again: its records are the ones written now, and all 60 are skipped.
    await again.start();
    await expect.poll(async () => (await again.info()).skipped, { timeout: 30_000 }).toBe(60);
    const third = await again.stop();
    expect(third).toMatchObject({ state: "stopped", events: 0, restarted: [] });
    expect(await lake(firstDir, "order_id")).toEqual({ rows: 110, ids: 110, min: 0, max: 2059 });
  });
}, 180_000);

test("HTTP source: a second run from the sample writes only the polls the first did not, and drops none of the later polls", async () => {
  // Each poll answers three new orders: poll k has ids 3k, 3k+1, 3k+2.
  let polls = 0;
  const server: Server = createServer((_req, res) => {
    const k = polls++;
    res.setHeader("content-type", "application/x-ndjson");
    res.end([0, 1, 2].map((j) => JSON.stringify({ order_id: 3 * k + j })).join("\n"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  try {
    const notebook = `---
title: Polled orders
sources:
  orders:
    http: { url: "${url}", interval: 1 }
    format: ndjson
    sample_size: 1000
sinks:
  lake:
    fs: { dir: data, prefix: orders/ }
    flush: { rows: 100000, seconds: 60 }
---

\`\`\`sql id=orders_out sink=lake
SELECT order_id FROM orders
\`\`\`
`;
    gw = await openTestGateway({ "orders.md": notebook }, { demo: false, pipelinesDir, stateDir, localRuns: { maxFlushSeconds: 1, tickMs: 20 } });
    const g = gw;
    expect(await (await g.app.request("/api/pipelines/publish/orders.md", { method: "POST", headers: g.auth })).text()).toContain('"kind":"published"');
    const run = runs(g, "orders.md");
    await run.start();
    await expect.poll(async () => (await run.info()).events, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    const first = await run.stop();
    expect(first.state).toBe("stopped");
    const one = await lake(first.dir, "order_id");
    expect(one).toEqual({ rows: first.events, ids: first.events, min: 0, max: first.events - 1 });

    // The source polls on while no run goes; the second run's sample holds every poll so far.
    await expect.poll(() => polls, { timeout: 30_000 }).toBeGreaterThan(one.rows / 3 + 1);
    await run.start();
    await expect.poll(async () => (await run.info()).skipped, { timeout: 30_000 }).toBe(one.rows);
    // Polls after the sample come through the tail: before, as many as the sample held were taken for it and dropped.
    const atStart = (await run.info()).sampleEvents.orders!;
    await expect.poll(async () => (await run.info()).events, { timeout: 30_000 }).toBeGreaterThanOrEqual(atStart - one.rows + 6);
    const second = await run.stop();
    expect(second).toMatchObject({ state: "stopped", skipped: one.rows });
    const both = await lake(first.dir, "order_id");
    // Each order once, none missing between the first and the last written.
    expect(both).toEqual({ rows: one.rows + second.events, ids: one.rows + second.events, min: 0, max: one.rows + second.events - 1 });
  } finally {
    await gw?.close();
    gw = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}, 120_000);

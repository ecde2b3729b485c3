/**
 * A runner cut off from its brokers while S3 (here its folder) still answers: past its session the group
 * drops it and hands its partitions to another runner, which writes them from the committed offset. Its
 * timed flush of what it had buffered must then store nothing. Until 2026-12-07 the membership check
 * before a flush returned as soon as the heartbeat failed with a network error, before it looked at when
 * the group last answered, so the cut-off runner stored objects of offsets another runner writes too.
 * The runner (`startKafkaRunner`) runs in this process against the test broker; every request kafkajs sends
 * fails with a connection error while the cut lasts, as when the network to the brokers is down.
 */
import { createRequire } from "node:module";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import type { Bundle } from "../../edge/publish/bundle.node.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { committedTotal, fillTopic, produce, uniqueName } from "./harness.ts";
import { idsInParquet, parquetFiles, publishIdNames, startLoggedRunner } from "./in-process-runner.ts";

const SESSION_MS = 6_000;

let bundle: Bundle;
beforeAll(async () => {
  bundle = await publishIdNames("cut", 12);
}, 240_000);

// kafkajs's own modules, as the runner's consumer loads them.
const require = createRequire(import.meta.url);
const Connection = require("kafkajs/src/network/connection.js") as { prototype: { send(request: unknown): Promise<unknown> } };
const { KafkaJSConnectionError } = require("kafkajs/src/errors.js") as { KafkaJSConnectionError: new (e: string, o: { broker?: string; code?: string }) => Error };

const key = (e: unknown) => String((e as { id: number }).id);
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: `n${i}` }));


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

  expect(await idsInParquet(out)).toEqual({ n: 100, ids: 100, lo: 0, hi: 99 });
});

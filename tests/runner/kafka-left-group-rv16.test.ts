/**
 * review16 (f49b34e): a flush stores nothing unless this runner is a member of the group. kafkajs stops its
 * consumer after a failure it restarts from (a fetch that failed past its retries): its disconnect sends
 * LeaveGroup, which the broker takes, forgets its member id (its heartbeat then sends nothing and
 * succeeds) and joins again as a new member after a while. Until that join the group may hand the
 * partitions to another runner, yet the runner's timed flush of what it buffered passed the membership
 * check (no rebalance event, the last heartbeat of the old member id recent) and stored its objects, and
 * its commit went nowhere without a word (kafkajs's commitOffsets returns while its consumer is not running).
 * The runner (`startKafkaRunner`) runs in this process against the test broker; kafkajs's fetch is made
 * to fail once as after its retries, and the restarted consumer's join is held until the flush was due.
 */
import { createRequire } from "node:module";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import type { Bundle } from "../../edge/publish/bundle.node.ts";
import { committedTotal, fillTopic, produce, uniqueName } from "./harness.ts";
import { idsInParquet, parquetFiles, publishIdNames, startLoggedRunner } from "./in-process-runner.ts";

// RV16_RUNNER: a patched copy of edge/runner/kafka.ts to check the proposed fix against (review16's REPORT.md).

let bundle: Bundle;
beforeAll(async () => {
  bundle = await publishIdNames("left", 2);
}, 240_000);

// kafkajs's own modules, as the runner's consumer loads them.
const require = createRequire(import.meta.url);
const ConsumerGroup = require("kafkajs/src/consumer/consumerGroup.js") as { prototype: { fetch(nodeId: number): Promise<unknown>; joinAndSync(): Promise<void> } };
const { KafkaJSError, KafkaJSNumberOfRetriesExceeded } = require("kafkajs/src/errors.js") as {
  KafkaJSError: new (e: string, o: { retriable: boolean }) => Error;
  KafkaJSNumberOfRetriesExceeded: new (e: Error, o: { retryCount: number; retryTime: number }) => Error;
};

const key = (e: unknown) => String((e as { id: number }).id);
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: `n${i}` }));


test("rv16: while kafkajs has left the group after a failure and not joined again, the runner's due flush stores no object; every event is written once after the rejoin", { timeout: 300_000 }, async () => {
  const topic = uniqueName("rv16-left");
  await fillTopic(topic, 1, [], () => "");
  const out = await mkdtemp(join(tmpdir(), "runnel-rv16-left-out-"));
  const { runner, log, joins, ended } = await startLoggedRunner(bundle, topic, out);

  const originalFetch = ConsumerGroup.prototype.fetch;
  const originalJoin = ConsumerGroup.prototype.joinAndSync;
  // The fetch after the 100 events were read fails as kafkajs's fetch loop fails past its retries (once).
  let crashed = false;
  ConsumerGroup.prototype.fetch = function (this: unknown, nodeId: number) {
    if (!crashed && (runner.metrics.partitionNext.get(0) ?? 0n) >= 100n) {
      crashed = true;
      return Promise.reject(new KafkaJSNumberOfRetriesExceeded(new KafkaJSError("rv16: a fetch that failed past its retries", { retriable: true }), { retryCount: 5, retryTime: 300 }));
    }
    return originalFetch.call(this, nodeId);
  };
  // The restarted consumer's join waits until the flush was due (stored, or dropped).
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  ConsumerGroup.prototype.joinAndSync = function (this: unknown): Promise<void> {
    if (!crashed) return originalJoin.call(this);
    return released.then(() => originalJoin.call(this));
  };
  let storedWhileLeft: string[] = [];
  try {
    await expect.poll(joins, { timeout: 120_000, interval: 100 }).toBe(1);
    await produce(topic, events(100), key);
    await expect.poll(() => log.some((l) => l.includes("kafkajs restarts it")), { timeout: 120_000, interval: 100 }).toBe(true);
    // The flush is due 2 s after the rows came: either its objects appear, or the runner says it dropped them.
    await expect
      .poll(async () => (await parquetFiles(out)).length > 0 || log.some((l) => l.includes("its buffered rows are dropped")), { timeout: 120_000, interval: 100 })
      .toBe(true);
    storedWhileLeft = await parquetFiles(out);
    expect(joins(), log.join("\n")).toBe(1);
    release();
    await expect.poll(joins, { timeout: 120_000, interval: 100 }).toBe(2);
    await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 250 }).toBe(100);
    expect(ended(), log.join("\n")).toBe(null);
    await runner.stop();
  } finally {
    release();
    ConsumerGroup.prototype.fetch = originalFetch;
    ConsumerGroup.prototype.joinAndSync = originalJoin;
    await runner.stop().catch(() => undefined);
  }
  // Stored by a runner the group did not hold: another runner given the partition meanwhile writes the same offsets too.
  expect(storedWhileLeft, log.join("\n")).toEqual([]);

  expect(await idsInParquet(out)).toEqual({ n: 100, ids: 100, lo: 0, hi: 99 });
});

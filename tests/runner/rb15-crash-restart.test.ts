/**
 * kafkajs stops its consumer for good (its CRASH event says `restart: false`) when joining the group
 * again fails with a rebalance-class answer it does not retry — ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS
 * or UNKNOWN_MEMBER_ID once its join retries are spent, as a group that keeps rebalancing under load
 * answers. The runner used to end there ("Specified group generation id is not valid"); it starts its
 * consumer again and reads on. The runner (`startKafkaRunner`, what `runnel run` calls) runs in this
 * process against the test broker; the group's second join after a rebalance is made to fail once
 * with the broker's ILLEGAL_GENERATION as kafkajs's fetch loop hands it on. Every event must be in
 * the Parquet once, read back with DuckDB.
 */
import { createRequire } from "node:module";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { beforeAll, expect, test } from "vitest";
import type { Bundle } from "../../edge/publish/bundle.node.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { committedTotal, fillTopic, produce, uniqueName } from "./harness.ts";
import { idsInParquet, publishIdNames, startLoggedRunner } from "./in-process-runner.ts";

let bundle: Bundle;
beforeAll(async () => {
  bundle = await publishIdNames("crash", 1);
}, 240_000);

// kafkajs's own modules, as the runner's consumer loads them (the same instances: kafkajs has no `exports` map).
const require = createRequire(import.meta.url);
const ConsumerGroup = require("kafkajs/src/consumer/consumerGroup.js") as { prototype: { joinAndSync(): Promise<void> } };
const { createErrorFromCode } = require("kafkajs/src/protocol/error.js") as { createErrorFromCode(code: number): Error };
const { KafkaJSProtocolError, KafkaJSNonRetriableError } = require("kafkajs/src/errors.js") as {
  KafkaJSProtocolError: new (e: Error) => Error;
  KafkaJSNonRetriableError: new (e: Error, o: { cause: Error }) => Error;
};

const key = (e: unknown) => String((e as { id: number }).id);
const events = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `n${from + i}` }));

test("rb15: kafkajs stopping the consumer for good on ILLEGAL_GENERATION while rejoining (CRASH with restart: false): the runner restarts it and reads on, every event once", { timeout: 300_000 }, async () => {
  const topic = uniqueName("rb15-crash");
  await fillTopic(topic, 2, [], () => "");
  const out = await mkdtemp(join(tmpdir(), "runnel-rb15-crash-out-"));
  const { runner, log, joins, ended } = await startLoggedRunner(bundle, topic, out);

  // Armed: the next rejoin of a consumer in this process fails once, as kafkajs's fetch loop hands on a
  // join that exhausted its retries (KafkaJSNonRetriableError, caused by the broker's ILLEGAL_GENERATION).
  const original = ConsumerGroup.prototype.joinAndSync;
  let armed = false;
  ConsumerGroup.prototype.joinAndSync = function (this: { memberId?: string | null }): Promise<void> {
    // Only a rejoin (a member that has joined before: the runner's), not the visitor's first join.
    if (!armed || !this.memberId) return original.call(this);
    armed = false;
    const answer = new KafkaJSProtocolError(createErrorFromCode(22));
    return Promise.reject(new KafkaJSNonRetriableError(answer, { cause: answer }));
  };
  const visitor = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).consumer({ groupId: topic });
  try {
    await expect.poll(joins, { timeout: 120_000, interval: 100 }).toBe(1);
    await produce(topic, events(0, 300), key);
    await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 250 }).toBe(300);

    // Another member joins: the group rebalances, and the runner's rejoin fails.
    armed = true;
    await visitor.connect();
    await visitor.subscribe({ topics: [topic], fromBeginning: true });
    await visitor.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async ({ pause }) => void pause() });
    await expect.poll(() => !armed && (ended() !== null || log.some((l) => l.includes("restarting it and rejoining"))), { timeout: 120_000, interval: 100 }).toBe(true);
    expect(ended(), log.join("\n")).toBe(null);
    await visitor.disconnect();

    // Rejoined, it holds both partitions again and reads on.
    await expect.poll(() => log.filter((l) => l.startsWith("joined group")).at(-1), { timeout: 120_000, interval: 100 }).toBe(`joined group ${topic}: partitions 0, 1`);
    await produce(topic, events(300, 300), key);
    await expect.poll(() => committedTotal(topic, topic), { timeout: 120_000, interval: 250 }).toBe(600);
    expect(ended(), log.join("\n")).toBe(null);
    await runner.stop();
  } finally {
    ConsumerGroup.prototype.joinAndSync = original;
    await visitor.disconnect().catch(() => undefined);
    await runner.stop().catch(() => undefined);
  }
  expect(log.join("\n")).toMatch(/the group rebalanced under the consumer and kafkajs stopped it \(Specified group generation id is not valid\); restarting it and rejoining group /);

  expect(await idsInParquet(out)).toEqual({ n: 600, ids: 600, lo: 0, hi: 599 });
});

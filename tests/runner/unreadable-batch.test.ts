/**
 * A record batch no codec reads, here one past MAX_BATCH_BYTES decompressed (80 MiB of zeros,
 * ~80 KB of gzip), among readable ones. The runner writes one dead letter for the batch (topic,
 * partition, offsets, why) under `_errors/`, commits past it and reads on: every readable event is
 * written once, in its partition before and after the batch and in the other partition, and a
 * second run over the same group writes nothing more.
 */
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { beforeAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { committedTotal, download, publish, startBundledRunner, uniqueName } from "./harness.ts";

let bundle: string;
beforeAll(async () => {
  bundle = await publish("pii-staging");
}, 240_000);

/** User n's id (the plan types `user_id` UUID) and a login of theirs. */
const userId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const account = (user: number, minute: number) => JSON.stringify({ event: "login", user_id: userId(user), email: `u${user}@example.com`, ts: `2026-12-01 10:${String(minute).padStart(2, "0")}:00` });

/**
 * Partition 0: a gzip batch of users 1 and 2 (offsets 0-1), the bomb (offset 2), user 3 (offset 3).
 * Partition 1: users 4, 5, 6 (offsets 0-2), each its own batch.
 */
async function topicWithBomb(): Promise<string> {
  const topic = uniqueName("unreadable-batch");
  const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  const gzip = CompressionTypes.GZIP;
  await producer.send({ topic, compression: gzip, messages: [{ partition: 0, value: account(1, 1) }, { partition: 0, value: account(2, 2) }] });
  const bomb = JSON.stringify({ event: "login", user_id: userId(99), ts: "2026-12-01 10:03:00", note: "0".repeat(80 * 1024 * 1024) });
  await producer.send({ topic, compression: gzip, messages: [{ partition: 0, value: bomb }] });
  await producer.send({ topic, compression: gzip, messages: [{ partition: 0, value: account(3, 4) }] });
  for (const [i, user] of [4, 5, 6].entries()) await producer.send({ topic, compression: gzip, messages: [{ partition: 1, value: account(user, 5 + i) }] });
  await producer.disconnect();
  return topic;
}

test("a record batch no codec reads is one dead letter naming its offsets; the runner commits past it and writes every readable event once", { timeout: 240_000 }, async () => {
  const topic = await topicWithBomb();
  const args = ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${topic}/`];
  const run = startBundledRunner(bundle, args);
  expect(await run.exited, run.output()).toBe(0);
  expect(run.output()).toContain("partition 0: offsets 2-2 are one record batch no codec reads (gzip: the batch decompresses to more than 64 MiB");

  const first = await download(`${topic}/`);
  const letterKeys = first.keys.filter((k) => k.startsWith("_errors/"));
  expect(letterKeys).toHaveLength(1);
  const letters = (await readFile(join(first.dir, ...letterKeys[0]!.split("/")), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as unknown);
  expect(letters).toEqual([
    {
      reason: `kafka: the record batch of topic ${topic}, partition 0, offsets 2-2 (1 record) cannot be read: gzip: the batch decompresses to more than 64 MiB (the most runnel reads in one batch); it is refused rather than read into memory; it is skipped`,
      raw: "",
      source: "accounts",
      // The batch's own time (the producer's), so a letter stored again after a crash is the same object.
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    },
  ]);
  const users = async (dir: string) => {
    const db = await openDuckDB({ threads: 1 });
    try {
      return (await db.read(`SELECT user_id::VARCHAR AS id FROM read_parquet('${dir}/staging/**/*.parquet') ORDER BY id`)).getRowObjectsJS().map((r) => r.id);
    } finally {
      db.close();
    }
  };
  expect(await users(first.dir)).toEqual([1, 2, 3, 4, 5, 6].map(userId));
  // Partition 0's four offsets and partition 1's three: the group has passed the batch.
  expect(await committedTotal(topic, topic)).toBe(7);

  // Nothing is read twice: a second run over the group finds nothing to do.
  const again = startBundledRunner(bundle, args);
  expect(await again.exited, again.output()).toBe(0);
  const second = await download(`${topic}/`);
  expect(second.keys.filter((k) => !k.startsWith("_state/")).sort()).toEqual(first.keys.filter((k) => !k.startsWith("_state/")).sort());
  expect(await users(second.dir)).toEqual([1, 2, 3, 4, 5, 6].map(userId));
});

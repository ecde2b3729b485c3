/**
 * A record batch that decompresses to far more than it weighs. The broker bounds a batch by its
 * compressed size only: a 80 KB gzip message of zeros passes its 1 MB limit and is 80 MiB in the
 * consumer (one at the limit, a gigabyte or more). The runner refuses it by name instead of reading
 * it into memory and stops, having written and committed nothing from it on (its events are data a
 * reader with more memory reads); the notebook's sample of the topic fails saying why instead of
 * holding it. Batches each under the limit that one fetch would decode past 512 MiB together are
 * read over several fetches.
 */
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { beforeAll, expect, test } from "vitest";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { committedTotal, download, publish, startBundledRunner, uniqueName } from "./harness.ts";

let bundle: string;
beforeAll(async () => {
  bundle = await publish("pii-staging");
}, 240_000);

/** A new one-partition topic holding `count` gzip batches, each one event with a `note` of `mib` MiB of zeros. */
async function gzipBombs(name: string, mib: number, count: number): Promise<string> {
  const topic = uniqueName(name);
  const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  // No `ts`: pii-staging keeps no row of it, so a readable one is read and left out, not a dead letter holding the note.
  const bomb = JSON.stringify({ user_id: "00000000-0000-4000-8000-000000000001", email: "a@example.com", note: "0".repeat(mib * 1024 * 1024) });
  for (let i = 0; i < count; i++) await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ key: "u-1", value: bomb }] });
  await producer.disconnect();
  return topic;
}

/** The notebook's sample of `topic` fails saying `reason`. */
async function expectSampleRefused(topic: string, reason: string): Promise<void> {
  const source = openKafkaSource({ kind: "kafka", name: "accounts", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 10, demo: null });
  try {
    await expect(source.sample(10)).rejects.toThrow(reason);
  } finally {
    await source.close();
  }
}

const runOver = (topic: string) => startBundledRunner(bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${topic}/`]);

test("a gzip batch past 64 MiB decompressed stops the runner with the reason, writing and committing nothing from it", { timeout: 180_000 }, async () => {
  // Its record is readable data (80 MiB of JSON): skipping it would lose an event DuckDB reads, so the runner stops and says why.
  const topic = await gzipBombs("gzip-bomb", 80, 1);
  const run = runOver(topic);
  expect(await run.exited, run.output()).toBe(1);
  expect(run.output()).toContain(`runner: a record batch of topic ${topic} cannot be read: gzip: the batch decompresses to more than 64 MiB`);
  expect((await download(`${topic}/`)).keys.filter((k) => !k.startsWith("_state/"))).toEqual([]);
  expect(await committedTotal(topic, topic)).toBe(0);
  await expectSampleRefused(topic, "gzip: the batch decompresses to more than 64 MiB");
});

test("batches each under 64 MiB that one fetch would decompress past 512 MiB together are read over two fetches; the sample refuses them", { timeout: 240_000 }, async () => {
  // kafkajs decodes every batch of a fetch before the consumer sees one: twelve ~60 KB gzip batches of 60 MiB each are 720 MiB at once.
  // The runner's fetch ends the partition's records where the budget runs out (eight), the next reads the other four.
  const topic = await gzipBombs("gzip-fetch-bomb", 60, 12);
  const run = runOver(topic);
  expect(await run.exited, run.output()).toBe(0);
  expect(run.output()).toMatch(/runner stopped: 12 events → 0 rows .* 0 dead letters/);
  expect(await committedTotal(topic, topic)).toBe(12);
  // The sample's last ten, 600 MiB, in one fetch of its own.
  await expectSampleRefused(topic, "gzip: the batches of one fetch decompress to more than 512 MiB");
});

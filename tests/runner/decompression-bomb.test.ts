/**
 * A record batch that decompresses to far more than it weighs. The broker bounds a batch by its
 * compressed size only: a 80 KB gzip message of zeros passes its 1 MB limit and is 80 MiB in the
 * consumer (one at the limit, a gigabyte or more). The runner refuses it by name and stops,
 * having written and committed nothing from it on, instead of reading it into memory; the
 * notebook's sample of the topic says the same instead of holding it.
 */
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { beforeAll, expect, test } from "vitest";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { download, publish, startBundledRunner, uniqueName } from "./harness.ts";

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
  const bomb = JSON.stringify({ user_id: "u-1", email: "a@example.com", note: "0".repeat(mib * 1024 * 1024) });
  for (let i = 0; i < count; i++) await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ key: "u-1", value: bomb }] });
  await producer.disconnect();
  return topic;
}

/** The runner over `topic` exits 1 saying `reason`, with no data object written, and the notebook's sample of it fails saying the same. */
async function expectRefused(topic: string, reason: string): Promise<void> {
  const run = startBundledRunner(bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${topic}/`]);
  expect(await run.exited, run.output()).toBe(1);
  expect(run.output()).toContain(`runner: a record batch of topic ${topic} cannot be read: ${reason}`);
  expect((await download(`${topic}/`)).keys.filter((k) => !k.startsWith("_state/"))).toEqual([]);

  const source = openKafkaSource({ kind: "kafka", name: "accounts", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 10, demo: null });
  try {
    await expect(source.sample(10)).rejects.toThrow(reason);
  } finally {
    await source.close();
  }
}

test("a gzip batch past 64 MiB decompressed stops the runner with the reason and writes nothing", { timeout: 180_000 }, async () => {
  await expectRefused(await gzipBombs("gzip-bomb", 80, 1), "gzip: the batch decompresses to more than 64 MiB");
});

test("batches each under 64 MiB that one fetch decompresses past 512 MiB together stop the runner and the sample too", { timeout: 240_000 }, async () => {
  // kafkajs decodes every batch of a fetch before the consumer sees one: twelve ~60 KB gzip batches of 60 MiB each are 720 MiB at once (the sample's last ten, 600 MiB).
  await expectRefused(await gzipBombs("gzip-fetch-bomb", 60, 12), "gzip: the batches of one fetch decompress to more than 512 MiB");
});

/**
 * Topics whose batches the broker stores compressed with Snappy, LZ4 or
 * ZSTD (the topic's `compression.type`: the broker recompresses every batch
 * with Kafka's own Java codecs, as a producer configured with them would
 * send). kafkajs alone crashes on all three; the notebook's sample and the
 * published runner must read them like any other topic.
 */
import { Kafka, logLevel } from "kafkajs";
import { beforeAll, describe, expect, test } from "vitest";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { compareWithDuckDB, download, produce, publish, readPlan, startBundledRunner, uniqueName } from "./harness.ts";

let pii: { bundle: string; plan: Plan };

beforeAll(async () => {
  const bundle = await publish("pii-staging");
  pii = { bundle, plan: await readPlan(bundle) };
}, 240_000);

const byUser = (e: unknown) => String((e as { user_id?: unknown }).user_id ?? "");

async function compressedTopic(codec: string): Promise<string> {
  const topic = uniqueName(`codec-${codec}`);
  const admin = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: "compression.type", value: codec }] }], waitForLeaders: true });
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ["compression.type"] }], includeSynonyms: false });
    expect(described.resources[0]!.configEntries[0]!.configValue).toBe(codec);
  } finally {
    await admin.disconnect();
  }
  return topic;
}

describe.each(["snappy", "lz4", "zstd"])("a topic compressed with %s", (codec) => {
  test("the runner writes exactly DuckDB's rows and the notebook's sample reads the newest messages", { timeout: 180_000 }, async () => {
    const topic = await compressedTopic(codec);
    // Batches of 2,000 events (~500 KB before compression) span many of the codec's blocks.
    const events = demoEvents({ generator: "pii", rate: 50, seed: 23 }, 0, 6_000);
    await produce(topic, events, byUser);

    const run = startBundledRunner(pii.bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${topic}/`]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/runner stopped: 6000 events/);
    const { dir, keys } = await download(`${topic}/`);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c.expected).toBeGreaterThan(4_000);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });

    const source = openKafkaSource({ kind: "kafka", name: "accounts", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 1000, demo: null });
    try {
      const sample = await source.sample(500);
      expect(sample).toHaveLength(500);
      expect(sample.every((e) => e.ok)).toBe(true);
      const sent = new Set(events.map((e) => JSON.stringify(e)));
      expect(sample.filter((e) => e.ok && sent.has(JSON.stringify(e.value)))).toHaveLength(500);
    } finally {
      await source.close();
    }
  });
});

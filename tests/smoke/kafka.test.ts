import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { kafka as config } from "../servers/config.ts";

describe("the test Kafka broker", () => {
  const client = new Kafka({ clientId: "runnel-smoke", brokers: [...config.brokers], logLevel: logLevel.ERROR });
  const topic = `smoke-${randomUUID()}`;
  let admin: Admin;

  beforeAll(async () => {
    admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  test("lists the topic a test created, with its partitions", async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1]);
  });

  test("delivers a produced message, key and headers included, to a consumer group", async () => {
    const producer = client.producer();
    await producer.connect();
    const value = JSON.stringify({ station: "59 ST", entries: 7 });
    await producer.send({ topic, messages: [{ key: "59 ST", value, headers: { source: "smoke" }, partition: 1 }] });
    await producer.disconnect();

    const consumer = client.consumer({ groupId: `smoke-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; header: string; partition: number }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) =>
          resolve({
            key: message.key?.toString() ?? "",
            value: message.value?.toString() ?? "",
            header: message.headers?.source?.toString() ?? "",
            partition,
          }),
      });
    });
    await consumer.disconnect();
    expect(received).toEqual({ key: "59 ST", value, header: "smoke", partition: 1 });
  });
});

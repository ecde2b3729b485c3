/**
 * What the Schema Registry framing tests share (`fix8-framed-scalars`, `fix8-scalar-topic`): a value
 * framed as Confluent's serializers frame it, a notebook over one topic, a topic made and deleted
 * around a test, publishing a bundle with the CLI, and the dead letters a run wrote.
 */
import { spawnSync } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel, uniqueName } from "./harness.ts";

const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });

/** A value as Confluent's serializers frame it: magic byte 0, the schema id as 4 bytes big-endian, the payload. */
export function framed(schemaId: number, payload: string | Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, typeof payload === "string" ? Buffer.from(payload) : payload]);
}

export const notebook = (topic: string, select: string) => `---
title: Framed scalars
sources:
  ev:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
---

\`\`\`sql id=out sink=out
${select}
\`\`\`
`;

export async function withTopic<T>(values: Buffer[], body: (topic: string) => Promise<T>): Promise<T> {
  const topic = uniqueName("framed-scalars");
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
    return await body(topic);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

export function publishBundle(dir: string, name: string, sample: string[]): string {
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, `${name}.md`), "--out", join(dir, "dist"), ...sample], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return join(dir, "dist", name);
}

export async function lettersUnder(out: string): Promise<{ reason: string; raw: string }[]> {
  const files = (await readdir(out, { recursive: true })).map(String).filter((f) => f.includes("_errors") && f.endsWith(".ndjson"));
  const text = (await Promise.all(files.map((f) => readFile(join(out, f), "utf8")))).join("");
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { reason: string; raw: string });
}

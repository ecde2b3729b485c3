/**
 * A topic whose records are all one kind of JSON scalar (a JSON Schema serializer with a
 * `{"type": "string"}` schema, framed or not): DuckDB's read_json types it as one column `json`
 * of that kind (VARCHAR for strings, BIGINT for integers). Check and publish failed on it
 * ("Expected OBJECT, but got VARCHAR"): the sample's loader marked the whole-record column only
 * when DuckDB typed it JSON. Needs the fix8 diffs of decode.ts (framed scalars) and of
 * load-events.node.ts, convert.ts and check.node.ts (one-kind scalar records).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel, startBundledRunner, uniqueName } from "./harness.ts";

const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });

/** A value as Confluent's serializers frame it: magic byte 0, the schema id as 4 bytes big-endian, the payload. */
function framed(schemaId: number, payload: string | Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, typeof payload === "string" ? Buffer.from(payload) : payload]);
}

const notebook = (topic: string, select: string) => `---
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

async function withTopic<T>(values: Buffer[], body: (topic: string) => Promise<T>): Promise<T> {
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

function publishBundle(dir: string, name: string, sample: string[]): string {
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, `${name}.md`), "--out", join(dir, "dist"), ...sample], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return join(dir, "dist", name);
}

async function lettersUnder(out: string): Promise<{ reason: string; raw: string }[]> {
  const files = (await readdir(out, { recursive: true })).map(String).filter((f) => f.includes("_errors") && f.endsWith(".ndjson"));
  const text = (await Promise.all(files.map((f) => readFile(join(out, f), "utf8")))).join("");
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { reason: string; raw: string });
}

describe("a topic of one kind of JSON scalar", () => {
  for (const [kind, texts] of [
    ["strings", ['"abc"', '"d\u00e9f"', '"a \\"quoted\\" word"', '""']],
    ["integers", ["42", "-7", "9007199254740993", "0"]],
  ] as const) {
    test(`a topic of ${kind}, some framed by a Schema Registry serializer, publishes from its own records and the runner writes what DuckDB's read_json answers for them`, { timeout: 120_000 }, async () => {
      const values = texts.map((t, i) => (i % 2 === 0 ? framed(3, t) : Buffer.from(t)));
      await withTopic(values, async (topic) => {
        const dir = await mkdtemp(join(tmpdir(), "runnel-scalar-topic-"));
        await writeFile(join(dir, "scalars.md"), notebook(topic, "SELECT json AS v FROM ev"));
        // No --sample: publish reads the topic's newest records as the notebook's sample reads them.
        const bundle = publishBundle(dir, "scalars", []);
        const out = await mkdtemp(join(tmpdir(), "runnel-scalar-topic-out-"));
        const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `out=fs:${out}`]);
        expect(await run.exited, run.output()).toBe(0);
        expect(await lettersUnder(out)).toEqual([]);
        await writeFile(join(dir, "unframed.ndjson"), texts.join("\n") + "\n");
        const db = await openDuckDB({ threads: 1 });
        try {
          const types = (await db.read(`SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet('${out}/**/*.parquet'))`)).getRows();
          const expectedTypes = (await db.read(`SELECT column_type FROM (DESCRIBE SELECT json AS v FROM read_json('${join(dir, "unframed.ndjson")}'))`)).getRows();
          expect(types).toEqual(expectedTypes);
          const written = (await db.read(`SELECT v::VARCHAR AS v FROM read_parquet('${out}/**/*.parquet') ORDER BY v`)).getRows();
          const expected = (await db.read(`SELECT json::VARCHAR AS v FROM read_json('${join(dir, "unframed.ndjson")}') ORDER BY v`)).getRows();
          expect(expected).toHaveLength(4);
          expect(written).toEqual(expected);
        } finally {
          db.close();
        }
      });
    });
  }
});

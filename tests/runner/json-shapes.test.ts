/**
 * JSON message values as real producers write them, read by the published Kafka runner and by the
 * notebook's Kafka source alike: Confluent's Schema Registry framing around JSON (its JSON Schema
 * serializer writes a zero byte and a 4-byte schema id before the JSON; the header is written here by
 * hand, the format is public), and an object with a key twice, which DuckDB's read_json refuses.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel, startBundledRunner, uniqueName } from "./harness.ts";

const NOTEBOOK = `---
title: JSON shapes
sources:
  ev:
    kafka: { topic: shapes, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
---

\`\`\`sql id=out sink=out
SELECT id, name FROM ev
\`\`\`
`;

let bundle: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-shapes-"));
  await writeFile(join(dir, "shapes.md"), NOTEBOOK);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n');
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, "shapes.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  bundle = join(dir, "dist", "shapes");
}, 240_000);

const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });

/** A value as Confluent's serializers frame it: magic byte 0, the schema id as 4 bytes big-endian, the payload. */
function framed(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

const values: Buffer[] = [
  Buffer.from('{"id": 1, "name": "plain"}'),
  framed(7, Buffer.from('{"id": 2, "name": "registry"}')),
  framed(7, Buffer.from('[{"id": 3, "name": "registry array"}, {"id": 4, "name": "registry array"}]')),
  // Avro's binary encoding of {"id": 5, "name": "avro"}: zigzag 5, then a string of length 4.
  framed(8, Buffer.from([0x0a, 0x08, 0x61, 0x76, 0x72, 0x6f])),
  Buffer.from('{"id": 6, "name": "first", "name": "second"}'),
  framed(7, Buffer.from('{"id": 7, "id": 8, "name": "registry twice"}')),
  Buffer.from('{"id": 9, "name": "last"}'),
];

const reasons = [
  "decode: the value starts with a Schema Registry header (magic byte 0, schema id 8) and is not JSON (Avro or Protobuf?); runnel reads JSON messages",
  'decode: Object {"id":6,"name":"first","name":"second"} has duplicate key "name"',
  'decode: Object {"id":7,"id":8,"name":"registry twice"} has duplicate key "id"',
];

describe("JSON values as producers frame and write them", () => {
  test("the runner writes the JSON behind a Schema Registry header, dead-letters Avro and a key written twice in DuckDB's words; the notebook's sample reads the same", { timeout: 120_000 }, async () => {
    const topic = uniqueName("json-shapes");
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic, messages: values.map((value) => ({ value })) });
      await producer.disconnect();

      const out = await mkdtemp(join(tmpdir(), "runnel-shapes-out-"));
      const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `out=fs:${out}`]);
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/runner stopped: 8 events → 5 rows .* 3 dead letters/);
      const db = await openDuckDB({ threads: 1 });
      try {
        const rows = (await db.read(`SELECT id::INTEGER AS id, name FROM read_parquet('${out}/**/*.parquet') ORDER BY id`)).getRowObjectsJS();
        expect(rows).toEqual([
          { id: 1, name: "plain" },
          { id: 2, name: "registry" },
          { id: 3, name: "registry array" },
          { id: 4, name: "registry array" },
          { id: 9, name: "last" },
        ]);
      } finally {
        db.close();
      }
      const errors = (await readdir(out, { recursive: true })).map(String).filter((f) => f.includes("_errors") && f.endsWith(".ndjson"));
      const letters = (await Promise.all(errors.map((f) => readFile(join(out, f), "utf8")))).join("").trim().split("\n").map((l) => JSON.parse(l) as { reason: string; raw: string });
      expect(letters.map((l) => l.reason).sort()).toEqual([...reasons].sort());
      expect(letters.find((l) => l.reason.includes('"name"'))!.raw).toBe('{"id": 6, "name": "first", "name": "second"}');

      const source = openKafkaSource({ kind: "kafka", name: "ev", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 100, demo: null });
      try {
        const sample = await source.sample(100);
        expect(sample.filter((e) => e.ok).map((e) => (e.ok ? e.value : null))).toEqual([
          { id: 1, name: "plain" },
          { id: 2, name: "registry" },
          { id: 3, name: "registry array" },
          { id: 4, name: "registry array" },
          { id: 9, name: "last" },
        ]);
        expect(sample.flatMap((e) => (e.ok ? [] : [e.error])).sort()).toEqual([...reasons].sort());
      } finally {
        await source.close();
      }
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

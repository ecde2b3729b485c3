/**
 * A Kafka value in Confluent's Schema Registry framing (a zero byte, a 4-byte schema id) whose JSON
 * is a scalar: Confluent's JSON Schema serializer frames whatever value its schema allows, so a
 * topic whose schema is `{"type": "string"}` (or a number, a boolean, a nullable) holds framed
 * `"abc"`, `42`, `null`. A reader that strips the header must read it as the same JSON unframed:
 * the runner, the notebook's Kafka source (its sample, so the check and publish) alike. Avro or
 * Protobuf after the header is still refused with words naming them.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { lettersUnder, framed, notebook, publishBundle, withTopic } from "./framed-topic.ts";
import { startBundledRunner } from "./harness.ts";

describe("a JSON scalar behind a Schema Registry header", () => {
  test("on a topic of objects, a framed scalar or null is read as the same value unframed: a null is a row of NULLs, a string or number the dead letter the unframed one is; Avro is still named", { timeout: 120_000 }, async () => {
    const values = [
      framed(7, '{"id": 1, "name": "registry"}'),
      framed(7, '"abc"'),
      Buffer.from('"abc"'),
      framed(7, "42"),
      Buffer.from("42"),
      framed(7, "null"),
      Buffer.from("null"),
      // Avro's binary encoding of {"id": 5, "name": "avro"}: zigzag 5, then a string of length 4.
      framed(8, Buffer.from([0x0a, 0x08, 0x61, 0x76, 0x72, 0x6f])),
    ];
    await withTopic(values, async (topic) => {
      const dir = await mkdtemp(join(tmpdir(), "runnel-framed-"));
      await writeFile(join(dir, "objects.md"), notebook(topic, "SELECT id, name FROM ev"));
      await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n');
      const bundle = publishBundle(dir, "objects", ["--sample", `ev=${join(dir, "sample.ndjson")}`]);

      const out = await mkdtemp(join(tmpdir(), "runnel-framed-out-"));
      const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `out=fs:${out}`]);
      expect(await run.exited, run.output()).toBe(0);
      const db = await openDuckDB({ threads: 1 });
      try {
        const rows = (await db.read(`SELECT id::INTEGER AS id, name FROM read_parquet('${out}/**/*.parquet') ORDER BY id NULLS LAST`)).getRows();
        expect(rows).toEqual([
          [1, "registry"],
          [null, null],
          [null, null],
        ]);
      } finally {
        db.close();
      }
      const reasons = (await lettersUnder(out)).map((l) => l.reason).sort();
      const avro = "decode: the value starts with a Schema Registry header (magic byte 0, schema id 8) and is not JSON (Avro or Protobuf?); runnel reads JSON messages";
      // Each scalar's letter twice: the framed one says what the unframed one says.
      expect(reasons).toEqual([avro, "out: event is a number, not a JSON object: 42", "out: event is a number, not a JSON object: 42", 'out: event is a string, not a JSON object: "abc"', 'out: event is a string, not a JSON object: "abc"'].sort());

      const source = openKafkaSource({ kind: "kafka", name: "ev", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 100, demo: null });
      try {
        const sample = await source.sample(100);
        expect(sample.map((e) => (e.ok ? e.value : e.error))).toEqual([{ id: 1, name: "registry" }, "abc", "abc", 42, 42, null, null, avro]);
      } finally {
        await source.close();
      }
    });
  });

  test("a topic of framed scalars (a JSON Schema of strings or integers) publishes from its own records and the runner writes what DuckDB's read_json answers for the same JSON unframed", { timeout: 120_000 }, async () => {
    const texts = ['"abc"', '"d\u00e9f"', '"a \\"quoted\\" word"', '""', "42", "-7"];
    await withTopic(texts.map((t) => framed(3, t)), async (topic) => {
      const dir = await mkdtemp(join(tmpdir(), "runnel-framed-"));
      await writeFile(join(dir, "strings.md"), notebook(topic, "SELECT json AS v FROM ev"));
      // No --sample: publish reads the topic's newest records as the notebook's sample reads them.
      const bundle = publishBundle(dir, "strings", []);

      const out = await mkdtemp(join(tmpdir(), "runnel-framed-out-"));
      const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `out=fs:${out}`]);
      expect(await run.exited, run.output()).toBe(0);
      expect(await lettersUnder(out)).toEqual([]);
      await writeFile(join(dir, "unframed.ndjson"), texts.join("\n") + "\n");
      const db = await openDuckDB({ threads: 1 });
      try {
        const written = (await db.read(`SELECT v::VARCHAR FROM read_parquet('${out}/**/*.parquet') ORDER BY v::VARCHAR`)).getRows();
        const expected = (await db.read(`SELECT json::VARCHAR AS v FROM read_json('${join(dir, "unframed.ndjson")}') ORDER BY v`)).getRows();
        expect(expected).toHaveLength(6);
        expect(written).toEqual(expected);
      } finally {
        db.close();
      }
    });
  });
});

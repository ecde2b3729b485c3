/**
 * A topic as Java and Python producers fill it: NaN and Infinity (Python's json.dumps), 1e400,
 * integers past BIGINT, escapes, a lone surrogate, a byte order mark, trailing newlines, empty and
 * blank values, arrays, a 1.5 MB record, batches in every codec, tombstones, keys that are not UTF-8
 * and headers repeated. Published from the topic's own sample (so `runnel check` runs on them) and
 * run to the S3 server: the Parquet DuckDB reads back must be DuckDB's read_json of each value, and
 * the notebook's view (its Kafka source's events loaded into DuckDB) must be the same rows.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { describe, expect, test } from "vitest";
import { loadEvents, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { registerKafkaCodecs } from "../../edge/runner/kafka-codecs.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { download, runnel, startBundledRunner, uniqueName } from "./harness.ts";

const notebook = (topic: string) => `---
title: Messy topic
sources:
  ev:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  everything:
    fs: { dir: out/everything }
---

\`\`\`sql id=everything sink=everything
SELECT * FROM ev
\`\`\`
`;

const big = "x".repeat(1_500_000);
/** Each value as its producer wrote it; `null` a tombstone. */
const VALUES: (Buffer | null)[] = [
  Buffer.from('{"id":1,"f":NaN,"s":"python"}'),
  Buffer.from('{"id":2,"f":-Infinity,"s":"python"}'),
  Buffer.from('{"id":3,"f":Infinity,"s":"python"}'),
  Buffer.from('{"id":4,"f":1e400,"s":"java"}'),
  Buffer.from('{"id":5,"f":1.5,"big":123456789012345678901234567890,"s":"caf\\u00e9 \\ud83d\\ude00"}'),
  Buffer.from('{"id":6,"f":2,"s":"lone \\ud800"}'),
  Buffer.from('\ufeff{"id":7,"f":3,"s":"bom"}'),
  Buffer.from('{"id":8,"f":4,"s":"newline"}\n'),
  Buffer.from('{"id":9,"f":5,"s":"crlf"}\r\n'),
  Buffer.from(""),
  Buffer.from("  \n"),
  Buffer.from('[{"id":10,"f":6,"s":"array"},{"id":11,"f":7,"s":"array"}]'),
  Buffer.from("[]"),
  Buffer.from(`{"id":12,"f":8,"s":"${big}"}`),
  null,
  Buffer.from('{"id":13,"f":9,"s":"nul \\u0000 inside","big":-1}'),
  Buffer.from('{"id":14,"f":10,"s":"trailing comma",}'),
  Buffer.from('{"id":15,"f":-0.0,"s":"negative zero","big":18446744073709551616}'),
  Buffer.from("null"),
  Buffer.from('{"id":16,"f":1E-400,"s":"underflow"}'),
];

describe("a topic of messy records from real producers", () => {
  test("the runner writes DuckDB's read_json of each value, the notebook's view is the same rows, and the rest are dead letters", { timeout: 300_000 }, async () => {
    registerKafkaCodecs();
    const topic = uniqueName("kafka9-messy");
    const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: String(4 * 1024 * 1024) }] }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client.producer();
    await producer.connect();
    const codecs = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD];
    for (let i = 0; i < VALUES.length; i += 4) {
      await producer.send({
        topic,
        compression: codecs[(i / 4) % codecs.length],
        messages: VALUES.slice(i, i + 4).map((value, j) => ({
          key: j % 2 === 0 ? Buffer.from([0xff, 0xfe, i + j]) : `k${i + j}`,
          value,
          headers: { trace: ["a", "b"], "": Buffer.from([0xff]) },
        })),
      });
    }
    await producer.disconnect();

    const dir = await mkdtemp(join(tmpdir(), "kafka9-"));
    await writeFile(join(dir, "messy.md"), notebook(topic));
    const pub = spawnSync(process.execPath, [runnel, "publish", join(dir, "messy.md"), "--out", join(dir, "dist")], { encoding: "utf8" });
    expect(pub.status, pub.stdout + pub.stderr).toBe(0);
    const bundle = join(dir, "dist", "messy");
    const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
    const schema = plan.sources.ev!.schema;
    expect(schema).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "f", type: "DOUBLE" },
      { name: "s", type: "VARCHAR" },
      { name: "big", type: "DOUBLE" },
    ]);

    const run = startBundledRunner(bundle, ["--until-caught-up", "--topic", topic, "--group", topic, "--sink", `everything=s3://${s3Config.bucket}/${topic}/`]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain("runner stopped: 20 events → 16 rows in 1 file (");
    expect(run.output()).toContain("; 4 dead letters");
    const { dir: got, keys } = await download(`${topic}/`);
    const letters = [];
    for (const key of keys.filter((k) => k.startsWith("_errors/"))) letters.push(...decodeDeadLetters(await readFile(join(got, ...key.split("/")))));
    const reasons = [
      "decode: not JSON as DuckDB reads it (json: no low surrogate in string, or a low one without its high one at offset 18)",
      "kafka: message value is empty (0 bytes)",
      "decode: not JSON (Unexpected end of JSON input)",
      // A key that is not UTF-8 in hex: its lossy reading ("\ufffd\ufffd\u000e") could not be looked up.
      "kafka: message has no value (a tombstone) at offset 14, key bytes fffe0e (not UTF-8)",
    ];
    expect(letters.map((l) => l.reason)).toEqual(reasons);
    expect(letters.map((l) => l.raw)).toEqual(['{"id":6,"f":2,"s":"lone \\ud800"}', "", "  \n", ""]);

    const source = openKafkaSource({ kind: "kafka", name: "ev", topic, brokers: [...kafkaConfig.brokers], format: "json", sampleSize: 100, demo: null });
    const sample = await source.sample(100);
    await source.close();
    // The notebook's sample refuses the same records with the same words.
    expect(sample.flatMap((e) => (e.ok ? [] : [e.error]))).toEqual(reasons);

    const db = await openDuckDB({ threads: 1 });
    try {
      const columns = `{${schema.map((c) => `${quoteIdent(c.name).replaceAll('"', "'")}: '${c.type.replaceAll("'", "''")}'`).join(", ")}}`;
      const oracle: string[] = [];
      const refused: string[] = [];
      for (const [i, value] of VALUES.entries()) {
        if (value === null) continue;
        const file = join(dir, `v${i}.json`);
        await writeFile(file, value);
        try {
          await db.run(`CREATE OR REPLACE TABLE v AS SELECT * FROM read_json('${file}', columns=${columns}, format='auto')`);
          oracle.push(`SELECT * FROM v${i}`);
          await db.run(`CREATE TABLE v${i} AS SELECT * FROM v`);
        } catch (error) {
          refused.push(`${i}: ${(error as Error).message.split("\n")[0]}`);
        }
      }
      // read_json refuses the lone surrogate too; it reads an empty or blank value as no rows.
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(/^5: .*no low surrogate in string/);
      await db.run(`CREATE TABLE expected AS ${oracle.join(" UNION ALL ")}`);
      const sinkOp = plan.pipelines[0]!.ops.at(-1) as SinkOp;
      await db.run(`CREATE TABLE actual AS ${datasetSql(`${got}/everything/**/*.parquet`, sinkOp.schema, sinkOp.partitionBy)}`);
      await loadEvents(db, "ev", sample.flatMap((e) => (e.ok ? [e.value] : [])), { schema });
      await db.run(`CREATE TABLE notebook AS SELECT * FROM ev`);
      const text = (t: string) => `SELECT ${schema.map((c) => `${quoteIdent(c.name)}::VARCHAR`).join(", ")} FROM ${t}`;
      const diff = async (a: string, b: string) => (await db.read(`SELECT * FROM (${text(a)} EXCEPT ALL ${text(b)})`)).getRowsJson();
      expect(await diff("expected", "actual")).toEqual([]);
      expect(await diff("actual", "expected")).toEqual([]);
      expect(await diff("notebook", "actual")).toEqual([]);
      expect(await diff("actual", "notebook")).toEqual([]);
      expect((await db.read("SELECT count(*)::INTEGER FROM actual")).getRows()[0]![0]).toBe(16);
      // NaN and the infinities as written, 1e400 as Infinity, an integer past BIGINT as a DOUBLE, as read_json reads them.
      const read = (await db.read(`SELECT id::INTEGER, f::VARCHAR, big::VARCHAR, length(s)::INTEGER FROM actual WHERE id IN (1, 2, 4, 5, 12, 15) ORDER BY id`)).getRows();
      expect(read).toEqual([
        [1, "nan", null, 6],
        [2, "-inf", null, 6],
        [4, "inf", null, 4],
        [5, "1.5", "1.2345678901234568e+29", 6],
        [12, "8.0", null, 1_500_000],
        [15, "-0.0", "1.8446744073709552e+19", 13],
      ]);
    } finally {
      db.close();
    }
  });
});

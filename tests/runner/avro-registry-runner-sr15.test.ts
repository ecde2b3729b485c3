/**
 * The runner over a topic framed for a Schema Registry whose schema evolved (needs the
 * partition-engine.ts diff in .tmp-hunt/s15/sr15/REPORT.md: the engine looks up each segment's
 * writer schemas before decoding it). The engine, in its worker thread, and the bundle `runnel
 * publish` makes (which records the registry, not a schema) both write what DuckDB answers over the
 * same events as JSON; an id the registry does not know and a value without a header are dead
 * letters naming the id and the registry.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type KafkaMessage } from "kafkajs";
import { expect, test } from "vitest";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { workerEngines } from "../../edge/runner/engine-client.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import type { Segment } from "../../edge/runner/partition-engine.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { kafka as kafkaConfig, registry as registryConfig } from "../servers/config.ts";
import { EVENTS, notebookText, registryTopic, SELECT, UNKNOWN_ID } from "./avro-registry-sr15-topic.ts";
import { closedPort } from "../servers/ports.ts";
import { lettersUnder, publishBundle } from "./framed-topic.ts";
import { startBundledRunner } from "./harness.ts";

const shown = (rows: unknown[][]) => JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? v.toString() : v));

/** DuckDB's answer to the cell over the events as JSON text (v1 and v2 rows in one file, as read_json unions them). */
async function expectedRows(dir: string): Promise<string> {
  const db = await openDuckDB({ threads: 1 });
  try {
    const file = join(dir, "orders.ndjson");
    await writeFile(file, EVENTS.map((e) => e.json).join("\n") + "\n");
    await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${file}')`);
    const rows = (await db.read(`SELECT * FROM (${SELECT}) ORDER BY id`)).getRows();
    expect(rows).toHaveLength(EVENTS.length);
    return shown(rows);
  } finally {
    db.close();
  }
}

async function writtenRows(out: string): Promise<string> {
  const db = await openDuckDB({ threads: 1 });
  try {
    return shown((await db.read(`SELECT * FROM read_parquet('${out}/**/*.parquet', union_by_name = true) ORDER BY id`)).getRows());
  } finally {
    db.close();
  }
}

const letterReasons = (values: Buffer[]) => [
  `decode: Avro value of ${values[4]!.length} bytes cannot be read: schema id ${UNKNOWN_ID} is not in the Schema Registry at ${registryConfig.url} (it answered 404: No content with id/hash 'contentId-${UNKNOWN_ID}' was found.)`,
  `decode: Avro value of ${values[5]!.length} bytes cannot be read: the value has no Schema Registry header (a zero byte, then the schema id), and sources.orders.avro.registry says every value carries one`,
];

test("sr15: the runner's engine reads each value with its writer's schema from the registry and writes DuckDB's answer over the same events as JSON; unknown ids are dead letters", { timeout: 180_000 }, async () => {
  const { topic, values, remove } = await registryTopic();
  try {
    const dir = await mkdtemp(join(tmpdir(), "runnel-sr15-"));
    const parsed = parseNotebook(notebookText(topic, registryConfig.url), join(dir, "orders.md"));
    expect(parsed.issues).toEqual([]);
    const spec = parsed.notebook.sources.orders!;
    if (spec.kind !== "kafka") throw new Error("expected a Kafka source");
    const source = openKafkaSource(spec, "runnel-sr15");
    let sample;
    try {
      sample = await source.sample(100);
    } finally {
      await source.close();
    }
    const report = await checkNotebook(parsed.notebook, { samples: { orders: sample.flatMap((e) => (e.ok ? [e.value] : [])) }, library: defaultLibrary, random: { batches: 2, size: 4, seed: 15 } });
    expect(report.steps.filter((s) => !s.agree).map((s) => `${s.step}: ${s.detail}`)).toEqual([]);

    const messages: KafkaMessage[] = [];
    const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId: topic, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length === values.length) resolve();
        },
      });
    });
    await consumer.disconnect();

    const out = await mkdtemp(join(tmpdir(), "runnel-sr15-out-"));
    const sinkSpec = parseSinkOverride(`fs:${out}`, parsed.notebook.sinks.lake!);
    const engines = workerEngines({ plan: report.plan, topic, source: { name: "orders", format: spec.format, avro: spec.avro! } }, { lake: { spec: sinkSpec, opened: openSink(sinkSpec) } }, 1);
    try {
      const segment: Segment = {
        values: new Uint8Array(Buffer.concat(messages.map((m) => m.value!))),
        lengths: Int32Array.from(messages.map((m) => m.value!.length)),
        offsets: BigInt64Array.from(messages.map((m) => BigInt(m.offset))),
        timestamps: Float64Array.from(messages.map((m) => Number(m.timestamp))),
      };
      await engines.call(0, { op: "open", id: 1, partition: 0, writerName: `${topic}.0`, snapshot: null });
      await engines.call(0, { op: "run", id: 1, segment, autoSeal: false });
      await engines.call(0, { op: "seal", id: 1, final: true, ifDue: false });
      await engines.call(0, { op: "write", id: 1 });
    } finally {
      await engines.close();
    }
    expect(await writtenRows(out)).toBe(await expectedRows(dir));
    expect((await lettersUnder(out)).map((l) => l.reason)).toEqual(letterReasons(values));
  } finally {
    await remove();
  }
});

test("sr15: runnel publish samples the registry's topic and records the registry in the bundle; the bundle's runner writes DuckDB's answer over the same events as JSON", { timeout: 240_000 }, async () => {
  const { topic, values, remove } = await registryTopic();
  try {
    const dir = await mkdtemp(join(tmpdir(), "runnel-sr15-cli-"));
    await writeFile(join(dir, "orders.md"), notebookText(topic, "SR15_REGISTRY"));
    const url = new URL(registryConfig.url);
    url.username = "runnel";
    url.password = "s3cret-sr15";
    process.env.SR15_REGISTRY = url.href;
    let bundle: string;
    try {
      bundle = publishBundle(dir, "orders", []);
    } finally {
      delete process.env.SR15_REGISTRY;
    }
    const manifest = JSON.parse(await (await import("node:fs/promises")).readFile(join(bundle, "bundle.json"), "utf8"));
    // The variable's name goes into the bundle, never the URL it holds with its credentials.
    expect(manifest.sources.orders.avro).toEqual({ registry: "SR15_REGISTRY" });

    const out = await mkdtemp(join(tmpdir(), "runnel-sr15-cli-out-"));
    const run = startBundledRunner(bundle, ["--until-caught-up", "--group", topic, "--sink", `lake=fs:${out}`], { SR15_REGISTRY: url.href });
    expect(await run.exited, run.output()).toBe(0);
    expect(await writtenRows(out)).toBe(await expectedRows(dir));
    const reasons = letterReasons(values).map((r) => r.replace(`at ${registryConfig.url} (it`, `at ${registryConfig.url} (from SR15_REGISTRY) (it`));
    expect((await lettersUnder(out)).map((l) => l.reason)).toEqual(reasons);
    expect(run.output()).not.toContain("s3cret-sr15");
  } finally {
    await remove();
  }
});

test("sr15: a registry the runner cannot ask fails the engine's run with words naming its URL: nothing is written and no value is made a dead letter, so the partition is read again", { timeout: 120_000 }, async () => {
  const { topic, values, remove } = await registryTopic();
  try {
    const closed = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
    const parsed = parseNotebook(notebookText(topic, closed), "orders.md");
    const spec = parsed.notebook.sources.orders!;
    if (spec.kind !== "kafka") throw new Error("expected a Kafka source");
    const report = await checkNotebook(parsed.notebook, { samples: { orders: EVENTS.map((e) => JSON.parse(e.json.replace(/1152921504606846977/, "3"))) }, library: defaultLibrary, random: { batches: 1, size: 1, seed: 15 } });
    const out = await mkdtemp(join(tmpdir(), "runnel-sr15-down-"));
    const sinkSpec = parseSinkOverride(`fs:${out}`, parsed.notebook.sinks.lake!);
    const engines = workerEngines({ plan: report.plan, topic, source: { name: "orders", format: spec.format, avro: spec.avro! } }, { lake: { spec: sinkSpec, opened: openSink(sinkSpec) } }, 1);
    try {
      const segment: Segment = {
        values: new Uint8Array(Buffer.concat(values)),
        lengths: Int32Array.from(values.map((v) => v.length)),
        offsets: BigInt64Array.from(values.map((_, i) => BigInt(i))),
        timestamps: Float64Array.from(values.map(() => 1_700_000_000_000)),
      };
      await engines.call(0, { op: "open", id: 1, partition: 0, writerName: `${topic}.0`, snapshot: null });
      await expect(engines.call(0, { op: "run", id: 1, segment, autoSeal: false })).rejects.toThrow(new RegExp(`^avro: cannot look up schema id \\d+ in the Schema Registry at ${closed} \\(sources\\.orders\\.avro\\.registry\\): ECONNREFUSED$`));
      // The engine read nothing of the segment: a seal has nothing to write.
      expect(await engines.call(0, { op: "seal", id: 1, final: false, ifDue: false })).toMatchObject({ events: 0, rows: 0, deadLetters: 0, sealed: [] });
    } finally {
      await engines.close();
    }
    expect(await lettersUnder(out)).toEqual([]);
  } finally {
    await remove();
  }
});

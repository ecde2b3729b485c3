/**
 * A Kafka runner of a published bundle started in this process (so a test can reach into kafkajs), with
 * one sink `out` into a local folder and its log kept: what the tests that make kafkajs fail on cue start from.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { loadBundle, type Bundle } from "../../edge/publish/bundle.node.ts";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import { startKafkaRunner, type KafkaRunnerOptions } from "../../edge/runner/kafka.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel } from "./harness.ts";

/**
 * The published bundle of a notebook reading JSON `{id, name}` events from Kafka into one sink `out` (a
 * local folder) every `flushSeconds`, as `runnel publish` writes it: what these tests run.
 */
export async function publishIdNames(name: string, flushSeconds: number): Promise<Bundle> {
  const notebook = [
    "---",
    `title: ${name}`,
    "sources:",
    "  ev:",
    `    kafka: { topic: ${name}, brokers: ["${kafkaConfig.brokers[0]}"] }`,
    "    format: json",
    "sinks:",
    "  out:",
    "    fs: { dir: out, prefix: ev/ }",
    `    flush: { seconds: ${flushSeconds} }`,
    "---",
    "",
    "```sql id=out sink=out",
    "SELECT id, name FROM ev",
    "```",
    "",
  ].join("\n");
  const dir = await mkdtemp(join(tmpdir(), `runnel-${name}-`));
  await writeFile(join(dir, `${name}.md`), notebook);
  await writeFile(join(dir, "sample.ndjson"), '{"id": 1, "name": "a"}\n');
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, `${name}.md`), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return loadBundle(join(dir, "dist", name));
}

/** The Parquet files under `dir`, relative to it. */
export async function parquetFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".parquet"));
}

/** What DuckDB reads of `{id}` rows in the Parquet under `dir`: rows, distinct ids, lowest and highest id. */
export async function idsInParquet(dir: string): Promise<{ n: number; ids: number; lo: number | null; hi: number | null }> {
  const db = await openDuckDB({ threads: 1 });
  try {
    const r = await db.read(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, min(id)::INTEGER AS lo, max(id)::INTEGER AS hi FROM read_parquet('${dir}/**/*.parquet')`);
    return r.getRowObjectsJS()[0] as { n: number; ids: number; lo: number | null; hi: number | null };
  } finally {
    db.close();
  }
}

export interface LoggedRunner {
  runner: Awaited<ReturnType<typeof startKafkaRunner>>;
  log: string[];
  /** The group joins the runner has logged so far. */
  joins(): number;
  /** What `done` rejected with, or null while it has not. */
  ended(): unknown;
}

export async function startLoggedRunner(bundle: Bundle, topic: string, out: string): Promise<LoggedRunner> {
  const spec = parseSinkOverride(`fs:${out}`, bundle.manifest.sinks.out!);
  const log: string[] = [];
  const runner = await startKafkaRunner({
    plan: bundle.plan,
    source: Object.values(bundle.manifest.sources)[0] as KafkaRunnerOptions["source"],
    sinks: bundle.manifest.sinks,
    targets: { out: { spec, opened: openSink(spec) } },
    parquet: defaultParquetWriter,
    groupId: topic,
    topic,
    brokers: [...kafkaConfig.brokers],
    threads: 0,
    log: (line) => log.push(line),
  });
  let ended: unknown = null;
  runner.done.catch((error: unknown) => {
    ended = error;
  });
  return { runner, log, joins: () => log.filter((l) => l.startsWith("joined group")).length, ended: () => ended };
}

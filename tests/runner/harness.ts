/**
 * Helpers for the Kafka runner tests: publish a sample notebook, fill a
 * topic, run `runnel run` as a real child process (so SIGKILL is real), and
 * compare what landed in S3 with DuckDB's answer over the same events.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { onTestFinished } from "vitest";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { repoRoot } from "../servers/paths.ts";
import { s3Sink } from "../../edge/sinks/s3.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { loadEvents, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/index.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";

export const runnel = join(repoRoot, "bin", "runnel.js");

/** Publishes `notebooks/<name>.md` into a fresh folder; returns the bundle folder. */
export async function publish(name: string): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), "runnel-bundle-"));
  const r = spawnSync(process.execPath, [runnel, "publish", join(repoRoot, "notebooks", `${name}.md`), "--out", out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish ${name} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return join(out, name);
}

export async function readPlan(bundle: string): Promise<Plan> {
  return JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
}

/** Creates a topic with `partitions` and produces the events, keyed by `key(event)`. */
export async function fillTopic(topic: string, partitions: number, events: unknown[], key: (e: unknown) => string): Promise<void> {
  const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  await produce(topic, events, key);
}

/** Appends `events` to an existing topic, keyed by `key`, in batches of 2,000. */
export async function produce(topic: string, events: unknown[], key: (e: unknown) => string): Promise<void> {
  const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const producer = client.producer();
  await producer.connect();
  for (let i = 0; i < events.length; i += 2000) {
    await producer.send({ topic, messages: events.slice(i, i + 2000).map((e) => ({ key: key(e), value: JSON.stringify(e) })) });
  }
  await producer.disconnect();
}

/** The offsets group `group` has committed on `topic`, summed over its partitions (uncommitted count 0). */
export async function committedTotal(topic: string, group: string): Promise<number> {
  const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return offsets!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface RunnerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `runnel run <bundle>` as a child process against the test broker and S3. */
export function startRunner(bundle: string, args: string[], env: Record<string, string> = {}): RunnerProcess {
  return spawnRunner([runnel, "run", bundle, ...args], env);
}

/** Runs the bundle's own `runner.js` with plain `node` (no tsx, nothing of this repository loaded). */
export function startBundledRunner(bundle: string, args: string[], env: Record<string, string> = {}): RunnerProcess {
  return spawnRunner([join(bundle, "runner.js"), ...args], env, bundle);
}

function spawnRunner(argv: string[], env: Record<string, string>, cwd?: string): RunnerProcess {
  const brokers = argv.includes("--brokers") ? [] : ["--brokers", kafkaConfig.brokers.join(",")];
  const child = spawn(process.execPath, [...argv, ...brokers], {
    cwd,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: s3Config.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3Config.secretAccessKey,
      RUNNEL_S3_ENDPOINT: s3Config.endpoint,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d) => (text += String(d)));
  child.stderr!.on("data", (d) => (text += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // A test that fails or times out must not leave its runner consuming.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, output: () => text, exited };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Downloads every object under `prefix` of the test bucket into a temp folder (DuckDB cannot fetch httpfs here). */
export async function download(prefix: string, endpoint: string = s3Config.endpoint): Promise<{ dir: string; keys: string[] }> {
  const sink = s3Sink({ endpoint, bucket: s3Config.bucket, prefix, accessKeyId: s3Config.accessKeyId, secretAccessKey: s3Config.secretAccessKey });
  const keys = await sink.list("");
  const dir = await mkdtemp(join(tmpdir(), "runnel-s3-"));
  for (const key of keys) {
    const path = join(dir, ...key.split("/"));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, (await sink.get(key))!);
  }
  return { dir, keys };
}

export interface Comparison {
  expected: number;
  actual: number;
  missing: number;
  extra: number;
  deadLetters: number;
}

/**
 * DuckDB's answer for the notebook's sink cell over `events` less the ones
 * the pipeline dead-lettered (late or misfit, read from `_errors/`), against
 * the Parquet dataset under `<dir>/<sink>/`.
 */
export async function compareWithDuckDB(notebookName: string, plan: Plan, events: unknown[], dir: string, keys: string[]): Promise<Comparison> {
  // A multiset: an event sent twice and dead-lettered once is still counted once.
  const dead = new Map<string, number>();
  let deadLetters = 0;
  for (const key of keys.filter((k) => k.startsWith("_errors/"))) {
    for (const letter of decodeDeadLetters(await readFile(join(dir, ...key.split("/"))))) {
      dead.set(letter.raw, (dead.get(letter.raw) ?? 0) + 1);
      deadLetters++;
    }
  }
  const kept = events.filter((e) => {
    const text = JSON.stringify(e);
    const n = dead.get(text) ?? 0;
    if (n === 0) return true;
    dead.set(text, n - 1);
    return false;
  });
  const file = join(repoRoot, "notebooks", `${notebookName}.md`);
  const { notebook } = parseNotebook(await readFile(file, "utf8"), file);
  const pipeline = plan.pipelines[0]!;
  const sinkOp = pipeline.ops.at(-1) as SinkOp;
  const source = Object.keys(plan.sources)[0]!;
  const db = await openDuckDB({ threads: 2 });
  try {
    await loadEvents(db, source, kept, { schema: plan.sources[source]!.schema });
    for (const cell of notebook.cells.filter((c) => c.language === "sql" && c.id)) {
      await db.run(`CREATE VIEW ${quoteIdent(cell.id!)} AS ${cell.code.replace(/;\s*$/, "")}`);
    }
    await db.run(`CREATE TABLE expected AS SELECT * FROM ${quoteIdent(pipeline.cell.cell)}`);
    await db.run(`CREATE TABLE actual AS ${datasetSql(`${dir}/${pipeline.sink}/**/*.parquet`, sinkOp.schema, sinkOp.partitionBy)}`);
    const r = await db.read(`SELECT (SELECT count(*) FROM expected), (SELECT count(*) FROM actual),
      (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)),
      (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))`);
    const [expected, actual, missing, extra] = r.getRows()[0]!.map(Number) as [number, number, number, number];
    return { expected, actual, missing, extra, deadLetters };
  } finally {
    db.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * End to end from a pre-filled Kafka topic to committed Parquet on S3: the
 * published pii-staging notebook's own runner.js against
 *
 *   (a) a bare kafkajs consumer that only decodes each message's JSON (the
 *       client's ceiling: what any kafkajs-based runner can reach here), and
 *   (b) Spark Structured Streaming, local[2], reading the same topic with the
 *       same transform (the sink cell's SQL, in Spark's dialect) and
 *       trigger(availableNow=True), writing Parquet partitioned by day to a
 *       local folder.
 *
 * All three read the same topic (BENCH_EVENTS pii events, default 200,000,
 * over 4 partitions) on the project's test broker; the runner writes to the
 * test S3 server (both started with tests/servers/cli.ts up). pyspark comes
 * from PyPI into ${cache}/spark-venv, the Kafka connector from Maven Central
 * through spark.jars.packages (ivy cache ${cache}/spark-ivy).
 *
 * Goals (issue 7): runner ≥ 70% of bare kafkajs records/s, ≥ 2× Spark.
 *
 *   npm run bench -- kafka-to-s3        (BENCH_EVENTS=50000 for a quick run)
 */
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { demoEvents } from "../gateway/sources/demo/index.ts";
import { parseNotebook } from "../notebook/format/index.ts";
import { s3Sink } from "../edge/sinks/s3.ts";
import type { Plan } from "../edge/plan/types.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../tests/servers/config.ts";
import { cacheDir, repoRoot } from "../tests/servers/paths.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const PARTITIONS = 4;
// The newest pyspark whose Kafka connector resolves from Maven Central here (November 2026): 4.3.0's
// spark-sql-kafka is not published, and 4.1/4.2's needs spark-token-provider-kafka-0-10 4.1/4.2, which
// the registry this machine reaches does not hold (it stops at 4.0.0).
const PYSPARK = "4.0.0";
const SCALA = "2.13";
const brokers = [...kafkaConfig.brokers];

interface Measured {
  name: string;
  records: number;
  seconds: number;
  /** CPU seconds (user + system) of the consumer's process(es), when measured. */
  cpu: number | null;
  note: string;
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function up(): void {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "tests/servers/cli.ts"), "up", "kafka", "s3"], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`bench: could not bring up the test Kafka and S3 servers (exit ${r.status})`);
}

function publishBundle(): string {
  const out = mkdtempSync(join(tmpdir(), "runnel-bench-bundle-"));
  const r = spawnSync(process.execPath, [join(repoRoot, "bin/runnel.js"), "publish", join(repoRoot, "notebooks/pii-staging.md"), "--out", out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench: runnel publish pii-staging failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return join(out, "pii-staging");
}

async function fill(topic: string, events: unknown[]): Promise<void> {
  const client = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  for (let i = 0; i < events.length; i += 5000) {
    await producer.send({ topic, messages: events.slice(i, i + 5000).map((e) => ({ key: String((e as { user_id?: unknown }).user_id ?? ""), value: JSON.stringify(e) })) });
  }
  await producer.disconnect();
}

/**
 * (a) kafkajs with nothing but JSON.parse per message: the ceiling of a kafkajs consumer on this
 * machine. A child `node` process like the runner, timed the same way (node start to exit, leaving
 * the group included), from the earliest offset with a fresh group.
 */
const BARE_SCRIPT = `
import kafkajs from ${JSON.stringify(join(repoRoot, "node_modules/kafkajs/index.js"))};
const { Kafka, logLevel } = kafkajs;
const [brokers, topic, group, events] = process.argv.slice(2);
const consumer = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).consumer({ groupId: group, maxBytesPerPartition: 1 << 20 });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
let n = 0;
let fields = 0;
await new Promise((resolve, reject) => {
  consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        fields += Object.keys(JSON.parse(m.value.toString("utf8"))).length;
        n++;
      }
      if (n >= Number(events)) resolve();
    },
  }).catch(reject);
});
await consumer.disconnect();
console.log("BARE " + JSON.stringify({ n, fields }));
`;

/** Runs a child process under /usr/bin/time: wall seconds (spawn to exit), CPU seconds (user + system), exit code, output. */
async function timedChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; cpu: number; code: number | null; output: string }> {
  const times = join(mkdtempSync(join(tmpdir(), "runnel-bench-time-")), "times");
  const started = performance.now();
  const child = spawn("/usr/bin/time", ["-f", "%U %S", "-o", times, command, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += String(d)));
  child.stderr.on("data", (d) => (output += String(d)));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const seconds = (performance.now() - started) / 1000;
  const [user, system] = readFileSync(times, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  rmSync(dirname(times), { recursive: true, force: true });
  return { seconds, cpu: user! + system!, code, output };
}

async function bareKafkajs(topic: string): Promise<Measured> {
  const work = mkdtempSync(join(tmpdir(), "runnel-bench-bare-"));
  writeFileSync(join(work, "bare.mjs"), BARE_SCRIPT);
  const r = await timedChild(process.execPath, [join(work, "bare.mjs"), brokers.join(","), topic, `bench-bare-${randomUUID()}`, String(EVENTS)], process.env);
  rmSync(work, { recursive: true, force: true });
  const line = /^BARE (.*)$/m.exec(r.output);
  if (r.code !== 0 || !line) throw new Error(`bench: the bare kafkajs consumer exited ${r.code}:\n${r.output}`);
  const { n, fields } = JSON.parse(line[1]!) as { n: number; fields: number };
  return { name: "bare kafkajs (JSON.parse only)", records: n, seconds: r.seconds, cpu: r.cpu, note: `node start to exit: connect + join + fetch + decode + leave; ${fields} fields seen` };
}

/** The bundle's runner.js with plain node, --until-caught-up: process start to exit, every row committed to S3. */
async function runnelRunner(bundle: string, topic: string, round: number): Promise<Measured> {
  const prefix = `bench-${topic}-${round}/`;
  const r = await timedChild(process.execPath, [join(bundle, "runner.js"), "--until-caught-up", "--brokers", brokers.join(","), "--topic", topic, "--group", `bench-runnel-${topic}-${round}`, "--sink", `staging=s3://${s3Config.bucket}/${prefix}`], {
    ...process.env,
    AWS_ACCESS_KEY_ID: s3Config.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3Config.secretAccessKey,
    RUNNEL_S3_ENDPOINT: s3Config.endpoint,
  });
  const { seconds, cpu, code, output } = r;
  if (code !== 0) throw new Error(`bench: runner.js exited ${code}:\n${output}`);
  const done = /runner stopped: (\d+) events? → (\d+) rows? in (\d+) files? \((\d+) bytes\)/.exec(output);
  if (!done) throw new Error(`bench: runner.js did not report its totals:\n${output}`);
  const sink = s3Sink({ endpoint: s3Config.endpoint, bucket: s3Config.bucket, prefix, accessKeyId: s3Config.accessKeyId, secretAccessKey: s3Config.secretAccessKey });
  const objects = (await sink.list("staging/")).filter((k) => k.endsWith(".parquet"));
  return { name: "runnel runner.js → Parquet on S3", records: Number(done[1]), seconds, cpu, note: `node start to exit; ${done[2]} rows, ${objects.length} objects, ${(Number(done[4]) / 1e6).toFixed(1)} MB on S3, offsets committed` };
}

/** DuckDB's dialect to Spark's for the constructs the pii-staging cell uses; everything else is the same text. */
export function toSparkSql(sql: string): string {
  return sql
    .replace(/,\s*'g'\s*\)/g, ")") // Spark's regexp_replace is always global
    .replace(/'\\1::'/g, "'$$1::'"); // Java regex back-references are $1
}

const sparkTypes: Record<string, string> = { VARCHAR: "STRING", BIGINT: "BIGINT", INTEGER: "INT", DOUBLE: "DOUBLE", BOOLEAN: "BOOLEAN", TIMESTAMP: "TIMESTAMP", DATE: "DATE" };

const SPARK_SCRIPT = `
import json, sys, time
args = json.loads(sys.argv[1])
t0 = time.time()
from pyspark.sql import SparkSession
from pyspark.sql.functions import col, from_json
spark = (SparkSession.builder.master("local[2]").appName("runnel-bench")
  .config("spark.jars.packages", args["package"])
  .config("spark.jars.ivy", args["ivy"])
  .config("spark.ui.enabled", "false")
  .config("spark.sql.shuffle.partitions", "2")
  .config("spark.sql.session.timeZone", "UTC")
  .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
# The JVM's CPU time over the query alone (the session start-up is not counted in seconds either),
# from /proc/<pid>/stat of the JVM pyspark launched (utime + stime, fields 14 and 15).
import os
def jvm_cpu():
    try:
        pid = spark.sparkContext._gateway.proc.pid
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except Exception as e:
        print("jvm cpu time unavailable: " + str(e), file=sys.stderr)
        return None
c1 = jvm_cpu()
t1 = time.time()
raw = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", args["brokers"])
  .option("subscribe", args["topic"]).option("startingOffsets", "earliest").load())
raw.select(from_json(col("value").cast("string"), args["schema"]).alias("e")).select("e.*").createOrReplaceTempView(args["source"])
out = spark.sql(args["sql"])
q = (out.writeStream.format("parquet").option("path", args["out"]).option("checkpointLocation", args["checkpoint"])
  .partitionBy(*args["partitionBy"]).trigger(availableNow=True).start())
q.awaitTermination()
t2 = time.time()
c2 = jvm_cpu()
rows = spark.read.parquet(args["out"]).count()
read = sum(p["numInputRows"] for p in q.recentProgress)
print("RESULT " + json.dumps({"session": t1 - t0, "query": t2 - t1, "cpu": None if c1 is None or c2 is None else c2 - c1, "rows": rows, "input": read}), flush=True)
spark.stop()
`;

/** (b) Spark Structured Streaming local[2]; `skipped` says why when pyspark or the connector cannot be set up here. */
async function spark(topic: string, plan: Plan, sinkSql: string): Promise<Measured | { skipped: string }> {
  const venv = join(cacheDir, "spark-venv");
  const python = join(venv, "bin", "python");
  if (!existsSync(join(venv, "lib")) || spawnSync(python, ["-c", `import pyspark; assert pyspark.__version__ == "${PYSPARK}"`]).status !== 0) {
    say(`bench: installing pyspark ${PYSPARK} from PyPI into ${venv} (once)`);
    if (!existsSync(python)) {
      const v = spawnSync("python3", ["-m", "venv", venv], { encoding: "utf8" });
      if (v.status !== 0) return { skipped: `python3 -m venv failed: ${v.stderr.trim()}` };
    }
    const pip = spawnSync(join(venv, "bin", "pip"), ["install", "-q", `pyspark==${PYSPARK}`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (pip.status !== 0) return { skipped: `pip install pyspark==${PYSPARK} failed: ${pip.stderr.trim().split("\n").at(-1)}` };
  }
  const javaHome = process.env.JAVA_HOME ?? (existsSync("/usr/lib/jvm/java-17-openjdk-amd64") ? "/usr/lib/jvm/java-17-openjdk-amd64" : undefined);
  const source = Object.keys(plan.sources)[0]!;
  const schema = plan.sources[source]!.schema.map((c) => `\`${c.name}\` ${sparkTypes[c.type] ?? "STRING"}`).join(", ");
  const work = mkdtempSync(join(tmpdir(), "runnel-bench-spark-"));
  const ivy = join(cacheDir, "spark-ivy");
  mkdirSync(ivy, { recursive: true });
  writeFileSync(join(work, "bench.py"), SPARK_SCRIPT);
  const args = {
    package: `org.apache.spark:spark-sql-kafka-0-10_${SCALA}:${PYSPARK}`,
    ivy,
    brokers: brokers.join(","),
    topic,
    source,
    schema,
    sql: toSparkSql(sinkSql),
    out: join(work, "out"),
    checkpoint: join(work, "checkpoint"),
    partitionBy: plan.pipelines[0]!.ops.at(-1)!.op === "sink" ? (plan.pipelines[0]!.ops.at(-1) as { partitionBy: string[] }).partitionBy : [],
  };
  const { code, output } = await timedChild(python, [join(work, "bench.py"), JSON.stringify(args)], { ...process.env, ...(javaHome ? { JAVA_HOME: javaHome } : {}), PYSPARK_PYTHON: python });
  const line = /^RESULT (.*)$/m.exec(output);
  rmSync(work, { recursive: true, force: true });
  if (code !== 0 || !line) {
    const tail = output.trim().split("\n").filter((l) => /error|exception|not found|failed/i.test(l)).slice(-3).join(" | ") || output.trim().split("\n").slice(-3).join(" | ");
    return { skipped: `pyspark exited ${code}: ${tail}` };
  }
  const r = JSON.parse(line[1]!) as { session: number; query: number; cpu: number | null; rows: number; input: number };
  return { name: `Spark ${PYSPARK} Structured Streaming local[2]`, records: r.input, seconds: r.query, cpu: r.cpu, note: `query start to end, CPU of the JVM over the query (session start-up ${r.session.toFixed(1)} s not counted); ${r.rows} rows in local Parquet` };
}

async function main(): Promise<void> {
  up();
  say(`bench: publishing notebooks/pii-staging.md`);
  const bundle = publishBundle();
  const plan = JSON.parse(readFileSync(join(bundle, "plan.json"), "utf8")) as Plan;
  const file = join(repoRoot, "notebooks/pii-staging.md");
  const { notebook } = parseNotebook(readFileSync(file, "utf8"), file);
  const sinkCell = notebook.cells.find((c) => c.sink)!;
  const topic = `bench-k2s-${randomUUID().slice(0, 8)}`;
  say(`bench: filling ${topic} with ${EVENTS} pii events over ${PARTITIONS} partitions`);
  await fill(topic, demoEvents({ generator: "pii", rate: 50, seed: 7 }, 0, EVENTS));

  // Alternating rounds (BENCH_ROUNDS, default 1): bare, runner, bare, runner, ...; each round a fresh group from the earliest offset.
  const bares: Measured[] = [];
  const runners: Measured[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    say(`bench: round ${round}/${ROUNDS}: (a) bare kafkajs`);
    bares.push(await bareKafkajs(topic));
    say(`bench: round ${round}/${ROUNDS}: runnel runner.js`);
    runners.push(await runnelRunner(bundle, topic, round));
  }
  const median = (ms: Measured[]): Measured => [...ms].sort((x, y) => x.seconds - y.seconds)[Math.floor((ms.length - 1) / 2)]!;
  const bare = median(bares);
  const runner = median(runners);
  let sparkResult: Measured | { skipped: string } = { skipped: "BENCH_SPARK=0" };
  if (process.env.BENCH_SPARK !== "0") {
    say("bench: (b) Spark Structured Streaming (first run resolves the connector from Maven Central)");
    sparkResult = await spark(topic, plan, sinkCell.code);
  }

  const rate = (m: Measured) => m.records / m.seconds;
  const cpu = (m: Measured) => (m.cpu === null ? "-" : m.cpu.toFixed(2));
  const row = (m: Measured) => [m.name, String(m.records), m.seconds.toFixed(2), Math.round(rate(m)).toLocaleString("en"), (rate(m) / rate(bare)).toFixed(2), cpu(m), m.note];
  const rows: string[][] = [row(bare), row(runner)];
  if ("skipped" in sparkResult) rows.push(["Spark Structured Streaming local[2]", "-", "-", "-", "-", "-", `not measured: ${sparkResult.skipped}`]);
  else rows.push(row(sparkResult));
  console.log(`\nkafka → Parquet, ${EVENTS} pii events over ${PARTITIONS} partitions, median of ${ROUNDS} alternating round(s) (load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})\n`);
  console.log("| consumer | records | seconds | records/s | vs bare kafkajs | CPU s | |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  if (ROUNDS > 1) {
    console.log(`\nrounds (seconds / CPU s): bare ${bares.map((m) => `${m.seconds.toFixed(2)}/${cpu(m)}`).join(", ")}; runner ${runners.map((m) => `${m.seconds.toFixed(2)}/${cpu(m)}`).join(", ")}`);
  }
  const ofBare = rate(runner) / rate(bare);
  console.log(`\nrunner / bare kafkajs = ${(ofBare * 100).toFixed(0)}% (goal ≥ 70%: ${ofBare >= 0.7 ? "met" : "missed"})`);
  if ("skipped" in sparkResult) console.log(`runner / Spark: not measured — ${sparkResult.skipped}`);
  else {
    const ofSpark = rate(runner) / rate(sparkResult);
    console.log(`runner / Spark = ${ofSpark.toFixed(2)}× (goal ≥ 2×: ${ofSpark >= 2 ? "met" : "missed"})`);
  }
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
}

await main();

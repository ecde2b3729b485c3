/**
 * `runnel run <bundle> --input <source>=<path>`: runs a published bundle's
 * plan over files and writes to its sinks (or to `--sink` overrides).
 */
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { loadBundle, type Bundle } from "../../edge/publish/bundle.node.ts";
import { startKafkaRunner, type KafkaRunner, type StartPosition } from "../../edge/runner/kafka.ts";
import { KafkaSecurityError, kafkaSecurityFromEnv } from "../../edge/runner/kafka-auth.ts";
import { RunnerMetrics } from "../../edge/runner/metrics.ts";
import { showProgress } from "../../edge/runner/progress.ts";
import { listInputs, mergeInputs, withReaderSchema, type InputFile } from "../../edge/runner/read-inputs.ts";
import { openSink, parseSinkOverride } from "../../edge/runner/open-sink.ts";
import { backfillInputs, backfillNotes, deleteWriterObjects, noteBackfill, overlappingBackfills, runFiles, type BackfillRecord } from "../../edge/runner/run-files.ts";
import { replayInputs, type ReplayInputs } from "../../edge/runner/replay.ts";
import type { SinkTarget } from "../../edge/runner/sink-writer.ts";
import { counted } from "../../notebook/format/counted.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import { S3Refusal } from "../../edge/sinks/s3.ts";
import { readArgs } from "./args.ts";
import { printErr, printOut } from "./output.ts";
import { InputError, UsageError, type Verb } from "./verb.ts";

const USAGE = `usage: runnel run <bundle> --input <source>=<path>... [--sink <name>=<target>]... [--writer <name>] [--replace] [--replace-backfill <writer>]...
       runnel run <bundle> --replay <dead letters>... [--sink <name>=<target>]... [--writer <name>]
       runnel run <bundle> [--group <id>] [--brokers <host:port,...>] [--topic <name>] [--start earliest|latest|<ISO time>]
                           [--until-caught-up] [--metrics-port <port>] [--max-batch-mib <n>] [--sink <name>=<target>]...

With --input: runs a bundle written by runnel publish over files, oldest
first (backfill), and writes its sinks: partitioned Parquet, plus dead letters
as NDJSON under _errors/.
  --input <source>=<path>   a file, a folder, or a glob (*, **, ?) of JSON (.json,
                            .ndjson, .jsonl: records per line, pretty-printed, or one
                            array), CSV (.csv, .tsv), Parquet (.parquet) or Avro container
                            (.avro: each file's own schema; codecs null, deflate, snappy,
                            zstandard) files, each maybe gzip (.gz) or zstd (.zst); other
                            names are read as the
                            source's format; a folder leaves out hidden names (.x, _x)
  --writer <name>           the name object keys start with (default: backfill- or replay- and a
                            digest of the inputs, so the same inputs rewrite the same objects
                            and other inputs write beside them)
  --replace                 a backfill notes the files it read (_backfills/ beside the sink's
                            objects); one that would read a file an earlier backfill of other
                            files wrote is refused, since those rows would be written twice.
                            With --replace that earlier backfill's objects are deleted once
                            this run's are written
  --replace-backfill <writer>
                            delete that earlier backfill's objects once this run's are written:
                            for corrected re-exports (files of the same names, new content),
                            which are other files to the notes and would be written beside

With --replay: runs the events an earlier run refused (dead-letter files, e.g. a
lake's _errors/ folder or a glob of its .ndjson files) through this bundle,
oldest first: after a fix to the notebook, publish again and replay. What
still fails is a dead letter again, with the new reason. Refused for a bundle
with windowed aggregates (their windows were already written).

Without --input or --replay: consumes the bundle's Kafka topic as a consumer group and
writes exactly-once files (keys carry topic, partition and offset range;
offsets are committed after the objects are written). Runners with the same
--group split the partitions.
  --group <id>              consumer group (default runnel-<bundle name>)
  --brokers <list>          override the notebook's brokers
  --topic <name>            override the notebook's topic
  --start <position>        where a new group starts: earliest (default), latest, or a time
  --until-caught-up         exit once the end the topic had at start is written (backfills, tests)
  --metrics-port <port>     serve GET /metrics (JSON) on 127.0.0.1:<port>
  --max-batch-mib <n>       the most one record batch may decompress to (default 64); a batch
                            past it stops the runner, as it would take that much memory

Both:
  --sink <name>=<target>    write sink <name> elsewhere: fs:<dir> or s3://<bucket>/<prefix>
  --flush-rows <n>          write a file every n rows per sink instead of the notebook's flush.rows
  --flush-seconds <s>       write what a sink buffered once its oldest row is s seconds old (flush.seconds)

S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
non-AWS endpoint from RUNNEL_S3_ENDPOINT. Kafka SASL from
RUNNEL_KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512),
RUNNEL_KAFKA_USERNAME and RUNNEL_KAFKA_PASSWORD; TLS with RUNNEL_KAFKA_SSL=1, or
with RUNNEL_KAFKA_CA_FILE=<pem> to trust a private CA.`;

function splitPair(text: string, flag: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) throw new UsageError(`${flag} expects <name>=<value>, got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

export const verb: Verb = {
  name: "run",
  summary: "run a published bundle: consume its Kafka topic, backfill from files, or replay dead letters",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = readArgs(args, {
      input: { type: "string", multiple: true },
      replay: { type: "string", multiple: true },
      sink: { type: "string", multiple: true },
      writer: { type: "string" },
      group: { type: "string" },
      topic: { type: "string" },
      brokers: { type: "string" },
      start: { type: "string" },
      "until-caught-up": { type: "boolean" },
      "metrics-port": { type: "string" },
      "max-batch-mib": { type: "string" },
      "flush-rows": { type: "string" },
      "flush-seconds": { type: "string" },
      replace: { type: "boolean" },
      "replace-backfill": { type: "string", multiple: true },
    });
    const flushRows = values["flush-rows"] === undefined ? null : Number(values["flush-rows"]);
    if (flushRows !== null && !(Number.isInteger(flushRows) && flushRows > 0)) throw new UsageError(`--flush-rows takes a positive whole number, got '${values["flush-rows"]}'`);
    const flushSeconds = values["flush-seconds"] === undefined ? null : Number(values["flush-seconds"]);
    if (flushSeconds !== null && !(Number.isFinite(flushSeconds) && flushSeconds > 0)) throw new UsageError(`--flush-seconds takes a positive number, got '${values["flush-seconds"]}'`);
    if (positionals.length !== 1) throw new UsageError("expected exactly one bundle folder");
    const bundle = await loadBundle(positionals[0]!);
    const { manifest, plan } = bundle;

    if (values.replay?.length && values.input?.length) throw new UsageError("--replay and --input are two runs: replay the dead letters, then run the files (or the other way round)");
    let inputs: Record<string, InputFile[]> = {};
    for (const text of values.input ?? []) {
      const [source, path] = splitPair(text, "--input");
      if (!plan.sources[source]) throw new UsageError(`--input names source '${source}'; the bundle reads ${Object.keys(plan.sources).join(", ")}`);
      try {
        // A file whose name does not say its format (`.log`, `.txt`) is read as the source's format.
        // Several --input of one source are one list, oldest first; a file named twice is read once.
        inputs[source] = mergeInputs([inputs[source] ?? [], await listInputs(path, plan.sources[source]!.format === "csv" ? "csv" : "ndjson")]);
      } catch (error) {
        printErr(`runnel ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
    }
    // A source's reader schema (`avro.schema`, carried in the bundle): its Avro files read in that one shape.
    for (const source of Object.keys(inputs)) inputs[source] = withReaderSchema(inputs[source]!, manifest.sources[source], source);
    let replay: ReplayInputs | null = null;
    if (values.replay?.length) {
      try {
        replay = await replayInputs(plan, values.replay, manifest.sources);
      } catch (error) {
        printErr(`runnel run: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
      inputs = replay.inputs;
      const counts = Object.entries(replay.replayed).map(([source, n]) => `${n} of ${source}`);
      printOut(`replaying ${counts.length ? counts.join(", ") : "no"} dead letters from ${counted(replay.files.length, "file")}`);
      for (const s of replay.skipped) printOut(`  left out ${s.count}: ${s.reason}`);
      for (const [source, n] of Object.entries(replay.withOrigin)) printOut(`  ${n} of ${source} get the ${streamColumns(manifest.sources[source]!).join(", ")} their live run gave them, kept in the letters`);
      for (const [source, n] of Object.entries(replay.withoutOrigin)) printOut(`  ${n} of ${source} have no record of their ${manifest.sources[source]!.kind === "kafka" ? "Kafka record" : "webhook delivery"} (letters written before runnel kept one, or the notebook now selects more): their ${streamColumns(manifest.sources[source]!).join(", ")} are NULL`);
      printOut(`  the letters stay where they are; this replay writes as ${replay.writer}, so replaying the same letters again replaces its files rather than adding rows (move the folder aside first and replay from there, so this run's own dead letters do not mix with them)`);
    } else if (!values.input?.length) {
      // A consumer of the bundle's Kafka topic: said before any sink is opened, when the bundle has none.
      kafkaSourceOf(bundle);
    }
    if (values.input?.length) {
      // Columns a source adds from its records or deliveries come from the stream, not from files.
      for (const source of Object.keys(inputs)) {
        const spec = manifest.sources[source];
        const columns = spec === undefined ? [] : streamColumns(spec);
        if (columns.length) printOut(`  note: source ${source} adds ${columns.join(", ")} from the ${spec!.kind === "kafka" ? "Kafka record" : "webhook delivery"}; read from files they are NULL unless the events hold fields of those names`);
      }
    }
    const overrides = new Map((values.sink ?? []).map((s) => splitPair(s, "--sink")));
    for (const name of overrides.keys()) {
      if (!manifest.sinks[name]) throw new UsageError(`--sink names '${name}'; the bundle's sinks are ${Object.keys(manifest.sinks).join(", ")}`);
    }
    const targets: Record<string, SinkTarget> = {};
    for (const pipeline of plan.pipelines) {
      const declared = manifest.sinks[pipeline.sink]!;
      const override = overrides.get(pipeline.sink);
      let chosen;
      try {
        chosen = override ? parseSinkOverride(override, declared) : declared;
      } catch (error) {
        // A bad --sink is a usage error (exit 2, as a --sink naming no sink is), said once: it read "runnel run: run: --sink …", exit 1.
        const text = (error instanceof Error ? error.message : String(error)).replace(/^run: /, "");
        const path = /^(\.{0,2}\/|~)/.test(override!) ? ` (a folder is fs:${override})` : "";
        throw new InputError(`${text}${path}`);
      }
      const spec = { ...chosen, flush: { ...chosen.flush, ...(flushRows === null ? {} : { rows: flushRows }), ...(flushSeconds === null ? {} : { seconds: flushSeconds }) } };
      try {
        targets[pipeline.sink] = { spec, opened: openSink(spec) };
      } catch (error) {
        printErr(`runnel ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
      const opened = targets[pipeline.sink]!.opened;
      // Where an S3 store is, said once: an override or a missing RUNNEL_S3_ENDPOINT sends writes elsewhere than meant.
      printOut(`sink ${pipeline.sink} → ${opened.sink.describe}${spec.target.prefix}${opened.endpoint ? ` at ${opened.endpoint}` : ""}`);
      const refused = await refusal(targets[pipeline.sink]!);
      if (refused !== null) {
        printErr(`runnel run: sink ${pipeline.sink} cannot be written: ${refused}`);
        return 1;
      }
    }
    if (!replay && !values.input?.length) return runFromKafka(bundle, targets, values);


    // A backfill named by its inputs notes them beside its objects, and refuses to write again the
    // files an earlier backfill of other files wrote: a month's folder run again with one more day
    // wrote every row of the month a second time, under the new digest beside the first run's.
    const named = !replay && values.writer === undefined ? await backfillInputs(inputs) : null;
    const corrected = values["replace-backfill"] ?? [];
    if (corrected.length > 0 && named === null) throw new UsageError("--replace-backfill replaces a backfill by this one over files: it takes --input, without --writer or --replay");
    let replacing: BackfillRecord[] = [];
    if (named !== null) {
      const { earlier, unlisted, sameNames } = await overlappingBackfills(targets, named.writer, named.files);
      for (const place of unlisted) printOut(`  note: ${place} cannot be listed with these credentials: earlier backfills of these files there are not looked for, nor replaced`);
      if (earlier.length > 0 && !values.replace) {
        for (const e of earlier) {
          const shown = e.files.slice(0, 5).join(", ") + (e.files.length > 5 ? `, … (${e.files.length - 5} more)` : "");
          printErr(`runnel run: the sinks already hold the rows of ${e.files.length} of these ${named.files.length} files (${shown}), written by ${e.record.writer} ${e.record.finishedAt ? `on ${e.record.finishedAt}` : `(started ${e.record.startedAt}, not finished)`} from ${counted(e.record.files.length, "file")}; running them again would write those rows twice.`);
        }
        printErr("  Pass only the files not written yet, or --replace to delete the earlier backfill's objects once this run's are written.");
        return 1;
      }
      // --replace deletes an earlier backfill's objects whole: the rows of its files this run does not read would go with them.
      const partial = earlier.filter((e) => e.record.files.some((f) => !named.files.some((g) => g.id === f.id)));
      if (partial.length > 0) {
        for (const e of partial) {
          const missing = e.record.files.filter((f) => !named.files.some((g) => g.id === f.id)).map((f) => f.name);
          printErr(`runnel run: --replace would delete every object of ${e.record.writer}, which also wrote the rows of ${counted(missing.length, "file")} this run does not read (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}); those rows would be gone.`);
        }
        printErr("  Pass those files too, with --replace; or pass only the files not written yet, without it.");
        return 1;
      }
      replacing = earlier.map((e) => e.record);
      // Named backfills this run corrects: each of their files must have one here, by content or by source and name.
      if (corrected.length > 0) {
        const { records } = await backfillNotes(targets);
        for (const writer of new Set(corrected)) {
          const record = records.find((r) => r.writer === writer);
          if (record === undefined || writer === named.writer) {
            const noted = records.filter((r) => r.writer !== named.writer).map((r) => r.writer);
            printErr(`runnel run: --replace-backfill ${writer}: ${writer === named.writer ? "that is this run's own name (these files run again replace its objects by themselves)" : `no backfill of that name is noted beside these sinks (${noted.length ? `noted: ${noted.join(", ")}` : "none is"}; each note is <sink prefix>_backfills/<writer>.json)`}`);
            return 1;
          }
          const missing = record.files.filter((f) => !named.files.some((g) => g.id === f.id || (g.source === f.source && g.name === f.name))).map((f) => f.name);
          if (missing.length > 0) {
            printErr(`runnel run: --replace-backfill ${writer} would delete every object of it, which also wrote the rows of ${counted(missing.length, "file")} this run reads no file of the same name for (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}); those rows would be gone.`);
            printErr("  Pass those files too (or their corrected exports).");
            return 1;
          }
          if (!replacing.some((r) => r.writer === writer)) replacing.push(record);
        }
      }
      for (const e of sameNames) {
        if (replacing.some((r) => r.writer === e.record.writer)) continue;
        const shown = e.files.slice(0, 5).join(", ") + (e.files.length > 5 ? ", …" : "");
        printOut(`  note: ${e.files.length} of these files have the names of files ${e.record.writer} read (${shown}), with other content: they are written beside its rows. If they are corrected re-exports of those files, run the same command again with --replace-backfill ${e.record.writer}: this run's objects are written again under the same names and its rows deleted`);
      }
      await noteBackfill(targets, { writer: named.writer, startedAt: new Date().toISOString(), finishedAt: null, files: named.files, sinks: Object.keys(targets) });
    }
    const totalBytes = named === null ? 0 : named.files.reduce((n, f) => n + f.size, 0);

    const started = Date.now();
    let lastShown = 0;
    let at = { events: 0, fileNumber: 0, fileCount: 0 };
    // Stopped by Ctrl-C or a scheduler: said, with what to do, instead of a bare exit. Objects are
    // written whole or not at all and named by the inputs, so the same command again rewrites them.
    const interrupted = (signal: NodeJS.Signals): void => {
      printErr(`\nrunnel run: ${signal === "SIGINT" ? "interrupted" : "stopped"} after ${counted(at.events, "event")} (file ${at.fileNumber}/${at.fileCount}). What was written is whole; run the same command again: it writes the same objects again under the same names, and the rest`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
    const result = await runFiles({
      plan,
      inputs,
      targets,
      parquet: defaultParquetWriter,
      // A replay starts its event count at 0 again: under the backfill's writer name its objects would
      // take the keys of the backfill's own (same partition, same range) and replace them. Its own
      // name comes from what it replays, so replaying the same letters again replaces its objects.
      writer: values.writer ?? replay?.writer ?? named!.writer,
      onProgress: (p) => {
        at = p;
        if (Date.now() - lastShown < 1000) return;
        lastShown = Date.now();
        const secs = (Date.now() - started) / 1000;
        // How far through the input bytes, and when it should end at this pace: a 400 MB export gave events and no end.
        const share = totalBytes > 0 ? Math.min(p.inputBytes / totalBytes, 1) : 0;
        const along = share > 0 ? ` · ${(share * 100).toFixed(0)}% of ${mib(totalBytes)}${share < 1 && secs >= 2 ? ` · about ${duration((secs / share) * (1 - share))} left` : ""}` : "";
        printErr(`  ${counted(p.events, "event")} (${Math.round(p.events / Math.max(secs, 0.001))}/s)${along} · ${counted(p.rows, "row")} · ${counted(p.files, "file")} · ${counted(p.deadLetters, "dead letter")} · file ${p.fileNumber}/${p.fileCount} ${p.file ?? ""}`);
      },
    }).finally(() => {
      process.off("SIGINT", interrupted);
      process.off("SIGTERM", interrupted);
    });
    const secs = (Date.now() - started) / 1000;
    printOut(`run done in ${secs.toFixed(1)} s: ${counted(result.events, "event")} → ${counted(result.rows, "row")} in ${counted(result.files, "file")} (${result.bytes} bytes); ${counted(result.deadLetters, "dead letter")}${result.deadLetterFiles.length ? ` in ${result.deadLetterFiles.join(", ")}` : ""}`);
    // The files, up to a screenful: a sink partitioned by a column of many values writes tens of thousands.
    const shown = 50;
    for (const f of result.written.slice(0, shown)) printOut(`  ${f.key}  ${counted(f.rows, "row")}`);
    if (result.written.length > shown) printOut(`  … and ${counted(result.written.length - shown, "more file")}`);
    if (named !== null) {
      await noteBackfill(targets, { writer: named.writer, startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), files: named.files, sinks: Object.keys(targets) });
      // What an earlier run under this name wrote and this one did not: its dead letters are filed under the day it ran,
      // so the same files run again on another day left a second copy of each letter.
      const written = new Set([...result.written.map((f) => f.key), ...result.deadLetterFiles]);
      const stale = await deleteWriterObjects(targets, named.writer, written, false);
      if (stale.length) printOut(`  deleted ${counted(stale.length, "object")} an earlier run of these files wrote and this one did not (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ", …" : ""})`);
      for (const record of replacing) {
        const gone = await deleteWriterObjects(targets, record.writer, new Set(), true);
        printOut(`  replaced ${record.writer}: deleted its ${counted(gone.filter((k) => !k.includes("_backfills/")).length, "object")} and its note`);
      }
    }
    return 0;
  },
};

const mib = (bytes: number): string => (bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(1)} GiB` : bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(bytes >= 10 << 20 ? 0 : 1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`);
const duration = (secs: number): string => (secs < 90 ? `${Math.ceil(secs)} s` : secs < 5400 ? `${Math.round(secs / 60)} min` : `${(secs / 3600).toFixed(1)} h`);

/**
 * Asks the sink for a listing before any event is read. A server that says
 * no to every request (no such bucket, a bad signature, an unknown or expired
 * key) would say it at every flush, and a runner would retry it forever: that
 * is the answer, given now. A plain access denial is not taken as one, since a
 * key may be allowed to write and not to list; a server that does not answer is
 * left to the runner's retries.
 */
export async function refusal(target: SinkTarget): Promise<string | null> {
  try {
    await target.opened.sink.list(`${target.opened.prefix}_runnel-preflight/`);
    return null;
  } catch (error) {
    if (!(error instanceof S3Refusal)) return null;
    const credentials = ["SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken"].includes(error.code ?? "");
    return error.status === 404 || error.status === 400 || (error.status === 403 && credentials) ? error.message : null;
  }
}

function parseStart(text: string | undefined): StartPosition {
  if (text === undefined || text === "earliest") return { kind: "earliest" };
  if (text === "latest") return { kind: "latest" };
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--start takes earliest, latest or a time such as 2026-11-22T00:00:00Z, got '${text}'`);
  return { kind: "timestamp", ms };
}

/** The bundle's one Kafka source, or a usage error saying what it reads instead. */
/** The columns `spec`'s options add from the stream itself (`_key`, `_received_at`, ...). */
function streamColumns(spec: SourceSpec): string[] {
  if (spec.kind === "kafka") return (spec.metadata ?? []).map((f) => `_${f}`);
  if (spec.kind === "webhook") return [...(spec.metadata ?? []).map((f) => `_${f}`), ...(spec.headers?.length ? ["_headers"] : [])];
  return [];
}

function kafkaSourceOf(bundle: Bundle) {
  const sources = Object.values(bundle.manifest.sources).filter((s) => s.kind === "kafka");
  const source = sources[0];
  if (!source || source.kind !== "kafka") {
    throw new UsageError(`the bundle reads ${Object.values(bundle.manifest.sources).map((s) => `${s.name} (${s.kind})`).join(", ")}, not Kafka; pass --input <source>=<files>`);
  }
  if (sources.length > 1) throw new UsageError("the bundle reads several Kafka topics; one runner reads one topic");
  return source;
}

async function runFromKafka(bundle: Bundle, targets: Record<string, SinkTarget>, values: { group?: string; topic?: string; brokers?: string; start?: string; "until-caught-up"?: boolean; "metrics-port"?: string; "max-batch-mib"?: string }): Promise<number> {
  const source = kafkaSourceOf(bundle);
  const batchMib = values["max-batch-mib"] === undefined ? null : Number(values["max-batch-mib"]);
  if (batchMib !== null && !(Number.isInteger(batchMib) && batchMib >= 1 && batchMib <= 2047)) throw new UsageError(`--max-batch-mib takes a whole number of MiB from 1 to 2047, got '${values["max-batch-mib"]}'`);
  const port = values["metrics-port"] === undefined ? null : Number(values["metrics-port"]);
  if (port !== null && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError(`--metrics-port takes a port number, got '${values["metrics-port"]}'`);
  const groupId = values.group ?? `runnel-${bundle.manifest.name}`;
  let security;
  try {
    security = kafkaSecurityFromEnv();
  } catch (error) {
    if (error instanceof KafkaSecurityError) throw new UsageError(error.message);
    throw error;
  }
  const metrics = new RunnerMetrics();
  // Listening before the runner joins its group: a port in use is said before anything is consumed.
  const server = port === null ? null : await serveMetrics(metrics, port);
  const progress = showProgress(metrics, process.stderr);
  // Taken over before the runner joins its group: a SIGTERM between the join and the runner's return
  // (a pod stopped as it starts) ended the process without a word instead of stopping it.
  let runner: KafkaRunner | null = null;
  let signalled = false;
  const onSignal = () => {
    progress.log("runner: stopping — flushing buffered rows and committing offsets");
    signalled = true;
    if (runner) void runner.stop();
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    runner = await startKafkaRunner({
      plan: bundle.plan,
      source,
      sinks: bundle.manifest.sinks,
      targets,
      parquet: defaultParquetWriter,
      groupId,
      topic: values.topic,
      brokers: values.brokers?.split(",").map((b) => b.trim()).filter(Boolean),
      ...security,
      start: parseStart(values.start),
      untilCaughtUp: values["until-caught-up"] ?? false,
      ...(batchMib === null ? {} : { maxBatchBytes: batchMib * 1024 * 1024 }),
      metrics,
      log: (line) => progress.log(`runner: ${line}`),
    });
  } catch (error) {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    progress.stop();
    server?.close();
    throw error;
  }
  printOut(`consuming ${values.topic ?? source.topic} as group ${groupId}`);
  if (signalled) void runner.stop();
  try {
    await runner.done;
  } finally {
    progress.stop();
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    server?.close();
  }
  printOut(`runner stopped: ${counted(metrics.eventsIn, "event")} → ${counted(metrics.rowsOut, "row")} in ${counted(metrics.filesWritten, "file")} (${metrics.bytesWritten} bytes); ${counted(metrics.deadLetters, "dead letter")}`);
  // Everything is written and committed. kafkajs can keep a socket of a group join it was still
  // making; do not let that keep a finished runner alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 5000).unref();
  return 0;
}

/** Serves `GET /metrics` on 127.0.0.1:`port`; resolves once listening, rejects with what to do when it cannot. */
function serveMetrics(metrics: RunnerMetrics, port: number): Promise<Server> {
  // Required here, not imported: the import of node:http's ES module face reads every export,
  // which loads Node's bundled undici — ~20 ms of each runner's start, before it can consume.
  const { createServer } = createRequire(import.meta.url)("node:http") as typeof import("node:http");
  const server = createServer((req, res) => {
    // A page elsewhere can point its own name at 127.0.0.1 (DNS rebinding) and read the counters; answer only requests addressed to this machine.
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") {
      res.writeHead(421, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "misdirected", message: "GET /metrics answers requests to 127.0.0.1 or localhost only" } }));
      return;
    }
    if (req.method === "GET" && req.url === "/metrics") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(metrics));
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "not_found", message: "GET /metrics is the only route" } }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "another process listens there; pick a free port" : error.message;
      reject(new Error(`run: --metrics-port ${port}: cannot serve /metrics on 127.0.0.1:${port}: ${why}`, { cause: error }));
    });
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

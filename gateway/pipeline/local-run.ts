/**
 * Local runs: the published pipeline of a notebook, run inside the gateway on
 * the live stream the notebook shows, writing Parquet to a local folder. This
 * is the embedded sink of `npm start`: publish, press "Run locally", and the
 * files appear under `<stateDir>/lake/<name>/<sink>/` while the notebook keeps
 * showing the same stream. The plan, executor, sink writer and Parquet encoder
 * are the ones the Kafka runner uses; only the source (the gateway's tail) and
 * the target (a folder) differ.
 */
import { readdir, readFile } from "node:fs/promises";
import { Kafka, logLevel } from "kafkajs";
import { kafkaSecurityFromEnv } from "../../edge/runner/kafka-auth.ts";
import { counted } from "../../notebook/format/counted.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { join } from "node:path";
import { decodeState, encodeState } from "../../edge/exec/snapshot.ts";
import { executorLetter, type DeadLetter } from "../../edge/sinks/dead-letter.ts";
import { buildPipeline, sinksFlushingAggregates, type RunResult } from "../../edge/exec/pipeline.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import { loadBundle, type Bundle } from "../../edge/publish/bundle.node.ts";
import { safeBundleName, sameNotebook } from "./publish.ts";
import { openSink } from "../../edge/runner/open-sink.ts";
import { SinkWriter, type SinkTarget } from "../../edge/runner/sink-writer.ts";
import { GatewayError } from "../http/error.ts";
import type { Logger } from "../log.ts";
import { rereadRepeatedKeys } from "../sample/load-sample.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import type { SourceEvent } from "../sources/source.ts";
import {
  checkpointPath, deleteEarlier, deleteFlush, earlierObjects, emptyCheckpoint, LivePositions, placeOf, readCheckpoint, replacedRecords, writeCheckpoint, writeCheckpointSync, writerOf, WrittenPositions,
  type RunCheckpoint,
} from "./run-checkpoint.ts";

/** What the app shows of a local run. */
export interface LocalRunInfo {
  notebook: string;
  name: string;
  /** The folder the sinks write to. */
  dir: string;
  sinks: string[];
  state: "running" | "stopped" | "failed";
  /** When the bundle it runs was published (`bundle.json`'s `publishedAt`). */
  publishedAt: string;
  /** When starting it stopped a run of an earlier publish: what that run had done. */
  replaced: string | null;
  startedAt: string;
  /** Flush bound in seconds (the notebook's, at most `maxFlushSeconds`, so files appear soon). */
  flushSeconds: number;
  events: number;
  rows: number;
  /** Of `rows`, those in Parquet files already; the others wait for the next flush. */
  rowsInFiles: number;
  files: number;
  bytes: number;
  deadLetters: number;
  /** Where the dead letters go (`_errors/source=<source>/day=<day>/*.ndjson`, read_json reads them). */
  errorsDir: string;
  /** The newest dead letters (at most `RECENT_LETTERS`), oldest first: why, and the event as it arrived (cut). */
  recentDeadLetters: RecentDeadLetter[];
  /** Where the run began: each source's sample (what the notebook showed), or what arrived from its start. */
  from: LocalRunStart;
  /** With `from: "sample"`, per source, the events of its sample the run began with (set once it is read). */
  sampleEvents: Record<string, number>;
  lastFile: string | null;
  error: string | null;
  /**
   * Events the run did not take because earlier runs of the same publish wrote them (each source's
   * Kafka partition and offset, demo index, webhook delivery or HTTP poll, at or before where those runs' last
   * committed flush ended; see `run-checkpoint.ts`).
   */
  skipped: number;
  /** What earlier runs of this publish had written when this one started: events, and when each run started (newest last); null for the first. */
  resumed: { events: number; runs: string[] } | null;
  /** Objects of a flush an earlier run wrote but did not commit (the gateway stopped between), deleted before this run wrote. */
  rolledBack: number;
  /** Objects in the folder written by runs of other publishes (another transform's rows), when this run started; null when none. */
  earlier: { files: number; publishedAt: string[] } | null;
  /** With `replace`: how many of those this run deleted after its first flush (null until then, or without `replace`). */
  replacedFiles: number | null;
  /** Whether the run deletes the other publishes' objects after its first flush. */
  replace: boolean;
  /**
   * Streams whose written position this run dropped, in words: a Kafka partition whose log ends below
   * what earlier runs wrote (the topic was deleted and created again), or a source now reading another
   * topic. Their events are taken from their start rather than skipped as written.
   */
  restarted: string[];
}

/** Where a local run begins: the events the notebook shows (each source's sample), or what arrives from now. */
export type LocalRunStart = "sample" | "now";

/** A dead letter as the run's card shows it. */
export interface RecentDeadLetter {
  source: string;
  reason: string;
  /** The event (or the row, or the group's keys) as written to `_errors`, cut at `RECENT_RAW_CHARS`. */
  raw: string;
  at: string;
}

/** How many of the newest dead letters a run keeps for the page. */
export const RECENT_LETTERS = 20;
const RECENT_RAW_CHARS = 400;

export interface LocalRunOptions {
  registry: SourceRegistry;
  pipelinesDir: string;
  /** Where runs write: `<lakeDir>/<name>/<sink>/…`. */
  lakeDir: string;
  log: Logger;
  /** Local runs flush at least this often. Default 10 s. */
  maxFlushSeconds?: number;
  /** How often arrived events go through the plan. Default 250 ms. */
  tickMs?: number;
  now?: () => number;
  /**
   * Called between a flush's objects and the commit of its checkpoint: a test's way to stop the run
   * there, as a crash would (a rejection fails the run with nothing committed).
   */
  afterObjects?: (range: { first: number; last: number }) => void | Promise<void>;
}

interface Run {
  info: LocalRunInfo;
  abort: AbortController;
  stop: () => Promise<void>;
  /** From now on the run deletes what other publishes wrote into its folder (at once when this publish's rows are there). */
  replaceEarlier: () => Promise<void>;
}

export class LocalRuns {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly options: LocalRunOptions) {}

  list(): LocalRunInfo[] {
    return [...this.runs.values()].map((r) => copy(r.info));
  }

  get(path: string): LocalRunInfo | null {
    const run = this.runs.get(path);
    return run ? copy(run.info) : null;
  }

  /**
   * Starts the published pipeline of `path`; an already running one is returned as it is. `from: "sample"`
   * begins with the events each source's sample holds (what the notebook shows), then what arrives;
   * `"now"` (the default) takes only what arrives.
   */
  async start(path: string, options: { from?: LocalRunStart; replace?: boolean } = {}): Promise<{ info: LocalRunInfo; created: boolean }> {
    const running = this.runs.get(path);
    let name: string;
    try {
      name = safeBundleName(path);
    } catch (error) {
      throw new GatewayError(400, "bad_request", `pipelines: ${(error as Error).message}`);
    }
    let bundle: Bundle;
    try {
      bundle = await loadBundle(join(this.options.pipelinesDir, name));
    } catch (error) {
      throw new GatewayError(409, "conflict", `pipelines: ${path} is not published yet; publish it first (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    // Another folder's notebook of the same file name: its pipeline is not this one's.
    if (typeof bundle.manifest.notebook === "string" && !sameNotebook(bundle.manifest.notebook, path)) {
      throw new GatewayError(409, "conflict", `pipelines: ${join(this.options.pipelinesDir, name)} holds the publish of ${bundle.manifest.notebook}, not of ${path} (both publish as ${name}); rename one of the two notebooks and publish it`);
    }
    // The run in progress is answered as it is while it runs what is published. After a new publish it is
    // stopped (what it holds is written) and the new pipeline starts: "Run locally" under a new publish
    // answered the old run, which went on writing the old cells' rows with nothing on the page saying so.
    let replaced: string | null = null;
    if (running?.info.state === "running") {
      if (running.info.publishedAt === bundle.manifest.publishedAt) {
        // The card's "Replace the earlier publish's rows" while this one runs.
        if (options.replace) await running.replaceEarlier();
        return { info: copy(running.info), created: false };
      }
      await running.stop();
      const old = running.info;
      replaced = `stopped the run of the publish of ${old.publishedAt} (${counted(old.events, "event", { grouped: true })}, ${counted(old.rows, "row", { grouped: true })} written) to run this one`;
    }
    const run = await this.open(path, bundle, options.from ?? "now", options.replace ?? false);
    run.info.replaced = replaced;
    this.runs.set(path, run);
    this.options.log.info("local run started", { notebook: path, dir: run.info.dir });
    return { info: copy(run.info), created: true };
  }

  /** Stops a run: events already arrived go through, open windows are closed, everything buffered is written. */
  async stop(path: string): Promise<LocalRunInfo> {
    const run = this.runs.get(path);
    if (!run) throw new GatewayError(404, "not_found", `pipelines: no local run of ${path}`);
    await run.stop();
    return copy(run.info);
  }

  async close(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.stop()));
  }

  private async open(path: string, bundle: Bundle, from: LocalRunStart, replace: boolean): Promise<Run> {
    const now = this.options.now ?? Date.now;
    const { plan, manifest } = bundle;
    const name = manifest.name;
    const dir = join(this.options.lakeDir, name);
    const flushSeconds = Math.min(this.options.maxFlushSeconds ?? 10, ...Object.values(manifest.sinks).map((s) => s.flush.seconds));
    const targets: Record<string, SinkTarget> = {};
    for (const p of plan.pipelines) {
      const spec = manifest.sinks[p.sink]!;
      const local = { ...spec, target: { kind: "fs" as const, dir, prefix: "" }, flush: { ...spec.flush, seconds: Math.min(spec.flush.seconds, flushSeconds) } };
      targets[p.sink] = { spec: local, opened: openSink(local) };
    }
    const startedAt = new Date(now()).toISOString();
    const info: LocalRunInfo = {
      notebook: path, name, dir, sinks: plan.pipelines.map((p) => p.sink), state: "running", publishedAt: manifest.publishedAt, replaced: null, startedAt, flushSeconds,
      events: 0, rows: 0, rowsInFiles: 0, files: 0, bytes: 0, deadLetters: 0, errorsDir: join(dir, "_errors"), recentDeadLetters: [], from, sampleEvents: {}, lastFile: null, error: null,
      skipped: 0, resumed: null, rolledBack: 0, earlier: null, replacedFiles: null, replace, restarted: [],
    };
    const executor = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
    // The sources the sinks' cells read: a source the notebook declares for its other cells is not opened, or its
    // events were counted as "events in" (and its sample as where the run started) though no sink takes them.
    const read = Object.entries(manifest.sources).filter(([sourceName]) => Object.hasOwn(plan.sources, sourceName));
    // One writer name per publish, and event numbers that go on from run to run: a run over events an earlier
    // run of the publish wrote skips them, and one that repeats a flush the gateway died in writes its keys.
    // (Each run named its objects after its own start, so a second run over the sample wrote every row again.)
    const writerName = writerOf(manifest.publishedAt);
    let checkpoint: RunCheckpoint;
    try {
      checkpoint = (await readCheckpoint(dir, writerName)) ?? emptyCheckpoint(manifest.publishedAt, writerName);
      if (checkpoint.pending && from === "now" && checkpoint.pending.commit) {
        // A run from now reads none of those events again: deleting the flush's objects would lose their rows for
        // good. Its objects stay (each whole), and its commit is taken as written.
        checkpoint = { ...checkpoint, ...checkpoint.pending.commit, pending: null };
        await writeCheckpoint(dir, checkpoint);
      } else if (checkpoint.pending) {
        // The gateway stopped between a flush's objects and its commit: they go, and this run writes those events again.
        info.rolledBack = await deleteFlush(dir, writerName, checkpoint.pending.first, checkpoint.pending.last);
        checkpoint.pending = null;
        await writeCheckpoint(dir, checkpoint);
      }
      if (checkpoint.snapshot !== null) executor.restore(checkpoint.snapshot);
      const earlier = await earlierObjects(dir, writerName);
      if (earlier.length > 0) info.earlier = { files: earlier.length, publishedAt: await earlierPublishes(dir, writerName) };
    } catch (error) {
      throw new GatewayError(500, "internal", `pipelines: could not read what earlier local runs of ${path} wrote (${checkpointPath(dir, writerName)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (checkpoint.events > 0) info.resumed = { events: checkpoint.events, runs: [...checkpoint.runs] };
    // The other publishes' objects go once this publish's rows are in the lake: now when an earlier run of it
    // wrote, else after this run's first flush (a run that fails before it leaves them).
    if (replace && info.earlier && checkpoint.events > 0) info.replacedFiles = await deleteEarlier(dir, writerName);
    const replaceEarlier = (): Promise<void> =>
      (writing = writing.then(async () => {
        info.replace = true;
        if (info.earlier && info.replacedFiles === null && checkpoint.events > 0) info.replacedFiles = await deleteEarlier(dir, writerName);
      }));
    checkpoint.runs = [...checkpoint.runs, startedAt].slice(-20);
    // Offsets are a topic's: positions a source recorded in another topic say nothing of this one's records.
    const topics = { ...checkpoint.topics };
    for (const [sourceName, spec] of read) {
      if (spec.kind !== "kafka") continue;
      const was = topics[sourceName];
      if (was !== undefined && was !== spec.topic && checkpoint.positions[sourceName]) {
        info.restarted.push(`${sourceName} reads topic ${spec.topic}, not ${was} as the earlier runs did: reading it from its start`);
        const { [sourceName]: _dropped, ...rest } = checkpoint.positions;
        checkpoint.positions = rest;
      }
      topics[sourceName] = spec.topic;
    }
    checkpoint.topics = topics;
    const writer = new SinkWriter(plan, targets, defaultParquetWriter, writerName, now);
    const perFlush = sinksFlushingAggregates(plan);
    const pending = new Map<string, SourceEvent[]>();
    const abort = new AbortController();
    /** Per source and stream, where the events gone through the plan end (committed with the flush that writes them). */
    const through = new LivePositions(checkpoint.positions);
    /** The number of the next event; event numbers go on from the earlier runs of the publish. */
    const base = checkpoint.next;
    let first = base;
    let lastFlush = now();
    let writing: Promise<void> = Promise.resolve();

    // The page shows the newest few with their reason: a count alone did not say which events were refused or why.
    const recent = (letters: readonly DeadLetter[]): void => {
      if (letters.length === 0) return;
      const kept = info.recentDeadLetters;
      for (const l of letters.slice(-RECENT_LETTERS)) {
        kept.push({ source: l.source, reason: l.reason, raw: l.raw.length > RECENT_RAW_CHARS ? `${l.raw.slice(0, RECENT_RAW_CHARS)}…` : l.raw, at: l.at });
      }
      if (kept.length > RECENT_LETTERS) kept.splice(0, kept.length - RECENT_LETTERS);
    };
    const take = (result: RunResult, source: string): void => {
      for (const [sink, rows] of Object.entries(result.rows)) {
        // A row no file can hold is a dead letter the sink writer wrote, not a row.
        const rejected = writer.add(sink, rows);
        info.rows += rows.length - rejected;
        info.deadLetters += rejected;
        if (rejected > 0) {
          const at = new Date(now()).toISOString();
          recent([{ source: source || sink, reason: `${sink}: ${rejected === 1 ? "a row" : `${rejected} rows`} no Parquet file can hold; the row and why are in ${sink}'s dead letters`, raw: "", at }]);
        }
      }
      const at = new Date(now()).toISOString();
      const letters = result.deadLetters.map((d) => executorLetter(d, source, at));
      writer.addDeadLetters(letters);
      recent(letters);
      info.deadLetters += result.deadLetters.length;
    };
    const process = (): void => {
      for (const [source, events] of pending) {
        if (events.length === 0) continue;
        pending.set(source, []);
        const values: unknown[] = [];
        const undecoded: SourceEvent[] = [];
        // The source's decoder refuses every repeated key (it knows no schema); the plan has one, so such an
        // event is read again with every member kept (with its delivery or record columns, when the source
        // adds them) and the executor judges it as read_json with the pinned schema does, as the Worker and
        // the Kafka runner do. Before, each was a dead letter here.
        for (const e of events) {
          const place = placeOf(e.meta, e.receivedAt);
          if (place) through.advance(source, place);
        }
        for (const e of rereadRepeatedKeys(events, manifest.sources[source])) (e.ok ? values : undecoded).push(e);
        take(executor.run({ source, events: values.map((e) => (e as { value: unknown }).value), now: now() }), source);
        const at = new Date(now()).toISOString();
        const letters = undecoded.map((e) => ({ reason: `did not decode: ${(e as { error: string }).error}`, raw: (e as { raw: string }).raw, source, at }));
        writer.addDeadLetters(letters);
        recent(letters);
        info.deadLetters += undecoded.length;
        info.events += events.length;
      }
    };
    /**
     * Writes what is buffered and commits where it ends. `sealed`, at Stop: the executor's state before
     * its windows were closed, so the commit records them as written (see `sealWindows`).
     */
    const flush = async (sealed?: string): Promise<void> => {
      for (const sink of perFlush) take(executor.flushAggregates(sink), "");
      lastFlush = now();
      const last = base + info.events - 1;
      // Taken with the writer's content, before any wait: events the tick runs while the flush writes belong to the next one.
      const state = sealed === undefined ? executor.snapshot() : sealWindows(sealed, executor.snapshot());
      const positions = through.toJSON();
      const commit = (): RunCheckpoint => ({ ...checkpoint, next: last + 1, events: checkpoint.events + (last + 1 - checkpoint.next), positions, snapshot: state, pending: null });
      if (last < 0 || (writer.depth === 0 && writer.deadLetterDepth === 0)) {
        // Nothing to write, but the events are through (filtered out, or held in open windows): said so, so no later run takes them again.
        if (last + 1 !== checkpoint.next || state !== checkpoint.snapshot) await committed(commit());
        return;
      }
      // The flush takes what is buffered now; events the tick runs while it writes belong to the next range.
      // With no event since the last flush (Stop closing the open windows), the rows go to an object of their
      // own, named as the Kafka runner names its last one: before, they were counted as written and dropped,
      // and the lake lacked every window still open when the run stopped.
      const nothingNew = last < first;
      const from = nothingNew ? last : first;
      first = last + 1;
      const range = { first: from, last };
      // Recorded before any object is written, in the same step as the writer takes its content: a run that
      // finds it deletes those objects (the gateway stopped before the commit) and writes the events again.
      const planned = commit();
      checkpoint = { ...checkpoint, pending: { ...range, commit: { next: planned.next, events: planned.events, positions: planned.positions, snapshot: planned.snapshot } } };
      writeCheckpointSync(dir, checkpoint);
      const done = await writer.flush(from, last, nothingNew ? `${writerName}.end` : writerName);
      await this.options.afterObjects?.(range);
      await committed(commit());
      info.files += done.files.length;
      info.rowsInFiles += done.files.reduce((n, f) => n + f.rows, 0);
      info.bytes += done.files.reduce((n, f) => n + f.bytes, 0);
      info.lastFile = done.files.at(-1)?.key ?? info.lastFile;
    };
    /** Writes a commit; the first one of a `replace` run with this publish's rows in the lake then deletes what other publishes wrote. */
    const committed = async (next: RunCheckpoint): Promise<void> => {
      await writeCheckpoint(dir, next);
      checkpoint = next;
      if (info.replace && info.earlier && info.replacedFiles === null && next.events > 0) info.replacedFiles = await deleteEarlier(dir, writerName);
    };
    const fail = (error: unknown): void => {
      info.state = "failed";
      info.error = error instanceof Error ? error.message : String(error);
      abort.abort();
      this.options.log.error("local run failed", { notebook: path, error: info.error });
    };
    const tick = setInterval(() => {
      if (info.state !== "running") return;
      try {
        process();
      } catch (error) {
        fail(error);
        return;
      }
      // One flush at a time; a slow disk delays the next, it never overlaps it.
      // Per-flush aggregates hold their rows in the executor until a flush, so their age counts too.
      const aggregatesDue = perFlush.length > 0 && info.events > first && now() - lastFlush >= flushSeconds * 1000;
      if (writer.due() || aggregatesDue) writing = writing.then(() => flush()).catch(fail);
    }, this.options.tickMs ?? 250);

    for (const [sourceName, spec] of read) {
      pending.set(sourceName, []);
      void (async () => {
        const source = await this.options.registry.get(path, spec);
        // From the sample, the run starts with the events the notebook shows, then takes what arrives. The page
        // took only the tail before: on a topic already written (the usual first run) it wrote nothing, and the
        // lake never held what the notebook had shown. The tail opens first, so nothing falls between the two; an
        // event both in the sample and in the tail (it arrived as the sample was read) goes through once, known by
        // where its source says it came from (Kafka partition and offset, demo index, webhook delivery).
        const tail = source.tail(abort.signal)[Symbol.asyncIterator]();
        let next = tail.next();
        const sample = from === "sample" ? await source.sample(spec.sampleSize) : [];
        if (abort.signal.aborted) return;
        // Counted, not a set: the events of one webhook delivery share its id.
        const seen = new Map<string, number>();
        for (const e of sample) if (e.meta) seen.set(eventPlace(e), (seen.get(eventPlace(e)) ?? 0) + 1);
        // A Kafka partition whose log now ends at or below the written position restarted (the topic was deleted
        // and created again, or emptied): its new records are not the ones written, and were all skipped as written.
        const recorded = { ...checkpoint.positions[sourceName] };
        if (spec.kind === "kafka") {
          for (const r of await restartedPartitions(spec, recorded)) {
            delete recorded[r.stream];
            through.drop(sourceName, r.stream);
            info.restarted.push(`topic ${spec.topic} ${r.stream} restarted below the written position (offset ${r.end} < ${r.written}): reading it from its start`);
          }
          // At or past it, with another record at the written offset than the one written there: created again with as many records or more.
          for (const r of replacedRecords(recorded, sample)) {
            delete recorded[r.stream];
            through.drop(sourceName, r.stream);
            info.restarted.push(
              `topic ${spec.topic} ${r.stream} holds another record at offset ${r.order} than the one written there (its time ${new Date(r.now).toISOString()}, not ${new Date(r.was).toISOString()}): the topic was deleted and created again; reading it from its start`,
            );
          }
        }
        if (abort.signal.aborted) return;
        // Events earlier runs of this publish wrote are skipped: a second run over the sample wrote each again.
        const written = new WrittenPositions(recorded);
        const admit = (e: SourceEvent): void => {
          if (written.skip(placeOf(e.meta, e.receivedAt))) info.skipped++;
          else pending.get(sourceName)!.push(e);
        };
        // One by one: a spread of a 100,000-event sample as arguments overflows the call stack.
        for (const e of sample) admit(e);
        if (from === "sample") info.sampleEvents[sourceName] = sample.length;
        for (let step = await next; !step.done; step = await next) {
          next = tail.next();
          const event = step.value;
          const place = seen.size > 0 && event.meta ? eventPlace(event) : null;
          const left = place === null ? undefined : seen.get(place);
          if (left !== undefined) {
            if (left > 1) seen.set(place!, left - 1);
            else seen.delete(place!);
            continue;
          }
          admit(event);
        }
      })().catch((error: unknown) => {
        if (!abort.signal.aborted) fail(error);
      });
    }

    let stopping: Promise<void> | null = null;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        clearInterval(tick);
        abort.abort();
        await writing;
        if (info.state === "running") {
          try {
            process();
            // The windows still open are written now: the commit records them closed, so an event of a later
            // run cannot open one of them again (it is a late dead letter, as after the watermark passed it).
            const open = executor.snapshot();
            take(executor.finish(), "");
            await flush(open);
            info.state = "stopped";
          } catch (error) {
            fail(error);
          }
        }
        this.options.log.info("local run stopped", { notebook: path, events: info.events, files: info.files });
      })());
    return { info, abort, stop, replaceEarlier };
  }
}

/**
 * The executor's state after Stop closed its windows (`after`), with each windowed sink's mark of
 * emitted windows moved to the end of the latest window open before (`before`): a later event for
 * a window already written is late, rather than the start of a second row for that window.
 */
function sealWindows(before: string, after: string): string {
  type State = { windows: [unknown, unknown, bigint | null, unknown][]; emittedUpTo: bigint | null };
  const open = decodeState(JSON.parse(before)) as Record<string, State>;
  const closed = decodeState(JSON.parse(after)) as Record<string, State>;
  for (const [sink, state] of Object.entries(closed)) {
    let end = state.emittedUpTo;
    for (const w of open[sink]?.windows ?? []) if (typeof w[2] === "bigint" && (end === null || w[2] > end)) end = w[2];
    state.emittedUpTo = end;
  }
  return JSON.stringify(encodeState(closed));
}

/** The publish times of the other publishes whose runs wrote into `dir` (from their checkpoints). */
async function earlierPublishes(dir: string, writer: string): Promise<string[]> {
  let names: string[] = [];
  try {
    names = await readdir(join(dir, "_runs"));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    if (!n.endsWith(".json") || n === `${writer}.json`) continue;
    try {
      out.push((JSON.parse(await readFile(join(dir, "_runs", n), "utf8")) as RunCheckpoint).publishedAt);
    } catch {
      // A checkpoint being replaced: its publish is still named by its objects.
    }
  }
  return out.sort();
}

/**
 * Where a source says an event came from (Kafka partition and offset, demo index, webhook delivery), as one key;
 * an HTTP source's events (all of one URL) with the time of their poll, or the sample's events of earlier polls
 * kept as many events of later polls from the tail out.
 */
function eventPlace(e: SourceEvent): string {
  const meta = e.meta!;
  const key = JSON.stringify(Object.keys(meta).sort().map((k) => [k, meta[k]]));
  return typeof meta.url === "string" ? `${key}@${e.receivedAt}` : key;
}

/**
 * The partitions of a Kafka source whose log ends at or below what earlier runs wrote (`positions`,
 * "partition N" → last offset written), by the broker's log-end offsets.
 */
async function restartedPartitions(
  spec: Extract<SourceSpec, { kind: "kafka" }>,
  positions: Record<string, { order: string }>,
): Promise<{ stream: string; end: bigint; written: bigint }[]> {
  const streams = Object.keys(positions);
  if (streams.length === 0) return [];
  const ends = new Map<string, bigint>();
  const kafka = new Kafka({ clientId: "runnel-gateway", brokers: spec.brokers, ...kafkaSecurityFromEnv(), logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (const o of await admin.fetchTopicOffsets(spec.topic)) ends.set(`partition ${o.partition}`, BigInt(o.high));
  } catch {
    // The source, which read the sample through the same broker, says why it cannot. (The sample's newest offset of a
    // partition is no stand-in: it holds the newest records across partitions, not each partition's last.)
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const out: { stream: string; end: bigint; written: bigint }[] = [];
  for (const stream of streams) {
    const written = BigInt(positions[stream]!.order) + 1n;
    const end = ends.get(stream);
    if (end !== undefined && end < written) out.push({ stream, end, written });
  }
  return out;
}

/** A run's counters as the routes answer them, apart from the live object the run keeps counting in. */
function copy(info: LocalRunInfo): LocalRunInfo {
  return structuredClone(info);
}

/**
 * Local runs: the published pipeline of a notebook, run inside the gateway on
 * the live stream the notebook shows, writing Parquet to a local folder. This
 * is the embedded sink of `npm start`: publish, press "Run locally", and the
 * files appear under `<stateDir>/lake/<name>/<sink>/` while the notebook keeps
 * showing the same stream. The plan, executor, sink writer and Parquet encoder
 * are the ones the Kafka runner uses; only the source (the gateway's tail) and
 * the target (a folder) differ.
 */
import { join } from "node:path";
import { executorLetter, type DeadLetter } from "../../edge/sinks/dead-letter.ts";
import { buildPipeline, sinksFlushingAggregates, type RunResult } from "../../edge/exec/pipeline.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { defaultParquetWriter } from "../../edge/parquet/index.ts";
import { loadBundle, type Bundle } from "../../edge/publish/bundle.node.ts";
import { safeBundleName } from "./publish.ts";
import { openSink } from "../../edge/runner/open-sink.ts";
import { SinkWriter, type SinkTarget } from "../../edge/runner/sink-writer.ts";
import { GatewayError } from "../http/error.ts";
import type { Logger } from "../log.ts";
import { rereadRepeatedKeys } from "../sample/load-sample.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import type { SourceEvent } from "../sources/source.ts";

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
}

interface Run {
  info: LocalRunInfo;
  abort: AbortController;
  stop: () => Promise<void>;
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
  async start(path: string, options: { from?: LocalRunStart } = {}): Promise<{ info: LocalRunInfo; created: boolean }> {
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
    // The run in progress is answered as it is while it runs what is published. After a new publish it is
    // stopped (what it holds is written) and the new pipeline starts: "Run locally" under a new publish
    // answered the old run, which went on writing the old cells' rows with nothing on the page saying so.
    let replaced: string | null = null;
    if (running?.info.state === "running") {
      if (running.info.publishedAt === bundle.manifest.publishedAt) return { info: copy(running.info), created: false };
      await running.stop();
      const old = running.info;
      replaced = `stopped the run of the publish of ${old.publishedAt} (${old.events.toLocaleString("en-US")} events, ${old.rows.toLocaleString("en-US")} rows written) to run this one`;
    }
    const run = this.open(path, bundle, options.from ?? "now");
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

  private open(path: string, bundle: Bundle, from: LocalRunStart): Run {
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
    };
    const executor = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
    // A new writer name per run: object keys carry the run's own event range, so a second run never overwrites the first.
    const writerName = `local-${startedAt.replace(/[-:.]/g, "")}`;
    const writer = new SinkWriter(plan, targets, defaultParquetWriter, writerName, now);
    const perFlush = sinksFlushingAggregates(plan);
    const pending = new Map<string, SourceEvent[]>();
    const abort = new AbortController();
    let first = 0;
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
    const flush = async (): Promise<void> => {
      for (const sink of perFlush) take(executor.flushAggregates(sink), "");
      lastFlush = now();
      const last = info.events - 1;
      if (last < 0 || (writer.depth === 0 && writer.deadLetterDepth === 0)) return;
      // The flush takes what is buffered now; events the tick runs while it writes belong to the next range.
      // With no event since the last flush (Stop closing the open windows), the rows go to an object of their
      // own, named as the Kafka runner names its last one: before, they were counted as written and dropped,
      // and the lake lacked every window still open when the run stopped.
      const nothingNew = last < first;
      const from = nothingNew ? last : first;
      first = last + 1;
      const done = await writer.flush(from, last, nothingNew ? `${writerName}.end` : writerName);
      info.files += done.files.length;
      info.rowsInFiles += done.files.reduce((n, f) => n + f.rows, 0);
      info.bytes += done.files.reduce((n, f) => n + f.bytes, 0);
      info.lastFile = done.files.at(-1)?.key ?? info.lastFile;
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
      if (writer.due() || aggregatesDue) writing = writing.then(flush).catch(fail);
    }, this.options.tickMs ?? 250);

    for (const [sourceName, spec] of Object.entries(manifest.sources)) {
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
        for (const e of sample) if (e.meta) seen.set(eventPlace(e.meta), (seen.get(eventPlace(e.meta)) ?? 0) + 1);
        // One by one: a spread of a 100,000-event sample as arguments overflows the call stack.
        const queue = pending.get(sourceName)!;
        for (const e of sample) queue.push(e);
        if (from === "sample") info.sampleEvents[sourceName] = sample.length;
        for (let step = await next; !step.done; step = await next) {
          next = tail.next();
          const event = step.value;
          const place = seen.size > 0 && event.meta ? eventPlace(event.meta) : null;
          const left = place === null ? undefined : seen.get(place);
          if (left !== undefined) {
            if (left > 1) seen.set(place!, left - 1);
            else seen.delete(place!);
            continue;
          }
          pending.get(sourceName)!.push(event);
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
            take(executor.finish(), "");
            await flush();
            info.state = "stopped";
          } catch (error) {
            fail(error);
          }
        }
        this.options.log.info("local run stopped", { notebook: path, events: info.events, files: info.files });
      })());
    return { info, abort, stop };
  }
}

/** Where a source says an event came from (Kafka partition and offset, demo index, webhook delivery), as one key. */
function eventPlace(meta: Record<string, string | number>): string {
  return JSON.stringify(Object.keys(meta).sort().map((k) => [k, meta[k]]));
}

/** A run's counters as the routes answer them, apart from the live object the run keeps counting in. */
function copy(info: LocalRunInfo): LocalRunInfo {
  return structuredClone(info);
}

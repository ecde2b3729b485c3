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
import { executorLetter } from "../../edge/sinks/dead-letter.ts";
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
  startedAt: string;
  /** Flush bound in seconds (the notebook's, at most `maxFlushSeconds`, so files appear soon). */
  flushSeconds: number;
  events: number;
  rows: number;
  files: number;
  bytes: number;
  deadLetters: number;
  lastFile: string | null;
  error: string | null;
}

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
    return [...this.runs.values()].map((r) => ({ ...r.info }));
  }

  get(path: string): LocalRunInfo | null {
    const run = this.runs.get(path);
    return run ? { ...run.info } : null;
  }

  /** Starts the published pipeline of `path`; an already running one is returned as it is. */
  async start(path: string): Promise<{ info: LocalRunInfo; created: boolean }> {
    const running = this.runs.get(path);
    if (running?.info.state === "running") return { info: { ...running.info }, created: false };
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
    const run = this.open(path, bundle);
    this.runs.set(path, run);
    this.options.log.info("local run started", { notebook: path, dir: run.info.dir });
    return { info: { ...run.info }, created: true };
  }

  /** Stops a run: events already arrived go through, open windows are closed, everything buffered is written. */
  async stop(path: string): Promise<LocalRunInfo> {
    const run = this.runs.get(path);
    if (!run) throw new GatewayError(404, "not_found", `pipelines: no local run of ${path}`);
    await run.stop();
    return { ...run.info };
  }

  async close(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.stop()));
  }

  private open(path: string, bundle: Bundle): Run {
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
      notebook: path, name, dir, sinks: plan.pipelines.map((p) => p.sink), state: "running", startedAt, flushSeconds,
      events: 0, rows: 0, files: 0, bytes: 0, deadLetters: 0, lastFile: null, error: null,
    };
    const executor = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
    // A new writer name per run: object keys carry the run's own event range, so a second run never overwrites the first.
    const writer = new SinkWriter(plan, targets, defaultParquetWriter, `local-${startedAt.replace(/[-:.]/g, "")}`, now);
    const perFlush = sinksFlushingAggregates(plan);
    const pending = new Map<string, SourceEvent[]>();
    const abort = new AbortController();
    let first = 0;
    let lastFlush = now();
    let writing: Promise<void> = Promise.resolve();

    const take = (result: RunResult, source: string): void => {
      for (const [sink, rows] of Object.entries(result.rows)) {
        // A row no file can hold is a dead letter the sink writer wrote, not a row.
        const rejected = writer.add(sink, rows);
        info.rows += rows.length - rejected;
        info.deadLetters += rejected;
      }
      const at = new Date(now()).toISOString();
      writer.addDeadLetters(result.deadLetters.map((d) => executorLetter(d, source, at)));
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
        writer.addDeadLetters(undecoded.map((e) => ({ reason: `did not decode: ${(e as { error: string }).error}`, raw: (e as { raw: string }).raw, source, at })));
        info.deadLetters += undecoded.length;
        info.events += events.length;
      }
    };
    const flush = async (): Promise<void> => {
      for (const sink of perFlush) take(executor.flushAggregates(sink), "");
      lastFlush = now();
      const last = info.events - 1;
      if (last < first || (writer.depth === 0 && writer.deadLetterDepth === 0)) return;
      // The flush takes what is buffered now; events the tick runs while it writes belong to the next range.
      const from = first;
      first = last + 1;
      const done = await writer.flush(from, last);
      info.files += done.files.length;
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
        for await (const event of source.tail(abort.signal)) pending.get(sourceName)!.push(event);
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

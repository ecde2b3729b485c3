/**
 * Runs a bundle's plan over files: the backfill path, and the way to try a
 * pipeline without a stream. Events go through the executor in batches;
 * output rows are buffered per sink and flushed as partitioned Parquet when
 * the rows or bytes bound is reached (never the age: see the loop) and at the
 * end. Objects are named by the range of input events (counted across all
 * inputs in order) a flush covers, so running the same inputs again rewrites
 * the same objects.
 */
import { executorLetter, type DeadLetter } from "../sinks/dead-letter.ts";
import type { Plan } from "../plan/types.ts";
import { buildPipeline, sinksFlushingAggregates } from "../exec/pipeline.ts";
import { defaultLibrary } from "../exec/library.ts";
import type { ParquetWriter } from "../parquet/writer.ts";
import { SinkWriter, type SinkTarget } from "./sink-writer.ts";
import { isParquet, parquetNarrowing, readEvents, UnreadableEvent, type InputFile } from "./read-inputs.ts";
import { parquetRefusal } from "./parquet-columns.ts";
import type { WrittenFile } from "../sinks/write-batch.ts";
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { basename } from "node:path";

export interface RunFilesOptions {
  plan: Plan;
  inputs: Record<string, InputFile[]>;
  targets: Record<string, SinkTarget>;
  parquet: ParquetWriter;
  writer?: string;
  batchSize?: number;
  onProgress?: (p: RunProgress) => void;
  now?: () => number;
}

export interface RunProgress {
  file: string | null;
  /** The file being read, counted from 1 across every source's files in the order they are read, and how many there are: a year of daily exports says how far along it is. */
  fileNumber: number;
  fileCount: number;
  events: number;
  rows: number;
  files: number;
  bytes: number;
  deadLetters: number;
}

export interface RunFilesResult extends RunProgress {
  written: WrittenFile[];
  deadLetterFiles: string[];
}

/** Bytes of each end of a file that name it (with its name and size) in `backfillWriter`. */
const ENDS = 1024 * 1024;

/**
 * The writer name of a backfill of `inputs`: `backfill-` and a digest of each file's name, size
 * and first and last megabyte, in the order they are read. Objects are named by the range of
 * input events they hold, so under one fixed name a second backfill of other files (January,
 * then February) would take the first one's keys and replace its rows; under this name the same
 * files (copied anywhere) write the same objects again, and other files write beside them.
 */
export async function backfillWriter(inputs: Record<string, InputFile[]>): Promise<string> {
  const digest = createHash("sha256");
  for (const [source, files] of Object.entries(inputs)) {
    digest.update(`source ${source}\n`);
    for (const file of files) {
      const handle = await open(file.path, "r");
      try {
        const { size } = await handle.stat();
        digest.update(`${basename(file.path)}\n${size}\n`);
        const head = Buffer.alloc(Math.min(size, ENDS));
        await handle.read(head, 0, head.length, 0);
        digest.update(head);
        if (size > ENDS) {
          const tail = Buffer.alloc(Math.min(size - ENDS, ENDS));
          await handle.read(tail, 0, tail.length, size - tail.length);
          digest.update(tail);
        }
      } finally {
        await handle.close();
      }
    }
  }
  return `backfill-${digest.digest("hex").slice(0, 16)}`;
}

export async function runFiles(options: RunFilesOptions): Promise<RunFilesResult> {
  const { plan } = options;
  const now = options.now ?? Date.now;
  const executor = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
  const writer = new SinkWriter(plan, options.targets, options.parquet, options.writer ?? "backfill", now);
  const fileCount = Object.values(options.inputs).reduce((n, files) => n + files.length, 0);
  const progress: RunFilesResult = { file: null, fileNumber: 0, fileCount, events: 0, rows: 0, files: 0, bytes: 0, deadLetters: 0, written: [], deadLetterFiles: [] };
  const perFlushSinks = sinksFlushingAggregates(plan);
  // Dead letters are flushed at the tightest sink's bounds too: `due` looks at rows only, and a file
  // of nothing but dead letters (a log among the exports, a column of text the plan reads as a
  // number) held every letter until the end, 1.4 GB resident for 95 MB of CSV.
  const letterRows = Math.min(...Object.values(options.targets).map((t) => t.spec.flush.rows));
  const letterBytes = Math.min(...Object.values(options.targets).map((t) => t.spec.flush.bytes));
  let lettersHeld = 0; // bytes of the dead letters added since the last flush
  const addLetters = (letters: DeadLetter[]): void => {
    for (const l of letters) lettersHeld += l.raw.length + l.reason.length;
    writer.addDeadLetters(letters);
  };
  let first = 0;
  const at = new Date(now()).toISOString();

  const take = (result: ReturnType<typeof executor.run>, source: string): void => {
    for (const [sink, rows] of Object.entries(result.rows)) {
      // A row no file can hold is a dead letter, not a row (the summary said "0 dead letters" beside its file).
      const rejected = writer.add(sink, rows);
      progress.rows += rows.length - rejected;
      progress.deadLetters += rejected;
    }
    addLetters(result.deadLetters.map((d) => executorLetter(d, source, at)));
    progress.deadLetters += result.deadLetters.length;
  };
  const flush = async (final = false): Promise<void> => {
    for (const sink of perFlushSinks) take(executor.flushAggregates(sink), "");
    let last = progress.events - 1;
    if (last < first) {
      // What the end of input emits (the windows still open, per-flush groups, their dead letters)
      // after the last batch flushed: written under the range just past the last event, which the
      // same inputs always give (it was counted and never written).
      if (!final || (writer.depth === 0 && writer.deadLetterDepth === 0)) return;
      last = first;
    }
    const done = await writer.flush(first, last);
    for (const f of done.files) {
      progress.files++;
      progress.bytes += f.bytes;
    }
    for (const f of done.files) progress.written.push(f); // not spread: a flush can write more files than a call takes arguments
    progress.deadLetterFiles.push(...done.deadLetterFiles);
    first = progress.events;
    lettersHeld = 0;
  };

  for (const source of Object.keys(options.inputs)) {
    if (!plan.sources[source]) throw new Error(`run: --input names source ${source}, which the plan does not read (${Object.keys(plan.sources).join(", ")})`);
  }
  // A Parquet value the plan's floating type would write as another number stops the run before anything is written.
  for (const [source, files] of Object.entries(options.inputs)) {
    const parquet: string[] = [];
    for (const file of files) if (await isParquet(file)) parquet.push(file.path);
    const refused = await parquetNarrowing(parquet, plan.sources[source]!.schema, (path, column, value, written) => parquetRefusal(path, source, column, value, written));
    if (refused !== null) throw new Error(refused);
  }

  // Sources are read one after another; each file in time order.
  for (const [source, files] of Object.entries(options.inputs)) {
    for (const file of files) {
      progress.file = file.path;
      progress.fileNumber++;
      for await (const read of readEvents(file, options.batchSize ?? 10_000, "keep", plan.sources[source]!.schema)) {
        const unreadable = read.filter((e): e is UnreadableEvent => e instanceof UnreadableEvent);
        const events = unreadable.length === 0 ? read : read.filter((e) => !(e instanceof UnreadableEvent));
        addLetters(unreadable.map((u) => ({ reason: u.reason, raw: u.raw, source, at })));
        progress.deadLetters += unreadable.length;
        take(executor.run({ source, events, now: now() }), source);
        // Unreadable lines count as events, so the objects' event ranges stay those of the file's lines.
        progress.events += read.length;
        // Rows and bytes only: a flush cut by the clock would name its objects by a range that
        // depends on how fast this run went, and a second run of the same inputs would write its
        // rows again under other names instead of replacing them (and cut per-flush aggregates
        // elsewhere). A run over files has no reader waiting for freshness.
        if (writer.due({ age: false }) || writer.deadLetterDepth >= letterRows || lettersHeld >= letterBytes) await flush();
        options.onProgress?.(progress);
      }
    }
  }
  take(executor.finish(), "");
  await flush(true);
  options.onProgress?.(progress);
  return progress;
}

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
import { isParquet, parquetNarrowing, ReadPosition, readEvents, UnreadableEvent, type InputFile } from "./read-inputs.ts";
import { parquetRefusal } from "./parquet-columns.ts";
import type { WrittenFile } from "../sinks/write-batch.ts";
import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { escapePathSegment } from "../sinks/layout.ts";

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
  /** Bytes of the input files read so far, as they are on disk: the files done, and how far into the one being read (JSON only; a CSV or Parquet file counts when done). */
  inputBytes: number;
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
  return (await backfillInputs(inputs)).writer;
}

/** One input file of a backfill: its source, name, size, and a digest of those and its first and last MiB. */
export interface InputIdentity {
  source: string;
  name: string;
  size: number;
  id: string;
}

/** `backfillWriter`'s name for `inputs` and each file's identity, in one read of their ends. */
export async function backfillInputs(inputs: Record<string, InputFile[]>): Promise<{ writer: string; files: InputIdentity[] }> {
  const digest = createHash("sha256");
  const identities: InputIdentity[] = [];
  for (const [source, files] of Object.entries(inputs)) {
    digest.update(`source ${source}\n`);
    for (const file of files) {
      const own = createHash("sha256");
      const handle = await open(file.path, "r");
      try {
        const { size } = await handle.stat();
        const name = basename(file.path);
        digest.update(`${name}\n${size}\n`);
        own.update(`${name}\n${size}\n`);
        const head = Buffer.alloc(Math.min(size, ENDS));
        await handle.read(head, 0, head.length, 0);
        digest.update(head);
        own.update(head);
        if (size > ENDS) {
          const tail = Buffer.alloc(Math.min(size - ENDS, ENDS));
          await handle.read(tail, 0, tail.length, size - tail.length);
          digest.update(tail);
          own.update(tail);
        }
        identities.push({ source, name, size, id: own.digest("hex").slice(0, 32) });
      } finally {
        await handle.close();
      }
    }
  }
  return { writer: `backfill-${digest.digest("hex").slice(0, 16)}`, files: identities };
}

/** What a backfill notes beside its objects (`<prefix>_backfills/<writer>.json`): the files it read, and whether it finished. */
export interface BackfillRecord {
  writer: string;
  startedAt: string;
  finishedAt: string | null;
  files: InputIdentity[];
  /** The sinks the backfill wrote (notes before 2026-12-07 have none): a note of other sinks in the same place is another notebook's. */
  sinks?: string[];
}

/** A backfill's writer name as `backfillInputs` makes it: a note naming anything else is not trusted (`--replace` deletes by it). */
const BACKFILL_WRITER = /^backfill-[0-9a-f]{16}$/;

const RECORDS = "_backfills/";

/** The sink targets, each store and prefix once (two sinks in one folder share their listing). */
function places(targets: Record<string, SinkTarget>): SinkTarget[] {
  const seen = new Map<string, SinkTarget>();
  for (const t of Object.values(targets)) {
    const at = `${t.opened.sink.describe}\u0000${t.opened.prefix}`;
    if (!seen.has(at)) seen.set(at, t);
  }
  return [...seen.values()];
}

/**
 * The earlier backfills in the sinks (other writers' records) that read any of `files`, each with
 * those files' names: running them again would write their rows a second time, under this
 * backfill's name beside the earlier one's.
 */
export async function overlappingBackfills(
  targets: Record<string, SinkTarget>,
  writer: string,
  files: readonly InputIdentity[],
): Promise<{ earlier: { record: BackfillRecord; files: string[] }[]; unlisted: string[]; sameNames: { record: BackfillRecord; files: string[] }[] }> {
  const ids = new Map(files.map((f) => [f.id, f.name]));
  const names = new Set(files.map((f) => `${f.source}\u0000${f.name}`));
  const { records, unlisted } = await backfillNotes(targets);
  const earlier: { record: BackfillRecord; files: string[] }[] = [];
  const sameNames: { record: BackfillRecord; files: string[] }[] = [];
  for (const record of records) {
    if (record.writer === writer) continue;
    const shared = record.files.filter((f) => ids.has(f.id)).map((f) => f.name);
    if (shared.length > 0) {
      earlier.push({ record, files: shared });
      continue;
    }
    // No file in common by content, some by name: a corrected re-export of a day written beside the first, or only another folder's `part-00000`.
    const named = record.files.filter((f) => names.has(`${f.source}\u0000${f.name}`)).map((f) => f.name);
    if (named.length > 0) sameNames.push({ record, files: named });
  }
  return { earlier, unlisted, sameNames };
}

/**
 * The earlier backfills noted in the sinks' places that wrote these sinks, each note once, and the
 * places that cannot be listed.
 */
export async function backfillNotes(targets: Record<string, SinkTarget>): Promise<{ records: BackfillRecord[]; unlisted: string[] }> {
  const found = new Map<string, BackfillRecord>();
  const unlisted: string[] = [];
  for (const t of places(targets)) {
    const keys = await listed(t, `${t.opened.prefix}${RECORDS}`);
    if (keys === null) {
      unlisted.push(`${t.opened.sink.describe}${t.opened.prefix}`);
      continue;
    }
    for (const key of keys) {
      if (!key.endsWith(".json") || found.has(key.slice(key.lastIndexOf("/") + 1))) continue;
      const body = await t.opened.sink.get(key);
      if (body === null) continue;
      let record: BackfillRecord;
      try {
        record = JSON.parse(Buffer.from(body).toString("utf8")) as BackfillRecord;
      } catch {
        continue;
      }
      if (!Array.isArray(record.files)) continue;
      // Only a note this code wrote, under its own name: a note saying `"writer": "backfill"` would make --replace delete every backfill's objects.
      if (typeof record.writer !== "string" || !BACKFILL_WRITER.test(record.writer) || key.slice(key.lastIndexOf("/") + 1) !== `${record.writer}.json`) continue;
      // Another notebook's backfill into the same place wrote other sinks' folders: its rows are not these sinks'.
      if (Array.isArray(record.sinks) && !record.sinks.some((sink) => sink in targets)) continue;
      found.set(key.slice(key.lastIndexOf("/") + 1), record);
    }
  }
  return { records: [...found.values()], unlisted };
}

/** The keys under `prefix`, or null where the store will not list them (a key allowed to write and not to list). */
async function listed(t: SinkTarget, prefix: string): Promise<string[] | null> {
  try {
    return await t.opened.sink.list(prefix);
  } catch {
    return null;
  }
}

/** Writes `record` beside the objects of every sink. */
export async function noteBackfill(targets: Record<string, SinkTarget>, record: BackfillRecord): Promise<void> {
  const body = new TextEncoder().encode(`${JSON.stringify(record, null, 1)}\n`);
  for (const t of places(targets)) await t.opened.sink.put(`${t.opened.prefix}${RECORDS}${record.writer}.json`, body, { contentType: "application/json" });
}

/**
 * Deletes the objects named by `writer` (Parquet files and dead letters) that are not in `keep`,
 * and with `record` its note too: what an earlier run under this name wrote and this one did not
 * (dead letters filed under an earlier day, a flush range of other flush bounds), or every object
 * of an earlier backfill being replaced. The keys deleted.
 */
export async function deleteWriterObjects(targets: Record<string, SinkTarget>, writer: string, keep: ReadonlySet<string>, record: boolean): Promise<string[]> {
  const deleted: string[] = [];
  for (const t of places(targets)) {
    const prefix = t.opened.prefix;
    // Only under this bundle's own sinks' folders and the dead letters: another notebook's sink in the same place,
    // backfilled from the same files, names its objects after the same writer (and a lake's whole prefix is not listed).
    const sinks = Object.entries(targets).filter(([, o]) => o.opened.sink.describe === t.opened.sink.describe && o.opened.prefix === prefix);
    const roots = [...sinks.map(([sink]) => `${prefix}${escapePathSegment(sink)}/`), `${prefix}_errors/`];
    if (record) roots.push(`${prefix}${RECORDS}`);
    for (const root of roots) {
      for (const key of (await listed(t, root)) ?? []) {
        const name = key.slice(key.lastIndexOf("/") + 1);
        const mine = root.endsWith(RECORDS) ? key === `${prefix}${RECORDS}${writer}.json` : name.startsWith(`${writer}-`) && !keep.has(key);
        if (!mine) continue;
        await t.opened.sink.delete(key);
        deleted.push(key);
      }
    }
  }
  return deleted;
}

export async function runFiles(options: RunFilesOptions): Promise<RunFilesResult> {
  const { plan } = options;
  const now = options.now ?? Date.now;
  const executor = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
  const writer = new SinkWriter(plan, options.targets, options.parquet, options.writer ?? "backfill", now);
  const fileCount = Object.values(options.inputs).reduce((n, files) => n + files.length, 0);
  const progress: RunFilesResult = { file: null, fileNumber: 0, fileCount, events: 0, rows: 0, files: 0, bytes: 0, deadLetters: 0, inputBytes: 0, written: [], deadLetterFiles: [] };
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
      const position = new ReadPosition();
      const before = progress.inputBytes;
      for await (const read of readEvents(file, options.batchSize ?? 10_000, "keep", plan.sources[source]!.schema, position)) {
        progress.inputBytes = before + position.bytes;
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
      // The whole file, read: DuckDB's reads (CSV, Parquet) say nothing on the way.
      progress.inputBytes = before + ((await stat(file.path).catch(() => null))?.size ?? position.bytes);
    }
  }
  take(executor.finish(), "");
  await flush(true);
  options.onProgress?.(progress);
  return progress;
}

/**
 * Buffers a plan's output rows per sink and writes them as partitioned
 * Parquet when a flush bound is reached. Used by `runnel run` (files) and the
 * Kafka runner; the caller says which input range a flush covers, and that
 * range names the objects, so repeating a flush rewrites the same objects.
 *
 * A row is encoded as it is added: each partition of a sink is an open
 * Parquet file (`ParquetWriter.open`) that writes its pages as they fill, so
 * a flush only finishes the files (last pages, dictionaries, footer), and
 * what a buffer holds is encoded pages rather than row objects.
 *
 * A partition keeps its first rows as they came and opens its file only once
 * it has `OPEN_AFTER_ROWS` of them: an open file costs ~10 KB before its first
 * page, so a sink partitioned by a column of 50,000 values, most with a few
 * rows a flush, held 50,000 of them (3 GB and minutes of GC for 200,000
 * events). A partition that never gets that many is written at the flush by
 * `ParquetWriter.write`, the same bytes as the open file would have given.
 * Each partition counts towards `flush.bytes` (`PARTITION_BYTES`, and
 * `OPEN_FILE_BYTES` a column once its file is open), so the bound holds
 * however many partitions a flush has.
 */
import type { SinkSpec } from "../../notebook/format/model.ts";
import type { Plan, SinkOp } from "../plan/types.ts";
import type { Row, Schema, Value } from "../plan/values.ts";
import { openFile, type ParquetFile, type ParquetWriter } from "../parquet/writer.ts";
import { objectKey, partitionRouter, UnwritableRow } from "../sinks/layout.ts";
import { putEncoded, type EncodedFile, type WrittenFile } from "../sinks/write-batch.ts";
import { deadLetterKey, encodeDeadLetters, type DeadLetter } from "../sinks/dead-letter.ts";
import { stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import type { OpenedSink } from "./open-sink.ts";

export interface SinkTarget {
  spec: SinkSpec;
  opened: OpenedSink;
}

export interface FlushResult {
  files: WrittenFile[];
  deadLetterFiles: string[];
}

interface Buffer {
  spec: SinkSpec;
  opened: OpenedSink;
  schema: Schema;
  /** The columns whose size varies (text, blobs, nested); the others add `fixedBytes`. */
  varying: string[];
  fixedBytes: number;
  partitionBy: string[];
  /** The source feeding the sink, named in its dead letters. */
  source: string;
  /** The file of each partition, found by the row's partition values. */
  files: ReturnType<typeof partitionRouter<PartitionFile>>;
  rows: number;
  bytes: number;
  since: number | null;
}

/**
 * What one flush writes, taken from the buffers when it starts: rows and dead letters added
 * while it is written go to the next flush. Kept until the flush succeeds, so a retry writes
 * the same bytes (its keys come from the range it is given).
 */
interface Detached {
  files: { sink: string; opened: OpenedSink; path: string; rows: number; body: Uint8Array }[];
  deadLetters: DeadLetter[];
  rows: number;
  since: number | null;
}

/** Types whose values take the same room in every row (8 bytes; 72 for a UUID's text). */
const FIXED_BYTES: Record<string, number> = {
  BOOLEAN: 8, TINYINT: 8, SMALLINT: 8, INTEGER: 8, BIGINT: 8, UTINYINT: 8, USMALLINT: 8, UINTEGER: 8, UBIGINT: 8,
  HUGEINT: 8, UHUGEINT: 8, FLOAT: 8, DOUBLE: 8, DATE: 8, TIME: 8, TIMESTAMP: 8, "TIMESTAMP WITH TIME ZONE": 8, UUID: 72,
};

/** Rows a partition keeps as they came before it opens its Parquet file (see the top of the file). */
export const OPEN_AFTER_ROWS = 128;
/** What a partition costs beyond its rows' values (its place in the router, its key, the rows' objects), for `flush.bytes`. */
export const PARTITION_BYTES = 1024;
/** What an open file costs a column of its schema before its first page (leaf and encoder buffers, dictionary, statistics). */
export const OPEN_FILE_BYTES = 4096;

/**
 * A partition's file: its rows kept until there are `OPEN_AFTER_ROWS`, then a
 * Parquet file opened and fed (`onOpen` says so, for the bytes bound).
 */
class PartitionFile implements ParquetFile {
  private held: Row[] = [];
  private file: ParquetFile | null = null;
  private done: { body: Uint8Array } | { error: unknown } | null = null;

  constructor(
    private readonly parquet: ParquetWriter,
    private readonly schema: Schema,
    private readonly onOpen: () => void,
  ) {}

  get rows(): number {
    return this.file ? this.file.rows : this.held.length;
  }

  add(rows: Row[]): void {
    if (this.done !== null) throw new Error("run: rows added to a partition file already finished (a flush failed and was not retried)");
    if (this.file) return this.file.add(rows);
    const held = this.held;
    for (let i = 0; i < rows.length; i++) held.push(rows[i]!);
    if (held.length < OPEN_AFTER_ROWS) return;
    this.file = openFile(this.parquet, this.schema);
    this.held = [];
    this.onOpen();
    this.file.add(held);
  }

  /**
   * The file's bytes; asked again (a flush whose other files failed), the same bytes or the same
   * error, so a failed flush leaves every buffer as it was and says why each time.
   */
  finish(): Uint8Array {
    if (this.done === null) {
      try {
        this.done = { body: this.file ? this.file.finish() : this.parquet.write(this.schema, this.held) };
      } catch (error) {
        this.done = { error };
      }
    }
    if ("error" in this.done) throw this.done.error;
    return this.done.body;
  }
}

/** A rough size of a row in memory, for the `flush.bytes` bound. */
export function estimateBytes(value: Value): number {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "number" || typeof value === "bigint") return 8;
  if (typeof value === "string") return value.length * 2;
  if (value instanceof Uint8Array) return value.length;
  // Loops, not Object.values + reduce: this runs for every buffered row.
  let n = 8;
  if (Array.isArray(value)) {
    for (const v of value) n += estimateBytes(v);
    return n;
  }
  const object = value as Record<string, Value>;
  for (const key of Object.keys(object)) n += estimateBytes(object[key]!);
  return n;
}

export class SinkWriter {
  private readonly buffers = new Map<string, Buffer>();
  private deadLetters: DeadLetter[] = [];
  /**
   * The dead letters' bounds (the smallest of the sinks' `flush`) and what the letters buffered hold:
   * a feed of only bad events makes no row, and its letters were held until the process ran out of
   * memory, with no offset committed.
   */
  private readonly letterBound: { rows: number; bytes: number; seconds: number };
  private letterBytes = 0;
  private lettersSince: number | null = null;
  /** The flush being written (or that failed and waits for its retry). */
  private writing: Detached | null = null;
  private readonly errorsTarget: OpenedSink;

  constructor(
    plan: Plan,
    targets: Record<string, SinkTarget>,
    private readonly parquet: ParquetWriter,
    readonly name: string,
    private readonly now: () => number = Date.now,
  ) {
    for (const pipeline of plan.pipelines) {
      const target = targets[pipeline.sink];
      if (!target) throw new Error(`run: the plan writes sink ${pipeline.sink}, but no target was opened for it`);
      const sinkOp = pipeline.ops.at(-1) as SinkOp;
      const fixed = sinkOp.schema.filter((c) => FIXED_BYTES[c.type] !== undefined);
      this.buffers.set(pipeline.sink, {
        spec: target.spec,
        opened: target.opened,
        schema: sinkOp.schema,
        varying: sinkOp.schema.filter((c) => FIXED_BYTES[c.type] === undefined).map((c) => c.name),
        fixedBytes: 8 + fixed.reduce((n, c) => n + FIXED_BYTES[c.type]!, 0),
        partitionBy: sinkOp.partitionBy,
        source: pipeline.ops[0]?.op === "scan" ? pipeline.ops[0].source : pipeline.sink,
        files: null as never,
        rows: 0,
        bytes: 0,
        since: null,
      });
      const buffer = this.buffers.get(pipeline.sink)!;
      buffer.files = this.router(buffer);
    }
    const first = Object.values(targets)[0];
    if (!first) throw new Error("run: the plan has no sink");
    this.errorsTarget = first.opened;
    const flushes = Object.values(targets).map((t) => t.spec.flush);
    this.letterBound = { rows: Math.min(...flushes.map((f) => f.rows)), bytes: Math.min(...flushes.map((f) => f.bytes)), seconds: Math.min(...flushes.map((f) => f.seconds)) };
  }

  private noteLetter(letter: DeadLetter): void {
    this.deadLetters.push(letter);
    this.letterBytes += letter.raw.length + letter.reason.length;
    if (this.lettersSince === null) this.lettersSince = this.now();
  }

  /** A router of the buffer's partitions to their files; each partition and each file it opens count towards the buffer's bytes. */
  private router(buffer: Buffer) {
    return partitionRouter(buffer.schema, buffer.partitionBy, {}, (_key, body) => {
      buffer.bytes += PARTITION_BYTES;
      return new PartitionFile(this.parquet, body, () => (buffer.bytes += OPEN_FILE_BYTES * body.length));
    });
  }

  /** Buffers `rows` of `sink`; answers how many no file can hold, which became dead letters (`kind: "row"`) instead. */
  add(sink: string, rows: Row[]): number {
    const buffer = this.buffers.get(sink);
    if (!buffer) throw new Error(`run: rows for unknown sink ${sink}`);
    if (rows.length === 0) return 0;
    if (buffer.since === null) buffer.since = this.now();
    // A row's columns are the schema's: only those of varying size are read, by name (no key list per row).
    const names = buffer.varying;
    let bytes = buffer.fixedBytes * rows.length;
    // Rows go to their partition's file in runs: consecutive rows mostly share a partition.
    let file: ParquetFile | null = null;
    let from = 0;
    let rejected = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (let i = 0; i < names.length; i++) bytes += estimateBytes(row[names[i]!] ?? null);
      let f: ParquetFile;
      try {
        f = buffer.files.route(row);
      } catch (error) {
        if (!(error instanceof UnwritableRow)) throw error;
        // A row no key or file can hold is a dead letter; left in, it would fail every retry of the flush.
        if (file !== null && from < r) file.add(rows.slice(from, r));
        file = null;
        from = r + 1;
        rejected++;
        this.noteLetter({ reason: `${sink}: ${error.message}`, raw: stringifyJsonLossless(row, { duckdb: true }), source: buffer.source, at: new Date(this.now()).toISOString(), kind: "row" });
        continue;
      }
      if (f !== file) {
        if (file !== null && from < r) file.add(rows.slice(from, r));
        file = f;
        from = r;
      }
    }
    if (file !== null && from < rows.length) file.add(from === 0 ? rows : rows.slice(from));
    buffer.rows += rows.length - rejected;
    buffer.bytes += bytes;
    return rejected;
  }

  addDeadLetters(letters: DeadLetter[]): void {
    // One by one: as arguments, ~125,000 letters overflowed the call stack ("Maximum call stack size exceeded").
    for (const letter of letters) this.noteLetter(letter);
  }

  /** Rows waiting in all buffers, and in a flush not yet written. */
  get depth(): number {
    let n = this.writing?.rows ?? 0;
    for (const b of this.buffers.values()) n += b.rows;
    return n;
  }

  /** Dead letters waiting for the next flush, and in a flush not yet written. */
  get deadLetterDepth(): number {
    return this.deadLetters.length + (this.writing?.deadLetters.length ?? 0);
  }

  /** When the oldest buffered row arrived (ms), or null when empty. */
  get oldest(): number | null {
    let oldest: number | null = this.writing?.since ?? null;
    for (const b of this.buffers.values()) if (b.since !== null && (oldest === null || b.since < oldest)) oldest = b.since;
    return oldest;
  }

  /**
   * True when some sink's buffer reached its rows, bytes or age bound. `age: false` leaves the age
   * out: a run over files flushes where its input puts the bounds, not where the clock does.
   */
  due(options: { age?: boolean } = {}): boolean {
    const age = options.age ?? true;
    for (const b of this.buffers.values()) {
      if (b.rows === 0) continue;
      if (b.rows >= b.spec.flush.rows || b.bytes >= b.spec.flush.bytes) return true;
      if (age && b.since !== null && this.now() - b.since >= b.spec.flush.seconds * 1000) return true;
    }
    // Dead letters count towards the bounds too: under a producer's bad release every event is one.
    if (this.deadLetters.length === 0) return false;
    if (this.deadLetters.length >= this.letterBound.rows || this.letterBytes >= this.letterBound.bytes) return true;
    return age && this.lettersSince !== null && this.now() - this.lettersSince >= this.letterBound.seconds * 1000;
  }

  /**
   * Writes every buffered row and dead letter as the objects of input range [first, last]. What
   * is buffered when the flush starts is its content; rows added meanwhile wait for the next
   * flush. A flush that fails part-way is kept, and the next call writes exactly it again (the
   * same bytes under the keys of the range it is given) before anything added since.
   */
  async flush(first: bigint | number, last: bigint | number, writer: string = this.name): Promise<FlushResult> {
    const w = (this.writing ??= this.detach());
    // Everything is encoded first (the files were finished when detached), then stored a few objects at a time.
    const parquet = new Map<OpenedSink, EncodedFile[]>();
    for (const f of w.files) {
      const list = parquet.get(f.opened) ?? [];
      list.push({ key: objectKey({ prefix: f.opened.prefix, sink: f.sink, partition: f.path, writer, first, last }), rows: f.rows, body: f.body });
      parquet.set(f.opened, list);
    }
    const letters: EncodedFile[] = [];
    if (w.deadLetters.length > 0) {
      const byKey = new Map<string, DeadLetter[]>();
      // The key of each source and day once: letters come by the hundred thousand, and its checks per letter were ~14 % of a flush of them.
      const keys = new Map<string, string>();
      for (const letter of w.deadLetters) {
        const day = letter.at.slice(0, 10);
        const place = `${letter.source}\u0000${day}`;
        let key = keys.get(place);
        if (key === undefined) keys.set(place, (key = deadLetterKey({ prefix: this.errorsTarget.prefix, source: letter.source, day, writer, first, last })));
        const list = byKey.get(key);
        if (list) list.push(letter);
        else byKey.set(key, [letter]);
      }
      for (const [key, list] of byKey) letters.push({ key, rows: list.length, body: encodeDeadLetters(list) });
    }
    const result: FlushResult = { files: [], deadLetterFiles: [] };
    for (const [opened, files] of parquet) for (const f of await putEncoded(opened.sink, files)) result.files.push(f);
    result.deadLetterFiles = (await putEncoded(this.errorsTarget.sink, letters, "application/x-ndjson")).map((f) => f.key);
    this.writing = null;
    return result;
  }

  /** Takes what the buffers hold as one flush's content (its files finished) and empties them. */
  private detach(): Detached {
    const d: Detached = { files: [], deadLetters: this.deadLetters, rows: 0, since: null };
    // Every file is finished before any buffer is emptied: one that fails (a schema no Parquet
    // reader can take) fails the flush with every row still buffered.
    const taken: Buffer[] = [];
    for (const [sink, b] of this.buffers) {
      if (b.rows === 0) continue;
      for (const { path, target } of b.files.partitions()) d.files.push({ sink, opened: b.opened, path, rows: target.rows, body: target.finish() });
      taken.push(b);
    }
    for (const b of taken) {
      d.rows += b.rows;
      if (b.since !== null && (d.since === null || b.since < d.since)) d.since = b.since;
      b.files = this.router(b);
      b.rows = 0;
      b.bytes = 0;
      b.since = null;
    }
    this.deadLetters = [];
    this.letterBytes = 0;
    this.lettersSince = null;
    return d;
  }
}

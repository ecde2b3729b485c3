/**
 * Buffers a plan's output rows per sink and writes them as partitioned
 * Parquet when a flush bound is reached. Used by `runnel run` (files) and the
 * Kafka runner; the caller says which input range a flush covers, and that
 * range names the objects, so repeating a flush rewrites the same objects.
 */
import type { SinkSpec } from "../../notebook/format/model.ts";
import type { Plan, SinkOp } from "../plan/types.ts";
import type { Row, Schema, Value } from "../plan/values.ts";
import type { ParquetWriter } from "../parquet/writer.ts";
import { encodeBatch, putEncoded, type EncodedFile, type WrittenFile } from "../sinks/write-batch.ts";
import { deadLetterKey, encodeDeadLetters, type DeadLetter } from "../sinks/dead-letter.ts";
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
  /** The schema's column names, in order. */
  names: string[];
  /** The columns whose size varies (text, blobs, nested); the others add `fixedBytes`. */
  varying: string[];
  fixedBytes: number;
  partitionBy: string[];
  rows: Row[];
  bytes: number;
  since: number | null;
}

/** Types whose values take the same room in every row (8 bytes; 72 for a UUID's text). */
const FIXED_BYTES: Record<string, number> = {
  BOOLEAN: 8, TINYINT: 8, SMALLINT: 8, INTEGER: 8, BIGINT: 8, UTINYINT: 8, USMALLINT: 8, UINTEGER: 8, UBIGINT: 8,
  HUGEINT: 8, UHUGEINT: 8, FLOAT: 8, DOUBLE: 8, DATE: 8, TIME: 8, TIMESTAMP: 8, "TIMESTAMP WITH TIME ZONE": 8, UUID: 72,
};

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
        names: sinkOp.schema.map((c) => c.name),
        varying: sinkOp.schema.filter((c) => FIXED_BYTES[c.type] === undefined).map((c) => c.name),
        fixedBytes: 8 + fixed.reduce((n, c) => n + FIXED_BYTES[c.type]!, 0),
        partitionBy: sinkOp.partitionBy,
        rows: [],
        bytes: 0,
        since: null,
      });
    }
    const first = Object.values(targets)[0];
    if (!first) throw new Error("run: the plan has no sink");
    this.errorsTarget = first.opened;
  }

  add(sink: string, rows: Row[]): void {
    const buffer = this.buffers.get(sink);
    if (!buffer) throw new Error(`run: rows for unknown sink ${sink}`);
    if (rows.length === 0) return;
    if (buffer.since === null) buffer.since = this.now();
    // A row's columns are the schema's: only those of varying size are read, by name (no key list per row).
    const names = buffer.varying;
    let bytes = buffer.fixedBytes * rows.length;
    for (const row of rows) {
      buffer.rows.push(row);
      for (let i = 0; i < names.length; i++) bytes += estimateBytes(row[names[i]!] ?? null);
    }
    buffer.bytes += bytes;
  }

  addDeadLetters(letters: DeadLetter[]): void {
    this.deadLetters.push(...letters);
  }

  /** Rows waiting in all buffers. */
  get depth(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.rows.length;
    return n;
  }

  /** Dead letters waiting for the next flush. */
  get deadLetterDepth(): number {
    return this.deadLetters.length;
  }

  /** When the oldest buffered row arrived (ms), or null when empty. */
  get oldest(): number | null {
    let oldest: number | null = null;
    for (const b of this.buffers.values()) if (b.since !== null && (oldest === null || b.since < oldest)) oldest = b.since;
    return oldest;
  }

  /** True when some sink's buffer reached its rows, bytes or age bound. */
  due(): boolean {
    for (const b of this.buffers.values()) {
      if (b.rows.length === 0) continue;
      if (b.rows.length >= b.spec.flush.rows || b.bytes >= b.spec.flush.bytes) return true;
      if (b.since !== null && this.now() - b.since >= b.spec.flush.seconds * 1000) return true;
    }
    return false;
  }

  /**
   * Writes every buffered row and dead letter as the objects of input range [first, last].
   * The buffers are emptied only once every object is written, so a flush that fails part-way
   * and is retried writes all of them again under the same keys.
   */
  async flush(first: bigint | number, last: bigint | number, writer: string = this.name): Promise<FlushResult> {
    // Everything is encoded first, then stored a few objects at a time, so the round trips overlap.
    const parquet: { opened: OpenedSink; files: EncodedFile[] }[] = [];
    for (const [name, b] of this.buffers) {
      if (b.rows.length === 0) continue;
      parquet.push({
        opened: b.opened,
        files: encodeBatch({ parquet: this.parquet, schema: b.schema, rows: b.rows, partitionBy: b.partitionBy, sinkName: name, prefix: b.opened.prefix, writer, first, last }),
      });
    }
    const letters: EncodedFile[] = [];
    if (this.deadLetters.length > 0) {
      const byKey = new Map<string, DeadLetter[]>();
      for (const letter of this.deadLetters) {
        const key = deadLetterKey({ prefix: this.errorsTarget.prefix, source: letter.source, day: letter.at.slice(0, 10), writer, first, last });
        const list = byKey.get(key);
        if (list) list.push(letter);
        else byKey.set(key, [letter]);
      }
      for (const [key, list] of byKey) letters.push({ key, rows: list.length, body: encodeDeadLetters(list) });
    }
    const result: FlushResult = { files: [], deadLetterFiles: [] };
    for (const p of parquet) result.files.push(...(await putEncoded(p.opened.sink, p.files)));
    result.deadLetterFiles = (await putEncoded(this.errorsTarget.sink, letters, "application/x-ndjson")).map((f) => f.key);
    for (const b of this.buffers.values()) {
      b.rows = [];
      b.bytes = 0;
      b.since = null;
    }
    this.deadLetters = [];
    return result;
  }
}

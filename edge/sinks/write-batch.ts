import type { Row, Schema } from "../plan/values.ts";
import type { ParquetWriter, ParquetWriteOptions } from "../parquet/writer.ts";
import { objectKey, partitionRows, type LayoutOptions } from "./layout.ts";
import type { Sink } from "./sink.ts";

export interface WrittenFile {
  key: string;
  rows: number;
  bytes: number;
}

/** One object of a flush, encoded and not yet stored. */
export interface EncodedFile {
  key: string;
  rows: number;
  body: Uint8Array;
}

export interface BatchArgs {
  sink: Sink;
  parquet: ParquetWriter;
  schema: Schema;
  rows: Row[];
  partitionBy: string[];
  /** The sink's name in the notebook: the first folder under the prefix. */
  sinkName: string;
  prefix?: string;
  /** Who wrote it, e.g. `do-<id>` or `<topic>.<partition>`. */
  writer: string;
  first: bigint | number;
  last: bigint | number;
  parquetOptions?: ParquetWriteOptions;
  layout?: LayoutOptions;
}

/** One object of a flush, split off and not yet encoded. */
export interface BatchFile {
  key: string;
  rows: number;
  encode(): Uint8Array;
}

/**
 * A flush's rows split by partition under their deterministic keys, in the order the rows first
 * name each partition (the same rows always give the same list), each encoded when asked: a flush
 * stored over several invocations encodes only the objects it stores in each.
 */
export function batchFiles(args: Omit<BatchArgs, "sink">): BatchFile[] {
  return partitionRows(args.schema, args.rows, args.partitionBy, args.layout).map((part) => ({
    key: objectKey({ prefix: args.prefix, sink: args.sinkName, partition: part.path, writer: args.writer, first: args.first, last: args.last }),
    rows: part.rows.length,
    encode: () => args.parquet.write(part.schema, part.rows, args.parquetOptions),
  }));
}

/** A flush's rows split by partition and encoded as Parquet under their deterministic keys (CPU only, nothing stored). */
export function encodeBatch(args: Omit<BatchArgs, "sink">): EncodedFile[] {
  return batchFiles(args).map((f) => ({ key: f.key, rows: f.rows, body: f.encode() }));
}

/** Objects stored at once by one flush: enough to overlap their round trips, few enough for a slow store. */
const PUTS_AT_ONCE = 4;

/** Stores encoded objects, a few at a time; resolves once every one is stored (a failure rejects after the others settle). */
export async function putEncoded(sink: Sink, files: EncodedFile[], contentType = "application/vnd.apache.parquet"): Promise<WrittenFile[]> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) {
      const f = files[next++]!;
      await sink.put(f.key, f.body, { contentType });
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(PUTS_AT_ONCE, files.length) }, lane));
  const failed = lanes.find((l) => l.status === "rejected");
  if (failed) throw failed.reason;
  return files.map((f) => ({ key: f.key, rows: f.rows, bytes: f.body.length }));
}

/**
 * One flush: split the rows by partition, encode each group as Parquet and
 * store it under its deterministic key. The same batch and range always
 * write the same keys with the same bytes, so repeating a flush after a
 * crash replaces objects with identical ones.
 */
export async function writeBatch(args: BatchArgs): Promise<WrittenFile[]> {
  return putEncoded(args.sink, encodeBatch(args));
}

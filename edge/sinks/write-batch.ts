import type { Row, Schema } from "../plan/values.ts";
import type { ParquetWriter, ParquetWriteOptions } from "../parquet/writer.ts";
import { objectKey, partitionRows, type LayoutOptions } from "./layout.ts";
import type { Sink } from "./sink.ts";

export interface WrittenFile {
  key: string;
  rows: number;
  bytes: number;
}

/**
 * One flush: split the rows by partition, encode each group as Parquet and
 * store it under its deterministic key. The same batch and range always
 * write the same keys with the same bytes, so repeating a flush after a
 * crash replaces objects with identical ones.
 */
export async function writeBatch(args: {
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
}): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  for (const part of partitionRows(args.schema, args.rows, args.partitionBy, args.layout)) {
    const key = objectKey({ prefix: args.prefix, sink: args.sinkName, partition: part.path, writer: args.writer, first: args.first, last: args.last });
    const body = args.parquet.write(part.schema, part.rows, args.parquetOptions);
    await args.sink.put(key, body, { contentType: "application/vnd.apache.parquet" });
    written.push({ key, rows: part.rows.length, bytes: body.length });
  }
  return written;
}

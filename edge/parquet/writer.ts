import type { Row, Schema } from "../plan/values.ts";

/**
 * The contract every Parquet encoder fulfils. Encoding is a pure function of
 * (schema, rows, options): the same input gives the same bytes, which is what
 * makes a re-done flush rewrite an identical object.
 */
export interface ParquetWriter {
  readonly name: string;
  write(schema: Schema, rows: Row[], options?: ParquetWriteOptions): Uint8Array;
  /**
   * A file written as its rows arrive (`openFile` gives one for any writer):
   * the same bytes as `write` of all its rows, whatever the `add` calls.
   */
  open?(schema: Schema, options?: ParquetWriteOptions): ParquetFile;
}

/** A Parquet file being written: rows added in order, then the file's bytes once. */
export interface ParquetFile {
  add(rows: Row[]): void;
  /** Rows added so far. */
  readonly rows: number;
  finish(): Uint8Array;
}

/** An open file of `writer`: its own streaming one, or the rows kept until `finish` writes them at once. */
export function openFile(writer: ParquetWriter, schema: Schema, options?: ParquetWriteOptions): ParquetFile {
  if (writer.open) return writer.open(schema, options);
  const kept: Row[] = [];
  return {
    add(rows) {
      for (const row of rows) kept.push(row);
    },
    get rows() {
      return kept.length;
    },
    finish: () => writer.write(schema, kept, options),
  };
}

export interface ParquetWriteOptions {
  /** Rows per row group; readers skip whole groups by their statistics. */
  rowGroupSize?: number;
  codec?: "UNCOMPRESSED" | "SNAPPY" | "ZSTD";
}

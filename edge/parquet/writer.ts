import type { Row, Schema } from "../plan/values.ts";

/**
 * The contract every Parquet encoder fulfils. Encoding is a pure function of
 * (schema, rows, options): the same input gives the same bytes, which is what
 * makes a re-done flush rewrite an identical object.
 */
export interface ParquetWriter {
  readonly name: string;
  write(schema: Schema, rows: Row[], options?: ParquetWriteOptions): Uint8Array;
}

export interface ParquetWriteOptions {
  /** Rows per row group; readers skip whole groups by their statistics. */
  rowGroupSize?: number;
  codec?: "UNCOMPRESSED" | "SNAPPY" | "ZSTD";
}

import { ByteWriter, ParquetWriter as Encoder } from "hyparquet-writer";
import type { Row, Schema, Value } from "../plan/values.ts";
import { parquetLayout } from "./schema.ts";
import { snappyCompress } from "./snappy.ts";
import type { ParquetWriteOptions, ParquetWriter } from "./writer.ts";

/** Rows per row group unless the caller says otherwise: DuckDB's own default, a size its readers parallelise over. */
export const DEFAULT_ROW_GROUP_SIZE = 122_880;

/**
 * Fixed so the same rows always give the same bytes (no clocks in the footer), in the form the Parquet
 * spec gives `created_by` (`<application> version <version>`): parquet-mr (Spark, Hive) parses it before
 * it trusts a file's statistics of text, UUID and wide DECIMAL columns, and ignores them when it cannot
 * (with the bare `runnel`, a Spark filter on a string column skipped no row group).
 */
export const CREATED_BY = "runnel version 1.0.0";

/**
 * hyparquet-writer's encoder (pure JS; dictionary and RLE encodings,
 * DATA_PAGE_V2, Dremel levels for LIST/STRUCT/MAP, statistics) driven by the
 * same DuckDB schema mapping as `runnelWriter`, with runnel's Snappy. Not the
 * pipelines' writer (see bench/parquet-writer.ts): kept as an independent
 * second encoder the tests compare runnel's against.
 */
export const hyparquetWriter: ParquetWriter = {
  name: "hyparquet-writer",
  write(schema: Schema, rows: Row[], options: ParquetWriteOptions = {}): Uint8Array {
    const { elements, converts, jsonLeaves } = parquetLayout(schema);
    const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
    if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) {
      throw new Error(`parquet: rowGroupSize must be a positive integer, got ${rowGroupSize}`);
    }
    const codec = options.codec ?? "SNAPPY";
    if (codec === "ZSTD") {
      throw new Error("parquet: the hyparquet-writer encoder has no ZSTD compressor; use SNAPPY or UNCOMPRESSED");
    }
    const columnData = schema.map((column, i) => {
      const convert = converts[i]!;
      const data: unknown[] = new Array(rows.length);
      for (let r = 0; r < rows.length; r++) {
        const value: Value | undefined = rows[r]![column.name];
        if (value === undefined) {
          throw new Error(`parquet: row ${r} has no value for column ${JSON.stringify(column.name)} (use null for NULL)`);
        }
        data[r] = value === null || convert === null ? value : convert(value);
      }
      return { name: column.name, data };
    });
    const writer = new ByteWriter();
    try {
      const encoder = new Encoder({
        writer,
        schema: elements,
        codec,
        compressors: { SNAPPY: snappyCompress },
        statistics: true,
        createdBy: CREATED_BY,
      });
      // hyparquet-writer's DecodedArray types do not describe nested values; the schema decides what they are.
      encoder.write({ columnData: columnData as Parameters<Encoder["write"]>[0]["columnData"], rowGroupSize });
      for (const leaf of jsonLeaves) leaf.converted_type = "JSON";
      encoder.finish();
    } catch (cause) {
      throw new Error(`parquet: encoding ${rows.length} rows of (${schema.map((c) => `${c.name} ${c.type}`).join(", ")}) failed`, {
        cause,
      });
    }
    return writer.getBytes();
  },
};

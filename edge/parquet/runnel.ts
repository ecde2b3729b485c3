import type { SchemaElement } from "hyparquet";
import type { Row, Schema, Value } from "../plan/values.ts";
import { Bytes } from "./encoder/bytes.ts";
import { encodeChunk } from "./encoder/column.ts";
import { buildTree, shred } from "./encoder/shred.ts";
import { bin, bool, i32, i64, struct, writeStruct, type TField, type TValue } from "./encoder/thrift.ts";
import { CREATED_BY, DEFAULT_ROW_GROUP_SIZE } from "./hyparquet.ts";
import { parquetLayout } from "./schema.ts";
import type { ParquetWriteOptions, ParquetWriter } from "./writer.ts";

/**
 * runnel's own Parquet encoder, written for the edge's throughput: rows are
 * shredded straight into per-leaf levels and values (Dremel, so LIST,
 * STRUCT and MAP nest properly), strings are UTF-8-encoded once into page
 * buffers, repeated values get a dictionary, pages are Parquet v1 compressed
 * with runnel's Snappy, and the footer is written with a small Thrift
 * compact encoder. Same schema mapping as the hyparquet-writer encoder
 * (`schema.ts`), so both give DuckDB the same types.
 */
export const runnelWriter: ParquetWriter = {
  name: "runnel",
  write(schema: Schema, rows: Row[], options: ParquetWriteOptions = {}): Uint8Array {
    const { elements, converts } = parquetLayout(schema);
    const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
    if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) {
      throw new Error(`parquet: rowGroupSize must be a positive integer, got ${rowGroupSize}`);
    }
    const codec = options.codec ?? "SNAPPY";
    if (codec === "ZSTD") throw new Error("parquet: the runnel encoder has no ZSTD compressor; use SNAPPY or UNCOMPRESSED");
    const { columns, leaves } = buildTree(elements);
    // Chunks are kept as pieces and joined once at the end: no buffer doubling over megabytes.
    const pieces: Uint8Array[] = [MAGIC];
    let offset = MAGIC.length;
    const rowGroups: TValue[] = [];
    for (let start = 0; start < rows.length; start += rowGroupSize) {
      const end = Math.min(rows.length, start + rowGroupSize);
      for (const leaf of leaves) leaf.reset(end - start);
      // Column by column: each leaf's buffers stay hot, and flat columns skip the tree walk.
      for (let c = 0; c < columns.length; c++) {
        const { name, node } = columns[c]!;
        const convert = converts[c];
        const flat = node.kind === "leaf" ? node.leaf : null;
        for (let r = start; r < end; r++) {
          let value: Value | undefined = rows[r]![name];
          if (value === undefined) throw new Error(`parquet: row ${r} has no value for column ${JSON.stringify(name)} (use null for NULL)`);
          if (value !== null && convert) value = convert(value) as Value;
          if (flat) {
            if (value === null) flat.push(0, 0);
            else flat.push(1, 0, value);
            continue;
          }
          try {
            shred(node, value, 0, 0, 0);
          } catch (cause) {
            throw new Error(`parquet: row ${r}, column ${JSON.stringify(name)}: cannot encode the value`, { cause });
          }
        }
      }
      const groupStart = offset;
      const chunks: TValue[] = [];
      let uncompressed = 0;
      for (const leaf of leaves) {
        let chunk;
        try {
          chunk = encodeChunk(leaf, codec);
        } catch (cause) {
          throw new Error(`parquet: encoding column ${leaf.path.join(".")} of rows ${start}..${end - 1} failed`, { cause });
        }
        const chunkStart = offset;
        for (const piece of chunk.bytes) {
          pieces.push(piece);
          offset += piece.length;
        }
        uncompressed += chunk.uncompressed;
        chunks.push(struct([2, i64(chunkStart)], [3, chunk.meta(chunkStart)]));
      }
      rowGroups.push(
        struct(
          [1, { t: "list", elem: "struct", v: chunks }],
          [2, i64(uncompressed)],
          [3, i64(end - start)],
          [5, i64(groupStart)],
          [6, i64(offset - groupStart)],
        ),
      );
    }
    const out = new Bytes(4096);
    writeStruct(out, [
      [1, i32(1)],
      [2, { t: "list", elem: "struct", v: elements.map(schemaElement) }],
      [3, i64(rows.length)],
      [4, { t: "list", elem: "struct", v: rowGroups }],
      [6, bin(CREATED_BY)],
    ]);
    out.i32(out.length);
    out.bytes(MAGIC);
    pieces.push(out.result());
    const file = new Uint8Array(offset + out.length);
    let at = 0;
    for (const piece of pieces) {
      file.set(piece, at);
      at += piece.length;
    }
    return file;
  },
};

const MAGIC = new TextEncoder().encode("PAR1");

const PHYSICAL: Record<string, number> = { BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 };
const REPETITION: Record<string, number> = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 };
const CONVERTED: Record<string, number> = {
  UTF8: 0, MAP: 1, MAP_KEY_VALUE: 2, LIST: 3, ENUM: 4, DECIMAL: 5, DATE: 6, TIME_MILLIS: 7, TIME_MICROS: 8,
  TIMESTAMP_MILLIS: 9, TIMESTAMP_MICROS: 10, UINT_8: 11, UINT_16: 12, UINT_32: 13, UINT_64: 14,
  INT_8: 15, INT_16: 16, INT_32: 17, INT_64: 18, JSON: 19, BSON: 20, INTERVAL: 21,
};

function schemaElement(e: SchemaElement): TValue {
  const json = e.logical_type?.type === "JSON";
  const converted = json ? "JSON" : e.converted_type;
  return struct(
    [1, e.type === undefined ? undefined : i32(PHYSICAL[e.type]!)],
    [2, e.type_length === undefined ? undefined : i32(e.type_length)],
    [3, e.repetition_type === undefined ? undefined : i32(REPETITION[e.repetition_type]!)],
    [4, bin(e.name)],
    [5, e.num_children === undefined ? undefined : i32(e.num_children)],
    [6, converted === undefined ? undefined : i32(CONVERTED[converted]!)],
    [7, e.scale === undefined ? undefined : i32(e.scale)],
    [8, e.precision === undefined ? undefined : i32(e.precision)],
    [10, logicalType(e)],
  );
}

/** The LogicalType union; integers get IntType (bit width as Thrift i8) from their converted type. */
function logicalType(e: SchemaElement): TValue | undefined {
  const unit = (u: string | undefined) => struct([u === "MILLIS" ? 1 : u === "NANOS" ? 3 : 2, struct()]);
  const lt = e.logical_type;
  const int = /^(U?)INT_(8|16|32|64)$/.exec(e.converted_type ?? "");
  if (int) return struct([10, struct([1, { t: "i8", v: Number(int[2]) }], [2, bool(int[1] === "")])]);
  if (!lt) return undefined;
  const one = (id: number, body: TField[] = []): TValue => struct([id, struct(...body)]);
  switch (lt.type) {
    case "STRING":
      return one(1);
    case "MAP":
      return one(2);
    case "LIST":
      return one(3);
    case "DECIMAL":
      return one(5, [
        [1, i32(lt.scale)],
        [2, i32(lt.precision)],
      ]);
    case "DATE":
      return one(6);
    case "TIME":
      return one(7, [
        [1, bool(lt.isAdjustedToUTC)],
        [2, unit(lt.unit)],
      ]);
    case "TIMESTAMP":
      return one(8, [
        [1, bool(lt.isAdjustedToUTC)],
        [2, unit(lt.unit)],
      ]);
    case "JSON":
      return one(12);
    case "UUID":
      return one(14);
    default:
      throw new Error(`parquet: no footer encoding for logical type ${lt.type}`);
  }
}

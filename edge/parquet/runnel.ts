import type { SchemaElement } from "hyparquet";
import type { Row, Schema, Value } from "../plan/values.ts";
import { Bytes } from "./encoder/bytes.ts";
import { ChunkEncoder } from "./encoder/column.ts";
import { buildTree, shred, type Leaf, type Node } from "./encoder/shred.ts";
import { bin, bool, i32, i64, struct, writeStruct, type TField, type TValue } from "./encoder/thrift.ts";
import { CREATED_BY, DEFAULT_ROW_GROUP_SIZE } from "./hyparquet.ts";
import { parquetLayout } from "./schema.ts";
import type { ParquetFile, ParquetWriteOptions, ParquetWriter } from "./writer.ts";

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
    const file = new RunnelFile(schema, options);
    file.add(rows);
    return file.finish();
  },
  open(schema: Schema, options: ParquetWriteOptions = {}): ParquetFile {
    return new RunnelFile(schema, options);
  },
};

/**
 * One Parquet file written as its rows arrive: each `add` shreds the rows
 * into the leaves and writes every data page that is full (compressed), and
 * every row group that is; `finish` writes the rest, the dictionaries and
 * the footer. The bytes depend only on the rows and their order, not on how
 * they were split between `add` calls.
 */
class RunnelFile implements ParquetFile {
  private readonly elements: SchemaElement[];
  private readonly converts: ReturnType<typeof parquetLayout>["converts"];
  private readonly columns: { name: string; node: Node }[];
  private readonly leaves: Leaf[];
  private readonly rowGroupSize: number;
  private readonly codec: "SNAPPY" | "UNCOMPRESSED";
  private chunks: ChunkEncoder[];
  // Chunks are kept as pieces and joined once at the end: no buffer doubling over megabytes.
  private readonly pieces: Uint8Array[] = [MAGIC];
  private offset = MAGIC.length;
  private readonly rowGroups: TValue[] = [];
  private groupRows = 0;
  rows = 0;
  private finished = false;
  /** Why an `add` failed: the file is then half-updated and refuses any further use. */
  private failed: Error | null = null;

  constructor(schema: Schema, options: ParquetWriteOptions) {
    const { elements, converts } = parquetLayout(schema);
    this.elements = elements;
    this.converts = converts;
    this.rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
    if (!Number.isInteger(this.rowGroupSize) || this.rowGroupSize < 1) {
      throw new Error(`parquet: rowGroupSize must be a positive integer, got ${this.rowGroupSize}`);
    }
    const codec = options.codec ?? "SNAPPY";
    if (codec === "ZSTD") throw new Error("parquet: the runnel encoder has no ZSTD compressor; use SNAPPY or UNCOMPRESSED");
    this.codec = codec;
    const { columns, leaves } = buildTree(elements);
    this.columns = columns;
    this.leaves = leaves;
    this.chunks = leaves.map((leaf) => new ChunkEncoder(leaf, codec));
  }

  add(rows: Row[]): void {
    if (this.finished) throw new Error("parquet: rows added to a file already finished");
    this.usable();
    try {
      for (let start = 0; start < rows.length; ) {
        const end = Math.min(rows.length, start + this.rowGroupSize - this.groupRows);
        this.shred(rows, start, end);
        this.groupRows += end - start;
        this.rows += end - start;
        if (this.groupRows === this.rowGroupSize) this.endRowGroup();
        else this.drain();
        start = end;
      }
    } catch (error) {
      // Some leaves took part of the rows and others did not: the file is inconsistent.
      this.failed = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  }

  finish(): Uint8Array {
    if (this.finished) throw new Error("parquet: a file finished twice");
    this.usable();
    this.finished = true;
    if (this.groupRows > 0) this.endRowGroup();
    // Grown as needed: a file per partition makes many small footers, and 4 KiB each was most of what a tiny file allocated.
    const out = new Bytes(256);
    writeStruct(out, [
      [1, i32(1)],
      [2, { t: "list", elem: "struct", v: this.elements.map(schemaElement) }],
      [3, i64(this.rows)],
      [4, { t: "list", elem: "struct", v: this.rowGroups }],
      [6, bin(CREATED_BY)],
      // Every leaf's statistics are in its type's own order (min_value/max_value): without this list,
      // Arrow's reader (pyarrow, pandas) looks for the deprecated min/max instead and sees no statistics.
      [7, { t: "list", elem: "struct", v: this.leaves.map(() => TYPE_DEFINED_ORDER) }],
    ]);
    out.i32(out.length);
    out.bytes(MAGIC);
    this.pieces.push(out.result());
    const file = new Uint8Array(this.offset + out.length);
    let at = 0;
    for (const piece of this.pieces) {
      file.set(piece, at);
      at += piece.length;
    }
    this.pieces.length = 0;
    return file;
  }

  private usable(): void {
    if (this.failed) throw new Error(`parquet: the file cannot be used after a failed add (${this.failed.message}); start a new file`, { cause: this.failed });
  }

  /** Rows [start, end) into the leaves, column by column: each leaf's buffers stay hot, and flat columns skip the tree walk. */
  private shred(rows: Row[], start: number, end: number): void {
    for (const leaf of this.leaves) leaf.reserve(end - start);
    for (let c = 0; c < this.columns.length; c++) this.shredColumn(rows, start, end, c);
  }

  /** One column of rows [start, end). Its own method so no loop nests in another: see `runEnd` in encoder/rle.ts. */
  private shredColumn(rows: Row[], start: number, end: number, c: number): void {
    const { name, node } = this.columns[c]!;
    const convert = this.converts[c];
    const flat = node.kind === "leaf" ? node.leaf : null;
    for (let r = start; r < end; r++) {
      let value: Value | undefined = rows[r]![name];
      if (value === undefined) throw new Error(`parquet: row ${this.rows + r - start} has no value for column ${JSON.stringify(name)} (use null for NULL)`);
      if (value !== null && convert) value = convert(value) as Value;
      if (flat) {
        if (value === null) flat.push(0, 0);
        else flat.push(1, 0, value);
        continue;
      }
      try {
        shred(node, value, 0, 0, 0);
      } catch (cause) {
        throw new Error(`parquet: row ${this.rows + r - start}, column ${JSON.stringify(name)}: cannot encode the value`, { cause });
      }
    }
  }

  /** Writes the data pages that are full. */
  private drain(): void {
    for (const encoder of this.chunks) {
      try {
        encoder.drain();
      } catch (cause) {
        throw new Error(`parquet: encoding column ${encoder.path.join(".")} of rows up to ${this.rows - 1} failed`, { cause });
      }
    }
  }

  private endRowGroup(): void {
    const groupStart = this.offset;
    const first = this.rows - this.groupRows;
    const chunks: TValue[] = [];
    let uncompressed = 0;
    for (const encoder of this.chunks) {
      let chunk;
      try {
        chunk = encoder.finish();
      } catch (cause) {
        throw new Error(`parquet: encoding column ${encoder.path.join(".")} of rows ${first}..${this.rows - 1} failed`, { cause });
      }
      const chunkStart = this.offset;
      for (const piece of chunk.bytes) {
        this.pieces.push(piece);
        this.offset += piece.length;
      }
      uncompressed += chunk.uncompressed;
      chunks.push(struct([2, i64(chunkStart)], [3, chunk.meta(chunkStart)]));
    }
    this.rowGroups.push(
      struct(
        [1, { t: "list", elem: "struct", v: chunks }],
        [2, i64(uncompressed)],
        [3, i64(this.groupRows)],
        [5, i64(groupStart)],
        [6, i64(this.offset - groupStart)],
      ),
    );
    this.groupRows = 0;
    this.chunks = this.leaves.map((leaf) => new ChunkEncoder(leaf, this.codec));
  }
}

const MAGIC = new TextEncoder().encode("PAR1");

/** ColumnOrder's TYPE_ORDER (field 1, an empty TypeDefinedOrder): min_value/max_value follow the column's logical type. */
const TYPE_DEFINED_ORDER: TValue = struct([1, struct()]);

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

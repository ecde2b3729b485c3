import {
  Binary, Bool, type Data, DateDay, Decimal, Field, Float32, Float64, Int8, Int16, Int32, Int64, List,
  makeData, Null, RecordBatch, Schema as ArrowSchema, Struct, Table, tableToIPC, TimeMicrosecond, TimestampMicrosecond,
  Uint8, Uint16, Uint32, Uint64, Utf8,
} from "apache-arrow";
import { parseType, type TypeNode } from "../../edge/plan/type-text.ts";
import type { Interval, Row, Schema, Value } from "../../edge/plan/values.ts";

/**
 * Rows in the representation of `edge/plan/values.ts` as an Arrow table, one
 * column per schema column, typed from DuckDB's type text:
 *
 *   BOOLEAN Bool · TINYINT..BIGINT Int8..Int64 · UTINYINT..UBIGINT Uint8..Uint64
 *   FLOAT Float32 · DOUBLE Float64 · DECIMAL(p,s) Decimal128(p,s)
 *   DATE DateDay · TIME Time(us) · TIMESTAMP Timestamp(us) · TIMESTAMPTZ Timestamp(us, "UTC")
 *   VARCHAR JSON UUID ENUM HUGEINT INTERVAL and anything else Utf8 (text)
 *   BLOB Binary · T[] and T[n] List<T> · STRUCT Struct · MAP List<Struct<key, value>>
 *
 * Each field carries its DuckDB type in metadata `duckdb.type`, and a source column whose event
 * key differs from its name (`Column.key`) that key in `runnel.key`, and a column of whole records
 * (`Column.whole`) `runnel.whole` = `true`. The buffers are
 * built directly, not through Arrow's builders, so microsecond timestamps and
 * 128-bit decimals keep every digit.
 */
export function rowsToArrowTable(schema: Schema, rows: readonly Row[], metadata: Record<string, string> = {}): Table {
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const column of schema) {
    const node = parseType(column.type);
    const data = buildData(node, rows.map((row) => row[column.name] ?? null));
    const metadata = new Map([["duckdb.type", column.type]]);
    // The event key a column reads, where DuckDB named the column otherwise (the browser's tail reads events by it).
    if (column.key !== undefined) metadata.set("runnel.key", column.key);
    // DuckDB's one `json` column of whole records (`Column.whole`): the browser's tail puts each event there whole.
    if (column.whole === true) metadata.set("runnel.whole", "true");
    fields.push(new Field(column.name, data.type, true, metadata));
    children.push(data);
  }
  const arrowSchema = new ArrowSchema(fields, new Map(Object.entries(metadata)));
  const struct = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
  return new Table(new RecordBatch(arrowSchema, struct));
}

/** The same table as Arrow IPC stream bytes (what DuckDB-WASM's insertArrowFromIPCStream reads). */
export function rowsToArrowIPC(schema: Schema, rows: readonly Row[], metadata: Record<string, string> = {}): Uint8Array {
  return tableToIPC(rowsToArrowTable(schema, rows, metadata), "stream");
}

function buildData(node: TypeNode, values: readonly Value[]): Data {
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const base = { length, nullCount, nullBitmap };
  switch (node.kind) {
    case "decimal": {
      const data = new Uint32Array(length * 4);
      values.forEach((v, i) => writeInt128(data, i, v === null ? 0n : (v as bigint)));
      return makeData({ ...base, type: new Decimal(node.scale, node.width, 128), data });
    }
    case "list":
    case "array":
      return buildList(node.child, values, base);
    case "map": {
      const entry = { kind: "struct" as const, fields: [{ name: "key", type: node.key }, { name: "value", type: node.value }] };
      return buildList(entry, values, base);
    }
    case "struct": {
      const children = node.fields.map((f) =>
        buildData(f.type, values.map((v) => (v === null ? null : ((v as Record<string, Value>)[f.name] ?? null)))),
      );
      const type = new Struct(node.fields.map((f, i) => new Field(f.name, children[i]!.type, true)));
      return makeData({ ...base, type, children });
    }
    case "scalar":
      return buildScalar(node.name, values, base);
    case "other":
      return buildUtf8(values.map((v) => (v === null ? null : String(v))), base);
  }
}

type Base = { length: number; nullCount: number; nullBitmap: Uint8Array };

function buildScalar(name: string, values: readonly Value[], base: Base): Data {
  const numbers = <T extends { length: number; [i: number]: number | bigint }>(array: T, zero: number | bigint): T => {
    values.forEach((v, i) => { array[i] = v === null ? zero : (v as number | bigint); });
    return array;
  };
  const n = base.length;
  switch (name) {
    case "BOOLEAN": {
      const data = new Uint8Array(Math.ceil(n / 8));
      values.forEach((v, i) => { if (v === true) data[i >> 3]! |= 1 << (i & 7); });
      return makeData({ ...base, type: new Bool(), data });
    }
    case "TINYINT": return makeData({ ...base, type: new Int8(), data: numbers(new Int8Array(n), 0) });
    case "SMALLINT": return makeData({ ...base, type: new Int16(), data: numbers(new Int16Array(n), 0) });
    case "INTEGER": return makeData({ ...base, type: new Int32(), data: numbers(new Int32Array(n), 0) });
    case "BIGINT": return makeData({ ...base, type: new Int64(), data: numbers(new BigInt64Array(n), 0n) });
    case "UTINYINT": return makeData({ ...base, type: new Uint8(), data: numbers(new Uint8Array(n), 0) });
    case "USMALLINT": return makeData({ ...base, type: new Uint16(), data: numbers(new Uint16Array(n), 0) });
    case "UINTEGER": return makeData({ ...base, type: new Uint32(), data: numbers(new Uint32Array(n), 0) });
    case "UBIGINT": return makeData({ ...base, type: new Uint64(), data: numbers(new BigUint64Array(n), 0n) });
    case "FLOAT": return makeData({ ...base, type: new Float32(), data: numbers(new Float32Array(n), 0) });
    case "DOUBLE": return makeData({ ...base, type: new Float64(), data: numbers(new Float64Array(n), 0) });
    case "DATE": return makeData({ ...base, type: new DateDay(), data: numbers(new Int32Array(n), 0) });
    case "TIME": return makeData({ ...base, type: new TimeMicrosecond(), data: numbers(new BigInt64Array(n), 0n) });
    case "TIMESTAMP": return makeData({ ...base, type: new TimestampMicrosecond(), data: numbers(new BigInt64Array(n), 0n) });
    case "TIMESTAMP WITH TIME ZONE":
    case "TIMESTAMPTZ": return makeData({ ...base, type: new TimestampMicrosecond("UTC"), data: numbers(new BigInt64Array(n), 0n) });
    case "BLOB": return buildBinary(values.map((v) => (v === null ? null : (v as Uint8Array))), base);
    case "NULL": return makeData({ type: new Null(), length: n });
    case "INTERVAL": return buildUtf8(values.map((v) => (v === null ? null : intervalText(v as Interval))), base);
    default: return buildUtf8(values.map((v) => (v === null ? null : String(v))), base);
  }
}

function buildList(child: TypeNode, values: readonly Value[], base: Base): Data {
  const offsets = new Int32Array(base.length + 1);
  const flat: Value[] = [];
  values.forEach((v, i) => {
    if (v !== null) for (const x of v as Value[]) flat.push(x);
    offsets[i + 1] = flat.length;
  });
  const childData = buildData(child, flat);
  return makeData({ ...base, type: new List(new Field("item", childData.type, true)), valueOffsets: offsets, child: childData });
}

const utf8 = new TextEncoder();

function buildUtf8(values: readonly (string | null)[], base: Base): Data {
  const { valueOffsets, data } = packBytes(values.map((v) => (v === null ? null : utf8.encode(v))));
  return makeData({ ...base, type: new Utf8(), valueOffsets, data });
}

function buildBinary(values: readonly (Uint8Array | null)[], base: Base): Data {
  const { valueOffsets, data } = packBytes(values);
  return makeData({ ...base, type: new Binary(), valueOffsets, data });
}

function packBytes(values: readonly (Uint8Array | null)[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  values.forEach((v, i) => { total += v?.length ?? 0; valueOffsets[i + 1] = total; });
  const data = new Uint8Array(total);
  values.forEach((v, i) => { if (v) data.set(v, valueOffsets[i]!); });
  return { valueOffsets, data };
}

function validity(values: readonly Value[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

/** Writes a signed 128-bit integer as four little-endian 32-bit words (two's complement). */
function writeInt128(words: Uint32Array, index: number, value: bigint): void {
  let v = BigInt.asUintN(128, value);
  for (let w = 0; w < 4; w++) {
    words[index * 4 + w] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

function intervalText(v: Interval): string {
  return `${v.months} months ${v.days} days ${v.micros} microseconds`;
}

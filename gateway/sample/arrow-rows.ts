import { type Data, DataType, type Field, makeVector, type Table, Type } from "apache-arrow";
import { parseType, type TypeNode } from "../../edge/plan/type-text.ts";
import type { Row, Schema, Value } from "../../edge/plan/values.ts";

/**
 * An Arrow table (as a browser's DuckDB-WASM exports it, or as `arrow.ts`
 * builds it) read back into DuckDB types and values.ts rows, the inverse of
 * `rowsToArrowTable`: Int*, Uint*, Float*, Bool, Utf8, Binary, Date, Time,
 * Timestamp (any unit, to microseconds), Decimal, List, Struct and
 * Dictionary. A field's `duckdb.type` metadata, when present, names its type.
 * Other Arrow types are refused with the field's name.
 */
export function arrowToRows(table: Table): { schema: Schema; rows: Row[] } {
  const schema: Schema = table.schema.fields.map((f) => ({ name: f.name, type: f.metadata.get("duckdb.type") ?? duckTypeOf(f.type, f.name) }));
  const rows: Row[] = Array.from({ length: table.numRows }, () => ({}));
  table.schema.fields.forEach((field, column) => {
    const vector = table.getChildAt(column)!;
    let at = 0;
    // Types Arrow carries as text (`arrow.ts`: HUGEINT, UHUGEINT, INTERVAL) get their values.ts form back, at any depth.
    const node = field.metadata.has("duckdb.type") ? parseType(schema[column]!.type) : null;
    const text = node !== null && carriesText(node);
    for (const data of vector.data) {
      for (const value of valuesOf(data, field.name)) rows[at++]![field.name] = text ? fromText(node!, value) : value;
    }
  });
  return { schema, rows };
}

const TEXT_CARRIED = new Set(["HUGEINT", "UHUGEINT", "INTERVAL"]);

function carriesText(node: TypeNode): boolean {
  switch (node.kind) {
    case "scalar": return TEXT_CARRIED.has(node.name);
    case "list": case "array": return carriesText(node.child);
    case "struct": return node.fields.some((f) => carriesText(f.type));
    case "map": return carriesText(node.key) || carriesText(node.value);
    default: return false;
  }
}

/** A value read from Arrow, with the text `arrow.ts` wrote for a HUGEINT, UHUGEINT or INTERVAL turned back into its values.ts form. */
function fromText(node: TypeNode, value: Value): Value {
  if (value === null) return null;
  switch (node.kind) {
    case "scalar": {
      if (typeof value !== "string") return value;
      if (node.name === "HUGEINT" || node.name === "UHUGEINT") return BigInt(value);
      if (node.name === "INTERVAL") {
        const m = /^(-?\d+) months (-?\d+) days (-?\d+) microseconds$/.exec(value);
        return m ? { months: Number(m[1]), days: Number(m[2]), micros: BigInt(m[3]!) } : value;
      }
      return value;
    }
    case "list": case "array": return (value as Value[]).map((v) => fromText(node.child, v));
    case "struct": {
      const row = value as Record<string, Value>;
      return Object.fromEntries(node.fields.map((f) => [f.name, fromText(f.type, row[f.name] ?? null)]));
    }
    case "map": return (value as Value[]).map((e) => {
      const entry = e as Record<string, Value>;
      return { key: fromText(node.key, entry.key ?? null), value: fromText(node.value, entry.value ?? null) };
    });
    default: return value;
  }
}

function duckTypeOf(type: DataType, name: string): string {
  if (DataType.isDictionary(type)) return duckTypeOf(type.dictionary, name);
  if (DataType.isInt(type)) return (type.isSigned ? { 8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT" } : { 8: "UTINYINT", 16: "USMALLINT", 32: "UINTEGER", 64: "UBIGINT" })[type.bitWidth]!;
  if (DataType.isFloat(type)) return type.precision === 2 ? "DOUBLE" : "FLOAT";
  if (DataType.isBool(type)) return "BOOLEAN";
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return "VARCHAR";
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return "BLOB";
  if (DataType.isDate(type)) return "DATE";
  if (DataType.isTime(type)) return "TIME";
  if (DataType.isTimestamp(type)) return type.timezone ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP";
  if (DataType.isDecimal(type)) return `DECIMAL(${type.precision},${type.scale})`;
  if (DataType.isList(type)) return `${duckTypeOf(type.children[0]!.type, name)}[]`;
  if (DataType.isStruct(type)) return `STRUCT(${type.children.map((f: Field) => `${quoteField(f.name)} ${duckTypeOf(f.type, `${name}.${f.name}`)}`).join(", ")})`;
  throw new Error(`share: column ${name} has Arrow type ${type}, which a sample cannot hold`);
}

function quoteField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Multiplier from a time unit (0 s, 1 ms, 2 us, 3 ns) to microseconds, as [multiply, divide]. */
const toMicros: Record<number, [bigint, bigint]> = { 0: [1_000_000n, 1n], 1: [1000n, 1n], 2: [1n, 1n], 3: [1n, 1000n] };

function valuesOf(data: Data, name: string): Value[] {
  const type = data.type as DataType;
  const n = data.length;
  const out: Value[] = new Array(n);
  const valid = (i: number) => data.nullCount === 0 || data.getValid(i);
  switch (type.typeId) {
    case Type.Timestamp:
    case Type.Time: {
      const [mul, div] = toMicros[(type as unknown as { unit: number }).unit]!;
      const values = data.values as BigInt64Array | Int32Array;
      for (let i = 0; i < n; i++) out[i] = valid(i) ? (BigInt(values[data.offset + i]!) * mul) / div : null;
      return out;
    }
    case Type.Date: {
      const vector = makeVector(data);
      for (let i = 0; i < n; i++) out[i] = valid(i) ? Math.floor(Number(vector.get(i)) / 86_400_000) : null;
      return out;
    }
    case Type.Decimal: {
      const words = data.values as Uint32Array;
      const stride = (type as unknown as { bitWidth: number }).bitWidth / 32;
      for (let i = 0; i < n; i++) {
        if (!valid(i)) { out[i] = null; continue; }
        let v = 0n;
        for (let w = stride - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[(data.offset + i) * stride + w]!);
        out[i] = BigInt.asIntN(stride * 32, v);
      }
      return out;
    }
    case Type.List: {
      const offsets = data.valueOffsets as Int32Array;
      const child = valuesOf(data.children[0]!, name);
      const base = offsets[data.offset]!;
      for (let i = 0; i < n; i++) out[i] = valid(i) ? child.slice(offsets[data.offset + i]! - base, offsets[data.offset + i + 1]! - base) : null;
      return out;
    }
    case Type.Struct: {
      const fields = (type as unknown as { children: Field[] }).children;
      const columns = fields.map((f, k) => valuesOf(data.children[k]!, `${name}.${f.name}`));
      for (let i = 0; i < n; i++) {
        if (!valid(i)) { out[i] = null; continue; }
        const row: Record<string, Value> = {};
        fields.forEach((f, k) => { row[f.name] = columns[k]![i]!; });
        out[i] = row;
      }
      return out;
    }
    case Type.Int: case Type.Float: case Type.Bool: case Type.Utf8: case Type.LargeUtf8:
    case Type.Binary: case Type.LargeBinary: case Type.Dictionary: {
      const vector = makeVector(data);
      for (let i = 0; i < n; i++) out[i] = valid(i) ? (vector.get(i) as Value) : null;
      return out;
    }
    case Type.Null:
      return out.fill(null);
    default:
      throw new Error(`share: column ${name} has Arrow type ${type}, which a sample cannot hold`);
  }
}

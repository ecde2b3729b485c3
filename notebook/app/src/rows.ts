import { DataType } from "apache-arrow";

/** A result column as DuckDB names it. */
export interface Column {
  name: string;
  type: string;
}

/**
 * What a SQL cell gives JavaScript cells: an array of plain row objects
 * (BIGINT and HUGEINT as number when it is exact, else bigint, TIMESTAMP and DATE as Date, STRUCT as
 * object, LIST as array), carrying its columns with DuckDB's type names.
 */
export type Rows = Record<string, unknown>[] & { columns: Column[] };

interface ArrowField {
  name: string;
  type: DataType;
}

interface ArrowLike {
  schema: { fields: ArrowField[] };
  numRows: number;
  getChildAt(index: number): { get(index: number): unknown } | null;
}

/**
 * Reads a DuckDB-WASM result into rows. The result is an Arrow table built by
 * DuckDB-WASM's own apache-arrow (17), so it is read through `typeId` checks
 * that hold across Arrow versions, never `instanceof`.
 */
export function toRows(table: ArrowLike, types: Column[] | null): Rows {
  const fields = table.schema.fields;
  const vectors = fields.map((_, i) => table.getChildAt(i));
  const rows = new Array<Record<string, unknown>>(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < fields.length; c++) {
      const field = fields[c]!;
      row[field.name] = toValue(vectors[c]?.get(r), field.type);
    }
    rows[r] = row;
  }
  const columns = types ?? fields.map((f) => ({ name: f.name, type: String(f.type) }));
  return Object.assign(rows, { columns });
}

function toValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return typeof value === "number" ? new Date(value) : value;
  if (DataType.isStruct(type)) {
    const out: Record<string, unknown> = {};
    const source = value as Record<string, unknown>;
    for (const child of type.children) out[child.name] = toValue(source[child.name], child.type);
    return out;
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    const child = type.children[0];
    const items = Array.from(value as Iterable<unknown>);
    return child === undefined ? items : items.map((item) => toValue(item, child.type));
  }
  if (DataType.isDecimal(type) && typeof value === "object") {
    // A HUGEINT comes as DECIMAL(38,0): kept exact as BIGINT is (a number while that is exact, else a bigint).
    if (type.scale === 0) return toValue(BigInt(String(value)), type);
    return Number(String(value)) / 10 ** type.scale;
  }
  return value;
}

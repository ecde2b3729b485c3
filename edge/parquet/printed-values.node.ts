/**
 * Values as the tests that read the lake with other engines print them (tests/read-lake14.py for
 * pyarrow and Polars, tests/read-lake-spark15.py for Spark), from what DuckDB's node client reads:
 * forms JSON keeps exactly. Integers and decimals as text, floats as the hex of their 8 bytes ("nan"
 * for NaN), binary and UUIDs as hex, dates as days, times and timestamps as microseconds, lists as
 * lists, structs as objects, maps as [key, value] pairs.
 */
import type { DuckDBConnection, DuckDBType } from "@duckdb/node-api";

export type Printed = string | boolean | null | Printed[] | { [k: string]: Printed };

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export function floatBits(n: number): string {
  if (Number.isNaN(n)) return "nan";
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  return hex(new Uint8Array(view.buffer));
}

export function decimalText(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, "0");
  return (neg ? "-" : "") + (scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits);
}

/** A value DuckDB's node client read, in the printed form; `type` is the column's DuckDB type as read. */
export function printed(type: DuckDBType, v: unknown): Printed {
  if (v === null) return null;
  const t = type as unknown as { typeId: number; valueType?: DuckDBType; keyType?: DuckDBType; entryTypes?: DuckDBType[]; entryNames?: string[]; scale?: number };
  const o = v as Record<string, unknown>;
  switch (type.typeId) {
    case 1: return v as boolean; // BOOLEAN
    case 10: case 11: return floatBits(v as number); // FLOAT, DOUBLE
    case 13: return String(o.days); // DATE
    case 14: case 12: case 31: return String(o.micros); // TIME, TIMESTAMP, TIMESTAMPTZ
    case 18: return hex(o.bytes as Uint8Array); // BLOB
    case 19: return decimalText(o.value as bigint, t.scale!); // DECIMAL
    case 27: return String(v).replaceAll("-", ""); // UUID
    case 17: return v as string; // VARCHAR, JSON
    case 24: case 33: return (o.items as unknown[]).map((x) => printed(t.valueType!, x)); // LIST, ARRAY
    case 25: return Object.fromEntries(t.entryNames!.map((name, i) => [name, printed(t.entryTypes![i]!, (o.entries as Record<string, unknown>)[name] ?? null)]));
    case 26: return (o.entries as { key: unknown; value: unknown }[]).map((e) => [printed(t.keyType!, e.key), printed(t.valueType!, e.value)]);
    default: return String(v); // integers of every width
  }
}

/** A query's column names, types and rows in the printed form. */
export async function duckRead(db: DuckDBConnection, sql: string): Promise<{ names: string[]; types: DuckDBType[]; rows: Printed[][] }> {
  const reader = await db.runAndReadAll(sql);
  const types = reader.columnTypes();
  return { names: reader.columnNames(), types, rows: reader.getRows().map((row) => row.map((v, i) => printed(types[i]!, v))) };
}

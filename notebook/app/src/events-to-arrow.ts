import { DataType, type Field, type Schema, Table, tableToIPC, vectorFromArray } from "apache-arrow";

/**
 * Turns a batch of tail events (decoded JSON) into Arrow IPC stream bytes
 * typed exactly like the source's sample, so DuckDB-WASM can append them to
 * the source table with `insertArrowFromIPCStream` (the browser has no JSON
 * reader: the json extension is not built into DuckDB-WASM). A value that does
 * not fit its column becomes NULL rather than failing the batch, the way
 * DuckDB's JSON reader treats a mismatch under `ignore_errors`.
 */
export function eventsToArrow(schema: Schema, events: readonly unknown[]): Uint8Array {
  const columns: Record<string, ReturnType<typeof vectorFromArray>> = {};
  for (const field of schema.fields) {
    const values = events.map((event) => coerce(pick(event, field.name), field.type));
    try {
      columns[field.name] = vectorFromArray(values, field.type);
    } catch (cause) {
      throw new Error(`events: cannot build column ${field.name} (${String(field.type)}) from ${events.length} events`, { cause });
    }
  }
  return tableToIPC(new Table(columns), "stream");
}

function pick(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  return (value as Record<string, unknown>)[key] ?? null;
}

/** Brings one JSON value into the shape Arrow's builder for `type` accepts, or null. */
export function coerce(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return toEpochMs(value);
  if (DataType.isInt(type)) {
    const n = typeof value === "string" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n) || !Number.isInteger(n)) return null;
    return type.bitWidth === 64 ? BigInt(n) : n;
  }
  if (DataType.isFloat(type) || DataType.isDecimal(type)) {
    const n = typeof value === "string" ? Number(value) : value;
    return typeof n === "number" && Number.isFinite(n) ? n : null;
  }
  if (DataType.isBool(type)) return typeof value === "boolean" ? value : null;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return typeof value === "string" ? value : JSON.stringify(value);
  if (DataType.isStruct(type)) {
    if (typeof value !== "object" || Array.isArray(value)) return null;
    const out: Record<string, unknown> = {};
    for (const child of type.children as Field[]) out[child.name] = coerce((value as Record<string, unknown>)[child.name], child.type);
    return out;
  }
  if (DataType.isList(type)) {
    if (!Array.isArray(value)) return null;
    const child = type.children[0];
    return child === undefined ? null : value.map((item) => coerce(item, child.type));
  }
  return value;
}

function toEpochMs(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  // DuckDB reads "2026-11-22 05:00:00" as a local-free timestamp: treat it as UTC.
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d/.test(value) && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(ms) ? null : ms;
}

import { DataType, type Field, type Schema, Table, tableToIPC, vectorFromArray } from "apache-arrow";
import { JsonReal, stringifyJsonLossless } from "../../../edge/duckdb/lossless-json.ts";

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
    // A column DuckDB named otherwise than its key (`ID_1` for `ID` after `id`) reads the key the sample's metadata keeps.
    const key = field.metadata.get("runnel.key") ?? field.name;
    const values = events.map((event) => coerce(pick(event, key), field.type));
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

/**
 * A tail batch's JSON text as events, each integer past 2^53 exact (a `bigint`: snowflake ids stay
 * the ids the sample shows) and each real with an integral value (`10.0`) kept as a `JsonReal`, so
 * a text column shows `10.0` as the sample and the published pipeline do (where the browser can
 * see a number's source text).
 */
export function parseTailJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    if (typeof value !== "number" || context?.source === undefined || !Number.isInteger(value)) return value;
    if (/[.eE]/.test(context.source)) return Number.isSafeInteger(value) ? new JsonReal(value) : value;
    return Number.isSafeInteger(value) ? value : BigInt(context.source);
  });
}

const NON_FINITE_TEXT = /^\s*-?(?:nan|inf(?:inity)?)\s*$/i;

/** Brings one JSON value into the shape Arrow's builder for `type` accepts, or null. */
export function coerce(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  // A real reads as its number; into text it prints as the real (stringifyJsonLossless below writes it so).
  if (value instanceof JsonReal && !DataType.isUtf8(type) && !DataType.isLargeUtf8(type)) value = value.value;
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return toEpochMs(value);
  if (DataType.isInt(type)) {
    if (typeof value === "bigint") {
      const bits = BigInt(type.bitWidth);
      const [min, max] = type.isSigned ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
      if (value < min || value > max) return null;
      return type.bitWidth === 64 ? value : Number(value);
    }
    const n = typeof value === "string" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n) || !Number.isInteger(n)) return null;
    return type.bitWidth === 64 ? BigInt(n) : n;
  }
  if (DataType.isFloat(type)) {
    // NaN and the infinities arrive as text ("NaN", "-Infinity"): a DOUBLE holds them.
    if (typeof value === "string" && NON_FINITE_TEXT.test(value)) return /nan/i.test(value) ? NaN : value.trim().startsWith("-") ? -Infinity : Infinity;
  }
  if (DataType.isFloat(type) || DataType.isDecimal(type)) {
    const n = typeof value === "string" || typeof value === "bigint" ? Number(value) : value;
    return typeof n === "number" && Number.isFinite(n) ? n : null;
  }
  if (DataType.isBool(type)) return typeof value === "boolean" ? value : null;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return typeof value === "string" ? value : stringifyJsonLossless(value);
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

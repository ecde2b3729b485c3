import { type Data, DataType, type Field, type List, makeBuilder, makeData, makeVector, type Schema, type Struct, Table, TimeUnit, type Timestamp, tableToIPC, type Vector, vectorFromArray } from "apache-arrow";
import { counted } from "../../format/counted.ts";
import { JsonReal, stringifyJsonLossless } from "../../../edge/duckdb/lossless-json.ts";
import { tryCastValue } from "../../../edge/exec/functions/cast.ts";
import { jsonText } from "../../../edge/exec/convert.ts";

/**
 * Turns a batch of tail events (decoded JSON) into Arrow IPC stream bytes
 * typed exactly like the source's sample, so DuckDB-WASM can append them to
 * the source table with `insertArrowFromIPCStream` (the browser has no JSON
 * reader: the json extension is not built into DuckDB-WASM). A value that does
 * not fit its column becomes NULL rather than failing the batch, the way
 * DuckDB's JSON reader treats a mismatch under `ignore_errors`.
 */
export function eventsToArrow(schema: Schema, events: readonly unknown[]): Uint8Array {
  const columns: Record<string, Vector> = {};
  for (const field of schema.fields) {
    const read = fieldReader(field);
    try {
      // A top-level TIMESTAMP keeps its microseconds (Arrow's builder takes milliseconds).
      const type = field.type as DataType;
      if (DataType.isTimestamp(type) && (type as Timestamp).unit === TimeUnit.MICROSECOND) {
        columns[field.name] = microsVector(type as Timestamp, events.map((event) => timestampMicros(read(event), type as Timestamp)));
        continue;
      }
      // So does one inside a STRUCT or a LIST, at any depth: the column is built part by part.
      if (holdsMicros(type)) {
        columns[field.name] = makeVector(nestedData(type, events.map(read)));
        continue;
      }
      // A JSON column holds each value's JSON text, as the sample and the pipeline write it (`"a"` for the string a).
      const json = field.metadata.get("duckdb.type") === "JSON";
      const values = events.map((event) => (json ? jsonColumnText(read(event)) : coerce(read(event), field.type)));
      columns[field.name] = vectorFromArray(values, field.type);
    } catch (cause) {
      throw new Error(`events: cannot build column ${field.name} (${String(field.type)}) from ${counted(events.length, "event")}`, { cause });
    }
  }
  return tableToIPC(new Table(columns), "stream");
}

/** What a batch of tail events lost on the way into the table: values their column cannot hold, keys it has no column for. */
export interface Misfits {
  /** Events with at least one value, at any depth, that does not fit its column (it shows as NULL). */
  events: number;
  /** The last such value, as `column: <JSON> into <type>`. */
  last: string | null;
  /** Top-level keys of the events that the table has no column for, in the order first seen. */
  newKeys: string[];
}

/**
 * The values of `events` that `eventsToArrow` turns into NULL because they do not fit the sample's
 * column (`"not a number"` into a DOUBLE, `12345678901234567890` into a BIGINT, a malformed
 * timestamp), and the keys it drops because the sample had no such column. The table shows such a
 * value as NULL; the source card says so, or a value would vanish without a word.
 */
export function findMisfits(schema: Schema, events: readonly unknown[]): Misfits {
  const misfits: Misfits = { events: 0, last: null, newKeys: [] };
  const keys = new Set(schema.fields.map((field) => field.metadata.get("runnel.key") ?? field.name));
  const readers = schema.fields.map(fieldReader);
  // A column of whole records takes every key.
  const whole = schema.fields.some((field) => field.metadata.get("runnel.whole") === "true");
  for (const event of events) {
    let misfit: string | null = null;
    for (const [i, field] of schema.fields.entries()) {
      const value = readers[i]!(event);
      if (lost(value, field.type)) misfit = `${field.name}: ${cut(stringifyJsonLossless(value))} into ${field.metadata.get("duckdb.type") ?? String(field.type)}`;
    }
    if (misfit !== null) {
      misfits.events++;
      misfits.last = misfit;
    }
    if (!whole && event !== null && typeof event === "object" && !Array.isArray(event) && !(event instanceof JsonReal)) {
      for (const key of Object.keys(event)) if (!keys.has(key) && !misfits.newKeys.includes(key)) misfits.newKeys.push(key);
    }
  }
  return misfits;
}

/** Whether `coerce` turns a value that is there (at any depth) into NULL. */
function lost(value: unknown, type: DataType): boolean {
  if (value === null || value === undefined) return false;
  if (coerce(value, type) === null) return true;
  // Not an object, a STRUCT's value is one of NULL fields (coerce): what the event held is gone.
  if (DataType.isStruct(type) && !isObject(value)) return true;
  if (DataType.isStruct(type) && typeof value === "object" && !Array.isArray(value)) {
    return (type.children as Field[]).some((child) => lost((value as Record<string, unknown>)[child.name], child.type));
  }
  if (DataType.isList(type) && Array.isArray(value)) {
    const child = type.children[0];
    return child !== undefined && value.some((item) => lost(item, child.type));
  }
  return false;
}

function cut(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** Whether a nested type holds a TIMESTAMP of microseconds in some STRUCT field or LIST item. */
function holdsMicros(type: DataType): boolean {
  if (DataType.isTimestamp(type)) return (type as Timestamp).unit === TimeUnit.MICROSECOND;
  if (DataType.isStruct(type) || DataType.isList(type)) return (type.children as Field[]).some((child) => holdsMicros(child.type));
  return false;
}

/** Validity bits for `values`, and how many are null; the bitmap is null when none is. */
function validity(values: readonly unknown[], present: (value: unknown) => boolean): { nullBitmap: Uint8Array | null; nullCount: number } {
  const bits = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  values.forEach((value, i) => {
    if (present(value)) bits[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  });
  return { nullBitmap: nullCount === 0 ? null : bits, nullCount };
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * A column of a nested type holding TIMESTAMPs, from the events' JSON values, as `coerce` reads
 * them (a STRUCT from an object, a LIST from an array, else NULL) except that each TIMESTAMP keeps
 * its microseconds: Arrow's builder takes a timestamp as a JavaScript number of milliseconds.
 */
function nestedData(type: DataType, values: readonly unknown[]): Data {
  if (DataType.isTimestamp(type) && (type as Timestamp).unit === TimeUnit.MICROSECOND) {
    return microsVector(type as Timestamp, values.map((value) => timestampMicros(value, type as Timestamp))).data[0]!;
  }
  if (DataType.isStruct(type) && holdsMicros(type)) {
    const struct = type as Struct;
    const children = (struct.children as Field[]).map((child) => nestedData(child.type, values.map((value) => (isObject(value) ? (value[child.name] ?? null) : null))));
    // As `coerce`: NULL stays NULL, any other value that is not an object is a STRUCT of NULL fields.
    return makeData({ type: struct, length: values.length, ...validity(values, (value) => value !== null && value !== undefined), children });
  }
  if (DataType.isList(type) && holdsMicros(type)) {
    const list = type as List;
    const offsets = new Int32Array(values.length + 1);
    const items: unknown[] = [];
    values.forEach((value, i) => {
      if (Array.isArray(value)) for (const x of value as unknown[]) items.push(x);
      offsets[i + 1] = items.length;
    });
    const child = nestedData(list.children[0]!.type, items);
    return makeData({ type: list, length: values.length, ...validity(values, Array.isArray), valueOffsets: offsets, child });
  }
  // Anything else as before: the builder, over what `coerce` makes of each value.
  const builder = makeBuilder({ type, nullValues: [null, undefined] });
  for (const value of values) builder.append(coerce(value, type));
  return builder.finish().flush();
}

/** A TIMESTAMP column of exact microseconds, NULL where `micros` is null. */
function microsVector(type: Timestamp, micros: readonly (bigint | null)[]) {
  const data = new BigInt64Array(micros.length);
  const valid = new Uint8Array((micros.length + 7) >> 3);
  let nulls = 0;
  micros.forEach((m, i) => {
    if (m === null) nulls++;
    else {
      data[i] = m;
      valid[i >> 3]! |= 1 << (i & 7);
    }
  });
  return makeVector(makeData({ type, length: micros.length, nullCount: nulls, nullBitmap: nulls === 0 ? null : valid, data }));
}

/**
 * How a field reads an event: by the key the sample's metadata keeps for a column DuckDB named otherwise
 * (`ID_1` for `ID` after `id`), else its name; DuckDB's one column of whole records (`runnel.whole`: a topic of
 * scalars, or of objects mixed with them) is the event itself, where reading its key `json` appended NULLs.
 */
function fieldReader(field: Field): (event: unknown) => unknown {
  if (field.metadata.get("runnel.whole") === "true") return (event) => event ?? null;
  const key = field.metadata.get("runnel.key") ?? field.name;
  return (event) => pick(event, key);
}

/** A value of a JSON column as its JSON text, printed as the pipeline's converter prints it (`jsonText`); NULL stays NULL. */
function jsonColumnText(value: unknown): string | null {
  return value === null || value === undefined ? null : jsonText(value);
}

function pick(value: unknown, key: string): unknown {
  // A record that is a bare number written as a real (`NaN`, `-0.0`) is no object: it has no fields (its JsonReal's `value` is none).
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof JsonReal) return null;
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
  if (DataType.isDate(type)) return dateMs(value);
  if (DataType.isTimestamp(type)) {
    // Arrow's builder takes milliseconds; eventsToArrow builds a TIMESTAMP column (top-level or nested) itself, exactly (`microsVector`, `nestedData`).
    const micros = timestampMicros(value, type as Timestamp);
    return micros === null ? null : Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  }
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
    // Not an object (`"x"`, `5`, `[1]`), DuckDB's JSON reader makes a STRUCT of NULL fields, not a NULL.
    const fields = isObject(value) ? value : {};
    const out: Record<string, unknown> = {};
    for (const child of type.children as Field[]) out[child.name] = coerce(fields[child.name], child.type);
    return out;
  }
  if (DataType.isList(type)) {
    if (!Array.isArray(value)) return null;
    const child = type.children[0];
    return child === undefined ? null : value.map((item) => coerce(item, child.type));
  }
  return value;
}

/**
 * A TIMESTAMP (or TIMESTAMPTZ) value as DuckDB reads it from JSON text, in microseconds: DuckDB's
 * own parser (`tryCastValue`, the pipeline's), so `2024-02-30` and `01/02/2024` are no timestamp
 * (JavaScript's Date.parse read them as March 1st and as local time), an offset is kept as wall
 * clock in a TIMESTAMP and applied in a TIMESTAMPTZ, and the fraction keeps its microseconds.
 */
function timestampMicros(value: unknown, type: Timestamp): bigint | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : BigInt(value.getTime()) * 1000n;
  // A JSON number is no TIMESTAMP to DuckDB's JSON reader (`{"t": 5}` reads NULL); it was taken as epoch milliseconds.
  if (typeof value !== "string") return null;
  const read = tryCastValue(value, "VARCHAR", type.timezone ? "TIMESTAMPTZ" : "TIMESTAMP");
  return typeof read === "bigint" ? read : null;
}

/** A DATE as DuckDB reads it from JSON text (its own parser), as the epoch milliseconds Arrow's builder takes. */
function dateMs(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  // A JSON number is no DATE to DuckDB's JSON reader either.
  if (typeof value !== "string") return null;
  const days = tryCastValue(value, "VARCHAR", "DATE");
  return typeof days === "number" && Number.isFinite(days) && Math.abs(days) < 100_000_000 ? days * 86_400_000 : null;
}

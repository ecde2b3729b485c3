/**
 * CAST between the scalar and nested types of values.ts, with DuckDB's
 * parsing rules, rounding and error texts. TRY_CAST is `tryCastValue`.
 */
import type { Value } from "../../plan/values.ts";
import { DATE_INFINITY, DATE_NINFINITY, MICROS_PER_DAY, TS_INFINITY, TS_NINFINITY, dateOutsideTimestamps, daysFromCivil, daysInMonth, formatDate, splitTimestamp, timestampDays, dateToMicros, isInfiniteTimestamp } from "./calendar.ts";
import { SqlError } from "./contract.ts";
import { parseDatePrefix, parseTimePrefix, parseTimestamp } from "./datetime-parse.ts";
import { doubleParts, signBitSet, formatDecimal, formatDouble, formatFloat, parseDecimalText, parseDoubleText, parseFloatText, parseIntegerText, scaledValueLikeDuckDB } from "./number-text.ts";
import { valueToText } from "./text.ts";
import { valueToJson } from "./to-json.ts";
import { integerRanges, isBigintType, parseType, typeText, type SqlType } from "./types.ts";
import { jsonNumberAs, parseJson, typeOfJson, validateJson, writeJson, type Json } from "./json-text.ts";
import { parseIntervalText } from "./interval-text.ts";
import { keepInTryCast, keptInTryCast, parseNestedText } from "./nested-text.ts";
import { memo, newMap } from "./memo.ts";
import { instantInZone } from "./timezone.ts";
import { asciiLower } from "../../plan/column-names.ts";
import { duckDouble, duckFloat } from "./to-double.ts";

const TIMESTAMP_FORMAT = "expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH[:MM[:SS]]| ZONE])";

/** CAST(v AS toType) for v of fromType; throws SqlError as DuckDB does. */
export function castValue(v: Value, fromType: string, toType: string): Value {
  if (v === null) return null;
  return casterFor(fromType, toType).cast(v);
}

/** TRY_CAST: NULL where CAST would raise a conversion error. */
export function tryCastValue(v: Value, fromType: string, toType: string): Value {
  if (v === null) return null;
  return casterFor(fromType, toType).tryCast(v);
}

/**
 * CAST between two types, resolved once: the returned function takes a
 * value (NULL passes) and throws SqlError as `castValue` does. The executor
 * can hold it instead of calling `castValue(v, from, to)` per row.
 */
export function castFor(fromType: string, toType: string): (v: Value) => Value {
  const c = casterFor(fromType, toType);
  return (v) => (v === null ? null : c.cast(v));
}

/** TRY_CAST between two types, resolved once (see `castFor`). */
export function tryCastFor(fromType: string, toType: string): (v: Value) => Value {
  const c = casterFor(fromType, toType);
  return (v) => (v === null ? null : c.tryCast(v));
}

/** A cast between two fixed types; neither function sees NULL. */
interface Caster {
  cast(v: Value): Value;
  tryCast(v: Value): Value;
}

const casters = new Map<string, Map<string, Caster>>();

function casterFor(fromType: string, toType: string): Caster {
  const byTo = memo(casters, fromType, newMap<string, Caster>);
  let c = byTo.get(toType);
  if (c === undefined) {
    c = makeCaster(parseType(fromType), parseType(toType));
    memo(byTo, toType, () => c!);
  }
  return c;
}

/** The last whole millisecond below 2^63 µs: DuckDB's ICU cast gives no instant from it on. */
const ICU_LIMIT = 9223372036854775000n;

/** NULL for the errors TRY_CAST swallows; not_implemented and internal errors still raise. */
function swallow(e: unknown): null {
  if (e instanceof SqlError && e.code !== "not_implemented" && e.code !== "internal" && !keptInTryCast(e)) return null;
  throw e;
}

function makeCaster(from: SqlType, to: SqlType): Caster {
  if (sameType(from, to)) return { cast: (v) => v, tryCast: (v) => v };
  const generic: Caster = {
    cast: (v) => castTo(v, from, to),
    tryCast: (v) => tryCastTo(v, from, to),
  };
  if (from.kind === "scalar" && to.kind === "scalar") {
    if ((from.name === "TIMESTAMP" || from.name === "TIMESTAMPTZ") && to.name === "DATE") {
      const toDate = (v: Value): Value => {
        const micros = v as bigint;
        // CAST(CAST(text AS TIMESTAMP) AS DATE): the day `isoTimestamp` just read, without a
        // BigInt-to-double conversion (a call into the runtime and a heap number).
        if (micros === lastIsoMicros) return lastIsoMicrosDays;
        // The infinities lie far outside ±2^60 microseconds: one conversion rules them out.
        const n = Number(micros);
        if (n < 2 ** 60 && n > -(2 ** 60)) return timestampDays(micros);
        if (micros === TS_INFINITY) return DATE_INFINITY;
        if (micros === TS_NINFINITY) return DATE_NINFINITY;
        return timestampDays(micros);
      };
      return { cast: toDate, tryCast: toDate };
    }
    if (to.name === "VARCHAR") {
      const toText = (v: Value): Value => valueToText(v, from);
      return { cast: toText, tryCast: toText };
    }
  }
  if (!(from.kind === "scalar" && from.name === "VARCHAR") || to.kind !== "scalar") return generic;
  const name = to.name;
  if (name === "TIMESTAMP" || name === "TIMESTAMPTZ") {
    // Both TIMESTAMP and TIMESTAMPTZ read 'Z' or no zone as UTC.
    return {
      cast: (v) => isoTimestamp(v as string) ?? fromText(v as string, to),
      tryCast: (v) => {
        const m = isoTimestamp(v as string);
        if (m !== null) return m;
        const p = parseTimestamp(v as string);
        if (!p.ok) return null;
        return generic.tryCast(v);
      },
    };
  }
  const range = integerRanges[name];
  if (range) {
    const big = isBigintType(name);
    const min = Number(range.min), max = Number(range.max);
    const slow = (s: string): bigint | null => parseIntegerText(s, range.min, range.max);
    return {
      cast: (v) => {
        const n = plainInteger(v as string);
        if (n !== null && n >= min && n <= max) return big ? BigInt(n) : n;
        const r = slow(v as string);
        if (r === null) throw new SqlError("conversion", `Could not convert string '${v as string}' to ${range.physical}`);
        return big ? r : Number(r);
      },
      tryCast: (v) => {
        const n = plainInteger(v as string);
        if (n !== null && n >= min && n <= max) return big ? BigInt(n) : n;
        const r = slow(v as string);
        return r === null ? null : big ? r : Number(r);
      },
    };
  }
  if (name === "DOUBLE" || name === "FLOAT") {
    return {
      cast: generic.cast,
      tryCast: (v) => {
        return name === "FLOAT" ? parseFloatText(v as string) : parseDoubleText(v as string);
      },
    };
  }
  if (name === "DATE") {
    return {
      cast: generic.cast,
      tryCast: (v) => {
        const d = parseDatePrefix(v as string, false);
        return d.ok ? d.days : null;
      },
    };
  }
  return generic;
}

/** An optional '-' and 1 to 15 digits, nothing else; null for any other text. */
function plainInteger(s: string): number | null {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (n === i || n - i > 15) return null;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return s.charCodeAt(0) === 45 && v !== 0 ? -v : v;
}

function digit2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48, b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The date (year, month and day packed) `isoTimestamp` read last, and its day number. */
let lastIsoDate = -1;
let lastIsoDays = 0;
/**
 * The TIMESTAMP `isoTimestamp` answered last and its day number (-1n is 1969-12-31
 * 23:59:59.999999, day -1, so the pair is true before any call). Always a bigint: the
 * comparison in the DATE cast stays one of bigints.
 */
let lastIsoMicros = -1n;
let lastIsoMicrosDays = -1;
/** The whole second (seconds since 1970) `isoTimestamp` read last, and its microseconds as a bigint. */
let lastIsoSecond = NaN;
let lastIsoSecondMicros = 0n;
/** 0, 1000, ... 999000 as bigints: a whole-millisecond fraction is added without making one. */
const MILLIS_AS_MICROS: readonly bigint[] = Array.from({ length: 1000 }, (_, i) => BigInt(i * 1000));

/**
 * The common ISO shape `YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z]` with a valid
 * date and time, as microseconds; null for anything else (the full parser
 * decides those). The fraction is truncated to microseconds, as DuckDB does.
 */
export function isoTimestamp(s: string): bigint | null {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const sep = s.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return null;
  const y1 = digit2(s, 0), y2 = digit2(s, 2), month = digit2(s, 5), day = digit2(s, 8);
  const hour = digit2(s, 11), minute = digit2(s, 14), second = digit2(s, 17);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const year = y1 * 100 + y2;
  // A stream's timestamps mostly share their date: its day number is kept from the last one.
  const date = (year * 16 + month) * 32 + day;
  let days = lastIsoDays;
  if (date !== lastIsoDate) {
    if (day > daysInMonth(year, month)) return null;
    days = daysFromCivil(year, month, day);
    lastIsoDate = date;
    lastIsoDays = days;
  }
  let pos = 19;
  let micros = 0;
  if (pos < n && s.charCodeAt(pos) === 46) {
    pos++;
    let mult = 100000;
    for (; pos < n; pos++) {
      const c = s.charCodeAt(pos) - 48;
      if (c < 0 || c > 9) break;
      micros += c * mult;
      mult = Math.floor(mult / 10);
    }
  }
  if (pos < n && s.charCodeAt(pos) === 90) pos++;
  if (pos !== n) return null;
  const seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  // A stream's timestamps come many to a second: the second's microseconds are kept as a bigint
  // (made from a double by a runtime call, ~70 ns) and the fraction added (an addition of
  // bigints is inline; whole milliseconds come from a table). Exact in a double below 2^53 µs.
  if (seconds !== lastIsoSecond) {
    lastIsoSecond = seconds;
    lastIsoSecondMicros = Math.abs(seconds) < 9_000_000_000 ? BigInt(seconds * 1_000_000) : BigInt(seconds) * 1_000_000n;
  }
  const result = micros === 0 ? lastIsoSecondMicros : lastIsoSecondMicros + (micros % 1000 === 0 ? MILLIS_AS_MICROS[(micros / 1000) | 0]! : BigInt(micros));
  // The time of day is under one day, so the TIMESTAMP's day is the date's.
  lastIsoMicros = result;
  lastIsoMicrosDays = days;
  return result;
}

function sameType(a: SqlType, b: SqlType): boolean {
  return a === b || typeText(a) === typeText(b);
}

function castTo(v: Value, from: SqlType, to: SqlType): Value {
  if (sameType(from, to)) return v;
  if (to.kind === "scalar" && to.name === "VARCHAR") return valueToText(v, from);
  if (to.kind === "scalar" && to.name === "JSON" && !isText(from)) return valueToJson(v, from);
  if (from.kind === "scalar" && from.name === "JSON") return fromJsonNode(parseJson(v as string), to);
  if (isText(from)) return fromText(v as string, to);
  switch (to.kind) {
    case "decimal": return toDecimal(v, from, to);
    case "list":
    case "array":
      if (from.kind === "list" || from.kind === "array") {
        // A fixed-size ARRAY takes a list of its size only (DuckDB's Conversion Error; TRY_CAST gives NULL).
        const n = (v as Value[]).length;
        if (to.kind === "array" && n !== to.size) throw new SqlError("conversion", `Cannot cast list with length ${n} to array with length ${to.size}`);
        return (v as Value[]).map((x) => x === null ? null : castTo(x, from.child, to.child));
      }
      break;
    case "struct":
      if (from.kind === "struct") return structFields(v, from, to, castTo);
      break;
    case "map":
      if (from.kind === "struct" || from.kind === "map") return mapEntries(v, from, to, false);
      break;
    case "scalar":
      return toScalar(v, from, to.name);
    default:
      break;
  }
  throw unsupported(from, to);
}

/**
 * TRY_CAST as DuckDB does it into nested types: element by element and field by field, so a
 * value that does not convert is a NULL where it stands ([1, NULL] for ['1', 'x'] AS INTEGER[]);
 * text whose nesting does not parse is NULL as a whole.
 */
function tryCastTo(v: Value, from: SqlType, to: SqlType): Value {
  if (sameType(from, to)) return v;
  // A LIST or STRUCT into a scalar other than text has no cast in DuckDB: TRY_CAST gives NULL.
  if ((from.kind === "list" || from.kind === "array" || from.kind === "struct") && to.kind === "scalar" && to.name !== "VARCHAR" && to.name !== "JSON") return null;
  const toList = to.kind === "list" || to.kind === "array";
  if (toList || to.kind === "struct" || to.kind === "map") {
    if (from.kind === "scalar" && from.name === "VARCHAR") {
      try {
        return parseNestedText(v as string, to, tryFromText);
      } catch (e) {
        return swallow(e);
      }
    }
    // From JSON, TRY_CAST is json_transform: NULL (or a struct of NULLs) where a value does not fit.
    if (from.kind === "scalar" && from.name === "JSON") {
      try {
        return transformJsonNode(parseJson(v as string), to);
      } catch (e) {
        return swallow(e);
      }
    }
    if (toList && (from.kind === "list" || from.kind === "array")) {
      if (to.kind === "array" && (v as Value[]).length !== to.size) return null;
      return (v as Value[]).map((x) => (x === null ? null : tryCastTo(x, from.child, to.child)));
    }
    if (to.kind === "map" && (from.kind === "struct" || from.kind === "map")) return mapEntries(v, from, to, true);
    if (to.kind === "struct" && from.kind === "struct") return structFields(v, from, to, tryCastTo);
  }
  try {
    return castTo(v, from, to);
  } catch (e) {
    return swallow(e);
  }
}

/** Leaf text of a nested TRY_CAST: NULL where it does not convert. */
function tryFromText(text: string, to: SqlType): Value {
  if (to.kind === "list" || to.kind === "array" || to.kind === "struct" || to.kind === "map") return tryCastTo(text, { kind: "scalar", name: "VARCHAR" }, to);
  try {
    return fromText(text, to);
  } catch (e) {
    return swallow(e);
  }
}

/**
 * A STRUCT cast field by field, by name as DuckDB 1.4 matches them (case-insensitively): each
 * target field takes the source field of its name through `each`, or NULL when the source has
 * none, and source fields the target lacks are dropped. So `coalesce(shipping, billing)` where
 * only billing has `company` keeps `company` in its place (by position it went into `phone`).
 */
function structFields(v: Value, from: Extract<SqlType, { kind: "struct" }>, to: Extract<SqlType, { kind: "struct" }>, each: (x: Value, from: SqlType, to: SqlType) => Value): Value {
  const o = v as { [k: string]: Value };
  const out: { [k: string]: Value } = {};
  for (const f of to.fields) {
    const src = from.fields.find((g) => g.name === f.name) ?? from.fields.find((g) => asciiLower(g.name) === asciiLower(f.name));
    const x = src === undefined || !Object.hasOwn(o, src.name) ? null : o[src.name] ?? null;
    const value = x === null || src === undefined ? null : each(x, src.type, f.type);
    if (f.name === "__proto__") Object.defineProperty(out, f.name, { value, enumerable: true, writable: true, configurable: true });
    else out[f.name] = value;
  }
  return out;
}

const VARCHAR_TYPE: SqlType = { kind: "scalar", name: "VARCHAR" };

/**
 * A STRUCT into a MAP (each field in order, its name the key, its value, NULL or not, the value)
 * or a MAP into another MAP, keys and values cast. TRY_CAST: a value that does not convert is
 * NULL; a key that does not convert makes DuckDB's map with a NULL key (printed `invalid`),
 * which the pipeline cannot hold, so that is refused.
 */
function mapEntries(v: Value, from: Extract<SqlType, { kind: "struct" | "map" }>, to: Extract<SqlType, { kind: "map" }>, isTry: boolean): Value {
  const entries: { key: Value; value: Value; keyType: SqlType; valueType: SqlType }[] = from.kind === "struct"
    ? from.fields.map((f) => ({ key: f.name, value: (v as Record<string, Value>)[f.name] ?? null, keyType: VARCHAR_TYPE, valueType: f.type }))
    : (v as { key: Value; value: Value }[]).map((e) => ({ key: e.key, value: e.value, keyType: from.key, valueType: from.value }));
  return entries.map((e) => {
    let key: Value;
    if (!isTry) key = e.key === null ? null : castTo(e.key, e.keyType, to.key);
    else {
      key = e.key === null ? null : tryCastTo(e.key, e.keyType, to.key);
      if (key === null && e.key !== null) {
        throw new SqlError("not_implemented", `TRY_CAST to ${typeText(to)}: the key ${valueToText(e.key, e.keyType)} is not a ${typeText(to.key)}; DuckDB then makes a MAP with a NULL key (printed as invalid), which the pipeline cannot write`);
      }
    }
    const value = e.value === null ? null : isTry ? tryCastTo(e.value, e.valueType, to.value) : castTo(e.value, e.valueType, to.value);
    return { key, value };
  });
}

function isText(t: SqlType): boolean {
  return t.kind === "enum" || (t.kind === "scalar" && (t.name === "VARCHAR" || t.name === "JSON"));
}

/**
 * VARCHAR → BLOB as DuckDB reads it: ASCII characters as themselves and `\xHH` as the byte HH;
 * any other character (every non-ASCII one) or escape is DuckDB's Conversion Error.
 */
function blobFromText(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      if (i + 3 >= s.length) throw new SqlError("conversion", `Invalid hex escape code encountered in string -> blob conversion of string "${s}": unterminated escape code at end of blob`);
      const hi = hexDigit(s.charCodeAt(i + 2)), lo = hexDigit(s.charCodeAt(i + 3));
      if (s[i + 1] !== "x" || hi < 0 || lo < 0) throw new SqlError("conversion", `Invalid hex escape code encountered in string -> blob conversion of string "${s}": ${s.slice(i, i + 4)}`);
      out[n++] = hi * 16 + lo;
      i += 3;
    } else if (c < 128) out[n++] = c;
    else throw new SqlError("conversion", `Invalid byte encountered in STRING -> BLOB conversion of string "${s}". All non-ascii characters must be escaped with hex codes (e.g. \\xAA)`);
  }
  return out.slice(0, n);
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function unsupported(from: SqlType, to: SqlType): SqlError {
  return new SqlError("conversion", `Unimplemented type for cast (${typeText(from)} -> ${typeText(to)})`);
}

function outOfRange(value: string, fromPhysical: string, toPhysical: string): SqlError {
  return new SqlError("conversion",
    `Type ${fromPhysical} with value ${value} can't be cast because the value is out of range for the destination type ${toPhysical}`);
}

function physicalName(t: SqlType): string {
  if (t.kind === "scalar") return integerRanges[t.name]?.physical ?? (t.name === "BOOLEAN" ? "BOOL" : t.name);
  return typeText(t);
}

function toScalar(v: Value, from: SqlType, to: string): Value {
  const range = integerRanges[to];
  if (range) return toInteger(v, from, to, range);
  switch (to) {
    case "DOUBLE":
    case "FLOAT": {
      if (typeof v !== "number" && typeof v !== "bigint" && typeof v !== "boolean") throw unsupported(from, parseType(to));
      const n = duckDouble(v, from);
      if (to === "FLOAT") {
        const f = duckFloat(v, from);
        // UHUGEINT past FLOAT's largest value is infinity in DuckDB (no range check on that path).
        if (Number.isFinite(n) && !Number.isFinite(f) && !(from.kind === "scalar" && from.name === "UHUGEINT")) throw outOfRange(formatDouble(n), "DOUBLE", "FLOAT");
        return f;
      }
      return n;
    }
    case "BOOLEAN":
      if (typeof v === "number") return v !== 0;
      if (typeof v === "bigint") return v !== 0n;
      break;
    case "DATE":
      if (from.kind === "scalar" && (from.name === "TIMESTAMP" || from.name === "TIMESTAMPTZ")) {
        const micros = v as bigint;
        if (micros === TS_INFINITY) return DATE_INFINITY;
        if (micros === TS_NINFINITY) return DATE_NINFINITY;
        return timestampDays(micros);
      }
      break;
    case "TIMESTAMP":
    case "TIMESTAMPTZ":
      if (from.kind === "scalar" && from.name === "DATE") return dateAsTimestamp(v as number, to);
      if (from.kind === "scalar" && (from.name === "TIMESTAMP" || from.name === "TIMESTAMPTZ")) return v;
      break;
    case "BLOB":
      // A UUID is its 16 bytes, most significant first (DuckDB's UUID → BLOB).
      if (from.kind === "scalar" && from.name === "UUID") {
        const hex = (v as string).replaceAll("-", "");
        const out = new Uint8Array(16);
        for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
        return out;
      }
      break;
    case "UUID":
      // 16 bytes are a UUID (DuckDB's BLOB → UUID); any other length is its Conversion Error.
      if (from.kind === "scalar" && from.name === "BLOB") {
        const b = v as Uint8Array;
        if (b.length !== 16) throw new SqlError("conversion", `Could not convert a BLOB of ${b.length} bytes to UUID (INT128)`);
        const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      }
      break;
    case "TIME":
      // DuckDB casts a TIMESTAMP (not a TIMESTAMPTZ, not a DATE) to TIME; its infinities fail.
      if (from.kind === "scalar" && from.name === "TIMESTAMP") {
        if (isInfiniteTimestamp(v as bigint)) throw new SqlError("invalid_input", `Type INT64 with value ${v === TS_INFINITY ? "" : "-"}infinity can't be cast to the destination type INT64`);
        return splitTimestamp(v as bigint).time;
      }
      break;
    default:
      break;
  }
  throw unsupported(from, parseType(to));
}

function toInteger(v: Value, from: SqlType, to: string, range: { min: bigint; max: bigint; physical: string }): Value {
  let b: bigint;
  if (from.kind === "decimal") {
    const u = v as bigint;
    b = roundScaled(u, from.scale);
    if (b < range.min || b > range.max) {
      throw new SqlError("conversion", `Failed to cast decimal value ${b} to type ${range.physical}`);
    }
  } else if (typeof v === "boolean") {
    b = v ? 1n : 0n;
  } else if (typeof v === "bigint") {
    b = v;
    if (b < range.min || b > range.max) throw outOfRange(b.toString(), physicalName(from), range.physical);
  } else if (typeof v === "number") {
    const floating = from.kind === "scalar" && (from.name === "DOUBLE" || from.name === "FLOAT");
    if (floating) {
      // DuckDB checks min <= v < max + 1 before rounding, so a value that
      // rounds up past the maximum wraps around (2147483647.5 → -2147483648).
      // UHUGEINT rounds first: -0.4 and -0.5 are 0, -0.6 fails.
      if (to === "UHUGEINT" && roundHalfEven(v) === 0) return 0n;
      if (!Number.isFinite(v) || v < Number(range.min) || v >= Number(range.max + 1n)) {
        throw outOfRange(from.kind === "scalar" && from.name === "FLOAT" ? formatFloat(v) : formatDouble(v), physicalName(from), range.physical);
      }
      b = BigInt(roundHalfEven(v));
      if (b > range.max) b = range.min + (b - range.max - 1n);
    } else {
      b = BigInt(v);
      if (b < range.min || b > range.max) throw outOfRange(b.toString(), physicalName(from), range.physical);
    }
  } else {
    throw unsupported(from, parseType(to));
  }
  return isBigintType(to) ? b : Number(b);
}

/** nearbyint under the default rounding mode: ties to even. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

/** A scaled integer rounded half away from zero to an integer. */
export function roundScaled(u: bigint, scale: number): bigint {
  if (scale === 0) return u;
  const p = 10n ** BigInt(scale);
  const neg = u < 0n;
  const a = neg ? -u : u;
  let q = a / p;
  if ((a % p) * 2n >= p) q += 1n;
  return neg ? -q : q;
}

/**
 * A DATE as a TIMESTAMP or TIMESTAMPTZ (its midnight, UTC). A day past TIMESTAMP's range fails as in
 * DuckDB: a Conversion Error into TIMESTAMP (NULL under TRY_CAST), and into TIMESTAMPTZ an Invalid
 * Input Error that TRY_CAST raises too. (It was a value past 64 bits, which no Parquet file holds.)
 */
function dateAsTimestamp(days: number, to: string): bigint {
  if (dateOutsideTimestamps(days)) {
    const message = `Type INT32 with value ${formatDate(days)} can't be cast to the destination type INT64`;
    if (to === "TIMESTAMPTZ") throw keepInTryCast(new SqlError("invalid_input", message));
    throw new SqlError("conversion", message);
  }
  return dateToMicros(days);
}

function decimalMax(width: number): bigint {
  return 10n ** BigInt(width) - 1n;
}

function toDecimal(v: Value, from: SqlType, to: { kind: "decimal"; width: number; scale: number }): Value {
  const max = decimalMax(to.width);
  const target = typeText(to);
  if (from.kind === "decimal") {
    const u = v as bigint;
    let r: bigint;
    if (to.scale >= from.scale) r = u * 10n ** BigInt(to.scale - from.scale);
    else r = roundScaled(u, from.scale - to.scale);
    if (r > max || r < -max) {
      throw new SqlError("conversion", `Casting value "${formatDecimal(u, from.scale)}" to type ${target} failed: value is out of range!`);
    }
    return r;
  }
  if (typeof v === "bigint" || typeof v === "boolean" || (typeof v === "number" && from.kind === "scalar" && integerRanges[from.name])) {
    const b = typeof v === "boolean" ? (v ? 1n : 0n) : BigInt(v);
    const r = b * 10n ** BigInt(to.scale);
    if (r > max || r < -max) throw new SqlError("conversion", `Could not cast value ${b} to ${target}`);
    return r;
  }
  if (typeof v === "number") {
    // DuckDB (DoubleToDecimalCast): the value times the power of ten, in doubles (the literal 1eN:
    // `10 ** n` is a bit off for n = 26, 29, 34, 36), rounded half away from zero and checked
    // against 10^width, then narrowed back to the source type before it becomes the integer: a
    // FLOAT's 0.1 into DECIMAL(38,10) is 1000000014.9 → 1000000015 → float 1000000000, so 0.1.
    const x = v * Number(`1e${to.scale}`);
    const rounded = x < 0 ? -Math.round(-x) : Math.round(x);
    const limit = Number(`1e${to.width}`);
    if (!Number.isFinite(x) || rounded >= limit || rounded <= -limit) {
      throw new SqlError("conversion", `Could not cast value ${Number.isNaN(v) ? (signBitSet(v) ? "-nan" : "nan") : Number.isFinite(v) ? printfFixed6(v) : v > 0 ? "inf" : "-inf"} to ${target}`);
    }
    return BigInt(from.kind === "scalar" && from.name === "FLOAT" ? Math.fround(rounded) : rounded);
  }
  throw unsupported(from, to);
}

/** printf("%f"): the exact binary value rounded half to even at 6 decimals. */
function printfFixed6(v: number): string {
  const { f: mant, e: e2 } = doubleParts(v);
  // value * 10^6 = mant * 2^e2 * 10^6
  let num = mant * 1_000_000n, den = 1n;
  if (e2 >= 0) num <<= BigInt(e2);
  else den <<= BigInt(-e2);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  return (v < 0 ? "-" : "") + formatDecimal(q, 6);
}

/** CAST(json AS type): JSON values map onto the target type, strings and numbers through their text. */
/**
 * A JSON document brought to `toType` as DuckDB's json_transform does (not strict): a list
 * from an array (else NULL), a struct from an object by exact key (from any other value a
 * struct of NULLs), a scalar as CAST brings it there or NULL when it does not fit.
 */
export function transformJson(text: string, toType: string): Value {
  return transformJsonNode(parseJson(text), parseType(toType), true);
}

/**
 * `lenient`: json_transform / from_json read a JSON string as CAST reads text (`"7.0"` into
 * INTEGER is 7, `"1"` into BOOLEAN true); TRY_CAST of JSON to a list or struct reads it as the
 * JSON reader does (strictly: NULL).
 */
function transformJsonNode(j: Json, to: SqlType, lenient = false): Value {
  if (j.t === "null") return null;
  if (to.kind === "list" || to.kind === "array") return j.t === "arr" && (to.kind === "list" || j.items.length === to.size) ? j.items.map((x) => transformJsonNode(x, to.child, lenient)) : null;
  if (to.kind === "struct") {
    const out: Record<string, Value> = {};
    for (const f of to.fields) {
      const hit = j.t === "obj" ? j.entries.find(([k]) => k === f.name) : undefined;
      out[f.name] = hit ? transformJsonNode(hit[1], f.type, lenient) : null;
    }
    return out;
  }
  if (to.kind === "map") {
    // An object's entries in order, duplicate keys kept; anything else is NULL. A value that does
    // not fit is NULL; a key that does not fit is an error even for TRY_CAST (a map key cannot be
    // NULL). from_json reads a key as CAST reads text; there DuckDB makes a map with a NULL key
    // (printed `invalid`), which the pipeline cannot hold, so that is refused.
    if (j.t !== "obj") return null;
    const keys = lenient ? j.entries.map(([k]) => lenientMapKey(k, to.key)) : strictMapKeys(j, to.key);
    return j.entries.map(([, v], i) => ({ key: keys[i]!, value: transformJsonNode(v, to.value, lenient) }));
  }
  try {
    if (lenient && j.t === "str" && (isNumerical(to) || to.kind === "decimal")) return fromText(j.v, to);
    return fromJsonNode(j, to);
  } catch (error) {
    if (error instanceof SqlError) return null;
    throw error;
  }
}

const utf8Bytes = new TextEncoder();
const utf8Lossy = new TextDecoder();

/** A JSON value as DuckDB's cast errors print it: its text, cut after 50 bytes with "...". */
function shownJson(j: Json): string {
  const text = writeJson(j);
  if (text.length <= 16) return text;
  const bytes = utf8Bytes.encode(text);
  return bytes.length <= 50 ? text : `${utf8Lossy.decode(bytes.subarray(0, 50))}...`;
}

/** Integer, float and BOOLEAN targets: DuckDB reports any value that does not convert as not numerical. */
function isNumerical(to: SqlType): boolean {
  return to.kind === "scalar" && (integerRanges[to.name] !== undefined || to.name === "DOUBLE" || to.name === "FLOAT" || to.name === "BOOLEAN");
}

function fromJsonNode(j: Json, to: SqlType): Value {
  if (j.t === "null") return null;
  if (to.kind === "list" || to.kind === "array") {
    if (j.t !== "arr") throw new SqlError("conversion", `Expected ARRAY, but got ${typeOfJson(j)}: ${shownJson(j)}`);
    if (to.kind === "array" && j.items.length !== to.size) throw new SqlError("conversion", `Expected array of size ${to.size}, but got '${shownJson(j)}' with size ${j.items.length}`);
    // Into numbers DuckDB converts every element and reports the last one that failed.
    if (isNumerical(to.child) || to.child.kind === "decimal") {
      let failed: unknown = null;
      const out = j.items.map((x) => {
        try {
          return fromJsonNode(x, to.child);
        } catch (error) {
          if (!(error instanceof SqlError)) throw error;
          failed = error;
          return null;
        }
      });
      if (failed) throw failed;
      return out;
    }
    if (isTemporal(to.child)) return temporalEach(j.items, to.child);
    return j.items.map((x) => fromJsonNode(x, to.child));
  }
  if (to.kind === "struct") {
    if (j.t !== "obj") throw new SqlError("conversion", `Expected OBJECT, but got ${typeOfJson(j)}: ${shownJson(j)}`);
    // CAST is strict: every key of the object is a field, and every field is there. DuckDB
    // converts the fields it finds first, so a field's own error comes before a key's, and of
    // several failing fields it reports the last (in the struct's order), as within a list.
    // Into DATE, TIME, TIMESTAMP, UUID and INTERVAL fields, a non-string value's failure (the last)
    // comes before a string's (the first).
    const out: Record<string, Value> = {};
    let failed: unknown = null;
    let temporalOther: unknown = null, temporalString: unknown = null, otherFailed = false;
    for (const f of to.fields) {
      const hit = j.entries.find(([k]) => k === f.name);
      try {
        out[f.name] = hit ? fromJsonNode(hit[1], f.type) : null;
      } catch (error) {
        if (!(error instanceof SqlError)) throw error;
        failed = error;
        if (!isTemporal(f.type)) otherFailed = true;
        else if (hit![1].t === "str") temporalString ??= error;
        else temporalOther = error;
      }
    }
    if (temporalOther) throw temporalOther;
    if (temporalString && !otherFailed) throw temporalString;
    if (failed) throw failed;
    const unknown = j.entries.find(([k]) => !to.fields.some((f) => f.name === k));
    if (unknown) throw new SqlError("conversion", `Object ${shownJson(j)} has unknown key "${unknown[0]}"`);
    const missing = to.fields.find((f) => !j.entries.some(([k]) => k === f.name));
    if (missing) throw new SqlError("conversion", `Object ${shownJson(j)} does not have key "${missing.name}"`);
    return out;
  }
  if (to.kind === "map") {
    if (j.t !== "obj") throw new SqlError("conversion", `Expected OBJECT, but got ${typeOfJson(j)}: ${shownJson(j)}`);
    // DuckDB converts every key first, then the values.
    const keys = strictMapKeys(j, to.key);
    let failed: unknown = null;
    // Into numbers the last value that failed is reported, into other types the first (as in a list).
    if (isTemporal(to.value)) {
      const values = temporalEach(j.entries.map(([, v]) => v), to.value);
      return values.map((value, i) => ({ key: keys[i]!, value }));
    }
    if (!isNumerical(to.value) && to.value.kind !== "decimal") return j.entries.map(([, v], i) => ({ key: keys[i]!, value: fromJsonNode(v, to.value) }));
    const out = j.entries.map(([, v], i) => {
      try {
        return { key: keys[i]!, value: fromJsonNode(v, to.value) };
      } catch (error) {
        if (!(error instanceof SqlError)) throw error;
        failed = error;
        return { key: keys[i]!, value: null };
      }
    });
    if (failed) throw failed;
    return out;
  }
  if (to.kind === "scalar" && to.name === "VARCHAR" && j.t === "num") return jsonNumberAs(j.text, formatDouble); // `1E2` is 100.0, `-1e21` is -1e+21, as a DOUBLE prints
  if (to.kind === "scalar" && (to.name === "VARCHAR" || to.name === "JSON")) return j.t === "str" && to.name === "VARCHAR" ? j.v : writeJson(j);
  if (isNumerical(to) || to.kind === "decimal") {
    try {
      return fromJsonScalar(j, to);
    } catch (error) {
      if (!(error instanceof SqlError) || error.code !== "conversion") throw error;
      throw new SqlError("conversion", `Failed to cast value to ${to.kind === "decimal" ? "decimal" : "numerical"}: ${shownJson(j)}`);
    }
  }
  return fromJsonScalar(j, to);
}

const TEMPORAL = new Set(["DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "UUID", "INTERVAL"]);

/** Types DuckDB's JSON reader fills from strings only: any other JSON value is `Unable to cast`. */
function isTemporal(to: SqlType): boolean {
  return to.kind === "scalar" && TEMPORAL.has(to.name);
}

/**
 * JSON values (elements or map values) into a temporal type: DuckDB reports the first non-string
 * value that does not convert (`Unable to cast '1' to DATE`) before any string's failure, and of
 * the strings the first.
 */
function temporalEach(items: Json[], to: SqlType): Value[] {
  let other: unknown = null, text: unknown = null;
  const out = items.map((x) => {
    try {
      return fromJsonNode(x, to);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      if (x.t === "str") text ??= error;
      else other ??= error;
      return null;
    }
  });
  if (other ?? text) throw other ?? text;
  return out;
}

/**
 * An object's keys as map keys of type `to`; of several keys that do not convert, DuckDB reports
 * the last (the first into DATE, TIME, TIMESTAMP, UUID or INTERVAL, as for any strings there).
 */
function strictMapKeys(j: Extract<Json, { t: "obj" }>, to: SqlType): Value[] {
  let failed: unknown = null;
  const first = isTemporal(to);
  const keys = j.entries.map(([k]) => {
    try {
      return strictMapKey(k, to);
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      if (!first || failed === null) failed = error;
      return null;
    }
  });
  if (failed) throw failed;
  return keys;
}

/** A JSON object's key as a map key of type `to`, as the JSON reader converts it (strictly). */
function strictMapKey(k: string, to: SqlType): Value {
  if (to.kind === "scalar" && to.name === "VARCHAR") return k;
  try {
    const key = fromJsonNode({ t: "str", v: k }, to);
    if (key !== null) return key;
  } catch (error) {
    if (!(error instanceof SqlError) || error.code !== "conversion") throw error;
    // Numbers and BOOLEAN keep the reader's short text; other types add its read_json note.
    const text = isNumerical(to) || to.kind === "decimal" ? error.message : `${error.message}\n If this error occurred during read_json, line/object number information is approximate`;
    throw keepInTryCast(new SqlError("conversion", `${text}. Cannot default to NULL, because map keys cannot be NULL`));
  }
  throw keepInTryCast(new SqlError("conversion", "Cannot default to NULL, because map keys cannot be NULL"));
}

/** A JSON object's key as from_json reads it into a map key (CAST from text). */
function lenientMapKey(k: string, to: SqlType): Value {
  if (to.kind === "scalar" && to.name === "VARCHAR") return k;
  let key: Value = null;
  try {
    key = fromText(k, to);
  } catch (error) {
    if (!(error instanceof SqlError) || error.code !== "conversion") throw error;
  }
  if (key !== null) return key;
  throw new SqlError("not_implemented", `from_json: the object key "${k}" is not a ${typeText(to)}; DuckDB then makes a MAP with a NULL key (printed as invalid), which the pipeline cannot write. Read the keys as VARCHAR (MAP(VARCHAR, ...)) and cast them`);
}

/**
 * Whether DuckDB's JSON reader takes a JSON string as a number of this kind: it casts strictly,
 * unlike CAST from text. Integers: spaces around, an optional '-', digits without a leading zero
 * (unless signed), or (64 bits and narrower) a 0x / 0b literal; no '+', fraction, exponent
 * or '_'. Floats: spaces before only, an optional '-', no leading zero before a digit, the usual
 * decimal and exponent forms, inf/infinity/nan.
 */
function strictJsonNumberText(s: string, kind: "integer" | "huge" | "float"): boolean {
  // A 0x / 0b literal (spaces before, '_' between digits) is left to the text cast, which reads it as DuckDB does.
  if (kind === "integer" && /^[ \t\n\v\f\r]*0[xXbB]/.test(s)) return true;
  let i = 0;
  while (i < s.length && /[ \t\n\v\f\r]/.test(s[i]!)) i++;
  const signed = s[i] === "-";
  if (signed) i++;
  if (!signed && s[i] === "0" && i + 1 < s.length && s.charCodeAt(i + 1) >= 48 && s.charCodeAt(i + 1) <= 57) return false;
  const rest = s.slice(i);
  if (kind !== "float") return /^[0-9]+[ \t\n\v\f\r]*$/.test(rest);
  return /^(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i.test(rest);
}

const JSON_DOUBLE = parseType("DOUBLE");

function fromJsonScalar(j: Json, to: SqlType): Value {
  if (j.t !== "str" && to.kind === "scalar" && TEMPORAL.has(to.name)) {
    throw new SqlError("conversion", `Unable to cast '${writeJson(j)}' to ${to.name === "TIMESTAMPTZ" ? "TIMESTAMP WITH TIME ZONE" : to.name}`);
  }
  if (j.t === "str") {
    // A JSON string into a number: the reader's strict cast ('"1.5"' is no BIGINT, '"+1"' no DOUBLE); DECIMAL takes CAST's text.
    if (to.kind === "scalar" && to.name !== "BOOLEAN" && isNumerical(to)) {
      const kind = to.name === "DOUBLE" || to.name === "FLOAT" ? "float" : to.name === "HUGEINT" || to.name === "UHUGEINT" ? "huge" : "integer";
      if (!strictJsonNumberText(j.v, kind)) throw new SqlError("conversion", `Could not convert string '${j.v}' to ${to.name}`);
      // The reader's unsigned parse takes a minus before zeros, with nothing after them ('-00'), as 0.
      if (integerRanges[to.name]?.min === 0n && /^[ \t\n\v\f\r]*-0+$/.test(j.v)) return fromText("0", to);
    }
    // Into BOOLEAN the reader takes true/false, t/f and yes/no (any case) only: '"1"' and '"y"' are not booleans.
    if (to.kind === "scalar" && to.name === "BOOLEAN" && !/^(true|false|t|f|yes|no)$/i.test(j.v)) throw new SqlError("conversion", `Could not convert string '${j.v}' to BOOL`);
    return fromText(j.v, to);
  }
  // A JSON number into BOOLEAN is whether it is not zero (5e-324 and 2 are true), not a text cast.
  if (j.t === "num" && to.kind === "scalar" && to.name === "BOOLEAN") {
    // Except a number the reader holds as neither a 64-bit integer nor a finite double: NaN, 1e400, past 64 bits.
    const n = Number(j.text);
    const integral = !/[.eEnN]/.test(j.text);
    if (!Number.isFinite(n) || (integral && (BigInt(j.text) < -(2n ** 63n) || BigInt(j.text) > 2n ** 64n - 1n))) {
      throw new SqlError("conversion", `Could not convert string '${j.text}' to BOOL`);
    }
    return n !== 0;
  }
  // A real (a fraction or an exponent) is read as a DOUBLE and cast from it, as DuckDB's reader
  // does: 2.5 into BIGINT is 2 (ties to even), 9.995 into DECIMAL(6,2) is 9.99 (the double is
  // below the half). Integers keep every digit, past 64 bits too.
  // Into FLOAT likewise: a real past FLOAT's range fails (TRY_CAST is NULL), where an integer past
  // it, like the text "1e308", is infinity.
  if (j.t === "num" && /[.eEnN]/.test(j.text) && (to.kind === "decimal" || (to.kind === "scalar" && (integerRanges[to.name] !== undefined || to.name === "FLOAT")))) {
    const d = /^-?(nan|inf|infinity)$/i.test(j.text) ? (/nan/i.test(j.text) ? NaN : j.text.startsWith("-") ? -Infinity : Infinity) : Number(j.text);
    return castTo(d, JSON_DOUBLE, to);
  }
  if (j.t === "num") return fromText(j.text, to);
  if (j.t === "bool") return castTo(j.v, parseType("BOOLEAN"), to);
  throw new SqlError("conversion", `Failed to cast value to numerical: ${shownJson(j)}`);
}

const trueWords = new Set(["true", "t", "1", "y", "yes"]);
const falseWords = new Set(["false", "f", "0", "n", "no"]);

function fromText(s: string, to: SqlType): Value {
  if (to.kind === "decimal") {
    const t = parseDecimalText(s, true);
    const max = decimalMax(to.width);
    // The digits before the point (leading zeros aside) must fit the width
    // less the scale before any exponent applies, as DuckDB reads them one
    // by one: '1e-3' is no DECIMAL(4,4) and '123e-2' no DECIMAL(4,2).
    if (t && t.digits.slice(0, t.intDigits).replace(/^0+/, "").length > to.width - to.scale) {
      throw new SqlError("conversion", `Could not convert string "${s}" to ${typeText(to)}`);
    }
    const r = t && scaledValueLikeDuckDB(t, to.scale, -max, max);
    if (r === null || r === undefined) throw new SqlError("conversion", `Could not convert string "${s}" to ${typeText(to)}`);
    return r;
  }
  if (to.kind === "enum") {
    if (to.values.includes(s)) return s;
    throw new SqlError("conversion", `Could not convert string '${s}' to UINT8`);
  }
  if (to.kind === "list" || to.kind === "array" || to.kind === "struct" || to.kind === "map") return parseNestedText(s, to, fromText);
  if (to.kind !== "scalar") throw new SqlError("not_implemented", `Cast from VARCHAR to ${typeText(to)} is not supported by the edge executor`);
  const range = integerRanges[to.name];
  if (range) {
    const r = parseIntegerText(s, range.min, range.max);
    if (r === null) throw new SqlError("conversion", `Could not convert string '${s}' to ${range.physical}`);
    return isBigintType(to.name) ? r : Number(r);
  }
  switch (to.name) {
    case "VARCHAR": return s;
    case "JSON": return validateJson(s);
    case "DOUBLE":
    case "FLOAT": {
      const d = to.name === "FLOAT" ? parseFloatText(s) : parseDoubleText(s);
      if (d === null) throw new SqlError("conversion", `Could not convert string '${s}' to ${to.name}`);
      // Text too large for the type reads as infinity, as DuckDB's parser does.
      return d;
    }
    case "BOOLEAN": {
      const w = s.toLowerCase();
      if (trueWords.has(w)) return true;
      if (falseWords.has(w)) return false;
      throw new SqlError("conversion", `Could not convert string '${s}' to BOOL`);
    }
    case "DATE": {
      const d = parseDatePrefix(s, false);
      if (d.ok) return d.days;
      if (d.range) throw new SqlError("conversion", `date field value out of range: "${s}"`);
      throw new SqlError("conversion", `invalid date field format: "${s}", expected format is (YYYY-MM-DD)`);
    }
    case "TIMESTAMP":
    case "TIMESTAMPTZ": {
      const p = parseTimestamp(s);
      if (!p.ok) {
        if (p.range) throw new SqlError("conversion", `timestamp field value out of range: "${s}"`);
        if (p.zoneNotUtc && to.name === "TIMESTAMP") throw new SqlError("conversion", `timestamp field value "${s}" has a timestamp that is not UTC.`);
        throw new SqlError("conversion", `invalid timestamp field format: "${s}", ${TIMESTAMP_FORMAT}`);
      }
      const utc = p.zone === null || p.zone.toUpperCase() === "UTC";
      if (to.name === "TIMESTAMP") {
        if (!utc) throw new SqlError("conversion", `timestamp field value "${s}" has a timestamp that is not UTC.`);
        return p.micros;
      }
      if (p.micros === TS_INFINITY || p.micros === TS_NINFINITY) return p.micros;
      if (p.offset !== null) return p.micros - p.offset;
      // Without an offset DuckDB reads the wall time through ICU (in the zone named, or the
      // session's, UTC), which refuses an instant at or past the last whole millisecond below
      // 2^63 µs and fails the query, under TRY_CAST too.
      const instant = utc ? p.micros : instantInZone(p.zone!, p.micros);
      if (instant >= ICU_LIMIT) throw keepInTryCast(new SqlError("conversion", "ICU date overflows timestamp range"));
      return instant;
    }
    case "TIME": {
      // A bare time, a time with an offset or zone, or a whole timestamp's time of day.
      const t = parseTimePrefix(s);
      // DuckDB's TIME cast reads no further than the seconds (and their fraction): whatever
      // follows them is ignored ('10:00:00 EST', '10:00:00abc'); after HH:MM nothing may follow.
      if (t && t.micros <= MICROS_PER_DAY && (t.seconds || t.pos === s.length)) return t.micros;
      for (const text of [`1970-01-01 ${s.replace(/^[ \t\n\v\f\r]+/, "")}`, s]) {
        const p = parseTimestamp(text);
        if (p.ok && (p.zone === null || p.zone.toUpperCase() === "UTC") && p.micros !== TS_INFINITY && p.micros !== TS_NINFINITY) {
          if (text !== s && p.micros === MICROS_PER_DAY) return MICROS_PER_DAY;
          return splitTimestamp(p.micros).time;
        }
      }
      throw new SqlError("conversion", `time field value out of range: "${s}", expected format is ([YYYY-MM-DD ]HH:MM:SS[.MS])`);
    }
    case "INTERVAL": return parseIntervalText(s);
    case "BLOB": return blobFromText(s);
    case "UUID": {
      const u = parseUuid(s);
      if (u === null) throw new SqlError("conversion", `Could not convert string '${s}' to INT128`);
      return u;
    }
    default:
      throw new SqlError("not_implemented", `Cast from VARCHAR to ${to.name} is not supported by the edge executor`);
  }
}

/** 1 for the code units of 0-9 and a-f, 0 for every other UTF-16 code unit. */
const lowerHexUnit = new Uint8Array(65536);
for (const c of "0123456789abcdef") lowerHexUnit[c.charCodeAt(0)] = 1;

/**
 * DuckDB's UUID text rule: optional braces, hyphens anywhere, exactly 32 hex
 * digits; printed lower case as 8-4-4-4-12. Null when the text is not one.
 */
export function parseUuid(text: string): string | null {
  let start = 0, end = text.length;
  if (text.charCodeAt(0) === 123) {
    if (end < 2 || text.charCodeAt(end - 1) !== 125) return null;
    start = 1;
    end--;
  }
  // Fast path: already lower-case 8-4-4-4-12 (a table lookup per digit, ~3× a range test per character).
  if (start === 0 && end === 36 && text.charCodeAt(8) === 45 && text.charCodeAt(13) === 45 && text.charCodeAt(18) === 45 && text.charCodeAt(23) === 45) {
    let ok = 1;
    for (let i = 0; i < 8; i++) ok &= lowerHexUnit[text.charCodeAt(i)]!;
    for (let i = 9; i < 13; i++) ok &= lowerHexUnit[text.charCodeAt(i)]!;
    for (let i = 14; i < 18; i++) ok &= lowerHexUnit[text.charCodeAt(i)]!;
    for (let i = 19; i < 23; i++) ok &= lowerHexUnit[text.charCodeAt(i)]!;
    for (let i = 24; i < 36; i++) ok &= lowerHexUnit[text.charCodeAt(i)]!;
    if (ok === 1) return text;
  }
  let hex = "";
  let count = 0;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c === 45) continue;
    if (c >= 65 && c <= 70) c += 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) || count >= 32) return null;
    hex += String.fromCharCode(c);
    if (++count === 8 || count === 12 || count === 16 || count === 20) hex += "-";
  }
  return count === 32 ? hex : null;
}

/**
 * CAST between the scalar and nested types of values.ts, with DuckDB's
 * parsing rules, rounding and error texts. TRY_CAST is `tryCastValue`.
 */
import type { Value } from "../../plan/values.ts";
import {
  DATE_INFINITY, DATE_NINFINITY, MICROS_PER_DAY, TS_INFINITY, TS_NINFINITY, splitTimestamp,
} from "./calendar.ts";
import { SqlError } from "./contract.ts";
import { parseDatePrefix, parseTimePrefix, parseTimestamp } from "./datetime-parse.ts";
import { formatDecimal, formatDouble, parseDecimalText, parseDoubleText, parseIntegerText, scaledValueLikeDuckDB } from "./number-text.ts";
import { valueToText } from "./text.ts";
import { valueToJson } from "./to-json.ts";
import { integerRanges, isBigintType, parseType, typeText, type SqlType } from "./types.ts";
import { parseJson, validateJson, writeJson, type Json } from "./json-text.ts";
import { parseIntervalText } from "./interval-text.ts";
import { parseNestedText } from "./nested-text.ts";

const TIMESTAMP_FORMAT = "expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH[:MM[:SS]]| ZONE])";

/** CAST(v AS toType) for v of fromType; throws SqlError as DuckDB does. */
export function castValue(v: Value, fromType: string, toType: string): Value {
  if (v === null) return null;
  return castTo(v, parseType(fromType), parseType(toType));
}

/** TRY_CAST: NULL where CAST would raise a conversion error. */
export function tryCastValue(v: Value, fromType: string, toType: string): Value {
  try {
    return castValue(v, fromType, toType);
  } catch (e) {
    if (e instanceof SqlError && e.code !== "not_implemented" && e.code !== "internal") return null;
    throw e;
  }
}

function sameType(a: SqlType, b: SqlType): boolean {
  return typeText(a) === typeText(b);
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
      if (from.kind === "list" || from.kind === "array") return (v as Value[]).map((x) => x === null ? null : castTo(x, from.child, to.child));
      break;
    case "struct":
      if (from.kind === "struct") {
        const o = v as { [k: string]: Value };
        const out: { [k: string]: Value } = {};
        to.fields.forEach((f, i) => {
          const src = from.fields[i];
          const x = src === undefined ? null : o[src.name] ?? null;
          out[f.name] = x === null || src === undefined ? null : castTo(x, src.type, f.type);
        });
        return out;
      }
      break;
    case "scalar":
      return toScalar(v, from, to.name);
    default:
      break;
  }
  throw unsupported(from, to);
}

function isText(t: SqlType): boolean {
  return t.kind === "enum" || (t.kind === "scalar" && (t.name === "VARCHAR" || t.name === "JSON"));
}

function unsupported(from: SqlType, to: SqlType): SqlError {
  return new SqlError("not_implemented", `Unimplemented type for cast (${typeText(from)} -> ${typeText(to)})`);
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
      let n: number;
      // DuckDB adds the integer part and the scaled fraction as doubles.
      if (from.kind === "decimal") {
        const p = 10n ** BigInt(from.scale);
        const u = v as bigint;
        n = Number(u / p) + Number(u % p) / 10 ** from.scale;
      }
      else if (from.kind === "scalar" && from.name === "BOOLEAN") n = v ? 1 : 0;
      else if (typeof v === "number" || typeof v === "bigint") n = Number(v);
      else throw unsupported(from, parseType(to));
      if (to === "FLOAT") {
        const f = Math.fround(n);
        if (Number.isFinite(n) && !Number.isFinite(f)) throw outOfRange(formatDouble(n), "DOUBLE", "FLOAT");
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
        return splitTimestamp(micros).days;
      }
      break;
    case "TIMESTAMP":
    case "TIMESTAMPTZ":
      if (from.kind === "scalar" && from.name === "DATE") {
        const days = v as number;
        if (days === DATE_INFINITY) return TS_INFINITY;
        if (days === DATE_NINFINITY) return TS_NINFINITY;
        return BigInt(days) * MICROS_PER_DAY;
      }
      if (from.kind === "scalar" && (from.name === "TIMESTAMP" || from.name === "TIMESTAMPTZ")) return v;
      break;
    case "TIME":
      if (from.kind === "scalar" && (from.name === "TIMESTAMP" || from.name === "TIMESTAMPTZ")) return splitTimestamp(v as bigint).time;
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
      if (!Number.isFinite(v) || v < Number(range.min) || v >= Number(range.max + 1n)) {
        throw outOfRange(formatDouble(v), physicalName(from), range.physical);
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
    const x = v * 10 ** to.scale;
    const rounded = x < 0 ? -Math.round(-x) : Math.round(x);
    if (!Number.isFinite(x) || Math.abs(rounded) >= Number(max) + 1) {
      throw new SqlError("conversion", `Could not cast value ${Number.isNaN(v) ? "nan" : Number.isFinite(v) ? printfFixed6(v) : v > 0 ? "inf" : "-inf"} to ${target}`);
    }
    const r = BigInt(rounded);
    if (r > max || r < -max) throw new SqlError("conversion", `Could not cast value ${printfFixed6(v)} to ${target}`);
    return r;
  }
  throw unsupported(from, to);
}

/** printf("%f"): the exact binary value rounded half to even at 6 decimals. */
function printfFixed6(v: number): string {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(v));
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = expBits === 0 ? frac : frac | (1n << 52n);
  const e2 = (expBits === 0 ? 1 : expBits) - 1075;
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
function fromJsonNode(j: Json, to: SqlType): Value {
  if (j.t === "null") return null;
  if (to.kind === "list" || to.kind === "array") {
    if (j.t !== "arr") throw new SqlError("conversion", `Failed to cast value to list: ${writeJson(j)}`);
    return j.items.map((x) => fromJsonNode(x, to.child));
  }
  if (to.kind === "struct") {
    if (j.t !== "obj") throw new SqlError("conversion", `Failed to cast value to struct: ${writeJson(j)}`);
    const out: Record<string, Value> = {};
    for (const f of to.fields) {
      const hit = j.entries.find(([k]) => k === f.name);
      out[f.name] = hit ? fromJsonNode(hit[1], f.type) : null;
    }
    return out;
  }
  if (to.kind === "scalar" && (to.name === "VARCHAR" || to.name === "JSON")) return j.t === "str" && to.name === "VARCHAR" ? j.v : writeJson(j);
  if (j.t === "str") return fromText(j.v, to);
  if (j.t === "num") return fromText(j.text, to);
  if (j.t === "bool") return castTo(j.v, parseType("BOOLEAN"), to);
  throw new SqlError("conversion", `Failed to cast value to numerical: ${writeJson(j)}`);
}

const trueWords = new Set(["true", "t", "1", "y", "yes"]);
const falseWords = new Set(["false", "f", "0", "n", "no"]);

function fromText(s: string, to: SqlType): Value {
  if (to.kind === "decimal") {
    const t = parseDecimalText(s, true);
    const max = decimalMax(to.width);
    // The digits before the point must fit the width before any exponent applies.
    if (t && t.intDigits > 0 && BigInt(t.digits.slice(0, t.intDigits)) > max) {
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
  if (to.kind === "list" || to.kind === "array" || to.kind === "struct") return parseNestedText(s, to, fromText);
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
      const d = parseDoubleText(s);
      if (d === null) throw new SqlError("conversion", `Could not convert string '${s}' to ${to.name}`);
      // Text too large for the type reads as infinity, as DuckDB's parser does.
      return to.name === "FLOAT" ? Math.fround(d) : d;
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
        throw new SqlError("conversion", `invalid timestamp field format: "${s}", ${TIMESTAMP_FORMAT}`);
      }
      const utc = p.zone === null || p.zone.toUpperCase() === "UTC";
      if (to.name === "TIMESTAMP") {
        if (!utc) throw new SqlError("conversion", `timestamp field value "${s}" has a timestamp that is not UTC.`);
        return p.micros;
      }
      if (!utc) throw new SqlError("not_implemented", `time zone '${p.zone}' is not supported by the edge executor`);
      if (p.offset === null || p.micros === TS_INFINITY || p.micros === TS_NINFINITY) return p.micros;
      return p.micros - p.offset;
    }
    case "TIME": {
      // A bare time, a time with an offset or zone, or a whole timestamp's time of day.
      const t = parseTimePrefix(s);
      if (t && t.micros <= MICROS_PER_DAY && /^[ \t\n\v\f\r]*$/.test(s.slice(t.pos))) return t.micros;
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
    case "BLOB": return new TextEncoder().encode(s);
    case "UUID": {
      const u = parseUuid(s);
      if (u === null) throw new SqlError("conversion", `Could not convert string '${s}' to INT128`);
      return u;
    }
    default:
      throw new SqlError("not_implemented", `Cast from VARCHAR to ${to.name} is not supported by the edge executor`);
  }
}

/**
 * DuckDB's UUID text rule: optional braces, hyphens anywhere, exactly 32 hex
 * digits; printed lower case as 8-4-4-4-12. Null when the text is not one.
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseUuid(text: string): string | null {
  if (CANONICAL_UUID.test(text)) return text;
  let body = text;
  if (body.startsWith("{")) {
    if (!body.endsWith("}") || body.length < 2) return null;
    body = body.slice(1, -1);
  }
  let hex = "";
  for (const ch of body) {
    if (ch === "-") continue;
    if (!/^[0-9a-fA-F]$/.test(ch) || hex.length >= 32) return null;
    hex += ch;
  }
  if (hex.length !== 32) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

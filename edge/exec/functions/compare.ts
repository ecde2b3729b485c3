/**
 * DuckDB's ordering and grouping equality over Values: VARCHAR by UTF-8
 * bytes (code point order, not JS's UTF-16 order), NaN above every number
 * and equal to itself, -0.0 = 0.0, LIST/STRUCT lexicographic with NULLs last.
 */
import type { Interval, Value } from "../../plan/values.ts";
import { parseType, type SqlType } from "./types.ts";

/** Compares two strings by code point, which equals UTF-8 byte order. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort above U+E000–U+FFFF in UTF-8.
    const sx = x >= 0xd800 && x <= 0xdfff, sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function compareNumber(a: number, b: number): number {
  const na = Number.isNaN(a), nb = Number.isNaN(b);
  if (na || nb) return na && nb ? 0 : na ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function intervalKey(i: Interval): bigint {
  // DuckDB normalises intervals to months, days (30 per month), micros.
  return (BigInt(i.months) * 30n + BigInt(i.days)) * 86_400_000_000n + i.micros;
}

function compareWith(a: Value, b: Value, t: SqlType): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  switch (t.kind) {
    case "list":
    case "array": {
      const x = a as Value[], y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareWith(x[i]!, y[i]!, t.child);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case "struct": {
      const x = a as Record<string, Value>, y = b as Record<string, Value>;
      for (const f of t.fields) {
        const c = compareWith(x[f.name] ?? null, y[f.name] ?? null, f.type);
        if (c !== 0) return c;
      }
      return 0;
    }
    case "map":
      return compareText(JSON.stringify(a, replacer), JSON.stringify(b, replacer));
    default:
      break;
  }
  if (typeof a === "string") return compareText(a, b as string);
  if (typeof a === "number") return compareNumber(a, b as number);
  if (typeof a === "bigint") return a < (b as bigint) ? -1 : a > (b as bigint) ? 1 : 0;
  if (typeof a === "boolean") return (a ? 1 : 0) - ((b as boolean) ? 1 : 0);
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array;
    const n = Math.min(a.length, y.length);
    for (let i = 0; i < n; i++) if (a[i] !== y[i]) return a[i]! - y[i]!;
    return a.length - y.length;
  }
  const x = intervalKey(a as Interval), y = intervalKey(b as Interval);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders two values of one DuckDB type; <0, 0, >0. */
export function compareValues(a: Value, b: Value, type: string): number {
  return compareWith(a, b, parseType(type));
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (Object.is(v, -0)) return 0;
    if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  }
  if (v instanceof Uint8Array) return Array.from(v);
  return v;
}

/** A string equal for exactly the values DuckDB groups together (NULL included). */
export function valueKey(v: Value, type: string): string {
  const t = parseType(type);
  if (t.kind === "scalar" && t.name === "INTERVAL" && v !== null) return `i${intervalKey(v as Interval)}`;
  return JSON.stringify(v === null ? { null: true } : { v: holdsInterval(t) ? intervalsAsKeys(v, t) : v }, replacer);
}

/** Whether an INTERVAL is nested in the type (a list of INTERVALs, a struct with one). */
function holdsInterval(t: SqlType): boolean {
  switch (t.kind) {
    case "scalar": return t.name === "INTERVAL";
    case "list":
    case "array": return holdsInterval(t.child);
    case "struct": return t.fields.some((f) => holdsInterval(f.type));
    case "map": return holdsInterval(t.key) || holdsInterval(t.value);
    default: return false;
  }
}

/** The value with each nested INTERVAL as its normalised key: `[INTERVAL 1 month]` groups with `[INTERVAL 30 days]`, as in DuckDB. */
function intervalsAsKeys(v: Value, t: SqlType): unknown {
  if (v === null) return null;
  switch (t.kind) {
    case "scalar": return t.name === "INTERVAL" ? `i${intervalKey(v as Interval)}` : v;
    case "list":
    case "array": return (v as Value[]).map((x) => intervalsAsKeys(x, t.child));
    case "struct": {
      const s = v as { [k: string]: Value };
      return Object.fromEntries(t.fields.map((f) => [f.name, intervalsAsKeys(s[f.name] ?? null, f.type)]));
    }
    case "map": return (v as { key: Value; value: Value }[]).map((e) => ({ key: intervalsAsKeys(e.key, t.key), value: intervalsAsKeys(e.value, t.value) }));
    default: return v;
  }
}

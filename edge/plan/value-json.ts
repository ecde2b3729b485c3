/**
 * Values (see `values.ts`) to JSON and back, directed by the DuckDB type: a
 * plan holds constants and static tables as plain JSON. bigint-held values
 * become decimal strings, BLOB becomes base64, INTERVAL `{months, days, micros}`
 * with micros as a string.
 */
import type { JsonValue } from "./types.ts";
import type { Value, Interval } from "./values.ts";
import { parseType, isBigintType, type TypeNode } from "./type-text.ts";
import { bytesToBase64 } from "./base64.ts";

export function encodeValue(v: Value, type: string): JsonValue {
  return enc(v, parseType(type));
}

export function decodeValue(j: JsonValue, type: string): Value {
  return dec(j, parseType(type));
}

function enc(v: Value, t: TypeNode): JsonValue {
  if (v === null) return null;
  switch (t.kind) {
    case "decimal": return String(v);
    case "list":
    case "array": return (v as Value[]).map((x) => enc(x, t.child));
    case "struct": {
      const o: { [k: string]: JsonValue } = {};
      const s = v as { [k: string]: Value };
      for (const f of t.fields) o[f.name] = enc(s[f.name] ?? null, f.type);
      return o;
    }
    case "map": return (v as { key: Value; value: Value }[]).map((e) => ({ key: enc(e.key, t.key), value: enc(e.value, t.value) }));
    case "other": return typeof v === "bigint" ? String(v) : (v as JsonValue);
    case "scalar":
      if (typeof v === "bigint") return String(v);
      if (typeof v === "number" && !Number.isFinite(v)) return { $float: String(v) };
      if (v instanceof Uint8Array) return bytesToBase64(v);
      if (t.name === "INTERVAL") {
        const i = v as Interval;
        return { months: i.months, days: i.days, micros: String(i.micros) };
      }
      return v as JsonValue;
  }
}

function dec(j: JsonValue, t: TypeNode): Value {
  if (j === null) return null;
  switch (t.kind) {
    case "decimal": return BigInt(j as string);
    case "list":
    case "array": return (j as JsonValue[]).map((x) => dec(x, t.child));
    case "struct": {
      const o: { [k: string]: Value } = {};
      const s = j as { [k: string]: JsonValue };
      for (const f of t.fields) o[f.name] = dec(s[f.name] ?? null, f.type);
      return o;
    }
    case "map": return (j as { key: JsonValue; value: JsonValue }[]).map((e) => ({ key: dec(e.key, t.key), value: dec(e.value, t.value) }));
    case "other": return j as Value;
    case "scalar":
      if (isBigintType(t.name)) return BigInt(j as string);
      if (t.name === "BLOB") return Uint8Array.from(atob(j as string), (c) => c.charCodeAt(0));
      if (t.name === "INTERVAL") {
        const i = j as { months: number; days: number; micros: string };
        return { months: i.months, days: i.days, micros: BigInt(i.micros) };
      }
      if (typeof j === "object" && !Array.isArray(j) && "$float" in j) return Number(j.$float);
      return j as Value;
  }
}

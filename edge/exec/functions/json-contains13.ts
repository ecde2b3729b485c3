/**
 * json_contains(haystack, needle), as DuckDB 1.4.3's json extension answers it over yyjson values:
 * the needle equals the haystack or, fuzzily, is part of it (an object's listed keys with values
 * that contain theirs, an array's elements each found among the haystack's), at the top or at any
 * value nested inside it (an object's values, not its keys). NULL for a NULL argument; a malformed
 * document is DuckDB's Invalid Input error, the needle's reported first.
 *
 * Numbers compare as yyjson reads them: an integer in 0..2^64-1 (unsigned) equals one in
 * -2^63..-1 or -0 (signed) by value, so `-0` equals `0`; a real is a double compared by its bits
 * (`1` is not `1.0`, `0.0` is not `-0.0`, `0.1` equals `0.10`); a number beyond those ranges and
 * the NaN and Infinity literals stay raw text, equal only to the same text (`inf` is not `Infinity`).
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { parseJson, type Json } from "./json-text.ts";

/** A number as yyjson holds it. */
type Num = { kind: "uint" | "sint"; v: bigint } | { kind: "real"; v: number } | { kind: "raw"; text: string };

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function numberOf(text: string): Num {
  if (/^-?(nan|inf|infinity)$/i.test(text)) return { kind: "raw", text };
  if (!/[.eE]/.test(text)) {
    const v = BigInt(text);
    if (text.startsWith("-")) return v >= INT64_MIN ? { kind: "sint", v } : { kind: "raw", text };
    return v <= UINT64_MAX ? { kind: "uint", v } : { kind: "raw", text };
  }
  const v = Number(text);
  return Number.isFinite(v) ? { kind: "real", v } : { kind: "raw", text };
}

function numbersEqual(a: string, b: string): boolean {
  const x = numberOf(a);
  const y = numberOf(b);
  if (x.kind === "raw" || y.kind === "raw") return x.kind === y.kind && (x as { text: string }).text === (y as { text: string }).text;
  if (x.kind === "real" || y.kind === "real") return x.kind === y.kind && Object.is(x.v, y.v);
  // Unsigned against signed: equal when the signed one is not negative and the values match.
  return x.v === y.v;
}

/**
 * yyjson's strict equality: same type, arrays element by element in order, objects of the same size
 * where each of the left's keys, looked up in the right from where the last lookup ended (wrapping
 * around), holds an equal value.
 */
function strictEquals(a: Json, b: Json): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case "null":
      return true;
    case "bool":
      return a.v === (b as typeof a).v;
    case "str":
      return a.v === (b as typeof a).v;
    case "num":
      return numbersEqual(a.text, (b as typeof a).text);
    case "arr": {
      const items = (b as typeof a).items;
      return a.items.length === items.length && a.items.every((x, i) => strictEquals(x, items[i]!));
    }
    case "obj": {
      const entries = (b as typeof a).entries;
      const n = entries.length;
      if (a.entries.length !== n) return false;
      let at = 0;
      for (const [key, value] of a.entries) {
        let found = -1;
        for (let k = 0; k < n; k++) {
          const j = (at + k) % n;
          if (entries[j]![0] === key) {
            found = j;
            break;
          }
        }
        if (found < 0 || !strictEquals(value, entries[found]![1])) return false;
        at = (found + 1) % n;
      }
      return true;
    }
  }
}

/** The needle is the haystack, or a part of it of the same kind (DuckDB's JSONFuzzyEquals). */
function fuzzyEquals(haystack: Json, needle: Json): boolean {
  if (strictEquals(haystack, needle)) return true;
  if (haystack.t === "arr" && needle.t === "arr") {
    return needle.items.every((n) => haystack.items.some((h) => fuzzyEquals(h, n)));
  }
  if (haystack.t === "obj" && needle.t === "obj") {
    return needle.entries.every(([key, n]) => {
      const h = haystack.entries.find(([k]) => k === key);
      return h !== undefined && fuzzyEquals(h[1], n);
    });
  }
  return false;
}

function contains(haystack: Json, needle: Json): boolean {
  if (fuzzyEquals(haystack, needle)) return true;
  if (haystack.t === "arr") return haystack.items.some((h) => contains(h, needle));
  if (haystack.t === "obj") return haystack.entries.some(([, h]) => contains(h, needle));
  return false;
}

function documentText(v: Value, type: string | undefined): string {
  if (typeof v === "string") return v;
  throw new SqlError("not_implemented", `json_contains of a ${type ?? "non-text"} argument: cast it to JSON or VARCHAR`);
}

const jsonContains: ScalarFn = ([haystack, needle], ctx) => {
  if (haystack === null || haystack === undefined || needle === null || needle === undefined) return null;
  const n = parseJson(documentText(needle, ctx.argTypes[1]));
  const h = parseJson(documentText(haystack, ctx.argTypes[0]));
  return contains(h, n);
};

export const jsonContainsScalars13: Record<string, ScalarFn> = {
  json_contains: jsonContains,
};

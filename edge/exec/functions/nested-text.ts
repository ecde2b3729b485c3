/**
 * VARCHAR → LIST / STRUCT / MAP: DuckDB's text forms read back ('[1, NULL]',
 * "[a, 'b c']", '{a: 1, b: x}', '(1, x)', '{k=1, j=2}'). Elements split on top-level
 * commas, are trimmed, may be quoted with ' or " (backslash escapes inside
 * quotes), unquoted NULL is NULL; each element is then cast to its type.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError } from "./contract.ts";
import { typeText, type SqlType } from "./types.ts";

const space = /[ \t\n\v\f\r]/;

function trim(s: string): string {
  let a = 0, b = s.length;
  while (a < b && space.test(s[a]!)) a++;
  while (b > a && space.test(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const isQuote = (c: string | undefined): boolean => c === "'" || c === '"';

/**
 * Splits `inner` on commas outside brackets and quotes; null if unbalanced. `closer` is the
 * bracket that ends the value being split ("]" for a list, "}" or ")" for a struct or a map):
 * unmatched, it is a syntax error (a struct's value cannot hold a bare '}'); another unmatched
 * ']', '}' or ')' is an ordinary character, as in DuckDB (`{a: x]y}` is `x]y`). Outside quotes a backslash escapes a quote only
 * (`a\'b` is one element `a'b`); inside quotes it escapes any character.
 */
function splitTop(inner: string, sep = ",", closer = "]"): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    // As DuckDB's splitter: a quote anywhere opens a quoted run (one left open is a syntax error),
    // and a '}' or ')' that closes nothing is an ordinary character.
    if (c === "\\" && isQuote(inner[i + 1])) i++;
    else if (isQuote(c)) quote = c;
    else if (c === "[" || c === "{" || c === "(") depth++;
    else if (c === "]" || c === "}" || c === ")") {
      if (depth > 0) depth--;
      else if (c === closer) return null;
    }
    else if (c === sep && depth === 0) { parts.push(inner.slice(start, i)); start = i + 1; }
  }
  if (depth !== 0 || quote) return null;
  parts.push(inner.slice(start));
  return parts;
}

/**
 * An element's text as DuckDB reads it: outside brackets every quoted run loses its quotes and
 * keeps its text as written (`'a'b'c'` is `abc`, `[ 'a' 'b' ]` is `a b`, `' x '` keeps its
 * spaces), a backslash before a quote is that quote, and whitespace around the element is
 * trimmed; inside brackets (a nested element) the text is kept as it is, for the child to read.
 * Unquoted NULL (any case) is null.
 */
function elementText(raw: string): string | null {
  let out = "";
  let keep = 0; // out's length without trailing unquoted whitespace
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (depth === 0 && isQuote(c)) {
      quoted = true;
      for (i++; i < raw.length && raw[i] !== c; i++) {
        if (raw[i] === "\\" && i + 1 < raw.length) i++;
        out += raw[i];
      }
      keep = out.length;
      continue;
    }
    if (depth === 0 && c === "\\" && isQuote(raw[i + 1])) {
      out += raw[++i];
      keep = out.length;
      continue;
    }
    if (depth > 0 && isQuote(c)) {
      // A quoted run inside a nested element is copied whole, so its brackets are not counted.
      const q = c;
      out += c;
      for (i++; i < raw.length; i++) {
        out += raw[i];
        if (raw[i] === "\\" && i + 1 < raw.length) out += raw[++i];
        else if (raw[i] === q) break;
      }
      keep = out.length;
      continue;
    }
    if (c === "[" || c === "{" || c === "(") depth++;
    else if ((c === "]" || c === "}" || c === ")") && depth > 0) depth--;
    if (space.test(c)) {
      if (out.length === 0) continue;
      out += c;
    } else {
      out += c;
      keep = out.length;
    }
  }
  out = out.slice(0, keep);
  return !quoted && out.toLowerCase() === "null" ? null : out;
}

/** Parses nested text for a LIST, STRUCT or MAP target; `cast` converts leaf text. */
export function parseNestedText(s: string, to: SqlType, cast: (text: string, t: SqlType) => Value): Value {
  const fail = (): never => {
    throw new SqlError("conversion", `Type VARCHAR with value '${s}' can't be cast to the destination type ${typeText(to)}`);
  };
  const t = trim(s);
  if (to.kind === "list" || to.kind === "array") {
    if (!t.startsWith("[") || !t.endsWith("]")) fail();
    const inner = t.slice(1, -1);
    // A fixed-size ARRAY takes text of its size only.
    const sized = (n: number): void => {
      if (to.kind === "array" && n !== to.size) throw new SqlError("conversion", `Type VARCHAR with value '${s}' can't be cast to the destination type ${typeText(to)}, the size of the array must match the destination type`);
    };
    if (trim(inner) === "") {
      sized(0);
      return [];
    }
    const parts = splitTop(inner) ?? fail();
    sized(parts.length);
    return parts.map((p) => {
      const e = elementText(p);
      return e === null ? null : cast(e, to.child);
    });
  }
  if (to.kind === "struct") {
    const out: Record<string, Value> = {};
    for (const f of to.fields) out[f.name] = null;
    if (t.startsWith("(") && t.endsWith(")")) {
      // Positional: fewer values than fields leave the rest NULL (`()` is all NULL); more is an error.
      const inner = t.slice(1, -1);
      if (trim(inner) === "") return out;
      const parts = splitTop(inner, ",", ")") ?? fail();
      if (parts.length > to.fields.length) fail();
      parts.forEach((p, i) => {
        const f = to.fields[i]!;
        const e = elementText(p);
        out[f.name] = e === null ? null : cast(e, f.type);
      });
      return out;
    }
    if (!t.startsWith("{") || !t.endsWith("}")) fail();
    const inner = t.slice(1, -1);
    if (trim(inner) === "") return out;
    for (const part of splitTop(inner, ",", "}") ?? fail()) {
      const kv = splitTop(part, ":", "}") ?? fail();
      if (kv.length < 2) fail();
      const key = elementText(kv[0]!) ?? fail();
      // The key names its field exactly: `{A: 1}` does not fill field a (DuckDB's error).
      const field = to.fields.find((f) => f.name === key) ?? fail();
      const e = elementText(kv.slice(1).join(":"));
      out[field.name] = e === null ? null : cast(e, field.type);
    }
    return out;
  }
  if (to.kind === "map") {
    // `{k=v, ...}`: the key and the value read as a struct's do. A key runs to its first top-level
    // '=', commas included (`{a, b=1}` has the key `a, b`); a value runs to the next top-level
    // ','; text left without an '=' fails (`{a=1,}`). A NULL key is the cast's error; a key that
    // does not convert fails the cast (TRY_CAST: the whole map is NULL), a value that does not
    // convert fails it (TRY_CAST: that value is NULL). Two equal keys are DuckDB's Invalid Input
    // error, which TRY_CAST keeps.
    if (!t.startsWith("{") || !t.endsWith("}")) fail();
    const inner = t.slice(1, -1);
    if (trim(inner) === "") return [];
    // The whole text is read first (a syntax error comes before any conversion error), then
    // every key is cast, then every value, then the keys must be unique.
    const texts: { key: string; value: string | null }[] = [];
    let pending: string | null = null;
    for (const piece of splitTop(inner, ",", "}") ?? fail()) {
      const part: string = pending === null ? piece : `${pending},${piece}`;
      const kv = splitTop(part, "=", "}") ?? fail();
      if (kv.length < 2) {
        pending = part;
        continue;
      }
      pending = null;
      texts.push({ key: elementText(kv[0]!) ?? fail(), value: elementText(kv.slice(1).join("=")) });
    }
    if (pending !== null) fail();
    const keys = texts.map((e) => {
      const key = cast(e.key, to.key);
      return key === null ? fail() : key;
    });
    const out = texts.map((e, i) => ({ key: keys[i]!, value: e.value === null ? null : cast(e.value, to.value) }));
    const seen = new Set<string>();
    for (const key of keys) {
      const id = mapKeyId(key);
      if (seen.has(id)) throw keepInTryCast(new SqlError("invalid_input", "Map keys must be unique."));
      seen.add(id);
    }
    return out;
  }
  return fail();
}

/** Errors TRY_CAST raises as CAST does (DuckDB's map key errors). */
const keptErrors = new WeakSet<Error>();

/** `e`, marked as an error TRY_CAST does not turn into NULL. */
export function keepInTryCast<E extends Error>(e: E): E {
  keptErrors.add(e);
  return e;
}

export function keptInTryCast(e: unknown): boolean {
  return e instanceof Error && keptErrors.has(e);
}

/** A map key as a string that is equal for equal keys of one type. */
export function mapKeyId(k: Value): string {
  if (k instanceof Uint8Array) return `b:${Array.from(k).join(",")}`;
  if (typeof k === "object" && k !== null) return `o:${JSON.stringify(k, (_, x) => (typeof x === "bigint" ? `${x}n` : x))}`;
  return `${typeof k}:${String(k)}`;
}

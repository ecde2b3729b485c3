/**
 * VARCHAR → LIST / STRUCT: DuckDB's text forms read back ('[1, NULL]',
 * "[a, 'b c']", '{a: 1, b: x}', '(1, x)'). Elements split on top-level
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
 * bracket that ends the value being split ("]" for a list, "}" or ")" for a struct): unmatched,
 * it is a syntax error (a struct's value cannot hold a bare '}'); another unmatched '}' or ')'
 * is an ordinary character, as in DuckDB. Outside quotes a backslash escapes a quote only
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
      else if (c === "]" || c === closer) return null;
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

/** Parses nested text for a LIST or STRUCT target; `cast` converts leaf text. */
export function parseNestedText(s: string, to: SqlType, cast: (text: string, t: SqlType) => Value): Value {
  const fail = (): never => {
    throw new SqlError("conversion", `Type VARCHAR with value '${s}' can't be cast to the destination type ${typeText(to)}`);
  };
  const t = trim(s);
  if (to.kind === "list" || to.kind === "array") {
    if (!t.startsWith("[") || !t.endsWith("]")) fail();
    const inner = t.slice(1, -1);
    if (trim(inner) === "") return [];
    const parts = splitTop(inner) ?? fail();
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
  return fail();
}

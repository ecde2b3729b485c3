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

/**
 * Splits `inner` on commas outside brackets and quotes; null if unbalanced. `closer` is the
 * bracket that ends the value being split ("]" for a list, "}" or ")" for a struct): unmatched,
 * it is a syntax error (a struct's value cannot hold a bare '}'); another unmatched '}' or ')'
 * is an ordinary character, as in DuckDB.
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
    if (c === "'" || c === '"') quote = c;
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

/** An element's text: null for NULL, quotes removed, else trimmed. */
function elementText(raw: string): string | null {
  const t = trim(raw);
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0]) {
    let out = "";
    for (let i = 1; i < t.length - 1; i++) {
      if (t[i] === "\\" && i + 1 < t.length - 1) { out += t[++i]; continue; }
      out += t[i];
    }
    return out;
  }
  return t.toLowerCase() === "null" ? null : t;
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
      const parts = splitTop(t.slice(1, -1), ",", ")") ?? fail();
      if (parts.length !== to.fields.length) fail();
      to.fields.forEach((f, i) => {
        const e = elementText(parts[i]!);
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
      const field = to.fields.find((f) => f.name.toLowerCase() === key.toLowerCase()) ?? fail();
      const e = elementText(kv.slice(1).join(":"));
      out[field.name] = e === null ? null : cast(e, field.type);
    }
    return out;
  }
  return fail();
}

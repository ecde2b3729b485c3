/**
 * DuckDB's type text (as DESCRIBE prints it) parsed into a tree, and back.
 * `STRUCT("a b" INTEGER, c VARCHAR[])`, `DECIMAL(18,3)`, `MAP(VARCHAR, INTEGER)`,
 * `INTEGER[3]`, `TIMESTAMP WITH TIME ZONE`.
 */
import { DUCKDB_KEYWORDS } from "./keywords.ts";

export type TypeNode =
  | { kind: "scalar"; name: string }
  | { kind: "decimal"; width: number; scale: number }
  | { kind: "list"; child: TypeNode }
  | { kind: "array"; child: TypeNode; size: number }
  | { kind: "struct"; fields: { name: string; type: TypeNode }[] }
  | { kind: "map"; key: TypeNode; value: TypeNode }
  | { kind: "other"; text: string };

const cache = new Map<string, TypeNode>();

/** Parses DuckDB type text; unknown shapes (ENUM, UNION) come back as `other`. */
export function parseType(text: string): TypeNode {
  let t = cache.get(text);
  if (!t) {
    const p = { s: text, i: 0 };
    t = parseAt(p);
    skipWs(p);
    if (p.i !== p.s.length) throw new Error(`plan: cannot read type ${JSON.stringify(text)} at offset ${p.i}`);
    cache.set(text, t);
  }
  return t;
}

interface Cursor { s: string; i: number }

function skipWs(p: Cursor): void {
  while (p.i < p.s.length && p.s[p.i] === " ") p.i++;
}

function parseAt(p: Cursor): TypeNode {
  skipWs(p);
  let base: TypeNode;
  const m = /^[A-Za-z_][A-Za-z0-9_]*(?: WITH TIME ZONE)?/.exec(p.s.slice(p.i));
  if (!m) throw new Error(`plan: cannot read type ${JSON.stringify(p.s)} at offset ${p.i}`);
  const word = m[0].toUpperCase();
  p.i += m[0].length;
  if (word === "STRUCT" || word === "MAP" || word === "DECIMAL" || word === "NUMERIC" || word === "UNION" || word === "ENUM") {
    skipWs(p);
    if (p.s[p.i] !== "(") {
      base = word === "DECIMAL" || word === "NUMERIC" ? { kind: "decimal", width: 18, scale: 3 } : { kind: "scalar", name: word };
    } else if (word === "DECIMAL" || word === "NUMERIC") {
      const d = /^\((\d+)\s*,\s*(\d+)\)/.exec(p.s.slice(p.i));
      if (!d) throw new Error(`plan: cannot read type ${JSON.stringify(p.s)}`);
      p.i += d[0].length;
      base = { kind: "decimal", width: Number(d[1]), scale: Number(d[2]) };
    } else if (word === "STRUCT") {
      p.i++;
      const fields: { name: string; type: TypeNode }[] = [];
      for (let first = true; ; first = false) {
        // DuckDB prints a field as `<name> <type>` after `(` or `, `, and an empty name as nothing:
        // `STRUCT( VARCHAR, a INTEGER)`, `STRUCT(a INTEGER,  VARCHAR)`.
        if (!first && p.s[p.i] === " ") p.i++;
        const empty = p.s[p.i] === " ";
        skipWs(p);
        if (p.s[p.i] === ")") { p.i++; break; }
        const name = empty ? "" : readName(p);
        const type = parseAt(p);
        fields.push({ name, type });
        skipWs(p);
        if (p.s[p.i] === ",") p.i++;
      }
      base = { kind: "struct", fields };
    } else if (word === "MAP") {
      p.i++;
      const key = parseAt(p);
      skipWs(p);
      p.i++; // ,
      const value = parseAt(p);
      skipWs(p);
      p.i++; // )
      base = { kind: "map", key, value };
    } else {
      const start = p.i;
      let depth = 0;
      let quote = "";
      for (; p.i < p.s.length; p.i++) {
        const c = p.s[p.i]!;
        if (quote) { if (c === quote) quote = ""; continue; }
        if (c === "'" || c === '"') quote = c;
        else if (c === "(") depth++;
        else if (c === ")" && --depth === 0) { p.i++; break; }
      }
      base = { kind: "other", text: word + p.s.slice(start, p.i) };
    }
  } else {
    base = { kind: "scalar", name: word };
  }
  for (;;) {
    const a = /^\[(\d*)\]/.exec(p.s.slice(p.i));
    if (!a) break;
    p.i += a[0].length;
    base = a[1] ? { kind: "array", child: base, size: Number(a[1]) } : { kind: "list", child: base };
  }
  return base;
}

function readName(p: Cursor): string {
  skipWs(p);
  if (p.s[p.i] === '"') {
    let out = "";
    p.i++;
    for (;;) {
      const c = p.s[p.i++];
      if (c === undefined) throw new Error(`plan: unterminated name in type ${JSON.stringify(p.s)}`);
      if (c === '"') {
        if (p.s[p.i] === '"') { out += '"'; p.i++; continue; }
        return out;
      }
      out += c;
    }
  }
  const m = /^[^\s"(),]+/.exec(p.s.slice(p.i));
  if (!m) throw new Error(`plan: cannot read field name in type ${JSON.stringify(p.s)} at offset ${p.i}`);
  p.i += m[0].length;
  return m[0];
}

/** Prints a type the way DESCRIBE does. */
export function formatType(t: TypeNode): string {
  switch (t.kind) {
    case "scalar": return t.name;
    case "decimal": return `DECIMAL(${t.width},${t.scale})`;
    case "list": return `${formatType(t.child)}[]`;
    case "array": return `${formatType(t.child)}[${t.size}]`;
    case "struct": return `STRUCT(${t.fields.map((f) => `${quoteName(f.name)} ${formatType(f.type)}`).join(", ")})`;
    case "map": return `MAP(${formatType(t.key)}, ${formatType(t.value)})`;
    case "other": return t.text;
  }
}

/**
 * A field name as DuckDB prints it (its `KeywordHelper::WriteOptionallyQuoted`): bare when it is
 * letters, digits (not first) and underscores and not a keyword in any case, so `Email` is bare
 * and `name`, `Type` are quoted; an empty name is printed as nothing at all.
 */
function quoteName(n: string): string {
  return n === "" || (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) && !DUCKDB_KEYWORDS.has(n.toLowerCase())) ? n : `"${n.replace(/"/g, '""')}"`;
}

/** The physical group a scalar type belongs to in `values.ts`. */
export function isBigintType(name: string): boolean {
  return name === "BIGINT" || name === "UBIGINT" || name === "HUGEINT" || name === "UHUGEINT" || name === "TIME" ||
    name.startsWith("TIMESTAMP");
}

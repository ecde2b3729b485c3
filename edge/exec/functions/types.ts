/**
 * DuckDB type texts (as DESCRIBE prints them) parsed into a small tree, so
 * functions can dispatch on the kind of a type without string matching.
 * Parsed types are cached: the executor passes the same texts on every call.
 */
export type SqlType =
  | { kind: "scalar"; name: string }
  | { kind: "decimal"; width: number; scale: number }
  | { kind: "list"; child: SqlType }
  | { kind: "array"; child: SqlType; size: number }
  | { kind: "struct"; fields: { name: string; type: SqlType }[] }
  | { kind: "map"; key: SqlType; value: SqlType }
  | { kind: "enum"; values: string[] };

const aliases: Record<string, string> = {
  INT: "INTEGER", INT4: "INTEGER", INT32: "INTEGER", SIGNED: "INTEGER",
  INT8: "BIGINT", INT64: "BIGINT", LONG: "BIGINT",
  INT2: "SMALLINT", INT16: "SMALLINT", SHORT: "SMALLINT",
  INT1: "TINYINT",
  INT128: "HUGEINT", UINT128: "UHUGEINT",
  UINT8: "UTINYINT", UINT16: "USMALLINT", UINT32: "UINTEGER", UINT64: "UBIGINT",
  FLOAT4: "FLOAT", REAL: "FLOAT",
  FLOAT8: "DOUBLE",
  BOOL: "BOOLEAN", LOGICAL: "BOOLEAN",
  STRING: "VARCHAR", TEXT: "VARCHAR", CHAR: "VARCHAR", BPCHAR: "VARCHAR", NVARCHAR: "VARCHAR",
  BYTEA: "BLOB", BINARY: "BLOB", VARBINARY: "BLOB",
  DATETIME: "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
  "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
  "TIME WITHOUT TIME ZONE": "TIME",
};

const cache = new Map<string, SqlType>();

/** Parses a DuckDB type text; unknown names are kept (upper case) as scalars. */
export function parseType(text: string): SqlType {
  let t = cache.get(text);
  if (t === undefined) {
    const p = { s: text, i: 0 };
    t = parseAt(p);
    cache.set(text, t);
  }
  return t;
}

function skipSpace(p: { s: string; i: number }): void {
  while (p.i < p.s.length && /\s/.test(p.s[p.i]!)) p.i++;
}

function parseIdent(p: { s: string; i: number }): string {
  skipSpace(p);
  if (p.s[p.i] === '"') {
    let out = "";
    p.i++;
    while (p.i < p.s.length) {
      if (p.s[p.i] === '"') {
        if (p.s[p.i + 1] === '"') { out += '"'; p.i += 2; continue; }
        p.i++;
        return out;
      }
      out += p.s[p.i++];
    }
    throw new Error(`functions: unterminated quoted name in type ${p.s}`);
  }
  const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(p.s.slice(p.i));
  if (!m) throw new Error(`functions: cannot parse type ${p.s} at ${p.i}`);
  p.i += m[0].length;
  return m[0];
}

function parseAt(p: { s: string; i: number }): SqlType {
  skipSpace(p);
  const rest = p.s.slice(p.i);
  const multi = /^(TIMESTAMP WITH(OUT)? TIME ZONE|TIME WITH(OUT)? TIME ZONE|DOUBLE PRECISION)/i.exec(rest);
  let name: string;
  if (multi) {
    name = multi[0].toUpperCase();
    p.i += multi[0].length;
    if (name === "DOUBLE PRECISION") name = "DOUBLE";
  } else {
    name = parseIdent(p).toUpperCase();
  }
  name = aliases[name] ?? name;
  let t: SqlType;
  skipSpace(p);
  if (name === "STRUCT" || name === "ROW") {
    t = { kind: "struct", fields: parseFields(p) };
  } else if (name === "MAP") {
    expect(p, "(");
    const key = parseAt(p);
    expect(p, ",");
    const value = parseAt(p);
    expect(p, ")");
    t = { kind: "map", key, value };
  } else if (name === "DECIMAL" || name === "NUMERIC") {
    let width = 18, scale = 3;
    if (p.s[p.i] === "(") {
      p.i++;
      width = parseNumber(p);
      skipSpace(p);
      scale = 0;
      if (p.s[p.i] === ",") { p.i++; scale = parseNumber(p); }
      expect(p, ")");
    }
    t = { kind: "decimal", width, scale };
  } else if (name === "ENUM") {
    expect(p, "(");
    const values: string[] = [];
    for (;;) {
      skipSpace(p);
      if (p.s[p.i] === ")") { p.i++; break; }
      if (p.s[p.i] === ",") { p.i++; continue; }
      values.push(parseQuoted(p));
    }
    t = { kind: "enum", values };
  } else if (name === "UNION") {
    parseFields(p);
    t = { kind: "scalar", name };
  } else {
    if (p.s[p.i] === "(") {
      // VARCHAR(10) and the like: the modifier does not change the value.
      while (p.i < p.s.length && p.s[p.i] !== ")") p.i++;
      p.i++;
    }
    t = { kind: "scalar", name };
  }
  for (;;) {
    skipSpace(p);
    if (p.s[p.i] !== "[") break;
    p.i++;
    skipSpace(p);
    if (p.s[p.i] === "]") {
      p.i++;
      t = { kind: "list", child: t };
    } else {
      const size = parseNumber(p);
      expect(p, "]");
      t = { kind: "array", child: t, size };
    }
  }
  return t;
}

function parseFields(p: { s: string; i: number }): { name: string; type: SqlType }[] {
  expect(p, "(");
  const fields: { name: string; type: SqlType }[] = [];
  for (;;) {
    skipSpace(p);
    if (p.s[p.i] === ")") { p.i++; return fields; }
    if (p.s[p.i] === ",") { p.i++; continue; }
    const name = parseIdent(p);
    fields.push({ name, type: parseAt(p) });
  }
}

function parseQuoted(p: { s: string; i: number }): string {
  expect(p, "'");
  let out = "";
  while (p.i < p.s.length) {
    const c = p.s[p.i++]!;
    if (c === "'") {
      if (p.s[p.i] === "'") { out += "'"; p.i++; continue; }
      return out;
    }
    out += c;
  }
  throw new Error(`functions: unterminated string in type ${p.s}`);
}

function parseNumber(p: { s: string; i: number }): number {
  skipSpace(p);
  const m = /^\d+/.exec(p.s.slice(p.i));
  if (!m) throw new Error(`functions: expected a number in type ${p.s} at ${p.i}`);
  p.i += m[0].length;
  return Number(m[0]);
}

function expect(p: { s: string; i: number }, c: string): void {
  skipSpace(p);
  if (p.s[p.i] !== c) throw new Error(`functions: expected '${c}' in type ${p.s} at ${p.i}`);
  p.i++;
}

/** The canonical text of a type, as DuckDB prints it (for error messages). */
export function typeText(t: SqlType): string {
  switch (t.kind) {
    case "scalar": return t.name === "TIMESTAMPTZ" ? "TIMESTAMP WITH TIME ZONE" : t.name;
    case "decimal": return `DECIMAL(${t.width},${t.scale})`;
    case "list": return `${typeText(t.child)}[]`;
    case "array": return `${typeText(t.child)}[${t.size}]`;
    case "struct":
      return `STRUCT(${t.fields.map((f) => `${quoteName(f.name)} ${typeText(f.type)}`).join(", ")})`;
    case "map": return `MAP(${typeText(t.key)}, ${typeText(t.value)})`;
    case "enum": return `ENUM(${t.values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ")})`;
  }
}

function quoteName(n: string): string {
  return /^[a-z_][a-z0-9_]*$/i.test(n) ? n : `"${n.replaceAll('"', '""')}"`;
}

export const integerRanges: Record<string, { min: bigint; max: bigint; physical: string }> = {
  TINYINT: { min: -128n, max: 127n, physical: "INT8" },
  SMALLINT: { min: -32768n, max: 32767n, physical: "INT16" },
  INTEGER: { min: -2147483648n, max: 2147483647n, physical: "INT32" },
  BIGINT: { min: -(2n ** 63n), max: 2n ** 63n - 1n, physical: "INT64" },
  HUGEINT: { min: -(2n ** 127n), max: 2n ** 127n - 1n, physical: "INT128" },
  UTINYINT: { min: 0n, max: 255n, physical: "UINT8" },
  USMALLINT: { min: 0n, max: 65535n, physical: "UINT16" },
  UINTEGER: { min: 0n, max: 4294967295n, physical: "UINT32" },
  UBIGINT: { min: 0n, max: 2n ** 64n - 1n, physical: "UINT64" },
  UHUGEINT: { min: 0n, max: 2n ** 128n - 1n, physical: "UINT128" },
};

/** Integer types held as JS bigint (values.ts); the narrower ones are numbers. */
export function isBigintType(name: string): boolean {
  return name === "BIGINT" || name === "HUGEINT" || name === "UBIGINT" || name === "UHUGEINT";
}

export function isIntegerType(name: string): boolean {
  return name in integerRanges;
}

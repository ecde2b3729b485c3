/**
 * DuckDB's type text (as DESCRIBE prints it) parsed into a tree, so the
 * Parquet schema and the value conversions can recurse over nested types.
 */
export type DuckType =
  | { kind: "scalar"; name: string }
  | { kind: "decimal"; precision: number; scale: number }
  | { kind: "list"; element: DuckType }
  | { kind: "struct"; fields: { name: string; type: DuckType }[] }
  | { kind: "map"; key: DuckType; value: DuckType };

const ALIASES: Record<string, string> = {
  INT1: "TINYINT",
  INT2: "SMALLINT",
  INT4: "INTEGER",
  INT: "INTEGER",
  INT8: "BIGINT",
  LONG: "BIGINT",
  SHORT: "SMALLINT",
  FLOAT4: "FLOAT",
  REAL: "FLOAT",
  FLOAT8: "DOUBLE",
  NUMERIC: "DECIMAL",
  STRING: "VARCHAR",
  TEXT: "VARCHAR",
  BYTEA: "BLOB",
  BOOL: "BOOLEAN",
  "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
  DATETIME: "TIMESTAMP",
};

/** Parses one DuckDB type text, e.g. `STRUCT(a INTEGER, "b c" VARCHAR[])`. */
export function parseDuckType(text: string): DuckType {
  const p = new TypeParser(text);
  const type = p.type();
  p.skipSpace();
  if (!p.done()) throw new Error(`parquet: unexpected ${JSON.stringify(text.slice(p.pos))} in type ${JSON.stringify(text)}`);
  return type;
}

class TypeParser {
  pos = 0;
  constructor(readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  fail(what: string): never {
    throw new Error(`parquet: expected ${what} at ${this.pos} in type ${JSON.stringify(this.text)}`);
  }

  eat(ch: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** An identifier or a double-quoted name ("" escapes a quote). */
  name(): string {
    this.skipSpace();
    if (this.text[this.pos] === '"') {
      let out = "";
      this.pos++;
      for (;;) {
        const ch = this.text[this.pos];
        if (ch === undefined) this.fail("closing quote");
        this.pos++;
        if (ch === '"') {
          if (this.text[this.pos] === '"') {
            out += '"';
            this.pos++;
            continue;
          }
          return out;
        }
        out += ch;
      }
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) this.fail("a name");
    this.pos += m[0].length;
    return m[0];
  }

  type(): DuckType {
    let base = this.base();
    // Postfix `[]` (LIST) and `[n]` (ARRAY, held as a list of n values).
    while (this.eat("[")) {
      this.skipSpace();
      while (/[0-9]/.test(this.text[this.pos] ?? "")) this.pos++;
      if (!this.eat("]")) this.fail("]");
      base = { kind: "list", element: base };
    }
    return base;
  }

  base(): DuckType {
    let word = this.name().toUpperCase();
    // Multi-word names DESCRIBE can print.
    const rest = this.text.slice(this.pos).toUpperCase();
    if (word === "TIMESTAMP" && /^\s+WITH\s+TIME\s+ZONE/.test(rest)) {
      this.pos += /^\s+WITH\s+TIME\s+ZONE/.exec(rest)![0].length;
      word = "TIMESTAMPTZ";
    } else if (word === "TIME" && /^\s+WITH\s+TIME\s+ZONE/.test(rest)) {
      this.pos += /^\s+WITH\s+TIME\s+ZONE/.exec(rest)![0].length;
      word = "TIMETZ";
    } else if (word === "DOUBLE" && /^\s+PRECISION/.test(rest)) {
      this.pos += /^\s+PRECISION/.exec(rest)![0].length;
    }
    word = ALIASES[word] ?? word;
    switch (word) {
      case "DECIMAL": {
        if (!this.eat("(")) return { kind: "decimal", precision: 18, scale: 3 };
        const precision = this.integer();
        const scale = this.eat(",") ? this.integer() : 0;
        if (!this.eat(")")) this.fail(")");
        return { kind: "decimal", precision, scale };
      }
      case "STRUCT": {
        if (!this.eat("(")) this.fail("(");
        const fields: { name: string; type: DuckType }[] = [];
        do {
          const name = this.name();
          fields.push({ name, type: this.type() });
        } while (this.eat(","));
        if (!this.eat(")")) this.fail(")");
        return { kind: "struct", fields };
      }
      case "MAP": {
        if (!this.eat("(")) this.fail("(");
        const key = this.type();
        if (!this.eat(",")) this.fail(",");
        const value = this.type();
        if (!this.eat(")")) this.fail(")");
        return { kind: "map", key, value };
      }
      case "ENUM": {
        // The labels do not matter for storage: an ENUM is held as its label text.
        if (!this.eat("(")) this.fail("(");
        this.skipBalanced();
        return { kind: "scalar", name: "VARCHAR" };
      }
      case "VARCHAR":
        // VARCHAR(n) is accepted by DuckDB and means VARCHAR.
        if (this.eat("(")) this.skipBalanced();
        return { kind: "scalar", name: word };
      default:
        // Unknown parameterised types (UNION(...), GEOMETRY(...)) keep their name so the caller can say which it rejects.
        if (this.eat("(")) this.skipBalanced();
        return { kind: "scalar", name: word };
    }
  }

  integer(): number {
    this.skipSpace();
    const m = /^[0-9]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail("a number");
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** Skips to the `)` matching an already-consumed `(`, honouring quotes. */
  skipBalanced(): void {
    let depth = 1;
    while (depth > 0) {
      const ch = this.text[this.pos++];
      if (ch === undefined) this.fail(")");
      if (ch === "'" || ch === '"') {
        while (this.pos < this.text.length) {
          if (this.text[this.pos] === ch) {
            if (this.text[this.pos + 1] === ch) this.pos += 2;
            else break;
          } else this.pos++;
        }
        this.pos++;
      } else if (ch === "(") depth++;
      else if (ch === ")") depth--;
    }
  }
}

import { describe, expect, it } from "vitest";
import { quoteIdent, readSqlError, stripTrailingSemicolons } from "./sql.ts";

describe("readSqlError", () => {
  const sql = "SELECT station\nFROM per_minute\nGROUP BY station\nORDER BY BY entries";

  it("reads DuckDB-WASM's JSON error and puts the position on the cell's line", () => {
    const position = sql.indexOf("BY entries");
    const raw = JSON.stringify({ exception_type: "Parser", exception_message: 'syntax error at or near "BY"\n\nLINE 4: ORDER BY BY entries\n                 ^', position: String(position) });
    expect(readSqlError(raw, sql)).toEqual({ message: 'Parser Error: syntax error at or near "BY"', line: 4 });
  });

  it("subtracts the view wrapper from the position", () => {
    const prefix = 'CREATE OR REPLACE VIEW "x" AS '.length;
    const raw = JSON.stringify({ exception_type: "Parser", exception_message: "syntax error", position: String(prefix + sql.indexOf("GROUP")) });
    expect(readSqlError(raw, sql, prefix).line).toBe(3);
  });

  it("falls back to the LINE marker of a plain message, and to no line at all", () => {
    expect(readSqlError('Binder Error: column "x" not found\n\nLINE 2: FROM t', sql)).toEqual({ message: 'Binder Error: column "x" not found', line: 2 });
    expect(readSqlError("Conversion Error: could not convert", sql, Number.POSITIVE_INFINITY)).toEqual({ message: "Conversion Error: could not convert", line: null });
  });
});

describe("sql helpers", () => {
  it("quotes identifiers and strips trailing semicolons", () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(stripTrailingSemicolons("SELECT 1;\n ;  \n")).toBe("SELECT 1");
  });
});

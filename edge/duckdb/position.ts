/**
 * Where something is in a piece of SQL text. DuckDB reports places in two
 * units: `query_location` in parse trees counts UTF-8 bytes, a parser
 * error's position counts code points. Both are turned into this, which an
 * editor (CodeMirror counts UTF-16 units) and a person can use.
 */
export interface SqlPosition {
  /** UTF-16 index into the SQL text. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 units from the start of the line. */
  column: number;
}

/** `query_location` DuckDB uses for "no location" (2^64 - 1). */
export const NO_QUERY_LOCATION = 18446744073709551615n;

function positionAt(sql: string, offset: number): SqlPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** The position of a parse tree's `query_location` (UTF-8 bytes), or null for "no location". */
export function positionFromQueryLocation(sql: string, location: number | bigint): SqlPosition | null {
  if (typeof location === "bigint") {
    if (location === NO_QUERY_LOCATION || location > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    location = Number(location);
  }
  if (location < 0) return null;
  let bytes = 0;
  let i = 0;
  while (i < sql.length && bytes < location) {
    const cp = sql.codePointAt(i)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return positionAt(sql, i);
}

/** The position of a parser error's `position` (code points). */
export function positionFromCodePoint(sql: string, codePoints: number): SqlPosition {
  let i = 0;
  for (let n = 0; n < codePoints && i < sql.length; n++) i += sql.codePointAt(i)! > 0xffff ? 2 : 1;
  return positionAt(sql, i);
}

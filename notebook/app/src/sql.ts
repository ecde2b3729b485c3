/** Quotes a name for DuckDB SQL ("a""b"). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal for DuckDB SQL ('it''s'). */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The cell's SQL without trailing semicolons and whitespace, so it can be wrapped in a view. */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/u, "");
}

interface DuckDBErrorJson {
  exception_type?: string;
  exception_message?: string;
  position?: string;
}

/** A DuckDB error as a cell shows it: "Parser Error: ..." and the 1-based line in the cell's SQL. */
export interface SqlProblem {
  message: string;
  line: number | null;
}

/**
 * Reads a DuckDB error. DuckDB-WASM throws the error as JSON text
 * (`{"exception_type":"Parser","exception_message":"...","position":"186"}`);
 * other paths give "Parser Error: ... LINE 8: ...". `position` is a character
 * offset into the statement that ran, which is the cell's SQL after `prefix`
 * characters of wrapping (say, `CREATE OR REPLACE VIEW x AS `).
 */
export function readSqlError(raw: string, sql: string, prefix = 0): SqlProblem {
  let message = raw;
  let position: number | null = null;
  if (raw.startsWith("{")) {
    let parsed: DuckDBErrorJson | null = null;
    try {
      parsed = JSON.parse(raw) as DuckDBErrorJson;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
    if (parsed?.exception_message !== undefined) {
      message = `${parsed.exception_type ?? "DuckDB"} Error: ${parsed.exception_message}`;
      if (parsed.position !== undefined && /^\d+$/.test(parsed.position)) position = Number(parsed.position) - prefix;
    }
  }
  // The "LINE n: ..." excerpt repeats the source; the editor marks the line instead.
  message = message.replace(/\n+LINE \d+:[\s\S]*$/, "").trim();
  let line: number | null = null;
  if (position !== null && position >= 0 && position <= sql.length) line = sql.slice(0, position).split("\n").length;
  else {
    const match = /LINE (\d+):/.exec(raw);
    if (match !== null) line = Number(match[1]);
  }
  return { message, line };
}

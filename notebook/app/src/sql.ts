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

/**
 * Reads DuckDB's "LINE n:" marker from an error message: the 1-based line of
 * the statement it points at, or null when the message has none.
 */
export function errorLine(message: string): number | null {
  const match = /LINE (\d+):/.exec(message);
  return match === null ? null : Number(match[1]);
}

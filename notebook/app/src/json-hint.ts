import type { JsonFailure } from "./json-types.ts";
import { quoteIdent } from "./sql.ts";

/**
 * What a person reads under a cell that failed on a JSON column: a field whose events hold more than one
 * kind of value (a number until one sender wrote "n/a") is JSON in the gateway's DuckDB and the pipeline,
 * and `amount * 2` stops binding. The cast it offers reads the same in the browser (JSON held as text) and
 * in DuckDB with json: `TRY_CAST(amount AS DOUBLE)` did not (DuckDB reads the JSON text `"7"` as 7, the
 * browser's VARCHAR `"7"` as NULL), while JSON cast to VARCHAR is its text in both.
 */
export function jsonFailureHint(failure: JsonFailure, sources: ReadonlySet<string>, sql: string, at: number | null): string {
  // The column written nearest to where DuckDB places the error is the one it failed on (`qty + 1` beside `meta.ref`).
  const [first, ...others] = at === null ? failure.columns : [...failure.columns].sort((a, b) => distance(sql, a.column, at) - distance(sql, b.column, at));
  if (first === undefined) {
    return "A column here is JSON: its events hold more than one kind of value in it, so DuckDB reads it as JSON. TRY_CAST(CAST(<column> AS VARCHAR) AS DOUBLE) reads its numbers (NULL for the rest); <column>->>'$' reads a text's characters.";
  }
  const name = sqlName(first.column);
  const why = sources.has(first.relation)
    ? `${first.relation}'s events hold more than one kind of value in it (a number in some, text in others, say), so DuckDB reads it as JSON`
    : `it is JSON in ${first.relation}`;
  const also = others.length === 0 ? "" : ` (so ${others.length === 1 ? "is" : "are"} ${others.map((c) => c.column).join(", ")})`;
  return `${first.column} is JSON here${also}: ${why}. TRY_CAST(CAST(${name} AS VARCHAR) AS DOUBLE) reads its numbers (NULL for the rest); ${name}->>'$' reads a text's characters.`;
}

/** A column as written in SQL: bare when it can be, else quoted. */
function sqlName(column: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(column) ? column : quoteIdent(column);
}

/** How far the nearest place `sql` names `column` (any case) is from offset `at`. */
function distance(sql: string, column: string, at: number): number {
  const text = sql.toLowerCase();
  const name = column.toLowerCase();
  let best = Number.POSITIVE_INFINITY;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) best = Math.min(best, Math.abs(i - at), Math.abs(i + name.length - at));
  return best;
}

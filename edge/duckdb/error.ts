import { positionFromCodePoint, positionFromQueryLocation, type SqlPosition } from "./position.ts";

/**
 * An error DuckDB raised, taken apart. The connection runs with
 * `errors_as_json`, so DuckDB reports its error type and the place in the SQL
 * text as data instead of drawing a caret; this keeps both.
 */
export class DuckDBError extends Error {
  override readonly name = "DuckDBError";
  constructor(
    message: string,
    /** DuckDB's error type without "Error": `Binder`, `Parser`, `Conversion`, `Catalog`, `Invalid Input` ... */
    readonly kind: string,
    /** DuckDB's message, without the type. */
    readonly detail: string,
    /** Where in `sql` DuckDB places the error, when it does. */
    readonly position: SqlPosition | null,
    /** The SQL text `position` refers to. */
    readonly sql: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** The error as DuckDB prints it without `errors_as_json`, first line: `Binder Error: ...`. */
  get duckdbText(): string {
    return `${this.kind} Error: ${this.detail}`;
  }
}

interface JsonError {
  exception_type?: unknown;
  exception_message?: unknown;
  position?: unknown;
}

/**
 * Turns what @duckdb/node-api threw while running `prefix + sql` into a
 * `DuckDBError` whose position is relative to `sql`. The prefix (such as
 * `DESCRIBE `) must be ASCII without line breaks. A message that is not
 * DuckDB's JSON is kept as it is.
 */
export function duckdbError(error: unknown, sql: string, prefix = ""): Error {
  const raw = error instanceof Error ? error.message : String(error);
  const parsed = parseJsonError(raw);
  if (parsed === null) return new Error(`duckdb: ${raw}\n  while running: ${abbreviate(sql)}`, { cause: error });
  const kind = typeof parsed.exception_type === "string" ? parsed.exception_type : "Unknown";
  const detail = typeof parsed.exception_message === "string" ? parsed.exception_message : raw;
  const at = typeof parsed.position === "string" && /^\d+$/.test(parsed.position) ? Number(parsed.position) - prefix.length : null;
  // Parser errors count code points; every other error counts UTF-8 bytes.
  const position = at === null || at < 0 ? null : kind === "Parser" ? positionFromCodePoint(sql, at) : positionFromQueryLocation(sql, at);
  // The place goes at the end of the first line, which is what most readers of a message show.
  const where = position === null ? "" : ` (line ${position.line}, column ${position.column})`;
  const [first, ...rest] = detail.split("\n");
  const text = [`${first}${where}`, ...rest].join("\n");
  const classic = new Error(`${kind} Error: ${detail}`, { cause: error });
  return new DuckDBError(`duckdb: ${kind} Error: ${text}\n  while running: ${abbreviate(sql)}`, kind, detail, position, sql, { cause: classic });
}

function parseJsonError(message: string): JsonError | null {
  const start = message.indexOf("{");
  if (start < 0 || !message.trimEnd().endsWith("}")) return null;
  let value: unknown;
  try {
    value = JSON.parse(message.slice(start));
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
  if (value === null || typeof value !== "object" || !("exception_type" in value)) return null;
  return value as JsonError;
}

function abbreviate(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

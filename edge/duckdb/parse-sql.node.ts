import { type JsonValue, parseJsonLossless } from "./lossless-json.ts";
import type { DuckDB } from "./open.node.ts";
import { positionFromCodePoint, type SqlPosition } from "./position.ts";

/** One statement of DuckDB's `json_serialize_sql` output. */
export interface SqlStatement {
  node: { [key: string]: JsonValue };
  [key: string]: JsonValue;
}

/** DuckDB's own parse tree of some SQL (the output of `json_serialize_sql`, error-free). */
export interface SqlTree {
  error: false;
  statements: SqlStatement[];
}

/** An error in SQL text, with where it is when DuckDB says. */
export class SqlError extends Error {
  override readonly name = "SqlError";
  constructor(
    message: string,
    /** Where in the SQL text, or null when DuckDB gives no place. */
    readonly position: SqlPosition | null,
    /** DuckDB's error type, e.g. `parser`, `not implemented`. */
    readonly errorType: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * DuckDB's parse tree of `sql` (`json_serialize_sql`). Integers beyond 2^53
 * are `bigint` (see lossless-json.ts), including `query_location`'s "no
 * location", 2^64 - 1; `query_location` counts UTF-8 bytes
 * (`positionFromQueryLocation` turns it into line and column). Only SELECT
 * statements serialize. A parse error throws `SqlError` with its position.
 */
export async function parseSql(db: DuckDB, sql: string): Promise<SqlTree> {
  const reader = await db.read("SELECT json_serialize_sql($1::VARCHAR) AS tree", [sql]);
  const text = reader.getRowObjectsJS()[0]?.tree;
  if (typeof text !== "string") throw new Error("duckdb: json_serialize_sql returned no tree");
  // A literal past DOUBLE's range (`1e999`) is a bare Infinity in the tree.
  const tree = parseJsonLossless(text, { nonFinite: true });
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) {
    throw new Error("duckdb: json_serialize_sql returned something other than an object");
  }
  if (tree.error === true) {
    const message = typeof tree.error_message === "string" ? tree.error_message : "unknown error";
    const errorType = typeof tree.error_type === "string" ? tree.error_type : "unknown";
    const raw = tree.position;
    const at = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : typeof raw === "number" ? raw : null;
    const position = at === null ? null : positionFromCodePoint(sql, at);
    const where = position === null ? "" : ` at line ${position.line}, column ${position.column}`;
    throw new SqlError(`duckdb: ${errorType} error: ${message}${where}`, position, errorType);
  }
  if (!Array.isArray(tree.statements)) throw new Error("duckdb: json_serialize_sql returned no statements");
  return tree as unknown as SqlTree;
}

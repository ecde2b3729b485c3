import type { Schema } from "../plan/values.ts";
import type { DuckDB } from "./open.node.ts";

/**
 * The result schema of one query, as DuckDB's `DESCRIBE` prints it: column
 * names in order, types as DuckDB's type text (`STRUCT(a BIGINT, "b c" VARCHAR[])`).
 * Binds the query without running it.
 */
export async function describeQuery(db: DuckDB, sql: string): Promise<Schema> {
  await expectOneStatement(db, sql);
  const reader = await db.read(`DESCRIBE ${sql}`);
  return reader.getRowObjectsJS().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** Throws unless `sql` is exactly one statement (a trailing `;` is fine). */
export async function expectOneStatement(db: DuckDB, sql: string): Promise<void> {
  let count: number;
  try {
    count = (await db.connection.extractStatements(sql)).count;
  } catch (error) {
    throw new Error(`duckdb: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (count !== 1) throw new Error(`duckdb: expected one SQL statement, found ${count}`);
}

import type { Schema } from "../plan/values.ts";
import { duckdbError } from "./error.ts";
import type { DuckDB } from "./open.node.ts";

const DESCRIBE = "DESCRIBE ";

/**
 * The result schema of one query, as DuckDB's `DESCRIBE` prints it: column
 * names in order, types as DuckDB's type text (`STRUCT(a BIGINT, "b c" VARCHAR[])`).
 * Binds the query without running it. A binder error's position is in `sql`.
 */
export async function describeQuery(db: DuckDB, sql: string): Promise<Schema> {
  await expectOneStatement(db, sql);
  let rows: Record<string, unknown>[];
  try {
    rows = (await db.connection.runAndReadAll(DESCRIBE + sql)).getRowObjectsJS();
  } catch (error) {
    throw duckdbError(error, sql, DESCRIBE);
  }
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** Throws unless `sql` is exactly one statement (a trailing `;` is fine). */
export async function expectOneStatement(db: DuckDB, sql: string): Promise<void> {
  let count: number;
  try {
    count = (await db.connection.extractStatements(sql)).count;
  } catch (error) {
    throw duckdbError(error, sql);
  }
  if (count !== 1) throw new Error(`duckdb: expected one SQL statement, found ${count}`);
}

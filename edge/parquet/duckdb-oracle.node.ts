import { DuckDBInstance } from "../duckdb/node-api.node.ts";
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * DuckDB as the independent reader every Parquet file we write is checked
 * against (tests and benchmarks only). One in-memory database per call.
 */
export async function withDuckDB<T>(fn: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Rows as JSON-safe objects (bigints and dates as DuckDB prints them), for assertions. */
export async function queryJson(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** `path` quoted as a DuckDB string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The rows of a query as DuckDB prints them to JSON, each value as text and NULL as "NULL", in order,
 * from a fresh single-threaded DuckDB: what tests compare the lake and the oracle by.
 */
import { openDuckDB } from "./open.node.ts";

export async function rowsAsText(sql: string): Promise<string[][]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    return (await db.read(sql)).getRowsJson().map((r) => r.map((v) => (v === null ? "NULL" : String(v))));
  } finally {
    db.close();
  }
}

import { rowFactory, type Row, type Schema } from "../plan/values.ts";
import { describeQuery } from "./describe.node.ts";
import type { DuckDB } from "./open.node.ts";
import { toValue } from "./to-value.node.ts";

export interface QueryResult {
  schema: Schema;
  rows: Row[];
}

/**
 * Runs one query and returns its rows in the representation of
 * `edge/plan/values.ts`, with the schema DuckDB's `DESCRIBE` gives. This is
 * the oracle the differential check compares the executor against.
 * Two output columns with the same name are an error (a row object could
 * hold only one of them); DuckDB itself renames the second when the query
 * becomes a view, so a cell result would not mean what it shows.
 */
export async function queryRows(db: DuckDB, sql: string): Promise<QueryResult> {
  const schema = await describeQuery(db, sql);
  const seen = new Set<string>();
  for (const column of schema) {
    if (seen.has(column.name)) {
      throw new Error(`duckdb: the query returns two columns named "${column.name}"; give them distinct aliases`);
    }
    seen.add(column.name);
  }
  const reader = await db.read(sql);
  const names = reader.columnNames();
  if (names.length !== schema.length || names.some((name, i) => name !== schema[i]!.name)) {
    throw new Error(`duckdb: the query's columns (${names.join(", ")}) differ from what DESCRIBE said (${schema.map((c) => c.name).join(", ")})`);
  }
  const newRow = rowFactory(names);
  const rows = reader.getRows().map((values) => {
    const row = newRow();
    values.forEach((value, i) => {
      row[names[i]!] = toValue(value);
    });
    return row;
  });
  return { schema, rows };
}

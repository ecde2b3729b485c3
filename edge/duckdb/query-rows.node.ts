import { DuckDBListVector, DuckDBStructVector, type DuckDBVector } from "@duckdb/node-api";
import { rowFactory, type Row, type Schema, type Value } from "../plan/values.ts";
import { describeQuery } from "./describe.node.ts";
import { duckdbError } from "./error.ts";
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
  if (schema.some((c) => /STRUCT\(/i.test(c.type))) return { schema, rows: await structRows(db, sql, schema) };
  const reader = await db.read(sql);
  const names = reader.columnNames();
  sameColumns(names, schema);
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

function sameColumns(names: string[], schema: Schema): void {
  if (names.length !== schema.length || names.some((name, i) => name !== schema[i]!.name)) {
    throw new Error(`duckdb: the query's columns (${names.join(", ")}) differ from what DESCRIBE said (${schema.map((c) => c.name).join(", ")})`);
  }
}

/**
 * The rows of a result holding a STRUCT, read from its vectors: node-api's struct values assign
 * their fields, so a field named `__proto__` (`{"x": {"__proto__": 1}}` in an event) became the
 * object's prototype and vanished, and the check reported a difference the pipeline did not make.
 * Here each field is defined as an own property.
 */
async function structRows(db: DuckDB, sql: string, schema: Schema): Promise<Row[]> {
  let result;
  try {
    result = await db.connection.run(sql);
  } catch (error) {
    throw duckdbError(error, sql);
  }
  const names = result.columnNames();
  sameColumns(names, schema);
  const newRow = rowFactory(names);
  const rows: Row[] = [];
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const vectors = names.map((_, c) => chunk.getColumnVector(c));
    for (let r = 0; r < chunk.rowCount; r++) {
      const row = newRow();
      vectors.forEach((v, c) => (row[names[c]!] = vectorValue(v, r)));
      rows.push(row);
    }
  }
  return rows;
}

/** One item of a result vector, a STRUCT's fields as own properties (a MAP's or fixed ARRAY's go through node-api's values). */
function vectorValue(v: DuckDBVector, i: number): Value {
  if (v instanceof DuckDBStructVector) {
    const inner = v as unknown as { validity: { itemValid(i: number): boolean }; entryVectors: DuckDBVector[] };
    if (!inner.validity.itemValid(i)) return null;
    const out: { [field: string]: Value } = {};
    v.type.entryNames.forEach((name, k) => Object.defineProperty(out, name, { value: vectorValue(inner.entryVectors[k]!, i), enumerable: true, writable: true, configurable: true }));
    return out;
  }
  if (v instanceof DuckDBListVector) {
    const items = v.getItemVector(i);
    return items === null ? null : Array.from({ length: items.itemCount }, (_, k) => vectorValue(items, k));
  }
  return toValue(v.getItem(i));
}

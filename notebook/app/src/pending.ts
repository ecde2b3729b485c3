import type { DataType } from "apache-arrow";

/**
 * A query's result read batch by batch from DuckDB-WASM's pending-query API (`send`): what
 * `toRows` reads (schema, row count, columns) and what `query`'s tables give the profile (`toArray`).
 */
export interface Batches {
  schema: { fields: { name: string; type: DataType }[] };
  numRows: number;
  getChildAt(index: number): { get(index: number): unknown } | null;
  toArray(): { toJSON(): Record<string, unknown> }[];
}

interface ArrowVector {
  length: number;
  get(index: number): unknown;
  concat(...others: ArrowVector[]): ArrowVector;
}

interface ArrowBatch {
  numRows: number;
  getChildAt(index: number): ArrowVector | null;
  toArray(): { toJSON(): Record<string, unknown> }[];
}

/** What `send` needs of a connection (DuckDB-WASM's `AsyncDuckDBConnection`). */
export interface SendingConnection {
  send(text: string): Promise<AsyncIterable<unknown> & { open(): Promise<unknown>; schema: unknown }>;
}

/**
 * Runs `sql` as a pending query on `conn`: DuckDB-WASM's worker runs it in slices of about 100 ms
 * and answers other connections' statements between them, where `query` holds the worker until it
 * is done; `cancelSent` on the same connection ends it ("query was canceled"). A statement run on
 * `conn` meanwhile would end it too, so `conn` must be the caller's alone. Several statements run
 * as `query` runs them, the last one's rows answered.
 */
export async function sendAll(conn: SendingConnection, sql: string): Promise<Batches> {
  const reader = await conn.send(sql);
  // The stream reader knows its schema once opened, and forgets it when the stream ends.
  await reader.open();
  const opened = reader.schema as Batches["schema"] | undefined;
  const batches: ArrowBatch[] = [];
  for await (const batch of reader) batches.push(batch as ArrowBatch);
  const schema = opened ?? (batches[0] as unknown as { schema?: Batches["schema"] } | undefined)?.schema;
  if (schema === undefined) throw new Error(`duckdb: the result of ${sql.slice(0, 80)} came without a schema`);
  return batchesTable(schema, batches);
}

function batchesTable(schema: Batches["schema"], batches: ArrowBatch[]): Batches {
  return {
    schema,
    numRows: batches.reduce((n, b) => n + b.numRows, 0),
    getChildAt(index) {
      const vectors = batches.map((b) => b.getChildAt(index)).filter((v): v is ArrowVector => v !== null);
      if (vectors.length === 0) return null;
      // Arrow's own concatenation: one vector over the batches' chunks, each row found by its chunk's offset.
      return vectors.length === 1 ? vectors[0]! : vectors[0]!.concat(...vectors.slice(1));
    },
    toArray: () => batches.flatMap((b) => b.toArray()),
  };
}

/** The first `n` rows of a result, for the preview of a result whose rows were all fetched. */
export function firstRows(table: Batches, n: number): Batches {
  return { ...table, numRows: Math.min(n, table.numRows), toArray: () => table.toArray().slice(0, n) };
}

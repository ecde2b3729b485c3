import { Field, RecordBatch, Schema, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { type CellAnswer, createShare, type ShareLink } from "./api.ts";
import type { Connection } from "./duckdb.ts";
import { eventsToArrow } from "./events-to-arrow.ts";
import { toRows } from "./rows.ts";
import type { SourceTable } from "./source-table.ts";
import { quoteIdent } from "./sql.ts";

/**
 * Shares the notebook as the person sees it: its text, every source table's
 * rows, oldest first, as Arrow IPC typed like the sample, and the results the
 * gateway's DuckDB gave the page (`answers`), so the link shows the same
 * results without access to the stream or the gateway.
 */
export async function shareNotebook(conn: Connection, tables: Iterable<SourceTable>, path: string, text: string, answers: CellAnswer[] = []): Promise<ShareLink> {
  const samples: Record<string, Uint8Array> = {};
  for (const table of tables) {
    if (table.schema === null) continue;
    const result = await conn.query(`SELECT * FROM ${quoteIdent(table.name)} ORDER BY rowid`);
    samples[table.name] = withFieldMetadata(eventsToArrow(table.schema, toRows(result, null)), table.schema);
  }
  return createShare(path, text, samples, answers);
}

/**
 * The rows' Arrow with each field's metadata from the sample (`duckdb.type`), which the snapshot's
 * page reads as the sharer's did: without it a column the gateway's DuckDB typed JSON, UUID, HUGEINT
 * or INTERVAL (Arrow carries them as text) stayed VARCHAR in the snapshot, header and queries alike.
 */
function withFieldMetadata(ipc: Uint8Array, sample: Schema): Uint8Array {
  const table = tableFromIPC(ipc);
  const fields = table.schema.fields.map((field) => {
    const metadata = sample.fields.find((f) => f.name === field.name)?.metadata;
    return metadata === undefined || metadata.size === 0 ? field : new Field(field.name, field.type, field.nullable, new Map(metadata));
  });
  const schema = new Schema(fields);
  return tableToIPC(new Table(schema, table.batches.map((batch) => new RecordBatch(schema, batch.data))), "stream");
}

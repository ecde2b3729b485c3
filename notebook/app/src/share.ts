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
    samples[table.name] = eventsToArrow(table.schema, toRows(result, null));
  }
  return createShare(path, text, samples, answers);
}

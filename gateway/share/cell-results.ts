import { tableFromIPC } from "apache-arrow";
import { cellLabel } from "../../notebook/format/parse.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import { GatewayError } from "../http/error.ts";

/**
 * A result the sharer's page had from the gateway's DuckDB (a cell the browser's DuckDB-WASM could
 * not run, or one reading such a cell), as a share keeps it: the reader's page has no gateway to
 * ask, so it shows these rows, as of `ranAt`, as the sharer saw them.
 */
export interface SharedCellResult {
  /** The cell's label (its id, or `#n`), as the shared text gives it. */
  cell: string;
  /** The cell's place among the notebook's cells; its rows are the share's file `cell-<index>.arrow`. */
  index: number;
  /** Every row the cell gave on the gateway (the Arrow holds at most the gateway's bound). */
  rows: number;
  /** When the gateway read the samples the cell ran over (ISO 8601). */
  ranAt: string;
  /** The events each source's sample held there. */
  samples: Record<string, number>;
}

/** The file of a share that holds a cell's rows. */
export function cellFile(index: number): string {
  return `cell-${index}.arrow`;
}

/**
 * Reads `cells` of a share request: `[{ cell, ipc: "<base64 Arrow IPC>", rows, ranAt, samples }]`,
 * each naming a SQL cell of the shared text. Anything else is a 400 naming the entry: a share
 * either keeps what the sharer saw or is refused, never half of it.
 */
export function readCellResults(given: unknown, notebook: Notebook): { results: SharedCellResult[]; files: Record<string, Uint8Array> } {
  const results: SharedCellResult[] = [];
  const files: Record<string, Uint8Array> = {};
  if (given === undefined || given === null) return { results, files };
  if (!Array.isArray(given)) throw bad('"cells" must be a list of { cell, ipc, rows, ranAt, samples }');
  // Looked up by label once: a search of the cells per entry held the event loop for seconds on a share of thousands of cells.
  const sqlCells = new Map<string, number>();
  notebook.cells.forEach((c, i) => {
    const label = cellLabel(c);
    if (c.language === "sql" && !sqlCells.has(label)) sqlCells.set(label, i);
  });
  const taken = new Set<number>();
  given.forEach((entry: unknown, i) => {
    const at = `cells[${i}]`;
    if (typeof entry !== "object" || entry === null) throw bad(`${at} must be an object { cell, ipc, rows, ranAt, samples }`);
    const { cell, ipc, rows, ranAt, samples } = entry as Record<string, unknown>;
    if (typeof cell !== "string") throw bad(`${at}.cell must be the cell's label (its id, or #n)`);
    const index = sqlCells.get(cell) ?? -1;
    if (index < 0) throw bad(`${at}.cell: the shared text has no SQL cell ${JSON.stringify(cell)}`);
    if (taken.has(index)) throw bad(`${at}.cell: cell ${cell} is given twice`);
    taken.add(index);
    if (typeof ipc !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(ipc)) throw bad(`${at}.ipc must be base64 Arrow IPC`);
    const bytes = new Uint8Array(Buffer.from(ipc, "base64"));
    try {
      tableFromIPC(bytes);
    } catch (err) {
      throw bad(`${at}.ipc is not an Arrow IPC stream (${(err as Error).message})`, err);
    }
    if (typeof rows !== "number" || !Number.isSafeInteger(rows) || rows < 0) throw bad(`${at}.rows must be the cell's row count`);
    if (typeof ranAt !== "string" || Number.isNaN(Date.parse(ranAt))) throw bad(`${at}.ranAt must be an ISO 8601 time`);
    if (typeof samples !== "object" || samples === null || Array.isArray(samples) || !Object.values(samples).every((n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0)) {
      throw bad(`${at}.samples must be { "<source>": <events> }`);
    }
    results.push({ cell, index, rows, ranAt: new Date(ranAt).toISOString(), samples: samples as Record<string, number> });
    files[cellFile(index)] = bytes;
  });
  return { results, files };
}

function bad(message: string, cause?: unknown): GatewayError {
  return new GatewayError(400, "bad_request", `share: ${message}`, cause === undefined ? undefined : { cause });
}

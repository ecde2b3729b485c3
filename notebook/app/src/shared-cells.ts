import { fetchSharedCell, type GatewayCellResult, type SharedCell } from "./api.ts";
import type { CellSpec, GatewayRunner } from "./reactive.ts";

/**
 * A shared snapshot's refusal of a cell only the gateway could run, when the snapshot keeps no
 * result of it (the sharer's page had none when it was shared).
 */
export class NotInSnapshot extends Error {
  override name = "NotInSnapshot";
}

/**
 * The gateway runner of a shared snapshot: a sandboxed page cannot call the gateway, so each cell
 * the gateway's DuckDB ran for the sharer answers with the rows the sharer's page had then
 * (`/s/<id>/cells/<index>`, fetched once). A cell the snapshot keeps nothing of fails with
 * `NotInSnapshot`.
 */
export function snapshotRunner(id: string, cells: readonly SharedCell[], fetchRows: (id: string, index: number) => Promise<Uint8Array> = fetchSharedCell): GatewayRunner {
  const kept = new Map(cells.map((c) => [c.cell, c]));
  const answers = new Map<string, Promise<GatewayCellResult>>();
  return (spec: CellSpec) => {
    const cell = kept.get(spec.label);
    if (cell === undefined) {
      return Promise.reject(new NotInSnapshot(`This snapshot keeps no result of cell ${spec.label} from the gateway's DuckDB either: the sharer's page had none when it was shared.`));
    }
    let answer = answers.get(spec.label);
    if (answer === undefined) {
      const fetched = fetchRows(id, cell.index).then((ipc) => ({ ipc, rows: cell.rows, ranAt: new Date(cell.ranAt), samples: cell.samples, fromSnapshot: true as const }));
      answers.set(spec.label, fetched);
      // A failed download is not kept: the next recompute fetches again.
      fetched.catch(() => answers.delete(spec.label));
      answer = fetched;
    }
    return answer;
  };
}

import { type GatewayCellResult, runCellOnGateway } from "./api.ts";
import type { CellSpec } from "./reactive.ts";

/**
 * How long a cell's result from the gateway answers the recomputes a live stream causes (about one
 * a second) before the gateway is asked again: each run loads the samples into a fresh DuckDB there.
 */
export const GATEWAY_REFRESH_MS = 15_000;

/**
 * The cells of one notebook that run on the gateway's DuckDB (`POST /api/cells`), with each answer
 * kept for `GATEWAY_REFRESH_MS` while the notebook's text is unchanged. An edit anywhere in the
 * text, or `clear()` (an explicit run), asks again.
 */
export class GatewayCells {
  private readonly answers = new Map<string, { text: string; at: number; answer: Promise<GatewayCellResult> }>();

  constructor(
    private readonly path: string,
    private readonly text: () => string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  run(spec: CellSpec): Promise<GatewayCellResult> {
    const text = this.text();
    const at = this.now();
    const kept = this.answers.get(spec.label);
    if (kept !== undefined && kept.text === text && at - kept.at < GATEWAY_REFRESH_MS) return kept.answer;
    const answer = runCellOnGateway(this.path, text, spec.label);
    const entry = { text, at, answer };
    this.answers.set(spec.label, entry);
    // A refusal is not kept: the next recompute asks again (the source may have its first events by then).
    answer.catch(() => {
      if (this.answers.get(spec.label) === entry) this.answers.delete(spec.label);
    });
    return answer;
  }

  clear(): void {
    this.answers.clear();
  }
}

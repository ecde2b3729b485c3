import { counted } from "../../../format/counted.ts";
import type { GatewayRun } from "../reactive.ts";
import { formatCount } from "./format-value.ts";

/**
 * The mark on a result the gateway's DuckDB computed: where it ran, over which sample and as of
 * when (the browser's source tables have had the live tail since, so its rows may differ by the
 * events that arrived in between), and why it did not run in the browser.
 */
export function renderGatewayMark(run: GatewayRun, numRows: number): HTMLElement {
  const mark = document.createElement("div");
  mark.className = "gateway-mark";
  const badge = document.createElement("span");
  badge.className = "gateway-badge";
  badge.textContent = "gateway DuckDB";
  const samples = Object.entries(run.samples).map(([source, n]) => `${source}: ${formatCount(n)} ${n === 1 ? "event" : "events"}`);
  const text = document.createElement("span");
  if (run.fromSnapshot) {
    // A snapshot is read later, perhaps days later: the date matters, and nothing refreshes it.
    const when = run.ranAt.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
    text.textContent = `ran for the sharer over the gateway's sample as of ${when}${samples.length > 0 ? ` (${samples.join(", ")})` : ""}; this snapshot keeps the rows their page had`;
  } else {
    const time = run.ranAt.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    text.textContent = `ran over the gateway's sample as of ${time}${samples.length > 0 ? ` (${samples.join(", ")})` : ""}; events that arrived since are not in it`;
  }
  if (run.held < numRows) text.textContent += `; the page holds the first ${counted(run.held, "row", { grouped: true })}`;
  const why =
    "extension" in run.because
      ? `The notebook's in-browser DuckDB has no ${run.because.extension} extension, so this cell ran on the gateway's DuckDB (the pipeline's, TimeZone UTC) over the sample the gateway holds.`
      : `This cell reads ${run.because.reads.join(", ")}, which ran on the gateway's DuckDB, so it ran there too, over the same samples.`;
  const kept = run.fromSnapshot ? " A shared snapshot has no gateway to ask: it shows the rows the sharer's page had when it was shared." : "";
  mark.title = `${why} Sample read at ${run.ranAt.toISOString()}.${kept}`;
  mark.dataset.ranAt = run.ranAt.toISOString();
  mark.append(badge, " ", text);
  return mark;
}

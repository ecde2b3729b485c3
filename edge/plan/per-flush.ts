import type { Pipeline } from "./types.ts";

/**
 * What a person must know about a sink cell that groups without a time bucket (`emit: "per-flush"`):
 * DuckDB answers over the whole sample, while a stream never ends, so each flushed file holds the
 * groups of the events in that flush. Null for any other pipeline. Said by check/publish and in the
 * bundle's README.
 */
export function perFlushNote(p: Pipeline): string | null {
  const per = p.ops.some((o) => o.op === "aggregate" && o.emit === "per-flush");
  if (!per) return null;
  return `${p.cell.cell} groups without a time bucket: on a stream, each file that ${p.sink} flushes holds the groups of the events in that flush, not running totals (a group appears once per file; counts and sums add up across files, averages and count(DISTINCT) do not). GROUP BY a time_bucket(...) of the event time to write each window once`;
}

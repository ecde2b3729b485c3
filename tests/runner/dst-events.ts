/**
 * Orders around the 2026 clock changes of Europe/Berlin and America/New_York, and a notebook that
 * counts them per local hour, quarter hour and day: shared by the runner's and the Worker's tests
 * of local-time windows (`dst-windows.test.ts`).
 */

export const CELLS = {
  berlin_hours: "SELECT date_trunc('hour', CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin') AS berlin_hour, count(*) AS orders, sum(amount) AS amount FROM orders GROUP BY ALL",
  ny_quarters: "SELECT time_bucket(INTERVAL 15 minutes, CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'America/New_York') AS ny_quarter, count(*) AS orders FROM orders GROUP BY ALL",
  berlin_days: "SELECT date_trunc('day', CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin') AS berlin_day, count(*) AS orders FROM orders GROUP BY ALL",
} as const;
export type DstSink = keyof typeof CELLS;
export const SINKS = Object.keys(CELLS) as DstSink[];

/** The notebook, every sink with a 5-minute lateness and `target` (front matter text) as its place. */
export function dstNotebook(target: (sink: DstSink) => string): string {
  return `---
title: Orders per local hour across the clock changes
sources:
  orders:
    webhook: { path: /orders, signature: none }
    format: json
sinks:
${SINKS.map((s) => `  ${s}:\n    ${target(s)}\n    lateness: 5 minutes\n    flush: { rows: 40, seconds: 3600 }\n`).join("")}---

${SINKS.map((s) => `\`\`\`sql id=${s} sink=${s}\n${CELLS[s]}\n\`\`\`\n`).join("\n")}`;
}

/** The 2026 changes: New York forward and back, Berlin forward and back (UTC). */
const CHANGES = ["2026-03-08T07:00:00Z", "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-11-01T06:00:00Z"];

export interface Order {
  ts: string;
  amount: number;
}

/**
 * Events every 6 minutes for 2 hours either side of each change, in order but for the pair around
 * it: 3 s before the change arrives after 1 s past it, 4 real seconds out of order and an hour on
 * the clock.
 */
export function onTimeOrders(): Order[] {
  const out: Order[] = [];
  for (const change of CHANGES) {
    const t0 = Date.parse(change);
    const times: number[] = [];
    for (let t = t0 - 2 * 3_600_000; t < t0 + 2 * 3_600_000; t += 6 * 60_000) if (t !== t0) times.push(t);
    const at = times.findIndex((t) => t > t0);
    times.splice(at, 0, t0 + 1000, t0 - 3000);
    out.push(...times.map((t, i) => ({ ts: new Date(t).toISOString(), amount: (i % 5) + 1 })));
  }
  return out;
}

/** Truly late events (more than the lateness in real time) and the event each follows. */
export const LATE = [
  // 01:50 CET, arriving after 03:30 CEST (01:30 UTC): 40 real minutes late.
  { after: "2026-03-29T01:30:00.000Z", ts: "2026-03-29T00:50:00.000Z" },
  // 01:40 EDT (first pass), arriving after 01:54 EST (06:54 UTC): 74 real minutes late. (After 01:48 EST it
  // would still count: the 01:30 quarter stays open until its second pass ends, at 06:45 UTC, plus the lateness.)
  { after: "2026-11-01T06:54:00.000Z", ts: "2026-11-01T05:40:00.000Z" },
];

/** The on-time orders with the late ones where they arrive. */
export function ordersWithLate(): Order[] {
  const out = onTimeOrders();
  for (const late of LATE) out.splice(out.findIndex((e) => e.ts === late.after) + 1, 0, { ts: late.ts, amount: 100 });
  return out;
}

/** The reason of the late dead letter of the 2026-03-29 00:50 UTC order in berlin_hours, after the sink's name. */
export const BERLIN_LATE_REASON =
  "late event: for its bucket 2026-03-29 01:00:00 in Europe/Berlin, the window [2026-03-29 00:00:00+00, 2026-03-29 01:00:00+00) is closed: the watermark (newest event time minus lateness) has reached 2026-03-29 01:25:00+00";

/**
 * time_bucket(width, TIMESTAMPTZ, zone) as DuckDB's ICU extension answers it, in zones with
 * daylight-saving changes at odd hours (Havana and Santiago at midnight), half- and
 * quarter-hour offsets (Kolkata, Kathmandu, St John's, Chatham) and a half-hour change
 * (Lord Howe): widths under a day count from 2000-01-03 00:00 in the zone as an instant, widths
 * in days count whole days from that instant and step the zone's calendar, months are the
 * zone's calendar months.
 */
import type { ConformanceCase } from "../case.ts";

const zones = [
  "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Havana", "Pacific/Chatham",
  "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "America/Santiago", "Europe/London", "UTC",
];

/** Instants every 37 minutes for 8 hours around each of the zone's 2026 offset changes, and a spread over the year. */
function instants(zone: string): { k: number; t: string }[] {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
  const offset = (ms: number) => format.formatToParts(ms).find((p) => p.type === "timeZoneName")!.value;
  const out: number[] = [];
  const start = Date.UTC(2026, 0, 1);
  const hour = 3_600_000;
  // Offsets change on the hour or half hour: a look every six hours, then hour by hour where one changed.
  for (let t = start; t < Date.UTC(2027, 0, 1); t += 6 * hour) {
    if (offset(t) === offset(t + 6 * hour)) continue;
    for (let h = t; h < t + 6 * hour; h += hour) {
      if (offset(h) !== offset(h + hour)) for (let s = h - 4 * hour; s <= h + 4 * hour; s += 37 * 60_000) out.push(s);
    }
  }
  for (let i = 0; i < 40; i++) out.push(start + Math.floor(((i * 7919) % 365) * 24 * hour + ((i * 104_729) % (24 * hour))));
  return out.map((ms, k) => ({ k, t: new Date(ms).toISOString() }));
}

const widths = ["1 hour", "2 hours", "90 minutes", "15 minutes", "1 day", "3 days", "7 days", "1 month", "3 months"];

export const cases: ConformanceCase[] = zones.flatMap((zone) => {
  const rows = instants(zone);
  return widths.map((width) => ({
    name: `time_bucket(INTERVAL ${width}, t, '${zone}') around the zone's 2026 offset changes`,
    sql: `SELECT k, time_bucket(INTERVAL ${width}, t, '${zone}') AS b FROM t`,
    rows,
    schema: [{ name: "k", type: "INTEGER" }, { name: "t", type: "TIMESTAMP WITH TIME ZONE" }],
  }));
});

const one = [{ k: 0, t: "2026-07-01T10:30:00Z", w: "1 day 1 hour" }];
const typed = [{ name: "k", type: "INTEGER" }, { name: "t", type: "TIMESTAMP WITH TIME ZONE" }, { name: "w", type: "INTERVAL" }];

cases.push(
  { name: "time_bucket of a TIMESTAMPTZ by a width of days and time is DuckDB's error (a TIMESTAMP takes it)", sql: "SELECT k, time_bucket(w, t) AS b FROM t", rows: one, schema: typed, expect: "error" },
  { name: "time_bucket in a zone by a width of days and time is DuckDB's error", sql: "SELECT k, time_bucket(w, t, 'Europe/Berlin') AS b FROM t", rows: one, schema: typed, expect: "error" },
  { name: "time_bucket in a zone by a width of months and days is DuckDB's error", sql: "SELECT k, time_bucket(INTERVAL '1 month 1 day', t, 'Europe/Berlin') AS b FROM t", rows: one, schema: typed, expect: "error" },
  { name: "time_bucket in a zone by a zero width is DuckDB's error", sql: "SELECT k, time_bucket(w - w, t, 'Europe/Berlin') AS b FROM t", rows: one, schema: typed, expect: "error" },
  { name: "time_bucket of a TIMESTAMPTZ by a zero width is DuckDB's error", sql: "SELECT k, time_bucket(w - w, t) AS b FROM t", rows: one, schema: typed, expect: "error" },
  { name: "time_bucket in a zone by a negative width is DuckDB's error", sql: "SELECT k, time_bucket(INTERVAL '-2 hours', t, 'Europe/Berlin') AS b, time_bucket(INTERVAL '-1 day', t, 'UTC') AS c FROM t", rows: one, schema: typed, expect: "error" },
  { name: "time_bucket of a TIMESTAMP by a width of days and time counts it in microseconds", sql: "SELECT k, time_bucket(w, CAST(t AS TIMESTAMP)) AS b FROM t", rows: one, schema: typed },
);

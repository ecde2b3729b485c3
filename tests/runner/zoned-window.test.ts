/**
 * A daily rollup in the user's own time zone, `GROUP BY time_bucket(INTERVAL 1 day, ts, 'Europe/Berlin')`,
 * is a tumbling window whose days run from local midnight to local midnight (23 hours on the day the
 * clocks go forward): published and run from a file that flushes every few rows, each day is written
 * once, with DuckDB's own count, not once per flush with partial counts.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import type { AggregateOp, Plan } from "../../edge/plan/types.ts";
import { runnel } from "./harness.ts";

const NOTEBOOK = `---
title: Orders per Berlin day
sources:
  orders:
    webhook: { path: /orders, signature: none }
    format: json
sinks:
  daily:
    fs: { dir: out/daily }
    lateness: 1 hour
    flush: { rows: 7, seconds: 3600 }
---

\`\`\`sql id=daily sink=daily
SELECT
  time_bucket(INTERVAL 1 day, CAST(ts AS TIMESTAMPTZ), 'Europe/Berlin') AS berlin_day,
  count(*) AS orders,
  sum(amount) AS amount
FROM orders
GROUP BY ALL
\`\`\`
`;

/** Publishes `notebook` over `lines` and runs it from that file: the plan, the rows written and DuckDB's, the dead letters. */
async function publishAndRun(notebook: string, lines: string[]) {
  const work = await mkdtemp(join(tmpdir(), "runnel-zoned-"));
  await writeFile(join(work, "nb.md"), notebook);
  await writeFile(join(work, "orders.ndjson"), `${lines.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "nb.md"), "--sample", `orders=${join(work, "orders.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const bundle = join(work, "dist", "nb");
  const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
  const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `orders=${join(work, "orders.ndjson")}`, "--sink", `daily=fs:${join(work, "out")}`], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "orders", lines, { schema: plan.sources.orders!.schema });
    const sql = notebook.slice(notebook.indexOf("SELECT"), notebook.lastIndexOf("```"));
    const expected = (await db.read(`SELECT berlin_day::VARCHAR AS d, orders::VARCHAR AS n, amount::VARCHAR AS a FROM (${sql}) ORDER BY 1`)).getRowObjectsJson();
    const got = (await db.read(`SELECT berlin_day::VARCHAR AS d, orders::VARCHAR AS n, amount::VARCHAR AS a FROM read_parquet('${join(work, "out", "daily")}/**/*.parquet') ORDER BY 1`)).getRowObjectsJson();
    const errors = await readdir(join(work, "out", "_errors"), { recursive: true }).catch(() => [] as string[]);
    return { plan, got, expected, errors: errors.filter((f) => f.endsWith(".ndjson")) };
  } finally {
    db.close();
  }
}

/** Orders every `minutes` minutes from `from` until `to` (UTC), in order. */
function orders(from: string, to: string, minutes: number): string[] {
  const lines: string[] = [];
  for (let t = Date.parse(from), i = 0; t < Date.parse(to); t += minutes * 60_000, i++) lines.push(JSON.stringify({ ts: new Date(t).toISOString(), amount: i % 7 }));
  return lines;
}

test("a day in Europe/Berlin is one window: each local day written once with DuckDB's count, across the spring DST change", async () => {
  // Every 50 minutes from 2026-03-27 to 2026-03-31 UTC, in order: the 29th in Berlin has 23 hours.
  const { plan, got, expected } = await publishAndRun(NOTEBOOK, orders("2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z", 50));
  const agg = plan.pipelines[0]!.ops.find((o) => o.op === "aggregate") as AggregateOp;
  expect({ emit: agg.emit, zone: agg.window?.zone }).toEqual({ emit: "window", zone: "Europe/Berlin" });
  expect(got).toEqual(expected);
  expect(got.map((r) => r.d)).toEqual(["2026-03-26 23:00:00+00", "2026-03-27 23:00:00+00", "2026-03-28 23:00:00+00", "2026-03-29 22:00:00+00", "2026-03-30 22:00:00+00"]);
  // The 23-hour day: 2026-03-28 23:00 to 2026-03-29 22:00 UTC holds 28 of the events 50 minutes apart (not 29).
  expect(got[2]).toMatchObject({ n: String(expected[2]!.n) });
}, 120_000);

test("three-hour windows in Europe/Berlin count real time from DuckDB's origin: across both changes, in order and with no lateness, no event is late", async () => {
  // DuckDB's time_bucket(INTERVAL 3 hours, ts, 'Europe/Berlin') counts from 2000-01-03 00:00 CET as an instant; the
  // window from 00:00 CET on the spring night ran to 03:00 CEST by the wall clock, an hour early, and lost that hour.
  const notebook = NOTEBOOK.replace("lateness: 1 hour", "lateness: 0 seconds").replace("INTERVAL 1 day", "INTERVAL 3 hours");
  const lines = [...orders("2026-03-28T20:00:00Z", "2026-03-29T06:00:00Z", 10), ...orders("2026-10-24T20:00:00Z", "2026-10-25T06:00:00Z", 10)];
  const { got, expected, errors } = await publishAndRun(notebook, lines);
  expect(errors).toEqual([]);
  expect(got).toEqual(expected);
  expect(got.slice(0, 3).map((r) => r.d)).toEqual(["2026-03-28 20:00:00+00", "2026-03-28 23:00:00+00", "2026-03-29 02:00:00+00"]);
  expect(got.reduce((n, r) => n + Number(r.n), 0)).toBe(lines.length);
}, 120_000);

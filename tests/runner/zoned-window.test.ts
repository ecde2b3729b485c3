/**
 * A daily rollup in the user's own time zone, `GROUP BY time_bucket(INTERVAL 1 day, ts, 'Europe/Berlin')`,
 * is a tumbling window whose days run from local midnight to local midnight (23 hours on the day the
 * clocks go forward): published and run from a file that flushes every few rows, each day is written
 * once, with DuckDB's own count, not once per flush with partial counts.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
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

test("a day in Europe/Berlin is one window: each local day written once with DuckDB's count, across the spring DST change", async () => {
  const work = await mkdtemp(join(tmpdir(), "runnel-zoned-"));
  await writeFile(join(work, "nb.md"), NOTEBOOK);
  // Every 50 minutes from 2026-03-27 to 2026-03-31 UTC, in order: the 29th in Berlin has 23 hours.
  const lines: string[] = [];
  for (let t = Date.parse("2026-03-27T00:00:00Z"), i = 0; t < Date.parse("2026-03-31T00:00:00Z"); t += 50 * 60_000, i++) {
    lines.push(JSON.stringify({ ts: new Date(t).toISOString(), amount: i % 7 }));
  }
  await writeFile(join(work, "orders.ndjson"), `${lines.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "nb.md"), "--sample", `orders=${join(work, "orders.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const bundle = join(work, "dist", "nb");
  const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
  const agg = plan.pipelines[0]!.ops.find((o) => o.op === "aggregate") as AggregateOp;
  expect({ emit: agg.emit, zone: agg.window?.zone }).toEqual({ emit: "window", zone: "Europe/Berlin" });

  const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `orders=${join(work, "orders.ndjson")}`, "--sink", `daily=fs:${join(work, "out")}`], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "orders", lines, { schema: plan.sources.orders!.schema });
    const sql = NOTEBOOK.slice(NOTEBOOK.indexOf("SELECT"), NOTEBOOK.lastIndexOf("```"));
    const expected = (await db.read(`SELECT berlin_day::VARCHAR AS d, orders::VARCHAR AS n, amount::VARCHAR AS a FROM (${sql}) ORDER BY 1`)).getRowObjectsJson();
    const got = (await db.read(`SELECT berlin_day::VARCHAR AS d, orders::VARCHAR AS n, amount::VARCHAR AS a FROM read_parquet('${join(work, "out", "daily")}/**/*.parquet') ORDER BY 1`)).getRowObjectsJson();
    expect(got).toEqual(expected);
    expect(got.map((r) => r.d)).toEqual(["2026-03-26 23:00:00+00", "2026-03-27 23:00:00+00", "2026-03-28 23:00:00+00", "2026-03-29 22:00:00+00", "2026-03-30 22:00:00+00"]);
    // The 23-hour day: 2026-03-28 23:00 to 2026-03-29 22:00 UTC holds 28 of the events 50 minutes apart (not 29).
    expect(got[2]).toMatchObject({ n: String(expected[2]!.n) });
  } finally {
    db.close();
  }
}, 120_000);

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { BERLIN_LATE_REASON, CELLS, LATE, SINKS, dstNotebook, onTimeOrders, ordersWithLate } from "../runner/dst-events.ts";
import { compileWith, download, startEdge, type EdgeRuntime } from "./harness.ts";

/**
 * The Worker's window objects over local wall time (`date_trunc('hour', ts AT TIME ZONE
 * 'Europe/Berlin')` and the like) across the 2026 clock changes of Berlin and New York, restarted
 * half-way from their SQLite state: every window written once with DuckDB's count, an event 3 s
 * before a change that arrives 1 s after it counted, and only the events late in real time dead letters.
 * The restart also rebuilds the Berlin days, a DATE bucket, whose emitted rows stayed stored before
 * 2026-12-06 and failed it (`rows of windows already emitted were still stored`).
 */
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("the Worker writes each local hour, quarter and day once with DuckDB's count across the clock changes, restarted half-way", async () => {
  const { notebook, issues } = parseNotebook(dstNotebook(() => "r2: { binding: LAKE, prefix: lake/ }"), "dst.md");
  expect(issues).toEqual([]);
  const sample = onTimeOrders().map((e) => JSON.stringify(e));
  const plan = await compileWith(notebook, { orders: sample });
  const start = (persist?: string, script?: string) => startEdge({ name: "dst", plan, notebook, persist, script });
  let edge: EdgeRuntime & { script: string } = await start();
  const persist = edge.persist;
  cleanup.push(() => rmSync(persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());

  // Ten events a request; workerd stopped and started again on its stored state half-way.
  const input = ordersWithLate();
  for (let i = 0; i < input.length; i += 10) {
    if (i === 80) {
      await edge.dispose();
      edge = await start(persist, edge.script);
    }
    const response = await edge.post("orders", JSON.stringify(input.slice(i, i + 10)));
    expect(response.status, await response.clone().text()).toBe(202);
  }
  // A live Worker keeps the newest window open: an order two days on closes every window before it.
  const closing = await edge.post("orders", JSON.stringify([{ ts: "2026-11-03T12:00:00.000Z", amount: 1 }]));
  expect(closing.status, await closing.clone().text()).toBe(202);
  const flushed = await edge.flush();
  expect(flushed.status, await flushed.clone().text()).toBe(200);
  const m = await edge.metrics();
  expect(m.lateEvents).toBe(4);

  const dir = mkdtempSync(join(tmpdir(), "runnel-dst-lake-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const r2 = await edge.r2();
  const keys = await download(r2, "lake/", dir);
  const letters: { reason: string; raw: string }[] = [];
  for (const key of keys.filter((k) => k.startsWith("lake/_errors/"))) {
    for (const line of new TextDecoder().decode((await r2.get(key))!).split("\n")) if (line) letters.push(JSON.parse(line) as { reason: string; raw: string });
  }
  expect(letters.map((l) => l.reason.replace(/^sink (\w+):.*/, "$1")).sort()).toEqual(["berlin_hours", "berlin_hours", "ny_quarters", "ny_quarters"]);
  expect(letters.find((l) => l.reason.startsWith("sink berlin_hours") && l.raw.includes("2026-03-29T00:50:00"))?.reason).toBe(`sink berlin_hours: ${BERLIN_LATE_REASON}`);

  const db = await openDuckDB({ threads: 1 });
  try {
    const lateTimes = new Set(LATE.map((l) => l.ts));
    for (const sink of SINKS) {
      // The hourly and quarter-hour windows of the late events were written before they came; the Berlin day was open.
      const events = sink === "berlin_days" ? input : input.filter((e) => !lateTimes.has(e.ts));
      await loadJsonTexts(db, "orders", events.map((e) => JSON.stringify(e)), { schema: plan.sources.orders!.schema });
      const expected = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM (${CELLS[sink]}) ORDER BY 1`)).getRowObjectsJson();
      const got = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet('${join(dir, "lake", sink)}/**/*.parquet') ORDER BY 1`)).getRowObjectsJson();
      expect({ sink, rows: got }).toEqual({ sink, rows: expected });
      await db.run("DROP TABLE orders");
    }
  } finally {
    db.close();
  }
}, 240_000);

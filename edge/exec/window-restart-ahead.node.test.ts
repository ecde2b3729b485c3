import { afterAll, beforeAll, expect, test } from "vitest";
import type { Notebook } from "../../notebook/format/model.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";

/**
 * A checkpoint taken before max_ahead existed (or with max_ahead off)
 * whose watermark a 9999-12-30 reading moved keeps every later event late after the upgrade, unless the
 * clock heals it. Windows that ended by the clock stay emitted (no window is written twice).
 */
let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  await loadEvents(db, "t", [{ ts: "2026-01-01 00:00:00", k: "a", v: 1 }]);
});
afterAll(() => db.close());

const SQL = "SELECT time_bucket(INTERVAL 1 hour, TRY_CAST(ts AS TIMESTAMP)) AS h, count(*) AS n FROM t GROUP BY ALL";
const NOW = Date.UTC(2026, 11, 6, 20, 0, 0);

async function plan() {
  const notebook: Notebook = {
    file: "restart.md",
    title: "restart",
    sources: { t: { kind: "demo", name: "t", format: "json", sampleSize: 1000, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 1000, bytes: 1 << 20, seconds: 60 }, lateness: 0 } },
    cells: [{ index: 0, language: "sql", id: "out", sink: "out", code: SQL, start: { line: 1, column: 1, offset: 0 }, info: "sql id=out" }],
    blocks: [],
  } as unknown as Notebook;
  return compilePlan(await gatherCompileInputs(db, notebook));
}

test("a far-future watermark restored from an older checkpoint no longer makes every later event late", async () => {
  const p = await plan();
  // The older runner passed no clock: the broken reading moved the watermark to 9999-12-30.
  const old = buildPipeline(p, { library: defaultLibrary });
  const first = old.run({ source: "t", events: [{ ts: "2026-12-06 10:00:00", k: "a", v: 1 }] });
  const poisoned = old.run({ source: "t", events: [{ ts: "9999-12-30 00:00:00", k: "a", v: 1 }] });
  expect([...first.rows.out!, ...poisoned.rows.out!]).toHaveLength(1); // the 10:00 window, emitted
  const restarted = buildPipeline(p, { library: defaultLibrary });
  restarted.restore(old.snapshot());
  const reasons: string[] = [];
  const out: unknown[] = [];
  for (const ts of ["2026-12-06 20:00:00", "2026-12-06 20:30:00", "2026-12-06 21:05:00", "2026-12-06 10:30:00"]) {
    const r = restarted.run({ source: "t", events: [{ ts, k: "a", v: 1 }], now: NOW });
    reasons.push(...r.deadLetters.map((d) => d.reason));
    out.push(...r.rows.out!);
  }
  // Only the reading for the 10:00 window, already written before the restart, is late.
  expect(reasons).toHaveLength(1);
  expect(reasons[0]).toMatch(/^late event: its window \[2026-12-06 10:00:00, 2026-12-06 11:00:00\) is closed/);
  const rows = [...out, ...restarted.finish().rows.out!].map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? String(v) : v)));
  // 20:00 (two readings), 21:00, and the far-future reading's own window, as DuckDB counts it.
  expect(rows).toHaveLength(3);
  expect(rows.join("\n")).toContain('"n":"2"');
});

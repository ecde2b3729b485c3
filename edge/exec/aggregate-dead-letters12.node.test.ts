/**
 * A published pipeline (dead-letter mode) over an event whose aggregate input fails (a CAST of text
 * that is no number) makes the event a dead letter and goes on. The event must then leave no trace:
 * until 2026-12-07 the aggregates before the failing one had already counted it (count(*) said 3 of
 * 2 written events), a group of only failing events was written, the event moved the watermark (a
 * later good event was a late dead letter), and an event whose unnested rows failed stopped the run.
 * What the pipeline writes must be DuckDB's answer over the events that were not dead letters.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { duckdbAnswer } from "../check/check.node.ts";
import { firstDifference, showRow } from "../check/compare.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";
import { caseNotebook } from "../../tests/conformance/runner.ts";
import type { Row, Schema } from "../plan/values.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

/** Runs the events one by one in dead-letter mode; returns what it wrote, its dead letters, and DuckDB's answer over the other events. */
async function run(events: Record<string, unknown>[], schema: Schema, sql: string, cells: Record<string, string> = {}) {
  for (const id of ["result", ...Object.keys(cells)]) await db.run(`DROP VIEW IF EXISTS "${id}"`);
  await loadEvents(db, "t", events, { schema });
  const plan = compilePlan(await gatherCompileInputs(db, caseNotebook({ name: "dead12", sql, rows: [], cells })));
  const ex = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
  const rows: Row[] = [];
  const dead: unknown[] = [];
  for (const e of events) {
    const out = ex.run({ source: "t", events: [e] });
    rows.push(...(out.rows.out ?? []));
    dead.push(...out.deadLetters.map((d) => d.raw));
  }
  rows.push(...(ex.finish().rows.out ?? []));
  for (const id of ["result", ...Object.keys(cells)]) await db.run(`DROP VIEW IF EXISTS "${id}"`);
  await loadEvents(db, "t", events.filter((e) => !dead.includes(e)), { schema });
  for (const [id, code] of Object.entries(cells)) await db.run(`CREATE VIEW "${id}" AS ${code}`);
  const { answer, schema: out } = await duckdbAnswer(db, sql);
  if (!answer.ok) throw new Error(answer.error);
  const d = firstDifference(out!, answer.rows, rows);
  return { rows, dead, differs: d ? `${d.side} has ${showRow(d.row)}; DuckDB: ${answer.rows.map((r) => showRow(r)).join(" ")}; pipeline: ${rows.map((r) => showRow(r)).join(" ")}` : null };
}

const ks: Schema = [{ name: "k", type: "VARCHAR" }, { name: "s", type: "VARCHAR" }];
const bad = [{ k: "a", s: "1" }, { k: "a", s: "x" }, { k: "b", s: "y" }, { k: "a", s: "2" }];

test("an event whose aggregate argument fails is a dead letter no aggregate counts, and makes no group", async () => {
  const r = await run(bad, ks, "SELECT k, count(*) AS n, sum(CAST(s AS INTEGER)) AS total, max(s) AS hi FROM t GROUP BY k");
  expect(r.dead).toEqual([bad[1], bad[2]]);
  expect(r.differs).toBeNull();
  expect(r.rows).toEqual([{ k: "a", n: 2n, total: 3n, hi: "2" }]);
});

test("with a DISTINCT aggregate before it (the general step) the failing event is counted nowhere either", async () => {
  const r = await run(bad, ks, "SELECT k, count(DISTINCT s) AS ds, sum(CAST(s AS INTEGER) + 1) AS total, count(*) FILTER (WHERE k <> '') AS n FROM t GROUP BY k");
  expect(r.dead).toEqual([bad[1], bad[2]]);
  expect(r.differs).toBeNull();
  expect(r.rows).toEqual([{ k: "a", ds: 2n, total: 5n, n: 2n }]);
});

test("an event whose unnested rows fail part way is a dead letter, not the end of the run, and none of its rows count", async () => {
  const events = [{ k: "a", l: ["1", "2"] }, { k: "b", l: ["3", "x"] }, { k: "a", l: ["4"] }];
  const r = await run(events, [{ name: "k", type: "VARCHAR" }, { name: "l", type: "VARCHAR[]" }], "SELECT k, count(*) AS n, sum(CAST(u AS INTEGER)) AS total FROM clean GROUP BY k", { clean: "SELECT k, unnest(l) AS u FROM t" });
  expect(r.dead).toEqual([events[1]]);
  expect(r.differs).toBeNull();
  expect(r.rows).toEqual([{ k: "a", n: 3n, total: 7n }]);
});

test("a failing event does not move a window's watermark: a later event of an open window is not late", async () => {
  const events = [{ ts: "2024-01-01 00:00:00", s: "1" }, { ts: "2024-01-01 00:20:00", s: "x" }, { ts: "2024-01-01 00:01:00", s: "2" }];
  const r = await run(events, [{ name: "ts", type: "TIMESTAMP" }, { name: "s", type: "VARCHAR" }], "SELECT time_bucket(INTERVAL '5 minutes', ts) AS w, count(*) AS n, sum(CAST(s AS INTEGER)) AS total FROM t GROUP BY ALL");
  expect(r.dead).toEqual([events[1]]);
  expect(r.differs).toBeNull();
  expect(r.rows).toEqual([{ w: 1704067200000000n, n: 2n, total: 3n }]);
});

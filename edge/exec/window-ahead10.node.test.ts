import { afterAll, beforeAll, expect, test } from "vitest";
import type { Notebook } from "../../notebook/format/model.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import type { Plan } from "../plan/types.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";

/**
 * An event time far ahead of the pipeline's clock (a device whose clock reads 9999-12-31) is a
 * dead letter and moves no watermark, so the sink's later events are not late; `max_ahead: off`
 * keeps the old behaviour. Until 2026-12-06 one such event made every later event of the sink late.
 */
let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  await loadEvents(db, "t", [{ ts: "2026-01-01 00:00:00", k: "a", v: 1 }]);
});
afterAll(() => db.close());

const NOW = Date.UTC(2026, 11, 6, 20, 0, 0);

async function planOf(sql: string, maxAhead?: number | null): Promise<Plan> {
  const notebook: Notebook = {
    file: "ahead.md",
    title: "ahead",
    sources: { t: { kind: "demo", name: "t", format: "json", sampleSize: 1000, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 1000, bytes: 1 << 20, seconds: 60 }, lateness: 0, ...(maxAhead !== undefined ? { maxAhead } : {}) } },
    cells: [{ index: 0, language: "sql", id: "out", sink: "out", code: sql, start: { line: 1, column: 1, offset: 0 }, info: "sql id=out" }],
    blocks: [],
  };
  return compilePlan(await gatherCompileInputs(db, notebook));
}

const HOURLY = "SELECT time_bucket(INTERVAL 1 hour, TRY_CAST(ts AS TIMESTAMP)) AS h, count(*) AS n, sum(v) AS s FROM t GROUP BY ALL";
const BERLIN = "SELECT date_trunc('hour', TRY_CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin') AS h, count(*) AS n, sum(v) AS s FROM t GROUP BY ALL";

const events = (times: string[]) => times.map((ts, v) => ({ ts, k: "a", v }));
const TIMES = ["2026-12-06 10:00:00", "9999-12-31 00:00:00", "2026-12-06 10:30:00", "2026-12-06 11:15:00", "2026-12-06 12:05:00"];

function run(plan: Plan, evs: unknown[], now: number | undefined) {
  const ex = buildPipeline(plan, { library: defaultLibrary });
  const rows: unknown[] = [];
  const reasons: string[] = [];
  for (const e of evs) {
    const out = ex.run({ source: "t", events: [e], now });
    rows.push(...out.rows.out!);
    reasons.push(...out.deadLetters.map((d) => d.reason));
  }
  rows.push(...ex.finish().rows.out!);
  return { rows: rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === "bigint" ? String(v) : v))), reasons };
}

test("a far-future event is a dead letter with its reason, and the later events still window", async () => {
  const plan = await planOf(HOURLY);
  const { rows, reasons } = run(plan, events(TIMES), NOW);
  expect(reasons).toEqual([
    "event time 9999-12-31 00:00:00 is more than 1 day ahead of the pipeline's clock (2026-12-06 20:00:00 UTC; max_ahead 1 day); taken into the window it would make every later event late: fix the producer's clock, filter such times out in the cell, or raise the sink's max_ahead",
  ]);
  // 10:00 (events 0 and 2), 11:00, 12:00: the far-future event is in no row.
  expect(rows).toHaveLength(3);
  expect(rows.join("\n")).not.toContain("9999");
  expect(rows[0]).toContain('"n":"2"');
});

test("max_ahead off keeps the old behaviour: the far-future event windows and every later event is late", async () => {
  const plan = await planOf(HOURLY, null);
  expect((plan.pipelines[0]!.ops.find((o) => o.op === "aggregate") as { window: { maxAheadMicros?: unknown } }).window.maxAheadMicros).toBeNull();
  const { rows, reasons } = run(plan, events(TIMES), NOW);
  expect(reasons).toHaveLength(3);
  for (const r of reasons) expect(r).toMatch(/^late event: /);
  expect(rows).toHaveLength(2);
});

test("without a clock no event is refused as ahead (the check's sample step); within max_ahead an event windows", async () => {
  const plan = await planOf(HOURLY);
  expect(run(plan, events(TIMES), undefined).reasons).toHaveLength(3);
  // Two hours ahead of the clock, within the default day.
  const { rows, reasons } = run(plan, events(["2026-12-06 21:00:00", "2026-12-06 22:10:00"]), NOW);
  expect(reasons).toEqual([]);
  expect(rows).toHaveLength(2);
});

test("a custom max_ahead and an infinite time: 6 hours refuses 7 hours ahead; infinity is still its own group", async () => {
  const plan = await planOf(HOURLY, 6 * 3600);
  const { rows, reasons } = run(plan, events(["2026-12-06 19:00:00", "2026-12-07 03:00:00", "infinity", "2026-12-07 01:30:00"]), NOW);
  expect(reasons).toHaveLength(1);
  expect(reasons[0]).toContain("event time 2026-12-07 03:00:00 is more than 6 hours ahead of the pipeline's clock (2026-12-06 20:00:00 UTC; max_ahead 6 hours)");
  expect(rows).toHaveLength(3);
  expect(rows.join("\n")).toContain(`"h":"${2n ** 63n - 1n}"`);
});

test("a window over Berlin's wall time compares the instant: 20:30 UTC reads 21:30 in Berlin and is not ahead", async () => {
  const plan = await planOf(BERLIN, 3600);
  const { rows, reasons } = run(plan, events(["2026-12-06 19:10:00+00", "2026-12-06 20:30:00+00", "2026-12-06 21:30:00+00"]), NOW);
  expect(reasons).toEqual(["event time 2026-12-06 21:30:00+00 is more than 1 hour ahead of the pipeline's clock (2026-12-06 20:00:00 UTC; max_ahead 1 hour); taken into the window it would make every later event late: fix the producer's clock, filter such times out in the cell, or raise the sink's max_ahead"]);
  expect(rows).toHaveLength(2);
});

test("a batch in the check's throw mode refuses the ahead row too, not silently", async () => {
  const plan = await planOf(HOURLY);
  const ex = buildPipeline(plan, { library: defaultLibrary, mode: "throw" });
  const out = ex.run({ source: "t", events: events(TIMES), now: NOW });
  expect(out.deadLetters.map((d) => d.reason.slice(0, 40))).toEqual(["event time 9999-12-31 00:00:00 is more t"]);
});

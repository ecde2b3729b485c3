import { afterAll, beforeAll, expect, test } from "vitest";
import type { Notebook } from "../../notebook/format/model.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import type { Plan } from "../plan/types.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";
import { decodeState, encodeState } from "./snapshot.ts";

/**
 * An event time of 'infinity' in a windowed sink is a group DuckDB shows, not a clock reading: it
 * must not move the watermark (until 2026-12-06 it moved it to the end of time and every later event
 * of the sink was a late dead letter, in the Kafka runner's snapshot too).
 */
const SQL = "SELECT time_bucket(INTERVAL 1 hour, TRY_CAST(ts AS TIMESTAMP)) AS h, count(*) AS n, list(i) AS ids FROM t GROUP BY ALL";
const INF = 2n ** 63n - 1n;
const HOUR = 3_600_000_000n;
/** 2026-12-06 10:00:00 in microseconds. */
const H10 = 1_796_551_200_000_000n;
let db: DuckDB;
let plan: Plan;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  await loadEvents(db, "t", [{ i: 0, ts: "2026-12-06 10:00:00" }]);
  const notebook: Notebook = {
    file: "inf.md",
    title: "inf",
    sources: { t: { kind: "demo", name: "t", format: "json", sampleSize: 1000, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 1000, bytes: 1 << 20, seconds: 60 }, lateness: 3600 } },
    cells: [{ index: 0, language: "sql", id: "out", sink: "out", code: SQL, start: { line: 1, column: 1, offset: 0 }, info: "sql id=out" }],
    blocks: [],
  };
  plan = compilePlan(await gatherCompileInputs(db, notebook));
});
afterAll(() => db.close());

const show = (rows: unknown[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).sort();
const events = ["2026-12-06 10:00:00", "infinity", "2026-12-06 10:30:00", "-infinity", "2026-12-06 11:30:00", "infinity", "2026-12-06 12:10:00"].map((ts, i) => ({ i, ts }));

test("events at ±infinity are their own groups, written with the flush, and no later event is late", () => {
  const p = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
  const rows: unknown[] = [];
  const late: string[] = [];
  for (const e of events) {
    const out = p.run({ source: "t", events: [e] });
    rows.push(...(out.rows.out ?? []));
    late.push(...out.deadLetters.map((d) => d.reason));
  }
  rows.push(...(p.flushAggregates("out").rows.out ?? []));
  expect(late).toEqual([]);
  expect(show(rows)).toEqual(show([
    { h: H10, n: 2n, ids: [0n, 2n] },
    { h: INF, n: 2n, ids: [1n, 5n] },
    { h: -INF, n: 1n, ids: [3n] },
  ]));
  // The 11:00 and 12:00 windows are still open (the watermark is 11:10).
  expect(show(p.finish().rows.out ?? [])).toEqual(show([{ h: H10 + HOUR, n: 1n, ids: [4n] }, { h: H10 + 2n * HOUR, n: 1n, ids: [6n] }]));
});

test("a runner snapshot whose watermark +infinity moved (before the fix) restores to one that counts later events", () => {
  const before = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
  before.run({ source: "t", events: [events[1]!] });
  // As the runner stored it then: the infinite bucket a window of its own, the watermark at the end of time.
  const data = decodeState(JSON.parse(before.snapshot())) as { out: { windows: [unknown, unknown, unknown, unknown][]; maxEventTime: bigint | null; emittedUpTo: bigint | null } };
  const w = data.out.windows.find((x) => x[0] === null)!;
  data.out.windows = [[INF, INF, INF + HOUR, w[3]]];
  data.out.maxEventTime = INF;
  data.out.emittedUpTo = INF - HOUR;
  const p = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
  p.restore(JSON.stringify(encodeState(data)));
  const late: string[] = [];
  const rows: unknown[] = [];
  for (const e of [events[2]!, events[5]!, events[6]!]) {
    const out = p.run({ source: "t", events: [e] });
    rows.push(...(out.rows.out ?? []));
    late.push(...out.deadLetters.map((d) => d.reason));
  }
  expect(late).toEqual([]);
  // 12:10 closed 10:00's window (the watermark is 11:10).
  expect(show(rows)).toEqual(show([{ h: H10, n: 1n, ids: [2n] }]));
  expect(show(p.flushAggregates("out").rows.out ?? [])).toEqual(show([{ h: INF, n: 2n, ids: [1n, 5n] }]));
  expect(show(p.finish().rows.out ?? [])).toEqual(show([{ h: H10 + 2n * HOUR, n: 1n, ids: [6n] }]));
});

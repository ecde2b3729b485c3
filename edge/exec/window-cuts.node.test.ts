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
 * What a windowed pipeline writes, and which events are late, follows from the event sequence alone:
 * one event per batch (the check's stream order, a Worker request of one), the batches a Kafka fetch
 * or a file read happens to make, all alike. Until 2026-12-06 the end of each batch moved the late
 * mark to the watermark while an event inside a batch moved it only when a window closed, so an event
 * for a window no event had opened, older than the watermark, counted or was late by where a batch ended.
 */
let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  await loadEvents(db, "t", [{ ts: "2026-01-01 00:00:00", k: "a", v: 1.5 }]);
});
afterAll(() => db.close());

async function planOf(sql: string, lateness: number): Promise<Plan> {
  const notebook: Notebook = {
    file: "cuts.md",
    title: "cuts",
    sources: { t: { kind: "demo", name: "t", format: "json", sampleSize: 1000, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 1000, bytes: 1 << 20, seconds: 60 }, lateness } },
    cells: [{ index: 0, language: "sql", id: "out", sink: "out", code: sql, start: { line: 1, column: 1, offset: 0 }, info: "sql id=out" }],
    blocks: [],
  };
  return compilePlan(await gatherCompileInputs(db, notebook));
}

/** Seeded events across Berlin's spring change, minutes apart and up to three hours out of order, some without a time. */
function events(seed: number): unknown[] {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const base = Date.UTC(2026, 2, 28, 23, 0, 0);
  return Array.from({ length: 60 }, (_, i) => ({
    ts: r() < 0.05 ? null : new Date(base + i * 60_000 + Math.floor((r() - 0.7) * 4 * 3_600_000)).toISOString().replace("T", " ").replace("Z", ""),
    k: r() < 0.5 ? "a" : "b",
    v: Math.round(r() * 10),
  }));
}

const show = (rows: unknown[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).sort();

function runIn(plan: Plan, input: unknown[], cut: (i: number) => number): { rows: string[]; late: string[] } {
  const p = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
  const rows: unknown[] = [];
  const late: string[] = [];
  for (let i = 0, n = 0; i < input.length; i += n) {
    n = cut(i);
    const out = p.run({ source: "t", events: input.slice(i, i + n) });
    rows.push(...(out.rows.out ?? []));
    late.push(...out.deadLetters.map((d) => JSON.stringify(d.raw)));
  }
  rows.push(...(p.finish().rows.out ?? []));
  return { rows: show(rows), late: late.sort() };
}

test("windows and late events are the same whether events come one at a time, in random batches or all at once", async () => {
  const cells = [
    "SELECT time_bucket(INTERVAL 1 second, CAST(ts AS TIMESTAMP)) AS w, k, count(*) AS n, list(v) AS l FROM t GROUP BY ALL",
    "SELECT CAST(ts AS TIMESTAMP)::DATE AS d, count(*) AS n, first(k) AS f FROM t GROUP BY ALL",
    "SELECT date_trunc('hour', CAST(ts AS TIMESTAMP)) AS h, k, max(v) AS m FROM t GROUP BY ALL HAVING count(*) > 1",
    "SELECT time_bucket(INTERVAL 90 minutes, CAST(ts AS TIMESTAMPTZ), 'Europe/Berlin') AS h, count(*) AS n FROM t GROUP BY ALL",
    "SELECT date_trunc('hour', CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin') AS h, count(*) AS n FROM t GROUP BY ALL",
  ];
  let lateSeen = 0;
  for (const sql of cells) {
    for (const lateness of [0, 60]) {
      const plan = await planOf(sql, lateness);
      for (let seed = 1; seed <= 6; seed++) {
        const input = events(seed);
        const one = runIn(plan, input, () => 1);
        let c = seed;
        const batches = runIn(plan, input, () => 1 + ((c = (c * 7 + 3) % 13)));
        const whole = runIn(plan, input, () => input.length);
        expect({ sql, lateness, seed, ...batches }).toEqual({ sql, lateness, seed, ...one });
        expect({ sql, lateness, seed, ...whole }).toEqual({ sql, lateness, seed, ...one });
        lateSeen += one.late.length;
      }
    }
  }
  expect(lateSeen).toBeGreaterThan(50);
});

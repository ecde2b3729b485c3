import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import type { AggregateOp } from "../plan/types.ts";
import { gatherCompileInputs } from "./inputs.node.ts";
import { compilePlan } from "./compile.ts";

/**
 * A day written `CAST(ts AS DATE)` is a one-day window, as `date_trunc('day', ts)` is (before
 * 2026-12-06 it was a per-flush GROUP BY, a day's count written in parts), but a finer bucket among
 * the keys stays the window.
 */
let db: DuckDB;
beforeEach(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterEach(() => db.close());

async function windowOf(cells: Record<string, string>): Promise<AggregateOp["window"]> {
  const path = "notebooks/turnstile.md";
  const { notebook } = parseNotebook(await readFile(path, "utf8"), path);
  for (const [name, spec] of Object.entries(notebook.sources)) await loadEvents(db, name, demoEvents(spec.demo!, 0, 100));
  const template = notebook.cells[0]!;
  const entries = Object.entries(cells);
  const nb: Notebook = {
    ...notebook,
    cells: entries.map(([id, code], i) => ({ ...template, index: i, id, code, sink: i === entries.length - 1 ? "lake" : null, start: { ...template.start, line: 10 * (i + 1) } })),
    sinks: { lake: { ...notebook.sinks.lake!, partitionBy: [] } },
  };
  const agg = compilePlan(await gatherCompileInputs(db, nb)).pipelines[0]!.ops.find((o): o is AggregateOp => o.op === "aggregate")!;
  return agg.emit === "window" ? agg.window : null;
}

test("CAST(ts AS DATE) and ts::DATE of a TIMESTAMP are one-day windows", async () => {
  for (const key of ["CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE)", "TRY_CAST(ts AS TIMESTAMPTZ)::DATE", "CAST(TRY_CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin' AS DATE)"]) {
    const w = await windowOf({ days: `SELECT station, ${key} AS day, count(*) AS n FROM turnstile GROUP BY ALL` });
    expect(w, key).toMatchObject({ key: 1, width: { months: 0, days: 1, micros: "0" } });
  }
  expect((await windowOf({ days: "SELECT CAST(TRY_CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'Europe/Berlin' AS DATE) AS day, count(*) AS n FROM turnstile GROUP BY ALL" }))?.wall?.zone).toBe("Europe/Berlin");
});

test("a day computed upstream with ::DATE is the window of a GROUP BY over it", async () => {
  const w = await windowOf({ clean: "SELECT station, TRY_CAST(ts AS TIMESTAMP)::DATE AS day FROM turnstile", per_day: "SELECT station, day, count(*) AS n FROM clean GROUP BY ALL" });
  expect(w).toMatchObject({ key: 1, width: { months: 0, days: 1, micros: "0" }, eventTime: { kind: "column", index: 1 } });
});

test("a finer bucket among the keys stays the window, before or after the day", async () => {
  const minute = { months: 0, days: 0, micros: "60000000" };
  expect(await windowOf({ m: "SELECT TRY_CAST(ts AS TIMESTAMP)::DATE AS day, time_bucket(INTERVAL 1 minute, TRY_CAST(ts AS TIMESTAMP)) AS minute, count(*) AS n FROM turnstile GROUP BY ALL" })).toMatchObject({ key: 1, width: minute });
  expect(await windowOf({ clean: "SELECT TRY_CAST(ts AS TIMESTAMP)::DATE AS day, date_trunc('minute', TRY_CAST(ts AS TIMESTAMP)) AS minute FROM turnstile", m: "SELECT day, minute, count(*) AS n FROM clean GROUP BY ALL" })).toMatchObject({ key: 1, width: minute });
});

test("time_bucket and date_trunc of a DATE are windows; a cast of text to DATE is not", async () => {
  expect(await windowOf({ w: "SELECT time_bucket(INTERVAL 7 days, CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE)) AS week, count(*) AS n FROM turnstile GROUP BY ALL" })).toMatchObject({ key: 0, width: { months: 0, days: 7, micros: "0" } });
  expect(await windowOf({ m: "SELECT date_trunc('month', CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE)) AS month, count(*) AS n FROM turnstile GROUP BY ALL" })).toMatchObject({ key: 0, width: { months: 1, days: 0, micros: "0" } });
  expect(await windowOf({ t: "SELECT TRY_CAST(left(ts, 10) AS DATE) AS day, count(*) AS n FROM turnstile GROUP BY ALL" })).toBeNull();
});

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
 * Which day keys are windows: `date_trunc('day', ts)` is; a DATE made by a cast or a bucket of a
 * DATE is not (it may be a business date, whose events come in any order: a window would send the
 * out-of-order ones to the dead letters as late), and such a GROUP BY aggregates per flushed file.
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

test("a day written date_trunc('day', ts) is a one-day window; CAST(ts AS DATE) and ts::DATE are not (a DATE is as often a business date, in any order)", async () => {
  expect(await windowOf({ days: "SELECT station, date_trunc('day', TRY_CAST(ts AS TIMESTAMP)) AS day, count(*) AS n FROM turnstile GROUP BY ALL" })).toMatchObject({ key: 1, width: { months: 0, days: 1, micros: "0" } });
  for (const key of ["CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE)", "TRY_CAST(ts AS TIMESTAMPTZ)::DATE", "CAST(try_strptime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS DATE)"]) {
    expect(await windowOf({ days: `SELECT station, ${key} AS day, count(*) AS n FROM turnstile GROUP BY ALL` }), key).toBeNull();
  }
  expect(await windowOf({ clean: "SELECT station, TRY_CAST(ts AS TIMESTAMP)::DATE AS day FROM turnstile", per_day: "SELECT station, day, count(*) AS n FROM clean GROUP BY ALL" })).toBeNull();
});

test("a bucket among the keys is the window beside a day written ::DATE, before or after it", async () => {
  const minute = { months: 0, days: 0, micros: "60000000" };
  expect(await windowOf({ m: "SELECT TRY_CAST(ts AS TIMESTAMP)::DATE AS day, time_bucket(INTERVAL 1 minute, TRY_CAST(ts AS TIMESTAMP)) AS minute, count(*) AS n FROM turnstile GROUP BY ALL" })).toMatchObject({ key: 1, width: minute });
  expect(await windowOf({ clean: "SELECT TRY_CAST(ts AS TIMESTAMP)::DATE AS day, date_trunc('minute', TRY_CAST(ts AS TIMESTAMP)) AS minute FROM turnstile", m: "SELECT day, minute, count(*) AS n FROM clean GROUP BY ALL" })).toMatchObject({ key: 1, width: minute });
});

test("time_bucket and date_trunc of a DATE are no windows", async () => {
  expect(await windowOf({ w: "SELECT time_bucket(INTERVAL 7 days, CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE)) AS week, count(*) AS n FROM turnstile GROUP BY ALL" })).toBeNull();
  expect(await windowOf({ m: "SELECT date_trunc('month', CAST(TRY_CAST(ts AS TIMESTAMP) AS DATE)) AS month, count(*) AS n FROM turnstile GROUP BY ALL" })).toBeNull();
});

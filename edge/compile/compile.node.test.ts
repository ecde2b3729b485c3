import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { gatherCompileInputs } from "./inputs.node.ts";
import { compilePlan } from "./compile.ts";
import { CompileError } from "./errors.ts";
import type { Notebook } from "../../notebook/format/model.ts";

let db: DuckDB;
beforeEach(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterEach(() => db.close());

async function notebookFrom(path: string): Promise<Notebook> {
  const { notebook, issues } = parseNotebook(await readFile(path, "utf8"), path);
  expect(issues).toEqual([]);
  for (const [name, spec] of Object.entries(notebook.sources)) await loadEvents(db, name, demoEvents(spec.demo!, 0, 300));
  return notebook;
}

function withSinkCell(notebook: Notebook, code: string): Notebook {
  const cells: Notebook["cells"] = notebook.cells.map((c) => ({ ...c, sink: null }));
  const last = notebook.cells.at(-1)!;
  cells.push({ ...last, index: cells.length, language: "sql", id: "extra", sink: Object.keys(notebook.sinks)[0]!, code, start: { ...last.start, line: 100 } });
  const sinks = Object.fromEntries(Object.entries(notebook.sinks).map(([k, v]) => [k, { ...v, partitionBy: [] }]));
  return { ...notebook, cells, sinks };
}

describe("compilePlan", () => {
  test("turnstile's sink cell becomes a one-minute tumbling window with the sink's lateness", async () => {
    const plan = compilePlan(await gatherCompileInputs(db, await notebookFrom("notebooks/turnstile.md")));
    const [p] = plan.pipelines;
    expect(p!.ops.map((o) => o.op)).toEqual(["scan", "filter", "project", "aggregate", "project", "sink"]);
    const agg = p!.ops.find((o) => o.op === "aggregate");
    expect(agg?.op === "aggregate" && agg.emit).toBe("window");
    expect(agg?.op === "aggregate" && agg.window?.width).toEqual({ months: 0, days: 0, micros: "60000000" });
    expect(agg?.op === "aggregate" && agg.window?.latenessMicros).toBe("120000000");
    expect(p!.ops.at(-1)!.schema.map((c) => c.name)).toEqual(["station", "device", "minute", "day", "readings", "entries_first", "entries_last", "exits_first", "exits_last"]);
    expect(p!.ops[1]!.origin.cell).toBe("clean");
  });

  test("a plan survives a JSON round trip unchanged", async () => {
    const plan = compilePlan(await gatherCompileInputs(db, await notebookFrom("notebooks/turnstile.md")));
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  test("every operator carries the cell and line it came from and its schema", async () => {
    const plan = compilePlan(await gatherCompileInputs(db, await notebookFrom("notebooks/pii-staging.md")));
    for (const op of plan.pipelines.flatMap((p) => p.ops)) {
      expect(op.origin.file).toBe("notebooks/pii-staging.md");
      expect(op.origin.line).toBeGreaterThan(1);
      expect(op.schema.length).toBeGreaterThan(0);
    }
  });

  test("a GROUP BY without a time bucket says it aggregates per flushed file", async () => {
    const nb = withSinkCell(await notebookFrom("notebooks/turnstile.md"), "SELECT station, count(*) AS n FROM turnstile GROUP BY station");
    const plan = compilePlan(await gatherCompileInputs(db, nb));
    const agg = plan.pipelines[0]!.ops.find((o) => o.op === "aggregate");
    expect(agg?.op === "aggregate" && agg.emit).toBe("per-flush");
  });

  test("a GROUP BY over a time-bucket column computed in an earlier cell is a window too", async () => {
    const nb = await notebookFrom("notebooks/turnstile.md");
    const cells: Notebook["cells"] = [
      { ...nb.cells[0]!, id: "bucketed", sink: null, code: "SELECT station, time_bucket(INTERVAL 5 minutes, TRY_CAST(ts AS TIMESTAMP)) AS m FROM turnstile" },
      { ...nb.cells[1]!, id: "per_m", sink: "lake", code: "SELECT station, m, count(*) AS n FROM bucketed GROUP BY ALL" },
    ];
    const sinks = { lake: { ...nb.sinks.lake!, partitionBy: [] } };
    const plan = compilePlan(await gatherCompileInputs(db, { ...nb, cells, sinks }));
    const agg = plan.pipelines[0]!.ops.find((o) => o.op === "aggregate");
    expect(agg?.op === "aggregate" && agg.emit).toBe("window");
    expect(agg?.op === "aggregate" && agg.window).toMatchObject({ key: 1, width: { months: 0, days: 0, micros: "300000000" }, eventTime: { kind: "column", index: 1 } });
  });

  test("date_trunc to a day or longer (a DATE in DuckDB) and by an alias of a part is a window, as time_bucket is", async () => {
    for (const [part, width] of [["day", { months: 0, days: 1, micros: "0" }], ["month", { months: 1, days: 0, micros: "0" }], ["hr", { months: 0, days: 0, micros: "3600000000" }], ["mins", { months: 0, days: 0, micros: "60000000" }], ["decade", { months: 120, days: 0, micros: "0" }]] as const) {
      const nb = withSinkCell(await notebookFrom("notebooks/turnstile.md"), `SELECT station, date_trunc('${part}', TRY_CAST(ts AS TIMESTAMP)) AS d, count(*) AS n FROM turnstile GROUP BY ALL`);
      const plan = compilePlan(await gatherCompileInputs(db, nb));
      const agg = plan.pipelines[0]!.ops.find((o) => o.op === "aggregate");
      expect(agg?.op === "aggregate" && agg.emit, part).toBe("window");
      expect(agg?.op === "aggregate" && agg.window, part).toMatchObject({ key: 1, width });
    }
  });

  test("time_bucket with a constant offset, origin or time zone is a window", async () => {
    const cases = [
      ["INTERVAL 15 minutes", "window"],
      ["TIMESTAMP '2026-01-01 00:07:00'", "window"],
      ["'Europe/Berlin'", "window"],
    ] as const;
    for (const [third, emit] of cases) {
      const cast = third.startsWith("'") ? "TRY_CAST(ts AS TIMESTAMPTZ)" : "TRY_CAST(ts AS TIMESTAMP)";
      const nb = withSinkCell(await notebookFrom("notebooks/turnstile.md"), `SELECT station, time_bucket(INTERVAL 1 hour, ${cast}, ${third}) AS h, count(*) AS n FROM turnstile GROUP BY ALL`);
      const plan = compilePlan(await gatherCompileInputs(db, nb));
      const agg = plan.pipelines[0]!.ops.find((o) => o.op === "aggregate");
      expect(agg?.op === "aggregate" && agg.emit, third).toBe(emit);
      expect(agg?.op === "aggregate" && agg.window?.zone, third).toBe(third === "'Europe/Berlin'" ? "Europe/Berlin" : undefined);
    }
  });

  test("row_number() OVER fails with the cell, the file line and what to write instead", async () => {
    const nb = withSinkCell(await notebookFrom("notebooks/turnstile.md"), "SELECT station,\n  row_number() OVER (PARTITION BY station ORDER BY ts) AS n\nFROM turnstile");
    const error = await gatherCompileInputs(db, nb).then(compilePlan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompileError);
    expect((error as Error).message).toBe(
      "plan: unsupported window function row_number() OVER (...) in cell extra (notebooks/turnstile.md line 101): a stream has no whole-table order; to keep one row per key (the latest), write SELECT k, arg_max(x, ts) AS x, max(ts) AS ts FROM s GROUP BY k, over time_bucket(...) for a window, or compute it downstream from the written files",
    );
  });

  test("a cell DuckDB cannot bind fails at the file line and cell column DuckDB gives for the cell's own text", async () => {
    const nb = withSinkCell(await notebookFrom("notebooks/turnstile.md"), "SELECT station,\n  entries,\n  md55(station) AS m\nFROM turnstile");
    const error = await gatherCompileInputs(db, nb).then(compilePlan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompileError);
    expect((error as CompileError).origin.line).toBe(102);
    expect((error as Error).message).toMatch(/^plan: DuckDB cannot bind the cell: Catalog Error: Scalar Function with name md55 does not exist! \(line 3 of the cell, column 3\) in cell extra \(notebooks\/turnstile\.md line 102\)/);
  });

  test("a sink column no Parquet file can hold (nested past 255 levels) is refused at publish, not at the pipeline's first flush", async () => {
    const text = "---\ntitle: deep\nsources:\n  ev:\n    webhook: { signature: none }\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT id, d FROM ev\n```\n";
    const { notebook } = parseNotebook(text, "deep.md");
    let d: unknown = 1;
    for (let i = 0; i < 260; i++) d = { k: d };
    await loadEvents(db, "ev", [{ id: 1, d }]);
    const error = await gatherCompileInputs(db, notebook).then(compilePlan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompileError);
    expect((error as Error).message).toMatch(/^plan: the result written to sink out cannot be a Parquet file: column "d" nests too deep for Parquet: .* needs definition level 261/);
  });

  test("two cells writing one sink are refused: one sink is one table", async () => {
    const base = withSinkCell(await notebookFrom("notebooks/turnstile.md"), "SELECT station FROM turnstile");
    const sink = Object.keys(base.sinks)[0]!;
    const first = base.cells.find((c) => c.id === "clean")!;
    const nb = { ...base, cells: base.cells.map((c) => (c === first ? { ...c, sink } : c)) };
    await expect(gatherCompileInputs(db, nb).then(compilePlan)).rejects.toThrow(`plan: sink ${sink} is written by cell clean too in cell extra (notebooks/turnstile.md line 100): give each cell its own sink: one sink is one table`);
  });

  test("ORDER BY in a sink cell is refused with a suggestion", async () => {
    const nb = withSinkCell(await notebookFrom("notebooks/turnstile.md"), "SELECT station FROM turnstile ORDER BY station");
    await expect(gatherCompileInputs(db, nb).then(compilePlan)).rejects.toThrow(/unsupported ORDER BY in cell extra .*line 100.*: a stream has no final order/);
  });

  test("constant sub-expressions are folded by DuckDB into typed constants", async () => {
    const nb = withSinkCell(await notebookFrom("notebooks/turnstile.md"), "SELECT station, 2 * 3 + 1 AS seven, INTERVAL 90 minutes AS i FROM turnstile");
    const plan = compilePlan(await gatherCompileInputs(db, nb));
    const project = plan.pipelines[0]!.ops.at(-2)!;
    expect(project.op === "project" && project.exprs.map((e) => e.expr)).toEqual([
      { kind: "column", index: expect.any(Number), type: "VARCHAR" },
      { kind: "constant", value: 7, type: "INTEGER" },
      { kind: "constant", value: { months: 0, days: 0, micros: "5400000000" }, type: "INTERVAL" },
    ]);
  });
});

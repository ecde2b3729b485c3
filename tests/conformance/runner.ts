/**
 * Runs one conformance case: DuckDB's answer against the compiled plan's.
 */
import type { Cell, Notebook } from "../../notebook/format/model.ts";
import type { DuckDB } from "../../edge/duckdb/open.node.ts";
import { loadEvents } from "../../edge/duckdb/load-events.node.ts";
import { gatherCompileInputs } from "../../edge/compile/inputs.node.ts";
import { compilePlan } from "../../edge/compile/compile.ts";
import { CompileError } from "../../edge/compile/errors.ts";
import { duckdbAnswer, errorsAgree, planAnswer } from "../../edge/check/check.node.ts";
import { firstDifference, showRow } from "../../edge/check/compare.ts";
import type { FunctionLibrary } from "../../edge/exec/functions/contract.ts";
import type { ConformanceCase } from "./case.ts";
import type { Schema } from "../../edge/plan/values.ts";

export interface CaseOutcome {
  ok: boolean;
  /** What went wrong, with both answers, when not ok. */
  detail: string;
}

/** A one-source, one-sink notebook holding the case's cells. */
export function caseNotebook(c: ConformanceCase): Notebook {
  const cells: Cell[] = [];
  const add = (id: string, code: string, sink: string | null): void => {
    cells.push({ index: cells.length, language: "sql", id, sink, code, start: { line: 1 + cells.length * 10, column: 1, offset: 0 }, info: `sql id=${id}` });
  };
  for (const [id, code] of Object.entries(c.cells ?? {})) add(id, code, null);
  add("result", c.sql, "out");
  return {
    file: `conformance/${c.name}`,
    title: c.name,
    sources: { t: { kind: "demo", name: "t", format: "json", sampleSize: 1000, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 1000, bytes: 1 << 20, seconds: 60 }, lateness: 0 } },
    cells,
    blocks: [],
  };
}

export async function runCase(db: DuckDB, c: ConformanceCase, library: FunctionLibrary): Promise<CaseOutcome> {
  await db.run("DROP VIEW IF EXISTS result");
  for (const id of Object.keys(c.cells ?? {})) await db.run(`DROP VIEW IF EXISTS "${id}"`);
  await loadEvents(db, "t", c.rows, c.schema ? { schema: c.schema } : {});
  const notebook = caseNotebook(c);
  let plan;
  try {
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } catch (error) {
    if (c.expect === "compile-error" && error instanceof CompileError) {
      const ok = !c.message || error.message.includes(c.message);
      return { ok, detail: ok ? "" : `compile error does not mention "${c.message}": ${error.message}` };
    }
    return { ok: false, detail: `compile failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (c.expect === "compile-error") return { ok: false, detail: "compiled, but the case expects a compile error" };
  const { answer: duck, schema } = await duckdbAnswer(db, c.sql);
  const mine = planAnswer(plan, "out", "t", c.rows, library);
  if (c.expect === "error") {
    if (duck.ok) return { ok: false, detail: `DuckDB answered ${duck.rows.length} rows; the case expects an error` };
    if (mine.ok) return { ok: false, detail: `DuckDB fails (${duck.error.split("\n")[0]}) but the plan answers ${mine.rows.length} rows` };
    return errorsAgree(duck.error, mine.error)
      ? { ok: true, detail: "" }
      : { ok: false, detail: `different errors\n  DuckDB: ${duck.error.split("\n")[0]}\n  plan:   ${mine.error}` };
  }
  if (c.expect === "same" && !duck.ok && !mine.ok) {
    return errorsAgree(duck.error, mine.error)
      ? { ok: true, detail: "" }
      : { ok: false, detail: `different errors\n  DuckDB: ${duck.error.split("\n")[0]}\n  plan:   ${mine.error}` };
  }
  if (!duck.ok || !mine.ok) {
    return { ok: false, detail: `DuckDB: ${duck.ok ? `${duck.rows.length} rows` : duck.error.split("\n")[0]}\n  plan:   ${mine.ok ? `${mine.rows.length} rows` : mine.error}` };
  }
  const d = firstDifference(schema!, duck.rows, mine.rows);
  if (!d) return { ok: true, detail: "" };
  return {
    ok: false,
    detail: `${d.side === "duckdb" ? "DuckDB" : "the plan"} has ${showRow(d.row)}; the other has ${d.nearest ? showRow(d.nearest) : "no such row"}\n  DuckDB: ${duck.rows.slice(0, 5).map((r) => showRow(r)).join(" ")}\n  plan:   ${mine.rows.slice(0, 5).map((r) => showRow(r)).join(" ")}`,
  };
}

/**
 * Generated queries over one table, each as an `expect: "same"` case: the failures (query and
 * detail) and how many DuckDB itself could not bind, for the random tests to assert on.
 */
export async function runGenerated(db: DuckDB, queries: string[], rows: unknown[], schema: Schema, library: FunctionLibrary): Promise<{ failures: string[]; unbindable: number }> {
  const failures: string[] = [];
  let unbindable = 0;
  for (const sql of queries) {
    const r = await runCase(db, { name: sql, sql, rows, schema, expect: "same" }, library);
    if (!r.ok && /compile failed: plan: DuckDB cannot bind/.test(r.detail)) unbindable++;
    else if (!r.ok) failures.push(`${sql}\n  ${r.detail}`);
  }
  return { failures, unbindable };
}

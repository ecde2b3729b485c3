import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { type DuckDB, loadJsonTexts, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, root, startEdge, type EdgeRuntime } from "./harness.ts";

/**
 * An event time of `'infinity'` or `'-infinity'` (a producer's sentinel, DuckDB reads it) in a
 * windowed sink: DuckDB shows each as a group of its own. Until 2026-12-06 the pipeline let
 * +infinity move the watermark to the end of time, so every later event of the sink was a late dead
 * letter (in the Durable Object after a restart too), and a -infinity event was late itself. Now an
 * infinite bucket is the window no watermark closes, written with every flush as the NULL bucket is.
 */
const SINKS = ["hourly", "zoned", "daily"];
const notebookText = (target: string) => `---
title: Infinite times
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: json
sinks:
${SINKS.map((s) => `  ${s}:\n    lateness: 1 hour\n    ${target.replaceAll("SINK", s)}`).join("\n")}
---

\`\`\`sql id=hourly sink=hourly
SELECT time_bucket(INTERVAL 1 hour, TRY_CAST(ts AS TIMESTAMP)) AS h, k, count(*) AS n, list(i ORDER BY i) AS ids
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=zoned sink=zoned
SELECT time_bucket(INTERVAL 1 day, TRY_CAST(ts AS TIMESTAMPTZ), 'Europe/Berlin') AS d, count(*) AS n, max(i) AS last_i
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=daily sink=daily
SELECT date_trunc('day', TRY_CAST(ts AS TIMESTAMP)) AS d, count(*) AS n, sum(i) AS s
FROM ev WHERE ts IS NOT NULL GROUP BY ALL
\`\`\`
`;

const TIMES = ["2026-12-06 10:00:00", "infinity", "2026-12-06 10:30:00", "-infinity", "2026-12-06 11:15:00", "2026-12-06 10:45:00", "Infinity", null, "2026-12-06 12:30:00", "-infinity", "2026-12-07 02:00:00", "2026-12-07 01:30:00", "2026-12-07 03:00:00"];
const lines = TIMES.map((ts, i) => JSON.stringify({ i, ts, k: i % 2 === 0 ? "a" : "b" }));
/** The events whose windows a live Worker keeps open at the end (the watermark is 2026-12-07 02:00). */
const OPEN: Record<string, number[]> = { hourly: [10, 12], zoned: [10, 11, 12], daily: [10, 11, 12] };

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});
let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  await db.run("SET disabled_optimizers = 'statistics_propagation'");
  cleanup.push(() => db.close());
});

/** Each sink's rows as text, sorted: DuckDB's answer over `input` and what `globOf(sink)` holds. */
async function answers(plan: Plan, text: string, inputOf: (sink: string) => string[], globOf: (sink: string) => string): Promise<Record<string, { expected: unknown[]; got: unknown[] }>> {
  const cells = parseNotebook(text, "infinite.md").notebook.cells.flatMap((c) => (c.language === "sql" && c.id ? [{ id: c.id, code: c.code }] : []));
  const out: Record<string, { expected: unknown[]; got: unknown[] }> = {};
  for (const { sink, cell, ops } of plan.pipelines) {
    await loadJsonTexts(db, "ev", inputOf(sink), { schema: plan.sources.ev!.schema });
    for (const c of cells) await db.run(`CREATE OR REPLACE VIEW ${quoteIdent(c.id)} AS ${c.code}`);
    const op = ops.at(-1) as SinkOp;
    const expected = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM ${quoteIdent(cell.cell)} ORDER BY ALL`)).getRowObjectsJson();
    const got = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM (${datasetSql(globOf(sink), op.schema, op.partitionBy)}) ORDER BY ALL`)).getRowObjectsJson();
    out[sink] = { expected, got };
  }
  return out;
}

describe("event times of infinity in a windowed sink", () => {
  test("runnel publish checks them and runnel run writes DuckDB's rows, no event late", async () => {
    const work = mkdtempSync(join(tmpdir(), "runnel-agg9-"));
    cleanup.push(() => rmSync(work, { recursive: true, force: true }));
    const text = notebookText(`fs: { dir: out/SINK }`);
    writeFileSync(join(work, "inf.md"), text);
    writeFileSync(join(work, "events.ndjson"), `${lines.join("\n")}\n`);
    const runnel = join(root, "bin", "runnel.js");
    const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "inf.md"), "--sample", `ev=${join(work, "events.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
    expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
    const bundle = join(work, "dist", "inf");
    const plan = JSON.parse(readFileSync(join(bundle, "plan.json"), "utf8")) as Plan;
    const out = join(work, "out");
    const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `ev=${join(work, "events.ndjson")}`, ...SINKS.flatMap((s) => ["--sink", `${s}=fs:${out}`])], { encoding: "utf8" });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(join(out, "_errors")) ? readFileSync(join(out, "_errors"), { encoding: "utf8", flag: "r" }) : "no dead letters").toBe("no dead letters");
    const result = await answers(plan, text, () => lines, (s) => `${out}/${s}/**/*.parquet`);
    for (const sink of SINKS) {
      expect({ sink, rows: result[sink]!.got }).toEqual({ sink, rows: result[sink]!.expected });
      expect(JSON.stringify(result[sink]!.expected)).toContain("infinity");
    }
  }, 240_000);

  test("the Durable Object writes the same rows, each infinite bucket once, restarted half-way", async () => {
    const text = notebookText("r2: { binding: LAKE, prefix: lake/ }");
    const { notebook, issues } = parseNotebook(text, "infinite.md");
    expect(issues).toEqual([]);
    const plan = await compileWith(notebook, { ev: lines });
    const start = (persist?: string, script?: string) => startEdge({ name: "agg9-infinite", plan, notebook, persist, script });
    let edge: EdgeRuntime & { script: string } = await start();
    const persist = edge.persist;
    cleanup.push(() => rmSync(persist, { recursive: true, force: true }));
    cleanup.push(() => edge.dispose());
    for (let i = 0; i < lines.length; i += 3) {
      if (i === 6) {
        // The infinite buckets' rows so far are replayed from storage.
        await edge.dispose();
        edge = await start(persist, edge.script);
      }
      const response = await edge.post("ev", `[${lines.slice(i, i + 3).join(",")}]`);
      expect(response.status, await response.clone().text()).toBe(202);
    }
    const flushed = await edge.flush();
    expect(flushed.status, await flushed.clone().text()).toBe(200);
    expect((await edge.metrics()).lateEvents).toBe(0);
    // The flush wrote the infinite buckets and deleted their rows: restarted and flushed again, nothing is written twice.
    await edge.dispose();
    edge = await start(persist, edge.script);
    expect((await edge.flush()).status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), "runnel-agg9-lake-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await download(await edge.r2(), "lake/", dir);
    // A live Worker keeps the newest windows open: their events are not written yet.
    const result = await answers(plan, text, (s) => lines.filter((_, i) => !OPEN[s]!.includes(i)), (s) => `${dir}/lake/${s}/**/*.parquet`);
    for (const sink of SINKS) {
      expect({ sink, rows: result[sink]!.got }).toEqual({ sink, rows: result[sink]!.expected });
      expect(JSON.stringify(result[sink]!.expected)).toContain("infinity");
    }
  }, 240_000);
});

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { compareDataset, compileWith, download, startEdge } from "./harness.ts";

/**
 * A sink cell that is a UNION ALL of three branches (a filter, a constant
 * column with another type, an unnest) published as a Worker: each branch is
 * a pipeline of the same sink, and the Worker must hand each event's rows to
 * the sink's Durable Object once, not once per branch.
 */
const NOTEBOOK = `---
title: Union of shapes
sources:
  ev:
    webhook: { signature: bearer, secret: EV_TOKEN }
    format: json
sinks:
  facts:
    r2: { binding: LAKE, prefix: facts/ }
    partition_by: [what]
---

\`\`\`sql id=facts sink=facts
WITH base AS (SELECT id, lower(trim(kind)) AS k, amount, items FROM ev)
SELECT id, k AS label, amount AS value, 'amount' AS what FROM base WHERE amount IS NOT NULL
UNION ALL
SELECT id, 'items', len(items), 'count' FROM base WHERE len(items) > 0
UNION ALL
SELECT id, it.sku, it.qty, 'line' FROM (SELECT id, unnest(items) AS it FROM ev)
\`\`\`
`;

const TOKEN = "union-token";
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

/**
 * Publishes `plan` as a Worker on workerd, posts `posted` in requests of 40 events (each must get
 * 202), flushes, and copies everything in R2 into a new folder, which it returns.
 */
async function postFlushed(name: string, plan: Plan, notebook: Notebook, posted: string[]): Promise<string> {
  const edge = await startEdge({ name, plan, notebook, bindings: { EV_TOKEN: TOKEN } });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());
  for (let i = 0; i < posted.length; i += 40) {
    const response = await edge.post("ev", `[${posted.slice(i, i + 40).join(",")}]`, { authorization: `Bearer ${TOKEN}` });
    expect(response.status, await response.clone().text()).toBe(202);
  }
  expect((await edge.flush()).status).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), `runnel-${name}-`));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  await download(await edge.r2(), "", dir);
  return dir;
}

function events(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: i,
      kind: [" Click", "view", null, "BUY"][i % 4],
      amount: i % 5 === 0 ? null : i % 7 === 0 ? 1e300 : i * 1.25,
      items: i % 3 === 0 ? [] : [{ sku: `s-${i % 4}`, qty: i % 6 === 0 ? null : i }, { sku: null, qty: 2 }],
    }),
  );
}

test("every branch of a UNION ALL sink cell lands once in R2, exactly DuckDB's rows for the cell", async () => {
  const { notebook, issues } = parseNotebook(NOTEBOOK, "union.md");
  expect(issues).toEqual([]);
  const sample = events(200);
  const plan = await compileWith(notebook, { ev: sample });
  expect(plan.pipelines.map((p) => p.sink)).toEqual(["facts", "facts", "facts"]);
  const posted = events(120);
  const dir = await postFlushed("union", plan, notebook, posted);
  expect(readdirSync(dir, { recursive: true }).some((k) => String(k).includes("what=line"))).toBe(true);
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "ev", posted, { schema: plan.sources.ev!.schema });
    const cell = notebook.cells.find((c) => c.sink === "facts")!;
    const r = await compareDataset(db, { sql: cell.code, glob: `${dir}/facts/**/*.parquet`, plan, sink: "facts" });
    expect(r).toEqual({ expected: r.got, got: r.got, missing: 0, extra: 0 });
    expect(r.got).toBeGreaterThan(200);
  } finally {
    db.close();
  }
});

/**
 * A GROUP BY (per flush, and windowed) over a cell that is a UNION ALL: each
 * branch is a pipeline of the sink, and the Worker must send every branch's
 * pre-aggregate rows to the sink's one Durable Object, which aggregates them
 * together. Before, the Worker ran one branch's head for all of them.
 */
const AGG_NOTEBOOK = `---
title: Aggregate over a union
sources:
  ev:
    webhook: { signature: bearer, secret: EV_TOKEN }
    format: json
sinks:
  totals:
    r2: { binding: LAKE, prefix: totals/ }
  per_minute:
    r2: { binding: LAKE, prefix: per_minute/ }
---

\`\`\`sql id=parts
SELECT lower(trim(kind)) AS k, amount AS v, CAST(ts AS TIMESTAMP) AS at_ FROM ev WHERE amount IS NOT NULL
UNION ALL
SELECT 'items', len(items), CAST(ts AS TIMESTAMP) FROM ev WHERE len(items) > 0
\`\`\`

\`\`\`sql id=totals sink=totals
SELECT k, count(*) AS n, sum(v) AS s FROM parts GROUP BY ALL
\`\`\`

\`\`\`sql id=per_minute sink=per_minute
SELECT time_bucket(INTERVAL 1 minute, at_) AS m, count(*) AS n, count(DISTINCT k) AS kinds FROM parts GROUP BY ALL
\`\`\`
`;

function timedEvents(n: number): string[] {
  return events(n).map((text, i) => JSON.stringify({ ...JSON.parse(text), ts: `2026-11-22 10:${String(Math.floor(i / 10) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}` }));
}

test("a GROUP BY over a UNION ALL cell aggregates every branch's rows in the sink's Durable Object, exactly DuckDB's groups", async () => {
  const { notebook, issues } = parseNotebook(AGG_NOTEBOOK, "union-aggregate.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, { ev: timedEvents(200) });
  expect(plan.pipelines.map((p) => p.sink)).toEqual(["totals", "totals", "per_minute", "per_minute"]);
  const posted = timedEvents(120);
  const dir = await postFlushed("union-aggregate", plan, notebook, posted);
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "ev", posted, { schema: plan.sources.ev!.schema });
    await db.run(`CREATE VIEW parts AS ${notebook.cells.find((c) => c.id === "parts")!.code}`);
    const totals = notebook.cells.find((c) => c.sink === "totals")!;
    const r = await compareDataset(db, { sql: totals.code, glob: `${dir}/totals/**/*.parquet`, plan, sink: "totals" });
    expect(r).toEqual({ expected: r.got, got: r.got, missing: 0, extra: 0 });
    expect(r.got).toBe(5); // click, view, buy, NULL from the first branch; items from the second
    // The windows the watermark closed (lateness 0: all but the newest event's minute), each written once with both branches' rows.
    const perMinute = notebook.cells.find((c) => c.sink === "per_minute")!.code;
    const want = `SELECT * FROM (${perMinute}) WHERE m + INTERVAL 1 minute <= (SELECT max(at_) FROM parts)`;
    const got = `SELECT * FROM read_parquet('${dir}/per_minute/**/*.parquet')`;
    const diff = await db.read(`SELECT (SELECT count(*) FROM (${want})) AS want, (SELECT count(*) FROM (${got})) AS got, (SELECT count(*) FROM (${want} EXCEPT ALL ${got})) AS missing, (SELECT count(*) FROM (${got} EXCEPT ALL ${want})) AS extra`);
    const [row] = diff.getRowObjectsJS() as { want: bigint; got: bigint; missing: bigint; extra: bigint }[];
    expect(row).toEqual({ want: row!.got, got: row!.got, missing: 0n, extra: 0n });
    expect(row!.got).toBeGreaterThan(5n);
  } finally {
    db.close();
  }
});

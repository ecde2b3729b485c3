import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
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
  const edge = await startEdge({ name: "union", plan, notebook, bindings: { EV_TOKEN: TOKEN } });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());

  const posted = events(120);
  for (let i = 0; i < posted.length; i += 40) {
    const response = await edge.post("ev", `[${posted.slice(i, i + 40).join(",")}]`, { authorization: `Bearer ${TOKEN}` });
    expect(response.status, await response.clone().text()).toBe(202);
  }
  expect((await edge.flush()).status).toBe(200);

  const dir = mkdtempSync(join(tmpdir(), "runnel-union-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const keys = await download(await edge.r2(), "facts/", dir);
  expect(keys.some((k) => k.includes("what=line/"))).toBe(true);
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

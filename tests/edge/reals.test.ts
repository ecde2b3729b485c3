import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compareDataset, compileWith, download, startEdge } from "./harness.ts";

/**
 * A sender that writes every float with a fraction (Python's json does: `10.0`) into fields of
 * mixed kinds: DuckDB types them JSON or VARCHAR and keeps `10.0` as written, where JSON.parse
 * alone would give `10`; and NaN, Infinity and trailing commas, which DuckDB's reader takes and
 * JSON.parse refuses. Posted to the Worker as NDJSON.
 */
const NOTEBOOK = `---
title: Reals with an integral value
sources:
  ev:
    webhook: { signature: none }
    format: ndjson
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT id, code, CAST(code AS VARCHAR) || '|' AS code_text, price, price * 2 AS twice, meta, meta.score AS score, ratio, isnan(ratio) AS nan

FROM ev
\`\`\`
`;

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const CODES = ['"A1"', "10.0", "7", "1e2", "-0.0", "null", '{"v": 2.0, "w": [3]}', '[1.0, "x"]', "2.5", "0.0"];
const SCORES = ["1.0", "[2.0, 3]", '"high"', "4", "null"];
// Python's json writes NaN and Infinity; DuckDB's reader takes them, and trailing commas.
const RATIOS = ["0.5", "NaN", "Infinity", "-Infinity", "null", "2"];
const lines = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `{"id": ${i}, "code": ${CODES[i % CODES.length]}, "price": ${i % 3 === 0 ? `${i}.0` : i * 1.5}, "meta": {"score": ${SCORES[i % SCORES.length]}}, "ratio": ${RATIOS[i % RATIOS.length]}${i % 7 === 0 ? "," : ""}}`);

test("reals written 10.0 in fields of mixed kinds, NaN and Infinity, and trailing commas land in R2 as DuckDB reads them", async () => {
  const { notebook, issues } = parseNotebook(NOTEBOOK, "reals.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, { ev: lines(60) });
  expect(plan.sources.ev!.schema.map((c) => `${c.name} ${c.type}`)).toEqual(["id BIGINT", "code JSON", "price DOUBLE", "meta STRUCT(score JSON)", "ratio DOUBLE"]);
  const edge = await startEdge({ name: "reals", plan, notebook });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());
  const posted = lines(100);
  expect((await edge.post("ev", posted.slice(0, 50).join("\n"))).status).toBe(202);
  expect((await edge.post("ev", posted.slice(50).join("\n"))).status).toBe(202);
  expect((await edge.flush()).status).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), "runnel-reals-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  await download(await edge.r2(), "", dir);
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "ev", posted, { schema: plan.sources.ev!.schema });
    const cell = notebook.cells.find((c) => c.sink === "out")!;
    const r = await compareDataset(db, { sql: cell.code, glob: `${dir}/out/**/*.parquet`, plan, sink: "out" });
    expect(r).toEqual({ expected: 100, got: 100, missing: 0, extra: 0 });
    // What a user sees in the file: the sender's 10.0, not 10.
    const texts = (await db.read(`SELECT code_text FROM read_parquet('${dir}/out/**/*.parquet') WHERE id IN (1, 4, 6) ORDER BY id`)).getRows().map((row) => row[0]);
    expect(texts).toEqual(["10.0|", "-0.0|", '{"v":2.0,"w":[3]}|']);
  } finally {
    db.close();
  }
});

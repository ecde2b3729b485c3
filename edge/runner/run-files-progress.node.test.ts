import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { loadEvents, openDuckDB } from "../duckdb/index.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { openSink, parseSinkOverride } from "./open-sink.ts";
import { listInputs } from "./read-inputs.ts";
import { runFiles } from "./run-files.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-run-progress-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a backfill's progress says which file of how many it is reading, oldest first", async () => {
  const text = "---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT id FROM ev\n```\n";
  const { notebook } = parseNotebook(text, "progress.md");
  const db = await openDuckDB({ threads: 1 });
  let plan;
  try {
    await loadEvents(db, "ev", [{ id: 1 }]);
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
  const days = join(dir, "days");
  mkdirSync(days);
  for (const [i, day] of ["01", "02", "03"].entries()) writeFileSync(join(days, `2026-01-${day}.ndjson`), Array.from({ length: 5 }, (_, k) => JSON.stringify({ id: i * 5 + k })).join("\n"));
  const inputs = await listInputs(days);
  const seen: string[] = [];
  const spec = parseSinkOverride(`fs:${join(dir, "out")}`, notebook.sinks.out!);
  const result = await runFiles({
    plan,
    inputs: { ev: inputs },
    targets: { out: { spec, opened: openSink(spec) } },
    parquet: runnelWriter,
    batchSize: 2,
    onProgress: (p) => seen.push(`${p.fileNumber}/${p.fileCount} ${p.file?.slice(days.length + 1)}`),
  });
  expect(result.events).toBe(15);
  expect([...new Set(seen)]).toEqual(["1/3 2026-01-01.ndjson", "2/3 2026-01-02.ndjson", "3/3 2026-01-03.ndjson"]);
});

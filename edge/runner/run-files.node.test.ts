import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { loadEvents, openDuckDB } from "../duckdb/index.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { openSink, parseSinkOverride } from "./open-sink.ts";
import { runFiles } from "./run-files.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-run-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a backfill flushes where its input puts the bounds, not the clock: a slow second run writes the same objects, so it replaces the first", async () => {
  // flush.seconds 1 with a clock that jumps an hour per look: the age bound would be due at every batch.
  const text = "---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n    flush: { rows: 4, seconds: 1 }\n---\n\n```sql id=o sink=out\nSELECT id, kind FROM ev\n```\n";
  const { notebook } = parseNotebook(text, "slow.md");
  const db = await openDuckDB({ threads: 1 });
  let plan;
  try {
    await loadEvents(db, "ev", [{ id: 1, kind: "a" }]);
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
  const path = join(dir, "ev.ndjson");
  writeFileSync(path, Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: i, kind: i % 2 ? "odd" : "even" })).join("\n"));
  const run = async (out: string, now: () => number) => {
    const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.out!);
    const result = await runFiles({ plan, inputs: { ev: [{ path, mtimeMs: 0, format: "ndjson" }] }, targets: { out: { spec, opened: openSink(spec) } }, parquet: runnelWriter, batchSize: 1, now });
    return result.written.map((f) => ({ key: f.key, rows: f.rows, body: readFileSync(join(out, f.key)).toString("base64") }));
  };
  const still = await run(join(dir, "fast"), () => Date.UTC(2026, 11, 6));
  let t = Date.UTC(2026, 11, 6);
  const slow = await run(join(dir, "slow"), () => (t += 3_600_000));
  expect(still.map((f) => f.key)).toEqual([
    "out/backfill-00000000000000000000-00000000000000000003.parquet",
    "out/backfill-00000000000000000004-00000000000000000007.parquet",
    "out/backfill-00000000000000000008-00000000000000000009.parquet",
  ]);
  expect(slow).toEqual(still);
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { loadJsonTexts, openDuckDB } from "../duckdb/index.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { decodeDeadLetters } from "../sinks/dead-letter.ts";
import { openSink, parseSinkOverride } from "./open-sink.ts";
import { runFiles } from "./run-files.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-run-repeated-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOTEBOOK = "---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: ndjson\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT id, meta, meta->>'k' AS k, \"user\".name AS name FROM ev\n```\n";
const SAMPLE = ['{"id": 1, "meta": {"k": "v"}, "user": {"name": "a"}}', '{"id": 2, "meta": "text", "user": {"name": "b"}}'];
const LINES = [
  '{"id": 10, "meta": {"k": "first", "k": "second"}, "user": {"name": "c"}}',
  '{"id": 11, "meta": "x", "user": {"name": "d", "name": "e"}}',
  '{"id": 12, "meta": null, "user": {"name": "f"}, "note": 1, "note": 2}',
];

test("runnel run over an NDJSON file reads a key written twice as DuckDB's read_json with the plan's schema reads it", async () => {
  const { notebook } = parseNotebook(NOTEBOOK, "repeated.md");
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "ev", SAMPLE);
    const plan = compilePlan(await gatherCompileInputs(db, notebook));
    const schema = plan.sources.ev!.schema;
    // DuckDB's reading of each line with the schema pinned.
    const columns = `{${schema.map((c) => `'${c.name}': '${c.type.replace(/'/g, "''")}'`).join(", ")}}`;
    const duck: (string | null)[] = [];
    for (const [i, line] of LINES.entries()) {
      const file = join(dir, `line${i}.json`);
      writeFileSync(file, `${line}\n`);
      try {
        await db.read(`SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${columns})`);
        duck.push(null);
      } catch (error) {
        duck.push(/in line 1: (.*)/.exec((error as Error).message)![1]!);
      }
    }
    const path = join(dir, "ev.ndjson");
    writeFileSync(path, `${LINES.join("\n")}\n`);
    const spec = parseSinkOverride(`fs:${join(dir, "out")}`, notebook.sinks.out!);
    const result = await runFiles({ plan, inputs: { ev: [{ path, mtimeMs: 0, format: "ndjson" }] }, targets: { out: { spec, opened: openSink(spec) } }, parquet: runnelWriter });
    const rows = (await db.read(`SELECT id::INTEGER AS id, meta::VARCHAR AS meta, k, name FROM read_parquet('${join(dir, "out")}/**/*.parquet') ORDER BY id`)).getRowObjectsJson();
    expect(rows).toEqual([
      { id: 10, meta: '{"k":"first","k":"second"}', k: "first", name: "c" },
      { id: 12, meta: null, k: null, name: "f" },
    ]);
    expect(duck).toEqual([null, 'Object {"name":"d","name":"e"} has duplicate key "name"', null]);
    const letters = result.deadLetterFiles.flatMap((f) => decodeDeadLetters(readFileSync(join(dir, "out", f))));
    // The dead letter keeps every member of the event (written compactly, as run writes an event back).
    expect(letters.map((l) => l.raw)).toEqual(['{"id":11,"meta":"x","user":{"name":"d","name":"e"}}']);
    expect(letters[0]!.reason).toContain(`field user: ${duck[1]}`);
  } finally {
    db.close();
  }
});

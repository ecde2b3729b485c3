import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { readSampleFile } from "../../gateway/cli/samples.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { readEvents, type InputFile } from "./read-inputs.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(file: InputFile): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readEvents(file, 1000)) out.push(...batch);
  return out;
}

test("a byte order mark at the start of an NDJSON or JSON file is skipped, as DuckDB skips it", async () => {
  const ndjson = join(dir, "bom.ndjson");
  writeFileSync(ndjson, '\uFEFF{"a": 1}\n{"a": 2.0}\n');
  expect(await all({ path: ndjson, mtimeMs: 0, format: "ndjson" })).toEqual([{ a: 1 }, { a: expect.objectContaining({ value: 2 }) }]);
  const json = join(dir, "bom.json");
  writeFileSync(json, '\uFEFF[{"a": 1}]');
  expect(await all({ path: json, mtimeMs: 0, format: "json" })).toEqual([{ a: 1 }]);
});

test("a CSV --sample exported with a byte order mark names its first column without it", async () => {
  const { notebook } = parseNotebook("---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: csv\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT * FROM ev\n```\n", "bom.md");
  const csv = join(dir, "bom.csv");
  writeFileSync(csv, "\uFEFFid,name\n1,x\n");
  expect(await readSampleFile(notebook, "ev", csv)).toEqual([{ id: "1", name: "x" }]);
});

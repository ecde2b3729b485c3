import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { readSampleFile } from "../../gateway/cli/samples.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { readdirSync, readFileSync } from "node:fs";
import { loadEvents, openDuckDB } from "../duckdb/index.node.ts";
import { compilePlan } from "../compile/compile.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { openSink, parseSinkOverride } from "./open-sink.ts";
import { runFiles } from "./run-files.ts";
import { formatOf, readEvents, UnreadableEvent, type InputFile } from "./read-inputs.ts";

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

test("an NDJSON line that is not JSON is a dead letter with its line; the rest of the file is written", async () => {
  const path = join(dir, "bad.ndjson");
  writeFileSync(path, '{"id": 1}\n{"id": broken}\n{"id": 3}\n');
  const read = await all({ path, mtimeMs: 0, format: "ndjson" });
  expect(read[1]).toBeInstanceOf(UnreadableEvent);
  expect((read[1] as UnreadableEvent).reason).toMatch(/^run: .*bad\.ndjson line 2 is not JSON: json: unexpected character "b" at offset 7$/);

  const { notebook } = parseNotebook("---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT id FROM ev\n```\n", "bad.md");
  const db = await openDuckDB({ threads: 1 });
  let plan;
  try {
    await loadEvents(db, "ev", [{ id: 1 }]);
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
  const out = join(dir, "out");
  const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.out!);
  const result = await runFiles({ plan, inputs: { ev: [{ path, mtimeMs: 0, format: "ndjson" }] }, targets: { out: { spec, opened: openSink(spec) } }, parquet: runnelWriter });
  expect({ events: result.events, rows: result.rows, deadLetters: result.deadLetters }).toEqual({ events: 3, rows: 2, deadLetters: 1 });
  const letters = result.deadLetterFiles.map((f) => readFileSync(join(out, f), "utf8")).join("");
  expect(JSON.parse(letters.trim())).toMatchObject({ raw: '{"id": broken}', source: "ev" });
  expect(readdirSync(out)).toContain("_errors");
});


test("an NDJSON line or a JSON file that is not UTF-8 is a dead letter, as DuckDB refuses it, not text with U+FFFD", async () => {
  const path = join(dir, "latin1.ndjson");
  writeFileSync(path, Buffer.concat([Buffer.from('{"s": "ü"}\n{"s": "'), Buffer.from([0xfc]), Buffer.from('"}\r\n{"s": "日本"}\n')]));
  const read = await all({ path, mtimeMs: 0, format: "ndjson" });
  expect(read).toHaveLength(3);
  expect(read[0]).toEqual({ s: "ü" });
  expect(read[1]).toBeInstanceOf(UnreadableEvent);
  expect((read[1] as UnreadableEvent).reason).toMatch(/^run: .*latin1\.ndjson line 2 is not valid UTF-8$/);
  expect((read[1] as UnreadableEvent).raw).toBe('{"s": "\uFFFD"}');
  expect(read[2]).toEqual({ s: "日本" });
  const json = join(dir, "latin1.json");
  writeFileSync(json, Buffer.concat([Buffer.from('[{"s": "'), Buffer.from([0xfc]), Buffer.from('"}]')]));
  const whole = await all({ path: json, mtimeMs: 0, format: "json" });
  expect(whole).toHaveLength(1);
  expect((whole[0] as UnreadableEvent).reason).toMatch(/latin1\.json is not valid UTF-8$/);
});

test("windows still open at the end of input are written even when the last batch flushed", async () => {
  const { notebook } = parseNotebook("---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n    flush: { rows: 1 }\n---\n\n```sql id=w sink=out\nSELECT time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS m, count(*) AS n FROM ev GROUP BY ALL\n```\n", "win.md");
  const path = join(dir, "win.ndjson");
  writeFileSync(path, ['{"ts": "2026-12-05 10:00:00"}', '{"ts": "2026-12-05 10:01:00"}', '{"ts": "2026-12-05 10:02:00"}'].join("\n"));
  const db = await openDuckDB({ threads: 1 });
  let plan;
  try {
    await loadEvents(db, "ev", [{ ts: "2026-12-05 10:00:00" }]);
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
  const out = join(dir, "win-out");
  const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.out!);
  const result = await runFiles({ plan, inputs: { ev: [{ path, mtimeMs: 0, format: "ndjson" }] }, targets: { out: { spec, opened: openSink(spec) } }, parquet: runnelWriter, batchSize: 1 });
  expect(result.rows).toBe(3);
  expect(result.written.reduce((n, f) => n + f.rows, 0)).toBe(3);
  expect(result.written.map((f) => f.key).at(-1)).toMatch(/backfill-00000000000000000003-00000000000000000003\.parquet$/);
});

test("a CSV file with a column named t (or t_) is read as records, not as that column's values", async () => {
  const csv = join(dir, "t.csv");
  writeFileSync(csv, "id,t,t_\n1,05/01/2024 10:30,x\n2,,y\n");
  expect(await all({ path: csv, mtimeMs: 0, format: "csv" })).toEqual([
    { id: "1", t: "05/01/2024 10:30", t_: "x" },
    { id: "2", t: null, t_: "y" },
  ]);
});

test("a .tsv file is CSV, cut at its tabs as read_csv cuts it; a ragged record is a dead letter, not a file of NULL rows", async () => {
  expect(formatOf("export/Orders.TSV")).toBe("csv");
  const tsv = join(dir, "orders.tsv");
  writeFileSync(tsv, "id\tname\tnote\n1\ta, b\tx\n2\tc\n3\td\ty\n");
  const read = await all({ path: tsv, mtimeMs: 0, format: formatOf(tsv) });
  expect(read.filter((e) => !(e instanceof UnreadableEvent))).toEqual([
    { id: "1", name: "a, b", note: "x" },
    { id: "3", name: "d", note: "y" },
  ]);
  expect(read.filter((e) => e instanceof UnreadableEvent)).toEqual([new UnreadableEvent(`run: ${tsv} line 3: Expected Number of Columns: 3 Found: 2`, "2\tc")]);
});

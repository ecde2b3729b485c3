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
import { formatOf, readEvents, RecordCutter, UnreadableEvent, type InputFile } from "./read-inputs.ts";

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


test("an NDJSON line or a JSON file that is not UTF-8 is a dead letter holding its bytes, as DuckDB refuses it, not text with U+FFFD", async () => {
  const path = join(dir, "latin1.ndjson");
  writeFileSync(path, Buffer.concat([Buffer.from('{"s": "ü"}\n{"s": "'), Buffer.from([0xfc]), Buffer.from('"}\r\n{"s": "日本"}\n')]));
  const read = await all({ path, mtimeMs: 0, format: "ndjson" });
  expect(read).toHaveLength(3);
  expect(read[0]).toEqual({ s: "ü" });
  expect(read[1]).toBeInstanceOf(UnreadableEvent);
  expect((read[1] as UnreadableEvent).reason).toMatch(/^run: .*latin1\.ndjson line 2 is not valid UTF-8$/);
  // The line's own bytes, as Latin-1 text: nothing of it is lost (U+FFFD stood for the byte).
  expect(Buffer.from((read[1] as UnreadableEvent).raw, "latin1")).toEqual(Buffer.concat([Buffer.from('{"s": "'), Buffer.from([0xfc]), Buffer.from('"}')]));
  expect(read[2]).toEqual({ s: "日本" });
  const json = join(dir, "latin1.json");
  writeFileSync(json, Buffer.concat([Buffer.from('[{"s": "'), Buffer.from([0xfc]), Buffer.from('"}]')]));
  const whole = await all({ path: json, mtimeMs: 0, format: "json" });
  expect(whole).toHaveLength(1);
  expect((whole[0] as UnreadableEvent).reason).toMatch(/latin1\.json line 1 is not valid UTF-8$/);
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

const events = (read: unknown[]): unknown[] => read.map((e) => (e instanceof UnreadableEvent ? { dead: e.reason.replace(/^run: \S+ ?/, ""), raw: e.raw } : e));

test("gzip and zstd files are read through their codec, as read_json and read_csv read them: several gzip members one after another too", async () => {
  const { gzipSync } = await import("node:zlib");
  const { execFileSync } = await import("node:child_process");
  const gz = join(dir, "a.ndjson.gz");
  // `cat a.gz b.gz`: two gzip members, the second without a final newline in its text.
  writeFileSync(gz, Buffer.concat([gzipSync('{"a": 1}\n{"a": 2}\n'), gzipSync('{"a": 3}')]));
  expect(await all({ path: gz, mtimeMs: 0, format: formatOf(gz) })).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  // A gzip file whose name does not say so is read by its first bytes.
  const unnamed = join(dir, "export-0001");
  writeFileSync(unnamed, gzipSync('{"a": 4}\n'));
  expect(await all({ path: unnamed, mtimeMs: 0, format: formatOf(unnamed) })).toEqual([{ a: 4 }]);
  expect(formatOf("x/orders.csv.gz")).toBe("csv");
  expect(formatOf("x/orders.TSV.GZ")).toBe("csv");
  expect(formatOf("x/rows.parquet")).toBe("parquet");
  expect(formatOf("x/app.log", "csv")).toBe("csv");
  const csv = join(dir, "orders.csv.gz");
  writeFileSync(csv, gzipSync("id;name\n1;x\n2;y\n"));
  expect(await all({ path: csv, mtimeMs: 0, format: formatOf(csv) })).toEqual([{ id: "1", name: "x" }, { id: "2", name: "y" }]);
  const tsv = join(dir, "orders.tsv.gz");
  writeFileSync(tsv, Buffer.concat([gzipSync("id\tname\n1\tx\n"), gzipSync("2\ty\n")]));
  expect(await all({ path: tsv, mtimeMs: 0, format: formatOf(tsv) })).toEqual([{ id: "1", name: "x" }, { id: "2", name: "y" }]);
  let zstdMade = true;
  try {
    // Two frames one after another (`zstd a >> f`, pzstd): Node's own zstd stopped after the first.
    writeFileSync(join(dir, "a.jsonl.zst"), Buffer.concat([execFileSync("zstd", ["-q", "-c"], { input: '{"a": 5}\r\n' }), execFileSync("zstd", ["-q", "-c"], { input: '{"a": 6}' })]));
    execFileSync("zstd", ["-q", "-f", "-o", join(dir, "b.csv.zst")], { input: "id,name\n7,z\n" });
  } catch {
    zstdMade = false; // no zstd command here
  }
  if (zstdMade) {
    expect(await all({ path: join(dir, "a.jsonl.zst"), mtimeMs: 0, format: "ndjson" })).toEqual([{ a: 5 }, { a: 6 }]);
    expect(await all({ path: join(dir, "b.csv.zst"), mtimeMs: 0, format: "csv" })).toEqual([{ id: "7", name: "z" }]);
  }
});

test("a .gz file that is not gzip, or is cut off, is a dead letter saying so; the run goes on", async () => {
  const { gzipSync } = await import("node:zlib");
  const fake = join(dir, "fake.ndjson.gz");
  writeFileSync(fake, '{"a": 1}\n');
  expect(events(await all({ path: fake, mtimeMs: 0, format: "ndjson" }))).toEqual([{ dead: "Input is not a GZIP stream", raw: "" }]);
  const fakeCsv = join(dir, "fake.csv.gz");
  writeFileSync(fakeCsv, "id\n1\n");
  expect(events(await all({ path: fakeCsv, mtimeMs: 0, format: "csv" }))).toEqual([{ dead: "Input is not a GZIP stream", raw: "" }]);
  // A download cut off: the records before the cut are read, the one it cuts and the cut itself are dead letters.
  const lines = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ a: i, s: `row ${i * 7919} of the export` })).join("\n");
  const whole = gzipSync(lines);
  const cut = join(dir, "cut.ndjson.gz");
  writeFileSync(cut, whole.subarray(0, whole.length >> 1));
  const read = events(await all({ path: cut, mtimeMs: 0, format: "ndjson" }));
  expect(read.length).toBeGreaterThan(5000);
  expect(read.slice(0, -2)).toEqual(Array.from({ length: read.length - 2 }, (_, i) => ({ a: i, s: `row ${i * 7919} of the export` })));
  expect((read.at(-2) as { dead: string }).dead).toMatch(/^line \d+ is not JSON: json: /);
  expect(read.at(-1)).toEqual({ dead: "gzip stream is damaged: unexpected end of file; the records before the damage are read", raw: "" });
});

test("a record with an object that has a key twice is a dead letter in DuckDB's words, in lines, arrays and several values on a line", async () => {
  const cases: [string, string][] = [
    ["dup.ndjson", '{"id": 1}\n{"id": 2, "id": 3}\n{"id": 4} {"id": 5, "x": {"k": 1, "k": 2}}\n'],
    ["dup.json", '[{"id": 1}, {"id": 2, "id": 3},\n{"id": 4}]'],
  ];
  for (const [name, text] of cases) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const read = await all({ path, mtimeMs: 0, format: formatOf(path) });
    expect(read.filter((e) => !(e instanceof UnreadableEvent))).toEqual([{ id: 1 }, { id: 4 }]);
    expect(read.filter((e) => e instanceof UnreadableEvent).map((e) => (e as UnreadableEvent).reason.replace(path, "<file>"))).toEqual(
      name === "dup.ndjson"
        ? ['run: <file> line 2: Object {"id":2,"id":3} has duplicate key "id"', 'run: <file> line 3: Object {"k":1,"k":2} has duplicate key "k"']
        : ['run: <file> line 1: Object {"id":2,"id":3} has duplicate key "id"'],
    );
  }
});

test("a file of several top-level arrays is one record per array, as read_json reads it; one array alone is its elements", async () => {
  const cases: [string, string, unknown[]][] = [
    ["arrays-one-line.json", '[{"a": 1}] [{"a": 2}]\n', [[{ a: 1 }], [{ a: 2 }]]],
    ["arrays-lines.ndjson", '[{"a": 1}]\n[{"a": 2}]\n', [[{ a: 1 }], [{ a: 2 }]]],
    ["scalars.json", "[1, 2] [3]\n", [[1, 2], [3]]],
    ["array-then-object.json", '[1, 2]\n{"a": 1}\n', [[1, 2], { a: 1 }]],
    ["pretty-arrays.json", '[{"a": 1},\n {"a": 2}]\n[{"a": 3}]\n', [[{ a: 1 }, { a: 2 }], [{ a: 3 }]]],
    ["one-array.json", "[1, 2]\n\n", [1, 2]],
  ];
  const db = await openDuckDB({ threads: 1 });
  try {
    for (const [name, text, expected] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const duck = (await db.read(`SELECT to_json(t)::VARCHAR AS r FROM read_json('${path}') AS t`)).getRowObjectsJS().map((r) => Object.values(JSON.parse(String(r.r)) as object)[0]);
      expect({ name, duck }).toEqual({ name, duck: expected });
      expect({ name, read: await all({ path, mtimeMs: 0, format: formatOf(path) }) }).toEqual({ name, read: expected });
    }
  } finally {
    db.close();
  }
});

test("an event nested 3,500 levels deep is a dead letter saying so and the run goes on (its JSON column overflowed the stack and stopped the run)", async () => {
  const path = join(dir, "deep.ndjson");
  writeFileSync(path, `{"id": 1, "a": "s"}\n{"id": 2, "a": ${"[".repeat(3500)}${"]".repeat(3500)}}\n{"id": 3, "a": [1]}\n`);
  const { notebook } = parseNotebook("---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT id, a FROM ev\n```\n", "deep.md");
  const db = await openDuckDB({ threads: 1 });
  let plan;
  try {
    await loadEvents(db, "ev", [{ id: 1, a: "s" }, { id: 3, a: [1] }]);
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
  const out = join(dir, "deep-out");
  const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.out!);
  const result = await runFiles({ plan, inputs: { ev: [{ path, mtimeMs: 0, format: "ndjson" }] }, targets: { out: { spec, opened: openSink(spec) } }, parquet: runnelWriter });
  expect({ events: result.events, rows: result.rows, deadLetters: result.deadLetters }).toEqual({ events: 3, rows: 2, deadLetters: 1 });
  const letters = result.deadLetterFiles.map((f) => readFileSync(join(out, f), "utf8")).join("");
  expect((JSON.parse(letters.trim()) as { reason: string }).reason).toBe(`run: ${path} line 2: the value is nested more than 1000 levels deep, which runnel does not read (DuckDB's read_json does)`);
});

test("JSON records are found as read_json finds them, whatever the extension: lines, pretty-printed, one array, several on a line, none", async () => {
  const cases: [string, string, unknown[]][] = [
    ["lines.json", '{"a": 1}\n{"a": 2}\n', [{ a: 1 }, { a: 2 }]],
    ["pretty.json", '{\n  "a": 1,\n  "b": [1,\n 2]\n}\n{\n  "a": 2\n}\n', [{ a: 1, b: [1, 2] }, { a: 2 }]],
    ["pretty.ndjson", '{\n  "a": 1\n}\n', [{ a: 1 }]],
    ["array.ndjson", '[{"a": 1},\n {"a": 2}]', [{ a: 1 }, { a: 2 }]],
    ["array.json", '  [\n  {"a": "]"}, {"a": "\\"["} ]\n', [{ a: "]" }, { a: '"[' }]],
    ["two.ndjson", '{"a": 1} {"a": 2}\n', [{ a: 1 }, { a: 2 }]],
    ["crlf.ndjson", '\uFEFF{"a": 1}\r\n\r\n{"a": 2}', [{ a: 1 }, { a: 2 }]],
    ["empty.json", "", []],
    ["blank.json", " \n\t\r\n", []],
    ["blank.ndjson", "\n\n", []],
  ];
  for (const [name, text, expected] of cases) {
    const path = join(dir, name);
    writeFileSync(path, text);
    expect({ name, read: await all({ path, mtimeMs: 0, format: formatOf(path) }) }).toEqual({ name, read: expected });
  }
});

test("a line cut off in a file of JSON lines is one dead letter, not the rest of the file", async () => {
  const path = join(dir, "cutline.ndjson");
  writeFileSync(path, '{"a": 1}\n{"a": 2, "b": [1,\n{"a": 3, "s": "open\n{"a": 4}\nnot json at all\n{"a": 5} {"a": 6}\n{"a": 7} junk\r\n');
  expect(events(await all({ path, mtimeMs: 0, format: "ndjson" }))).toEqual([
    { a: 1 },
    { dead: "line 2 is not JSON: json: unexpected end of input at offset 17", raw: '{"a": 2, "b": [1,' },
    { dead: "line 3 is not JSON: json: malformed string at offset 14", raw: '{"a": 3, "s": "open' },
    { a: 4 },
    { dead: 'line 5 is not JSON: json: unexpected character "n" at offset 0', raw: "not json at all" },
    { a: 5 },
    { a: 6 },
    // A line is one record: junk after a value makes the line a dead letter, as the Kafka runner makes such a message.
    { dead: "line 7 is not JSON: json: unexpected text after the JSON value at offset 9", raw: '{"a": 7} junk' },
  ]);
});

test("CloudTrail's export, a gzipped file of one {Records: [...]} object, is one event, as read_json reads it", async () => {
  const { gzipSync } = await import("node:zlib");
  const record = (id: string) => ({ eventVersion: "1.09", eventID: id, eventTime: "2026-11-22T00:00:00Z", userIdentity: { type: "Root" }, requestParameters: null });
  const path = join(dir, "123456789012_CloudTrail_us-east-1_20261122T0000Z_abc.json.gz");
  writeFileSync(path, gzipSync(JSON.stringify({ Records: [record("e1"), record("e2")] }, null, 2)));
  expect(await all({ path, mtimeMs: 0, format: formatOf(path) })).toEqual([{ Records: [record("e1"), record("e2")] }]);
});

test("a record of many megabytes is read: a CSV field past DuckDB's 2 MB max_line_size, a 20 MB JSON string", async () => {
  const big = "x".repeat(3_000_000);
  const csv = join(dir, "long.csv");
  writeFileSync(csv, `id,blob\n1,${big}\n2,y\n`);
  expect(await all({ path: csv, mtimeMs: 0, format: "csv" })).toEqual([{ id: "1", blob: big }, { id: "2", blob: "y" }]);
  const huge = "y".repeat(20_000_000);
  const json = join(dir, "long.ndjson");
  writeFileSync(json, `{"id": 1, "blob": "${huge}"}\n{"id": 2}\n`);
  const read = await all({ path: json, mtimeMs: 0, format: "ndjson" });
  expect(read.map((e) => (e as { blob?: string }).blob?.length ?? (e as UnreadableEvent).reason)).toEqual([20_000_000, undefined]);
});

test("a compressed CSV record too long for DuckDB is a dead letter with DuckDB's reason, not a stopped run", async () => {
  const { gzipSync } = await import("node:zlib");
  const path = join(dir, "toolong.csv.gz");
  writeFileSync(path, gzipSync(`id,blob\n1,${"x".repeat(9_000_000)}\n2,y\n`));
  const read = events(await all({ path, mtimeMs: 0, format: "csv" }));
  expect(read).toHaveLength(1);
  expect((read[0] as { dead: string }).dead).toMatch(/^is not read: Invalid Input Error: CSV Error on Line: 1 Maximum line size of 8388608 bytes exceeded/);
});

test("a folder leaves out hidden files (.DS_Store, _SUCCESS, _delta_log/) and reads links to files; a glob that matches nothing is an error naming it", async () => {
  const { mkdirSync, utimesSync } = await import("node:fs");
  const { listInputs } = await import("./read-inputs.ts");
  const folder = join(dir, "export");
  mkdirSync(join(folder, "_delta_log"), { recursive: true });
  mkdirSync(join(folder, "day=2"), { recursive: true });
  writeFileSync(join(folder, "new.json.gz"), "");
  writeFileSync(join(folder, "day=2", "old.log"), "");
  writeFileSync(join(folder, ".DS_Store"), "\0\0");
  writeFileSync(join(folder, "_SUCCESS"), "");
  writeFileSync(join(folder, "_delta_log", "0000.json"), "{}");
  const { symlinkSync } = await import("node:fs");
  writeFileSync(join(dir, "linked.ndjson"), "");
  symlinkSync(join(dir, "linked.ndjson"), join(folder, "linked.ndjson"));
  symlinkSync(join(dir, "nowhere"), join(folder, "dangling.ndjson"));
  utimesSync(join(dir, "linked.ndjson"), 3000, 3000);
  utimesSync(join(folder, "new.json.gz"), 2000, 2000);
  utimesSync(join(folder, "day=2", "old.log"), 1000, 1000);
  expect((await listInputs(folder, "csv")).map((f) => [f.path.slice(folder.length + 1), f.format])).toEqual([["day=2/old.log", "csv"], ["new.json.gz", "json"], ["linked.ndjson", "ndjson"]]);
  expect((await listInputs(`${folder}/*`)).map((f) => f.path.slice(folder.length + 1))).toEqual(["new.json.gz", "linked.ndjson"]);
  expect((await listInputs(`${folder}/_delta_log/*.json`)).map((f) => f.path.slice(folder.length + 1))).toEqual(["_delta_log/0000.json"]);
  expect((await listInputs(`${folder}/day=[0-9]/*.log`)).map((f) => f.path.slice(folder.length + 1))).toEqual(["day=2/old.log"]);
  expect((await listInputs(`${folder}/day=[!2]/*`).catch((e: Error) => e.message))).toMatch(/matches no file$/);
  expect((await listInputs(`${folder}/.DS*`)).map((f) => f.path.slice(folder.length + 1))).toEqual([".DS_Store"]);
  const { mergeInputs } = await import("./read-inputs.ts");
  const merged = mergeInputs([await listInputs(`${folder}/*`), await listInputs(folder), await listInputs(`${folder}/day=2/old.log`)]);
  expect(merged.map((f) => f.path.slice(folder.length + 1))).toEqual(["day=2/old.log", "new.json.gz", "linked.ndjson"]);
  await expect(listInputs(`${folder}/*.parquet`)).rejects.toThrow(`run: input ${folder}/*.parquet matches no file`);
  await expect(listInputs("s3://bucket/AWSLogs/*.json.gz")).rejects.toThrow("run: input s3://bucket/AWSLogs/*.json.gz is a URL (s3:); --input reads local files, a folder or a glob (copy the objects down first, e.g. aws s3 sync)");
  await expect(listInputs(`${dir}/nowhere/*.json`)).rejects.toThrow(/^run: input .*nowhere\/\*\.json matches no file \(/);
});

test("a glob's **/ stands for whole folders, as DuckDB's glob reads it: logs/**/b.json is not logs/xb.json", async () => {
  const { mkdirSync } = await import("node:fs");
  const { listInputs } = await import("./read-inputs.ts");
  const logs = join(dir, "globstar");
  mkdirSync(join(logs, "sub", "deeper"), { recursive: true });
  for (const name of ["b.json", "xb.json", "sub/b.json", "sub/xb.json", "sub/deeper/b.json"]) writeFileSync(join(logs, name), "{}");
  const names = async (pattern: string) => (await listInputs(pattern)).map((f) => f.path.slice(logs.length + 1)).sort();
  expect(await names(`${logs}/**/b.json`)).toEqual(["b.json", "sub/b.json", "sub/deeper/b.json"]);
  expect(await names(`${logs}/sub/**/b.json`)).toEqual(["sub/b.json", "sub/deeper/b.json"]);
  expect(await names(`${logs}/**`)).toEqual(["b.json", "sub/b.json", "sub/deeper/b.json", "sub/xb.json", "xb.json"]);
});

test("a UTF-16 export (a byte order mark FF FE) is read as text, not as records of NUL bytes", async () => {
  const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
  const json = join(dir, "ps.json");
  writeFileSync(json, utf16('{"a": 1, "s": "é"}\r\n{"a": 2, "s": "日本"}\r\n'));
  expect(await all({ path: json, mtimeMs: 0, format: "json" })).toEqual([{ a: 1, s: "é" }, { a: 2, s: "日本" }]);
  const csv = join(dir, "excel.csv");
  writeFileSync(csv, utf16("a\ts\r\n1\té\r\n"));
  expect(await all({ path: csv, mtimeMs: 0, format: "csv" })).toEqual([{ a: "1", s: "é" }]);
  const be = join(dir, "be.csv");
  writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("a\n1\n", "utf16le").swap16()]));
  expect(events(await all({ path: be, mtimeMs: 0, format: "csv" }))).toEqual([{ dead: "UTF-16 big-endian text is not read (DuckDB's read_csv reads UTF-16 little-endian only); convert it to UTF-8", raw: "" }]);
});

test("runFiles over a folder of CloudTrail .json.gz exports writes DuckDB's rows of unnest(Records)", async () => {
  const { gzipSync } = await import("node:zlib");
  const { mkdirSync } = await import("node:fs");
  const { listInputs } = await import("./read-inputs.ts");
  const { notebook } = parseNotebook(
    "---\nsources:\n  ct:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=records\nSELECT unnest(Records) AS r FROM ct\n```\n\n```sql id=o sink=out\nSELECT r.eventID AS id, r.userIdentity.userName AS who FROM records\n```\n",
    "ct.md",
  );
  const rec = (id: string, who: string | null) => ({ eventID: id, eventTime: "2026-11-22T00:00:00Z", userIdentity: who === null ? { type: "AWSService" } : { type: "IAMUser", userName: who } });
  const db = await openDuckDB({ threads: 1 });
  let plan;
  try {
    await loadEvents(db, "ct", [{ Records: [rec("s1", "ada"), rec("s2", null)] }]);
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
  const folder = join(dir, "AWSLogs");
  mkdirSync(join(folder, "2026", "11", "22"), { recursive: true });
  writeFileSync(join(folder, "2026", "11", "22", "a_CloudTrail_0000Z.json.gz"), gzipSync(JSON.stringify({ Records: [rec("e1", "ada"), rec("e2", null)] })));
  writeFileSync(join(folder, "2026", "11", "22", "a_CloudTrail_0005Z.json.gz"), gzipSync(JSON.stringify({ Records: [] }, null, 2)));
  writeFileSync(join(folder, "2026", "11", "22", "a_CloudTrail_0010Z.json.gz"), gzipSync(JSON.stringify({ Records: [rec("e3", "bob")] }, null, 4)));
  const out = join(dir, "ct-out");
  const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.out!);
  const result = await runFiles({ plan, inputs: { ct: await listInputs(folder) }, targets: { out: { spec, opened: openSink(spec) } }, parquet: runnelWriter });
  expect({ events: result.events, rows: result.rows, deadLetters: result.deadLetters }).toEqual({ events: 3, rows: 3, deadLetters: 0 });
});

test("a Parquet file not named .parquet is read as Parquet; bzip2, xz and zip files are one dead letter saying so", async () => {
  const parq = join(dir, "rows.parq");
  const db = await openDuckDB({ threads: 1 });
  try {
    await db.run(`COPY (SELECT 1 AS id, 'x' AS s) TO '${parq}' (FORMAT parquet)`);
  } finally {
    db.close();
  }
  expect(await all({ path: parq, mtimeMs: 0, format: formatOf(parq) })).toEqual([{ id: 1, s: "x" }]);
  const bz = join(dir, "a.ndjson.bz2");
  writeFileSync(bz, Buffer.concat([Buffer.from("BZh91AY&SY"), Buffer.alloc(20)]));
  expect(events(await all({ path: bz, mtimeMs: 0, format: formatOf(bz) }))).toEqual([{ dead: "a bzip2 file is not read (DuckDB reads gzip and zstd); decompress it first", raw: "" }]);
  const zip = join(dir, "export.zip");
  writeFileSync(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(20)]));
  expect(events(await all({ path: zip, mtimeMs: 0, format: formatOf(zip) }))).toEqual([{ dead: "a zip archive is not read (DuckDB reads gzip and zstd); decompress it first", raw: "" }]);
  const csv = join(dir, "bzh.csv");
  writeFileSync(csv, "BZhang\n1\n");
  expect(await all({ path: csv, mtimeMs: 0, format: "csv" })).toEqual([{ BZhang: "1" }]);
});

test("records are cut the same whatever chunks the bytes arrive in (a byte order mark, a string, a line split across reads)", () => {
  const records = [{ id: 1, s: 'q"u]o}te\\', t: ["[{", { a: "\n" }] }, { id: 2, s: "日本", t: [] }, { id: 3, s: "", t: null }];
  const shapes = [
    "\uFEFF" + records.map((r) => JSON.stringify(r)).join("\r\n"),
    records.map((r) => JSON.stringify(r, null, 2)).join("\n") + "\n",
    JSON.stringify(records, null, 1),
    JSON.stringify(records),
  ];
  // Arrays one after another: each array is one record, whole (read_json's reading).
  const arrays = records.map((r) => JSON.stringify([r])).join(" \n");
  for (const text of [...shapes, arrays]) {
    const expected = text === arrays ? records.map((r) => [r]) : records;
    const bytes = Buffer.from(text);
    for (const step of [1, 2, 3, 5, 7, 64]) {
      const cutter = new RecordCutter();
      const pieces = [];
      for (let at = 0; at < bytes.length; at += step) pieces.push(...cutter.feed(bytes.subarray(at, at + step)));
      pieces.push(...cutter.finish());
      expect({ text, step, got: pieces.map((p) => JSON.parse(p.bytes.toString("utf8"))) }).toEqual({ text, step, got: expected });
    }
  }
});

test("a CSV record short of several fields is one dead letter, not one per missing field", async () => {
  const csv = join(dir, "bank-short.csv");
  writeFileSync(csv, "Payee,Booking Date,Value Date,Memo,Amount\nACME,01/02/2024,02/02/2024,x,1\nShort Row,03/02/2024\nToo,04/02/2024,05/02/2024,m,1,EXTRA\nFine,05/02/2024,,,-3\n");
  const read = await all({ path: csv, mtimeMs: 0, format: "csv" });
  expect(read.filter((e) => !(e instanceof UnreadableEvent)).map((e) => (e as { Payee: string }).Payee)).toEqual(["ACME", "Fine"]);
  expect(read.filter((e) => e instanceof UnreadableEvent)).toEqual([
    new UnreadableEvent(`run: ${csv} line 3: Expected Number of Columns: 5 Found: 2`, "Short Row,03/02/2024"),
    new UnreadableEvent(`run: ${csv} line 4: Expected Number of Columns: 5 Found: 6`, "Too,04/02/2024,05/02/2024,m,1,EXTRA"),
  ]);
});

test("a Parquet TIMESTAMP or TIME column with a value on a whole second is a TIMESTAMP (TIME) to the sample and the lake, as read_parquet reads it, not text", async () => {
  const path = join(dir, "times.parquet");
  const db = await openDuckDB({ threads: 1 });
  try {
    await db.run(
      `COPY (SELECT * FROM (VALUES (1, TIMESTAMP '2024-01-02 03:04:05.123', TIME '01:02:03.5'), (2, TIMESTAMP '2024-01-02 03:04:06', TIME '01:02:04'), (3, NULL, NULL), (4, TIMESTAMP '1900-01-01 00:00:00', TIME '00:00:00')) v(id, ts, t)) TO '${path}' (FORMAT parquet)`,
    );
  } finally {
    db.close();
  }
  const text = "---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT id, ts, t FROM ev\n```\n";
  const { notebook } = parseNotebook(text, "times.md");
  const sample = await readSampleFile(notebook, "ev", path);
  const check = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(check, "ev", sample);
    const plan = compilePlan(await gatherCompileInputs(check, notebook));
    expect(plan.sources.ev!.schema.filter((c) => c.name !== "id").map((c) => `${c.name} ${c.type}`)).toEqual(["ts TIMESTAMP", "t TIME"]);
    const out = join(dir, "times-out");
    const spec = parseSinkOverride(`fs:${out}`, notebook.sinks.out!);
    const result = await runFiles({ plan, inputs: { ev: [{ path, mtimeMs: 0, format: "parquet" }] }, targets: { out: { spec, opened: openSink(spec) } }, parquet: runnelWriter });
    expect({ rows: result.rows, deadLetters: result.deadLetters }).toEqual({ rows: 4, deadLetters: 0 });
    const lake = `SELECT id, ts, t FROM read_parquet('${out}/**/*.parquet') ORDER BY id`;
    const file = `SELECT id::BIGINT AS id, ts, t FROM read_parquet('${path}') ORDER BY id`;
    expect((await check.read(`DESCRIBE ${lake}`)).getRows().map((r) => r[1])).toEqual((await check.read(`DESCRIBE ${file}`)).getRows().map((r) => r[1]));
    expect((await check.read(`SELECT id, ts::VARCHAR, t::VARCHAR FROM (${lake})`)).getRows()).toEqual((await check.read(`SELECT id, ts::VARCHAR, t::VARCHAR FROM (${file})`)).getRows());
  } finally {
    check.close();
  }
});

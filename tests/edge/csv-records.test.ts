import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { compilePlan } from "../../edge/compile/compile.ts";
import { gatherCompileInputs } from "../../edge/compile/inputs.node.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compareDataset, download, startEdge } from "./harness.ts";

/**
 * CSV records at the edges of RFC 4180, read by the sample's decoder and the Worker as DuckDB's
 * read_csv reads them with the dialect the runtimes read CSV with (header line, `"` quotes).
 *
 * An exporter that ends every record but the header with the delimiter (`1,1.5,x,` under
 * `id,amount,name`). read_csv, with the dialect the runtimes read CSV with, drops fields past the
 * header's when they are all empty, and `runnel run --input` (DuckDB) wrote those rows; the
 * sample's decoder and the Worker made each record a dead letter. One whose extra field holds
 * something is refused by all of them.
 */
const NOTEBOOK = `---
title: CSV trailing delimiter
sources:
  ev:
    webhook: { signature: none }
    format: csv
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT id, amount * 2 AS twice, upper(name) AS name_u FROM ev
\`\`\`
`;

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("records ending in a delimiter (empty fields past the header's) are read as read_csv reads them, by the sample and the Worker alike", async () => {
  const { notebook, issues } = parseNotebook(NOTEBOOK, "trailing.md");
  expect(issues).toEqual([]);
  const body = 'id,amount,name\n1,1.5,"Zoë, A",\n2,,bob,,\n3,7,x,""\n4,2,kept,extra\n';
  const dir = mkdtempSync(join(tmpdir(), "runnel-csv-trailing-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "posted.csv");
  writeFileSync(file, body);
  const decoded = decodePayload(body, "csv", 0);
  expect(decoded.map((e) => (e.ok ? "ok" : e.error))).toEqual(["ok", "ok", "ok", "decode: CSV record on line 5 has 4 fields, the header has 3"]);
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "ev", decoded.flatMap((e) => (e.ok ? [e.value] : [])), { format: "csv" });
    const plan = compilePlan(await gatherCompileInputs(db, notebook));
    // DuckDB's reading of the posted bytes with the runtimes' dialect: the reference, the refused record left out.
    await db.run(`CREATE OR REPLACE TABLE ev AS SELECT * FROM read_csv('${file}', header = true, delim = ',', quote = '"', escape = '"', ignore_errors = true)`);
    expect((await db.read("SELECT count(*) FROM ev")).getRows()).toEqual([[3n]]);
    const edge = await startEdge({ name: "csv-trailing", plan, notebook });
    cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
    cleanup.push(() => edge.dispose());
    expect((await edge.post("ev", body, { "content-type": "text/csv" })).status).toBe(202);
    expect((await edge.flush()).status).toBe(200);
    const keys = await download(await edge.r2(), "", join(dir, "r2"));
    const r = await compareDataset(db, { sql: notebook.cells.find((c) => c.sink === "out")!.code, glob: `${dir}/r2/out/**/*.parquet`, plan, sink: "out" });
    expect(r).toEqual({ expected: 3, got: 3, missing: 0, extra: 0 });
    // The record with something past the header is the one dead letter.
    expect(keys.filter((k) => k.includes("_errors/"))).toHaveLength(1);
  } finally {
    db.close();
  }
});

test("a one-column export's blank lines are NULL rows, as read_csv reads them, in the sample and the Worker; other exports skip them", async () => {
  const text = NOTEBOOK.replace("title: CSV trailing delimiter", "title: CSV blank lines").replace(
    "SELECT id, amount * 2 AS twice, upper(name) AS name_u FROM ev",
    "SELECT email, email IS NULL AS missing FROM ev",
  );
  const { notebook, issues } = parseNotebook(text, "blank.md");
  expect(issues).toEqual([]);
  // A list of addresses with gaps, a quoted empty one, CRLF line ends.
  const body = 'email\r\na@x.io\r\n\r\nb@x.io\r\n""\r\n\r\nc@x.io\r\n';
  const dir = mkdtempSync(join(tmpdir(), "runnel-csv-blank-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "posted.csv");
  writeFileSync(file, body);
  const db = await openDuckDB({ threads: 1 });
  try {
    const reading = `read_csv('${file}', header = true, delim = ',', quote = '"', escape = '"')`;
    const duckdb = (await db.read(`SELECT email FROM ${reading}`)).getRows().map(([v]) => v);
    expect(duckdb).toEqual(["a@x.io", null, "b@x.io", null, null, "c@x.io"]);
    const decoded = decodePayload(body, "csv", 0);
    expect(decoded.map((e) => (e.ok ? (e.value as { email: unknown }).email : e.error))).toEqual(duckdb);
    await loadEvents(db, "ev", decoded.flatMap((e) => (e.ok ? [e.value] : [])), { format: "csv" });
    const plan = compilePlan(await gatherCompileInputs(db, notebook));
    // DuckDB's own reading of the posted bytes: the reference.
    await db.run(`CREATE OR REPLACE TABLE ev AS SELECT * FROM ${reading}`);
    const edge = await startEdge({ name: "csv-blank", plan, notebook });
    cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
    cleanup.push(() => edge.dispose());
    expect((await edge.post("ev", body, { "content-type": "text/csv" })).status).toBe(202);
    expect((await edge.flush()).status).toBe(200);
    await download(await edge.r2(), "", join(dir, "r2"));
    const r = await compareDataset(db, { sql: notebook.cells.find((c) => c.sink === "out")!.code, glob: `${dir}/r2/out/**/*.parquet`, plan, sink: "out" });
    expect(r).toEqual({ expected: 6, got: 6, missing: 0, extra: 0 });
  } finally {
    db.close();
  }
  // Two columns: the blank lines are no records, in all three readers.
  const two = "id,v\n1,a\n\n2,b\n";
  expect(decodePayload(two, "csv", 0).map((e) => (e.ok ? e.value : e.error))).toEqual([{ id: "1", v: "a" }, { id: "2", v: "b" }]);
});

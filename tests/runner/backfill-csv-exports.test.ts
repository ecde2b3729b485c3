/**
 * `runnel run --input` over CSV exports as they reach a data engineer: a file cut off inside a
 * quoted field (a download that broke, a disk that filled). The bundle is published from a clean
 * sample, the cut file is run, and DuckDB reads the Parquet back: the records before the cut are
 * the rows read_csv gives for them, and the cut record is a dead letter naming the file and line.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { runnel } from "./harness.ts";

const NOTEBOOK = `---
title: Orders export
sources:
  orders:
    webhook: { path: /orders, signature: none }
    format: csv
sinks:
  out:
    fs: { dir: out }
---

\`\`\`sql id=out sink=out
SELECT id, customer, note, amount * 2 AS twice FROM orders
\`\`\`
`;

const HEADER = "id,customer,note,amount";
// Quoted fields with the delimiter, a doubled quote and a line break inside, as spreadsheets export them.
const RECORDS = ['1,"Smith, John","said ""hi""",1.5', '2,Zoë,"two\nlines",2', '3,"Müller, A.",,7.25'];
const CUT = '4,"Doe, Jane","left open';

let work: string;
let db: DuckDB;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-csv-exports-"));
  await writeFile(join(work, "orders.md"), NOTEBOOK);
  await writeFile(join(work, "sample.csv"), `${HEADER}\n${RECORDS.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "orders.md"), "--sample", `orders=${join(work, "sample.csv")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  db = await openDuckDB({ threads: 1 });
}, 120_000);

afterAll(() => db?.close());

/** Runs the bundle over `input`; the rows DuckDB reads back from the Parquet, and the dead letters. */
async function backfill(name: string, input: string): Promise<{ rows: unknown[]; letters: { reason: string; raw: string }[]; stdout: string }> {
  const out = join(work, `out-${name}`);
  const run = spawnSync(process.execPath, [runnel, "run", join(work, "dist", "orders"), "--input", `orders=${input}`, "--sink", `out=fs:${out}`], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const rows = (await db.read(`SELECT id, customer, note, twice FROM read_parquet('${join(out, "out", "*.parquet")}') ORDER BY id`)).getRowObjectsJson();
  const errors = join(out, "_errors");
  const letters: { reason: string; raw: string }[] = [];
  for (const f of await readdir(errors, { recursive: true }).catch(() => [] as string[])) {
    if (!f.endsWith(".ndjson")) continue;
    for (const line of (await readFile(join(errors, f), "utf8")).split("\n").filter(Boolean)) letters.push(JSON.parse(line) as { reason: string; raw: string });
  }
  return { rows, letters, stdout: run.stdout + run.stderr };
}

test("a CSV export cut off inside a quoted field: the records before the cut are written as read_csv reads them, the cut one is a dead letter with its line", async () => {
  const cut = join(work, "orders-cut.csv");
  await writeFile(cut, `${HEADER}\n${RECORDS.join("\n")}\n${CUT}`);
  const { rows, letters } = await backfill("cut", cut);
  // DuckDB's answer for the records before the cut, read from a copy of the file that ends there.
  const whole = join(work, "orders-whole.csv");
  await writeFile(whole, `${HEADER}\n${RECORDS.join("\n")}\n`);
  const expected = (await db.read(`SELECT id, customer, note, amount * 2 AS twice FROM read_csv('${whole}') ORDER BY id`)).getRowObjectsJson();
  expect(expected).toHaveLength(3);
  expect(rows).toEqual(expected);
  expect(letters).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^run: .*orders-cut\.csv line \d+: Value with unterminated quote found\.$/), raw: CUT })]);
});

test("a refused CSV record is a dead letter naming the line an editor shows, and one that is not UTF-8 keeps its bytes", async () => {
  // A Windows export (CRLF) with a quoted line break above the refused records, one record in Latin-1, one with a field too many.
  const latin1 = Buffer.from("2,Caf\xe9 Cr\xe8me,x,2", "latin1");
  const file = join(work, "orders-refused.csv");
  await writeFile(file, Buffer.concat([Buffer.from(`${HEADER}\r\n1,"Smith, John","two\r\nlines",1.5\r\n`), latin1, Buffer.from("\r\n3,ok,,7,extra\r\n4,fine,,1\r\n")]));
  const { rows, letters } = await backfill("refused", file);
  const expected = (await db.read(`SELECT id, customer, note, amount * 2 AS twice FROM read_csv('${file}', header = true, delim = ',', quote = '"', escape = '"', ignore_errors = true) ORDER BY id`)).getRowObjectsJson();
  expect(expected.map((r) => r.id)).toEqual(["1", "4"]);
  expect(rows).toEqual(expected);
  // Lines 4 and 5 as an editor numbers them (DuckDB counts records: 3 and 4); the raw gives the file's bytes back.
  expect(letters.map((l) => l.reason.replace(/^run: .*orders-refused\.csv /, ""))).toEqual([
    "line 4: Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded.",
    "line 5: Expected Number of Columns: 4 Found: 5",
  ]);
  expect(Buffer.from(letters[0]!.raw, "latin1")).toEqual(latin1);
  expect(letters[1]!.raw).toBe("3,ok,,7,extra");
});

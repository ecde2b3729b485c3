/**
 * A CSV webhook body's quoted fields as DuckDB's read_csv reads them (quote and escape `"`, the dialect the
 * file runner pins), checked against DuckDB itself on the same bytes: one space before an opening quote and
 * any after the closing one are dropped (`1, "a,b"` — a spreadsheet's "comma and space" export — was a dead
 * letter of 3 fields, `"x" ,2` kept `x `), two spaces make the field plain text, and text after a closing
 * quote (`"x"y`) is a record read_csv refuses, a dead letter naming its line (it was written as `xy`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { BodyError, parseBody } from "./parse.ts";

let db: DuckDB;
let dir: string;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), "runnel-parse11-"));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** What read_csv makes of `text` (header `a,b`, the dialect pinned, store_rejects): its rows, and the lines it rejects. */
async function duckdb(text: string): Promise<{ rows: Record<string, string | null>[]; rejectedLines: number[] }> {
  n++;
  const file = join(dir, `body${n}.csv`);
  writeFileSync(file, text);
  const result = await db.read(
    `SELECT * FROM read_csv('${file}', delim = ',', quote = '"', escape = '"', header = true, auto_detect = false, columns = {'a': 'VARCHAR', 'b': 'VARCHAR'}, store_rejects = true, rejects_table = 'rejects${n}', rejects_scan = 'scans${n}')`,
  );
  const rows = result.getRowObjectsJson() as Record<string, string | null>[];
  const rejects = await db.read(`SELECT DISTINCT line FROM rejects${n} ORDER BY line`);
  return { rows, rejectedLines: rejects.getRowsJson().map((r) => Number(r[0])) };
}

const fields = [' "x"', '"x" ', '"x"   ', ' "x" ', '  "x"', '  "x"  ', ' "x,y"', '"x,y"  ', ' ""', '"" ', ' " "', ' "a""b" ', '"x"y', '"x" y', ' "x"\t', '\t"x"', 'x "y"', '"x\\"y"'];

test.each(fields.flatMap((field) => [`a,b\n${field},2\n3,4\n`, `a,b\n1,${field}\n3,4\n`, `a,b\r\n1,${field}\r\n3,4\r\n`]))("csv body %j reads as read_csv reads it", async (text) => {
  const want = await duckdb(text);
  const got = parseBody(new TextEncoder().encode(text), "csv");
  expect(got.events).toEqual(want.rows);
  // Each record read_csv rejects is a dead letter naming its line, and its text.
  expect(got.bad.map((b) => Number(/on line (\d+)/.exec(b.reason)?.[1]))).toEqual(want.rejectedLines);
  for (const b of got.bad) expect(b.reason).toMatch(/after a quoted field's closing quote \(line \d+, column \d+\).*quote the whole field/);
});

test("a spreadsheet export with a space after each comma keeps its columns, the commas inside quotes too", () => {
  const got = parseBody(new TextEncoder().encode('id, name, city\n1, "Smith, Jo", "Paris"\n2, "Lee", "Rome, IT" \n'), "csv");
  expect(got.bad).toEqual([]);
  expect(got.events).toEqual([
    { id: "1", name: "Smith, Jo", city: "Paris" },
    { id: "2", name: "Lee", city: "Rome, IT" },
  ]);
});

test("text after a quoted field's closing quote is a dead letter with its line and column, the other records rows", () => {
  const got = parseBody(new TextEncoder().encode('a,b\n1,2\n3,"x"y\n5,6\n'), "csv");
  expect(got.events).toEqual([{ a: "1", b: "2" }, { a: "5", b: "6" }]);
  expect(got.bad).toEqual([
    {
      reason: `parse: CSV record on line 3 has "y" after a quoted field's closing quote (line 3, column 6), which read_csv refuses (Value with unterminated quote found): quote the whole field, doubling the quotes inside it`,
      raw: '3,"x"y',
    },
  ]);
});

test("a header line with text after a closing quote refuses the body with where it is (a 400), as nothing can be named", () => {
  let error: unknown;
  try {
    parseBody(new TextEncoder().encode('"a"b,c\n1,2\n'), "csv");
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BodyError);
  expect((error as BodyError).message).toMatch(/^parse: CSV record on line 1 has "b" after a quoted field's closing quote \(line 1, column 4\)/);
  expect((error as BodyError).position).toEqual({ offset: 3, line: 1, column: 4 });
});

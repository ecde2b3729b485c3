/**
 * Events with an object that writes a key twice, read against a pinned schema: the event parser
 * keeps such an object (`parseEventJson(text, realsMatter, "keep")`) and the event converter reads
 * it as DuckDB's `read_json(..., columns = {...})` does. Every answer is DuckDB's, asked here: the
 * row it reads, or the words it refuses the record with (after "in line 1: "; ours carry the
 * field's place before them, `field a[0]: `).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { showRow } from "../check/compare.ts";
import { parseEventJson } from "../duckdb/lossless-json.ts";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { queryRows } from "../duckdb/query-rows.node.ts";
import type { Schema } from "../plan/values.ts";
import { eventConverter, integersAtText } from "./convert.ts";
import { defaultLibrary } from "./library.ts";

let db: DuckDB;
let dir: string;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), "runnel-repeated-keys-"));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

type Columns = Record<string, string>;
const schemaOf = (columns: Columns): Schema => Object.entries(columns).map(([name, type]) => ({ name, type }));

let files = 0;
/** DuckDB's read_json of one record with the columns pinned: its row, or its words. */
async function duckdbReads(text: string, columns: Columns): Promise<string> {
  const file = join(dir, `e${files++}.json`);
  writeFileSync(file, `${text}\n`);
  const pinned = Object.entries(columns).map(([name, type]) => `'${name}': '${type}'`).join(", ");
  try {
    return showRow((await queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${pinned}})`)).rows[0]!);
  } catch (error) {
    const words = /in line 1: (.*)/.exec((error as Error).message);
    return `refused: ${words ? words[1] : (error as Error).message}`;
  }
}

/** The pipeline's reading of the same record: the Worker's and the runners' parser, then the event converter. */
function pipelineReads(text: string, columns: Columns): string {
  const schema = schemaOf(columns);
  try {
    const row = eventConverter(schema, defaultLibrary)(parseEventJson(text, integersAtText(schema), "keep"));
    return showRow(Object.fromEntries(schema.map((c, i) => [c.name, row[i]!])));
  } catch (error) {
    return `refused: ${(error as Error).message.replace(/^field [^ ]+: /, "")}`;
  }
}

describe("an object that writes a key twice, read against a pinned schema", () => {
  const cases: [string, Columns][] = [
    // Where DuckDB does not read it into columns: kept.
    ['{"a":{"x":1,"x":2},"b":1}', { a: "JSON", b: "INTEGER" }],
    ['{"a":{"x" : 10.0, "x":"\\u0001é", "y":1e2, "z":{"q":1,"q":[2]}},"b":1}', { a: "JSON", b: "INTEGER" }],
    ['{"a":{"x":1,"x":2},"b":1}', { a: "VARCHAR", b: "INTEGER" }],
    ['{"a":[{"x":1,"x":2}],"b":1}', { a: "VARCHAR", b: "INTEGER" }],
    ['{"a":[{"x":1,"x":2}],"b":1}', { a: "JSON[]", b: "INTEGER" }],
    ['{"a":{"x":1,"x":2},"b":1}', { a: "MAP(VARCHAR, INTEGER)", b: "INTEGER" }],
    ['{"a":{"x":{"p":1,"p":2},"x":{"q":3}}}', { a: "MAP(VARCHAR, JSON)" }],
    ['{"a":{"x":1,"x":2},"b":1}', { b: "INTEGER" }],
    ['{"a":1,"a":2,"b":1}', { b: "INTEGER" }],
    ['{"a":{"x":1,"x":2},"b":1}', { a: "STRUCT(y INTEGER)", b: "INTEGER" }],
    ['{"a":{"x":1,"y":{"z":1,"z":2}},"b":1}', { a: "STRUCT(x INTEGER)", b: "INTEGER" }],
    ['{"a":{"x":1,"y":{"z":1,"z":2}},"b":1}', { a: "STRUCT(x INTEGER, y JSON)", b: "INTEGER" }],
    ['{"__proto__":1,"__proto__":2,"b":1}', { b: "INTEGER" }],
    // Where it does: refused, naming the object DuckDB names.
    ['{"a":1,"a":2,"b":1}', { a: "INTEGER", b: "INTEGER" }],
    ['{"a":1,"a":2,"b":1}', { a: "JSON", b: "INTEGER" }],
    ['{"a":{"x":1,"x":2},"b":1}', { a: "STRUCT(x INTEGER)", b: "INTEGER" }],
    ['{"a":[{"x":1,"x":2}],"b":1}', { a: "STRUCT(x INTEGER)[]", b: "INTEGER" }],
    ['{"a":{"x":{"p":1,"p":2},"x":2}}', { a: "MAP(VARCHAR, STRUCT(p INTEGER))" }],
    ['{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":1,"b":{"c":1},"b":2}', { b: "JSON" }],
    // Several: the last DuckDB sets, record before fields, fields in the schema's order, a list's first element.
    ['{"a":{"x":1,"x":2},"c":{"y":1,"y":2}}', { a: "STRUCT(x INTEGER)", c: "STRUCT(y INTEGER)" }],
    ['{"a":{"x":1,"x":2},"c":{"y":1,"y":2}}', { c: "STRUCT(y INTEGER)", a: "STRUCT(x INTEGER)" }],
    ['{"a":{"x":1,"x":2},"a":3}', { a: "STRUCT(x INTEGER)" }],
    ['{"b":2,"b":3,"a":{"x":1,"x":2}}', { a: "JSON", b: "INTEGER" }],
    ['{"a":{"x":1,"x":2},"b":2,"b":3}', { a: "STRUCT(x INTEGER)", b: "INTEGER" }],
    ['{"a":[{"x":1,"x":2},{"y":1,"y":2}]}', { a: "STRUCT(x INTEGER, y INTEGER)[]" }],
    ['{"a":[{"x":1,"x":2,"y":1,"y":2}]}', { a: "STRUCT(y INTEGER, x INTEGER)[]" }],
    ['{"a":[[{"x":1,"x":2}],[{"y":1,"y":2}]]}', { a: "STRUCT(x INTEGER, y INTEGER)[][]" }],
    ['{"a":[{"b":{"x":1,"x":2}},{"b":{"y":1,"y":2},"b":3}]}', { a: "STRUCT(b STRUCT(x INTEGER, y INTEGER))[]" }],
    // With a value that does not convert: the first value is read, and the later error stands.
    ['{"a":1,"a":"zz"}', { a: "INTEGER" }],
    ['{"a":"zz","a":1}', { a: "INTEGER" }],
    ['{"a":{"x":1,"x":2},"b":"zz"}', { a: "STRUCT(x INTEGER)", b: "INTEGER" }],
    ['{"b":"zz","b":1,"a":{"x":1,"x":2}}', { b: "INTEGER", a: "STRUCT(x INTEGER)" }],
    ['{"a":[{"x":"zz"},{"x":1,"x":2}]}', { a: "STRUCT(x INTEGER)[]" }],
    ['{"c":{"y":1,"y":2},"a":{"x":"zz"}}', { c: "STRUCT(y INTEGER)", a: "STRUCT(x INTEGER)" }],
  ];
  test.each(cases)("%s with columns %j reads as read_json reads it", async (text, columns) => {
    expect(pipelineReads(text, columns)).toBe(await duckdbReads(text, columns));
  });

  test("a column the plan leaves unread still makes DuckDB refuse a record that writes its key twice", async () => {
    const columns = { a: "VARCHAR", b: "INTEGER" };
    const schema = schemaOf(columns);
    // Only b is read (the plan's `reads`): a VARCHAR column outside it is not converted.
    const convert = eventConverter(schema, defaultLibrary, new Set([1]));
    const text = '{"a":"p","a":"q","b":1}';
    let mine: string;
    try {
      mine = showRow({ b: convert(parseEventJson(text, undefined, "keep"))[1]! });
    } catch (error) {
      mine = `refused: ${(error as Error).message}`;
    }
    expect(mine).toBe(await duckdbReads(text, columns));
    expect(convert(parseEventJson('{"a":{"x":1,"x":2},"b":1}', undefined, "keep"))[1]).toBe(1);
  });
});

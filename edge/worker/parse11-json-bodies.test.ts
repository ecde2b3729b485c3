/**
 * JSON webhook bodies as DuckDB's read_json reads the same bytes (the oracle): a body read_json takes is events
 * (as many as its rows), one it refuses a BodyError (the Worker's 400) with where. A top-level array with a comma
 * before its closing bracket was taken whole, though read_json refuses it; a trailing comma inside a record is
 * DuckDB's too (yyjson takes it) and stays taken.
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
  dir = mkdtempSync(join(tmpdir(), "runnel-parse11-json-"));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function readJson(body: Uint8Array): Promise<number | "refused"> {
  const file = join(dir, `body${n++}.json`);
  writeFileSync(file, body);
  try {
    // A body with a BOM as format 'array' reads it: 'auto' reads an array after a BOM as one row holding the list
    // (the Worker, like the notebook's sample, reads its events).
    const array = body[0] === 0xef && new TextDecoder().decode(body).replace(/^[\ufeff\s]+/, "").startsWith("[");
    return Number((await db.read(`SELECT count(*) FROM read_json('${file}', format = '${array ? "array" : "auto"}')`)).getRowsJson()[0]![0]);
  } catch {
    return "refused";
  }
}

const enc = new TextEncoder();
const bom = (text: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode(text)]);
const bodies: [string, Uint8Array][] = [
  ["an array with a trailing comma", enc.encode('[{"a":1},]')],
  ["a pretty-printed array with a trailing comma", enc.encode('[\n  {"a": 1},\n  {"a": 2},\n]\n')],
  ["an array of scalars with a trailing comma and spaces", enc.encode("[1, 2 , ]")],
  ["nested arrays with a trailing comma at the top", enc.encode("[[1,],]")],
  ["a trailing comma inside a record", enc.encode('{"a":[1,2,],"b":{"c":1,},}')],
  ["an array whose record has a trailing comma", enc.encode('[{"a":1,},{"a":2}]')],
  ["a BOM, CRLF and blank lines around an array", bom('\r\n[\r\n {"a":1} ,\r\n\r\n {"a":2}\r\n]\r\n')],
  ["one scalar", enc.encode("42")],
  ["null", enc.encode("null")],
  ["an array of scalars", enc.encode('[1,"x",null]')],
  ["an empty array", enc.encode("[ ]")],
  ["a comma that is text", enc.encode('[{"a":"x,]"}]')],
  // (`[{"a":1},` at the end of the body DuckDB reads as one row; the Worker refuses a body cut short after a comma too.)
  ["an array that is not closed", enc.encode('[{"a":1}')],
  ["a leading comma", enc.encode('[,{"a":1}]')],
  ["two commas", enc.encode('[{"a":1},,{"a":2}]')],
  ["a lone surrogate", enc.encode('{"a":"\\ud800"}')],
  ["a control character in a string", enc.encode('{"a":"x\ty"}')],
  ["an integer with a leading zero", enc.encode('{"a":01}')],
  ["invalid UTF-8", new Uint8Array([...enc.encode('{"a":"'), 0xff, ...enc.encode('"}')])],
  ["an overlong encoding", new Uint8Array([...enc.encode('{"a":"'), 0xc0, 0xaf, ...enc.encode('"}')])],
];

test.each(bodies)("json body: %s is taken or refused as read_json takes or refuses it", async (_name, body) => {
  const want = await readJson(body);
  let got: number | "refused";
  try {
    got = parseBody(body, "json").events.length;
  } catch (error) {
    expect(error).toBeInstanceOf(BodyError);
    got = "refused";
  }
  expect(got).toBe(want);
});

test("a trailing comma after the array's last event is a 400 with the comma's line and column", () => {
  let error: unknown;
  try {
    parseBody(enc.encode('[\n  {"a": 1},\n  {"a": 2},\n]\n'), "json");
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BodyError);
  expect((error as BodyError).message).toBe(`parse: malformed JSON: a comma before the closing "]" of the body's array (line 3, column 11), which DuckDB's read_json refuses; remove the comma after the last event`);
  expect((error as BodyError).position).toEqual({ offset: 24, line: 3, column: 11 });
});

test.each([
  ['{"msg": "line 1\nline 2"}', "a line break (LF) inside a string (unescaped; write it as \\n) at offset 15 (line 1, column 16)", 15],
  ['{"msg": "a\tb"}', "a tab inside a string (unescaped; write it as \\t) at offset 10 (line 1, column 11)", 10],
  ['{"msg": "a\u0000b"}', "a NUL byte inside a string (unescaped; write it as \\u0000) at offset 10 (line 1, column 11)", 10],
  ['{"msg": "a\u0007b"}', "the control character U+0007 inside a string (unescaped; write it as \\u0007) at offset 10 (line 1, column 11)", 10],
  ['{"path": "C:\\temp"}', "an invalid escape \\t", null],
  ['{"path": "C:\\Users"}', "an invalid escape \\U inside a string (JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) at offset 12 (line 1, column 13)", 12],
  ['{"id": "\\u00e"}', "an escape \\u not followed by 4 hex digits inside a string at offset 8 (line 1, column 9)", 8],
  ['[{"a": 1},\n {"msg": "never closed}]', "a string that is never closed (no ending quote) at offset 20 (line 2, column 10)", 20],
])("a JSON body read_json refuses for a string (%j) is a 400 that says what in the string and where", async (text, what, offset) => {
  const body = enc.encode(text);
  if (offset === null) {
    // `\t` is a tab escape: the body is JSON, read as DuckDB reads it.
    expect(await readJson(body)).toBe(1);
    expect(parseBody(body, "json").events).toEqual([{ path: "C:\temp" }]);
    return;
  }
  expect(await readJson(body)).toBe("refused");
  let error: unknown;
  try {
    parseBody(body, "json");
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BodyError);
  expect((error as BodyError).message).toBe(`parse: malformed JSON: ${what}`);
  expect((error as BodyError).position?.offset).toBe(offset);
});

test.each([
  ["a pretty-printed payload", '{\r\n  "id": "evt_1",\r\n  "object": "event"\r\n}\r\n', "one JSON value spread over 4 lines"],
  ["an array with an event a line", '[\n{"id": 1},\n{"id": 2}\n]\n', "one JSON array of 2 events spread over 4 lines"],
])("%s posted to an NDJSON source is a 400 naming format: json, as read_json refuses it as NDJSON (it was dead letters a line, acked)", async (_name, text, what) => {
  const body = enc.encode(text);
  const file = join(dir, `pretty${n++}.ndjson`);
  writeFileSync(file, body);
  await expect(db.read(`SELECT * FROM read_json('${file}', format = 'newline_delimited')`)).rejects.toThrow(/Malformed JSON/);
  let error: unknown;
  try {
    parseBody(body, "ndjson");
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BodyError);
  expect((error as BodyError).message).toBe(
    `parse: the body is ${what} (pretty-printed JSON), and a ndjson source reads one JSON value per line: set the source's format: json, or send each event on one line`,
  );
  // NDJSON with a bad line among good ones stays what it was: the bad line a dead letter, the others events.
  expect(parseBody(enc.encode('{"id": 1}\n{"id": \n{"id": 3}\n'), "ndjson")).toMatchObject({ events: [{ id: 1 }, { id: 3 }], bad: [{ reason: expect.stringMatching(/^line 2: /) }] });
});

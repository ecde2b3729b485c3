import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { queryRows } from "../../edge/duckdb/query-rows.node.ts";
import { JsonReal } from "../../edge/duckdb/lossless-json.ts";
import { Sampler } from "../sample/sampler.ts";
import { decodePayload } from "./decode.ts";

const sampler = new Sampler();
const dir = mkdtempSync(join(tmpdir(), "runnel-decode-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("decodes a real with an integral value as the real it was, big integers exactly, the rest as JSON.parse does", () => {
  const [event] = decodePayload('{"price": 10.0, "qty": 3, "id": 12345678901234567890, "note": "v1.0"}', "json", 0);
  expect(event).toMatchObject({ ok: true, value: { price: new JsonReal(10), qty: 3, id: 12345678901234567890n, note: "v1.0" } });
  const lines = decodePayload('{"a": 1e2}\n{"a": 2}\n', "ndjson", 0).map((e) => (e.ok ? e.value : e));
  expect(lines).toEqual([{ a: new JsonReal(100) }, { a: 2 }]);
});

test("a sample is typed and shown as DuckDB's read_json types and shows the same text", async () => {
  // A producer that writes every float with a fraction (Python does), and a field of mixed kinds.
  const text = ['{"price": 10.0, "mixed": "N/A", "meta": {"score": 1.0}}', '{"price": 12.0, "mixed": 12.0, "meta": {"score": [2.0, 3]}}'].join("\n");
  const file = join(dir, "sample.ndjson");
  writeFileSync(file, `${text}\n`);
  const db = await openDuckDB({ threads: 1 });
  try {
    const duck = await queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`);
    const sample = await sampler.type(decodePayload(text, "ndjson", 0));
    expect(duck.schema.map((c) => `${c.name} ${c.type}`)).toEqual(["price DOUBLE", "mixed JSON", "meta STRUCT(score JSON)"]);
    expect(sample.schema).toEqual(duck.schema);
    expect(sample.rows).toEqual(duck.rows);
    expect(sample.rows.map((r) => r.mixed)).toEqual(['"N/A"', "12.0"]);
  } finally {
    db.close();
  }
});

test("NaN, Infinity and trailing commas, which DuckDB's reader takes (Python writes NaN), decode; the sample types them as DuckDB does", async () => {
  const text = ['{"score": NaN, "tags": ["a",],}', '{"score": -Infinity, "tags": []}', '{"score": 1.5, "tags": null}'].join("\n");
  const events = decodePayload(text, "ndjson", 0);
  expect(events.every((e) => e.ok)).toBe(true);
  expect(events[0]).toMatchObject({ value: { score: new JsonReal(NaN, "NaN"), tags: ["a"] } });
  const file = join(dir, "nan.ndjson");
  writeFileSync(file, `${text}\n`);
  const db = await openDuckDB({ threads: 1 });
  try {
    const duck = await queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`);
    const sample = await sampler.type(events);
    expect(sample.schema).toEqual(duck.schema);
    expect(sample.schema.map((c) => c.type)).toEqual(["DOUBLE", "VARCHAR[]"]);
    expect(sample.rows).toEqual(duck.rows);
  } finally {
    db.close();
  }
  // What JSON.parse refuses and DuckDB refuses too is still an error event with JSON.parse's words.
  expect(decodePayload("{'a': 1}", "json", 0)[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: not JSON \(/) });
});

test("half a surrogate pair makes an error event, as DuckDB's reader refuses the text; a whole pair decodes", () => {
  const [cut, whole] = decodePayload('{"a": "cut \\ud83d"}\n{"a": "\\ud83d\\ude00"}', "ndjson", 0);
  expect(cut).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: not JSON as DuckDB reads it \(json: no low surrogate/) });
  expect(whole).toMatchObject({ ok: true, value: { a: "😀" } });
});

test("a CSV source's sample is typed and read as DuckDB's read_csv types and reads the records", async () => {
  const text = ["code,day,ok,amount,name", '007,01/02/2024,T,1.5,"Zoë, x"', "12,13/02/2024,F,,bob", "0042,,t,NaN,"].join("\n");
  const events = decodePayload(text, "csv", 0);
  expect(events.map((e) => (e.ok ? e.value : e))[0]).toEqual({ code: "007", day: "01/02/2024", ok: "T", amount: "1.5", name: "Zoë, x" });
  const file = join(dir, "sample.csv");
  writeFileSync(file, `${text}\n`);
  const db = await openDuckDB({ threads: 1 });
  try {
    const duck = await queryRows(db, `SELECT * FROM read_csv('${file}', sample_size = -1)`);
    const sample = await sampler.type(events, "csv");
    expect(sample.schema.map((c) => `${c.name} ${c.type}`)).toEqual(duck.schema.map((c) => `${c.name} ${c.type}`));
    expect(sample.schema.map((c) => c.type)).toEqual(["VARCHAR", "DATE", "BOOLEAN", "DOUBLE", "VARCHAR"]);
    expect(sample.rows).toEqual(duck.rows);
  } finally {
    db.close();
  }
});


test("a CSV header's names are read_csv's: trimmed, an empty one column<i>, repeats renamed without case", async () => {
  const text = ["id,ID,id,id_1,, name ,,x,y,z,w,v", "1,2,3,4,5,6,7,8,9,10,11,12"].join("\n");
  const events = decodePayload(text, "csv", 0);
  const file = join(dir, "header.csv");
  writeFileSync(file, `${text}\n`);
  const db = await openDuckDB({ threads: 1 });
  try {
    const duck = await queryRows(db, `SELECT * FROM read_csv('${file}', sample_size = -1, all_varchar = true)`);
    expect(Object.keys(events[0]!.ok ? events[0]!.value as object : {})).toEqual(duck.schema.map((c) => c.name));
    expect(duck.schema.map((c) => c.name)).toEqual(["id", "ID_1", "id_2", "id_1_1", "column04", "name", "column06", "x", "y", "z", "w", "v"]);
    expect(events[0]!.ok && events[0]!.value).toEqual(duck.rows[0]);
  } finally {
    db.close();
  }
});

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

test("a CSV's delimiter is read_csv's: `;`, `|` and tab files are cut at it, as DuckDB's sniffer cuts them", async () => {
  const texts = [
    'id;amount;name\n1;1,5;"a;b"\n2;2,25;"x,y"\n',
    "id\tamount\tname\n1\t1.5\ta b\n2\t2.25\tc,d\n",
    "id|amount|name\r\n1|1.5|a\r\n2|2.25|\r\n",
    '"a,b";c\n1;2\n',
    "name\nfoo;bar\nbaz\n",
    "id,note\n1,a;b;c\n2,x|y\n",
  ];
  const db = await openDuckDB({ threads: 1 });
  try {
    for (const [i, text] of texts.entries()) {
      const file = join(dir, `delim${i}.csv`);
      writeFileSync(file, text);
      const duck = await queryRows(db, `SELECT * FROM read_csv('${file}', all_varchar = true, header = true)`);
      expect(decodePayload(text, "csv", 0).map((e) => (e.ok ? e.value : e)), text).toEqual(duck.rows);
    }
  } finally {
    db.close();
  }
});

test("a CSV record that does not fit its header, or a quote left open, says on which line", () => {
  const decoded = decodePayload('id,v,s\r\n1,2,a\r\n\r\n"3\nx",4\n5,6,7\n', "csv", 0);
  expect(decoded.map((e) => (e.ok ? e.value : e.error))).toEqual([{ id: "1", v: "2", s: "a" }, "decode: CSV record on line 4 has 2 fields, the header has 3", { id: "5", v: "6", s: "7" }]);
  expect(decodePayload("id,v\n7\n", "csv", 0).map((e) => !e.ok && e.error)).toEqual(["decode: CSV record on line 2 has 1 field, the header has 2"]);
  expect(decodePayload('id,v\n1,2\n3,"x\n', "csv", 0).map((e) => !e.ok && e.error)).toEqual(["decode: CSV ends inside a quoted field (the quote opened on line 3)"]);
});

test("a headerless CSV record's fields are named as read_csv(header = false) names them, zero-padded from 11 fields", async () => {
  const db = await openDuckDB({ threads: 1 });
  try {
    for (const n of [1, 3, 10, 11, 12, 101]) {
      const text = Array.from({ length: n }, (_, i) => String(i)).join(",");
      const file = join(dir, `positional${n}.csv`);
      writeFileSync(file, `${text}\n`);
      const duck = await queryRows(db, `SELECT * FROM read_csv('${file}', header = false, all_varchar = true)`);
      expect(decodePayload(text, "csv", 0, undefined, "positional").map((e) => (e.ok ? e.value : e))).toEqual(duck.rows);
    }
  } finally {
    db.close();
  }
});

test("a Kafka value in Schema Registry framing (zero byte, 4-byte schema id) is the JSON after the header; Avro or Protobuf is refused with words that say so; a webhook body is never read so", () => {
  const kafka = (payload: Uint8Array, format: "json" | "ndjson") => decodePayload(payload, format, 0, undefined, undefined, true);
  const json = Buffer.concat([Buffer.from([0, 0, 0, 0, 200]), Buffer.from('{"id": 1, "big": 12345678901234567890}')]);
  expect(kafka(json, "json")).toEqual([{ ok: true, value: { id: 1, big: 12345678901234567890n }, receivedAt: 0 }]);
  const array = Buffer.concat([Buffer.from([0, 0, 0, 1, 0]), Buffer.from('\n[{"id": 2}, {"id": 3}]')]);
  expect(kafka(array, "json").map((e) => e.ok && e.value)).toEqual([{ id: 2 }, { id: 3 }]);
  const avro = Buffer.from([0, 0x01, 0x02, 0x03, 0x04, 0x02, 0x06, 0x66, 0x6f, 0x6f]);
  const [refused] = kafka(avro, "json");
  expect(refused).toMatchObject({ ok: false, error: "decode: the value starts with a Schema Registry header (magic byte 0, schema id 16909060) and is not JSON (Avro or Protobuf?); runnel reads JSON messages" });
  expect(Buffer.from((refused as { raw: string }).raw, "latin1")).toEqual(avro);
  expect(kafka(avro, "ndjson")).toMatchObject([{ ok: false, error: expect.stringMatching(/^decode: the value starts with a Schema Registry header/) }]);
  // Bytes after a header that start like JSON and are not: the JSON's error.
  expect(kafka(Buffer.from([0, 0, 0, 0, 7, 0x7b, 0x02, 0x7d]), "json")[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: not JSON/) });
  // A scalar after the header (the serializer frames whatever its schema allows) is the same JSON unframed; bytes that are no one JSON value are Avro's words.
  const scalar = (text: string) => kafka(Buffer.concat([Buffer.from([0, 0, 0, 0, 3]), Buffer.from(text)]), "json")[0];
  expect([scalar('"abc"'), scalar(" 42"), scalar("null"), scalar("true")].map((e) => e!.ok && e!.value)).toEqual(["abc", 42, null, true]);
  expect(scalar("42 43")).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: the value starts with a Schema Registry header .*\(Avro or Protobuf\?\)/) });
  expect(scalar("   ")).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: the value starts with a Schema Registry header/) });
  // A zero byte that is no such header is still what it was.
  expect(kafka(Buffer.from([0, 0x7b]), "json")[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: not JSON/) });
  // A webhook or HTTP body has no registry: the same bytes are refused, as the Worker refuses them.
  expect(decodePayload(json, "json", 0)[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: payload is not valid UTF-8/) });
});

test("an event with an object that has a key twice is an error event in DuckDB's words, as read_json refuses it; the sample is DuckDB's rows of the others", async () => {
  const text = ['{"id": 1, "p": {"k": "a"}}', '{"id": 2, "p": {"k": "b", "k": "c"}}', '{"id": 3, "p": {"k": "d"}}'].join("\n");
  const events = decodePayload(text, "ndjson", 0);
  expect(events.filter((e) => !e.ok)).toEqual([{ ok: false, raw: '{"id": 2, "p": {"k": "b", "k": "c"}}', error: 'decode: Object {"k":"b","k":"c"} has duplicate key "k"', receivedAt: 0 }]);
  const db = await openDuckDB({ threads: 1 });
  try {
    const file = join(dir, "dup.ndjson");
    writeFileSync(file, `${text}\n`);
    await expect(db.read(`SELECT * FROM read_json('${file}', format = 'newline_delimited')`)).rejects.toThrow('Object {"k":"b","k":"c"} has duplicate key "k"');
    writeFileSync(file, [0, 2].map((i) => text.split("\n")[i]).join("\n") + "\n");
    const duck = await queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`);
    const sample = await sampler.type(events);
    expect(sample.schema).toEqual(duck.schema);
    expect(sample.rows).toEqual(duck.rows);
  } finally {
    db.close();
  }
  // A payload holding an array of events: only that element is an error event.
  const array = decodePayload('[{"id": 1}, {"id": 2, "id": 3}]', "json", 0);
  expect(array.map((e) => (e.ok ? e.value : e.error))).toEqual([{ id: 1 }, 'decode: Object {"id":2,"id":3} has duplicate key "id"']);
});

test("a json payload of several JSON values one per line says to read it as ndjson", () => {
  const text = '{"id": 1}\n{"id": 2}\n';
  expect(decodePayload(Buffer.from(text), "json", 0)).toMatchObject([{ ok: false, raw: text, error: expect.stringMatching(/^decode: not JSON \(.*\): it holds 2 JSON values, one per line \(NDJSON\); a source with format: ndjson reads each as an event$/) }]);
  expect(decodePayload(Buffer.from(text), "ndjson", 0).map((e) => e.ok && e.value)).toEqual([{ id: 1 }, { id: 2 }]);
  // Two values on one line, or a second line that is not JSON: no such hint.
  expect(decodePayload('{"id": 1} {"id": 2}', "json", 0)[0]).toMatchObject({ error: expect.not.stringContaining("NDJSON") });
  expect(decodePayload('{"id": 1}\n{oops', "json", 0)[0]).toMatchObject({ error: expect.not.stringContaining("NDJSON") });
});

test("an event nested more than 1000 levels deep is an error event saying so (the executor recurses); 1000 levels decode", () => {
  const nest = (levels: number) => `{"a": ${"[".repeat(levels - 1)}1.0${"]".repeat(levels - 1)}}`;
  expect(decodePayload(nest(1000), "json", 0)[0]!.ok).toBe(true);
  expect(decodePayload(nest(5000), "json", 0)).toMatchObject([{ ok: false, raw: nest(5000), error: "decode: the value is nested more than 1000 levels deep, which runnel does not read (DuckDB's read_json does)" }]);
});

test("a CSV body with a record that is not UTF-8: that record is an error event of its exact bytes in the Worker's words, the others are events; a header line that is not UTF-8 refuses the body", () => {
  const body = Buffer.concat([Buffer.from("id,name\n1,ok\n2,caf"), Buffer.from([0xe9, 0x80]), Buffer.from("\n3,ü\n")]);
  const events = decodePayload(body, "csv", 0);
  expect(events.filter((e) => e.ok).map((e) => e.ok && e.value)).toEqual([{ id: "1", name: "ok" }, { id: "3", name: "ü" }]);
  const bad = events.filter((e) => !e.ok);
  expect(bad.map((e) => !e.ok && e.error)).toEqual(["parse: the CSV record on line 3 is not valid UTF-8 (byte 6 of the record)"]);
  expect(bad.map((e) => !e.ok && [...Buffer.from(e.raw, "latin1")])).toEqual([[...Buffer.concat([Buffer.from("2,caf"), Buffer.from([0xe9, 0x80])])]]);
  const header = decodePayload(Buffer.concat([Buffer.from("id,n"), Buffer.from([0xe9]), Buffer.from("\n1,x\n")]), "csv", 0);
  expect(header).toMatchObject([{ ok: false, error: expect.stringMatching(/^decode: payload is not valid UTF-8/) }]);
});

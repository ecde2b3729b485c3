/**
 * The notebook's side of a stream that drifts: the sample a page loads (`GET /api/sources/…/sample`) is
 * typed as DuckDB's `read_json` types the same events, however messy they are (a field of mixed kinds
 * across events, NULL in every event, arrays always empty, STRUCTs of changing shape, keys differing
 * only in case, records that are not objects), so the notebook shows what the published pipeline,
 * pinned from it, reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { openDuckDB, queryRows, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { showRow } from "../../edge/check/compare.ts";
import { decodePayload } from "../sources/decode.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { Sampler } from "./sampler.ts";

const notebook = `---
title: Drift
sources:
  inbox:
    webhook: { signature: none }
    format: ndjson
---
`;

let gw: TestGateway;
let db: DuckDB;
let dir: string;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), "runnel-drift12-"));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  gw = await openTestGateway({ "drift.md": notebook }, { demo: false });
});
afterEach(async () => {
  await gw.close();
});

/** Posts the lines as one delivery and answers the sample the page loads, as an Arrow table. */
async function sampleOf(lines: readonly string[]) {
  expect((await gw.app.request("/hooks/drift/inbox", { method: "POST", body: lines.join("\n"), headers: gw.auth })).status).toBe(202);
  const res = await gw.app.request("/api/sources/drift/inbox/sample", { headers: gw.auth });
  expect(res.status).toBe(200);
  return tableFromIPC(new Uint8Array(await res.arrayBuffer()));
}

/** DuckDB's own reading of the same NDJSON: its inferred columns and its rows. */
async function readJson(lines: readonly string[]) {
  const file = join(dir, "events.ndjson");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1, map_inference_threshold = -1)`);
}

const MESSY: Record<string, string[]> = {
  "an integer field that turns into text, a float and an object": ['{"n":1}', '{"n":"2"}', '{"n":2.5}', '{"n":{"x":1}}'],
  "integers and floats (10.0 among them)": ['{"n":1}', '{"n":10.0}', '{"n":2.5}'],
  "a field NULL in every event": ['{"a":1,"z":null}', '{"a":2,"z":null}'],
  "arrays always empty, and objects always empty": ['{"tags":[],"o":{}}', '{"tags":[],"o":{}}'],
  "a STRUCT that gains and loses fields": ['{"u":{"id":1,"name":"a"}}', '{"u":{"id":2}}', '{"u":{"id":3,"extra":true}}', '{"u":null}'],
  "a STRUCT that is sometimes a scalar": ['{"u":{"id":1}}', '{"u":5}'],
  "keys that differ only in case, at the top": ['{"name":"a"}', '{"Name":"b"}', '{"NAME":"c","name":"d"}'],
  "keys with dots, spaces, unicode and the empty key": ['{"a.b":1,"x y":"s","é":true,"":2}', '{"a.b":2,"É":3}'],
  "ISO timestamps beside dates and offsets": ['{"t":"2024-01-01 10:00:00","d":"2024-01-01"}', '{"t":"2024-01-02T10:00:00Z","d":"2024-01-02 00:00:00"}'],
  "lists of mixed elements": ['{"l":[1,"a"]}', '{"l":[2.5]}', '{"l":[[1]]}'],
  "a key present in one event only": ['{"a":1}', '{"a":2}', '{"a":3,"late":"x"}'],
};

for (const [name, lines] of Object.entries(MESSY)) {
  test(`a messy sample is typed and read as read_json reads the same events: ${name}`, async () => {
    const table = await sampleOf(lines);
    const duck = await readJson(lines);
    expect(table.schema.fields.map((f) => `${f.name} ${f.metadata.get("duckdb.type")}`)).toEqual(duck.schema.map((c) => `${c.name} ${c.type}`));
    expect(JSON.parse(table.schema.metadata.get("runnel.errors")!)).toEqual([]);
    expect(table.numRows).toBe(duck.rows.length);
  });
}

test("a messy sample's rows are read_json's rows, value for value", async () => {
  const sampler = new Sampler();
  try {
    for (const lines of [...Object.values(MESSY), ['{"n":1,"z":null,"u":{"id":1}}', '{"n":"2","z":5,"u":{"id":2,"x":"a"}}', '{"n":2.5,"z":"s","u":null}', '{"n":{"x":1},"z":{"k":[1,2.0]}}']]) {
      // The events as the webhook source decodes them, typed by the sampler behind the sample route.
      const typed = await sampler.type(lines.flatMap((line, i) => decodePayload(line, "ndjson", i)), "ndjson");
      expect(typed.rows.map((r) => showRow(r)), lines.join("  ")).toEqual((await readJson(lines)).rows.map((r) => showRow(r)));
    }
  } finally {
    await sampler.close();
  }
});

test("records that are not all objects make one column of whole records, marked so for the page's live tail", async () => {
  // A topic of strings, and objects (one with a key `json`) mixed with scalars: DuckDB reads each record whole.
  for (const lines of [['"a"', '"b"'], ['{"json":1}', "5", '{"b":2}']]) {
    const table = await sampleOf(lines);
    const duck = await readJson(lines);
    expect(table.schema.fields.map((f) => [f.name, f.metadata.get("duckdb.type"), f.metadata.get("runnel.whole") ?? null])).toEqual([["json", duck.schema[0]!.type, "true"]]);
    expect(table.toArray().map((r) => r.json).slice(-lines.length)).toEqual(duck.rows.map((r) => r.json));
    await gw.close();
    gw = await openTestGateway({ "drift.md": notebook }, { demo: false });
  }
  // Objects whose only key is `json` are that key's column, not whole records.
  const table = await sampleOf(['{"json":1}', '{"json":2}']);
  expect(table.schema.fields.map((f) => [f.name, f.metadata.get("duckdb.type"), f.metadata.get("runnel.whole") ?? null])).toEqual([["json", "BIGINT", null]]);
});

test("a record that is only NaN, Infinity or 1e400 is an error row of the sample, and the other events its rows", async () => {
  // DuckDB's reader refuses the whole file for such a record; the sample was a 500 ("Malformed JSON ... line 4" of three lines).
  const table = await sampleOf(['{"a":1}', "NaN", '{"a":2}', "-1e400"]);
  expect(table.schema.fields.map((f) => `${f.name} ${f.metadata.get("duckdb.type")}`)).toEqual(["a BIGINT"]);
  expect(table.toArray().map((r) => r.a)).toEqual([1n, 2n]);
  expect(JSON.parse(table.schema.metadata.get("runnel.errors")!).map((e: { error: string; raw: string }) => [e.raw, e.error])).toEqual([
    ["NaN", 'decode: a record that is only NaN is not one DuckDB\'s JSON reader reads (Malformed JSON: unexpected character); send it inside an object, {"value": NaN}'],
    ["-1e400", 'decode: a record that is only -1e400 is not one DuckDB\'s JSON reader reads (Malformed JSON: unexpected character); send it inside an object, {"value": -1e400}'],
  ]);
  // DuckDB reads the same events without those records as the sample shows them.
  expect((await readJson(['{"a":1}', '{"a":2}'])).rows).toEqual([{ a: 1n }, { a: 2n }]);
});

test("a sample of nothing but such records has no columns, only its error rows", async () => {
  const table = await sampleOf(["NaN", "Infinity"]);
  expect(table.schema.fields).toEqual([]);
  expect(JSON.parse(table.schema.metadata.get("runnel.errors")!).map((e: { raw: string }) => e.raw)).toEqual(["NaN", "Infinity"]);
});

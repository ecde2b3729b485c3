import { tableFromIPC } from "apache-arrow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { loadEvents } from "../../edge/duckdb/load-events.node.ts";
import { parseEventJson } from "../../edge/duckdb/lossless-json.ts";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

// A sample whose events write a key twice, where one of the repeated members holds an odd key below the top
// (the empty key, a key with a NUL): the gateway's sample typed it as DuckDB prints it, `STRUCT(x BIGINT,  BIGINT)`,
// which no DuckDB reads back, and the whole sample failed. It is JSON, as loadEvents types such a field.

const notebook = `---
title: Odd keys
sources:
  inbox:
    webhook: { signature: none }
---
`;

let gw: TestGateway;
let duck: DuckDB;
beforeAll(async () => {
  duck = await openDuckDB({ threads: 1 });
});
afterAll(() => duck.close());
beforeEach(async () => {
  gw = await openTestGateway({ "odd.md": notebook }, { demo: false });
});
afterEach(async () => {
  await gw.close();
});

/** Delivers each line as its own webhook body, then reads the sample the page gets (Arrow). */
async function sampleOf(lines: string[]) {
  for (const body of lines) expect((await gw.app.request("/hooks/odd/inbox", { method: "POST", body, headers: gw.auth })).status).toBe(202);
  const res = await gw.app.request("/api/sources/odd/inbox/sample", { headers: gw.auth });
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(res.status, new TextDecoder().decode(bytes).slice(0, 400)).toBe(200);
  const table = tableFromIPC(bytes);
  const errors = (JSON.parse(table.schema.metadata.get("runnel.errors")!) as { error: string }[]).map((e) => e.error);
  const types = table.schema.fields.map((f): [string, string] => [f.name, f.metadata.get("duckdb.type")!]);
  const rows = table.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === "bigint" || typeof v === "number" ? String(v) : v)));
  return { types, rows, errors };
}

/** What loadEvents (the check's and Run locally's reader) makes of the events, each as JSON.parse reads it. */
async function loadEventsTypes(lines: string[]): Promise<[string, string][]> {
  const schema = await loadEvents(duck, "t", lines.map((l) => parseEventJson(l, undefined, "keep")));
  return schema.map((c) => [c.name, c.type]);
}

describe("a sample with a repeated key and an odd key inside a repeated member", () => {
  test("the empty key in the second member of a repeated top-level key: the field is JSON, the event an error row in DuckDB's words, the rest rows", async () => {
    const lines = ['{"id":1,"p":{"x":1},"p":{"":2}}', '{"id":2,"p":{"x":3}}'];
    const seen = await sampleOf(lines);
    expect(seen.errors).toEqual(['decode: Object {"id":1,"p":{"x":1},"p":{"":2}} has duplicate key "p"']);
    expect(seen.types).toEqual([["id", "BIGINT"], ["p", "JSON"]]);
    expect(seen.rows).toEqual(['{"id":"2","p":"{\\"x\\":3}"}']);
    // As loadEvents types the same field holding the empty key where no key repeats.
    expect(await loadEventsTypes(['{"id":1,"p":{"":2}}', '{"id":2,"p":{"x":3}}'])).toEqual(seen.types);
  });

  test("a key with a NUL in a repeated member: the field is JSON", async () => {
    const seen = await sampleOf(['{"id":1,"p":{"x":1},"p":{"y\\u0000":2}}', '{"id":2,"p":{"x":3}}']);
    expect(seen.errors).toEqual(['decode: Object {"id":1,"p":{"x":1},"p":{"y\\u0000":2}} has duplicate key "p"']);
    expect(seen.types).toEqual([["id", "BIGINT"], ["p", "JSON"]]);
    expect(seen.rows).toEqual(['{"id":"2","p":"{\\"x\\":3}"}']);
  });

  test("the empty key in a nested repeated member: the top-level field is JSON and keeps both members, so every event is a row", async () => {
    const lines = ['{"id":1,"user":{"n":{"x":1,"":3},"n":{"x":2}}}', '{"id":2,"user":{"n":{"x":1}}}'];
    const seen = await sampleOf(lines);
    expect(seen.errors).toEqual([]);
    expect(seen.types).toEqual([["id", "BIGINT"], ["user", "JSON"]]);
    expect(seen.rows).toEqual(['{"id":"1","user":"{\\"n\\":{\\"x\\":1,\\"\\":3},\\"n\\":{\\"x\\":2}}"}', '{"id":"2","user":"{\\"n\\":{\\"x\\":1}}"}']);
  });

  test("where DuckDB cannot type the sample at all (keys differing only in case), the field whose later member holds the empty key is JSON too", async () => {
    const seen = await sampleOf(['{"id":1,"p":{"x":1},"p":{"":2},"s":{"a":1}}', '{"id":2,"p":{"x":3},"s":{"A":2}}']);
    expect(seen.errors).toEqual(['decode: Object {"id":1,"p":{"x":1},"p":{"":2},"s":{"a":1}} has duplicate key "p"']);
    expect(seen.types).toEqual([["id", "BIGINT"], ["p", "JSON"], ["s", "JSON"]]);
    expect(seen.rows).toEqual(['{"id":"2","p":"{\\"x\\":3}","s":"{\\"A\\":2}"}']);
  });
});

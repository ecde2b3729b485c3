import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { openDuckDB, quoteString, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";

const notebook = `---
title: Repeats
sources:
  inbox:
    webhook: { signature: none }
  lines:
    webhook: { signature: none }
    format: ndjson
---

\`\`\`sql id=all_rows
SELECT * FROM inbox
\`\`\`
`;

let gw: TestGateway;
let duck: DuckDB;
let dir: string;
beforeAll(async () => {
  duck = await openDuckDB({ threads: 1 });
  dir = await mkdtemp(join(tmpdir(), "runnel-repeats-"));
});
afterAll(async () => {
  duck.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  gw = await openTestGateway({ "repeats.md": notebook }, { demo: false });
});
afterEach(async () => {
  await gw.close();
});

interface Seen {
  types: [string, string][];
  rows: string[];
  errors: string[];
}

/** Delivers each line to `inbox` as its own webhook body, then reads the sample the page gets (Arrow). */
async function sampleOf(lines: string[], source = "inbox"): Promise<Seen> {
  if (source === "inbox") for (const body of lines) expect((await gw.app.request("/hooks/repeats/inbox", { method: "POST", body, headers: gw.auth })).status).toBe(202);
  else expect((await gw.app.request(`/hooks/repeats/${source}`, { method: "POST", body: lines.join("\n"), headers: gw.auth })).status).toBe(202);
  const res = await gw.app.request(`/api/sources/repeats/${source}/sample`, { headers: gw.auth });
  expect(res.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  const errors = (JSON.parse(table.schema.metadata.get("runnel.errors")!) as { error: string }[]).map((e) => e.error);
  const types = table.schema.fields.map((f): [string, string] => [f.name, f.metadata.get("duckdb.type")!]);
  // Numbers as text, as DuckDB's getRowObjectsJson gives them, so both sides compare.
  const rows = table.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === "bigint" || typeof v === "number" ? String(v) : v)));
  return { types, rows, errors };
}

/** DuckDB's own answer for the same NDJSON: its inferred columns and its rows (or its error). */
async function readJson(lines: string[], extra = ""): Promise<{ types: [string, string][]; rows: string[] } | { error: string }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.ndjson`);
  await writeFile(file, lines.map((l) => `${l}\n`).join(""));
  const from = `read_json(${quoteString(file)}${extra})`;
  try {
    const described = (await duck.read(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJS();
    const types = described.map((r): [string, string] => [String(r.column_name), String(r.column_type)]);
    const rows = (await duck.read(`SELECT * FROM ${from}`)).getRowObjectsJson().map((r) => JSON.stringify(r));
    return { types, rows };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe("repeated JSON keys in the notebook's sample, as DuckDB's read_json reads them", () => {
  test("an object with a key twice in a field DuckDB types JSON is a row keeping both members, as read_json keeps them", async () => {
    const lines = ['{"a":1,"b":{"x":1,"x":2}}', '{"a":3,"b":5}', '{"a":4,"b":[{"y":1,"y":"two"}]}'];
    const seen = await sampleOf(lines);
    const oracle = await readJson(lines);
    expect(oracle).not.toHaveProperty("error");
    if ("error" in oracle) return;
    expect(seen.errors).toEqual([]);
    expect(seen.types).toEqual([["a", "BIGINT"], ["b", "JSON"]]);
    expect(seen.types).toEqual(oracle.types);
    expect(seen.rows).toEqual(oracle.rows);
    // Both members, as written: the text a JSON column holds.
    expect(seen.rows[0]).toBe('{"a":"1","b":"{\\"x\\":1,\\"x\\":2}"}');
  });

  test("a key written twice at the top level is an error row in DuckDB's words; the other events are rows, typed with it among them", async () => {
    const lines = ['{"a":1,"a":2,"c":"only here"}', '{"a":3}'];
    const seen = await sampleOf(lines);
    const oracle = await readJson(lines);
    expect(oracle).toEqual({ error: expect.stringContaining('Object {"a":1,"a":2,"c":"only here"} has duplicate key "a"') });
    expect(seen.errors).toEqual(['decode: Object {"a":1,"a":2,"c":"only here"} has duplicate key "a"']);
    // read_json types `c` from the refused record too; the rows it reads are the others.
    const typed = await readJson(lines, ", ignore_errors = true");
    if ("error" in typed) throw new Error(typed.error);
    expect(seen.types).toEqual(typed.types);
    expect(seen.rows).toEqual(typed.rows.slice(1));
  });

  test("a nested object DuckDB types STRUCT refuses its record with the field named; the same key twice where the field is JSON is kept", async () => {
    const lines = ['{"id":1,"user":{"name":"a","name":"b"}}', '{"id":2,"user":{"name":"c","age":30}}', '{"id":3,"meta":{"k":1,"k":2}}', '{"id":4,"meta":"text"}'];
    const seen = await sampleOf(lines);
    expect(await readJson(lines)).toEqual({ error: expect.stringContaining('Object {"name":"a","name":"b"} has duplicate key "name"') });
    expect(seen.errors).toEqual(['decode: field user: Object {"name":"a","name":"b"} has duplicate key "name"']);
    const typed = await readJson(lines, ", ignore_errors = true");
    if ("error" in typed) throw new Error(typed.error);
    expect(seen.types).toEqual([["id", "BIGINT"], ["user", "STRUCT(\"name\" VARCHAR, age BIGINT)"], ["meta", "JSON"]]);
    expect(seen.types).toEqual(typed.types);
    expect(seen.rows).toEqual(typed.rows.slice(1));
    expect(seen.rows[1]).toBe('{"id":"3","user":null,"meta":"{\\"k\\":1,\\"k\\":2}"}');
  });

  test("keys that repeat and differ only in case: at the top level a renamed column and the record refused, nested a JSON field kept whole", async () => {
    const top = ['{"a":1,"A":2,"a":3}', '{"a":4,"A":5}'];
    const seen = await sampleOf(top);
    expect(await readJson(top)).toEqual({ error: expect.stringContaining('Object {"a":1,"A":2,"a":3} has duplicate key "a"') });
    expect(seen.errors).toEqual(['decode: Object {"a":1,"A":2,"a":3} has duplicate key "a"']);
    expect(seen.types).toEqual([["a", "BIGINT"], ["A_1", "BIGINT"]]);
    expect(seen.rows).toEqual(['{"a":"4","A_1":"5"}']);

    // DuckDB cannot type a STRUCT of `x` and `X` ("Duplicate name"); the sample types such a field JSON, as it does without repeats.
    const nested = ['{"id":1,"b":{"x":1,"X":2,"x":3}}', '{"id":2,"b":{"y":5}}'];
    const again = await sampleOf(nested, "lines");
    expect(again.errors).toEqual([]);
    expect(again.types).toEqual([["id", "BIGINT"], ["b", "JSON"]]);
    expect(again.rows).toEqual(['{"id":"1","b":"{\\"x\\":1,\\"X\\":2,\\"x\\":3}"}', '{"id":"2","b":"{\\"y\\":5}"}']);
  });
});

/**
 * The notebook's sample of a webhook source (what `/api/sources/<nb>/<source>/sample` answers, DuckDB over the
 * deliveries the gateway keeps) holds what DuckDB reads from the same bytes: read_csv for a messy CSV body
 * (quoted line breaks, doubled quotes, padded text, codes with leading zeros, CRLF, a BOM, a `;` export), read_json
 * for a messy NDJSON body (a BOM, CRLF, blank lines, no last newline, big integers, `\u0000`, -0, 1.0).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

const notebook = `---
title: parse11
sources:
  c:
    webhook: { signature: none }
    format: csv
  s:
    webhook: { signature: none }
    format: csv
  n:
    webhook: { signature: none }
    format: ndjson
  g:
    webhook: { signature: none }
    format: json
---
`;

let gw: TestGateway;
const dir = mkdtempSync(join(tmpdir(), "runnel-parse11-sample-"));
beforeAll(async () => {
  gw = await openTestGateway({ "p.md": notebook }, { demo: false });
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (source: string, body: Uint8Array<ArrayBuffer> | string, headers: Record<string, string> = {}) => (await gw.app.request(`/hooks/p/${source}`, { method: "POST", body, headers: { ...gw.auth, ...headers } })).status;
async function sample(source: string): Promise<{ rows: unknown[][]; errors: unknown[] }> {
  const res = await gw.app.request(`/api/sources/p/${source}/sample`, { headers: gw.auth });
  expect(res.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  const rows = table.toArray().map((r) => Object.values(r.toJSON() as Record<string, unknown>).map((v) => (v === null ? null : typeof v === "bigint" ? v.toString() : String(v))));
  return { rows, errors: JSON.parse(table.schema.metadata.get("runnel.errors") ?? "[]") as unknown[] };
}
async function duckdb(body: Uint8Array, read: string): Promise<unknown[][]> {
  const file = join(dir, `body-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, body);
  const db = await openDuckDB({ threads: 1 });
  try {
    const result = await db.read(`SELECT * FROM ${read.replace("FILE", `'${file}'`)}`);
    return result.getRowsJS().map((r) => r.map((v) => (v === null ? null : typeof v === "bigint" ? v.toString() : String(v))));
  } finally {
    db.close();
  }
}

const enc = new TextEncoder();
const bom = [0xef, 0xbb, 0xbf];

test("a messy CSV body's sample is what read_csv reads from the same bytes", async () => {
  const body = new Uint8Array([...bom, ...enc.encode('id,name,note,code,amount\r\n1,"  padded  ","line 1\r\nline 2",007,1.50\r\n2,"he said ""hi""",,010,-0\r\n3," ","a,b",123,2\r\n\r\n')]);
  expect(await post("c", body)).toBe(202);
  const got = await sample("c");
  expect(got.errors).toEqual([]);
  expect(got.rows).toEqual(await duckdb(body, "read_csv(FILE)"));
  expect(got.rows).toHaveLength(3);
});

test("a `;` CSV export's sample is what read_csv reads from the same bytes", async () => {
  const body = enc.encode('id;city;amount\n1;"Zürich; CH";1,5\n2;Köln;2\n');
  expect(await post("s", body)).toBe(202);
  const got = await sample("s");
  expect(got.errors).toEqual([]);
  expect(got.rows).toEqual(await duckdb(body, "read_csv(FILE)"));
});

test("a messy NDJSON body's sample is what read_json reads from the same bytes", async () => {
  const body = new Uint8Array([
    ...bom,
    ...enc.encode('{"id": 1, "name": "a\\u0000b", "amount": 1.0, "big": 9223372036854775807}\r\n\r\n   \r\n{"id": 2, "name": "\\ud83d\\ude00", "amount": -0, "big": -9223372036854775808}\n{"id": 3, "name": null, "amount": 2.5, "big": 1}'),
  ]);
  expect(await post("n", body)).toBe(202);
  const got = await sample("n");
  expect(got.errors).toEqual([]);
  expect(got.rows).toEqual(await duckdb(body, "read_json(FILE, format = 'newline_delimited')"));
  expect(got.rows).toHaveLength(3);
});

test("a form-encoded payload percent-encoded in Latin-1 is one error row saying it is not UTF-8, as the Worker refuses it; UTF-8 is a row", async () => {
  const form = { "content-type": "application/x-www-form-urlencoded" };
  expect(await post("g", "payload=%7B%22id%22%3A1%2C%22name%22%3A%22Caf%E9%22%7D", form)).toBe(202);
  expect(await post("g", "payload=%7B%22id%22%3A2%2C%22name%22%3A%22Caf%C3%A9%22%7D", form)).toBe(202);
  const got = await sample("g");
  // Before, the byte was read as U+FFFD: a row "Caf\uFFFD" the Worker, answering 400, never writes.
  expect(got.rows).toEqual([["2", "Café"]]);
  expect(got.errors).toEqual([expect.objectContaining({ error: expect.stringMatching(/^decode: payload is not valid UTF-8/) })]);
});

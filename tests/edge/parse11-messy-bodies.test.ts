/**
 * Messy webhook bodies posted to a published Worker (real workerd, Durable Objects, R2), what lands in Parquet
 * checked against DuckDB reading the same bytes:
 * - a CSV body with a space around its quoted fields (`1, "Smith, Jo"`, a spreadsheet's "comma and space"
 *   export) is read as read_csv reads it: each such record was a dead letter (the space kept, the comma inside
 *   the quotes cut the field) and `"x" ,` kept `x `; text after a closing quote (`"x"y`), which read_csv refuses,
 *   is a dead letter naming its line (it was written as `xy`);
 * - a JSON array body with a comma before its closing bracket (`[{...},]`), which read_json refuses, is a 400
 *   saying where, and nothing of it is stored (it was taken whole);
 * - a pretty-printed payload posted to an NDJSON source is a 400 naming `format: json` (it was a 202 and a dead
 *   letter of each fragment line);
 * - the same events posted as a JSON array, as NDJSON (CRLF, blank lines, a BOM, no last newline) and one by one
 *   become the same rows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, startEdge, type EdgeRuntime } from "./harness.ts";

const text = `---
title: parse11 bodies
sources:
  j:
    webhook: { signature: none }
    format: json
  n:
    webhook: { signature: none }
    format: ndjson
  c:
    webhook: { signature: none }
    format: csv
sinks:
  oj:
    r2: { binding: LAKE, prefix: oj/ }
  on:
    r2: { binding: LAKE, prefix: on/ }
  oc:
    r2: { binding: LAKE, prefix: oc/ }
---

\`\`\`sql id=oj sink=oj
SELECT id, name, amount, big FROM j
\`\`\`

\`\`\`sql id=on sink=on
SELECT id, name, amount, big FROM n
\`\`\`

\`\`\`sql id=oc sink=oc
SELECT id, name, city FROM c
\`\`\`
`;

let edge: EdgeRuntime;
const dir = mkdtempSync(join(tmpdir(), "runnel-parse11-"));
beforeAll(async () => {
  const { notebook, issues } = parseNotebook(text, "parse11.md");
  expect(issues).toEqual([]);
  const sample = ['{"id": 1, "name": "a", "amount": 1.5, "big": 12345678901234567890}'];
  const plan = await compileWith(notebook, { j: sample, n: sample, c: ['{"id": "1", "name": "a", "city": "x"}'] });
  edge = await startEdge({ name: "parse11", plan, notebook });
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (edge) rmSync(edge.persist, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const post = (source: string, body: Uint8Array | string) =>
  edge.mf.dispatchFetch(`http://edge/ingest/${source}`, { method: "POST", body, headers: { authorization: "Bearer edge-harness-operator" } });
const answer = async (r: { status: number; json(): Promise<unknown> }) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });

async function lake(into: string, sink: string, columns: string): Promise<{ rows: unknown[][]; letters: { source: string; reason: string; raw: string }[] }> {
  expect((await edge.flush()).status).toBe(200);
  const keys = await download(await edge.r2(), "", into);
  const db = await openDuckDB({ threads: 1 });
  let rows: unknown[][] = [];
  try {
    if (keys.some((k) => k.startsWith(`${sink}/${sink}/`))) rows = (await db.read(`SELECT ${columns} FROM read_parquet('${into}/${sink}/${sink}/**/*.parquet') ORDER BY ALL`)).getRowsJson();
  } finally {
    db.close();
  }
  const letters = keys
    .filter((k) => k.includes("/_errors/"))
    .flatMap((k) => readFileSync(join(into, k), "utf8").split("\n").filter(Boolean))
    .map((line) => JSON.parse(line) as { source: string; reason: string; raw: string });
  return { rows, letters };
}

/** DuckDB's read_csv over the same bytes, the dialect pinned as the file runner pins it (records it rejects left out). */
async function readCsv(body: string): Promise<unknown[][]> {
  const file = join(dir, "body.csv");
  writeFileSync(file, body);
  const db = await openDuckDB({ threads: 1 });
  try {
    return (
      await db.read(
        `SELECT id, name, city FROM read_csv('${file}', delim = ',', quote = '"', escape = '"', header = true, auto_detect = false, columns = {'id': 'VARCHAR', 'name': 'VARCHAR', 'city': 'VARCHAR'}, store_rejects = true) ORDER BY ALL`,
      )
    ).getRowsJson();
  } finally {
    db.close();
  }
}

describe("messy webhook bodies, as DuckDB reads them", () => {
  test("a CSV body with spaces around its quoted fields is read as read_csv reads it; text after a closing quote is a dead letter naming its line", async () => {
    const body = 'id, name, city\r\n1, "Smith, Jo", "Paris"\r\n2, "Lee" , "Rome, IT" \r\n3,"Ng"x,Oslo\r\n4,  "two spaces",Lima\r\n';
    const got = await answer(await post("c", body));
    expect(got).toEqual({ status: 202, body: { events: 4, rows: 3, deadLetters: 1, duplicate: false } });
    const { rows, letters } = await lake(join(dir, "csv"), "oc", "id, name, city");
    expect(rows).toEqual(await readCsv(body));
    expect(rows).toEqual([
      ["1", "Smith, Jo", "Paris"],
      ["2", "Lee", "Rome, IT"],
      ["4", '  "two spaces"', "Lima"],
    ]);
    expect(letters.filter((l) => l.source === "c")).toEqual([
      expect.objectContaining({
        source: "c",
        raw: '3,"Ng"x,Oslo',
        reason: `parse: CSV record on line 4 has "x" after a quoted field's closing quote (line 4, column 7), which read_csv refuses (Value with unterminated quote found): quote the whole field, doubling the quotes inside it`,
      }),
    ]);
  });

  test("a JSON array with a comma before its closing bracket is a 400 saying where, as read_json refuses it, and nothing is stored", async () => {
    const before = (await edge.metrics()).eventsIn;
    const got = await answer(await post("j", '[\n  {"id": 7, "name": "a"},\n  {"id": 8, "name": "b"},\n]\n'));
    expect(got).toEqual({
      status: 400,
      body: {
        error: `parse: malformed JSON: a comma before the closing "]" of the body's array (line 3, column 25), which DuckDB's read_json refuses; remove the comma after the last event`,
        position: { offset: 52, line: 3, column: 25 },
      },
    });
    expect((await edge.metrics()).eventsIn).toBe(before);
    // A trailing comma inside an event is DuckDB's too (it reads `[1,]` as `[1]`): taken.
    expect(await answer(await post("j", '{"id": 9, "name": "c", "amount": 2,}'))).toMatchObject({ status: 202, body: { events: 1, rows: 1 } });
  });

  test("the same events as a JSON array, as messy NDJSON and one request each become the same rows", async () => {
    const events = [
      '{"id": 10, "name": "caf\\u00e9 \\u0000 nul", "amount": 1.0, "big": 18446744073709551615}',
      '{"id": 11, "name": "\\ud83d\\ude00", "amount": -0, "big": -9223372036854775808}',
      '{"id": 12, "name": null, "amount": 1e3, "big": 123456789012345678901234567890}',
    ];
    expect((await post("j", `[\r\n${events.join(" ,\r\n\r\n")}\r\n]`)).status).toBe(202);
    expect((await post("n", `\ufeff${events.join("\r\n\r\n  \r\n")}`)).status).toBe(202);
    for (const event of events) expect((await post("n", `${event}\n`)).status).toBe(202);
    const columns = "id::VARCHAR, name, amount::VARCHAR, big::VARCHAR";
    const json = await lake(join(dir, "same-j"), "oj", columns);
    const ndjson = await lake(join(dir, "same-n"), "on", columns);
    const want = json.rows.filter((r) => Number(r[0]) >= 10);
    expect(want).toHaveLength(3);
    const got = ndjson.rows.filter((r) => Number(r[0]) >= 10);
    // Each event twice in NDJSON (one body, then one request each), once in the array.
    expect(got).toEqual(want.flatMap((r) => [r, r]));
  });

  test("a pretty-printed payload (as Stripe sends them) posted to an NDJSON source is a 400 naming format: json, and nothing is stored", async () => {
    const before = (await edge.metrics()).eventsIn;
    const got = await answer(await post("n", '{\n  "id": 30,\n  "name": "evt_1",\n  "amount": 2.5\n}\n'));
    // Before: a 202 with 5 dead letters of fragments (`{`, `"id": 30,`, ...), so the sender never retried.
    expect(got).toEqual({
      status: 400,
      body: {
        error: "parse: the body is one JSON value spread over 5 lines (pretty-printed JSON), and a ndjson source reads one JSON value per line: set the source's format: json, or send each event on one line",
        position: { offset: 0, line: 1, column: 1 },
      },
    });
    expect((await edge.metrics()).eventsIn).toBe(before);
  });

  // A check (no fix needed): 1e400, -0, 1.0 into HUGEINT, numbers as text, big integers, as DuckDB reads them.
  test("numbers at the edges are written as read_json reads the same NDJSON with the plan's column types", async () => {
    const lines = [
      '{"id": 20, "amount": 1e400, "big": 1}',
      '{"id": 21, "amount": -1e400, "big": -0}',
      '{"id": 22, "amount": -0.0, "big": 170141183460469231731687303715884105727}',
      '{"id": 23, "amount": 1e-400, "big": -9223372036854775809}',
      '{"id": 24, "amount": "1.5", "big": "42"}',
      '{"id": 25, "amount": -0.0, "big": 1.0}',
      '{"id": 26, "amount": "abc", "big": 2.5}',
      '{"id": 27, "amount": true, "big": 1e3}',
      '{"id": 28.0, "amount": null, "big": null}',
    ];
    const body = `${lines.join("\r\n")}\r\n`;
    expect((await post("n", body)).status).toBe(202);
    const got = await lake(join(dir, "numbers"), "on", "id::VARCHAR, amount::VARCHAR, big::VARCHAR");
    const file = join(dir, "numbers.ndjson");
    writeFileSync(file, body);
    const db = await openDuckDB({ threads: 1 });
    try {
      const types = (await db.read(`SELECT name, type FROM parquet_schema('${join(dir, "numbers")}/on/on/**/*.parquet') WHERE name IN ('id', 'amount', 'big')`)).getRowsJson();
      const columns = Object.fromEntries(types.map(([name]) => [name, name === "big" ? "HUGEINT" : name === "id" ? "BIGINT" : "DOUBLE"]));
      const want = (
        await db.read(
          `SELECT id::VARCHAR, amount::VARCHAR, big::VARCHAR FROM read_json('${file}', format = 'newline_delimited', columns = {${Object.entries(columns).map(([k, v]) => `'${k}': '${v}'`).join(", ")}}, ignore_errors = true) ORDER BY ALL`,
        )
      ).getRowsJson();
      // What read_json refuses (ignore_errors made them NULL here) are dead letters in DuckDB's words: text into a
      // DOUBLE, and a HUGEINT past the 38 digits its Parquet type holds (saying what to do).
      expect(got.rows.filter((r) => Number(r[0]) >= 20)).toEqual(want.filter((r) => r[0] !== "22" && r[0] !== "26"));
      expect(got.letters.filter((l) => l.source === "n").map((l) => l.reason)).toEqual([
        'sink on: field amount: Failed to cast value to numerical: "abc"',
        expect.stringMatching(/^sink on: big is 170141183460469231731687303715884105727, past the 38 digits of DECIMAL\(38,0\)/),
      ]);
    } finally {
      db.close();
    }
  });
});

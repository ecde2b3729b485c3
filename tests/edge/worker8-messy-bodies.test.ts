/**
 * Messy bodies as real senders post them to a published Worker (real workerd, Durable Objects, R2):
 * bytes that are not UTF-8 in an NDJSON line or a CSV record (Windows-1252 exports: 0x80–0x9F),
 * compressed bodies, bodies in another charset, empty bodies, an empty delivery id. What lands in
 * Parquet is what DuckDB reads from the same bytes; a dead letter keeps the bytes as sent.
 */
import { createHmac } from "node:crypto";
import { request } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, startEdge, type EdgeRuntime } from "./harness.ts";

const text = `---
title: messy bodies
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
  gh:
    webhook: { signature: github, secret: GH_SECRET }
    format: json
  billing:
    webhook: { signature: sha256, secret: BILLING_SECRET, delivery_header: X-Delivery-Id }
    format: json
  crm:
    webhook: { signature: sha256, secret: CRM_SECRET, delivery_header: X-Delivery-Id }
    format: json
  w:
    webhook: { signature: none }
    format: json
sinks:
  wide:
    r2: { binding: LAKE, prefix: wide/ }
  oj:
    r2: { binding: LAKE, prefix: oj/ }
  on:
    r2: { binding: LAKE, prefix: on/ }
  oc:
    r2: { binding: LAKE, prefix: oc/ }
  og:
    r2: { binding: LAKE, prefix: og/ }
  both:
    r2: { binding: LAKE, prefix: both/ }
  names:
    r2: { binding: LAKE, prefix: names/ }
---

\`\`\`sql id=oj sink=oj
SELECT id, name FROM j
\`\`\`

\`\`\`sql id=on sink=on
SELECT id, name FROM n
\`\`\`

\`\`\`sql id=oc sink=oc
SELECT id, name FROM c
\`\`\`

\`\`\`sql id=og sink=og
SELECT id, name FROM gh
\`\`\`

\`\`\`sql id=wide sink=wide
SELECT id, lpad(name, 2100000, '*') AS padded FROM w
\`\`\`

\`\`\`sql id=names sink=names
SELECT name, count(*) AS n FROM n GROUP BY name
\`\`\`

\`\`\`sql id=both sink=both
SELECT 'billing' AS sender, id, name FROM billing
UNION ALL
SELECT 'crm' AS sender, id, name FROM crm
\`\`\`
`;

let edge: EdgeRuntime;
let badLines = 0;
const dir = mkdtempSync(join(tmpdir(), "runnel-worker8-"));
beforeAll(async () => {
  const { notebook, issues } = parseNotebook(text, "messy.md");
  expect(issues).toEqual([]);
  const sample = ['{"id": 1, "name": "a"}'];
  const plan = await compileWith(notebook, { j: sample, n: sample, c: ['{"id": "1", "name": "a"}'], gh: sample, billing: sample, crm: sample, w: sample });
  // 5 MiB, as the gateway takes: a body past what one Durable Object value holds once escaped.
  edge = await startEdge({ name: "worker8", plan, notebook, limits: { maxBodyBytes: 5 * 1024 * 1024 }, bindings: { GH_SECRET: "gh-secret", BILLING_SECRET: "billing-secret", CRM_SECRET: "crm-secret" } });
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (edge) rmSync(edge.persist, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const enc = new TextEncoder();
const concat = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...enc.encode(p)] : p)));
const post = (source: string, body: Uint8Array | string, headers: Record<string, string> = {}) =>
  edge.mf.dispatchFetch(`http://edge/ingest/${source}`, { method: "POST", body, headers: { authorization: "Bearer edge-harness-operator", ...headers } });
const answer = async (r: { status: number; json(): Promise<unknown> }) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });

/** Flushes, copies the bucket to `into`, and gives each sink's rows with an id (the `{}` events have none) and every dead letter. */
async function lake(into: string): Promise<{ rows: Record<string, unknown[][]>; letters: { source: string; reason: string; raw: string }[] }> {
  expect((await edge.flush()).status).toBe(200);
  const keys = await download(await edge.r2(), "", into);
  const db = await openDuckDB({ threads: 1 });
  const rows: Record<string, unknown[][]> = {};
  try {
    for (const sink of ["oj", "on", "oc", "og", "both"]) {
      rows[sink] = keys.some((k) => k.startsWith(`${sink}/${sink}/`)) ? (await db.read(`SELECT ${sink === "both" ? "sender, " : ""}id::VARCHAR, name FROM read_parquet('${into}/${sink}/${sink}/**/*.parquet') WHERE id IS NOT NULL ORDER BY ALL`)).getRowsJS() : [];
    }
  } finally {
    db.close();
  }
  const letters = keys
    .filter((k) => k.includes("/_errors/"))
    .flatMap((k) => readFileSync(join(into, k), "utf8").split("\n").filter(Boolean))
    .map((line) => JSON.parse(line) as { source: string; reason: string; raw: string });
  return { rows, letters };
}

describe("messy webhook bodies in the published Worker", () => {
  test("a body it cannot read as UTF-8 text (a coding it does not decode, UTF-16, another charset) is a 415 saying why, and nothing is stored", async () => {
    const json = '{"id": 2, "name": "zipped"}';
    const utf16le = (s: string) => new Uint8Array([...s].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8]));
    const refused: [string, Uint8Array, Record<string, string>, RegExp][] = [
      // gzip and deflate are decompressed (tests/edge/worker-gzip13.test.ts); brotli is not, and the 415 says what is.
      ["c", new Uint8Array(brotliCompressSync("id,name\n2,x\n")), { "content-encoding": "br" }, /^ingest: the body is sent with Content-Encoding: br, which this Worker does not decode \(br\); it takes gzip \(x-gzip\) and deflate/],
      ["n", new Uint8Array(gzipSync(gzipSync(`${json}\n`))), { "content-encoding": "gzip" }, /^ingest: the body is still gzip-compressed once this Worker decompressed it/],
      // UTF-16 without a byte order mark is valid UTF-8 full of NULs: NDJSON lines were dead letters acked with 202, a CSV header matched no column.
      ["n", utf16le(`${json}\n`), { "content-type": "application/x-ndjson; charset=UTF-16LE" }, /^ingest: the body is declared charset=utf-16le \(Content-Type\); runnel reads UTF-8 bodies only/],
      ["c", utf16le("id,name\n2,x\n"), { "content-type": 'text/csv; charset="utf-16"' }, /declared charset=utf-16 /],
      ["j", new Uint8Array([0xff, 0xfe, ...utf16le(json)]), { "content-type": "application/json" }, /^ingest: the body is UTF-16 \(it starts with the byte order mark ff fe\)/],
      ["j", concat('{"id": 2, "name": "caf', [0xe9], '"}'), { "content-type": "application/json; charset=ISO-8859-1" }, /^ingest: the body is declared charset=iso-8859-1 \(Content-Type\) and is not valid UTF-8 \(byte 22\)/],
    ];
    for (const [source, body, headers, reason] of refused) {
      const got = await answer(await post(source, body, headers));
      expect(got.status, `${source} ${JSON.stringify(headers)}`).toBe(415);
      expect(got.body.error).toMatch(reason);
    }
    expect((await edge.metrics()).eventsIn).toBe(0);
    // A charset label that is wrong but a body that is UTF-8 (ASCII here) is read as before.
    expect(await answer(await post("j", '{"id": 3, "name": "ascii"}', { "content-type": "application/json; charset=iso-8859-1" }))).toMatchObject({ status: 202, body: { events: 1 } });
    expect(await answer(await post("j", '{"id": 4, "name": "identity"}', { "content-encoding": "identity" }))).toMatchObject({ status: 202, body: { events: 1 } });
  });

  test("an empty or blank JSON body is a 400 saying it is empty", async () => {
    for (const body of ["", " \r\n\t ", "\ufeff"]) {
      expect(await answer(await post("j", body))).toEqual({
        status: 400,
        body: { error: "parse: the body is empty; a json source reads one JSON value, or an array of events, per delivery", position: { offset: 0, line: 1, column: 1 } },
      });
    }
  });

  test("NDJSON posted to a json source is a 400 that names the format that reads it", async () => {
    const got = await answer(await post("j", '{"id": 20, "name": "a"}\n{"id": 21, "name": "b"}\n'));
    expect(got).toEqual({
      status: 400,
      body: {
        error: "parse: malformed JSON: unexpected text after the JSON value at offset 24 (line 2, column 1); a json source reads one JSON value, or an array of events, per delivery (for one event per line, set the source's format: ndjson)",
        position: { offset: 24, line: 2, column: 1 },
      },
    });
  });

  test("two GitHub deliveries under an empty X-GitHub-Delivery are two deliveries, not one and a duplicate", async () => {
    const sign = (body: string) => ({ "x-hub-signature-256": `sha256=${createHmac("sha256", "gh-secret").update(body).digest("hex")}` });
    // Over workerd's own HTTP port with node:http: fetch (undici) drops a header whose value is empty, a sender's HTTP client need not.
    const url = await edge.mf.ready;
    const overHttp = (body: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const req = request(new URL("/ingest/gh", url), { method: "POST", headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
        });
        req.on("error", reject);
        req.end(body);
      });
    for (const [i, id] of [[5, ""], [6, ""], [7, " "], [8, " "]] as const) {
      const body = `{"id": ${i}, "name": "blank id"}`;
      expect(await overHttp(body, { ...sign(body), "x-github-delivery": id })).toMatchObject({ status: 202, body: { events: 1, duplicate: false } });
    }
    // A real id still dedupes.
    const body = '{"id": 9, "name": "retried"}';
    for (const duplicate of [false, true]) expect(await answer(await post("gh", body, { ...sign(body), "x-github-delivery": "d-9" }))).toMatchObject({ status: 202, body: { duplicate } });
  });

  test("two senders feeding one sink whose delivery ids coincide (counters, or one Svix message fanned out to two endpoints) are both written; a retry of each is a duplicate", async () => {
    const sign = (secret: string, body: string, id: string) => ({ "x-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`, "x-delivery-id": id });
    const body = '{"id": 30, "name": "order"}';
    for (const duplicate of [false, true]) {
      expect(await answer(await post("billing", body, sign("billing-secret", body, "1")))).toMatchObject({ status: 202, body: { events: 1, duplicate } });
      expect(await answer(await post("crm", body, sign("crm-secret", body, "1")))).toMatchObject({ status: 202, body: { events: 1, duplicate } });
    }
  });

  test("a body of many bad NDJSON lines (a sender posting the wrong format) is taken: each line a dead letter, not a 503 on every retry", async () => {
    // ~1 MB of lines that are not JSON: the letters, as one SQLite parameter, were past what a Durable Object's SQLite holds (SQLITE_TOOBIG).
    const lines: string[] = [];
    for (let size = 0, i = 0; size < 1_000_000; i++) {
      const line = `{"id":${i}`;
      lines.push(line);
      size += line.length + 1;
    }
    expect(await answer(await post("n", lines.join("\n")))).toMatchObject({ status: 202, body: { events: lines.length, rows: 0, deadLetters: lines.length } });
    badLines = lines.length;
  });

  test("a few hundred thousand lines in one request: bad ones are a 413 naming what is too large, good ones are taken (a 500 or 503 on every retry before)", async () => {
    const before = (await edge.metrics()).eventsIn;
    // 600 KB of one-character lines: each a dead letter, ~36 MB to hand the Durable Object in one call (the letters' spread overflowed the stack first).
    const junk = await answer(await post("n", "x\n".repeat(300_000)));
    expect(junk.status).toBe(413);
    expect(junk.body.error).toMatch(/^ingest: the delivery makes 0 rows and 300000 dead letters for the dead-letter buffer, \d+ bytes, more than the 33488896 a Durable Object takes in one call; nothing of it was stored/);
    expect((await edge.metrics()).eventsIn).toBe(before);
    // 340k small events for a GROUP BY sink: its rows were spread into one push.
    expect(await answer(await post("n", "{}\n".repeat(340_000)))).toMatchObject({ status: 202, body: { events: 340_000, deadLetters: 0 } });
  }, 120_000);

  test("a line whose dead letter is past what a Durable Object stores in one value is a 413 saying so, not a 503 on every retry", async () => {
    const before = (await edge.metrics()).eventsIn;
    // 2.1 MB of control characters: 12.6 MB as the letter's JSON (\u0001 each).
    const got = await answer(await post("n", `{"id": 40, "name": "ok"}\n${"\u0001".repeat(2_100_000)}\n`));
    expect(got.status).toBe(413);
    expect(got.body.error).toMatch(/^ingest: an event of the body that is a dead letter \(line 2: parse: malformed JSON: .*\) takes 12600\d+ bytes as stored, more than the 2000000 a Durable Object keeps in one value; nothing of the delivery was stored/);
    expect((await edge.metrics()).eventsIn).toBe(before);
  });

  test("a small event whose row the cell makes past what a Durable Object stores in one value (lpad to 2.1 MB) is a 413 saying so, not a 503 on every retry", async () => {
    const before = (await edge.metrics()).eventsIn;
    const got = await answer(await post("w", '{"id": 41, "name": "x"}'));
    expect(got.status).toBe(413);
    expect(got.body.error).toMatch(/^ingest: a row of wide takes 21000\d\d bytes as stored, more than the 2000000 a Durable Object keeps in one value; nothing of the delivery was stored/);
    expect((await edge.metrics()).eventsIn).toBe(before);
  });

  test("an NDJSON line and a CSV record in Windows-1252 (bytes 0x80–0x9F) are dead letters holding the exact bytes; the other lines and records are DuckDB's rows", async () => {
    // "€Ÿ’" as Windows-1252 writes them, and é as Latin-1 does.
    const cp1252 = [0x80, 0x9f, 0x92, 0xe9];
    const ndjson = concat('{"id": 10, "name": "ok"}\r\n{"id": 11, "name": "', cp1252, '"}\r\n\r\n{"id": 12, "name": "ü"}\n');
    // Rows: two for sink on, two for sink names.
    expect(await answer(await post("n", ndjson))).toMatchObject({ status: 202, body: { events: 3, rows: 4, deadLetters: 1 } });
    const csv = concat('id,name\n13,"', cp1252, '\nsecond line"\n14,ok\n15,"a\nb"\n16,', [0x81, 0x8d], "\n17,ü\n");
    expect(await answer(await post("c", csv, { "content-type": "text/csv" }))).toMatchObject({ status: 202, body: { events: 5, rows: 3, deadLetters: 2 } });

    // A line of 700k quotes: its letter (1.4 MB as JSON) is stored alone, as it is (in the letters' array it was escaped to 2.8 MB, past a Durable Object's 2 MB value).
    const quotes = '"'.repeat(700_000);
    expect(await answer(await post("n", `${quotes}\n`))).toMatchObject({ status: 202, body: { events: 1, deadLetters: 1 } });

    const { rows, letters } = await lake(join(dir, "r2"));
    expect(letters.filter((l) => l.raw === quotes)).toHaveLength(1);
    // DuckDB's read of the same bytes: read_json_auto refuses the bad line (a dead letter), read_csv with the dialect pinned and store_rejects skips the bad records.
    const db = await openDuckDB({ threads: 1 });
    try {
      writeFileSync(join(dir, "posted.csv"), csv);
      const duck = (await db.read(`SELECT id, name FROM read_csv('${dir}/posted.csv', header = true, delim = ',', quote = '"', escape = '"', store_rejects = true, columns = {id: 'VARCHAR', name: 'VARCHAR'}) ORDER BY id`)).getRowsJS();
      expect(rows.oc).toEqual(duck);
    } finally {
      db.close();
    }
    expect(rows.oc).toEqual([
      ["14", "ok"],
      ["15", "a\nb"],
      ["17", "ü"],
    ]);
    expect(rows.on).toEqual([
      ["10", "ok"],
      ["12", "ü"],
    ]);
    // The GitHub deliveries under a blank id (the test above) were all written.
    expect(rows.og!.map((r) => r[0])).toEqual(["5", "6", "7", "8", "9"]);
    // The 340k events of one request, counted by the GROUP BY sink (a count per flush: the buffer bounds flushed it on the way).
    const db2 = await openDuckDB({ threads: 1 });
    try {
      expect((await db2.read(`SELECT sum(n) FROM read_parquet('${join(dir, "r2")}/names/names/**/*.parquet') WHERE name IS NULL`)).getRowsJS()).toEqual([[340_000n]]);
    } finally {
      db2.close();
    }
    // Both senders' delivery "1" (the test above), as DuckDB's UNION ALL of the two samples answers.
    expect(rows.both).toEqual([
      ["billing", "30", "order"],
      ["crm", "30", "order"],
    ]);
    // The many bad lines of the test above, each a dead letter.
    expect(badLines).toBeGreaterThan(80_000);
    expect(letters.filter((l) => l.source === "n" && l.reason.includes("malformed JSON") && l.raw !== quotes)).toHaveLength(badLines);
    const bytesOf = (source: string) => letters.filter((l) => l.source === source && l.reason.includes("not valid UTF-8")).map((l) => [...Buffer.from(l.raw, "latin1")]);
    expect(bytesOf("n")).toEqual([[...concat('{"id": 11, "name": "', cp1252, '"}')]]);
    expect(bytesOf("c")).toEqual([[...concat('13,"', cp1252, '\nsecond line"')], [...concat("16,", [0x81, 0x8d])]]);
    expect(letters.filter((l) => l.source === "c").map((l) => l.reason)).toEqual([
      "parse: the CSV record on line 2 is not valid UTF-8 (byte 5 of the record)",
      "parse: the CSV record on line 7 is not valid UTF-8 (byte 4 of the record)",
    ]);
  });
});

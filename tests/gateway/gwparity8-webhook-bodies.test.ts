/**
 * Messy bodies posted to the notebook's webhook source on the gateway (`POST /hooks/<notebook>/<source>`,
 * a real Node server on the gateway's own listener) answer what the published Worker answers for the same
 * bytes (tests/edge/worker8-messy-bodies.test.ts): a compressed body or one in another charset is a 415
 * saying why, before the signature; an empty JSON body is a 400 saying it is empty; a CSV body with a
 * record that is not UTF-8 makes that record an error row of its exact bytes and the others rows, as
 * DuckDB's read_csv reads them. Before, the gateway stored each body and the sample showed one error row.
 */
import { createHmac } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { tableFromIPC } from "apache-arrow";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

const notebook = `---
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
---
`;

let gw: TestGateway;
let server: Server;
let port: number;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "runnel-gwparity8-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  gw = await openTestGateway({ "messy.md": notebook }, { env: { GH_SECRET: "gh-secret" }, demo: false });
  server = createServer(gw.app.nodeListener());
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  await gw.close();
});

const concat = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

/**
 * POSTs over HTTP: with a Content-Length (the gateway's fast path) or, `chunked`, without one (its Hono route).
 * The gateway token goes along (a `signature: none` source needs it), except to `gh`, which is signed.
 */
function post(source: string, body: string | Uint8Array, headers: Record<string, string> = {}, chunked = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  const auth = source === "gh" ? {} : gw.auth;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: "POST", path: `/hooks/messy/${source}`, headers: { ...auth, ...headers, ...(chunked ? {} : { "content-length": String(bytes.length) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> }));
      },
    );
    req.on("error", reject);
    if (chunked) req.write(bytes.subarray(0, 1));
    req.end(chunked ? bytes.subarray(1) : bytes);
  });
}

/** The sample the notebook's page gets: rows as text, and the error rows. */
async function sample(source: string): Promise<{ rows: Record<string, unknown>[]; errors: { error: string; raw: string }[] }> {
  const res = await gw.app.request(`/api/sources/messy/${source}/sample`, { headers: gw.auth });
  expect(res.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  return { rows: table.toArray().map((r) => r.toJSON() as Record<string, unknown>), errors: JSON.parse(table.schema.metadata.get("runnel.errors")!) };
}

describe("messy webhook bodies on the gateway, answered as the published Worker answers them", () => {
  test("a body it cannot read as UTF-8 text (a coding it does not decode, UTF-16, another charset) is a 415 with the Worker's reason, before the signature, and nothing is stored", async () => {
    const json = '{"id": 2, "name": "zipped"}';
    const utf16le = (s: string) => new Uint8Array([...s].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8]));
    const refused: [string, Uint8Array, Record<string, string>, string][] = [
      // gzip and deflate are decompressed (tests/gateway/hooks-gzip13.test.ts); brotli is not, and the 415 says what is.
      ["c", brotliCompressSync("id,name\n2,x\n"), { "content-encoding": "br" }, "ingest: the body is sent with Content-Encoding: br, which the runnel gateway does not decode (br); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text"],
      ["n", gzipSync(gzipSync(`${json}\n`)), { "content-encoding": "gzip" }, "ingest: the body is still gzip-compressed once the runnel gateway decompressed it (it starts with the bytes 1f 8b): compress it once, and say so with Content-Encoding: gzip"],
      ["n", utf16le(`${json}\n`), { "content-type": "application/x-ndjson; charset=UTF-16LE" }, "ingest: the body is declared charset=utf-16le (Content-Type); runnel reads UTF-8 bodies only: send it as UTF-8 (charset=utf-8)"],
      ["c", utf16le("id,name\n2,x\n"), { "content-type": 'text/csv; charset="utf-16"' }, "ingest: the body is declared charset=utf-16 (Content-Type); runnel reads UTF-8 bodies only: send it as UTF-8 (charset=utf-8)"],
      ["j", new Uint8Array([0xff, 0xfe, ...utf16le(json)]), { "content-type": "application/json" }, "ingest: the body is UTF-16 (it starts with the byte order mark ff fe); runnel reads UTF-8 bodies only: send it as UTF-8"],
      ["j", concat('{"id": 2, "name": "caf', [0xe9], '"}'), { "content-type": "application/json; charset=ISO-8859-1" }, "ingest: the body is declared charset=iso-8859-1 (Content-Type) and is not valid UTF-8 (byte 22); runnel reads UTF-8 bodies only: send it as UTF-8 (charset=utf-8)"],
    ];
    for (const [source, body, headers, reason] of refused) {
      for (const chunked of [false, true]) {
        expect(await post(source, body, headers, chunked), `${source} ${JSON.stringify(headers)} chunked=${chunked}`).toEqual({ status: 415, body: { error: { code: "unsupported_media_type", message: reason } } });
      }
    }
    for (const source of ["j", "n", "c", "gh"]) expect(await sample(source), source).toEqual({ rows: [], errors: [] });

    // A charset label that is wrong over UTF-8 bytes (ASCII here) is read, as the Worker reads it; so is Content-Encoding: identity.
    expect((await post("j", '{"id": 3, "name": "ascii"}', { "content-type": "application/json; charset=iso-8859-1" })).status).toBe(202);
    expect((await post("j", '{"id": 4, "name": "identity"}', { "content-encoding": "identity" })).status).toBe(202);
    expect((await sample("j")).rows.map((r) => [Number(r.id), r.name])).toEqual([
      [3, "ascii"],
      [4, "identity"],
    ]);
  });

  test("an empty or blank JSON body (or form payload) is the Worker's 400 saying it is empty, and nothing is stored; an empty NDJSON body is taken", async () => {
    const empty = { status: 400, body: { error: { code: "bad_request", message: "parse: the body is empty; a json source reads one JSON value, or an array of events, per delivery" }, position: { offset: 0, line: 1, column: 1 } } };
    for (const body of ["", " \r\n\t ", "\ufeff", "\u00a0\u3000"]) {
      expect(await post("j", body, { "content-type": "application/json" }), JSON.stringify(body)).toEqual(empty);
      expect(await post("j", body, {}, true), JSON.stringify(body)).toEqual(empty);
    }
    expect(await post("j", "payload=%20%0A", { "content-type": "application/x-www-form-urlencoded" })).toEqual(empty);
    const signed = { "x-hub-signature-256": `sha256=${createHmac("sha256", "gh-secret").update("").digest("hex")}` };
    expect(await post("gh", "", signed)).toEqual(empty);
    // The signature is checked first, as the Worker checks it: an unsigned empty body is a 401.
    expect((await post("gh", "", {})).status).toBe(401);
    expect(await sample("j")).toEqual({ rows: [], errors: [] });
    expect(await sample("gh")).toEqual({ rows: [], errors: [] });
    // NDJSON: no lines, no events (the Worker's 202 of 0 events); a JSON body that is not empty is stored as before.
    expect((await post("n", "")).status).toBe(202);
    expect((await post("j", "[]")).status).toBe(202);
  });

  test("a CSV record in Windows-1252 is an error row holding its exact bytes, in the Worker's words; the other records are the rows DuckDB's read_csv reads", async () => {
    // "€Ÿ’" as Windows-1252 writes them, and é as Latin-1 does: the Worker's test's body.
    const cp1252 = [0x80, 0x9f, 0x92, 0xe9];
    const csv = concat('id,name\n13,"', cp1252, '\nsecond line"\n14,ok\n15,"a\nb"\n16,', [0x81, 0x8d], "\n17,ü\n");
    expect((await post("c", csv, { "content-type": "text/csv" })).status).toBe(202);
    const seen = await sample("c");
    writeFileSync(join(dir, "posted.csv"), csv);
    const db = await openDuckDB({ threads: 1 });
    try {
      const duck = (await db.read(`SELECT id, name FROM read_csv('${dir}/posted.csv', header = true, delim = ',', quote = '"', escape = '"', store_rejects = true, columns = {id: 'VARCHAR', name: 'VARCHAR'}) ORDER BY id`)).getRowsJS();
      expect(seen.rows.map((r) => [String(r.id), r.name])).toEqual(duck);
    } finally {
      db.close();
    }
    expect(seen.rows.map((r) => [String(r.id), r.name])).toEqual([
      ["14", "ok"],
      ["15", "a\nb"],
      ["17", "ü"],
    ]);
    // The Worker's dead letters for the same body: its reasons, and the exact bytes (Latin-1 text, one character a byte).
    expect(seen.errors.map((e) => e.error)).toEqual(["parse: the CSV record on line 2 is not valid UTF-8 (byte 5 of the record)", "parse: the CSV record on line 7 is not valid UTF-8 (byte 4 of the record)"]);
    expect(seen.errors.map((e) => [...Buffer.from(e.raw, "latin1")])).toEqual([[...concat('13,"', cp1252, '\nsecond line"')], [...concat("16,", [0x81, 0x8d])]]);
    // A header line that is not UTF-8 refuses the body in the Worker (a 400): here it stays one error row, as a JSON body that is not UTF-8 does.
    expect((await post("c", concat("id,n", [0xe9], "\n1,x\n"))).status).toBe(202);
    expect((await sample("c")).errors.at(-1)!.error).toMatch(/^decode: payload is not valid UTF-8/);
  });
});

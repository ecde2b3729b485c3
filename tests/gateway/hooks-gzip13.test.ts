/**
 * Webhook bodies sent compressed to the gateway's `/hooks` (a real Node server, both its fast path with a
 * Content-Length and its Hono route for a chunked body) are read as the published Worker reads them
 * (tests/edge/worker-gzip13.test.ts; the same `decodeBody`): gzip and deflate decompressed, signed as
 * sent or before compressing, and the sample shows the plain delivery's rows; a bomb is a 413, a stream
 * cut short a 400, brotli a 415 naming what is taken, a signature over neither form a 401.
 */
import { createHmac } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateRawSync, gzipSync } from "node:zlib";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

const ways = ["plain", "sent", "before", "raw", "file", "chunked"] as const;
const notebook = `---
title: compressed
sources:
${ways.map((w) => `  ${w}:\n    webhook: { signature: github, secret: GH_SECRET }\n    format: ndjson`).join("\n")}
---
`;

let gw: TestGateway;
let server: Server;
let port: number;
beforeAll(async () => {
  gw = await openTestGateway({ "zip.md": notebook }, { env: { GH_SECRET: "gh-secret" }, demo: false });
  server = createServer(gw.app.nodeListener());
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  await gw.close();
});

const sign = (bytes: Uint8Array | string) => `sha256=${createHmac("sha256", "gh-secret").update(bytes).digest("hex")}`;
let deliveries = 0;

/** POSTs over HTTP with a Content-Length (the fast path) or, `chunked`, without one (the Hono route). */
function post(source: string, body: Uint8Array, headers: Record<string, string>, signed: Uint8Array | string = body, chunked = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const all = { "content-type": "application/x-ndjson", "x-github-delivery": `d${++deliveries}`, "x-hub-signature-256": sign(signed), ...headers, ...(chunked ? {} : { "content-length": String(body.length) }) };
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: `/hooks/zip/${source}`, headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> }));
    });
    req.on("error", reject);
    if (chunked) req.write(body.subarray(0, 1));
    req.end(chunked ? body.subarray(1) : body);
  });
}

async function sample(source: string): Promise<{ rows: unknown[][]; errors: unknown[] }> {
  const res = await gw.app.request(`/api/sources/zip/${source}/sample`, { headers: gw.auth });
  expect(res.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  const rows = table.toArray().map((r) => {
    const o = r.toJSON() as Record<string, unknown>;
    return [String(o.id), o.name];
  });
  return { rows, errors: JSON.parse(table.schema.metadata.get("runnel.errors")!) };
}

const ndjson = ['{"id": 1, "name": "café"}', '{"id": 9007199254740993, "name": "big 🚀"}', ...Array.from({ length: 50 }, (_, i) => `{"id": ${100 + i}, "name": "row ${i % 7}"}`), ""].join("\n");
const plain = new TextEncoder().encode(ndjson);

describe("compressed webhook deliveries on the gateway, read as the published Worker reads them", () => {
  test("gzip and deflate, signed as sent or before compressing, by either door: the sample shows the plain delivery's rows", async () => {
    const zipped = gzipSync(plain);
    expect((await post("plain", plain, {})).status).toBe(202);
    expect((await post("sent", zipped, { "content-encoding": "gzip" })).status).toBe(202);
    expect((await post("before", zipped, { "content-encoding": "gzip" }, plain)).status).toBe(202);
    expect((await post("raw", deflateRawSync(plain), { "content-encoding": "deflate" }, plain)).status).toBe(202);
    expect((await post("file", zipped, {})).status).toBe(202);
    expect((await post("chunked", zipped, { "content-encoding": "x-gzip" }, plain, true)).status).toBe(202);
    const want = await sample("plain");
    expect(want.errors).toEqual([]);
    expect(want.rows).toHaveLength(52);
    expect(want.rows).toContainEqual(["9007199254740993", "big 🚀"]);
    for (const way of ways) expect(await sample(way), way).toEqual(want);
  });

  test("a bomb is a 413 that says decompressed, a stream cut short a 400, brotli a 415, a signature over neither form a 401; nothing is stored", async () => {
    for (const chunked of [false, true]) {
      // ~5 KB of gzip that is 6 MB decompressed, past the gateway's 5 MiB.
      const over = await post("sent", gzipSync(Buffer.alloc(6_000_000)), { "content-encoding": "gzip" }, undefined, chunked);
      expect(over).toEqual({ status: 413, body: { error: { code: "payload_too_large", message: `ingest: the body decompressed (Content-Encoding: gzip) is over the limit of ${5 * 1024 * 1024} bytes` } } });
      const zipped = gzipSync(plain);
      expect(await post("sent", zipped.subarray(0, zipped.length - 20), { "content-encoding": "gzip" }, undefined, chunked)).toEqual({
        status: 400,
        body: { error: { code: "bad_request", message: "ingest: the body's gzip data is cut short (Content-Encoding: gzip): it ends before its compressed stream does; send the whole compressed body" } },
      });
      expect(await post("sent", brotliCompressSync(plain), { "content-encoding": "br" }, undefined, chunked)).toEqual({
        status: 415,
        body: { error: { code: "unsupported_media_type", message: "ingest: the body is sent with Content-Encoding: br, which the runnel gateway does not decode (br); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text" } },
      });
      expect(await post("sent", zipped, { "content-encoding": "gzip" }, "something else", chunked)).toEqual({
        status: 401,
        body: { error: { code: "unauthorized", message: "webhook: X-Hub-Signature-256 does not match the body (checked over the body as sent and decompressed)" } },
      });
    }
    expect(await sample("sent")).toMatchObject({ rows: expect.any(Array), errors: [] });
    expect((await sample("sent")).rows).toHaveLength(52);
  });
});

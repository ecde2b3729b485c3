/**
 * Webhook bodies sent compressed to a published Worker (real workerd, Durable Objects, R2): gzip (and
 * x-gzip, deflate as zlib or raw, a .gz file posted with no header) is decompressed and lands as the
 * rows DuckDB reads back from the plain delivery, whether the sender signed the bytes as sent or before
 * compressing them. A bomb is a 413 that says "decompressed", a stream cut short or corrupt a 400, brotli
 * a 415 naming what is taken, and a signature that verifies neither way a 401; none stores anything.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, startEdge, type EdgeRuntime } from "./harness.ts";

const ways = ["plain", "sent", "before", "deflate", "raw", "file", "xgzip"] as const;
const text = `---
title: compressed bodies
sources:
${ways.map((w) => `  ${w}:\n    webhook: { signature: github, secret: GH_SECRET }\n    format: ndjson`).join("\n")}
sinks:
  all:
    r2: { binding: LAKE, prefix: all/ }
---

\`\`\`sql id=all sink=all
${ways.map((w) => `SELECT '${w}' AS way, id, name FROM ${w}`).join("\nUNION ALL\n")}
\`\`\`
`;

const LIMIT = 256 * 1024;
let edge: EdgeRuntime;
const dir = mkdtempSync(join(tmpdir(), "runnel-gzip13-"));
beforeAll(async () => {
  const { notebook, issues } = parseNotebook(text, "gzip13.md");
  expect(issues).toEqual([]);
  const sample = ['{"id": 1, "name": "a"}'];
  const plan = await compileWith(notebook, Object.fromEntries(ways.map((w) => [w, sample])));
  edge = await startEdge({ name: "gzip13", plan, notebook, limits: { maxBodyBytes: LIMIT }, bindings: { GH_SECRET: "gh-secret" } });
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (edge) rmSync(edge.persist, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const sign = (bytes: Uint8Array | string) => `sha256=${createHmac("sha256", "gh-secret").update(bytes).digest("hex")}`;
let deliveries = 0;
const post = async (source: string, body: Uint8Array, headers: Record<string, string>, signed: Uint8Array | string = body) => {
  const r = await edge.mf.dispatchFetch(`http://edge/ingest/${source}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-ndjson", "x-github-delivery": `d${++deliveries}`, "x-hub-signature-256": sign(signed), ...headers },
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

// Messy text: accents, an emoji, an escaped quote, an integer past 2^53, a line that is not JSON (a dead letter).
const ndjson = [
  '{"id": 1, "name": "café"}',
  '{"id": 9007199254740993, "name": "big 🚀"}',
  '{"id": 3, "name": "quote \\" and \\\\ slash"}',
  ...Array.from({ length: 500 }, (_, i) => `{"id": ${100 + i}, "name": "row ${i % 7}"}`),
  "",
].join("\n");
const plain = new TextEncoder().encode(ndjson);

describe("compressed webhook deliveries in the published Worker", () => {
  test("gzip, x-gzip, deflate (zlib or raw) and a .gz posted bare, signed as sent or before compressing, land as the plain delivery's rows", async () => {
    const zipped = gzipSync(plain);
    const accepted = { status: 202, body: { events: 503, rows: 503, deadLetters: 0, duplicate: false } };
    expect(await post("plain", plain, {})).toEqual(accepted);
    expect(await post("sent", zipped, { "content-encoding": "gzip" })).toEqual(accepted);
    expect(await post("before", zipped, { "content-encoding": "gzip" }, plain)).toEqual(accepted);
    expect(await post("deflate", deflateSync(plain), { "content-encoding": "deflate" })).toEqual(accepted);
    expect(await post("raw", deflateRawSync(plain), { "content-encoding": "deflate" }, plain)).toEqual(accepted);
    expect(await post("file", zipped, {})).toEqual(accepted);
    expect(await post("xgzip", zipped, { "content-encoding": "x-gzip" })).toEqual(accepted);
    // A retry of the same delivery id is a duplicate, compressed or not.
    expect((await post("sent", zipped, { "content-encoding": "gzip", "x-github-delivery": `d2` })).body.duplicate).toBe(true);

    expect((await edge.flush()).status).toBe(200);
    const keys = await download(await edge.r2(), "", dir);
    expect(keys.some((k) => k.includes("/_errors/"))).toBe(false);
    const db = await openDuckDB({ threads: 1 });
    try {
      const rows = (await db.read(`SELECT way, id::VARCHAR AS id, name FROM read_parquet('${dir}/all/all/**/*.parquet') ORDER BY way, id, name`)).getRowsJS();
      const of = (way: string) => rows.filter((r) => r[0] === way).map((r) => r.slice(1));
      // What DuckDB's own read_json makes of the plain bytes.
      writeFileSync(join(dir, "plain.ndjson"), plain);
      const want = (await db.read(`SELECT id::VARCHAR AS id, name FROM read_json('${join(dir, "plain.ndjson")}', format = 'newline_delimited', columns = {id: 'BIGINT', name: 'VARCHAR'}) ORDER BY id, name`)).getRowsJS();
      expect(want).toHaveLength(503);
      expect(want).toContainEqual(["9007199254740993", "big 🚀"]);
      for (const way of ways) expect(of(way), way).toEqual(want);
    } finally {
      db.close();
    }
  });

  test("a bomb is a 413 that says decompressed, a stream cut short or corrupt a 400, brotli a 415 naming what is taken, a signature over neither form a 401; nothing is stored", async () => {
    const before = (await edge.metrics()).eventsIn;
    // 100 MB of zeros in ~100 KB of gzip: under the 256 KiB read limit, far over it decompressed.
    const bomb = gzipSync(Buffer.alloc(100_000_000));
    expect(bomb.length).toBeLessThan(LIMIT);
    const over = await post("sent", bomb, { "content-encoding": "gzip" });
    expect(over.status).toBe(413);
    expect(over.body.error).toMatch(new RegExp(`^ingest: the body decompressed \\(Content-Encoding: gzip\\) is over the limit of ${LIMIT} bytes; the Worker's operator can raise it with the var RUNNEL_MAX_BODY_BYTES`));
    const zipped = gzipSync(plain);
    expect(await post("sent", zipped.subarray(0, zipped.length - 50), { "content-encoding": "gzip" })).toEqual({
      status: 400,
      body: { error: "ingest: the body's gzip data is cut short (Content-Encoding: gzip): it ends before its compressed stream does; send the whole compressed body" },
    });
    const corrupt = Buffer.concat([zipped.subarray(0, 200), Buffer.alloc(100, 0xff), zipped.subarray(300)]);
    expect(await post("sent", corrupt, { "content-encoding": "gzip" })).toEqual({
      status: 400,
      body: { error: "ingest: the body is not valid gzip data (Content-Encoding: gzip): it is corrupt, or bytes follow the end of its compressed data (several gzip files joined?); send the body compressed as one gzip stream" },
    });
    expect(await post("sent", Buffer.concat([gzipSync("{}\n"), gzipSync("{}\n")]), { "content-encoding": "gzip" })).toMatchObject({ status: 400 });
    expect(await post("sent", brotliCompressSync(plain), { "content-encoding": "br" })).toEqual({
      status: 415,
      body: { error: "ingest: the body is sent with Content-Encoding: br, which this Worker does not decode (br); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text" },
    });
    expect(await post("sent", zipped, { "content-encoding": "gzip" }, "something else")).toEqual({
      status: 401,
      body: { error: "verify: X-Hub-Signature-256 does not match the body (checked over the body as sent and decompressed)" },
    });
    expect((await edge.metrics()).eventsIn).toBe(before);
  });
});

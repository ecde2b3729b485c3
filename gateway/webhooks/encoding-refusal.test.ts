import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, expect, test } from "vitest";
import { decodeBody } from "../../edge/worker/decompress.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { githubSignature } from "./verify.ts";

const notebook = "---\ntitle: Hooks\nsources:\n  gh:\n    webhook: { signature: github, secret: GITHUB_SECRET }\n  open:\n    webhook: { signature: none }\n---\n";

let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "hooks.md": notebook }, { env: { GITHUB_SECRET: "gh-secret" }, demo: false });
});
afterEach(async () => {
  await gw.close();
});

test("a webhook delivery to the gateway in a coding it does not take is a 415 that names the gateway as the reader and what it takes", async () => {
  const json = '{"id": 1}';
  const res = await gw.app.request("/hooks/hooks/gh", {
    method: "POST",
    body: brotliCompressSync(json),
    headers: { "content-type": "application/json", "content-encoding": "br", "x-hub-signature-256": githubSignature("gh-secret", json) },
  });
  expect(res.status).toBe(415);
  expect(await res.json()).toEqual({
    error: {
      code: "unsupported_media_type",
      message: "ingest: the body is sent with Content-Encoding: br, which the runnel gateway does not decode (br); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text",
    },
  });
  const open = await gw.app.request("/hooks/hooks/open", { method: "POST", body: gzipSync(json), headers: { ...gw.auth, "content-encoding": "zstd, gzip" } });
  expect(open.status).toBe(415);
  expect(((await open.json()) as { error: { message: string } }).error.message).toContain("Content-Encoding: zstd, gzip, which the runnel gateway does not decode (zstd)");
  // gzip itself is taken, signed over the payload before it was compressed.
  const zipped = await gw.app.request("/hooks/hooks/gh", {
    method: "POST",
    body: gzipSync(json),
    headers: { "content-type": "application/json", "content-encoding": "gzip", "x-hub-signature-256": githubSignature("gh-secret", json) },
  });
  expect(zipped.status).toBe(202);
});

test("the published Worker's own 415 still says this Worker", async () => {
  expect(await decodeBody(new Headers({ "content-encoding": "compress" }), new Uint8Array([123]), 100)).toEqual({
    ok: false,
    status: 415,
    reason: "ingest: the body is sent with Content-Encoding: compress, which this Worker does not decode (compress); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text",
  });
});

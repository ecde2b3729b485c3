import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, expect, test } from "vitest";
import { encodingRefusal } from "../../edge/worker/body-encoding.ts";
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

test("a compressed webhook delivery to the gateway is a 415 that names the gateway as the reader, not a Worker", async () => {
  const json = '{"id": 1}';
  const zipped = gzipSync(json);
  const res = await gw.app.request("/hooks/hooks/gh", {
    method: "POST",
    body: zipped,
    headers: { "content-type": "application/json", "content-encoding": "gzip", "x-hub-signature-256": githubSignature("gh-secret", json) },
  });
  expect(res.status).toBe(415);
  expect(await res.json()).toEqual({
    error: {
      code: "unsupported_media_type",
      message: "ingest: the body is sent with Content-Encoding: gzip, which the runnel gateway does not decode; send the body uncompressed, as UTF-8 text (no Content-Encoding)",
    },
  });
  const open = await gw.app.request("/hooks/hooks/open", { method: "POST", body: zipped, headers: { ...gw.auth, "content-encoding": "br, gzip" } });
  expect(open.status).toBe(415);
  expect(((await open.json()) as { error: { message: string } }).error.message).toContain("Content-Encoding: br, gzip, which the runnel gateway does not decode");
});

test("the published Worker's own 415 still says this Worker", () => {
  expect(encodingRefusal(new Headers({ "content-encoding": "deflate" }), new Uint8Array([123]))).toBe(
    "ingest: the body is sent with Content-Encoding: deflate, which this Worker does not decode; send the body uncompressed, as UTF-8 text (no Content-Encoding)");
});

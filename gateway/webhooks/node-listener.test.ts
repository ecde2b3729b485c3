import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { deliveryBytes, readDeliveryLines } from "./deliveries.ts";
import { githubSignature } from "./verify.ts";

// The same deliveries as routes.test.ts, through a real Node server and the gateway's own
// listener: plain `POST /hooks/...` requests take its fast path, the rest go through Hono.

const notebook = `---
title: Hooks
sources:
  gh:
    webhook: { signature: github, secret: GITHUB_SECRET }
  open:
    webhook: { signature: none }
  feed:
    demo: shop
---
`;

let gw: TestGateway;
let server: Server;
let base: string;
beforeEach(async () => {
  gw = await openTestGateway({ "hooks.md": notebook }, { env: { GITHUB_SECRET: "gh-secret" }, demo: false, limits: { hookBytes: 1000 } });
  server = createServer(gw.app.nodeListener());
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  await gw.close();
});

const signed = (body: string, id: string) => ({ "content-type": "application/json", "x-hub-signature-256": githubSignature("gh-secret", body), "x-github-delivery": id, "x-github-event": "push" });
const stored = async () => (await readDeliveryLines(join(gw.stateDir, "hooks", "hooks.md", "gh"))).map((line) => Buffer.from(deliveryBytes(JSON.parse(line))).toString("utf8"));

/**
 * A POST with raw headers as given (repeated names stay repeated), through
 * node:http; with a Content-Length unless the headers say chunked.
 */
function post(path: string, body: string, headers: [string, string][]): Promise<{ status: number; body: string }> {
  const url = new URL(`${base}${path}`);
  const raw: [string, string][] = [["host", url.host], ...headers];
  if (!headers.some(([name]) => name === "transfer-encoding")) raw.push(["content-length", String(Buffer.byteLength(body))]);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: raw.flat() }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("a signed delivery is stored and answered 202 with its id, a retry 200, a bad signature 401", async () => {
  const body = '{"ref":"refs/heads/main"}';
  const ok = await fetch(`${base}/hooks/hooks/gh`, { method: "POST", body, headers: signed(body, "n-1") });
  expect(ok.status).toBe(202);
  expect(await ok.json()).toEqual({ id: "n-1" });
  expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
  expect(ok.headers.get("referrer-policy")).toBe("same-origin");
  expect(ok.headers.get("content-type")).toBe("application/json");
  const again = await fetch(`${base}/hooks/hooks.md/gh`, { method: "POST", body, headers: signed(body, "n-1") });
  expect(again.status).toBe(200);
  expect(await again.json()).toEqual({ id: "n-1", duplicate: true });
  const bad = await fetch(`${base}/hooks/hooks/gh`, { method: "POST", body: body + " ", headers: signed(body, "n-2") });
  expect(bad.status).toBe(401);
  expect((await bad.json()).error.code).toBe("unauthorized");
  expect(bad.headers.get("x-content-type-options")).toBe("nosniff");
  expect(await stored()).toEqual([body]);
  const sample = await fetch(`${base}/api/sources/hooks/gh/sample`, { headers: gw.auth });
  expect(sample.headers.get("runnel-sample-rows")).toBe("1");
});

test("a body over the limit is 413 by its Content-Length, and a chunked one as it streams", async () => {
  const big = JSON.stringify({ pad: "x".repeat(2000) });
  const declared = await fetch(`${base}/hooks/hooks/gh`, { method: "POST", body: big, headers: signed(big, "n-3") });
  expect(declared.status).toBe(413);
  expect(await declared.json()).toEqual({ error: { code: "payload_too_large", message: "gateway: request body is larger than 1000 bytes" } });
  const chunked = await post("/hooks/hooks/gh", big, [["transfer-encoding", "chunked"], ["x-hub-signature-256", githubSignature("gh-secret", big)]]);
  expect(chunked.status).toBe(413);
  const small = '{"small":true}';
  const chunkedOk = await post("/hooks/hooks/gh", small, [["transfer-encoding", "chunked"], ["x-hub-signature-256", githubSignature("gh-secret", small)], ["x-github-delivery", "n-4"]]);
  expect(chunkedOk.status).toBe(202);
  expect(await stored()).toEqual([small]);
});

test("unknown sources, non-webhook sources and odd paths answer as through Hono", async () => {
  const none = await fetch(`${base}/hooks/hooks/nosuch`, { method: "POST", body: "{}", headers: { "content-type": "application/json", authorization: `Bearer ${gw.token}` } });
  expect(none.status).toBe(404);
  expect((await none.json()).error.message).toBe('sources: hooks.md has no source "nosuch"; it has gh, open, feed');
  const anonymous = await fetch(`${base}/hooks/hooks/nosuch`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
  expect(anonymous.status).toBe(404);
  expect((await anonymous.json()).error.message).toMatch(/^webhook: no webhook source at this path/);
  expect((await fetch(`${base}/hooks/hooks/feed`, { method: "POST", body: "{}" })).status).toBe(404);
  expect((await fetch(`${base}/hooks/nobook/gh`, { method: "POST", body: "{}" })).status).toBe(404);
  expect((await fetch(`${base}/hooks/hooks`, { method: "POST", body: "{}" })).status).toBe(404);
  const body = '{"q":1}';
  const withQuery = await fetch(`${base}/hooks/hooks/gh?from=test`, { method: "POST", body, headers: signed(body, "n-5") });
  expect(withQuery.status).toBe(202);
  const escaped = await fetch(`${base}/hooks/hook%73/gh`, { method: "POST", body: '{"e":1}', headers: signed('{"e":1}', "n-6") });
  expect(escaped.status).toBe(202);
  expect(await stored()).toEqual([body, '{"e":1}']);
});

test("signature: none needs the token, and a second Authorization header cannot smuggle it in", async () => {
  expect((await post("/hooks/hooks/open", "{}", [])).status).toBe(401);
  expect((await post("/hooks/hooks/open", "{}", [["authorization", `Bearer ${gw.token}`]])).status).toBe(202);
  const twice = await post("/hooks/hooks/open", "{}", [["authorization", `Bearer ${gw.token}`], ["authorization", "Bearer other"]]);
  expect(twice.status).toBe(401);
});

test("header names match in any case, as web Headers do", async () => {
  const body = '{"case":1}';
  const res = await post("/hooks/hooks/gh", body, [["X-Hub-Signature-256", githubSignature("gh-secret", body)], ["X-GitHub-Delivery", "n-7"]]);
  expect(res.status).toBe(202);
  expect(JSON.parse(res.body)).toEqual({ id: "n-7" });
});

test("a client that hangs up mid-body stores nothing, and the next delivery is served", async () => {
  const port = (server.address() as AddressInfo).port;
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((done) => socket.once("connect", () => done()));
  socket.write(`POST /hooks/hooks/gh HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 900\r\nx-github-delivery: cut-1\r\n\r\n{"partial":`);
  await new Promise((done) => setTimeout(done, 50));
  socket.destroy();
  await new Promise((done) => setTimeout(done, 50));
  const body = '{"after":true}';
  const res = await fetch(`${base}/hooks/hooks/gh`, { method: "POST", body, headers: signed(body, "cut-2") });
  expect(res.status).toBe(202);
  expect(await stored()).toEqual([body]);
});

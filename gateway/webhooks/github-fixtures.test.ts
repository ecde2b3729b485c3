import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { readDeliveryLines } from "./deliveries.ts";
import { githubSignature } from "./verify.ts";

const fixtures = join(import.meta.dirname, "../../tests/fixtures/github-webhooks");
const files = (function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : [],
  );
})(fixtures).sort();

const secret = "fixture-secret";
const notebook = `---
title: GitHub
sources:
  github:
    webhook: { signature: github, secret: GITHUB_WEBHOOK_SECRET }
    sample_size: 1000
---
`;

let gw: TestGateway;
beforeAll(async () => {
  gw = await openTestGateway({ "github.md": notebook }, { env: { GITHUB_WEBHOOK_SECRET: secret }, demo: false });
});
afterAll(async () => {
  await gw.close();
});

const deliver = (body: Buffer<ArrayBuffer>, signature: string, file: string, id: string) =>
  gw.app.request("/hooks/github/github", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": relative(fixtures, file).split("/")[0]!,
      "x-github-delivery": id,
      "x-hub-signature-256": signature,
    },
  });

test("there are GitHub fixture payloads to send", () => {
  expect(files.length).toBeGreaterThan(200);
});

test("every GitHub fixture payload with a correct signature is accepted and appears in the sample", async () => {
  for (const [i, file] of files.entries()) {
    const body = readFileSync(file);
    const res = await deliver(body, githubSignature(secret, body), file, `good-${i}`);
    expect(res.status, relative(fixtures, file)).toBe(202);
  }
  const res = await gw.app.request("/api/sources/github/github/sample", { headers: gw.auth });
  expect(res.status).toBe(200);
  expect(tableFromIPC(new Uint8Array(await res.arrayBuffer())).numRows).toBe(files.length);
  expect(res.headers.get("runnel-sample-errors")).toBe("0");
  const events = await gw.app.request("/api/sources/github/github/events", { headers: gw.auth });
  const values = (await events.text()).trimEnd().split("\n").map((line) => parseJsonLossless(line) as { value: unknown });
  expect(values.map((v) => v.value)).toEqual(files.map((f) => parseJsonLossless(readFileSync(f, "utf8"))));
});

test("each GitHub fixture with one flipped byte is rejected with 401 and stored nowhere", async () => {
  const deliveries = join(gw.stateDir, "hooks", "github.md", "github");
  const before = await readDeliveryLines(deliveries);
  for (const [i, file] of files.entries()) {
    const body = readFileSync(file);
    const signature = githubSignature(secret, body);
    const flipped = Buffer.from(body);
    const at = (i * 7919) % flipped.length;
    flipped[at] = flipped[at]! ^ 0x01;
    const res = await deliver(flipped, signature, file, `bad-${i}`);
    expect(res.status, relative(fixtures, file)).toBe(401);
  }
  expect(await readDeliveryLines(deliveries)).toEqual(before);
  const res = await gw.app.request("/api/sources/github/github/sample", { headers: gw.auth });
  expect(res.headers.get("runnel-sample-rows")).toBe(String(files.length));
});

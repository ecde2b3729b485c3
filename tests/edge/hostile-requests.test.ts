/**
 * What a stranger on the internet gets from a published Worker (workerd, real Durable Objects):
 * names that are not the pipeline's own sources, a source whose secret is unset, and signed
 * deliveries tampered with on the way. Nothing reaches a buffer unless it verifies, and the
 * pipeline's source and secret names are told only to its operator.
 */
import { createHmac } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, HARNESS_ADMIN_TOKEN, startEdge, type EdgeRuntime } from "./harness.ts";

const text = `---
title: hostile
sources:
  gh:
    webhook: { signature: github, secret: GH_SECRET }
    format: json
  stripe:
    webhook: { signature: stripe, secret: STRIPE_SECRET, delivery_header: X-Request-Id }
    format: json
  unset:
    webhook: { signature: sha256, secret: NEVER_SET_SECRET }
    format: json
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT id FROM gh UNION ALL SELECT id FROM stripe UNION ALL SELECT id FROM unset
\`\`\`
`;

let edge: EdgeRuntime;
beforeAll(async () => {
  const { notebook, issues } = parseNotebook(text, "hostile.md");
  expect(issues).toEqual([]);
  const sample = ['{"id": 1}'];
  const plan = await compileWith(notebook, { gh: sample, stripe: sample, unset: sample });
  edge = await startEdge({ name: "hostile", plan, notebook, bindings: { GH_SECRET: "gh-secret", STRIPE_SECRET: "whsec_stripe" } });
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (edge) rmSync(edge.persist, { recursive: true, force: true });
});

const stranger = { authorization: "Bearer not-the-operator" };
const operator = { authorization: `Bearer ${HARNESS_ADMIN_TOKEN}` };
const hmac = (secret: string, data: string) => createHmac("sha256", secret).update(data).digest("hex");
const answer = async (r: Response) => ({ status: r.status, body: (await r.json()) as { error?: string; events?: number } });

describe("a published Worker facing requests it did not ask for", () => {
  test("a source named after a property every object has (__proto__, constructor) is a 404 like any unknown name, not a 500", async () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "nope"]) {
      expect(await answer(await edge.post(name, '{"id": 1}', stranger))).toEqual({ status: 404, body: { error: `ingest: no webhook source "${name}"` } });
    }
    expect((await edge.metrics()).eventsIn).toBe(0);
  });

  test("the pipeline's source names and its secrets' binding names are told to the operator only", async () => {
    expect(await answer(await edge.post("nope", '{"id": 1}', operator))).toEqual({ status: 404, body: { error: 'ingest: no webhook source "nope" (this pipeline has gh, stripe, unset)' } });
    const body = '{"id": 2}';
    const signed = { "x-signature-256": `sha256=${hmac("", body)}` };
    const refused = await answer(await edge.post("unset", body, { ...signed, ...stranger }));
    expect(refused).toEqual({ status: 503, body: { error: "ingest: source unset cannot verify deliveries: its secret is not set on this Worker" } });
    expect(JSON.stringify(refused)).not.toContain("NEVER_SET_SECRET");
    expect(await answer(await edge.post("unset", body, { ...signed, ...operator }))).toEqual({
      status: 503,
      body: { error: "ingest: source unset cannot verify deliveries: its secret is not set on this Worker: wrangler secret put NEVER_SET_SECRET" },
    });
  });

  test("a GitHub delivery whose body changed after signing, or signed twice over, stores nothing", async () => {
    const body = '{"id": 3}';
    const signature = `sha256=${hmac("gh-secret", body)}`;
    expect((await answer(await edge.post("gh", '{"id": 4}', { "x-hub-signature-256": signature }))).status).toBe(401);
    const twice = await edge.mf.dispatchFetch("http://edge/ingest/gh", { method: "POST", body, headers: [["x-hub-signature-256", signature], ["x-hub-signature-256", signature]] });
    expect(twice.status).toBe(401);
    expect((await edge.metrics()).eventsIn).toBe(0);
    expect(await answer(await edge.post("gh", body, { "x-hub-signature-256": signature }))).toMatchObject({ status: 202, body: { events: 1 } });
  });

  test("a Stripe delivery replayed after five minutes is refused, also behind a fresh t= or a second header; one of several v1 signatures may match", async () => {
    const body = '{"id": 5}';
    const now = Math.floor(Date.now() / 1000);
    const old = now - 301;
    const v1 = (t: number) => hmac("whsec_stripe", `${t}.${body}`);
    const tries = [
      { "stripe-signature": `t=${old},v1=${v1(old)}` },
      { "stripe-signature": `t=${now},v1=${v1(old)}` },
      { "stripe-signature": `t=${old},t=${now},v1=${v1(old)}` },
    ];
    for (const headers of tries) {
      const refused = await answer(await edge.post("stripe", body, headers));
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatch(/^verify: (Stripe-Signature timestamp is more than 300 s|no v1 signature in Stripe-Signature matches)/);
    }
    const repeated = await edge.mf.dispatchFetch("http://edge/ingest/stripe", { method: "POST", body, headers: [["stripe-signature", `t=${old},v1=${v1(old)}`], ["stripe-signature", `t=${now}`]] });
    expect(repeated.status).toBe(401);
    const before = (await edge.metrics()).eventsIn;
    expect(before).toBe(1);
    const rotated = await answer(await edge.post("stripe", body, { "stripe-signature": `t=${now},v1=${"0".repeat(64)},v1=${v1(now)}` }));
    expect(rotated).toMatchObject({ status: 202, body: { events: 1 } });
    expect((await edge.metrics()).eventsIn).toBe(2);
  });

  test("a Stripe delivery sent again within the tolerance is a duplicate; Stripe's retry, signed anew, is a new delivery", async () => {
    const before = (await edge.metrics()).eventsIn as number;
    const now = Math.floor(Date.now() / 1000);
    const body = '{"id": 6}';
    const stripe = { "stripe-signature": `t=${now},v1=${hmac("whsec_stripe", `${now}.${body}`)}` };
    expect(await answer(await edge.post("stripe", body, stripe))).toMatchObject({ status: 202, body: { events: 1, duplicate: false } });
    expect(await answer(await edge.post("stripe", body, stripe))).toMatchObject({ status: 202, body: { duplicate: true } });
    // The replay with its v1 candidates reordered and padded still verifies, and is still the same delivery.
    const padded = { "stripe-signature": `t=${now},v1=${"f".repeat(64)},${stripe["stripe-signature"].split(",")[1]}` };
    expect(await answer(await edge.post("stripe", body, padded))).toMatchObject({ status: 202, body: { duplicate: true } });
    // Stripe signs no delivery-id header: the same delivery under another X-Request-Id is still the same delivery.
    expect(await answer(await edge.post("stripe", body, { ...stripe, "x-request-id": "relabelled-1" }))).toMatchObject({ status: 202, body: { duplicate: true } });
    const later = now + 1;
    const retry = { "stripe-signature": `t=${later},v1=${hmac("whsec_stripe", `${later}.${body}`)}` };
    expect(await answer(await edge.post("stripe", body, retry))).toMatchObject({ status: 202, body: { duplicate: false } });
    expect((await edge.metrics()).eventsIn).toBe(before + 2);
  });
});

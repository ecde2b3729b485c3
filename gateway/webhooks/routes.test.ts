import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { deliveryBytes, readDeliveryLines } from "./deliveries.ts";
import { githubSignature, stripeSignature } from "./verify.ts";

const secrets = { GITHUB_SECRET: "gh-secret", STRIPE_SECRET: "whsec_test", GENERIC_SECRET: "generic", BEARER_SECRET: "let-me-in", SLACK_SECRET: "slack-signing", SHOPIFY_SECRET: "shpss" };

const notebook = `---
title: Hooks
sources:
  gh:
    webhook: { signature: github, secret: GITHUB_SECRET }
  stripe:
    webhook: { signature: stripe, secret: STRIPE_SECRET, delivery_header: Stripe-Event-Id }
  generic:
    webhook: { signature: sha256, secret: GENERIC_SECRET }
  bearer:
    webhook: { signature: bearer, secret: BEARER_SECRET }
  open:
    webhook: { signature: none }
  slack:
    webhook: { signature: slack, secret: SLACK_SECRET }
  shop:
    webhook: { signature: shopify, secret: SHOPIFY_SECRET }
  unset:
    webhook: { signature: github, secret: NOT_EXPORTED }
  feed:
    demo: shop
---
`;

const now = 1_795_000_000_000;
let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "hooks.md": notebook }, { env: secrets, demo: false, now: () => now });
});
afterEach(async () => {
  await gw.close();
});

const post = (path: string, body: string, headers: Record<string, string>) =>
  gw.app.request(`/hooks/${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

/** How many rows the source's sample holds now. */
async function sampleRows(source: string): Promise<number> {
  const res = await gw.app.request(`/api/sources/hooks/${source}/sample`, { headers: gw.auth });
  expect(res.status).toBe(200);
  return Number(res.headers.get("runnel-sample-rows"));
}

describe("webhook capture", () => {
  test("Slack's URL check is answered with its challenge and captures nothing; Shopify redeliveries are captured once", async () => {
    const t = String(Math.floor(now / 1000));
    const slackHeaders = (body: string) => ({ "x-slack-request-timestamp": t, "x-slack-signature": `v0=${createHmac("sha256", "slack-signing").update(`v0:${t}:${body}`).digest("hex")}` });
    const check = JSON.stringify({ token: "x", challenge: "c-123", type: "url_verification" });
    const answer = await post("hooks/slack", check, slackHeaders(check));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ challenge: "c-123" });
    expect((await post("hooks/slack", check, {})).status).toBe(401);
    const event = JSON.stringify({ type: "event_callback", event: { type: "message", text: "hé" } });
    expect((await post("hooks/slack", event, slackHeaders(event))).status).toBe(202);
    expect(await sampleRows("slack")).toBe(1);

    const order = JSON.stringify({ id: 820982911946154500, total_price: "10.00" });
    const shopHeaders = { "x-shopify-hmac-sha256": createHmac("sha256", "shpss").update(order).digest("base64"), "x-shopify-webhook-id": "b54557e4" };
    expect((await post("hooks/shop", order, shopHeaders)).status).toBe(202);
    const again = await post("hooks/shop", order, shopHeaders);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id: "b54557e4", duplicate: true });
    expect(await sampleRows("shop")).toBe(1);
  });

  test("a GitHub delivery with a correct signature is stored: 202 with its delivery id", async () => {
    const body = '{"action":"opened","number":1}';
    const res = await post("hooks/gh", body, { "x-hub-signature-256": githubSignature("gh-secret", body), "x-github-delivery": "abc-1", "x-github-event": "issues" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id: "abc-1" });
    expect(await sampleRows("gh")).toBe(1);
  });

  test("answers and refusals carry the JSON type and the security headers", async () => {
    const body = '{"a":1}';
    const ok = await post("hooks/gh", body, { "x-hub-signature-256": githubSignature("gh-secret", body), "x-github-delivery": "h-1" });
    const again = await post("hooks/gh", body, { "x-hub-signature-256": githubSignature("gh-secret", body), "x-github-delivery": "h-1" });
    const refused = await post("hooks/gh", body, { "x-hub-signature-256": githubSignature("wrong", body) });
    expect([ok.status, again.status, refused.status]).toEqual([202, 200, 401]);
    expect(await again.json()).toEqual({ id: "h-1", duplicate: true });
    for (const res of [ok, again, refused]) {
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
    }
  });

  test("a notebook at a deep path (its folder name past 255 bytes encoded) still captures; a path the root refuses is a 404 naming why to the owner", async () => {
    const deep = `${"x".repeat(200)}/${"y".repeat(200)}`;
    const other = await openTestGateway({ [`${deep}.md`]: notebook }, { env: secrets, demo: false, now: () => now });
    try {
      const res = await other.app.request(`/hooks/${deep}/open`, { method: "POST", body: '{"a":1}', headers: other.auth });
      expect(res.status).toBe(202);
      const sample = await other.app.request(`/api/sources/${deep}/open/sample`, { headers: other.auth });
      expect(sample.headers.get("runnel-sample-rows")).toBe("1");
      // Told to the owner only (a caller without the token gets the generic 404 of a path with no webhook source).
      const long = await other.app.request(`/hooks/${"z".repeat(300)}/open`, { method: "POST", body: "{}", headers: other.auth });
      expect(long.status).toBe(404);
      expect((await long.json()).error.message).toBe(`notebooks: path ${JSON.stringify(`${"z".repeat(300)}.md`)} has a segment longer than 255 bytes`);
    } finally {
      await other.close();
    }
  });

  test("a GitHub delivery with a wrong signature is 401 and stored nowhere", async () => {
    const body = '{"action":"opened"}';
    const res = await post("hooks/gh", body, { "x-hub-signature-256": githubSignature("wrong", body), "x-github-delivery": "abc-2" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "webhook: X-Hub-Signature-256 does not match the body" } });
    expect(await sampleRows("gh")).toBe(0);
  });

  test("a delivery without a signature header is 401", async () => {
    const res = await post("hooks/gh", "{}", {});
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe("webhook: missing X-Hub-Signature-256 header");
  });

  test("a retried delivery id is answered 200 duplicate and kept once", async () => {
    const body = '{"n":1}';
    const headers = { "x-hub-signature-256": githubSignature("gh-secret", body), "x-github-delivery": "same" };
    expect((await post("hooks/gh", body, headers)).status).toBe(202);
    const again = await post("hooks/gh", body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id: "same", duplicate: true });
    expect(await sampleRows("gh")).toBe(1);
  });

  test("Stripe: a fresh signed delivery is accepted; an old timestamp or a wrong signature is 401", async () => {
    const body = '{"id":"evt_1","type":"charge.succeeded"}';
    const t = Math.floor(now / 1000);
    const ok = await post("hooks/stripe", body, { "stripe-signature": stripeSignature("whsec_test", body, t), "stripe-event-id": "evt_1" });
    expect(ok.status).toBe(202);
    // Stripe signs no delivery-id header: the delivery is known by the event id in its signed body, so a copy under another id is a duplicate.
    expect(await ok.json()).toEqual({ id: "evt_1" });
    const relabelled = await post("hooks/stripe", body, { "stripe-signature": stripeSignature("whsec_test", body, t), "stripe-event-id": "evt_other" });
    expect(relabelled.status).toBe(200);
    expect(await relabelled.json()).toMatchObject({ duplicate: true });
    const old = await post("hooks/stripe", body, { "stripe-signature": stripeSignature("whsec_test", body, t - 301) });
    expect(old.status).toBe(401);
    expect((await old.json()).error.message).toBe("webhook: Stripe-Signature timestamp is more than 300 s from the gateway's clock");
    const forged = await post("hooks/stripe", body, { "stripe-signature": stripeSignature("other", body, t) });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.message).toBe("webhook: no v1 signature in Stripe-Signature matches");
  });

  test("Stripe and Slack deliveries without an event id in the body: a copy sent again is a duplicate, a retry signed anew is a new delivery", async () => {
    const body = '{"object":"event","type":"charge.refunded"}';
    const t = Math.floor(now / 1000);
    const stripe = { "stripe-signature": stripeSignature("whsec_test", body, t) };
    expect((await post("hooks/stripe", body, stripe)).status).toBe(202);
    const replay = await post("hooks/stripe", body, stripe);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    expect((await post("hooks/stripe", body, { "stripe-signature": stripeSignature("whsec_test", body, t + 1) })).status).toBe(202);
    expect(await sampleRows("stripe")).toBe(2);
    const slack = (at: number) => ({ "x-slack-request-timestamp": String(at), "x-slack-signature": `v0=${createHmac("sha256", "slack-signing").update(`v0:${at}:${body}`).digest("hex")}` });
    expect((await post("hooks/slack", body, slack(t))).status).toBe(202);
    expect((await post("hooks/slack", body, slack(t))).status).toBe(200);
    expect((await post("hooks/slack", body, { ...slack(t + 1), "x-slack-retry-num": "1" })).status).toBe(202);
    expect(await sampleRows("slack")).toBe(2);
  });

  test("generic sha256= header and bearer sources verify their own way", async () => {
    const body = '{"k":"v"}';
    expect((await post("hooks/generic", body, { "x-signature-256": githubSignature("generic", body) })).status).toBe(202);
    expect((await post("hooks/generic", body, { "x-signature-256": githubSignature("generic", body + " ") })).status).toBe(401);
    expect((await post("hooks/bearer", body, { authorization: "Bearer let-me-in" })).status).toBe(202);
    const wrong = await post("hooks/bearer", body, { authorization: "Bearer let-me-out" });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toBe("webhook: the bearer token does not match");
  });

  test("a source with signature: none takes deliveries only with the gateway token", async () => {
    expect((await post("hooks/open", "{}", {})).status).toBe(401);
    expect((await post("hooks/open", "{}", gw.auth)).status).toBe(202);
  });

  test("a source whose secret is not in the environment is 503; the owner (with the token) is told which variable to export, a sender is not", async () => {
    const res = await post("hooks/unset", "{}", { "x-hub-signature-256": githubSignature("x", "{}"), ...gw.auth });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: "unavailable", message: "webhook: the secret for unset of hooks.md is not set; export NOT_EXPORTED before starting the gateway" } });
    const anonymous = await post("hooks/unset", "{}", { "x-hub-signature-256": githubSignature("x", "{}") });
    expect(anonymous.status).toBe(503);
    const message = ((await anonymous.json()) as { error: { message: string } }).error.message;
    expect(message).toBe("webhook: this source cannot take deliveries now (the gateway's owner sees why in its log, or with the gateway token)");
  });

  test("posting to a source that is not a webhook, or to no source, is 404; only the owner is told the notebook's sources", async () => {
    expect((await post("hooks/feed", "{}", {})).status).toBe(404);
    const owner = await post("hooks/nosuch", "{}", gw.auth);
    expect(owner.status).toBe(404);
    expect((await owner.json()).error.message).toBe('sources: hooks.md has no source "nosuch"; it has gh, stripe, generic, bearer, open, slack, shop, unset, feed');
    for (const path of ["hooks/nosuch", "hooks/feed", "missing/gh"]) {
      const anonymous = await post(path, "{}", {});
      expect(anonymous.status).toBe(404);
      const message = ((await anonymous.json()) as { error: { message: string } }).error.message;
      expect(message).toMatch(/^webhook: no webhook source at this path/);
      expect(message).not.toMatch(/feed|stripe|hooks\.md/);
    }
  });

  test("a delivery over the size limit is 413 and not stored", async () => {
    const small = await openTestGateway({ "hooks.md": notebook }, { env: secrets, demo: false, limits: { hookBytes: 1000 } });
    const body = JSON.stringify({ pad: "x".repeat(2000) });
    const res = await small.app.request("/hooks/hooks/gh", { method: "POST", body, headers: { "x-hub-signature-256": githubSignature("gh-secret", body) } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: "payload_too_large", message: "gateway: request body is larger than 1000 bytes" } });
    await small.close();
  });

  test("deliveries are kept on disk under the state folder and survive a restart", async () => {
    const body = '{"kept":true}';
    await post("hooks/gh", body, { "x-hub-signature-256": githubSignature("gh-secret", body), "x-github-delivery": "keep-1" });
    const lines = await readDeliveryLines(join(gw.stateDir, "hooks", "hooks.md", "gh"));
    expect(lines.map((line) => Buffer.from(deliveryBytes(JSON.parse(line))).toString("utf8"))).toEqual(['{"kept":true}']);
    await gw.app.close();
    const { createApp } = await import("../server.ts");
    const { silentLogger } = await import("../log.ts");
    const again = createApp({ root: gw.root, token: gw.token, stateDir: gw.stateDir, log: silentLogger, env: secrets, demo: false });
    const res = await again.request("/api/sources/hooks/gh/sample", { headers: gw.auth });
    expect(res.headers.get("runnel-sample-rows")).toBe("1");
    await again.close();
  });
});

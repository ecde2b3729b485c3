import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { stripeSignature } from "./verify.ts";

const notebook = `---
title: Payments
sources:
  stripe:
    webhook: { signature: stripe, secret: STRIPE_SECRET }
  slack:
    webhook: { signature: slack, secret: SLACK_SECRET }
---
`;

const now = 1_795_000_000_000;
const t = Math.floor(now / 1000);
let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "payments.md": notebook }, { env: { STRIPE_SECRET: "whsec_test", SLACK_SECRET: "slack-signing" }, demo: false, now: () => now });
});
afterEach(async () => {
  await gw.close();
});

const post = (source: string, body: string, headers: Record<string, string>) =>
  gw.app.request(`/hooks/payments/${source}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
const stripe = (body: string, at: number) => ({ "stripe-signature": stripeSignature("whsec_test", body, at) });
const slack = (body: string, at: number, retry?: number) => ({
  "x-slack-request-timestamp": String(at),
  "x-slack-signature": `v0=${createHmac("sha256", "slack-signing").update(`v0:${at}:${body}`).digest("hex")}`,
  ...(retry === undefined ? {} : { "x-slack-retry-num": String(retry), "x-slack-retry-reason": "http_timeout" }),
});

/** The ids of the events the source's sample holds, as the notebook's NDJSON view of it gives them. */
async function sampledIds(source: string, field: string): Promise<string[]> {
  const res = await gw.app.request(`/api/sources/payments/${source}/events`, { headers: gw.auth });
  expect(res.status).toBe(200);
  return (await res.text()).split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as { value: Record<string, string> }).value[field]!);
}

describe("a sender's retry of one event, signed anew, is captured once (dedupe on the event id in the body)", () => {
  test("Stripe: the retry of evt_1, signed 200 s later, is a 200 duplicate naming evt_1; evt_2 with the same text otherwise is stored", async () => {
    const first = '{"id":"evt_1","object":"event","type":"charge.succeeded","data":{"object":{"amount":1200}}}';
    const ok = await post("stripe", first, stripe(first, t));
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ id: "evt_1" });
    // Stripe's retry: the same body, signed at the time of the attempt (within the gateway's 300 s tolerance of its clock).
    const retry = await post("stripe", first, stripe(first, t + 200));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ id: "evt_1", duplicate: true });
    const second = first.replace("evt_1", "evt_2");
    expect((await post("stripe", second, stripe(second, t + 200))).status).toBe(202);
    expect(await sampledIds("stripe", "id")).toEqual(["evt_1", "evt_2"]);
  });

  test("Slack: an Events API retry (X-Slack-Retry-Num) of Ev01 is a duplicate; a slash command without event_id still dedupes only its copy", async () => {
    const event = '{"type":"event_callback","event_id":"Ev01","event_time":1795000000,"event":{"type":"message","text":"hi"}}';
    expect((await post("slack", event, slack(event, t))).status).toBe(202);
    const retry = await post("slack", event, slack(event, t + 60, 1));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ id: "Ev01", duplicate: true });
    const other = event.replace("Ev01", "Ev02");
    expect((await post("slack", other, slack(other, t + 60))).status).toBe(202);
    // No event id in the body: the signed digest, as before (a copy sent again is a duplicate, a retry signed anew is new).
    const plain = '{"type":"message","text":"no id"}';
    expect((await post("slack", plain, slack(plain, t))).status).toBe(202);
    expect((await post("slack", plain, slack(plain, t))).status).toBe(200);
    expect((await post("slack", plain, slack(plain, t + 1, 1))).status).toBe(202);
    expect(await sampledIds("slack", "type")).toEqual(["event_callback", "event_callback", "message", "message"]);
  });
});

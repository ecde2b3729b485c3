/**
 * Stripe and Slack sign each retry of a delivery anew (a new timestamp, a new signature) and send
 * no delivery-id header; the event's own id is in the body (`evt_…`, Slack's `event_id`). A
 * published Worker (workerd, real Durable Objects, R2) writes each event once however often the
 * sender retries it, as Stripe advises a receiver to: before, every retry was written again.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, type EdgeRuntime, startEdge } from "./harness.ts";

const text = `---
title: payments
sources:
  stripe:
    webhook: { signature: stripe, secret: STRIPE_SECRET }
    format: json
  slack:
    webhook: { signature: slack, secret: SLACK_SECRET }
    format: json
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT 'stripe' AS sender, id AS event, type FROM stripe
UNION ALL
SELECT 'slack' AS sender, event_id AS event, type FROM slack
\`\`\`
`;

const hmac = (secret: string, data: string) => createHmac("sha256", secret).update(data).digest("hex");
const stripe = (body: string, t: number) => ({ "content-type": "application/json", "stripe-signature": `t=${t},v1=${hmac("whsec_stripe", `${t}.${body}`)}` });
const slack = (body: string, t: number, retry?: number) => ({
  "content-type": "application/json",
  "x-slack-request-timestamp": String(t),
  "x-slack-signature": `v0=${hmac("slack-signing", `v0:${t}:${body}`)}`,
  ...(retry === undefined ? {} : { "x-slack-retry-num": String(retry) }),
});
const duplicate = async (r: Response) => {
  expect(r.status, await r.clone().text()).toBe(202);
  return ((await r.json()) as { duplicate: boolean }).duplicate;
};

let edge: EdgeRuntime;
const dir = mkdtempSync(join(tmpdir(), "runnel-sender-ids-"));
beforeAll(async () => {
  const { notebook, issues } = parseNotebook(text, "payments.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, {
    stripe: ['{"id": "evt_0", "object": "event", "type": "charge.succeeded"}'],
    slack: ['{"type": "event_callback", "event_id": "Ev00", "event": {"type": "message"}}'],
  });
  edge = await startEdge({ name: "payments", plan, notebook, bindings: { STRIPE_SECRET: "whsec_stripe", SLACK_SECRET: "slack-signing" } });
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (edge) rmSync(edge.persist, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe("a sender's retries of one event on the Worker", () => {
  test("Stripe's retries of evt_1 and Slack's of Ev01, each signed anew, are written once; other events and a body without an id as before", { timeout: 120_000 }, async () => {
    const now = Math.floor(Date.now() / 1000);
    const charge = '{"id": "evt_1", "object": "event", "type": "charge.succeeded"}';
    expect(await duplicate(await edge.post("stripe", charge, stripe(charge, now)))).toBe(false);
    expect(await duplicate(await edge.post("stripe", charge, stripe(charge, now + 30)))).toBe(true);
    expect(await duplicate(await edge.post("stripe", charge, stripe(charge, now + 90)))).toBe(true);
    const refund = '{"id": "evt_2", "object": "event", "type": "charge.refunded"}';
    expect(await duplicate(await edge.post("stripe", refund, stripe(refund, now + 90)))).toBe(false);

    const message = '{"type": "event_callback", "event_id": "Ev01", "event": {"type": "message"}}';
    expect(await duplicate(await edge.post("slack", message, slack(message, now)))).toBe(false);
    expect(await duplicate(await edge.post("slack", message, slack(message, now + 60, 1)))).toBe(true);
    // No event_id: known by the signed digest, so only a copy sent again is a duplicate; Slack's retry of it is new, as before.
    const bare = '{"type": "app_mention"}';
    expect(await duplicate(await edge.post("slack", bare, slack(bare, now)))).toBe(false);
    expect(await duplicate(await edge.post("slack", bare, slack(bare, now)))).toBe(true);
    expect(await duplicate(await edge.post("slack", bare, slack(bare, now + 1, 1)))).toBe(false);

    expect((await edge.flush()).status).toBe(200);
    await download(await edge.r2(), "", dir);
    const db = await openDuckDB({ threads: 1 });
    try {
      const rows = (await db.read(`SELECT sender, event, type FROM read_parquet('${dir}/out/**/*.parquet') ORDER BY ALL`)).getRows();
      expect(rows).toEqual([
        ["slack", "Ev01", "event_callback"],
        ["slack", null, "app_mention"],
        ["slack", null, "app_mention"],
        ["stripe", "evt_1", "charge.succeeded"],
        ["stripe", "evt_2", "charge.refunded"],
      ]);
    } finally {
      db.close();
    }
  });
});

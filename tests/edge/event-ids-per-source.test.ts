/**
 * Stripe sends one event (one `evt_…` id) to every endpoint subscribed to its type. Two Stripe
 * sources of one notebook, read by one sink (UNION ALL), each receive evt_1: the notebook's samples
 * hold it twice, so DuckDB answers two rows, and the Worker writes both: its sink's one Durable
 * Object remembers event ids per source (with a bare `evt_1` the second delivery was a duplicate).
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, type EdgeRuntime, startEdge } from "./harness.ts";

const text = `---
title: payments
sources:
  charges:
    webhook: { signature: stripe, secret: STRIPE_CHARGES }
    format: json
  audit:
    webhook: { signature: stripe, secret: STRIPE_AUDIT }
    format: json
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT 'charges' AS endpoint, id AS event FROM charges
UNION ALL
SELECT 'audit' AS endpoint, id AS event FROM audit
\`\`\`
`;

const sign = (secret: string, body: string, t: number) => ({
  "content-type": "application/json",
  "stripe-signature": `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`,
});

let edge: EdgeRuntime;
const dir = mkdtempSync(join(tmpdir(), "runnel-event-ids-"));
beforeAll(async () => {
  const { notebook, issues } = parseNotebook(text, "payments.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, {
    charges: ['{"id": "evt_0", "object": "event", "type": "charge.succeeded"}'],
    audit: ['{"id": "evt_0", "object": "event", "type": "charge.succeeded"}'],
  });
  edge = await startEdge({ name: "payments", plan, notebook, bindings: { STRIPE_CHARGES: "whsec_charges", STRIPE_AUDIT: "whsec_audit" } });
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (edge) rmSync(edge.persist, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test("one Stripe event delivered to two endpoints (two sources of one sink) is written once per source, as DuckDB reads the two samples", { timeout: 120_000 }, async () => {
  const now = Math.floor(Date.now() / 1000);
  const event = '{"id": "evt_1", "object": "event", "type": "charge.succeeded"}';
  const first = await edge.post("charges", event, sign("whsec_charges", event, now));
  expect(first.status).toBe(202);
  const second = await edge.post("audit", event, sign("whsec_audit", event, now + 1));
  expect(second.status).toBe(202);
  expect(((await second.json()) as { duplicate: boolean }).duplicate).toBe(false);
  expect((await edge.flush()).status).toBe(200);
  await download(await edge.r2(), "", dir);
  const db = await openDuckDB({ threads: 1 });
  try {
    const rows = (await db.read(`SELECT endpoint, event FROM read_parquet('${dir}/out/**/*.parquet') ORDER BY ALL`)).getRows();
    expect(rows).toEqual([["audit", "evt_1"], ["charges", "evt_1"]]);
  } finally {
    db.close();
  }
});

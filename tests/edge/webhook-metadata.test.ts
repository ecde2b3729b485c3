/**
 * A webhook source's `metadata:` and `headers:` columns on the published Worker in workerd:
 * signed deliveries with headers go in, and the Parquet in R2, read back by DuckDB, holds
 * `_received_at`, `_delivery_id` and `_headers` with the values and types the gateway's sample
 * (from which the plan is compiled, as publish compiles it) gives the same deliveries.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openDuckDB, stringifyJsonLossless } from "../../edge/duckdb/index.node.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { openWebhookSource } from "../../gateway/sources/webhook-source.ts";
import { compileWith, download, startEdge } from "./harness.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const SECRET = "metadata-secret";
const text = `---
title: hooks with metadata
sources:
  gh:
    webhook: { signature: github, secret: GH_SECRET, metadata: [received_at, delivery_id], headers: [X-GitHub-Event, X-Shopify-Topic] }
    format: json
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT n, _received_at, _delivery_id, _headers['x-github-event'] AS event, _headers FROM gh
\`\`\`
`;

/** The deliveries: a body and the headers a sender puts beside its signature. */
const deliveries: { body: string; headers: Record<string, string> }[] = [
  { body: '{"n": 1}', headers: { "x-github-event": "push", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" } },
  { body: '[{"n": 2}, {"n": 3}]', headers: { "x-github-event": "issues", "x-github-delivery": "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", "x-shopify-topic": "orders/create" } },
  { body: '{"n": 6}', headers: { "x-github-event": "ping" } },
];

const signed = (body: string, headers: Record<string, string>) => ({
  "content-type": "application/json",
  "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
  ...headers,
});

test("signed deliveries' received time, delivery id and named headers land in the Parquet with the sample's values and types", { timeout: 180_000 }, async () => {
  const { notebook, issues } = parseNotebook(text, "hooks.md");
  expect(issues).toEqual([]);
  const spec = notebook.sources.gh as Extract<SourceSpec, { kind: "webhook" }>;

  // The sample as the gateway keeps it: the same deliveries, received at a known time.
  const stateDir = mkdtempSync(join(tmpdir(), "runnel-hook-meta-"));
  cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const capture = await openWebhookSource(spec, join(stateDir, "gh"));
  for (const [i, d] of deliveries.entries()) await capture.receive(new TextEncoder().encode(d.body), new Headers(signed(d.body, d.headers)), Date.UTC(2026, 11, 6, 5, 0, i));
  const sample = (await capture.sample(100)).map((e) => (e.ok ? e.value : null)) as Record<string, unknown>[];
  await capture.close();
  expect(sample.map((e) => [e.n, e._received_at, e._delivery_id, e._headers])).toEqual([
    [1, "2026-12-06 05:00:00.000", "72d3162e-cc78-11e3-81ab-4c9367dc0958", { "x-github-event": "push", "x-shopify-topic": null }],
    [2, "2026-12-06 05:00:01.000", "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", { "x-github-event": "issues", "x-shopify-topic": "orders/create" }],
    [3, "2026-12-06 05:00:01.000", "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", { "x-github-event": "issues", "x-shopify-topic": "orders/create" }],
    [6, "2026-12-06 05:00:02.000", null, { "x-github-event": "ping", "x-shopify-topic": null }],
  ]);
  const plan = await compileWith(notebook, { gh: sample.map((e) => stringifyJsonLossless(e as never)) });

  const edge = await startEdge({ name: "hook-meta", plan, notebook, bindings: { GH_SECRET: SECRET } });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());

  const before = Date.now();
  for (const d of deliveries) {
    const res = await edge.post("gh", d.body, signed(d.body, d.headers));
    expect(res.status, await res.clone().text()).toBe(202);
  }
  const after = Date.now();
  // An event with a field of a column's name is a dead letter saying why; one that is no object is refused as it always is.
  const clash = '[{"n": 4, "_Delivery_Id": "mine"}, {"n": 5}]';
  const answer = await edge.post("gh", clash, signed(clash, { "x-github-event": "push", "x-github-delivery": "9f2a0b3c-cc78-11e3-81ab-4c9367dc0958" }));
  expect(await answer.json()).toMatchObject({ events: 2, rows: 1, deadLetters: 1 });
  const scalar = "7";
  expect(await (await edge.post("gh", scalar, signed(scalar, { "x-github-event": "push" }))).json()).toMatchObject({ events: 1, rows: 0, deadLetters: 1 });

  expect((await edge.flush()).status).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), "runnel-hook-meta-r2-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const keys = await download(await edge.r2(), "", dir);

  const db = await openDuckDB({ threads: 1 });
  try {
    const parquet = `read_parquet('${dir}/out/**/*.parquet')`;
    const types = (await db.read(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${parquet})`)).getRowObjectsJson();
    expect(Object.fromEntries(types.map((r) => [r.column_name, r.column_type]))).toEqual({
      n: "BIGINT",
      _received_at: "TIMESTAMP",
      _delivery_id: "VARCHAR",
      event: "VARCHAR",
      _headers: 'STRUCT("x-github-event" VARCHAR, "x-shopify-topic" VARCHAR)',
    });
    const rows = (await db.read(`SELECT n::INTEGER AS n, epoch_ms(_received_at) AS ms, _delivery_id::VARCHAR AS id, event, _headers['x-shopify-topic'] AS topic FROM ${parquet} ORDER BY n`)).getRowObjectsJson();
    expect(rows.map((r) => [r.n, r.id, r.event, r.topic])).toEqual([
      [1, "72d3162e-cc78-11e3-81ab-4c9367dc0958", "push", null],
      [2, "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", "issues", "orders/create"],
      [3, "8e1c0d2a-cc78-11e3-81ab-4c9367dc0958", "issues", "orders/create"],
      [5, "9f2a0b3c-cc78-11e3-81ab-4c9367dc0958", "push", null],
      [6, null, "ping", null],
    ]);
    // When the Worker received each delivery: between the first post and the last answer.
    for (const r of rows.slice(0, 4)) expect(Number(r.ms)).toBeGreaterThanOrEqual(before);
    for (const r of rows.slice(0, 4)) expect(Number(r.ms)).toBeLessThanOrEqual(r.n === 5 ? Date.now() : after);
    // Both events of one delivery have its one time.
    expect(rows[1]!.ms).toBe(rows[2]!.ms);
  } finally {
    db.close();
  }

  const r2 = await edge.r2();
  const letters = (await Promise.all(keys.filter((k) => k.includes("/_errors/")).map(async (k) => decodeDeadLetters((await r2.get(k))!)))).flat();
  const byRaw = Object.fromEntries(letters.map((l) => [l.raw, l.reason]));
  expect(byRaw).toEqual({
    '{"n": 4, "_Delivery_Id": "mine"}': "webhook: the event already has a field _Delivery_Id, and the source adds the column _delivery_id; rename the field at the sender, or leave delivery_id out of metadata:",
    "7": "sink out: event is a number, not a JSON object: 7",
  });
});

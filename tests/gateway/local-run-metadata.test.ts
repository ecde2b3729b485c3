/**
 * "Run locally" of a webhook pipeline whose source adds `metadata:` and `headers:` columns: the
 * gateway's capture gives the published plan the same `_received_at`, `_delivery_id` and
 * `_headers` the notebook's sample showed, and the local Parquet holds them.
 */
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";

const SECRET = "local-metadata-secret";
const text = `---
title: Hooks run locally
sources:
  gh:
    webhook: { signature: github, secret: GH_SECRET, metadata: true, headers: [X-GitHub-Event] }
    format: json
sinks:
  lake:
    fs: { dir: data, prefix: hooks/ }
    flush: { rows: 1000, seconds: 60 }
---

\`\`\`sql id=rows sink=lake
SELECT n, _received_at AS received_at, _delivery_id AS delivery, _headers['x-github-event'] AS event FROM gh
\`\`\`
`;

let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

test("deliveries run locally land in Parquet with when the gateway received them, their delivery id and their event header", async () => {
  let clock = Date.UTC(2026, 11, 6, 5, 0, 0, 250);
  gw = await openTestGateway({ "hooks.md": text }, { demo: false, env: { GH_SECRET: SECRET }, now: () => clock, localRuns: { maxFlushSeconds: 1, tickMs: 50 } });
  const post = async (n: number, event: string, delivery: string | null) => {
    const body = JSON.stringify({ n });
    const headers: Record<string, string> = { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`, "x-github-event": event };
    if (delivery !== null) headers["x-github-delivery"] = delivery;
    const res = await gw!.app.request("/hooks/hooks.md/gh", { method: "POST", body, headers });
    expect(res.status).toBe(202);
  };
  // The sample publish compiles against: deliveries kept before.
  await post(1, "push", "0b6c1a7e-cc78-11e3-81ab-4c9367dc0958");
  await post(2, "issues", "1c7d2b8f-cc78-11e3-81ab-4c9367dc0958");
  const published = await (await gw.app.request("/api/pipelines/publish/hooks.md", { method: "POST", headers: gw.auth })).text();
  expect(published).toContain('"kind":"published"');
  const started = await gw.app.request("/api/pipelines/run/hooks.md", { method: "POST", headers: gw.auth });
  expect(started.status).toBe(201);
  const info = (await started.json()) as { dir: string };

  clock += 60_000;
  await post(10, "pull_request", "2d8e3c90-cc78-11e3-81ab-4c9367dc0958");
  clock += 1_234;
  await post(11, "push", null);
  await expect.poll(async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as { events: number }[])[0]!.events, { timeout: 20_000 }).toBe(2);
  const final = (await (await gw.app.request("/api/pipelines/run/hooks.md", { method: "DELETE", headers: gw.auth })).json()) as { state: string; rows: number; deadLetters: number };
  expect(final).toMatchObject({ state: "stopped", rows: 2, deadLetters: 0 });

  const db = await openDuckDB({ threads: 1 });
  try {
    const parquet = `read_parquet('${join(info.dir, "lake")}/**/*.parquet')`;
    const types = (await db.read(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${parquet})`)).getRowObjectsJson();
    expect(types.map((r) => [r.column_name, r.column_type])).toEqual([["n", "BIGINT"], ["received_at", "TIMESTAMP"], ["delivery", "VARCHAR"], ["event", "VARCHAR"]]);
    const rows = (await db.read(`SELECT n::INTEGER AS n, strftime(received_at, '%Y-%m-%d %H:%M:%S.%g') AS at, delivery::VARCHAR AS delivery, event FROM ${parquet} ORDER BY n`)).getRows();
    expect(rows).toEqual([
      [10, "2026-12-06 05:01:00.250", "2d8e3c90-cc78-11e3-81ab-4c9367dc0958", "pull_request"],
      [11, "2026-12-06 05:01:01.484", null, "push"],
    ]);
  } finally {
    db.close();
  }
}, 120_000);

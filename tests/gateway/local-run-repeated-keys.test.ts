/**
 * "Run locally" of a webhook pipeline fed a delivery whose JSON writes a key twice. DuckDB's
 * read_json with the pinned schema reads such a record unless the repeated key is one of its
 * columns (then it refuses it, `Object {...} has duplicate key "k"`); the Worker and `runnel run`
 * read it so, and so must the gateway's local run, whose source hands such an event over as a
 * decoder error (no schema is known where the source decodes). A source with `metadata:` /
 * `headers:` keeps the event read again with its delivery's columns (`kept`); one without has
 * only the raw text.
 */
import { createHmac } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";

const SECRET = "local-repeats-secret";
const notebook = (webhook: string, select: string) => `---
title: Repeated keys run locally
sources:
  gh:
    webhook: ${webhook}
    format: json
sinks:
  lake:
    fs: { dir: data, prefix: hooks/ }
    flush: { rows: 1000, seconds: 60 }
---

\`\`\`sql id=rows sink=lake
${select}
\`\`\`
`;

let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

async function runLocally(text: string, bodies: string[], before: string[]): Promise<{ rows: unknown[][]; reasons: string[]; final: { rows: number; deadLetters: number; events: number } }> {
  gw = await openTestGateway({ "hooks.md": text }, { demo: false, env: { GH_SECRET: SECRET }, localRuns: { maxFlushSeconds: 1, tickMs: 50 } });
  let delivery = 0;
  const post = async (body: string) => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      "x-github-event": "push",
      "x-github-delivery": `0b6c1a7e-cc78-11e3-81ab-4c9367dc${String(++delivery).padStart(4, "0")}`,
    };
    const res = await gw!.app.request("/hooks/hooks.md/gh", { method: "POST", body, headers });
    expect(res.status).toBe(202);
  };
  for (const body of before) await post(body);
  const published = await (await gw.app.request("/api/pipelines/publish/hooks.md", { method: "POST", headers: gw.auth })).text();
  expect(published).toContain('"kind":"published"');
  const started = await gw.app.request("/api/pipelines/run/hooks.md", { method: "POST", headers: gw.auth });
  expect(started.status).toBe(201);
  const info = (await started.json()) as { dir: string };
  for (const body of bodies) await post(body);
  await expect.poll(async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as { events: number }[])[0]!.events, { timeout: 20_000 }).toBe(bodies.length);
  const final = (await (await gw.app.request("/api/pipelines/run/hooks.md", { method: "DELETE", headers: gw.auth })).json()) as { rows: number; deadLetters: number; events: number };

  const files = (await readdir(info.dir, { recursive: true })).map(String);
  const letters = files.filter((f) => f.includes("_errors") && f.endsWith(".ndjson"));
  const reasons = (await Promise.all(letters.map((f) => readFile(join(info.dir, f), "utf8"))))
    .join("")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { reason: string }).reason);
  let rows: unknown[][] = [];
  if (files.some((f) => f.endsWith(".parquet"))) {
    const db = await openDuckDB({ threads: 1 });
    try {
      rows = (await db.read(`SELECT * EXCLUDE (n), n::INTEGER AS n FROM read_parquet('${join(info.dir, "lake")}/**/*.parquet') ORDER BY n`)).getRows();
    } finally {
      db.close();
    }
  }
  return { rows, reasons, final };
}

// DuckDB's read_json with columns {n: BIGINT, tag: VARCHAR, ...}: a repeated key no column names is
// never looked at (the record is read), a repeated column is refused in these words.
const bodies = ['{"n": 10, "tag": "x", "junk": 1, "junk": 2}', '{"n": 11, "tag": "y", "tag": "z"}', '{"n": 12, "tag": "w"}'];

describe("a local run reads a key written twice as read_json with the plan's schema does", () => {
  test("a webhook source with metadata and headers: the record whose repeated key is no column is written with its delivery columns, the one repeating a column is a dead letter in DuckDB's words", async () => {
    const text = notebook("{ signature: github, secret: GH_SECRET, metadata: true, headers: [X-GitHub-Event] }", "SELECT n, tag, _delivery_id::VARCHAR AS delivery, _headers['x-github-event'] AS event FROM gh");
    const { rows, reasons, final } = await runLocally(text, bodies, ['{"n": 1, "tag": "a"}']);
    expect(rows).toEqual([
      ["x", "0b6c1a7e-cc78-11e3-81ab-4c9367dc0002", "push", 10],
      ["w", "0b6c1a7e-cc78-11e3-81ab-4c9367dc0004", "push", 12],
    ]);
    expect(reasons).toEqual(['lake: Object {"n":11,"tag":"y","tag":"z"} has duplicate key "tag"']);
    expect(final).toMatchObject({ events: 3, rows: 2, deadLetters: 1 });
  }, 120_000);

  test("a webhook source without delivery columns reads them the same", async () => {
    const text = notebook("{ signature: github, secret: GH_SECRET }", "SELECT n, tag FROM gh");
    const { rows, reasons, final } = await runLocally(text, bodies, ['{"n": 1, "tag": "a"}']);
    expect(rows).toEqual([
      ["x", 10],
      ["w", 12],
    ]);
    expect(reasons).toEqual(['lake: Object {"n":11,"tag":"y","tag":"z"} has duplicate key "tag"']);
    expect(final).toMatchObject({ events: 3, rows: 2, deadLetters: 1 });
  }, 120_000);
});

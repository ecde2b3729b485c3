/**
 * A published webhook bundle as its operator meets it on the first day, under `runnel dev-edge` (real workerd,
 * Durable Objects, local R2): a delivery past the 1 MiB default (a CloudTrail file, a batching sender) can be taken
 * once the operator raises `RUNNEL_MAX_BODY_BYTES` (it was fixed in worker.js), the README's DuckDB queries read the
 * lake back as DuckDB's own answer (a NULL partition value as NULL, not the text `__HIVE_DEFAULT_PARTITION__`) and its
 * dead letters with their reasons, from the copy `--lake` keeps (miniflare keeps R2 objects as blobs named by hash).
 */
import { createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { writeWorkerBundle } from "../../edge/worker/bundle.node.ts";
import { startDevEdge, type DevEdge } from "../../edge/worker/dev.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { compileWith } from "./harness.ts";

const notebookText = `---
title: shop
sources:
  shop:
    webhook: { signature: sha256, secret: SHOP_SECRET }
    format: ndjson
sinks:
  lake:
    r2: { binding: LAKE, prefix: shop/entrances/ }
    partition_by: [day, region]
---

\`\`\`sql id=entrances sink=lake
SELECT id, CAST(ts AS TIMESTAMP) AS ts, CAST(CAST(ts AS TIMESTAMP) AS DATE) AS day, shop.region AS region, note
FROM shop
WHERE action = 'enter_shop'
\`\`\`
`;

const SECRET = "shop secret";
const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
const event = (i: number, over: Record<string, unknown> = {}) =>
  JSON.stringify({ id: i, ts: `2026-11-22T0${i % 3}:00:00Z`, action: "enter_shop", shop: { region: ["eu", "na", "apac"][i % 3] }, note: "ok", ...over });

let dir: string;
let lakeDir: string;
let plan: Plan;
let edge: DevEdge;
let db: DuckDB;
const sent: string[] = [];

beforeAll(async () => {
  const { notebook, issues } = parseNotebook(notebookText, "shop.md");
  expect(issues).toEqual([]);
  plan = await compileWith(notebook, { shop: [event(1), event(2, { shop: null, note: "zoë 🚪" })] });
  dir = mkdtempSync(join(tmpdir(), "runnel-edge13-"));
  lakeDir = join(dir, "lake-copy");
  await writeWorkerBundle(join(dir, "worker"), plan, notebook);
  writeFileSync(join(dir, "worker", ".dev.vars"), `SHOP_SECRET="${SECRET}"\nRUNNEL_ADMIN_TOKEN="operator-13"\nRUNNEL_MAX_BODY_BYTES="3000000"\n`);
  edge = await startDevEdge({ dir, port: 0, lake: lakeDir });
  db = await openDuckDB({ threads: 1 });
}, 120_000);

afterAll(async () => {
  db?.close();
  await edge?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = (body: string) => fetch(new URL("/ingest/shop", edge.url), { method: "POST", body, headers: { "x-signature-256": sign(body), "content-type": "application/x-ndjson" } });

/**
 * A delivery on a connection of its own, closed after it: workerd answers an oversized body's 413 before
 * reading all of it and closes the connection, and fetch's pool could hand that socket to the next test's
 * request before it saw the close (that request then failed in milliseconds, on a loaded machine only).
 * The close can also reset the connection before its answer is read (the body still going out): then no
 * answer ever comes, and the delivery is sent again (a CI run waited for it until its 120 s timeout).
 */
async function postAlone(body: string): Promise<{ status: number; json: () => { error?: string } }> {
  for (let attempt = 1; ; attempt++) {
    const answer = await postOnce(body);
    if (answer !== null || attempt === 5) {
      if (answer === null) throw new Error(`the connection was reset before its answer, ${attempt} times`);
      return answer;
    }
  }
}

/** One delivery's answer, or null when the connection was reset before an answer came. */
function postOnce(body: string): Promise<{ status: number; json: () => { error?: string } } | null> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(new URL("/ingest/shop", edge.url), { method: "POST", agent: false, headers: { "x-signature-256": sign(body), "content-type": "application/x-ndjson", "content-length": Buffer.byteLength(body) } }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, json: () => JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
      response.on("error", reject);
    });
    // The server may close while the body is still going out: its answer may still be read, or it was lost with the reset.
    request.on("error", (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EPIPE" && code !== "ECONNRESET") return reject(error);
      setTimeout(() => (answered ? undefined : resolve(null)), 2_000);
    });
    request.on("close", () => setTimeout(() => (answered ? undefined : resolve(null)), 2_000));
    request.end(body);
  });
}

/** The README's fenced SQL blocks, in order. */
function readmeSql(): string[] {
  const text = readFileSync(join(dir, "worker", "README.md"), "utf8");
  return [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** DuckDB's own answer: the events read with the plan's source schema, then the cell's SQL. */
async function duckdbAnswer(lines: string[]): Promise<unknown[][]> {
  const file = join(dir, "events.ndjson");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const columns = `{${plan.sources.shop!.schema.map((c) => `'${c.name}': '${c.type.replaceAll("'", "''")}'`).join(", ")}}`;
  await db.run(`CREATE OR REPLACE TABLE shop AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${columns})`);
  const rows = (await db.read(`SELECT id, ts::VARCHAR, day::VARCHAR, region, note FROM (SELECT id, CAST(ts AS TIMESTAMP) AS ts, CAST(CAST(ts AS TIMESTAMP) AS DATE) AS day, shop.region AS region, note FROM shop WHERE action = 'enter_shop') ORDER BY id`)).getRowsJson();
  return rows;
}

describe("a published Worker on its operator's first day", () => {
  test("a 2 MB delivery is taken once the operator raises RUNNEL_MAX_BODY_BYTES, and one past the var is a 413 that names it", async () => {
    const lines: string[] = [];
    for (let i = 1000; lines.join("\n").length < 2_000_000; i++) lines.push(event(i, { note: "x".repeat(500) }));
    const big = await post(lines.join("\n"));
    expect(big.status, await big.clone().text()).toBe(202);
    expect(await big.json()).toMatchObject({ events: lines.length, rows: lines.length, deadLetters: 0 });
    sent.push(...lines);
    const huge = `${lines.join("\n")}\n${lines.join("\n")}`;
    const refused = await postAlone(huge);
    expect(refused.status).toBe(413);
    expect(refused.json().error).toBe(
      `ingest: body of ${Buffer.byteLength(huge)} bytes is over the limit of 3000000; the Worker's operator can raise it with the var RUNNEL_MAX_BODY_BYTES, or the sender can send smaller deliveries`,
    );
  }, 120_000);

  test("NDJSON posted as curl posts a file (-d @events.ndjson: Content-Type application/x-www-form-urlencoded) is read as NDJSON, not a 400 asking for a payload field", async () => {
    const lines = [event(20), event(21, { note: "a+b %41" })];
    const body = `\uFEFF${lines.join("\n")}\n`;
    const answer = await fetch(new URL("/ingest/shop", edge.url), { method: "POST", body, headers: { "x-signature-256": sign(body), "content-type": "application/x-www-form-urlencoded" } });
    expect(answer.status, await answer.clone().text()).toBe(202);
    expect(await answer.json()).toMatchObject({ events: 2, rows: 2, deadLetters: 0 });
    sent.push(...lines);
  }, 60_000);

  test("the README's DuckDB query reads the lake as DuckDB's answer, a NULL region as NULL; its dead-letter query gives each reason", async () => {
    const lines = [event(1), event(2, { shop: null, note: "zoë 🚪" }), event(3, { shop: { region: null } }), '{"id": 4, "ts": broken', event(5, { ts: "2026-02-30T00:00:00Z" }), event(6, { action: "view_item" })];
    const answer = await post(lines.join("\n"));
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ events: 6, rows: 3, deadLetters: 2 });
    sent.push(lines[0]!, lines[1]!, lines[2]!, lines[5]!);
    const flushed = await fetch(new URL("/flush", edge.url), { method: "POST", headers: { authorization: "Bearer operator-13" } });
    expect(flushed.status).toBe(200);
    const copied = await edge.lake!.sync();
    expect(copied.some((k) => k.startsWith("lake/shop/entrances/lake/day=2026-11-22/region=__HIVE_DEFAULT_PARTITION__/"))).toBe(true);

    const [setup, queries, letters] = readmeSql();
    expect(setup).toContain("CREATE SECRET (TYPE r2,");
    // The source names no delivery_header and sha256 carries no id: its operator is told a retry is written again.
    expect(readFileSync(join(dir, "worker", "README.md"), "utf8")).toContain(
      "- `POST /ingest/shop`: ndjson, signature `sha256` (secret `SHOP_SECRET`). The sender signs the body: `X-Signature-256: sha256=<hex HMAC-SHA256 of the body under SHOP_SECRET>`. No delivery id: a delivery the sender retries (after a timeout or a 503) is written again; name the header that carries its id as the source's `delivery_header:` in the notebook.",
    );
    // A text partition column holding '' makes a folder `region=` that Spark refuses (spark-reads-lake15): said once, by name.
    expect(readFileSync(join(dir, "worker", "README.md"), "utf8")).toContain(
      "Spark refuses the whole dataset if a text partition column (`lake.region`) holds the empty text: its folder is `column=`, as DuckDB writes it too, and Spark has no value for it (it writes '' as NULL). Where Spark reads the lake, write `NULLIF(column, '')` in the cell.",
    );
    // The operator's local copy in place of the bucket's URL, as the README says.
    const local = (sql: string) => sql.replaceAll("r2://lake/", `${lakeDir}/lake/`);
    const lakeQuery = queries!.split("\n\n").find((q) => q.startsWith("-- lake\n"))!;
    const got = (await db.read(`SELECT id, ts::VARCHAR, day::VARCHAR, region, note FROM (${local(lakeQuery).replace(/;\s*$/, "").replace(/^--.*\n/, "")}) ORDER BY id`)).getRowsJson();
    expect(got).toEqual(await duckdbAnswer(sent));
    expect(got.filter((r) => r[3] === null).map((r) => r[0])).toEqual(["2", "3"]);

    const reasons = (await db.read(`SELECT reason, raw FROM (${local(letters!).replace(/;\s*$/, "")}) ORDER BY reason`)).getRowsJson();
    expect(reasons).toEqual([
      ["line 4: parse: malformed JSON: unexpected character \"b\" at offset 16 (line 1, column 17)", '{"id": 4, "ts": broken'],
      ['sink lake: field ts: timestamp field value out of range: "2026-02-30T00:00:00Z"', lines[4]],
    ]);
  }, 120_000);

  test("a var the Worker cannot read is a 500 naming it, so the sender retries until the operator mends it", async () => {
    const other = await startDevEdge({ dir, port: 0, persist: join(dir, "other-state"), vars: { SHOP_SECRET: SECRET, RUNNEL_ADMIN_TOKEN: "t", RUNNEL_MAX_BODY_BYTES: "8MB" } });
    try {
      const body = event(7);
      const answer = await fetch(new URL("/ingest/shop", other.url), { method: "POST", body, headers: { "x-signature-256": sign(body) } });
      expect(answer.status).toBe(500);
      expect((await answer.json()).error).toBe('worker: the var RUNNEL_MAX_BODY_BYTES is "8MB"; expected a whole number of bytes, such as 8388608 for 8 MiB');
    } finally {
      await other.dispose();
    }
  }, 120_000);
});


describe("GET /metrics on a Worker whose flush fails", () => {
  test("a wrong S3 key shows in the totals' lastError, named by its object, and clears once the key is mended and the rows are written", async () => {
    const prefix = `edge13-metrics-${Date.now()}/`;
    const text = `---\ntitle: hooks\nsources:\n  hook:\n    webhook: { signature: sha256, secret: HOOK_SECRET }\n    format: json\nsinks:\n  out:\n    s3: { bucket: ${s3Config.bucket}, prefix: ${prefix} }\n---\n\n\`\`\`sql id=out sink=out\nSELECT id FROM hook\n\`\`\`\n`;
    const { notebook, issues } = parseNotebook(text, "hooks.md");
    expect(issues).toEqual([]);
    const hookPlan = await compileWith(notebook, { hook: ['{"id": 1}'] });
    const hookDir = mkdtempSync(join(tmpdir(), "runnel-edge13-s3-"));
    await writeWorkerBundle(join(hookDir, "worker"), hookPlan, notebook);
    const vars = (secret: string) => ({ HOOK_SECRET: "s", RUNNEL_ADMIN_TOKEN: "t", AWS_ACCESS_KEY_ID: s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: secret, RUNNEL_S3_ENDPOINT: s3Config.endpoint });
    const operator = { authorization: "Bearer t" };
    let run = await startDevEdge({ dir: hookDir, port: 0, vars: vars("not the key") });
    try {
      const body = '{"id": 7}';
      const sig = `sha256=${createHmac("sha256", "s").update(body).digest("hex")}`;
      expect((await fetch(new URL("/ingest/hook", run.url), { method: "POST", body, headers: { "x-signature-256": sig } })).status).toBe(202);
      expect((await fetch(new URL("/flush", run.url), { method: "POST", headers: operator })).status).toBe(500);
      const failing = await (await fetch(new URL("/metrics", run.url), { headers: operator })).json();
      expect(failing).toMatchObject({ bufferRows: 1, rowsOut: 0, lastFlush: null });
      expect(failing.lastError).toMatch(/^out\/0: \d{4}-\d\d-\d\dT[\d:.]+Z sink s3: PUT s3:\/\/runnel-test\/edge13-metrics-\d+\/out\/edge-[0-9a-f]{8}-0+1-0+1\.parquet failed: 403 Forbidden SignatureDoesNotMatch/);
      await run.dispose();
      run = await startDevEdge({ dir: hookDir, port: 0, vars: vars(s3Config.secretAccessKey) });
      expect((await fetch(new URL("/flush", run.url), { method: "POST", headers: operator })).status).toBe(200);
      expect(await (await fetch(new URL("/metrics", run.url), { headers: operator })).json()).toMatchObject({ bufferRows: 0, rowsOut: 1, lastError: null });
    } finally {
      await run.dispose();
      rmSync(hookDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("a Standard Webhooks source whose secret is not whsec_<base64>", () => {
  test("dev-edge says so at start, and each delivery is a 503 (the operator's to mend, the sender retries), not a 401 saying the signature failed", async () => {
    const text = `---\ntitle: trail\nsources:\n  trail:\n    webhook: { signature: standard, secret: TRAIL_SECRET }\n    format: json\nsinks:\n  out:\n    r2: { binding: LAKE, prefix: t/ }\n---\n\n\`\`\`sql id=out sink=out\nSELECT id FROM trail\n\`\`\`\n`;
    const { notebook, issues } = parseNotebook(text, "trail.md");
    expect(issues).toEqual([]);
    const trailPlan = await compileWith(notebook, { trail: ['{"id": 1}'] });
    const trailDir = mkdtempSync(join(tmpdir(), "runnel-edge13-std-"));
    await writeWorkerBundle(join(trailDir, "worker"), trailPlan, notebook);
    // A password-like value, as an operator pastes one before reading the provider's page.
    const run = await startDevEdge({ dir: trailDir, port: 0, vars: { TRAIL_SECRET: "my-trail-secret!", RUNNEL_ADMIN_TOKEN: "t" } });
    try {
      expect(run.badSecrets).toEqual(["secret TRAIL_SECRET is not a Standard Webhooks secret (whsec_<base64>, as the provider shows it); deliveries to trail answer 503"]);
      const body = '{"id": 2}';
      const headers = { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": `v1,${createHmac("sha256", "my-trail-secret!").update(`msg_1.0.${body}`).digest("base64")}` };
      const stranger = await fetch(new URL("/ingest/trail", run.url), { method: "POST", body, headers });
      expect(stranger.status).toBe(503);
      expect((await stranger.json()).error).toBe("ingest: source trail cannot verify deliveries: its secret is not a Standard Webhooks secret");
      const operator = await fetch(new URL("/ingest/trail", run.url), { method: "POST", body, headers: { ...headers, authorization: "Bearer t" } });
      expect((await operator.json()).error).toBe(
        "ingest: source trail cannot verify deliveries: its secret is not a Standard Webhooks secret: wrangler secret put TRAIL_SECRET with the endpoint's secret as the provider shows it, whsec_<base64>",
      );
      expect((await (await fetch(new URL("/metrics", run.url), { headers: { authorization: "Bearer t" } })).json()).eventsIn).toBe(0);
    } finally {
      await run.dispose();
      rmSync(trailDir, { recursive: true, force: true });
    }
  }, 120_000);
});

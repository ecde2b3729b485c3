/**
 * "Run locally" as the page starts it (`?from=sample`), on messy orders: the run begins with the events
 * the notebook shows, Stop writes the windows still open, and the run says which events it refused and
 * why. Before, the page's run took only events arriving after it started (a topic already written gave
 * "events in 0"), Stop counted the last windows' rows as written but dropped them, and the card showed
 * a dead-letter count with no reason.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { loadJsonTexts } from "../../edge/duckdb/load-events.node.ts";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import type { LocalRunInfo } from "./local-run.ts";

const SECRET = "journey12-secret";

const CLEAN = `SELECT
  order_id,
  customer,
  TRY_CAST(price->>'$' AS DECIMAL(10, 2)) AS price,
  coalesce(try_strptime(ts->>'$', '%Y-%m-%dT%H:%M:%S.%gZ'), make_timestamp(TRY_CAST(ts->>'$' AS BIGINT) * 1000)) AS ts,
  unnest(items) AS item
FROM orders
WHERE coalesce(try_strptime(ts->>'$', '%Y-%m-%dT%H:%M:%S.%gZ'), make_timestamp(TRY_CAST(ts->>'$' AS BIGINT) * 1000)) IS NOT NULL`;

const PER_MINUTE = `SELECT
  time_bucket(INTERVAL 1 minute, ts) AS minute,
  customer,
  count(*) AS lines,
  sum(price * item.n) AS revenue
FROM clean
GROUP BY ALL`;

const NOTEBOOK = `---
title: Messy orders
sources:
  orders:
    webhook: { signature: sha256, secret: ORDERS_SECRET }
    format: ndjson
sinks:
  lake:
    fs: { dir: data, prefix: orders/ }
    flush: { rows: 100000, seconds: 60 }
    lateness: 2 minutes
---

\`\`\`sql id=clean
${CLEAN}
\`\`\`

\`\`\`sql id=per_minute sink=lake
${PER_MINUTE}
\`\`\`
`;

const BASE = Date.UTC(2026, 11, 7, 2, 0, 0);
const NAMES = ["Zoë Ångström", "李小龙", "José Núñez", "🙂 emoji Ltd", "O'Brien"];

/** Orders over ten minutes: prices as numbers and as strings, ISO times, epoch millis and garbage, items empty or null, and lines that are not JSON. */
function orders(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 160; i++) {
    const t = BASE + i * 4000;
    const ts = i % 10 === 3 ? String(t) : i % 37 === 5 ? '"yesterday-ish"' : JSON.stringify(new Date(t).toISOString());
    const price = i % 4 === 1 ? `"${(10 + (i % 7) + 0.5).toFixed(2)}"` : String(10 + (i % 7) + 0.25);
    const items = i % 9 === 0 ? "[]" : i % 13 === 0 ? "null" : JSON.stringify([{ sku: `A${i % 3}`, n: 1 }, { sku: `B${i % 4}`, n: 2 }]);
    lines.push(i % 41 === 17 ? `not json at all <order ${i}>` : `{"order_id": ${i}, "customer": ${JSON.stringify(NAMES[i % NAMES.length])}, "price": ${price}, "ts": ${ts}, "items": ${items}}`);
  }
  return lines;
}

let gw: TestGateway | null = null;
/** Where publish writes bundles: a folder of the test's own, not the repository's dist/pipelines. */
let pipelinesDir = "";
beforeEach(() => {
  pipelinesDir = mkdtempSync(join(tmpdir(), "runnel-journey12-pipelines-"));
});
afterEach(async () => {
  await gw?.close();
  gw = null;
  rmSync(pipelinesDir, { recursive: true, force: true });
});

test("started from the sample, the run writes what DuckDB answers over the events the notebook showed, the last windows included, and says why it refused the lines that are not JSON", async () => {
  const started = Date.now();
  // The pipeline's clock runs with the wall clock from the orders' time, so flushes fall due as they do live.
  gw = await openTestGateway({ "orders.md": NOTEBOOK }, { demo: false, pipelinesDir, env: { ORDERS_SECRET: SECRET }, now: () => BASE + 10 * 60_000 + (Date.now() - started), localRuns: { maxFlushSeconds: 1, tickMs: 50 } });
  const lines = orders();
  const body = lines.join("\n");
  const delivered = await gw.app.request("/hooks/orders.md/orders", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "x-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` },
    body,
  });
  expect(delivered.status).toBe(202);
  expect(await (await gw.app.request("/api/pipelines/publish/orders.md", { method: "POST", headers: gw.auth })).text()).toContain('"kind":"published"');

  // A value for `from` the route does not know is refused in words.
  const wrong = await gw.app.request("/api/pipelines/run/orders.md?from=start", { method: "POST", headers: gw.auth });
  expect(wrong.status).toBe(400);
  expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('pipelines: from must be sample or now, got "start"');

  const start = await gw.app.request("/api/pipelines/run/orders.md?from=sample", { method: "POST", headers: gw.auth });
  expect(start.status).toBe(201);
  const run = async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as LocalRunInfo[])[0]!;
  // Every event the notebook shows goes through, and the windows the watermark passed are written, before Stop.
  await expect.poll(async () => (await run()).events, { timeout: 20_000 }).toBe(lines.length);
  await expect.poll(async () => (await run()).files, { timeout: 20_000 }).toBeGreaterThan(0);
  const before = await run();
  expect(before).toMatchObject({ from: "sample", sampleEvents: { orders: lines.length } });
  expect(before.rowsInFiles).toBeGreaterThan(0);
  expect(before.rowsInFiles).toBeLessThanOrEqual(before.rows);

  const final = (await (await gw.app.request("/api/pipelines/run/orders.md", { method: "DELETE", headers: gw.auth })).json()) as LocalRunInfo;
  expect(final.state).toBe("stopped");
  // The windows still open at Stop went to an object of their own (they were counted as written, and dropped).
  expect(final.rows).toBeGreaterThan(before.rows);
  expect(final.rowsInFiles).toBe(final.rows);
  expect(final.lastFile).toMatch(/\.end-/);

  const bad = lines.filter((l) => l.startsWith("not json"));
  expect(final.deadLetters).toBe(bad.length);
  expect(final.errorsDir).toBe(join(final.dir, "_errors"));
  expect(final.recentDeadLetters.map((l) => l.raw)).toEqual(bad);
  expect(final.recentDeadLetters.every((l) => l.source === "orders" && /^did not decode: .*not JSON/.test(l.reason))).toBe(true);
  expect(readdirSync(join(final.errorsDir, "source=orders"))).toEqual(["day=2026-12-07"]);

  // The lake holds exactly what DuckDB answers for the sink cell over the same events.
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "orders", lines.filter((l) => !l.startsWith("not json")));
    await db.run(`CREATE VIEW clean AS ${CLEAN}`);
    await db.run(`CREATE TABLE expected AS ${PER_MINUTE}`);
    await db.run(`CREATE TABLE got AS SELECT * FROM read_parquet('${join(final.dir, "lake")}/**/*.parquet')`);
    const one = async (sql: string) => Number((await db.read(sql)).getRows()[0]![0]);
    const expected = await one("SELECT count(*) FROM expected");
    expect(expected).toBeGreaterThan(20);
    expect({
      got: await one("SELECT count(*) FROM got"),
      missing: await one("SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM got)"),
      extra: await one("SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM expected)"),
    }).toEqual({ got: expected, missing: 0, extra: 0 });
    expect(final.rows).toBe(expected);
  } finally {
    db.close();
  }
}, 120_000);

test("started from now (the route's default), the run takes only what arrives and says so", async () => {
  gw = await openTestGateway({ "orders.md": NOTEBOOK }, { demo: false, pipelinesDir, env: { ORDERS_SECRET: SECRET }, localRuns: { maxFlushSeconds: 1, tickMs: 50 } });
  const body = orders().slice(0, 10).join("\n");
  const post = () =>
    gw!.app.request("/hooks/orders.md/orders", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "x-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` },
      body,
    });
  expect((await post()).status).toBe(202);
  expect(await (await gw.app.request("/api/pipelines/publish/orders.md", { method: "POST", headers: gw.auth })).text()).toContain('"kind":"published"');
  const start = await gw.app.request("/api/pipelines/run/orders.md", { method: "POST", headers: gw.auth });
  expect(await start.json()).toMatchObject({ from: "now", sampleEvents: {}, events: 0 });
  const again = orders().slice(10, 20).join("\n");
  const res = await gw.app.request("/hooks/orders.md/orders", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "x-signature-256": `sha256=${createHmac("sha256", SECRET).update(again).digest("hex")}` },
    body: again,
  });
  expect(res.status).toBe(202);
  await expect.poll(async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as LocalRunInfo[])[0]!.events, { timeout: 20_000 }).toBe(10);
  await gw.app.request("/api/pipelines/run/orders.md", { method: "DELETE", headers: gw.auth });
}, 120_000);

test("Run locally after a new publish stops the run of the earlier one (writing what it holds) and runs the new pipeline, saying so", async () => {
  gw = await openTestGateway({ "orders.md": NOTEBOOK }, { demo: false, pipelinesDir, env: { ORDERS_SECRET: SECRET }, localRuns: { maxFlushSeconds: 1, tickMs: 50 } });
  const body = orders().join("\n");
  const res = await gw.app.request("/hooks/orders.md/orders", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "x-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` },
    body,
  });
  expect(res.status).toBe(202);
  const publish = async () => expect(await (await gw!.app.request("/api/pipelines/publish/orders.md", { method: "POST", headers: gw!.auth })).text()).toContain('"kind":"published"');
  const start = () => gw!.app.request("/api/pipelines/run/orders.md?from=sample", { method: "POST", headers: gw!.auth });
  await publish();
  const first = await start();
  expect(first.status).toBe(201);
  const old = (await first.json()) as LocalRunInfo;
  expect(old.replaced).toBeNull();
  // The same publish: the run in progress, as it is.
  const same = await start();
  expect(same.status).toBe(200);
  expect(((await same.json()) as LocalRunInfo).startedAt).toBe(old.startedAt);
  await expect.poll(async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as LocalRunInfo[])[0]!.events, { timeout: 20_000 }).toBe(160);

  // The cell changes and is published again (bundle.json's publishedAt is to the millisecond).
  await new Promise((resolve) => setTimeout(resolve, 5));
  writeFileSync(join(gw.root, "orders.md"), NOTEBOOK.replace("count(*) AS lines", "count(*) AS order_lines"));
  await publish();
  const second = await start();
  expect(second.status).toBe(201);
  const now = (await second.json()) as LocalRunInfo;
  expect(now.publishedAt).not.toBe(old.publishedAt);
  // The new run says the lake holds the earlier publish's rows too (replace=true would delete them).
  expect(now.earlier).toEqual({ files: expect.any(Number), publishedAt: [old.publishedAt] });
  expect(now.replaced).toBe(`stopped the run of the publish of ${old.publishedAt} (160 events, ${/events, (1 row|[\d,]+ rows) written/.exec(now.replaced!)?.[1]} written) to run this one`);
  await expect.poll(async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as LocalRunInfo[])[0]!.events, { timeout: 20_000 }).toBe(160);
  await gw.app.request("/api/pipelines/run/orders.md", { method: "DELETE", headers: gw.auth });

  // Both runs' rows are in the lake: the old cell's column, then the new one's.
  const db = await openDuckDB({ threads: 1 });
  try {
    const names = async (glob: string) => (await db.read(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${glob}'))`)).getRows().map((r) => r[0]);
    const files = readdirSync(join(now.dir, "lake")).sort();
    expect(files.length).toBeGreaterThanOrEqual(2);
    // Objects are named after the publish whose runs write them.
    const oldFiles = files.filter((f) => f.startsWith(`local-${old.publishedAt.replace(/[^0-9A-Za-z]/g, "")}-`));
    const newFiles = files.filter((f) => f.startsWith(`local-${now.publishedAt.replace(/[^0-9A-Za-z]/g, "")}-`));
    expect(oldFiles.length).toBeGreaterThan(0);
    expect(newFiles.length).toBeGreaterThan(0);
    expect(await names(join(now.dir, "lake", oldFiles[0]!))).toContain("lines");
    expect(await names(join(now.dir, "lake", newFiles[0]!))).toContain("order_lines");
  } finally {
    db.close();
  }
}, 120_000);

/**
 * review13: a local run that died between a flush's objects and its commit, then run again from "now"
 * (the route's default): the rolled-back objects' events are never read again, so the rows the first run
 * wrote — whole Parquet files a reader already saw — are gone from the lake.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";
import { DEMO_EPOCH_MS } from "../../gateway/sources/demo/clock.ts";
import type { LocalRunInfo } from "../../gateway/pipeline/local-run.ts";

const NOTEBOOK = `---
title: Shop rerun
sources:
  shop:
    demo: { generator: shop, rate: 20, seed: 3 }
    sample_size: 200
sinks:
  lake:
    fs: { dir: data, prefix: shop/ }
    flush: { rows: 100000, seconds: 60 }
---

\`\`\`sql id=actions sink=lake
SELECT event_id, action, ts FROM shop
\`\`\`
`;

let gw: TestGateway | null = null;
let pipelinesDir = "";
let stateDir = "";
let clock = 0;
beforeEach(() => {
  pipelinesDir = mkdtempSync(join(tmpdir(), "runnel-review13-pipelines-"));
  stateDir = mkdtempSync(join(tmpdir(), "runnel-review13-state-"));
  clock = DEMO_EPOCH_MS + 20_000;
});
afterEach(async () => {
  await gw?.close();
  gw = null;
  rmSync(pipelinesDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

const open = (afterObjects?: () => void) =>
  openTestGateway({ "shop.md": NOTEBOOK }, { demo: true, pipelinesDir, stateDir, now: () => clock, localRuns: { maxFlushSeconds: 1, tickMs: 20, afterObjects } as never });

const files = (dir: string) => (readdirSync(join(dir, "lake"), { recursive: true }) as string[]).filter((f) => f.endsWith(".parquet"));

test("review13: a crash between a flush's objects and its commit, then a run from now, keeps the rows in the lake", async () => {
  let crash = true;
  gw = await open(() => {
    if (crash) throw new Error("killed between the objects and the commit");
  });
  expect(await (await gw.app.request("/api/pipelines/publish/shop.md", { method: "POST", headers: gw.auth })).text()).toContain('"kind":"published"');
  expect((await gw.app.request("/api/pipelines/run/shop.md?from=sample", { method: "POST", headers: gw.auth })).status).toBe(201);
  const run = async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as LocalRunInfo[])[0]!;
  await expect.poll(async () => (await run()).sampleEvents.shop, { timeout: 20_000 }).toBe(200);
  const died = (await (await gw.app.request("/api/pipelines/run/shop.md", { method: "DELETE", headers: gw.auth })).json()) as LocalRunInfo;
  expect(died.state).toBe("failed");
  expect(files(died.dir)).toHaveLength(1);

  crash = false;
  await gw.close();
  gw = await open();
  // The route's default: what arrives from now (nothing, the clock stands still).
  expect((await gw.app.request("/api/pipelines/run/shop.md", { method: "POST", headers: gw.auth })).status).toBe(201);
  await gw.app.request("/api/pipelines/run/shop.md", { method: "DELETE", headers: gw.auth });
  // The 200 rows the first run wrote in full are still in the lake (or written again): not silently gone.
  expect(files(died.dir)).toHaveLength(1);
}, 120_000);

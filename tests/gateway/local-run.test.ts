import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { loadEvents } from "../../edge/duckdb/load-events.node.ts";
import { stringifyJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { compareDataset } from "../edge/harness.ts";

const SECRET = "local-run-secret";
let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

async function drain(res: Response): Promise<string> {
  return res.text();
}

describe("a published pipeline run locally inside the gateway", () => {
  test("webhook deliveries go through the published plan into local Parquet that DuckDB reads as the sink cell's answer", async () => {
    const text = readFileSync("notebooks/shop-entrances.md", "utf8");
    const { notebook } = parseNotebook(text, "shop-entrances.md");
    gw = await openTestGateway({ "shop-entrances.md": text }, { demo: false, env: { SHOP_WEBHOOK_SECRET: SECRET }, localRuns: { maxFlushSeconds: 1, tickMs: 50 } });
    const pipelines = join(gw.dir, "pipelines");
    await gw.close();
    gw = await openTestGateway({ "shop-entrances.md": text }, { demo: false, env: { SHOP_WEBHOOK_SECRET: SECRET }, localRuns: { maxFlushSeconds: 1, tickMs: 50 }, pipelinesDir: pipelines });

    const early = await gw.app.request("/api/pipelines/run/shop-entrances.md", { method: "POST", headers: gw.auth });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/^pipelines: shop-entrances\.md is not published yet; publish it first/);

    expect(await drain(await gw.app.request("/api/pipelines/publish/shop-entrances.md", { method: "POST", headers: gw.auth }))).toContain('"kind":"published"');
    const started = await gw.app.request("/api/pipelines/run/shop-entrances.md", { method: "POST", headers: gw.auth });
    expect(started.status).toBe(201);
    const info = (await started.json()) as { dir: string; state: string; flushSeconds: number };
    expect(info).toMatchObject({ state: "running", flushSeconds: 1, dir: join(gw.stateDir, "lake", "shop-entrances") });
    // Starting again answers the run in progress.
    expect((await gw.app.request("/api/pipelines/run/shop-entrances.md", { method: "POST", headers: gw.auth })).status).toBe(200);

    // Deliveries after the run started: four signed NDJSON batches of demo events, messy ones included.
    const events = demoEvents(notebook.sources.shop!.demo!, 0, 400);
    for (let b = 0; b < 4; b++) {
      const body = events.slice(b * 100, (b + 1) * 100).map((e) => stringifyJsonLossless(e as never)).join("\n");
      const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
      const res = await gw.app.request("/hooks/shop-entrances.md/shop", { method: "POST", headers: { "content-type": "application/x-ndjson", "x-signature-256": signature }, body });
      expect(res.status).toBe(202);
    }
    await expect.poll(async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as { events: number; files: number }[])[0], { timeout: 20_000 })
      .toMatchObject({ events: 400, files: expect.any(Number) });
    await expect.poll(async () => ((await (await gw!.app.request("/api/pipelines/runs", { headers: gw!.auth })).json()) as { files: number }[])[0]!.files, { timeout: 20_000 }).toBeGreaterThan(0);

    const stopped = await gw.app.request("/api/pipelines/run/shop-entrances.md", { method: "DELETE", headers: gw.auth });
    const final = (await stopped.json()) as { state: string; events: number; rows: number; deadLetters: number; files: number };
    expect(final).toMatchObject({ state: "stopped", events: 400 });

    const db = await openDuckDB({ threads: 1 });
    try {
      await loadEvents(db, "shop", events);
      const plan = JSON.parse(readFileSync(join(pipelines, "shop-entrances", "plan.json"), "utf8")) as Plan;
      const sql = notebook.cells.find((c) => c.sink === "lake")!.code;
      const counts = await compareDataset(db, { sql, glob: join(info.dir, "lake", "**", "*.parquet"), plan, sink: "lake" });
      expect(counts).toEqual({ expected: final.rows, got: final.rows, missing: 0, extra: 0 });
      expect(final.rows).toBeGreaterThan(20);
      // <lake>/<pipeline>/<sink>/<partition folders>: the sink's name once, not twice.
      expect(readdirSync(join(info.dir, "lake")).every((d) => /^[a-z_]+=/.test(d))).toBe(true);
    } finally {
      db.close();
    }
  }, 180_000);
});

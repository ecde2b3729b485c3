/**
 * A shared snapshot has no gateway behind it (sandboxed, no `/api`), so the cells the gateway's
 * DuckDB ran for the sharer (json, icu) show the rows the sharer's page had when it was shared, with
 * the cells downstream of them, in real Chromium on the real gateway.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness, waitReady } from "./harness.ts";

const EVENTS = [
  { id: 1, ts: "2026-03-29 00:30:00", body: JSON.stringify({ action: "opened", repo: { name: "runnel" } }) },
  { id: 2, ts: "2026-03-29 01:30:00", body: JSON.stringify({ action: "closed", repo: { name: "duckdb" } }) },
  { id: 3, ts: "2026-10-25 00:59:59", body: JSON.stringify({ action: "opened", repo: { name: "ünïcode" } }) },
];

const NOTEBOOK = [
  "---",
  "title: Deliveries to share",
  "sources:",
  "  hooks:",
  "    webhook: { signature: none }",
  "---",
  "",
  "```sql id=actions",
  "SELECT id, body->>'$.action' AS action, json_extract_string(body, '$.repo.name') AS repo FROM hooks ORDER BY id",
  "```",
  "",
  "```sql id=per_action",
  "SELECT action, count(*) AS n FROM actions GROUP BY action ORDER BY action",
  "```",
  "",
  "```sql id=berlin",
  "SELECT id, ts AT TIME ZONE 'Europe/Berlin' AS berlin FROM hooks ORDER BY id",
  "```",
  "",
  "```js id=opened",
  "actions.filter((r) => r.action === 'opened').map((r) => r.repo).join(' + ')",
  "```",
  "",
  "```js id=chart",
  'Plot.barY(per_action, { x: "action", y: "n" }).plot()',
  "```",
  "",
  "```sql id=plain",
  "SELECT count(*) AS n FROM hooks",
  "```",
  "",
].join("\n");

const GATEWAY_CELLS = ["actions", "per_action", "berlin"];

const tableText = (page: Page, name: string) => cell(page, name).locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));

describe("a shared snapshot of cells the gateway's DuckDB ran (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;
  let viewer: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 1100 } });
    // The reader: another browser, with no token cookie.
    viewer = await launchBrowser({ viewport: { width: 1400, height: 1100 } });
    writeFileSync(join(harness.root, "deliveries.md"), NOTEBOOK);
    for (const event of EVENTS) {
      const res = await fetch(`${harness.origin}/hooks/deliveries/hooks`, { method: "POST", headers: { authorization: `Bearer ${harness.token}` }, body: JSON.stringify(event) });
      expect(res.status).toBe(202);
    }
  });

  afterAll(async () => {
    await viewer?.close();
    await browser?.close();
    await harness?.close();
  });

  test("the reader sees the rows the sharer saw in json and icu cells, as of when the gateway ran them, and the cells downstream", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "deliveries.md");
    const seen: Record<string, { rows: string[][]; ranAt: string | null }> = {};
    for (const name of GATEWAY_CELLS) {
      expect(await settled(page, name)).toBe("ok");
      seen[name] = { rows: await tableText(page, name), ranAt: await cell(page, name).locator(".gateway-mark").getAttribute("data-ran-at") };
    }
    expect(seen.actions!.rows).toEqual([["1", "opened", "runnel"], ["2", "closed", "duckdb"], ["3", "opened", "ünïcode"]]);
    await expect.poll(() => cell(page, "opened").locator(".cell-body").textContent()).toContain("runnel + ünïcode");
    await page.locator(".share-button").click();
    const url = await page.locator(".share-url").inputValue({ timeout: 30_000 });
    await page.close();

    const shared = await viewer.context.newPage();
    const asked: string[] = [];
    shared.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/")) asked.push(request.url());
    });
    await shared.goto(url);
    await waitReady(shared);
    for (const name of GATEWAY_CELLS) {
      expect(await settled(shared, name), name).toBe("ok");
      expect(await tableText(shared, name), name).toEqual(seen[name]!.rows);
      const mark = cell(shared, name).locator(".gateway-mark");
      expect(await mark.textContent()).toMatch(/^gateway DuckDB ran for the sharer over the gateway's sample as of .+ \(hooks: 3 events\); this snapshot keeps the rows their page had$/);
      expect(await mark.getAttribute("data-ran-at")).toBe(seen[name]!.ranAt);
    }
    expect(await tableText(shared, "berlin")).toEqual([["1", "2026-03-28 23:30:00+00"], ["2", "2026-03-29 00:30:00+00"], ["3", "2026-10-24 22:59:59+00"]]);
    // The JavaScript cell downstream runs in its sandboxed frame over the kept rows.
    await expect.poll(() => cell(shared, "opened").frameLocator("iframe").locator("body").textContent()).toContain("runnel + ünïcode");
    await expect.poll(() => cell(shared, "chart").frameLocator("iframe").locator("svg rect").count()).toBe(2);
    // Each frame is as tall as what it shows: the whole chart, and one line for the text (not an empty frame's default 150 px).
    const chartSvg = await cell(shared, "chart").frameLocator("iframe").locator("svg").first().evaluate((svg) => svg.getBoundingClientRect().height);
    await expect.poll(() => cell(shared, "chart").locator("iframe").evaluate((f) => f.clientHeight)).toBeGreaterThanOrEqual(chartSvg);
    await expect.poll(() => cell(shared, "opened").locator("iframe").evaluate((f) => f.clientHeight)).toBeLessThan(60);
    expect(await settled(shared, "plain")).toBe("ok");
    expect(await cell(shared, "plain").locator(".gateway-mark").count()).toBe(0);
    expect(asked).toEqual([]);
    await screenshot(shared, "share-gateway-cells", { fullPage: true });
    await shared.close();
  });

  test("a snapshot that keeps no result of such a cell says that the gateway runs it and that the snapshot has none", async () => {
    // A share made without the page's results (a script calling POST /api/share with the path only).
    const res = await fetch(`${harness.origin}/api/share`, { method: "POST", headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/json" }, body: JSON.stringify({ path: "deliveries.md" }) });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const shared = await viewer.context.newPage();
    await shared.goto(new URL(url, harness.origin).href);
    await waitReady(shared);
    expect(await settled(shared, "berlin")).toBe("error");
    const text = await cell(shared, "berlin").locator(".cell-error pre").textContent();
    expect(text).toMatch(
      /\n\nThe notebook's in-browser DuckDB has no icu extension \(.+\), so it cannot run this cell itself\. The gateway's DuckDB has it \(with TimeZone UTC, as the pipeline's\): a notebook opened from its gateway runs such a cell there; a shared snapshot has no gateway to run it on\.\n\nThis snapshot keeps no result of cell berlin from the gateway's DuckDB either: the sharer's page had none when it was shared\.$/,
    );
    expect(text).not.toContain("runnel check");
    expect(await settled(shared, "plain")).toBe("ok");
    await shared.close();
  });
});

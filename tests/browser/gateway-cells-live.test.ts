/**
 * A cell the browser's DuckDB-WASM cannot run (icu), over a live Kafka demo stand-in with its
 * record metadata, in real Chromium on the real gateway: it keeps refreshing from the gateway's
 * DuckDB while the stream flows, without the browser's DuckDB fetching the missing extension again
 * on every tick of the source. (A shared snapshot of such cells: `share-gateway-cells.test.ts`.)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Turnstile records with their Kafka metadata",
  "sources:",
  "  turnstile:",
  "    kafka: { topic: mta.turnstile, brokers: [127.0.0.1:9092], metadata: true }",
  "    demo: { generator: turnstile, rate: 4, seed: 1 }",
  "---",
  "",
  "```sql id=berlin",
  "SELECT _offset, _timestamp AT TIME ZONE 'Europe/Berlin' AS berlin FROM turnstile ORDER BY _offset DESC LIMIT 3",
  "```",
  "",
  "```sql id=per_key",
  "SELECT _topic, _partition, count(DISTINCT _key) = count(*) AS keys_unique FROM turnstile GROUP BY ALL",
  "```",
  "",
].join("\n");

describe("a gateway cell over a live Kafka stand-in (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("an AT TIME ZONE cell over _timestamp refreshes from the gateway while the stream flows, and the browser does not fetch icu on every tick", async () => {
    writeFileSync(join(harness.root, "records.md"), NOTEBOOK);
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "records.md");
    expect(await settled(page, "berlin")).toBe("ok");
    const mark = cell(page, "berlin").locator(".gateway-mark");
    expect(await mark.textContent()).toMatch(/^gateway DuckDB ran over the gateway's sample as of .+ \(turnstile: [\d,]+ events\)/);
    expect(await cell(page, "berlin").locator("thead").textContent()).toContain("TIMESTAMP WITH TIME ZONE");

    // The metadata columns in a cell the browser runs: one topic, one partition, a key per record.
    expect(await settled(page, "per_key")).toBe("ok");
    expect(await cell(page, "per_key").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)))).toEqual([["mta.turnstile", "0", "true"]]);

    // From here on, every tick of the source recomputes the cell; none should send DuckDB-WASM after icu.
    const extensionFetches: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/duckdb-extensions/")) extensionFetches.push(request.url());
    });
    const first = await mark.getAttribute("data-ran-at");
    await expect.poll(() => mark.getAttribute("data-ran-at"), { timeout: 60_000 }).not.toBe(first);
    expect(await cell(page, "berlin").getAttribute("data-state")).toBe("ok");
    expect(extensionFetches).toEqual([]);

    await screenshot(page, "gateway-cells-live", { fullPage: true });
    await page.close();
  });
});

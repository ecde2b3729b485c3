/**
 * A TIMESTAMPTZ cell asks for no DuckDB extension the app does not serve. DuckDB-WASM downloads icu
 * for such a cell whatever autoloading says, and every page open with one made a request the gateway
 * answered 404, an error in devtools, before the cell ran on the gateway's DuckDB. Real Chromium,
 * real gateway, a sample notebook with such a cell added.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, copyNotebook, type Harness, openNotebook, settled, startHarness } from "./harness.ts";

describe("DuckDB extensions the app does not serve (Chromium)", () => {
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

  test("a notebook with TIMESTAMPTZ cells opens with no failed request, and the cells show their results", async () => {
    const path = copyNotebook(harness, "turnstile.md", "turnstile-tz.md");
    appendFileSync(join(harness.root, path), [
      "",
      "```sql id=tz_hour",
      "SELECT hour(TIMESTAMPTZ '2024-01-01 10:00:00+00') AS h",
      "```",
      "",
      "```sql id=tz_cast",
      "SELECT CAST('2024-03-05 06:07:08+00' AS TIMESTAMPTZ) AS t",
      "```",
      "",
    ].join("\n"));
    const page = await browser.context.newPage();
    const failed: string[] = [];
    // The context sees the DuckDB worker's requests too (the extension download was one).
    const onResponse = (response: { status(): number; url(): string }) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
    };
    browser.context.on("response", onResponse);
    browser.context.on("requestfailed", (request) => {
      if (request.failure()?.errorText !== "net::ERR_ABORTED") failed.push(`failed ${new URL(request.url()).pathname}`);
    });
    try {
      await openNotebook(page, harness, path);
      expect(await settled(page, "tz_hour")).toBe("ok");
      expect(await settled(page, "tz_cast")).toBe("ok");
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".cell")].every((c) => c.dataset.state !== undefined && c.dataset.state !== ""), null, { timeout: 60_000 });
      expect(await cell(page, "tz_hour").locator("table").textContent()).toContain("10");
      expect(await cell(page, "tz_cast").locator("table").textContent()).toContain("2024-03-05 06:07:08");
      expect(failed).toEqual([]);
    } finally {
      browser.context.off("response", onResponse);
      await page.close();
    }
  });
});

/**
 * Opening each sample notebook, and a share of one, puts nothing in the browser's console and makes
 * no request that fails: a data engineer who opens devtools sees only what is wrong. (Every page
 * open used to ask for the json and icu DuckDB extensions the app does not ship, two 404s, and
 * github.md warned five times that its JSON columns stay VARCHAR.) Real Chromium, real gateway.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { repoRoot } from "../servers/paths.ts";
import { type Harness, openNotebook, startHarness, waitReady } from "./harness.ts";

const NOTEBOOKS = readdirSync(join(repoRoot, "notebooks")).filter((f) => f.endsWith(".md")).sort();

/** Console errors and warnings, uncaught errors and failed requests from the moment the page exists. */
function listen(page: Page): string[] {
  const noise: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") noise.push(`console ${message.type()}: ${message.text().split("\n")[0]}`);
  });
  page.on("pageerror", (error) => noise.push(`uncaught: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) noise.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  page.on("requestfailed", (request) => {
    // Leaving a page cancels its fetches (the notebook list's, when the test goes on to a notebook).
    if (request.failure()?.errorText !== "net::ERR_ABORTED") noise.push(`failed ${request.method()} ${new URL(request.url()).pathname}: ${request.failure()?.errorText}`);
  });
  return noise;
}

/** Waits until every cell on the page shows a result or an error. */
async function allSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".cell")].every((c) => c.dataset.state !== undefined && c.dataset.state !== ""), null, { timeout: 60_000 });
}

describe("a quiet console (Chromium)", () => {
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

  test.each(NOTEBOOKS)("opening %s logs no error or warning and no request fails", async (name) => {
    const page = await browser.context.newPage();
    const noise = listen(page);
    await openNotebook(page, harness, name);
    await allSettled(page);
    expect(await page.locator(".cell[data-state=error]").count()).toBe(0);
    expect(noise).toEqual([]);
    await page.close();
  });

  test("opening a share logs no error or warning and no request fails", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "turnstile.md");
    await allSettled(page);
    await page.locator(".share-button").click();
    const url = await page.locator(".share-url").inputValue({ timeout: 30_000 });
    await page.close();

    const viewer = await launchBrowser({ viewport: { width: 1400, height: 900 } });
    try {
      const shared = await viewer.context.newPage();
      const noise = listen(shared);
      await shared.goto(url);
      await waitReady(shared);
      await allSettled(shared);
      expect(await shared.locator(".cell[data-state=error]").count()).toBe(0);
      expect(noise).toEqual([]);
    } finally {
      await viewer.close();
    }
  });
});

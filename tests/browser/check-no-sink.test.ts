/**
 * Check on a notebook just made, with no cell writing to a sink, in real Chromium on the real
 * gateway: the panel says there is nothing to check and how to mark a sink cell, not a green
 * "agrees" over zero comparisons.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { type Harness, screenshot, settled, startHarness, waitReady } from "./harness.ts";

describe("Check with no sink cell (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("Check on a new notebook says nothing writes to a sink and shows how to declare and mark one", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${harness.origin}/?token=${harness.token}`);
    await waitReady(page);
    await page.locator(".new-notebook input").fill("first");
    await page.locator(".create-notebook").click();
    await page.waitForURL(/\?notebook=first\.md$/);
    await waitReady(page);
    expect(await settled(page, "recent")).toBe("ok");

    await page.locator(".check-button").click();
    const panel = page.locator(".pipeline-panel");
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 120_000 }).not.toBe("running");
    expect(await panel.getAttribute("data-state")).toBe("failed");
    expect(await panel.locator("h2").textContent()).toBe("✗ Nothing to check: no cell writes to a sink");
    expect(await panel.locator(".pipeline-detail").textContent()).toBe("---\nsinks:\n  lake:\n    fs: { dir: data, prefix: lake/ }\n---\n\n```sql id=clean sink=lake\n…\n```");
    await screenshot(page, "check-no-sink");
    await page.close();
  });
});

/**
 * Leaving the page right after typing, in real Chromium on the real gateway: the page saves 800 ms
 * after the last key, and a reload or a click on "runnel" sooner than that lost the edit without a
 * word. The last edit is written as the page goes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, copyNotebook, type Harness, openNotebook, settled, startHarness, waitReady } from "./harness.ts";

describe("leaving the page right after an edit (Chromium)", () => {
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

  test("an edit typed just before a reload is in the file and on the page after it", async () => {
    const path = copyNotebook(harness, "turnstile.md", "leave-reload.md");
    const page = await browser.context.newPage();
    await openNotebook(page, harness, path);
    expect(await settled(page, "clean")).toBe("ok");
    await cell(page, "clean").locator(".cm-line", { hasText: "exits" }).first().click();
    await page.keyboard.press("End");
    await page.keyboard.type(" -- typed just before the reload");
    await page.reload();
    await waitReady(page);
    await expect.poll(() => readFileSync(join(harness.root, path), "utf8"), { timeout: 5_000 }).toContain("  exits -- typed just before the reload\n");
    expect(await cell(page, "clean").locator(".cm-content").innerText()).toContain("exits -- typed just before the reload");
    await page.close();
  });

  test("an edit typed just before following the runnel link to the list is in the file", async () => {
    const path = copyNotebook(harness, "turnstile.md", "leave-link.md");
    const page = await browser.context.newPage();
    await openNotebook(page, harness, path);
    expect(await settled(page, "by_station")).toBe("ok");
    await cell(page, "by_station").locator(".cm-line", { hasText: "GROUP BY" }).first().click();
    await page.keyboard.press("End");
    await page.keyboard.type(" ORDER BY station");
    await page.locator(".brand").click();
    await page.waitForURL(`${harness.origin}/`);
    await waitReady(page);
    await expect.poll(() => readFileSync(join(harness.root, path), "utf8"), { timeout: 5_000 }).toContain("GROUP BY station ORDER BY station\n");
    await page.close();
  });
});

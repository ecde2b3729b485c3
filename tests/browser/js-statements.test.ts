/**
 * A JavaScript cell written as statements, the way a Jupyter or Observable Framework user writes
 * one, in real Chromium on the real gateway: the cell says what a cell is and how to fix it, at the
 * line where the code really breaks, and the fix it names runs.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { copyNotebook, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

/** Replaces the code of the last cell on the page and runs it with Shift-Enter. */
async function rewriteLast(page: Page, code: string): Promise<void> {
  await page.locator(".cell").last().locator(".cm-content").click();
  await page.keyboard.press("Control+a");
  // insertText, not type: the editor would close the brackets typed one by one.
  await page.keyboard.insertText(code);
  await page.keyboard.press("Shift+Enter");
}

describe("JavaScript cells written as statements (Chromium)", () => {
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

  test("statements in a JS cell say to wrap them in a block, at the line where a typo really is, and the block runs", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "statements.md"));
    expect(await settled(page, "by_station")).toBe("ok");
    await page.locator(".add-js").click();
    const added = page.locator(".cell").last();

    await rewriteLast(page, 'const top = by_station.slice(0, 3);\nPlot.barX(top, {y: "station" x: "entries"}).plot()');
    await expect.poll(() => added.getAttribute("data-state"), { timeout: 20_000 }).toBe("error");
    const error = added.locator(".cell-error");
    expect(await error.locator(".cell-error-line").textContent()).toBe("line 2");
    expect(await error.locator("pre").textContent()).toBe(
      "SyntaxError: Unexpected token (line 2, column 30)\nA JavaScript cell is one expression or one { … } block: put these statements in { … } and `return` what the cell shows.",
    );
    expect(await added.locator(".cm-error-line").textContent()).toContain('{y: "station" x: "entries"}');
    expect(await added.locator(".cm-error-at").textContent()).toBe("x");
    await added.scrollIntoViewIfNeeded();
    await screenshot(page, "js-statements-hint");

    await rewriteLast(page, '{\nconst top = by_station.slice(0, 3);\nreturn Plot.barX(top, {y: "station", x: "entries"}).plot();\n}');
    await expect.poll(() => added.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    expect(await added.locator("svg [aria-label=bar] rect").count()).toBe(3);
    await page.close();
  });
});

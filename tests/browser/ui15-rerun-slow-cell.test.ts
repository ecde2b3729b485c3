/**
 * A slow cell fixed and run again while it runs, in real Chromium on the real gateway: the cell says
 * it is running the new text, then shows its result. It said "cancelled · the run was stopped before
 * it finished; Run (Shift-Enter) runs it again" under a spinner for as long as the new run took: the
 * slow run was cancelled before the cell was defined anew, so its end was still the cell's to show.
 */
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot } from "./harness.ts";

const NOTEBOOK = `---
title: Slow, then fixed
---

\`\`\`sql id=slow
SELECT sum(i * i) AS s FROM range(5000000000) t(i)
\`\`\`
`;

describe("a slow cell run again with new text (Chromium)", () => {
  const suite = browserSuite({ "ui15-slow.md": NOTEBOOK });

  test("shows the new run going, never that the cell was cancelled, then the new result", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "ui15-slow.md");
    const slow = cell(page, "slow");
    await slow.locator(".cell-stop").waitFor({ timeout: 30_000 });
    // Every state and message the cell shows from here on.
    await slow.evaluate((element) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        seen.push(`${element.getAttribute("data-state") ?? ""}|${element.querySelector(".cell-cancelled")?.textContent ?? ""}`);
      }).observe(element, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await slow.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("SELECT 42 AS answer");
    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => slow.getAttribute("data-state"), { timeout: 30_000 }).toBe("ok");
    expect(await slow.locator(".result tbody td").allTextContents()).toEqual(["42"]);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.filter((s) => s.startsWith("cancelled") || s.includes("was stopped"))).toEqual([]);
    await screenshot(page, "ui15-rerun-slow-cell");
    await page.close();
  }, 120_000);
});

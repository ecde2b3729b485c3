/**
 * A cell that reads another cell, written and edited the way a person does in a notebook they just
 * made, in real Chromium on the real gateway: it runs over the cell it names, and it follows that
 * cell's edits even while the stream is paused.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, copyNotebook, type Harness, openNotebook, screenshot, settled, startHarness, waitReady } from "./harness.ts";

async function resultRows(page: Page, name: string): Promise<number> {
  return Number(await cell(page, name).locator(".result-summary").getAttribute("data-rows"));
}

/** Replaces the code of the cell bound to `name` and runs it with Shift-Enter. */
async function rewrite(page: Page, name: string, code: string): Promise<void> {
  await cell(page, name).locator(".cm-content").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type(code);
  // The completion list may be open on the last word; Escape closes it as a person would.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Enter");
}

async function pause(page: Page, source: string): Promise<void> {
  await page.locator(`.source[data-source="${source}"] .source-pause`).click();
  await expect.poll(() => page.locator(`.source[data-source="${source}"] .source-pause`).textContent()).toBe("Resume");
}

describe("cells that read other cells (Chromium)", () => {
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

  test("in a new notebook, a cell counting the rows of the first cell (SELECT * over the source) shows the count", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${harness.origin}/?token=${harness.token}`);
    await waitReady(page);
    await page.locator(".new-notebook input").fill("counting");
    await page.locator(".create-notebook").click();
    await page.waitForURL(/\?notebook=counting\.md$/);
    await waitReady(page);
    expect(await settled(page, "recent")).toBe("ok");

    await page.locator(".add-sql").click();
    const added = page.locator(".cell").last();
    await expect.poll(() => added.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await added.locator(".cell-name").fill("counted");
    await added.locator(".cell-name").press("Enter");
    await rewrite(page, "counted", "SELECT count(*) AS n FROM recent");
    await expect.poll(() => cell(page, "counted").locator(".result tbody td").first().textContent(), { timeout: 20_000 }).toBe("100");
    expect(await cell(page, "counted").getAttribute("data-state")).toBe("ok");
    expect(await cell(page, "counted").locator(".cell-error").count()).toBe(0);
    await screenshot(page, "cell-references-count-of-recent");
    await page.close();
  });

  test("Shift-Enter with the completion list open on the cell's name runs the cell and closes the list over its result", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "complete-and-run.md"));
    expect(await settled(page, "by_station")).toBe("ok");
    await page.locator(".add-sql").click();
    const added = page.locator(".cell").last();
    await expect.poll(() => added.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await added.locator(".cell-name").fill("top");
    await added.locator(".cell-name").press("Enter");
    await added.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    // The last word is whole and valid, and the completion list is open on it.
    await page.keyboard.type("SELECT station FROM by_station ORDER BY station");
    // As a person would: ask for completions again if the first request came before the catalog answered.
    const list = page.locator(".cm-tooltip-autocomplete");
    await expect
      .poll(async () => {
        if (await list.count()) return true;
        await page.keyboard.press("Control+Space");
        await page.waitForTimeout(1000);
        return (await list.count()) > 0;
      }, { timeout: 30_000, interval: 500 })
      .toBe(true);
    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => cell(page, "top").locator(".result th").allTextContents(), { timeout: 20_000 }).toEqual(["stationVARCHAR"]);
    expect(await list.count()).toBe(0);
    await screenshot(page, "cell-references-run-closes-completions");
    await page.close();
  });

  test("a name that is not a name, or another cell's, is refused at the cell: the bar says why, and the file and the other cells stay as they were", async () => {
    const page = await browser.context.newPage();
    const path = copyNotebook(harness, "turnstile.md", "rename-refused.md");
    await openNotebook(page, harness, path);
    expect(await settled(page, "by_station")).toBe("ok");
    const before = readFileSync(join(harness.root, path), "utf8");
    const name = cell(page, "by_station").locator(".cell-name");
    const refused = cell(page, "by_station").locator(".cell-name-error");

    await name.fill("by station");
    await name.press("Enter");
    await expect.poll(() => refused.textContent()).toBe("'by station' is not a cell name: use letters, digits and _, not starting with a digit; the cell keeps its name by_station");
    expect(await name.inputValue()).toBe("by_station");

    await name.fill("Clean");
    await name.press("Enter");
    await expect.poll(() => refused.textContent()).toBe("another cell is named clean; the cell keeps its name by_station");
    await screenshot(page, "cell-references-rename-refused");
    expect(await name.inputValue()).toBe("by_station");
    expect(await cell(page, "clean").getAttribute("data-state")).toBe("ok");
    expect(await cell(page, "by_station").getAttribute("data-state")).toBe("ok");
    expect(await page.locator(".cell-js").first().getAttribute("data-state")).toBe("ok");

    // A good name still renames, and typing clears the refusal; the file then differs from the
    // original by that name alone.
    await name.fill("per_station");
    await expect.poll(() => refused.isVisible()).toBe(false);
    await name.press("Enter");
    await expect.poll(() => readFileSync(join(harness.root, path), "utf8"), { timeout: 10_000 }).toContain("```sql id=per_station");
    expect(readFileSync(join(harness.root, path), "utf8")).toBe(before.replace("```sql id=by_station", "```sql id=per_station"));
    await page.close();
  });

  test("after a cell is edited, it still follows the cell it reads: editing that cell while paused recomputes it", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "follow-edits.md"));
    expect(await settled(page, "by_station")).toBe("ok");
    await pause(page, "turnstile");
    expect(await resultRows(page, "by_station")).toBeGreaterThan(1);

    // Edit the middle cell once (the views of the cells exist now), then narrow the first cell.
    await rewrite(page, "by_station", "SELECT station, count(*) AS minutes FROM per_minute GROUP BY station");
    await expect.poll(() => cell(page, "by_station").locator(".result th").first().textContent(), { timeout: 20_000 }).toBe("stationVARCHAR");
    const stations = await resultRows(page, "by_station");
    expect(stations).toBeGreaterThan(1);
    await cell(page, "clean").locator(".cm-line", { hasText: "AND station IS NOT NULL" }).click();
    await page.keyboard.press("End");
    await page.keyboard.type(" AND station = '59 ST'");
    await page.keyboard.press("Shift+Enter");

    await expect.poll(() => resultRows(page, "by_station"), { timeout: 20_000 }).toBe(1);
    expect(await cell(page, "by_station").locator(".result tbody td").first().textContent()).toBe("59 ST");
    await cell(page, "by_station").scrollIntoViewIfNeeded();
    await screenshot(page, "cell-references-follow-edits");
    await page.close();
  });
});

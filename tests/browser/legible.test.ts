/**
 * What a person reads in the sample notebooks, in real Chromium on the real gateway: a result with
 * a STRUCT column keeps the columns after it in view (the long DuckDB type is cut like a long
 * value), and a list item whose text wraps onto the next line of the file reads as one item.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, copyNotebook, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

describe("legible results and prose (Chromium)", () => {
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

  test("a column after a STRUCT column shows in the table's view, and the STRUCT's whole type is its header's title", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "cloudtrail.md", "wide-types.md"));
    expect(await settled(page, "records")).toBe("ok");
    await page.locator(".add-sql").click();
    const added = page.locator(".cell").last();
    await expect.poll(() => added.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await added.locator(".cell-name").fill("wide");
    await added.locator(".cell-name").press("Enter");
    await added.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.insertText("SELECT r AS record, r.eventName AS event_name FROM records");
    await page.keyboard.press("Shift+Enter");
    const headers = cell(page, "wide").locator(".result th");
    await expect.poll(() => headers.count(), { timeout: 20_000 }).toBe(2);

    const type = headers.first().locator(".col-type");
    expect(await type.getAttribute("title")).toMatch(/^STRUCT\(eventVersion VARCHAR, userIdentity STRUCT\(.{200,}\)$/);
    const view = (await cell(page, "wide").locator(".result-scroll").boundingBox())!;
    const next = (await headers.nth(1).boundingBox())!;
    expect(await headers.nth(1).locator(".col-name").textContent()).toBe("event_name");
    expect(next.x + next.width).toBeLessThanOrEqual(view.x + view.width);
    await cell(page, "wide").scrollIntoViewIfNeeded();
    await screenshot(page, "wide-types-struct-column");
    await page.close();
  });

  test("a list item wrapped over lines of the notebook file is one item of the list, not a paragraph after it", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "pii-staging.md");
    const items = page.locator(".prose ul").first().locator("li");
    expect(await items.count()).toBe(4);
    expect(await items.first().textContent()).toBe(
      'email → md5 of the normalised address (trimmed, lower-cased), so " ADA.7@EXAMPLE.COM " and ada.7@example.com are one person. An empty address stays NULL: the hash of nothing would look like a real person.',
    );
    expect(await items.last().textContent()).toBe("ip → the network: the last octet of IPv4 zeroed, IPv6 cut after the first three groups.");
    expect(await page.locator(".prose p", { hasText: "first three groups" }).count()).toBe(0);
    await screenshot(page, "legible-wrapped-list-items");
    await page.close();
  });
});

/**
 * The profile of a source of nested events, in real Chromium on the real gateway: each column's
 * type is one line, cut, with the whole type on hover. A STRUCT's type (github's `issue`,
 * `repository`, …) was printed whole and wrapped down the source panel, twenty lines a column.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { type Harness, openNotebook, screenshot, startHarness } from "./harness.ts";

describe("a source profile of nested columns (Chromium)", () => {
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

  test("github's profile shows each column's type on one line, the whole type on hover", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "github.md");
    const source = page.locator('.source[data-source="github"]');
    await source.locator("button", { hasText: "Profile" }).click();
    const issue = source.locator('.profile li[data-column="issue"] .profile-type');
    await issue.waitFor({ timeout: 30_000 });
    const type = await issue.getAttribute("title");
    expect(type).toMatch(/^STRUCT\(url VARCHAR, html_url VARCHAR, /);
    expect(await issue.textContent()).toBe(type);
    // One line of 10.5 px type is about 13 px tall; the wrapped STRUCT was hundreds.
    const heights = await source.locator(".profile-type").evaluateAll((els) => els.map((el) => ({ type: el.textContent, height: el.getBoundingClientRect().height })));
    expect(heights.length).toBeGreaterThan(3);
    expect(heights.filter((h) => h.height > 20)).toEqual([]);
    await screenshot(page, "walk8-profile-nested");
    await page.close();
  });
});

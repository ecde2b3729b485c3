/**
 * A new notebook made from the list page, in real Chromium on the real gateway: it opens with its
 * demo source live and its first cell showing rows, titled with the name as typed. The name went
 * into the front matter bare, so a name YAML reads as something else came back changed (`0x1F`
 * titled "31") or, `-`, made the front matter invalid and the new notebook opened with its only
 * source "not opened" and its cell failing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { browserSuite, cell, settled, waitReady } from "./harness.ts";

describe("a new notebook from the list page (Chromium)", () => {
  const suite = browserSuite({});

  test.each([
    ["0x1F", "0x1F"],
    ["-", "-"],
    ["trips-2026", "trips-2026"],
  ])("named %s: it opens titled as typed, its source live and its first cell showing rows", async (name, title) => {
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${suite.harness.origin}/?token=${suite.harness.token}`);
    await waitReady(page);
    await page.locator(".new-notebook input[name=name]").fill(name);
    await page.locator(".create-notebook").click();
    await page.waitForURL((url) => url.searchParams.get("notebook") === `${name}.md`);
    await waitReady(page);
    expect(await page.locator(".notebook-title").textContent()).toBe(title);
    expect(await settled(page, "recent")).toBe("ok");
    expect(await cell(page, "recent").locator(".result-summary").textContent()).toMatch(/^100 rows · 10 columns/);
    await expect.poll(() => page.locator('.source[data-source="events"] .source-state').textContent(), { timeout: 20_000 }).toBe("live");
    expect(await page.locator(".notebook-issues").isVisible()).toBe(false);
    // The file reads back with the same title.
    expect(readFileSync(join(suite.harness.root, `${name}.md`), "utf8")).toMatch(/^---\ntitle: /);
    await page.goto(`${suite.harness.origin}/`);
    await waitReady(page);
    expect(await page.locator(".notebook-list li").filter({ hasText: `${name}.md` }).locator("a").textContent()).toBe(title);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/**
 * A Kafka source whose broker does not answer, in real Chromium on the real gateway: its card
 * offers the way on (Reload, once the entry is fixed) instead of Pause and Profile, which have
 * nothing to act on, and Reload after the fix brings the source and its reader up.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { closedPort } from "../servers/ports.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness, waitReady } from "./harness.ts";

const notebook = (source: string) =>
  ["---", "title: Orders", "sources:", "  orders:", `    ${source}`, "---", "", "```sql id=counted", "SELECT count(*) AS n FROM orders", "```", ""].join("\n");

/** The buttons of a card a person can see. */
async function visibleButtons(card: import("playwright-core").Locator): Promise<string[]> {
  return card.locator("button").evaluateAll((buttons) => buttons.filter((b) => b.getClientRects().length > 0).map((b) => b.textContent ?? ""));
}

describe("a source whose broker does not answer (Chromium)", () => {
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

  test("its card offers Reload instead of Pause and Profile, and Reload after fixing the entry brings the source live", async () => {
    const path = join(harness.root, "reload-me.md");
    writeFileSync(path, notebook(`kafka: { topic: orders, brokers: ["127.0.0.1:${await closedPort()}"] }`));
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "reload-me.md");
    const card = page.locator('.source[data-source="orders"]');
    await expect.poll(() => card.locator(".source-state").textContent(), { timeout: 30_000 }).toMatch(/^sample failed: .*nothing answers there/);
    // Reload, and Edit/Remove to fix the entry from the page.
    expect(await visibleButtons(card)).toEqual(["Reload", "Edit", "Remove"]);
    expect(await settled(page, "counted")).toBe("error");
    await screenshot(page, "source-reload-failed-card");

    writeFileSync(path, notebook("demo: turnstile"));
    await card.locator(".source-reload").click();
    await waitReady(page);
    await expect.poll(() => page.locator('.source[data-source="orders"] .source-state').textContent(), { timeout: 30_000 }).toBe("live");
    expect(await visibleButtons(page.locator('.source[data-source="orders"]'))).toEqual(["Pause", "Profile", "Edit", "Remove"]);
    await expect.poll(() => settled(page, "counted"), { timeout: 30_000 }).toBe("ok");
    expect(Number(await cell(page, "counted").locator(".result tbody td").first().textContent())).toBeGreaterThan(0);
    await page.close();
  });
});

/**
 * Opening a notebook, in real Chromium on the real gateway: while DuckDB-WASM compiles and the samples
 * load (seconds on a first open), the page names the notebook and says what it is doing. It showed an
 * empty page with "starting DuckDB…" in a corner, which a newcomer took for a page that had failed.
 */
import { describe, expect, test } from "vitest";
import { browserSuite, screenshot, waitReady } from "./harness.ts";

describe("a notebook opening (Chromium)", () => {
  const suite = browserSuite({});

  test("names the notebook and says what it waits for until its cells show", async () => {
    const page = await suite.browser.context.newPage();
    // What the page shows before it is ready, each text once, in order.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const note = () => {
        if (document.body?.dataset.ready !== undefined) return;
        const text = `${document.querySelector(".notebook-title")?.textContent ?? ""} | ${document.querySelector(".opening")?.textContent ?? ""}`;
        if (seen.at(-1) !== text) seen.push(text);
      };
      new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(`${suite.harness.origin}/?token=${suite.harness.token}`);
    await page.goto(`${suite.harness.origin}/?notebook=turnstile.md`);
    await waitReady(page);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const title = "Turnstile entries by station and minute";
    expect(seen).toContain(`${title} | Opening 4 cells over turnstile: starting DuckDB in this browser while the sample loads…`);
    expect(seen).toContain(`${title} | Opening 4 cells over turnstile: reading the sample into DuckDB…`);
    expect(await page.locator(".opening").count()).toBe(0);
    await screenshot(page, "ui15-opening");
    await page.close();
  }, 120_000);
});

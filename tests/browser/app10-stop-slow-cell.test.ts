/**
 * A slow SQL cell in real Chromium on the real gateway (demo source, live tail). DuckDB-WASM ran
 * every cell's queries on one connection, one at a time, and nothing could stop a query: a cross
 * join over the live source (or `range(10000000000)`) ran for minutes with no way to end it but
 * reloading the page, and every other cell, the live stream's recomputes too, waited behind it.
 * Now each SQL cell queries on its own connection as a pending query, which the worker runs in
 * slices with the others' statements between them, and Stop (or Escape in the editor) cancels it.
 */

import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = `---
title: A slow cell
sources:
  turnstile:
    kafka: { topic: mta.turnstile, brokers: ["127.0.0.1:9092"] }
    format: json
    demo: { generator: turnstile, rate: 20, seed: 1 }
---

# A slow cell

\`\`\`sql id=slow
SELECT count(*) AS n FROM turnstile, range(1000000000) r(i)
\`\`\`

\`\`\`sql id=live
SELECT count(*) AS events FROM turnstile
\`\`\`

\`\`\`sql id=many
SELECT i, i::VARCHAR AS s FROM range(10000) t(i)
\`\`\`

\`\`\`js id=check
\`rows \${many.length}, last \${many[9999].i}, middle \${many[5000].s}\`
\`\`\`
`;

describe("a slow SQL cell (Chromium)", () => {
  const suite = browserSuite({ "app10-slow.md": NOTEBOOK });

  test("other cells answer while it runs, Stop and Escape cancel it, and it runs again when run", async () => {
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "app10-slow.md");
    const slow = cell(page, "slow");
    const live = cell(page, "live");
    const stop = slow.locator(".cell-stop");
    await stop.waitFor({ state: "visible", timeout: 30_000 });
    expect(await slow.locator(".cell-running").textContent()).toMatch(/^running \d/);

    // The live stream keeps recomputing the other cell while the slow one runs.
    if ((await settled(page, "live")) !== "ok") throw new Error(`live: ${await live.textContent()} slow: ${await slow.textContent()}`);
    const events = live.locator("tbody td").first();
    const first = Number(await events.textContent());
    await page.waitForFunction(
      ([selector, before]) => Number(document.querySelector(selector)?.textContent) > before,
      [`.cell[data-name="live"] tbody td`, first] as const,
      { timeout: 20_000 },
    );
    // A JavaScript cell gets every row of a cell whose result DuckDB sends in several batches.
    await cell(page, "check").and(page.locator('[data-state="ok"]')).waitFor({ timeout: 20_000 });
    expect(await cell(page, "check").locator(".cell-body").textContent()).toContain("rows 10000, last 9999, middle 5000");
    // A cell added and run now answers too.
    await page.locator(".add-sql").click();
    const added = page.locator(".cell").last();
    await added.locator(".cm-content").click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("SELECT 41 + 1 AS answer");
    await page.keyboard.press("Shift+Enter");
    // A new cell first runs the query it is made with; the answer to the typed one follows it.
    await expect.poll(() => added.locator("tbody td").first().textContent(), { timeout: 20_000 }).toBe("42");
    await expect.poll(() => stop.isVisible()).toBe(true);
    expect(await slow.getAttribute("data-state")).toBeNull();

    // Stop: the cell says it was cancelled (no error, no stack) and stays so while the stream ticks.
    await stop.click();
    await slow.and(page.locator('[data-state="cancelled"]')).waitFor({ timeout: 10_000 });
    expect(await slow.locator(".cell-cancelled").textContent()).toMatch(/^cancelled · the run was stopped before it finished; Run \(Shift-Enter\) runs it again$/);
    expect(await slow.locator(".cell-error").count()).toBe(0);
    expect(await stop.isVisible()).toBe(false);
    await screenshot(page, "app10-stop-slow-cell");
    const after = Number(await events.textContent());
    await page.waitForFunction(
      ([selector, before]) => Number(document.querySelector(selector)?.textContent) > before,
      [`.cell[data-name="live"] tbody td`, after] as const,
      { timeout: 20_000 },
    );
    expect(await slow.getAttribute("data-state")).toBe("cancelled");
    expect(await slow.locator(".cell-running").isVisible()).toBe(false);

    // Run it again: it runs (Stop is back), and Escape in its editor stops it.
    await slow.locator(".cell-run").click();
    await stop.waitFor({ state: "visible", timeout: 20_000 });
    expect(await slow.getAttribute("data-state")).toBe("cancelled");
    await slow.locator(".cm-content").click();
    await page.keyboard.press("Escape");
    await expect.poll(() => stop.isVisible(), { timeout: 10_000 }).toBe(false);
    expect(await slow.getAttribute("data-state")).toBe("cancelled");

    // Edited to a smaller join and run, it answers DuckDB's count.
    await slow.locator(".cm-content").click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("SELECT count(*) AS n, count(*) // (SELECT count(*) FROM turnstile) AS per FROM turnstile, range(3) r(i)");
    await page.keyboard.press("Shift+Enter");
    await slow.and(page.locator('[data-state="ok"]')).waitFor({ timeout: 20_000 });
    expect(await slow.locator("tbody td").nth(1).textContent()).toBe("3");
    expect(errors).toEqual([]);
    await page.close();
  });
});

/**
 * What a person sees before the first delivery of a webhook source and while a cell's edit has not
 * run, in real Chromium on the real gateway: the source card says how to send a delivery the gateway
 * takes, a cell two steps from the source says what it waits for (not that its input failed), and an
 * edited cell says its output is of the code as it last ran.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, copyNotebook, type Harness, openNotebook, screenshot, settled, startHarness, waitReady } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Orders by webhook",
  "sources:",
  "  orders:",
  "    webhook: { signature: none }",
  "  signed:",
  "    webhook: { signature: github, secret: ORDERS_WEBHOOK_SECRET }",
  "---",
  "",
  "```sql id=per_customer",
  "SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY ALL ORDER BY total DESC",
  "```",
  "",
  "```js id=chart",
  'Plot.barY(per_customer, { x: "customer", y: "total" }).plot()',
  "```",
  "",
].join("\n");

describe("waiting for deliveries, and edits not run yet (Chromium)", () => {
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

  test("a webhook source with no deliveries says where and how to POST them, and a chart over a cell over it says what it waits for", async () => {
    writeFileSync(join(harness.root, "orders-hooks.md"), NOTEBOOK);
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "orders-hooks.md");
    const card = (source: string) => page.locator(`.source[data-source="${source}"] .source-state`);
    const url = `${harness.origin}/hooks/orders-hooks/orders`;
    await expect.poll(() => card("orders").textContent()).toBe(`no events yet: POST them to ${url} with the header Authorization: Bearer <the gateway's token>`);
    expect(await card("signed").textContent()).toBe(`no events yet: POST them to ${harness.origin}/hooks/orders-hooks/signed, signed (github) with the secret in $ORDERS_WEBHOOK_SECRET`);

    expect(await settled(page, "per_customer")).toBe("waiting");
    expect(await cell(page, "per_customer").locator(".cell-waiting").textContent()).toBe("waiting for orders, which has no events yet");
    expect(await settled(page, "chart")).toBe("waiting");
    expect(await cell(page, "chart").locator(".cell-waiting").textContent()).toBe("waiting for per_customer, which is waiting for orders (no events yet)");
    await screenshot(page, "webhook-waiting", { fullPage: true });

    // Shared before any delivery: the snapshot says its source had none, and its readers wait; nothing fails.
    await page.locator(".share-button").click();
    const link = await page.locator(".share-url").inputValue({ timeout: 30_000 });
    await page.locator(".share-close").click();
    const viewer = await launchBrowser({ viewport: { width: 1400, height: 900 } });
    try {
      const shared = await viewer.context.newPage();
      const errors: string[] = [];
      shared.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      await shared.goto(link);
      await waitReady(shared);
      const sharedCard = shared.locator('.source[data-source="orders"] .source-state');
      await expect.poll(() => sharedCard.textContent()).toBe("no events: the source had none when this snapshot was shared");
      expect(await sharedCard.getAttribute("class")).not.toContain("error");
      expect(await settled(shared, "per_customer")).toBe("waiting");
      expect(await cell(shared, "per_customer").locator(".cell-waiting").textContent()).toBe("waiting for orders, which has no events yet");
      expect(errors).toEqual([]);
    } finally {
      await viewer.close();
    }

    // Following the card's words gets the deliveries in, and the cells fill.
    for (const order of [{ customer: "ada", amount: 12.5 }, { customer: "bob", amount: 3 }, { customer: "ada", amount: 1.25 }]) {
      const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${harness.token}` }, body: JSON.stringify(order) });
      expect(res.status).toBe(202);
    }
    await expect.poll(() => cell(page, "per_customer").getAttribute("data-state")).toBe("ok");
    expect(await cell(page, "per_customer").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)))).toEqual([["ada", "2", "13.75"], ["bob", "1", "3.0"]]);
    await expect.poll(() => cell(page, "chart").getAttribute("data-state")).toBe("ok");
    expect(await cell(page, "chart").locator("svg rect, svg path").count()).toBeGreaterThan(0);
    await page.close();
  });

  test("an edited cell says it has not run, while its output stays the last run's, until it runs", async () => {
    const name = copyNotebook(harness, "turnstile.md", "turnstile-edits.md");
    const page = await browser.context.newPage();
    await openNotebook(page, harness, name);
    const byStation = cell(page, "by_station");
    const edited = byStation.locator(".cell-edited");
    expect(await settled(page, "by_station")).toBe("ok");
    expect(await edited.isVisible()).toBe(false);

    await byStation.locator(".cm-content").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nHAVING nonexistent > 1");
    await expect.poll(() => edited.isVisible()).toBe(true);
    expect(await edited.textContent()).toBe("edited · not run");
    expect(await byStation.getAttribute("data-state")).toBe("ok");

    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => byStation.getAttribute("data-state")).toBe("error");
    expect(await edited.isVisible()).toBe(false);
    expect(await byStation.locator(".cell-error pre").textContent()).toMatch(/^Binder Error: .*nonexistent/);

    // Undoing the edit by hand (the text back as it ran) clears the mark without a run.
    await byStation.locator(".cm-content").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type(" ");
    await expect.poll(() => edited.isVisible()).toBe(true);
    await page.keyboard.press("Backspace");
    await expect.poll(() => edited.isVisible()).toBe(false);
    await screenshot(page, "cell-edited");
    await page.close();
  });
});

/**
 * A webhook source of one's own, in real Chromium on the real gateway: the card of a `sha256`
 * source with no deliveries spells out the header to send, and a delivery made as it says goes in.
 * It said only "signed (sha256)", and the header's name and form were learnt from a 401.
 */
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { type Harness, openNotebook, screenshot, startHarness } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Own hooks",
  "sources:",
  "  orders:",
  "    webhook: { path: /orders, signature: sha256, secret: WALK8_ORDERS_SECRET }",
  "    format: json",
  "---",
  "",
  "```sql id=latest",
  "SELECT * FROM orders",
  "```",
  "",
].join("\n");

describe("the card of a webhook source signed with sha256 (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    process.env.WALK8_ORDERS_SECRET = "walk8-secret";
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    delete process.env.WALK8_ORDERS_SECRET;
  });

  test("names the header and its form, and a delivery signed as it says shows up as a row", async () => {
    writeFileSync(join(harness.root, "own-hooks.md"), NOTEBOOK);
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "own-hooks.md");
    const state = page.locator('.source[data-source="orders"] .source-state');
    const url = `${harness.origin}/hooks/own-hooks/orders`;
    await expect
      .poll(() => state.textContent())
      .toBe(`no events yet: POST them to ${url} with the header X-Signature-256: sha256=<the body's HMAC-SHA256 in hex, keyed with the secret in $WALK8_ORDERS_SECRET>`);
    await screenshot(page, "walk8-webhook-card");

    const body = JSON.stringify({ order: "o-1", amount: 12.5 });
    const signature = createHmac("sha256", "walk8-secret").update(body).digest("hex");
    const answer = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "X-Signature-256": `sha256=${signature}` }, body });
    expect(answer.status).toBe(202);
    await expect.poll(() => page.locator('.cell[data-name="latest"] .result-summary').getAttribute("data-rows"), { timeout: 20_000 }).toBe("1");
    await page.close();
  });
});

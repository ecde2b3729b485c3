/**
 * Addresses a person opens by hand, in real Chromium on the real gateway, in a browser without
 * the token's cookie: each says what went wrong and what to open instead, not the raw JSON error
 * or the app's API message under a status stuck at "starting DuckDB…".
 */
import { chromium as playwright, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chromiumArgs } from "../servers/browser.ts";
import { chromium } from "../servers/config.ts";
import { type Harness, screenshot, startHarness, waitReady } from "./harness.ts";

describe("pages opened without the token or at nothing (Chromium)", () => {
  let harness: Harness;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await playwright.launch({ executablePath: chromium.executablePath, headless: true, args: [...chromiumArgs] });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  /** A fresh browser context: no cookie, as another browser or a colleague's machine. */
  async function freshPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    return { page, errors };
  }

  test("a notebook opened without the token says the page needs it and where it is, with no stack trace in the console", async () => {
    const { page, errors } = await freshPage();
    await page.goto(`${harness.origin}/?notebook=turnstile.md`);
    await expect(waitReady(page)).rejects.toThrow();
    const text = await page.locator(".fatal").innerText();
    expect(text).toContain("This page needs the gateway's token.");
    expect(text).toContain("Open the address `runnel start` printed when the gateway started (it ends in ?token=…)");
    expect(text).not.toContain("api: GET");
    expect(await page.locator(".save-status").textContent()).toBe("");
    expect(errors).toEqual([]);
    await screenshot(page, "walk8-pages-no-token");
    await page.context().close();
  });

  test("the notebook list opened without the token says the same", async () => {
    const { page } = await freshPage();
    await page.goto(`${harness.origin}/`);
    await expect(waitReady(page)).rejects.toThrow();
    expect(await page.locator(".fatal").innerText()).toContain("This page needs the gateway's token.");
    await page.context().close();
  });

  test("a notebook that is not there says so and links to the list", async () => {
    const { page, errors } = await freshPage();
    await page.goto(`${harness.origin}/?token=${harness.token}`);
    await page.goto(`${harness.origin}/?notebook=no-such.md`);
    await expect(waitReady(page)).rejects.toThrow();
    expect(await page.locator(".fatal p").first().innerText()).toBe("There is no notebook no-such.md in the gateway's folder.");
    await page.locator(".fatal a").click();
    await waitReady(page);
    expect(await page.locator(".notebook-list a").allTextContents()).toContain("Turnstile entries by station and minute");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a wrong ?token= opens a page saying which address to open, not JSON", async () => {
    const { page } = await freshPage();
    const response = await page.goto(`${harness.origin}/?token=not-the-token`);
    expect(response?.status()).toBe(401);
    expect(await page.locator("h1").innerText()).toBe("This link's token is not valid");
    expect(await page.locator(".reason").innerText()).toBe("gateway: the token in the URL is not valid (401)");
    expect(await page.locator(".advice").innerText()).toContain("Open the address runnel start printed when the gateway started");
    await screenshot(page, "walk8-pages-bad-token");
    await page.context().close();
  });

  test("a share link that points to nothing opens a page saying so, not JSON", async () => {
    const { page } = await freshPage();
    const response = await page.goto(`${harness.origin}/s/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`);
    expect(response?.status()).toBe(404);
    expect(await page.locator(".reason").innerText()).toBe("share: no such share (404)");
    expect(await page.locator(".advice").innerText()).toBe("This share link points to no snapshot the gateway keeps: check that the whole link was copied, or ask for a new one.");
    await page.context().close();
  });
});

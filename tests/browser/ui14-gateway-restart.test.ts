/**
 * A new user's notebook while its gateway stops and comes back, in real Chromium on a real gateway
 * stopped and started again on the same port. The bar said "not saved: Failed to fetch" and kept
 * saying it after the gateway was back: the edit was never written until the next keystroke. The
 * source cards said "tail reconnecting" (or "tail closed", for good), and a webhook source with no
 * events yet answered Profile with DuckDB's `Table with name orders does not exist! Did you mean
 * "pg_prepared_statements"?`. Each now says what happened and what to do.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger } from "../../gateway/log.ts";
import { type RunningGateway, startGateway } from "../../gateway/server.ts";
import { TAIL_CLOSED, TAIL_RECONNECTING, TAIL_RESTARTED } from "../../notebook/app/src/source-table.ts";
import { UNREACHABLE_MESSAGE } from "../../notebook/app/src/saver.ts";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { buildApp, cell, screenshot, settled, waitReady } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Orders",
  "sources:",
  "  events:",
  "    demo: { generator: turnstile, rate: 20, seed: 1 }",
  "  orders:",
  "    webhook: { signature: none }",
  "---",
  "",
  "```sql id=counted",
  "SELECT count(*) AS n FROM events",
  "```",
  "",
].join("\n");

describe("the page while its gateway stops and starts again (Chromium)", () => {
  let work: string;
  let appDir: string;
  let gateway: RunningGateway;
  let browser: LaunchedBrowser;
  const start = (port: number, env: Record<string, string> = {}) =>
    startGateway({ port, root: join(work, "notebooks"), demo: true, stateDir: join(work, "state"), appDir, signals: false, log: createLogger(() => {}), pipelinesDir: join(work, "pipelines"), env: { ...process.env, ...env } });

  beforeAll(async () => {
    appDir = await buildApp();
    work = mkdtempSync(join(tmpdir(), "runnel-ui14-"));
    mkdirSync(join(work, "notebooks"));
    writeFileSync(join(work, "notebooks", "orders.md"), NOTEBOOK);
    gateway = await start(0);
    browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test("an edit made while it is down is saved when it is back, and the cards say the stream stopped, then that it ended for good", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const origin = `http://127.0.0.1:${gateway.port}`;
    await page.goto(`${origin}/?token=${gateway.token}`);
    await page.goto(`${origin}/?notebook=orders.md`);
    await waitReady(page);
    expect(await settled(page, "counted")).toBe("ok");
    const events = page.locator('.source[data-source="events"]');
    const orders = page.locator('.source[data-source="orders"]');
    await expect.poll(() => events.locator(".source-state").textContent(), { timeout: 20_000 }).toBe("live");

    // A source with no events yet: its profile says there is nothing to profile, not DuckDB's catalog error.
    await orders.locator(".source-profile-toggle").click();
    expect(await orders.locator(".source-profile").textContent()).toBe("nothing to profile yet: the source has no events; the profile is drawn when the first ones arrive");

    // The gateway stops: the cards say the live stream stopped and that it reconnects by itself.
    const port = gateway.port;
    await gateway.close();
    await expect.poll(() => events.locator(".source-state").textContent(), { timeout: 20_000 }).toBe(TAIL_RECONNECTING);
    expect(await events.locator(".source-reload").isVisible()).toBe(false);

    // An edit made meanwhile: the bar says the gateway does not answer and that the edit is kept.
    const editor = cell(page, "counted").locator(".cm-content");
    await editor.click();
    await page.keyboard.press("End");
    await page.keyboard.type(" WHERE entries >= 0");
    await expect.poll(() => page.locator(".save-status").textContent(), { timeout: 20_000 }).toBe(`not saved: ${UNREACHABLE_MESSAGE}`);
    // In an 800-px window the long status wraps beside the title; it squeezed the title out of the bar.
    await page.setViewportSize({ width: 800, height: 800 });
    expect((await page.locator(".notebook-title").boundingBox())!.width).toBeGreaterThan(40);
    expect(await page.locator(".notebook-title").textContent()).toBe("Orders");
    await screenshot(page, "ui14-gateway-down");
    await page.setViewportSize({ width: 1280, height: 800 });

    // Back on the same port (same token): the edit is written without another keystroke, the stream follows again.
    gateway = await start(port);
    await expect.poll(() => page.locator(".save-status").textContent(), { timeout: 30_000 }).toBe("saved");
    expect(readFileSync(join(work, "notebooks", "orders.md"), "utf8")).toContain("SELECT count(*) AS n FROM events WHERE entries >= 0\n");
    // It says so in words, not "gateway skipped events (restarted)" in red for as long as the page stays open.
    await expect.poll(() => events.locator(".source-state").textContent(), { timeout: 30_000 }).toBe(TAIL_RESTARTED);
    expect(await events.locator(".source-state").evaluate((el) => el.classList.contains("error"))).toBe(false);

    // The webhook's first event: the open profile is drawn over it.
    const answer = await fetch(`${origin}/hooks/orders/orders`, { method: "POST", headers: { authorization: `Bearer ${gateway.token}` }, body: JSON.stringify({ id: 1, customer: "Zoë 🚀", amount: 12.5 }) });
    expect(answer.status).toBe(202);
    await expect.poll(() => orders.locator(".source-profile .profile-name").allTextContents(), { timeout: 20_000 }).toEqual(["id", "customer", "amount"]);
    expect(await orders.locator(".source-profile").evaluate((el) => el.classList.contains("error"))).toBe(false);

    // Started again with another token: the browser's reconnect is refused and it gives up; the card says so and offers Reload.
    await gateway.close();
    await expect.poll(() => events.locator(".source-state").textContent(), { timeout: 20_000 }).toBe(TAIL_RECONNECTING);
    gateway = await start(port, { RUNNEL_TOKEN: "another-token-for-ui14-0123456789abcdef" });
    await expect.poll(() => events.locator(".source-state").textContent(), { timeout: 30_000 }).toBe(TAIL_CLOSED);
    expect(await events.locator(".source-reload").isVisible()).toBe(true);
    await screenshot(page, "ui14-gateway-token-changed");
    expect(errors).toEqual([]);
    await page.close();
  });
});

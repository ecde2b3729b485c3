/**
 * A source whose entry in the front matter has a problem (a mistyped `metadata:` or `headers:`) is
 * not opened; the page says which source and why, in its card and in every cell reading it,
 * instead of DuckDB's "Table with name … does not exist", in real Chromium on the real gateway.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Deliveries with a mistyped source",
  "sources:",
  "  hooks:",
  "    webhook: { signature: none, metadata: [received_at, delivery_id], headers: [X-GitHub-Event] }",
  "  orders:",
  "    kafka: { topic: orders, brokers: [127.0.0.1:9092], metadata: [key, offest] }",
  "    demo: { generator: turnstile, rate: 2, seed: 1 }",
  "---",
  "",
  "```sql id=events",
  "SELECT _headers['x-github-event'] AS event, body->>'$.action' AS action FROM hooks",
  "```",
  "",
  "```sql id=per_key",
  "SELECT _key, count(*) AS n FROM orders GROUP BY ALL",
  "```",
  "",
  "```js id=shown",
  "per_key.length",
  "```",
  "",
].join("\n");

const HOOKS_PROBLEM =
  "line 5:33 sources.hooks.webhook.metadata: delivery_id needs a header naming each delivery, and signature: none has none by default; name it with delivery_header: (e.g. X-Request-Id), or leave delivery_id out";
const ORDERS_PROBLEM =
  `line 7:72 sources.orders.kafka.metadata[1]: expected one of key, timestamp, partition, offset, topic, headers, found "offest" (did you mean 'offset'?)`;

describe("a source whose front matter entry has a problem (Chromium)", () => {
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

  test("its card and the cells reading it say which source is not opened and why, and no cell is sent to the gateway", async () => {
    writeFileSync(join(harness.root, "mistyped.md"), NOTEBOOK);
    const page = await browser.context.newPage();
    const cellRuns: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/cells/")) cellRuns.push(request.url());
    });
    await openNotebook(page, harness, "mistyped.md");

    // The side panel lists both declared sources as not opened, with the front matter's words.
    expect(await page.locator(".sources .muted").allTextContents()).not.toContain("This notebook declares no sources.");
    const hooks = page.locator('.source[data-source="hooks"]');
    expect(await hooks.locator(".source-kind").textContent()).toBe("not opened");
    expect(await hooks.locator(".source-error").textContent()).toBe(HOOKS_PROBLEM);
    expect(await page.locator('.source[data-source="orders"] .source-error').textContent()).toBe(ORDERS_PROBLEM);

    // A cell DuckDB-WASM cannot run (->>) and one it can: both name the source and its problem.
    expect(await settled(page, "events")).toBe("error");
    expect(await cell(page, "events").locator(".cell-error pre").textContent()).toBe(
      `source hooks is declared under sources:, but its entry has a problem, so the notebook has no table for it:\n${HOOKS_PROBLEM}\nFix it in the file's front matter and reload the page.`,
    );
    expect(await settled(page, "per_key")).toBe("error");
    expect(await cell(page, "per_key").locator(".cell-error pre").textContent()).toBe(
      `source orders is declared under sources:, but its entry has a problem, so the notebook has no table for it:\n${ORDERS_PROBLEM}\nFix it in the file's front matter and reload the page.`,
    );
    expect(await settled(page, "shown")).toBe("waiting");
    expect(await cell(page, "shown").locator(".cell-waiting").textContent()).toBe("waiting for per_key, which failed");
    expect(await page.locator("body").textContent()).not.toContain("does not exist");
    expect(cellRuns).toEqual([]);

    await screenshot(page, "broken-source", { fullPage: true });
    await page.close();
  });
});

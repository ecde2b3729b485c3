/**
 * A notebook whose Kafka source cannot be read (a topic that is not on the broker, a port nothing
 * listens on): the source's card gives the gateway's reason with what to fix, and the cells reading
 * the source say the same, not DuckDB's "Table with name … does not exist! Did you mean
 * "pg_prepared_statements"?". Real Chromium, the real gateway, the real broker.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { kafka } from "../servers/config.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";
import { closedPort } from "../servers/ports.ts";

const notebook = (topic: string, broker: string) =>
  [
    "---",
    "title: Orders from a topic that cannot be read",
    "sources:",
    "  orders:",
    `    kafka: { topic: ${topic}, brokers: ["${broker}"] }`,
    "---",
    "",
    "```sql id=clean",
    "SELECT id, amount FROM orders",
    "```",
    "",
    "```sql id=total",
    "SELECT sum(amount) AS total FROM clean",
    "```",
    "",
  ].join("\n");

describe("a Kafka source that cannot be read (Chromium)", () => {
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

  async function open(path: string, text: string) {
    writeFileSync(join(harness.root, path), text);
    const page = await browser.context.newPage();
    const cellRuns: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/cells/")) cellRuns.push(request.url());
    });
    await openNotebook(page, harness, path);
    return { page, cellRuns };
  }

  test("a topic that is not on the broker: the card and the reading cell say so and what to do", async () => {
    const topic = `walk6-missing-${Date.now()}`;
    const { page, cellRuns } = await open("missing-topic.md", notebook(topic, kafka.brokers[0]));
    const reason = `sources: cannot sample orders of missing-topic.md: kafka: topic ${topic} does not exist on ${kafka.brokers[0]}; create it, or name another in sources.orders.kafka.topic (the notebook does not create topics)`;

    expect(await page.locator('.source[data-source="orders"] .source-state').textContent()).toBe(`sample failed: ${reason}`);
    expect(await settled(page, "clean")).toBe("error");
    expect(await cell(page, "clean").locator(".cell-error pre").textContent()).toBe(
      `source orders could not be read, so the notebook has no table for it:\n${reason}\nReload the page once that is fixed.`,
    );
    expect(await settled(page, "total")).toBe("waiting");
    expect(await cell(page, "total").locator(".cell-waiting").textContent()).toBe("waiting for clean, which failed");
    expect(await page.locator("body").textContent()).not.toContain("does not exist!");
    expect(cellRuns).toEqual([]);
    await screenshot(page, "kafka-source-missing-topic", { fullPage: true });
    await page.close();
  });

  test("a port no broker listens on: the reading cell says nothing answers there and what to check", async () => {
    const port = await closedPort();
    const { page } = await open("no-broker.md", notebook("orders", `127.0.0.1:${port}`));
    expect(await settled(page, "clean")).toBe("error");
    expect(await cell(page, "clean").locator(".cell-error pre").textContent()).toBe(
      [
        "source orders could not be read, so the notebook has no table for it:",
        `sources: cannot sample orders of no-broker.md: kafka: cannot reach topic orders on 127.0.0.1:${port}: Connection error: connect ECONNREFUSED 127.0.0.1:${port}; check sources.orders.kafka.brokers, and that the broker is running (nothing answers there)`,
        "Reload the page once that is fixed.",
      ].join("\n"),
    );
    await screenshot(page, "kafka-source-no-broker", { fullPage: true });
    await page.close();
  });
});

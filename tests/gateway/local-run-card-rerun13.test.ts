/**
 * "Run locally", Stop, "Run again" from the page, in real Chromium on the real gateway and broker: the
 * second run writes none of the records the first wrote, and its card says so. Before, it wrote every
 * record of the sample again, and DuckDB reading the lake counted each twice.
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { kafka } from "../servers/config.ts";
import { browserSuite, openNotebook, screenshot } from "../browser/harness.ts";

const COUNT = 150;

const notebook = (topic: string) => `---
title: Orders run twice
sources:
  orders:
    kafka: { topic: ${topic}, brokers: ["${kafka.brokers[0]}"] }
sinks:
  lake:
    fs: { dir: data, prefix: orders/ }
    flush: { rows: 100000, seconds: 60 }
---

\`\`\`sql id=orders_out sink=lake
SELECT order_id, amount FROM orders
\`\`\`
`;

describe("Run locally twice from the page (Chromium, real broker)", () => {
  const suite = browserSuite({});

  test("Run again after Stop skips the records the first run wrote, says so on the card, and the lake holds each once; after a new publish the card offers to replace the old transform's rows", async () => {
    const topic = `rerun13-card-${Date.now()}`;
    const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: COUNT }, (_, i) => ({ value: JSON.stringify({ order_id: i, amount: i / 4 }), partition: i % 2 })) });
    await producer.disconnect();
    try {
      writeFileSync(join(suite.harness.root, "rerun13-orders.md"), notebook(topic));
      const page = await suite.browser.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await openNotebook(page, suite.harness, "rerun13-orders.md");
      await expect.poll(() => page.locator('.sources > .source[data-source="orders"] .source-rows').getAttribute("data-value"), { timeout: 30_000 }).toBe(String(COUNT));

      await page.getByRole("button", { name: "Publish" }).click();
      const panel = page.locator(".pipeline-panel");
      await expect.poll(() => panel.locator("#pipeline-heading").textContent(), { timeout: 120_000 }).toMatch(/^[✓✗]/);
      expect(await panel.innerText()).toMatch(/^✓ Published/);
      await panel.locator(".pipeline-run-local").click();

      const run = page.locator(".local-run");
      const stat = (key: string) => run.locator(`dd[data-key="${key}"]`).textContent();
      await expect.poll(() => stat("events"), { timeout: 30_000 }).toBe(String(COUNT));
      expect(await run.locator('dd[data-key="skipped"]').count()).toBe(0);
      await run.locator(".local-run-stop").click();
      await expect.poll(() => run.getAttribute("data-state"), { timeout: 30_000 }).toBe("stopped");
      expect(await stat("rows")).toBe(String(COUNT));

      await run.locator(".local-run-again").click();
      await expect.poll(() => stat("skipped"), { timeout: 30_000 }).toMatch(/^skipped 150 events already written by the run at .+ \(150 events in the lake before this run\)$/);
      expect(await stat("events")).toBe("0");
      await screenshot(page, "rerun13-local-run-again", { fullPage: true });
      await run.locator(".local-run-stop").click();
      await expect.poll(() => run.getAttribute("data-state"), { timeout: 30_000 }).toBe("stopped");

      const dir = (await stat("dir"))!;
      const lake = async (sql: string) => {
        const db = await openDuckDB({ threads: 1 });
        try {
          return (await db.read(sql.replace("LAKE", `read_parquet('${join(dir, "lake")}/**/*.parquet', union_by_name = true)`))).getRows().map((r) => r.map(Number));
        } finally {
          db.close();
        }
      };
      expect(await lake("SELECT count(*), count(DISTINCT order_id) FROM LAKE")).toEqual([[COUNT, COUNT]]);
      expect(errors).toEqual([]);
      await page.close();

      // The cell changes and is published again: the new run writes the new transform's rows, the card says the
      // folder also holds the old ones and offers to replace them; replacing, they go after the run's first flush.
      writeFileSync(join(suite.harness.root, "rerun13-orders.md"), notebook(topic).replace("SELECT order_id, amount FROM orders", "SELECT order_id, amount * 2 AS amount, 2 AS version FROM orders"));
      const again = await suite.browser.context.newPage();
      again.on("pageerror", (error) => errors.push(error.message));
      await openNotebook(again, suite.harness, "rerun13-orders.md");
      await again.getByRole("button", { name: "Publish" }).click();
      const panel2 = again.locator(".pipeline-panel");
      await expect.poll(() => panel2.locator("#pipeline-heading").textContent(), { timeout: 120_000 }).toMatch(/^[✓✗]/);
      expect(await panel2.innerText()).toMatch(/^✓ Published/);
      await panel2.locator(".pipeline-run-local").click();
      const run2 = again.locator(".local-run");
      const stat2 = (key: string) => run2.locator(`dd[data-key="${key}"]`).textContent();
      await expect.poll(() => stat2("events"), { timeout: 30_000 }).toBe(String(COUNT));
      expect(await stat2("earlier")).toMatch(/^the folder also holds 1 file the publish of .+ wrote \(the earlier transform's rows\): DuckDB reading it reads both$/);
      const replace = run2.locator(".local-run-replace");
      expect(await replace.textContent()).toBe("Replace the earlier publish's rows");
      await replace.click();
      await expect.poll(() => stat2("earlier"), { timeout: 30_000 }).toMatch(/^the 1 file the publish of .+ wrote are deleted after this run's first flush$/);
      expect(await replace.isHidden()).toBe(true);
      await run2.locator(".local-run-stop").click();
      await expect.poll(() => run2.getAttribute("data-state"), { timeout: 30_000 }).toBe("stopped");
      expect(await stat2("earlier")).toMatch(/^deleted the 1 file the publish of .+ wrote; the folder holds this publish's rows only$/);
      await screenshot(again, "rerun13-local-run-replaced", { fullPage: true });
      expect(await lake("SELECT count(*), count(DISTINCT order_id), min(version), max(version) FROM LAKE")).toEqual([[COUNT, COUNT, 2, 2]]);
      expect(errors).toEqual([]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 240_000);
});

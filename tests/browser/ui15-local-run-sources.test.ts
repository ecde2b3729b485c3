/**
 * "Run locally" of a notebook whose sink reads one of its two sources, in real Chromium on the real
 * gateway: the card counts the events of the source the pipeline reads. It took every source the
 * notebook declares, so "events in" and "started from" counted the other source's events too, and
 * a person compared them with the sink's rows and looked for events that were never lost.
 */
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = `---
title: Two hooks, one sink
sources:
  orders:
    webhook: { signature: none }
  clicks:
    webhook: { signature: none }
sinks:
  lake:
    fs: { dir: data, prefix: orders/ }
---

\`\`\`sql id=big_orders sink=lake
SELECT id, amount FROM orders WHERE amount > 10
\`\`\`

\`\`\`sql id=click_count
SELECT count(*) AS n FROM clicks
\`\`\`
`;

describe("a local run of a sink that reads one of two sources (Chromium)", () => {
  const suite = browserSuite({ "two-hooks.md": NOTEBOOK });

  test("counts only the events of the source the sink's cell reads", async () => {
    const { origin, token } = suite.harness;
    const post = async (source: string, body: unknown) => {
      const answer = await fetch(`${origin}/hooks/two-hooks/${source}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      expect(answer.status).toBe(202);
    };
    for (let i = 0; i < 3; i++) await post("orders", { id: i, amount: 5 + i * 10 });
    for (let i = 0; i < 7; i++) await post("clicks", { id: i, page: `/p/${i}` });

    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "two-hooks.md");
    expect(await settled(page, "big_orders")).toBe("ok");
    expect(await cell(page, "big_orders").locator(".result-summary").getAttribute("data-rows")).toBe("2");

    await page.getByRole("button", { name: "Publish" }).click();
    const panel = page.locator(".pipeline-panel");
    await expect.poll(() => panel.locator("#pipeline-heading").textContent(), { timeout: 120_000 }).toMatch(/^[✓✗]/);
    expect(await panel.innerText()).toMatch(/^✓ Published/);
    await panel.locator(".pipeline-run-local").click();

    const run = page.locator(".local-run");
    const stat = (key: string) => run.locator(`dd[data-key="${key}"]`).textContent();
    await expect.poll(() => stat("from"), { timeout: 30_000 }).toBe("the events the notebook shows (orders: 3 events), then what arrives");
    await expect.poll(() => stat("events"), { timeout: 30_000 }).toBe("3");
    await run.locator(".local-run-stop").click();
    await expect.poll(() => run.getAttribute("data-state"), { timeout: 30_000 }).toBe("stopped");
    expect({ events: await stat("events"), rows: await stat("rows") }).toEqual({ events: "3", rows: "2" });
    await screenshot(page, "ui15-local-run-sources");
    await page.close();
  }, 240_000);
});

/**
 * Messy webhook events arriving while the notebook is open, in real Chromium on the real gateway.
 * Live events are typed like the sample; they were read with JavaScript's Date.parse, so a live
 * timestamp lost its microseconds (`.654321` showed as `.654`) and `2024-02-30` showed as March
 * 1st (DuckDB reads no such date), and a value its column cannot hold (text in a DOUBLE) or a key
 * the sample had no column for vanished into NULL without a word.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

const NOTEBOOK = `---
title: Live messy events
sources:
  w:
    webhook:
      path: /w
      signature: none
    format: ndjson
---

# Live messy events

\`\`\`sql id=everything
SELECT * FROM w ORDER BY id
\`\`\`
`;

describe("messy live webhook events (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  const post = async (lines: string[]) => {
    const response = await fetch(`${harness.origin}/hooks/walk9-live/w`, {
      method: "POST",
      headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/x-ndjson" },
      body: lines.join("\n"),
    });
    expect(response.status).toBe(202);
  };

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
    writeFileSync(join(harness.root, "walk9-live.md"), NOTEBOOK);
    await post(['{"id":1,"ts":"2024-01-01 00:00:00.123456","d":1.5}']);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("a live timestamp shows DuckDB's microseconds, an impossible date is NULL, and the card says what did not fit", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "walk9-live.md");
    expect(await settled(page, "everything")).toBe("ok");
    const everything = cell(page, "everything");
    expect(await everything.locator(".result-summary").getAttribute("data-rows")).toBe("1");
    expect(await everything.locator(".result-scroll th .col-type").allTextContents()).toEqual(["BIGINT", "TIMESTAMP", "DOUBLE"]);

    await post(['{"id":2,"ts":"2024-01-01 00:00:00.654321","d":2.5}', '{"id":3,"ts":"2024-02-30 00:00:00","d":"not a number","extra":true}']);
    await expect.poll(() => everything.locator(".result-summary").getAttribute("data-rows"), { timeout: 30_000 }).toBe("3");
    const rows = await everything.locator(".result-scroll tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)));
    expect(rows).toEqual([
      ["1", "2024-01-01 00:00:00.123456", "1.5"],
      ["2", "2024-01-01 00:00:00.654321", "2.5"],
      ["3", "∅", "∅"],
    ]);
    const note = page.locator('.source[data-source="w"] .source-misfits');
    await expect.poll(() => note.textContent(), { timeout: 10_000 }).toBe(
      '1 live event held a value its column cannot hold, shown as ∅; last: d: "not a number" into DOUBLE. ' +
        "Live events have a key the table has no column for: extra. Reload the page to type the table from the sample again.",
    );
    expect(await note.isVisible()).toBe(true);
    await screenshot(page, "walk9-live-tail");
    await page.close();
  });

  test("a JavaScript cell reading a webhook's HUGEINT ids gets them exact, as the result table shows them", async () => {
    writeFileSync(join(harness.root, "walk9-huge.md"), HUGE);
    const response = await fetch(`${harness.origin}/hooks/walk9-huge/ids`, {
      method: "POST",
      headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/x-ndjson" },
      body: '{"id":12345678901234567890}\n{"id":-9223372036854775808}\n{"id":7}',
    });
    expect(response.status).toBe(202);
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "walk9-huge.md");
    expect(await settled(page, "ids_sorted")).toBe("ok");
    expect(await cell(page, "ids_sorted").locator(".result-scroll th .col-type").allTextContents()).toEqual(["HUGEINT"]);
    expect(await cell(page, "ids_sorted").locator(".result-scroll tbody td").allTextContents()).toEqual(["-9223372036854775808", "7", "12345678901234567890"]);
    // They were numbers, rounded: 12345678901234567000 and -9223372036854776000.
    expect(await settled(page, "seen")).toBe("ok");
    expect(await cell(page, "seen").locator(".cell-output").textContent()).toContain("bigint -9223372036854775808, number 7, bigint 12345678901234567890");
    await screenshot(page, "walk9-huge-ids");
    await page.close();
  });
});

const HUGE = `---
title: Huge ids
sources:
  ids:
    webhook:
      path: /ids
      signature: none
    format: ndjson
---

# Huge ids

\`\`\`sql id=ids_sorted
SELECT * FROM ids ORDER BY id
\`\`\`

\`\`\`js id=seen
ids_sorted.map((r) => \`\${typeof r.id} \${r.id}\`).join(", ")
\`\`\`
`;


/**
 * Profiles of messy values, in real Chromium on the real gateway. A profile was DuckDB's SUMMARIZE,
 * whose standard deviation fails on a DOUBLE holding NaN or infinity ("Out of Range Error:
 * STDDEV_SAMP is out of range!"), so one webhook delivery of `1e400` (DuckDB reads it as inf) left
 * the source's Profile, every column of it, as that error; its null percentage was rounded to two
 * decimals, so one NULL in 10,000 rows read "null 0.0%"; and an empty string as the most common
 * value read "top  67%".
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

const NOTEBOOK = `---
title: Messy profiles
sources:
  w:
    webhook:
      path: /w
      signature: none
    format: ndjson
---

# Messy profiles

\`\`\`sql id=everything
SELECT * FROM w
\`\`\`

\`\`\`sql id=onenull
SELECT CASE WHEN i = 5 THEN NULL ELSE i END AS x FROM range(10000) t(i)
\`\`\`

\`\`\`sql id=rtl
SELECT * FROM (VALUES ('مرحبا 12'), ('مرحبا 12'), ('x')) t(s)
\`\`\`

\`\`\`sql id=odd_doubles
SELECT * FROM (VALUES (1.0::DOUBLE), ('NaN'::DOUBLE), (NULL), ('inf'::DOUBLE), ('-inf'::DOUBLE)) t(x)
\`\`\`
`;

describe("profiles of messy values (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
    writeFileSync(join(harness.root, "walk9-profiles.md"), NOTEBOOK);
    const body = ['{"id":1,"d":1e400,"s":""}', '{"id":2,"d":2.5,"s":""}', '{"id":3,"d":null,"s":"a"}'].join("\n");
    const posted = await fetch(`${harness.origin}/hooks/walk9-profiles/w`, {
      method: "POST",
      headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/x-ndjson" },
      body,
    });
    expect(posted.status).toBe(202);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("a webhook source holding infinity profiles every column; an empty string as the top value is visible", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "walk9-profiles.md");
    expect(await settled(page, "everything")).toBe("ok");
    expect(await cell(page, "everything").locator(".result-summary").getAttribute("data-rows")).toBe("3");
    const source = page.locator('.source[data-source="w"]');
    await source.locator("button", { hasText: "Profile" }).click();
    const d = source.locator('.profile li[data-column="d"] .profile-stats');
    await d.waitFor({ timeout: 30_000 });
    expect(await source.locator(".profile").isVisible()).toBe(true);
    expect(await d.textContent()).toBe("null 33.3% · 2 distinct · 2.5 … inf");
    expect(await source.locator('.profile li[data-column="s"] .profile-stats').textContent()).toBe("null 0.0% · 2 distinct · top '' 67%");
    expect(await source.locator('.profile li[data-column="id"] .profile-stats').textContent()).toBe("null 0.0% · 3 distinct · 1 … 3");
    await screenshot(page, "walk9-profile-source-inf");
    await page.close();
  });

  test("a cell's profile counts one NULL in 10,000 rows, and profiles a DOUBLE of NaN and infinities", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "walk9-profiles.md");
    expect(await settled(page, "onenull")).toBe("ok");
    await cell(page, "onenull").locator(".cell-profile-toggle").click();
    const x = cell(page, "onenull").locator('.cell-profile li[data-column="x"] .profile-stats');
    await x.waitFor({ timeout: 30_000 });
    expect(await x.textContent()).toBe("null 1 of 10,000 · 9,999 distinct · 0 … 9999");

    expect(await settled(page, "odd_doubles")).toBe("ok");
    await cell(page, "odd_doubles").locator(".cell-profile-toggle").click();
    const doubles = cell(page, "odd_doubles").locator('.cell-profile li[data-column="x"]');
    await doubles.waitFor({ timeout: 30_000 });
    // DuckDB orders NaN above every number and counts it as one value.
    expect(await doubles.locator(".profile-stats").textContent()).toBe("null 20.0% · 4 distinct · -inf … nan");
    // The histogram bins the finite values (one here); NaN and the infinities have no bin.
    expect(await doubles.locator(".histogram rect").count()).toBe(16);
    await cell(page, "odd_doubles").scrollIntoViewIfNeeded();
    await screenshot(page, "walk9-profile-cell-doubles");
    await page.close();
  });

  test("an Arabic top value stays apart from its share: the share is drawn after it", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "walk9-profiles.md");
    expect(await settled(page, "rtl")).toBe("ok");
    await cell(page, "rtl").locator(".cell-profile-toggle").click();
    const stats = cell(page, "rtl").locator('.cell-profile li[data-column="s"] .profile-stats');
    await stats.waitFor({ timeout: 30_000 });
    expect(await stats.textContent()).toBe("null 0.0% · 2 distinct · top مرحبا 12 67%");
    // Where the value and the share are drawn: the right-to-left run took "67" into it before ("top 67 12 مرحبا%").
    const boxes = await stats.evaluate((element) => {
      const box = (text: string) => {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          const at = node.textContent!.indexOf(text);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + text.length);
          const rect = range.getBoundingClientRect();
          return { left: rect.left, right: rect.right };
        }
        return null;
      };
      return { value: box("مرحبا 12"), share: box("67%") };
    });
    expect(boxes.value).not.toBeNull();
    expect(boxes.share!.left).toBeGreaterThanOrEqual(boxes.value!.right - 0.5);
    await cell(page, "rtl").scrollIntoViewIfNeeded();
    await screenshot(page, "walk9-profile-rtl");
    await page.close();
  });
});


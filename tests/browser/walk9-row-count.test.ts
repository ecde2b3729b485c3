/**
 * A SQL cell's row count and the rows its table shows come from one run of its query, in real
 * Chromium on the real gateway. The count was a second query (`count(*)` over the cell's view), so
 * the cell's query ran twice: a slow aggregate took twice its time, and a cell that samples its
 * rows (`random()`, `USING SAMPLE`) said "97 rows" over a table of 104.
 */

import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = `---
title: Sampled rows
---

# Sampled rows

\`\`\`sql id=sampled
SELECT * FROM range(2000) t(i) WHERE random() < 0.05
\`\`\`

\`\`\`sql id=bernoulli
SELECT * FROM range(3000) t(i) USING SAMPLE 4% (bernoulli)
\`\`\`
`;

describe("a sampling cell's row count (Chromium)", () => {
  const suite = browserSuite({ "walk9-sampled.md": NOTEBOOK });

  test("the count above the table is the number of rows the table holds", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "walk9-sampled.md");
    for (const name of ["sampled", "bernoulli"]) {
      expect(await settled(page, name)).toBe("ok");
      const result = cell(page, name);
      const more = result.locator(".result-show-more");
      while ((await more.count()) > 0) await more.click();
      const held = await result.locator(".result-scroll tbody tr").count();
      // About 100 and 120 rows: under the 200 the page holds, so all of them are in the table.
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThan(200);
      expect(await result.locator(".result-summary").getAttribute("data-rows")).toBe(String(held));
    }
    await screenshot(page, "walk9-row-count");
    await page.close();
  });
});

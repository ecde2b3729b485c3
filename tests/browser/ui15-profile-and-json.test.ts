/**
 * A newcomer's cells in real Chromium on the real gateway: a column profile one looks at rather than
 * reads, and a cast to JSON.
 *
 * A counter with one garbled reading (2^53) among a thousand drew one bar: equal-width bins from min to
 * max put every other value in the first; and each bar said "bin 3: 52", neither which values nor, for a
 * time column, when. Now the bins span the values between the far fences, the few beyond them are
 * counted at the end, and each bar names its range (its times, for a time column: rows over time).
 *
 * `SELECT … ::JSON` failed in the page with "Type with name JSON is not in the catalog" and a note that
 * a notebook opened from its gateway runs such a cell there, which it did not: reading the cell's tables
 * failed first, and the cell never reached the gateway. Now it runs there and shows DuckDB's JSON.
 */
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = `---
title: Newcomer's cells
---

\`\`\`sql id=readings
SELECT CASE WHEN i = 7 THEN 9007199254740991 ELSE i % 100 END AS counter, TIMESTAMP '2026-12-07 00:00:00' + to_minutes(CAST(i AS BIGINT)) AS at
FROM range(1000) t(i)
\`\`\`

\`\`\`sql id=as_json
SELECT {'a': 1, 'b': [1, 2]}::JSON AS j, CAST('{"x": "Zoë"}' AS JSON) AS j2
\`\`\`
`;

describe("a newcomer's cells (Chromium)", () => {
  const suite = browserSuite({ "ui15-cells.md": NOTEBOOK });

  test("a numeric column's histogram spans its values with the far-out ones apart, and a time column's bars are rows over time, each naming its range", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "ui15-cells.md");
    expect(await settled(page, "readings")).toBe("ok");
    const readings = cell(page, "readings");
    await readings.locator(".cell-profile-toggle").click();
    const bars = (column: string) => readings.locator(`.profile li[data-column="${column}"] .histogram rect title`);
    await bars("counter").first().waitFor({ state: "attached", timeout: 20_000 });

    const counter = await bars("counter").allTextContents();
    expect(counter).toHaveLength(17);
    expect(counter[0]).toBe("0 – 6.188: 70");
    expect(counter[15]).toBe("92.81 – 99: 70");
    expect(counter[16]).toBe("above 99 (far out): 1");
    expect(await readings.locator('.profile li[data-column="counter"] .histogram').getAttribute("aria-label")).toBe("values by range");

    const at = await bars("at").allTextContents();
    expect(at).toHaveLength(16);
    expect(at[0]).toBe("2026-12-07 00:00:00 – 2026-12-07 01:02:26: 63 rows");
    expect(at[15]).toBe("2026-12-07 15:36:34 – 2026-12-07 16:39:00: 63 rows");
    expect(await readings.locator('.profile li[data-column="at"] .histogram').getAttribute("aria-label")).toBe("rows over time");
    await screenshot(readings, "ui15-profile");
    await page.close();
  }, 120_000);

  test("a cast to JSON runs on the gateway's DuckDB and shows its JSON as native DuckDB prints it", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "ui15-cells.md");
    expect(await settled(page, "as_json")).toBe("ok");
    const asJson = cell(page, "as_json");
    expect(await asJson.locator(".result tbody tr").first().locator("td").allTextContents()).toEqual(['{"a":1,"b":[1,2]}', '{"x": "Zoë"}']);
    await screenshot(page, "ui15-json-cast");
    await page.close();
  }, 120_000);
});

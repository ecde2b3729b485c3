/**
 * The page's live tail reads a delivery whose objects write a key twice as the sample and the
 * pipeline do (DuckDB's read_json): a row where the repeat sits in a JSON field, an error in
 * DuckDB's words only where the repeated key is a column. Before, the tail counted every such
 * event as unreadable and the table never got its row. Real Chromium, real gateway.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, settled, startHarness } from "./harness.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const NOTEBOOK = [
  "---",
  "title: Repeats on the tail",
  "sources:",
  "  inbox:",
  "    webhook: { signature: none }",
  "---",
  "",
  "```sql id=all_rows",
  "SELECT id, a, j::VARCHAR AS j FROM inbox ORDER BY id",
  "```",
  "",
].join("\n");

describe("repeated JSON keys on the live tail (Chromium)", () => {
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

  test("a delivery on the tail with a key twice in a JSON field is a row keeping both members; a column's key twice is counted unreadable in DuckDB's words", async () => {
    writeFileSync(join(harness.root, "repeats-tail.md"), NOTEBOOK);
    const url = `${harness.origin}/hooks/repeats-tail/inbox`;
    const post = async (body: string) => {
      const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/json" }, body });
      expect(res.status).toBe(202);
    };
    await post('[{"id":1,"a":"x","j":{"k":1}},{"id":2,"a":"y","j":5}]');
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "repeats-tail.md");
    expect(await settled(page, "all_rows")).toBe("ok");
    const rows = () => cell(page, "all_rows").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    await expect.poll(rows).toEqual([["1", "x", '{"k":1}'], ["2", "y", "5"]]);

    await post('[{"id":3,"a":"z","j":{"k":1,"k":2}},{"id":4,"a":"w","a":"v","j":1},{"id":5,"a":"u","j":[{"m":1,"m":2}]}]');
    await expect.poll(rows, { timeout: 20_000 }).toEqual([["1", "x", '{"k":1}'], ["2", "y", "5"], ["3", "z", '{"k":1,"k":2}'], ["5", "u", '[{"m":1,"m":2}]']]);
    const unreadable = page.locator('.source[data-source="inbox"] .source-undecodable');
    await expect.poll(() => unreadable.textContent()).toBe('1 event could not be read; last: decode: Object {"id":4,"a":"w","a":"v","j":1} has duplicate key "a"');
    await page.close();
  });
});

/**
 * A SQL cell in error over a live source is run again with every tick of the stream (about once a
 * second). DuckDB-WASM's worker `console.log`ged each failed statement before answering it, so a
 * person with devtools open watched the same "Binder Error" pile up once a second, though the cell
 * already showed it at its line. The page keeps the console for what is not shown elsewhere.
 * Real Chromium, the real gateway and its demo stream.
 */
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, settled } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: A typo over a live stream",
  "sources:",
  "  events:",
  "    demo: { generator: turnstile, rate: 20, seed: 1 }",
  "---",
  "",
  "```sql id=by_station",
  "SELECT station, sum(entries) AS total",
  "FROM events",
  "GROUP BY statoin",
  "```",
  "",
  "```sql id=counted",
  "SELECT count(*) AS n FROM events",
  "```",
  "",
].join("\n");

describe("a failing cell over a live stream (Chromium)", () => {
  const suite = browserSuite({ "journey11-typo.md": NOTEBOOK });

  test("shows DuckDB's error at its line, run after run, and puts none of it in the console", async () => {
    const page = await suite.browser.context.newPage();
    const consoleLines: string[] = [];
    page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text().split("\n")[0]}`));
    await openNotebook(page, suite.harness, "journey11-typo.md");
    expect(await settled(page, "by_station")).toBe("error");
    expect(await cell(page, "by_station").locator(".cell-error").innerText()).toContain('Referenced column "statoin" not found in FROM clause!');
    expect(await cell(page, "by_station").locator(".cell-error").innerText()).toMatch(/^line 3/);
    // The stream moves on: the counting cell recomputes over new rows three times, the failing one with it.
    const counts = new Set<string>();
    await expect
      .poll(
        async () => {
          counts.add((await cell(page, "counted").locator("tbody td").first().textContent()) ?? "");
          return counts.size;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThanOrEqual(3);
    expect(await cell(page, "by_station").getAttribute("data-state")).toBe("error");
    expect(consoleLines.filter((line) => line.includes("Binder Error"))).toEqual([]);
    // It never had a result, so nothing dimmed is shown under its error, and nothing says so.
    expect(await cell(page, "by_station").locator(".cell-stale-note").count()).toBe(0);
    expect(await cell(page, "by_station").locator(".cell-body").textContent()).toBe("");

    // A cell that worked and is then broken keeps its last result, dimmed, and says whose it is.
    const editor = cell(page, "counted").locator(".cm-content");
    await editor.click();
    await page.keyboard.press("End");
    await page.keyboard.type(" WHERE nope");
    await page.keyboard.press("Shift+Enter");
    await cell(page, "counted").and(page.locator('[data-state="error"]')).waitFor();
    expect(await cell(page, "counted").locator(".cell-error").innerText()).toContain('Referenced column "nope" not found');
    expect(await cell(page, "counted").locator(".cell-stale-note").textContent()).toBe("Below, dimmed: the result of the last run that worked.");
    expect(await cell(page, "counted").locator(".cell-body.stale .result-summary").textContent()).toMatch(/^1 row · 1 column/);
    expect(consoleLines.filter((line) => line.includes("Binder Error"))).toEqual([]);
    await page.close();
  });
});

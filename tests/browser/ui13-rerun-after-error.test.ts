/**
 * A cell that failed and is run again, edited, in real Chromium on the real gateway: while the new
 * run goes, the page kept showing the last run's error in red as if it were this run's, and kept
 * underlining the line of the edited code where the old error was.
 */
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, settled } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Run again after an error",
  "---",
  "",
  "```js id=answer",
  "(",
  "  nope",
  ")",
  "```",
  "",
  "```sql id=boom",
  "SELECT",
  "  nope",
  "FROM range(3)",
  "```",
  "",
].join("\n");

describe("a failed cell run again (Chromium)", () => {
  const suite = browserSuite({ "ui13-rerun.md": NOTEBOOK });

  test("while the edited cell runs, the last run's error is marked as the last run's and the edited code is not underlined; the answer then replaces it", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "ui13-rerun.md");
    const answer = cell(page, "answer");
    expect(await settled(page, "answer")).toBe("error");
    expect(await answer.locator(".cell-error pre").textContent()).toBe("nope is not defined");

    // Line 2 edited into a wait the test ends, and run.
    await answer.locator(".cm-line", { hasText: "nope" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type("await new Promise((resolve) => { window.__answer = resolve; })");
    await page.keyboard.press("Shift+Enter");
    await page.waitForFunction(() => typeof (window as unknown as { __answer?: unknown }).__answer === "function");

    // Running: the error is said to be the last run's, and nothing of the new code is marked.
    expect(await answer.getAttribute("class")).toContain("running");
    expect(await answer.locator(".cell-previous-note").textContent()).toBe("Running again: the error below is the last run's.");
    expect(await answer.locator(".cm-error-line, .cm-error-at").count()).toBe(0);

    await page.evaluate(() => (window as unknown as { __answer: (v: number) => void }).__answer(42));
    await expect.poll(() => answer.getAttribute("data-state")).toBe("ok");
    expect(await answer.locator(".cell-status").textContent()).toBe("");
    expect(await answer.locator(".cell-previous-note").count()).toBe(0);
    expect(await answer.locator(".cell-body").textContent()).toBe("42");
  });

  test("a SQL cell's underlined error line is not left on the edited code while it runs again", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "ui13-rerun.md");
    const boom = cell(page, "boom");
    expect(await settled(page, "boom")).toBe("error");
    expect(await boom.locator(".cm-line.cm-error-line").textContent()).toBe("  nope");

    // Line 2 edited into a query that runs until stopped, and run.
    await boom.locator(".cm-line", { hasText: "nope" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type("count(*) AS n");
    // Line 3 too: a cross join over range(10^12), which runs until the page closes.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type("FROM range(3), range(1000000000000) r(i)");
    await page.keyboard.press("Shift+Enter");
    const stop = boom.locator(".cell-stop");
    await stop.waitFor({ state: "visible", timeout: 20_000 });
    expect(await boom.locator(".cm-error-line, .cm-error-at").count()).toBe(0);
    expect(await boom.locator(".cell-previous-note").textContent()).toBe("Running again: the error below is the last run's.");
    // The page is closed, ending the run with it (stopping it is app10-stop-slow-cell's test).
    await page.close();
  });
});

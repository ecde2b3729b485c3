import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, copyNotebook, type Harness, openNotebook, screenshot, settled, startHarness, waitReady } from "./harness.ts";

const viewport = { width: 1400, height: 1000 };

async function rowsOf(page: Page, source: string): Promise<number> {
  return Number(await page.locator(`.source[data-source="${source}"] .source-rows`).getAttribute("data-value"));
}

async function resultRows(page: Page, name: string): Promise<number> {
  return Number(await cell(page, name).locator(".result-summary").getAttribute("data-rows"));
}

/** Puts the cursor at the end of the editor line that contains `text`. */
async function clickLineEnd(page: Page, name: string, text: string): Promise<void> {
  await cell(page, name).locator(".cm-line", { hasText: text }).first().click();
  await page.keyboard.press("End");
}

async function pause(page: Page, source: string): Promise<void> {
  await page.locator(`.source[data-source="${source}"] .source-pause`).click();
  await expect.poll(() => page.locator(`.source[data-source="${source}"] .source-pause`).textContent()).toBe("Resume");
}

describe("the notebook app on the real gateway (demo source, Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("the start page lists the notebooks and creates a new one that opens live", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${harness.origin}/?token=${harness.token}`);
    await waitReady(page);
    const titles = await page.locator(".notebook-list a").allTextContents();
    expect(titles).toContain("Turnstile entries by station and minute");
    await page.locator(".new-notebook input").fill("scratch");
    await page.locator(".create-notebook").click();
    await page.waitForURL(/\?notebook=scratch\.md$/);
    await waitReady(page);
    expect(await settled(page, "recent")).toBe("ok");
    expect(await resultRows(page, "recent")).toBe(100);
    expect(readFileSync(join(harness.root, "scratch.md"), "utf8")).toContain("```sql id=recent");
    await screenshot(page, "00-created-notebook");
    await page.close();
  });

  test("opening turnstile.md loads the sample into DuckDB and the source's row count grows with the live tail", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "turnstile.md");
    expect(await settled(page, "clean")).toBe("ok");
    await expect.poll(() => rowsOf(page, "turnstile"), { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await rowsOf(page, "turnstile");
    await expect.poll(() => rowsOf(page, "turnstile"), { timeout: 20_000 }).toBeGreaterThan(first);
    await expect.poll(async () => Number(await page.locator(".source-rate").textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    // The first cell's result table names its columns and their DuckDB types.
    const header = await cell(page, "clean").locator(".result th").allTextContents();
    expect(header).toContain("stationVARCHAR");
    expect(header).toContain("tsTIMESTAMP");
    await page.locator('.source[data-source="turnstile"] .source-profile-toggle').click();
    await expect.poll(() => page.locator(".source-profile .profile li[data-column=station]").count(), { timeout: 20_000 }).toBe(1);
    await screenshot(page, "01-open-turnstile-rows-grow");
    await page.close();
  });

  test("a UUID column the gateway sends as Arrow text is a UUID in the notebook's DuckDB, and the live tail still appends to it", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "pii-staging.md");
    expect(await settled(page, "staged")).toBe("ok");
    const header = await cell(page, "staged").locator(".result th").allTextContents();
    expect(header).toContain("user_idUUID");
    expect(header).toContain("tsTIMESTAMP");
    const first = await rowsOf(page, "accounts");
    expect(first).toBeGreaterThan(0);
    await expect.poll(() => rowsOf(page, "accounts"), { timeout: 20_000 }).toBeGreaterThan(first);
    await page.close();
  });

  test("editing the WHERE clause of a SQL cell recomputes its dependent cells and the chart", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "edit-where.md"));
    await pause(page, "turnstile");
    expect(await settled(page, "by_station")).toBe("ok");
    const chart = page.locator(".cell-js").first();
    await expect.poll(() => chart.locator("svg [aria-label=bar] rect").count(), { timeout: 20_000 }).toBeGreaterThan(1);
    const stationsBefore = await resultRows(page, "by_station");
    expect(stationsBefore).toBeGreaterThan(1);

    await clickLineEnd(page, "clean", "AND station IS NOT NULL");
    await page.keyboard.type(" AND station = '59 ST'");
    await page.keyboard.press("Shift+Enter");

    await expect.poll(() => resultRows(page, "by_station"), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => chart.locator("svg [aria-label=bar] rect").count(), { timeout: 20_000 }).toBe(1);
    expect(await chart.locator("svg").textContent()).toContain("59 ST");
    const stations = await cell(page, "per_minute").locator(".result tbody td:first-child").allTextContents();
    expect(new Set(stations)).toEqual(new Set(["59 ST"]));
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, "02-edit-where-recomputes-dependents");
    await page.close();
  });

  test("a syntax error shows at its cell with the line, its dependents wait, and the other cells still render", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "syntax-error.md"));
    expect(await settled(page, "by_station")).toBe("ok");

    await clickLineEnd(page, "by_station", "GROUP BY station");
    await page.keyboard.press("Enter");
    await page.keyboard.type("ORDER BY BY entries");
    await page.keyboard.press("Shift+Enter");

    const error = cell(page, "by_station").locator(".cell-error");
    await expect.poll(() => error.count(), { timeout: 20_000 }).toBe(1);
    expect(await error.locator(".cell-error-line").textContent()).toBe("line 8");
    expect(await error.textContent()).toMatch(/syntax error/i);
    expect(await cell(page, "by_station").locator(".cm-error-line").textContent()).toContain("ORDER BY BY entries");
    const chart = page.locator(".cell-js").first();
    await expect.poll(() => chart.locator(".cell-waiting").textContent()).toContain("waiting for by_station");
    expect(await cell(page, "clean").getAttribute("data-state")).toBe("ok");
    expect(await cell(page, "per_minute").getAttribute("data-state")).toBe("ok");
    expect(await resultRows(page, "per_minute")).toBeGreaterThan(0);

    // The rest keeps working: re-running an upstream cell still recomputes it.
    await clickLineEnd(page, "per_minute", "GROUP BY ALL");
    await page.keyboard.press("Shift+Enter");
    expect(await cell(page, "per_minute").getAttribute("data-state")).toBe("ok");
    await cell(page, "by_station").scrollIntoViewIfNeeded();
    await screenshot(page, "03-syntax-error-in-place");

    // Fixing the error brings the dependents back.
    await page.keyboard.press("Control+z");
    await clickLineEnd(page, "by_station", "ORDER BY BY entries");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type("ORDER BY entries DESC");
    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => cell(page, "by_station").getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await expect.poll(() => chart.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await page.close();
  });

  test("an edit is saved through the notebooks API and is there after a reload", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "save.md"));
    expect(await settled(page, "per_minute")).toBe("ok");
    await clickLineEnd(page, "per_minute", "count(*) AS readings");
    await page.keyboard.type(" -- counted by the browser test");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Backspace");
    await expect.poll(() => page.locator(".save-status").textContent(), { timeout: 10_000 }).toBe("saved");
    const onDisk = readFileSync(join(harness.root, "save.md"), "utf8");
    expect(onDisk).toContain("count(*) AS readings, -- counted by the browser te\n");

    await page.reload();
    await waitReady(page);
    expect(await cell(page, "per_minute").locator(".cm-content").textContent()).toContain("count(*) AS readings, -- counted by the browser te");
    expect(await settled(page, "per_minute")).toBe("ok");
    await cell(page, "per_minute").scrollIntoViewIfNeeded();
    await screenshot(page, "04-saved-edit-after-reload");
    await page.close();
  });

  test("a save that conflicts with a change on disk shows both versions and keeps the one chosen", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "conflict.md"));
    expect(await settled(page, "clean")).toBe("ok");
    const path = join(harness.root, "conflict.md");
    const theirs = readFileSync(path, "utf8").replace("# Turnstile entries by station and minute", "# Turnstile entries (edited in another tab)");
    writeFileSync(path, theirs);

    await clickLineEnd(page, "clean", "exits");
    await page.keyboard.type(" -- mine");
    const dialog = page.locator(".conflict");
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.locator(".conflict-mine pre").textContent()).toContain("exits -- mine");
    expect(await dialog.locator(".conflict-theirs pre").textContent()).toContain("edited in another tab");
    await screenshot(page, "05-conflict-both-versions");
    await dialog.locator(".conflict-keep-mine").click();
    await expect.poll(() => page.locator(".save-status").textContent(), { timeout: 10_000 }).toBe("saved");
    expect(readFileSync(path, "utf8")).toContain("exits -- mine");
    await page.close();
  });

  test("cells can be added, moved and deleted, with completions from DuckDB's catalog", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "cells.md"));
    expect(await settled(page, "by_station")).toBe("ok");
    const before = await page.locator(".cell").count();
    await page.locator(".add-sql").click();
    await expect.poll(() => page.locator(".cell").count()).toBe(before + 1);
    const added = page.locator(".cell").last();
    await expect.poll(() => added.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");

    await added.locator(".cell-name").fill("busiest");
    await added.locator(".cell-name").press("Enter");
    await added.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("SELECT station, entries FROM by_sta");
    // As a person would: ask for completions again if the first request came before the catalog answered.
    const option = page.locator(".cm-tooltip-autocomplete li", { hasText: "by_station" });
    await expect
      .poll(async () => {
        if (await option.count()) return true;
        await page.keyboard.press("Control+Space");
        await page.waitForTimeout(1000);
        return (await option.count()) > 0;
      }, { timeout: 30_000, interval: 500 })
      .toBe(true);
    await page.keyboard.press("Enter");
    await page.keyboard.type(" ORDER BY entries DESC LIMIT 3");
    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => resultRows(page, "busiest"), { timeout: 20_000 }).toBe(3);

    await cell(page, "busiest").locator(".cell-up").click();
    const names = await page.locator(".cell").evaluateAll((cells) => cells.map((c) => (c as HTMLElement).dataset.name ?? "js"));
    expect(names.slice(-2)).toEqual(["busiest", "js"]);
    await expect.poll(() => page.locator(".save-status").textContent(), { timeout: 10_000 }).toBe("saved");
    const saved = readFileSync(join(harness.root, "cells.md"), "utf8");
    expect(saved.indexOf("```sql id=busiest")).toBeGreaterThan(saved.indexOf("```sql id=by_station"));
    expect(saved.indexOf("```sql id=busiest")).toBeLessThan(saved.indexOf("```js"));
    await cell(page, "busiest").scrollIntoViewIfNeeded();
    await screenshot(page, "06-added-cell-with-completion");

    await cell(page, "busiest").locator(".cell-delete").click();
    await expect.poll(() => page.locator(".cell").count()).toBe(before);
    await expect.poll(() => page.locator(".save-status").textContent(), { timeout: 10_000 }).toBe("saved");
    expect(readFileSync(join(harness.root, "cells.md"), "utf8")).not.toContain("id=busiest");
    await page.close();
  });

  test("a JavaScript cell that throws shows the error at its line, and a SQL cell profiles its result", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "js-error.md"));
    expect(await settled(page, "clean")).toBe("ok");
    await page.locator(".add-js").click();
    const added = page.locator(".cell").last();
    await added.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("{\nconst stations = by_station.length;\nthrow new Error(`boom after ${stations} stations`);\n");
    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => added.locator(".cell-error").textContent(), { timeout: 20_000 }).toContain("boom after 10 stations");
    expect(await added.locator(".cell-error-line").textContent()).toBe("line 3");
    expect(await cell(page, "by_station").getAttribute("data-state")).toBe("ok");

    await cell(page, "clean").locator(".cell-profile-toggle").click();
    const station = cell(page, "clean").locator(".cell-profile li[data-column=station]");
    await station.waitFor({ timeout: 20_000 });
    expect(await station.locator(".profile-type").textContent()).toBe("VARCHAR");
    // Counted, not HyperLogLog's estimate (which said ≈9 of the demo's 10 stations).
    expect(await station.locator(".profile-stats").textContent()).toMatch(/^null 0\.0% · 10 distinct · top /);
    expect(await cell(page, "clean").locator(".cell-profile li[data-column=ts] .histogram rect").count()).toBe(16);
    await cell(page, "clean").locator(".cell-profile").scrollIntoViewIfNeeded();
    await screenshot(page, "07-cell-profile");
    await added.scrollIntoViewIfNeeded();
    await screenshot(page, "07-js-error-line");
    await page.close();
  });

  test("the cell graph's problems (unknown table, cycle, unknown name) are listed above the notebook and shown at the cells", async () => {
    writeFileSync(
      join(harness.root, "graph-issues.md"),
      ["---", "title: Graph issues", "sources:", "  turnstile:", "    demo: turnstile", "---", "", "```sql id=a", "SELECT * FROM turnstil", "```", "", "```sql id=b", "SELECT * FROM c", "```", "", "```sql id=c", "SELECT * FROM b", "```", "", "```js", 'Plot.plot({marks: [Plot.dot(nope, {x: "a"})]})', "```", ""].join("\n"),
    );
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "graph-issues.md");
    const issues = page.locator(".notebook-issues");
    await expect.poll(() => issues.textContent(), { timeout: 20_000 }).toContain("cells form a cycle: b → c → b");
    expect(await issues.textContent()).toContain("unknown table 'turnstil' in cell a (did you mean 'turnstile'?)");
    expect(await issues.textContent()).toContain("unknown name 'nope'");
    expect(await settled(page, "a")).toBe("error");
    expect(await cell(page, "a").locator(".cell-error").textContent()).toContain("Table with name turnstil does not exist");
    expect(await cell(page, "b").locator(".cell-error").textContent()).toContain("circular definition");
    await screenshot(page, "08-graph-issues");
    await page.close();
  });

  test("Check and Publish run on the gateway with progress: the verdict, the bundle and what to run next; an unsupported cell is refused at its line", async () => {
    const page = await browser.context.newPage();
    const path = copyNotebook(harness, "turnstile.md", "publish-me.md");
    await openNotebook(page, harness, path);
    await page.locator(".check-button").click();
    const panel = page.locator(".pipeline-panel");
    await expect.poll(() => panel.locator(".pipeline-log").textContent()).toMatch(/sample of turnstile: /);
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 120_000 }).not.toBe("running");
    expect(await panel.getAttribute("data-state")).toBe("ok");
    expect(await panel.locator("h2").textContent()).toBe("✓ The pipeline agrees with DuckDB");
    expect(await panel.locator(".pipeline-log").textContent()).toMatch(/✓ per_minute → lake · stream order: /);
    expect(await panel.locator(".pipeline-progress").getAttribute("value")).toBe("1");
    await screenshot(page, "10-check-passed");

    await page.locator(".publish-button").click();
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 180_000 }).toBe("ok");
    expect(await panel.locator("h2").textContent()).toBe("✓ Published publish-me");
    const bundle = join(harness.pipelines, "publish-me");
    expect(await panel.locator(".pipeline-verdict").textContent()).toContain(`npx runnel run ${bundle}`);
    expect(await panel.locator(".pipeline-log").textContent()).toMatch(/\[4\/4\] published /);
    const plan = JSON.parse(readFileSync(join(bundle, "plan.json"), "utf8")) as { pipelines: { sink: string; cell: { cell: string } }[] };
    expect(plan.pipelines.map((p) => `${p.cell.cell}→${p.sink}`)).toEqual(["per_minute→lake"]);
    await screenshot(page, "11-published");

    // Run it locally: the gateway consumes the live demo stream through the published plan.
    await page.locator(".pipeline-run-local").click();
    const run = page.locator(".local-run");
    await expect.poll(() => run.getAttribute("data-state")).toBe("running");
    await expect.poll(async () => Number((await run.locator('[data-key="events"]').textContent())!.replace(/,/g, "")), { timeout: 30_000 }).toBeGreaterThan(10);
    await screenshot(page, "12-running-locally");
    // Stopping closes the open windows and writes them: Parquet files appear.
    await run.locator(".local-run-stop").click();
    await expect.poll(() => run.getAttribute("data-state"), { timeout: 30_000 }).toBe("stopped");
    expect(Number((await run.locator('[data-key="files"]').textContent())!.split(" ")[0])).toBeGreaterThan(0);
    expect(await run.locator('[data-key="dir"]').textContent()).toMatch(/lake\/publish-me$/);
    // Stopped, the card says so (it still said "running") and runs the bundle again without a new Publish.
    expect(await run.locator("h3").textContent()).toBe("Local pipeline run stopped");
    await run.locator(".local-run-again").click();
    await expect.poll(() => run.getAttribute("data-state")).toBe("running");
    expect(await run.locator("h3").textContent()).toBe("Pipeline running locally");
    await run.locator(".local-run-stop").click();
    await expect.poll(() => run.getAttribute("data-state"), { timeout: 30_000 }).toBe("stopped");

    // An edit the compiler cannot publish: the panel names the cell and construct, nothing is written.
    await clickLineEnd(page, "per_minute", "count(*) AS readings,");
    await page.keyboard.type(" row_number() OVER () AS n,");
    await page.locator(".publish-button").click();
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 120_000 }).toBe("failed");
    expect(await panel.locator("h2").textContent()).toBe("✗ Not published: the sink cells do not compile");
    expect(await panel.locator(".pipeline-detail").textContent()).toMatch(/per_minute/);
    expect(readFileSync(join(harness.root, path), "utf8")).toContain("row_number() OVER () AS n,");
    await screenshot(page, "13-publish-refused");
    await page.close();
  });

  test("a share link opens read-only in a fresh browser without the token and shows the same results", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "share.md"));
    await pause(page, "turnstile");
    expect(await settled(page, "by_station")).toBe("ok");
    await page.waitForTimeout(1500);
    const expected = await cell(page, "by_station").locator(".result tbody").textContent();
    const expectedRows = await rowsOf(page, "turnstile");
    await page.locator(".share-button").click();
    const url = await page.locator(".share-url").inputValue({ timeout: 30_000 });
    expect(url).toMatch(new RegExp(`^${harness.origin}/s/[0-9a-f]{32,}$`));
    await screenshot(page, "09-share-link");
    await page.close();

    const viewer = await launchBrowser({ viewport });
    try {
      const shared = await viewer.context.newPage();
      await shared.goto(url);
      await waitReady(shared);
      expect(await viewer.context.cookies()).toEqual([]);
      expect(await settled(shared, "by_station")).toBe("ok");
      expect(await rowsOf(shared, "turnstile")).toBe(expectedRows);
      expect(await cell(shared, "by_station").locator(".result tbody").textContent()).toBe(expected);
      // It says when it was taken (the sample is the stream as it was then), in the reader's time, exactly in its title.
      expect(await shared.locator(".read-only-badge").textContent()).toMatch(/^read-only snapshot of \S.*\d/);
      const taken = Date.parse((await shared.locator(".read-only-badge").getAttribute("title")) ?? "");
      expect(Math.abs(Date.now() - taken)).toBeLessThan(10 * 60_000);
      expect(await shared.locator(".share-button, .cell-run, .cell-delete, .add-cell").count()).toBe(0);
      // The snapshot does not move: no pause button or arrival rate, just its rows.
      expect(await shared.locator(".source-pause, .source-rate, .source-rate-chart").evaluateAll((els) => els.filter((e) => e.getClientRects().length > 0).length)).toBe(0);
      expect(await shared.locator(".source-state").textContent()).toBe("snapshot");
      expect(await shared.locator(".cm-content").first().getAttribute("contenteditable")).toBe("false");

      // The chart is drawn by the notebook's JavaScript inside a sandboxed frame.
      const frameElement = shared.locator(".cell-js iframe.sandbox").first();
      expect(await frameElement.getAttribute("sandbox")).toBe("allow-scripts");
      const frame = shared.frameLocator(".cell-js iframe.sandbox").first();
      await expect.poll(() => frame.locator("svg [aria-label=bar] rect").count(), { timeout: 20_000 }).toBeGreaterThan(1);
      const inside = await (await frameElement.elementHandle())!.contentFrame();
      const probe = await inside!.evaluate(async () => {
        let cookie: string;
        try {
          cookie = document.cookie;
        } catch (error) {
          cookie = (error as Error).name;
        }
        let put: string;
        try {
          const response = await fetch("/api/notebooks/turnstile.md", { method: "PUT", body: "x", headers: { "if-match": "*" } });
          put = String(response.status);
        } catch (error) {
          put = (error as Error).name;
        }
        return { origin: self.origin, cookie, put };
      });
      expect(probe).toEqual({ origin: "null", cookie: "SecurityError", put: "TypeError" });
      // Nor can the shared page itself write: it has an opaque origin too, so the
      // gateway's cookie is not sent and the cross-origin PUT is refused.
      const outcome = await shared.evaluate(async () => {
        try {
          return String((await fetch("/api/notebooks/turnstile.md", { method: "PUT", body: "x", headers: { "if-match": "*" } })).status);
        } catch (error) {
          return (error as Error).name;
        }
      });
      expect(outcome).toBe("TypeError");
      await frameElement.scrollIntoViewIfNeeded();
      await screenshot(shared, "10-share-read-only-fresh-browser");
    } finally {
      await viewer.close();
    }
  });
  test("a SQL error underlines the token DuckDB points at on a highlighted line, and a slow cell shows how long it has been running", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "error-position.md"));
    expect(await settled(page, "clean")).toBe("ok");
    await pause(page, "turnstile");

    // A typo, with the cursor left on the failing line (CodeMirror's active line).
    await cell(page, "clean").locator(".cm-line", { hasText: "FROM turnstile" }).click();
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type("FORM turnstile");
    await page.keyboard.press("Shift+Enter");
    const error = cell(page, "clean").locator(".cell-error");
    await expect.poll(() => error.count(), { timeout: 20_000 }).toBe(1);
    expect(await error.locator(".cell-error-line").textContent()).toBe("line 8");
    expect(await cell(page, "clean").locator(".cm-error-at").textContent()).toBe("turnstile");
    const line = cell(page, "clean").locator(".cm-error-line");
    expect(await line.textContent()).toBe("FORM turnstile");
    expect(await line.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(253, 236, 236)");
    await cell(page, "clean").scrollIntoViewIfNeeded();
    await screenshot(page, "11-error-token-underlined");

    // A cell that takes seconds says so while it runs, and its result says how long it took.
    await page.locator(".add-sql").click();
    const slow = page.locator(".cell").last();
    await expect.poll(() => slow.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await slow.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("SELECT count(*) AS n, sum(hash(i)) AS h FROM range(300000000) t(i)");
    await page.keyboard.press("Shift+Enter");
    const running = slow.locator(".cell-running");
    await expect.poll(() => running.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await running.textContent()).toMatch(/^running \d+(\.\d+)? s$/);
    await slow.scrollIntoViewIfNeeded();
    await screenshot(page, "11-slow-cell-running");
    await expect.poll(() => slow.locator(".result th .col-name").first().textContent(), { timeout: 120_000 }).toBe("n");
    expect(await running.isVisible()).toBe(false);
    expect(await slow.locator(".result-summary").textContent()).toMatch(/^1 row · 2 columns · \d+(\.\d+)? s$/);
    await page.close();
  });

  test("a profile's null share is the column's share of NULLs, and at a phone's width the sources stack above the cells without a sideways scroll", async () => {
    const page = await browser.context.newPage();
    // The demo leaves out 0.3 % of readings' exits: a sample of 1,000 has none 5 % of the time, 5,000 never in practice.
    const copy = join(harness.root, copyNotebook(harness, "turnstile.md", "profile-nulls.md"));
    writeFileSync(copy, readFileSync(copy, "utf8").replace("    format: json\n    demo:", "    format: json\n    sample_size: 5000\n    demo:"));
    expect(readFileSync(copy, "utf8")).toContain("sample_size: 5000");
    await openNotebook(page, harness, "profile-nulls.md");
    expect(await settled(page, "clean")).toBe("ok");
    await pause(page, "turnstile");
    // The demo stream leaves out some readings' exits; count them with DuckDB.
    await page.locator(".add-sql").click();
    const counts = page.locator(".cell").last();
    await expect.poll(() => counts.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await counts.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("SELECT round(100 * (1 - count(exits) / count(*)), 2) AS share, count(DISTINCT exits) AS d FROM turnstile");
    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => counts.locator(".result th .col-name").first().textContent(), { timeout: 20_000 }).toBe("share");
    const share = Number(await counts.locator(".result tbody td").first().textContent()).toFixed(1);
    expect(Number(share)).toBeGreaterThan(0);
    await page.locator('.source[data-source="turnstile"] .source-profile-toggle').click();
    const exits = page.locator(".source-profile .profile li[data-column=exits] .profile-stats");
    await exits.waitFor({ timeout: 20_000 });
    const distinct = (await counts.locator(".result tbody td").nth(1).textContent())!;
    expect(await exits.textContent()).toMatch(new RegExp(`^null ${share.replace(".", "\\.")}% · [\\d,]+ distinct`));
    expect(Number(/ ([\d,]+) distinct/.exec((await exits.textContent())!)![1]!.replaceAll(",", ""))).toBe(Number(distinct));
    // A text column reads as its most common value, and no estimate counts more distinct values than rows.
    const desc = (await page.locator(".source-profile .profile li[data-column=desc] .profile-stats").textContent())!;
    expect(desc).toMatch(/ · top REGULAR \d+%$/);
    const rows = await rowsOf(page, "turnstile");
    for (const text of await page.locator(".source-profile .profile-stats").allTextContents()) {
      expect(Number(/ ≈?([\d,]+) distinct/.exec(text)![1]!.replaceAll(",", ""))).toBeLessThanOrEqual(rows);
    }
    await screenshot(page.locator(".sources"), "12-source-profile");

    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    const source = await page.locator(".source").boundingBox();
    const first = await cell(page, "clean").boundingBox();
    expect(source!.y + source!.height).toBeLessThanOrEqual(first!.y);
    expect(first!.width).toBeGreaterThan(300);
    await screenshot(page, "12-phone-width");
    await page.setViewportSize(viewport);
    await page.close();
  });
  test("a deleted cell comes back with Undo, dependents and all, and a refused publish takes the person to the cell's line", async () => {
    const page = await browser.context.newPage();
    const path = copyNotebook(harness, "turnstile.md", "undo-and-go.md");
    await openNotebook(page, harness, path);
    expect(await settled(page, "by_station")).toBe("ok");
    // The source card draws the live tail's arrivals, a bar per second.
    await expect.poll(() => page.locator('.source[data-source="turnstile"] .source-rate-chart rect[height]').count(), { timeout: 20_000 }).toBeGreaterThan(2);
    const before = await page.locator(".cell").count();
    const chart = page.locator(".cell-js").first();
    await cell(page, "by_station").locator(".cell-delete").click();
    await expect.poll(() => page.locator(".cell").count()).toBe(before - 1);
    expect(await page.locator(".undo-bar").textContent()).toContain("Deleted cell by_station.");
    await expect.poll(() => readFileSync(join(harness.root, path), "utf8"), { timeout: 10_000 }).not.toContain("id=by_station");
    await screenshot(page, "13-deleted-with-undo");

    await page.locator(".undo-button").click();
    await expect.poll(() => page.locator(".cell").count()).toBe(before);
    expect(await page.locator(".undo-bar").count()).toBe(0);
    // Every cell is defined once again: no "defined more than once" from the cells the page replaced.
    await expect.poll(() => cell(page, "per_minute").getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await expect.poll(() => cell(page, "by_station").getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await expect.poll(() => chart.getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    expect(await page.locator(".cell-status").allTextContents()).toEqual(Array(before).fill(""));
    await expect.poll(() => readFileSync(join(harness.root, path), "utf8"), { timeout: 10_000 }).toContain("```sql id=by_station");

    // A construct the compiler refuses: the panel offers to go to the cell, at the line it names.
    await clickLineEnd(page, "per_minute", "count(*) AS readings,");
    await page.keyboard.type(" list(entries ORDER BY ts)[1] AS first_entries,");
    await page.keyboard.press("Control+Home");
    await page.locator(".publish-button").click();
    const panel = page.locator(".pipeline-panel");
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 120_000 }).toBe("failed");
    const go = panel.locator(".pipeline-show-cell");
    expect(await go.textContent()).toMatch(/^Go to per_minute \(line \d+\)$/);
    await go.click();
    expect(await panel.count()).toBe(0);
    expect(await cell(page, "per_minute").locator(".cm-activeLine").textContent()).toContain("list(entries ORDER BY ts)[1]");
    await screenshot(page, "13-go-to-refused-line");
    await page.close();
  });
  test("Ctrl-Enter runs a cell like Shift-Enter, and Show more draws more of its rows, which stay drawn as the cell recomputes", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "show-more.md"));
    expect(await settled(page, "clean")).toBe("ok");
    const rows = cell(page, "clean").locator(".result tbody tr");
    expect(await rows.count()).toBe(50);
    await cell(page, "clean").locator(".result-show-more").click();
    expect(await rows.count()).toBe(100);
    // The live tail recomputes the cell every second; the table keeps the rows the person asked for.
    const runs = await cell(page, "clean").locator(".result-summary").textContent();
    await expect.poll(() => cell(page, "clean").locator(".result-summary").textContent(), { timeout: 20_000 }).not.toBe(runs);
    expect(await rows.count()).toBe(100);

    await clickLineEnd(page, "clean", "%gZ') IS NOT NULL");
    await page.keyboard.type("\nLIMIT 120");
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => resultRows(page, "clean"), { timeout: 20_000 }).toBe(120);
    expect(await cell(page, "clean").locator(".cm-line").last().textContent()).toBe("LIMIT 120");
    await cell(page, "clean").locator(".result-show-more").click();
    expect(await rows.count()).toBe(120);
    expect(await cell(page, "clean").locator(".result-show-more").count()).toBe(0);
    await page.close();
  });

  test("the conflict dialog is modal: what is typed while it is open goes nowhere, and Keep mine saves the page's text as it is", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "conflict-modal.md"));
    expect(await settled(page, "clean")).toBe("ok");
    const path = join(harness.root, "conflict-modal.md");
    writeFileSync(path, readFileSync(path, "utf8").replace("# Turnstile entries by station and minute", "# Turnstile entries (edited on disk)"));
    await clickLineEnd(page, "clean", "exits");
    await page.keyboard.type(" -- mine");
    const dialog = page.locator(".conflict");
    await dialog.waitFor({ timeout: 10_000 });
    // The person types on: a space must not press a button, and no keystroke may reach the editor behind the dialog.
    await page.keyboard.type(" and more");
    await page.waitForTimeout(1200);
    expect(await dialog.count()).toBe(1);
    expect(await page.locator(".save-status").textContent()).toBe("conflict: choose a version");
    expect(await page.locator(".save-status").getAttribute("role")).toBe("status");
    const editor = cell(page, "clean").locator(".cm-content");
    expect(await editor.textContent()).not.toContain("and more");
    await screenshot(page, "ux2-conflict-modal");
    await dialog.locator(".conflict-keep-mine").click();
    await expect.poll(() => page.locator(".save-status").textContent(), { timeout: 10_000 }).toBe("saved");
    const disk = readFileSync(path, "utf8");
    expect(disk).toContain("exits -- mine");
    // What is on disk is what the page shows.
    const shown = (await cell(page, "clean").locator(".cm-line").allTextContents()).join("\n");
    expect(disk).toContain(shown);
    expect(await page.locator(".conflict-backdrop").count()).toBe(0);
    await page.close();
  });

  test("an unnamed JavaScript cell with a syntax error shows the SyntaxError at its line, not 'waiting for' itself", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "js-syntax.md"));
    expect(await settled(page, "by_station")).toBe("ok");
    await page.locator(".add-js").click();
    const added = page.locator(".cell").last();
    await added.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.insertText('Plot.plot({marks: [Plot.barX(by_station, {y: "station", x: "entries"})]}');
    await page.keyboard.press("Shift+Enter");
    await expect.poll(() => added.getAttribute("data-state"), { timeout: 20_000 }).toBe("error");
    expect(await added.locator(".cell-error").textContent()).toContain("SyntaxError: Unexpected end of input");
    expect(await added.locator(".cell-error-line").textContent()).toBe("line 1");
    expect(await added.locator(".cell-waiting").count()).toBe(0);
    await page.close();
  });

  test("a webhook source nobody posted to yet waits for its first delivery and then goes live; a delivery that is not JSON is counted on its card", async () => {
    writeFileSync(
      join(harness.root, "hooked.md"),
      ["---", "title: Hooked", "sources:", "  orders:", "    webhook: { path: /orders, signature: none }", "    format: json", "---", "", "```sql id=by_sku", "SELECT sku, count(*) AS n FROM orders GROUP BY ALL ORDER BY sku", "```", ""].join("\n"),
    );
    const post = (body: string) =>
      fetch(`${harness.origin}/hooks/hooked/orders`, { method: "POST", headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/json" }, body }).then((r) => r.status);
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "hooked.md");
    const card = page.locator('.source[data-source="orders"]');
    await expect.poll(() => card.locator(".source-state").textContent(), { timeout: 20_000 }).toBe(`no events yet: POST them to ${harness.origin}/hooks/hooked/orders with the header Authorization: Bearer <the gateway's token>`);
    expect(await card.locator(".source-state").getAttribute("class")).not.toContain("error");
    // Its reader waits for it rather than failing on a table that is not there yet.
    await expect.poll(() => cell(page, "by_sku").locator(".cell-waiting").textContent(), { timeout: 20_000 }).toBe("waiting for orders, which has no events yet");
    await screenshot(page, "ux2-webhook-waiting");
    expect(await post(JSON.stringify({ sku: "A", amount: 1 }))).toBe(202);
    await expect.poll(() => cell(page, "by_sku").getAttribute("data-state"), { timeout: 20_000 }).toBe("ok");
    await expect.poll(() => resultRows(page, "by_sku"), { timeout: 20_000 }).toBe(1);
    expect(await card.locator(".source-state").textContent()).toBe("live");
    expect(await post(JSON.stringify({ sku: "B", amount: 2 }))).toBe(202);
    await expect.poll(() => resultRows(page, "by_sku"), { timeout: 20_000 }).toBe(2);
    // Taken by the gateway (202) but not JSON: the table never sees it, and the card says so.
    expect(await post('{"sku": "C", oops}')).toBe(202);
    await expect.poll(() => card.locator(".source-undecodable").textContent(), { timeout: 20_000 }).toMatch(/^1 event could not be read; last: decode: not JSON/);
    expect(await resultRows(page, "by_sku")).toBe(2);
    await screenshot(page, "ux2-webhook-live");
    // Opened again, the page learns of it from the sample.
    await page.reload();
    await waitReady(page);
    await expect.poll(() => card.locator(".source-undecodable").textContent(), { timeout: 20_000 }).toMatch(/^1 event could not be read; last: decode: not JSON/);
    expect(await card.locator(".source-state").textContent()).toBe("live");
    await page.close();
  });

  test("Escape closes the Check panel and gives the focus back to the Check button; the cell bar's symbol buttons have names", async () => {
    const page = await browser.context.newPage();
    await openNotebook(page, harness, copyNotebook(harness, "turnstile.md", "keys.md"));
    await page.locator(".check-button").focus();
    await page.keyboard.press("Enter");
    const panel = page.locator(".pipeline-panel");
    await panel.waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains("pipeline-panel"))).toBe(true);
    await page.keyboard.press("Escape");
    expect(await panel.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.classList.contains("check-button"))).toBe(true);
    const bar = cell(page, "clean").locator(".cell-bar");
    expect(await bar.locator(".cell-up").getAttribute("aria-label")).toBe("Move cell up");
    expect(await bar.locator(".cell-delete").getAttribute("aria-label")).toBe("Delete cell");
    expect(await bar.locator(".cell-name").getAttribute("aria-label")).toBe("SQL cell name");
    await page.close();
  });
});

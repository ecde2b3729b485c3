/**
 * Cells the browser's DuckDB-WASM cannot run (no json, no icu extension) show the rows the gateway's
 * native DuckDB computes over the sample, with a mark saying so, in real Chromium on the real gateway.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

const EVENTS = [
  { id: 1, ts: "2026-03-29 00:30:00", body: JSON.stringify({ action: "opened", repo: { name: "runnel" } }) },
  { id: 2, ts: "2026-03-29 01:30:00", body: JSON.stringify({ action: "closed", repo: { name: "duckdb" } }) },
  { id: 3, ts: "2026-10-25 00:59:59", body: JSON.stringify({ action: "opened", repo: { name: "ünïcode" } }) },
  { id: 4, ts: "2026-12-31 23:00:00", body: "{}" },
];

const ACTIONS = "SELECT id, body->>'$.action' AS action, json_extract_string(body, '$.repo.name') AS repo FROM hooks ORDER BY id";
const PER_ACTION = "SELECT action, count(*) AS n FROM actions GROUP BY action ORDER BY action NULLS LAST";
const BERLIN = "SELECT id, ts AT TIME ZONE 'Europe/Berlin' AS berlin FROM hooks ORDER BY id";

const NOTEBOOK = [
  "---",
  "title: Deliveries",
  "sources:",
  "  hooks:",
  "    webhook: { signature: none }",
  "---",
  "",
  "```sql id=actions",
  ACTIONS,
  "```",
  "",
  "```sql id=per_action",
  PER_ACTION,
  "```",
  "",
  "```sql id=berlin",
  BERLIN,
  "```",
  "",
  "```js id=opened",
  "actions.filter((r) => r.action === 'opened').map((r) => r.repo).join(' + ')",
  "```",
  "",
  "```sql id=over_js",
  "SELECT * FROM actions, opened",
  "```",
  "",
  "```sql id=plain",
  "SELECT count(*) AS n FROM hooks",
  "```",
  "",
  "```sql id=broken",
  "SELECT body->>'$.action' AS a,",
  "  nope",
  "FROM hooks",
  "```",
  "",
].join("\n");

/** DuckDB's own answer as the result table prints it: each value's text, NULL as ∅. */
async function duckdbText(sql: string): Promise<string[][]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "hooks", EVENTS);
    await db.run(`CREATE VIEW actions AS ${ACTIONS}`);
    const reader = await db.read(`SELECT * FROM (${sql})`);
    const names = reader.columnNames();
    const rows = (await db.read(`SELECT ${names.map((n) => `CAST("${n}" AS VARCHAR)`).join(", ")} FROM (${sql})`)).getRows();
    return rows.map((row) => row.map((v) => (v === null ? "∅" : String(v))));
  } finally {
    db.close();
  }
}

describe("cells the browser's DuckDB cannot run, on the gateway's DuckDB (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 1100 } });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("a ->> cell shows DuckDB's rows with a mark saying they come from the gateway's sample; its readers run there too", async () => {
    writeFileSync(join(harness.root, "deliveries.md"), NOTEBOOK);
    for (const event of EVENTS) {
      const res = await fetch(`${harness.origin}/hooks/deliveries/hooks`, { method: "POST", headers: { authorization: `Bearer ${harness.token}` }, body: JSON.stringify(event) });
      expect(res.status).toBe(202);
    }
    const page = await browser.context.newPage();
    // Every error a cell shows while the page opens, to check that no reader flashes one while its input is on the gateway.
    await page.addInitScript(() => {
      const seen: string[] = ((window as unknown as { __errors: string[] }).__errors = []);
      new MutationObserver(() => {
        for (const el of document.querySelectorAll(".cell[data-state=error]")) {
          const text = `${(el as HTMLElement).dataset.name}: ${el.querySelector(".cell-status")?.textContent}`;
          if (!seen.includes(text)) seen.push(text);
        }
      }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await openNotebook(page, harness, "deliveries.md");
    const tableText = (name: string) => cell(page, name).locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));

    expect(await settled(page, "actions")).toBe("ok");
    expect(await tableText("actions")).toEqual(await duckdbText(ACTIONS));
    expect(await tableText("actions")).toEqual([["1", "opened", "runnel"], ["2", "closed", "duckdb"], ["3", "opened", "ünïcode"], ["4", "∅", "∅"]]);
    const mark = cell(page, "actions").locator(".gateway-mark");
    expect(await mark.textContent()).toMatch(/^gateway DuckDB ran over the gateway's sample as of .+ \(hooks: 4 events\); events that arrived since are not in it$/);
    expect(await mark.getAttribute("title")).toMatch(/^The notebook's in-browser DuckDB has no json extension, so this cell ran on the gateway's DuckDB/);

    // A SQL cell reading it runs on the gateway too, and says why.
    expect(await settled(page, "per_action")).toBe("ok");
    expect(await tableText("per_action")).toEqual(await duckdbText(PER_ACTION));
    expect(await cell(page, "per_action").locator(".gateway-mark").getAttribute("title")).toMatch(/^This cell reads actions, which ran on the gateway's DuckDB/);

    // AT TIME ZONE needs icu: DuckDB's text of the TIMESTAMPTZ, in UTC as the pipeline's.
    expect(await settled(page, "berlin")).toBe("ok");
    expect(await tableText("berlin")).toEqual(await duckdbText(BERLIN));
    expect((await tableText("berlin"))[0]).toEqual(["1", "2026-03-28 23:30:00+00"]);

    // A JavaScript cell gets the rows like any SQL cell's.
    await expect.poll(() => cell(page, "opened").locator(".cell-body").textContent(), { timeout: 20_000 }).toContain("runnel + ünïcode");

    // A reader of it that also reads a JavaScript cell cannot run on the gateway, and says so.
    expect(await settled(page, "over_js")).toBe("error");
    expect(await cell(page, "over_js").locator(".cell-error pre").textContent()).toBe(
      "It reads actions, which ran on the gateway's DuckDB, so it runs there too.\n\nThe gateway's DuckDB could not run it either: cell over_js reads opened, a JavaScript cell, whose value exists only in the browser; the gateway's DuckDB runs SQL cells only, so it cannot run over_js",
    );

    // A cell the browser runs has no mark.
    expect(await settled(page, "plain")).toBe("ok");
    expect(await cell(page, "plain").locator(".gateway-mark").count()).toBe(0);

    // DuckDB's error from the gateway, at the cell's line.
    expect(await settled(page, "broken")).toBe("error");
    expect(await cell(page, "broken").locator(".cell-error-line").textContent()).toBe("line 2");
    expect(await cell(page, "broken").locator(".cell-error pre").textContent()).toMatch(/^Binder Error: Referenced column "nope" not found in FROM clause![\s\S]*On the gateway's DuckDB: the notebook's in-browser DuckDB has no json extension/);

    const shown = await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors);
    expect(shown.map((text) => text.split(":")[0]).sort()).toEqual(["broken", "over_js"]);

    await cell(page, "actions").scrollIntoViewIfNeeded();
    await screenshot(page, "gateway-cells", { fullPage: true });
    await screenshot(cell(page, "actions"), "gateway-cells-mark");
    await screenshot(cell(page, "broken"), "gateway-cells-error");
    await page.close();
  });
});

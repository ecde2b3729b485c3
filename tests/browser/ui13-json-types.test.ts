/**
 * A source column the gateway's DuckDB reads as JSON (a field holding strings and numbers) is held as
 * VARCHAR by the browser's DuckDB, which has no json extension. The source profile said JSON, but a
 * cell's result table said VARCHAR in its header for the same column, passed through as it is; the
 * pipeline (and DuckDB) read JSON. In real Chromium on the real gateway, each header must say the
 * type native DuckDB gives the cell over the same events, nested JSON and views included.
 */
import { describe, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { browserSuite, cell, openNotebook, screenshot, settled, waitReady } from "./harness.ts";

const EVENTS = [
  { id: 1, v: "a", doc: { k: "x", n: 1 }, tags: ["red"], u: "550e8400-e29b-41d4-a716-446655440000" },
  { id: 2, v: 2, doc: { k: 3, n: 2 }, tags: [1, "blue"], u: "00000000-0000-0000-0000-000000000001" },
  { id: 3, v: "a", doc: null, tags: null, u: null },
];

const CELLS: Record<string, string> = {
  everything: "SELECT * FROM hooks ORDER BY id",
  picked: "SELECT id, v, doc.k AS k, doc, tags[1] AS first_tag, lower(v) AS lv, CAST(v AS VARCHAR) AS sv, length(v) AS len FROM hooks",
  per_v: "SELECT v, count(*) AS n, max(doc) AS top, list(k) AS ks FROM picked GROUP BY v ORDER BY n DESC",
};

const NOTEBOOK = [
  "---",
  "title: JSON columns",
  "sources:",
  "  hooks:",
  "    webhook: { signature: none }",
  "---",
  "",
  ...Object.entries(CELLS).flatMap(([id, sql]) => [`\`\`\`sql id=${id}`, sql, "```", ""]),
].join("\n");

/** Each cell's column types in native DuckDB (json built in) over the same events: what the pipeline reads. */
async function nativeTypes(): Promise<Record<string, string[]>> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "hooks", EVENTS);
    const out: Record<string, string[]> = {};
    for (const [id, sql] of Object.entries(CELLS)) {
      await db.run(`CREATE VIEW ${id} AS ${sql}`);
      out[id] = (await db.read(`SELECT column_type FROM (DESCRIBE ${id})`)).getRows().map((r) => String(r[0]));
    }
    return out;
  } finally {
    db.close();
  }
}

describe("JSON columns in result tables (Chromium)", () => {
  const suite = browserSuite({ "ui13-json.md": NOTEBOOK });

  test("a result table's header says JSON where DuckDB reads JSON, through views and inside structs and lists, and the cell's profile agrees", async () => {
    for (const event of EVENTS) {
      const res = await fetch(`${suite.harness.origin}/hooks/ui13-json/hooks`, { method: "POST", headers: { authorization: `Bearer ${suite.harness.token}` }, body: JSON.stringify(event) });
      expect(res.status).toBe(202);
    }
    const expected = await nativeTypes();
    // What DuckDB itself says, so the test asserts the oracle's answer, not ours.
    expect(expected.everything).toEqual(["BIGINT", "JSON", "STRUCT(k JSON, n BIGINT)", "JSON[]", "UUID"]);
    expect(expected.picked).toEqual(["BIGINT", "JSON", "JSON", "STRUCT(k JSON, n BIGINT)", "JSON", "VARCHAR", "VARCHAR", "BIGINT"]);

    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "ui13-json.md");
    const types = (id: string) => cell(page, id).locator("thead .col-type").allTextContents();
    for (const id of Object.keys(CELLS)) {
      expect(await settled(page, id)).toBe("ok");
      // The browser ran it (no gateway mark): the header is the browser's DuckDB's, told JSON.
      expect(await cell(page, id).locator(".gateway-mark").count()).toBe(0);
      await expect.poll(() => types(id)).toEqual(expected[id]);
    }
    // The values are the browser's as before: a JSON string keeps its quotes, as DuckDB prints JSON.
    const rows = await cell(page, "picked").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(rows.map((r) => [r[1], r[5], r[6]])).toEqual([['"a"', '"a"', '"a"'], ["2", "2", "2"], ['"a"', '"a"', '"a"']]);

    // The cell's profile says what the header says, with how to read the column.
    await cell(page, "picked").locator(".cell-profile-toggle").click();
    const column = (name: string) => cell(page, "picked").locator(`.cell-profile .profile li[data-column="${name}"]`);
    await expect.poll(() => column("v").locator(".profile-type").textContent()).toBe("JSON");
    expect(await column("v").locator(".profile-note").textContent()).toBe(`DuckDB reads this column as JSON: cast to text, a string keeps its quotes; "v"->>'$' gives a string's text`);
    await screenshot(page, "ui13-json-types");

    // A shared snapshot (sandboxed, configuration locked before any cell runs) says the same: its sources
    // keep the sample's types (the UUID column was VARCHAR there too).
    await page.locator(".share-button").click();
    const url = await page.locator(".share-url").inputValue({ timeout: 30_000 });
    const shared = await suite.browser.context.newPage();
    shared.on("pageerror", (error) => errors.push(`shared: ${error.message}`));
    await shared.goto(url);
    await waitReady(shared);
    for (const id of Object.keys(CELLS)) {
      expect(await settled(shared, id)).toBe("ok");
      await expect.poll(() => cell(shared, id).locator("thead .col-type").allTextContents()).toEqual(expected[id]);
    }
    expect(errors).toEqual([]);
  });
});

/**
 * A new user's `meta` was an object until one sender wrote a string: the gateway's DuckDB (and the
 * pipeline) type it JSON and read `meta.ref.x` of it, but the browser's DuckDB, holding JSON as
 * VARCHAR, failed the cell: "Cannot extract field 'ref' from expression "meta" because it is not a
 * struct, union, map, or json", while Check agreed. The cell now runs on the gateway's DuckDB, as
 * cells needing the json extension do, and shows native DuckDB's rows. Real Chromium, real gateway.
 */
import { describe, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const SQL = "SELECT id, meta.ref.x AS rx FROM orders";
const NOTEBOOK = ["---", "title: Meta", "sources:", "  orders:", "    webhook: { signature: none }", "---", "", "```sql id=picked", SQL, "```", ""].join("\n");
const EVENTS = [
  { id: 1, meta: { ref: { x: 1 } } },
  { id: 2, meta: null },
  { id: 3, meta: "plain" },
  { id: 4, meta: { ref: { x: "two" } } },
];

describe("a field of a column that became JSON (Chromium)", () => {
  const suite = browserSuite({ "ui14-meta.md": NOTEBOOK });

  test("meta.ref.x runs on the gateway's DuckDB and shows native DuckDB's rows and types", async () => {
    for (const event of EVENTS) {
      const answer = await fetch(`${suite.harness.origin}/hooks/ui14-meta/orders`, { method: "POST", headers: { authorization: `Bearer ${suite.harness.token}` }, body: JSON.stringify(event) });
      expect(answer.status).toBe(202);
    }
    const db = await openDuckDB({ threads: 1 });
    let rows: unknown[][];
    let types: string[];
    try {
      await loadEvents(db, "orders", EVENTS);
      expect((await db.read("SELECT column_type FROM (DESCRIBE orders) WHERE column_name = 'meta'")).getRows()).toEqual([["JSON"]]);
      rows = (await db.read(`${SQL} ORDER BY id`)).getRowsJson() as unknown[][];
      types = (await db.read(`SELECT column_type FROM (DESCRIBE ${SQL})`)).getRows().map((r) => String(r[0]));
    } finally {
      db.close();
    }

    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "ui14-meta.md");
    expect(await settled(page, "picked")).toBe("ok");
    const picked = cell(page, "picked");
    expect(await picked.locator(".gateway-mark").count()).toBe(1);
    expect(await picked.locator("thead .col-type").allTextContents()).toEqual(types);
    const shown = await picked.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(shown).toEqual(rows.map((row) => row.map((v) => (v === null ? "∅" : String(v)))));
    await screenshot(page, "ui14-json-field");
    expect(errors).toEqual([]);
    await page.close();
  });
});

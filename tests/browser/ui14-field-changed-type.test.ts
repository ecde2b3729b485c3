/**
 * A new user's webhook whose `amount` was a number until one sender wrote "n/a": read again, the
 * gateway's DuckDB types the field JSON (the pipeline does too), and the cell `amount * 2` fails. The
 * page showed DuckDB-WASM's error, which names VARCHAR (it holds JSON as text), above 14 lines of
 * candidate functions, and nothing said that the field had changed type or what to write instead.
 * Now it shows the error native DuckDB gives (JSON named), the candidates folded away, and a hint
 * naming the JSON column with a cast that reads the same in the browser and the pipeline; the cast
 * written as it says runs and checks. Real Chromium, real gateway, native DuckDB as the oracle.
 */
import { describe, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Orders",
  "sources:",
  "  orders:",
  "    webhook: { signature: none }",
  "sinks:",
  "  lake:",
  "    fs: { dir: data }",
  "---",
  "",
  "```sql id=doubled sink=lake",
  "SELECT id, customer,",
  "  amount * 2 AS doubled",
  "FROM orders",
  "```",
  "",
].join("\n");

const BEFORE = [
  { id: 1, customer: "Zoë Ångström 🚀", amount: 12.5 },
  { id: 2, customer: null, amount: null },
];
const CHANGED = { id: 3, customer: "Bob", amount: "n/a" };
const FIXED = "TRY_CAST(CAST(amount AS VARCHAR) AS DOUBLE) * 2";

/** What native DuckDB (json built in, as the pipeline) says of `sql` over `events`: its error's first line, or its rows. */
async function native(events: unknown[], sql: string): Promise<{ error: string } | { rows: unknown[][] }> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "orders", events);
    try {
      return { rows: (await db.read(sql)).getRowsJson() as unknown[][] };
    } catch (error) {
      return { error: String((error as Error).message).replace(/^duckdb: /, "").split("\n")[0]! };
    }
  } finally {
    db.close();
  }
}

describe("a cell after a field changed type (Chromium)", () => {
  const suite = browserSuite({ "ui14-changed.md": NOTEBOOK });

  test("says DuckDB's error with JSON named, folds the candidate functions, and hints the cast, which then runs and checks", async () => {
    const post = async (event: unknown) => {
      const answer = await fetch(`${suite.harness.origin}/hooks/ui14-changed/orders`, { method: "POST", headers: { authorization: `Bearer ${suite.harness.token}` }, body: JSON.stringify(event) });
      expect(answer.status).toBe(202);
    };
    for (const event of BEFORE) await post(event);
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "ui14-changed.md");
    expect(await settled(page, "doubled")).toBe("ok");

    // One sender writes text where the others wrote numbers; the page is opened again, typed from the sample.
    await post(CHANGED);
    const events = [...BEFORE, CHANGED];
    const sql = "SELECT id, customer, amount * 2 AS doubled FROM orders";
    const oracle = await native(events, sql);
    expect("error" in oracle && oracle.error).toMatch(/^Binder Error: No function matches the given name and argument types '\*\(JSON, INTEGER_LITERAL\)'/);
    await openNotebook(page, suite.harness, "ui14-changed.md");
    expect(await settled(page, "doubled")).toBe("error");
    const box = cell(page, "doubled").locator(".cell-error");
    // DuckDB's own words, as the pipeline's DuckDB says them (JSON, not the browser's VARCHAR), at the line.
    expect(await box.locator(".cell-error-line").textContent()).toBe("line 2");
    expect((await box.locator("pre").first().textContent())!.split("\n")[0]).toBe("error" in oracle ? oracle.error.replace(/ \(line \d+, column \d+\)$/, "") : "");
    // The candidate functions (`*(TINYINT, TINYINT) -> TINYINT` …) are folded under one line, closed.
    const candidates = box.locator("details.cell-error-candidates");
    const listed = (await candidates.locator("pre").textContent())!.split("\n");
    expect(listed.length).toBeGreaterThan(10);
    expect(listed).toContain("*(DOUBLE, DOUBLE) -> DOUBLE");
    expect(await candidates.locator("summary").textContent()).toBe(`DuckDB's ${listed.length} candidate functions`);
    expect(await candidates.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    expect(await candidates.locator("pre").isVisible()).toBe(false);
    // What happened and what to write.
    expect(await box.locator(".cell-error-hint").textContent()).toBe(
      "amount is JSON here: orders's events hold more than one kind of value in it (a number in some, text in others, say), so DuckDB reads it as JSON. " +
        "TRY_CAST(CAST(amount AS VARCHAR) AS DOUBLE) reads its numbers (NULL for the rest); amount->>'$' reads a text's characters.",
    );
    await screenshot(page, "ui14-field-changed-type");

    // The cast, as the hint writes it: the rows native DuckDB gives, and the pipeline agrees.
    const editor = cell(page, "doubled").locator(".cm-content");
    await editor.locator(".cm-line").nth(1).click();
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type(`  ${FIXED} AS doubled`);
    await page.keyboard.press("Shift+Enter");
    await cell(page, "doubled").and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });
    const fixed = await native(events, `SELECT id, customer, ${FIXED} AS doubled FROM orders ORDER BY id`);
    const shown = await cell(page, "doubled").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(shown).toEqual(("rows" in fixed ? fixed.rows : []).map((row) => row.map((v, i) => (v === null ? "∅" : i === 2 ? Number(v).toFixed(1) : String(v)))));
    await page.locator(".topbar button", { hasText: "Check" }).click();
    await expect.poll(() => page.locator("#pipeline-heading").textContent(), { timeout: 60_000 }).toBe("✓ The pipeline agrees with DuckDB");
    expect(errors).toEqual([]);
    await page.close();
  });
});

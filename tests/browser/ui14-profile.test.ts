/**
 * A new user's own events, profiled under their cell in real Chromium on the real gateway: a webhook
 * whose `kind` holds numbers and text (JSON to DuckDB), a note that is mostly NULL, a code unique to
 * each event. The cell's profile put "DuckDB reads this column as BIGINT: cast to text, a string keeps
 * its quotes; read its parts with ->> or json_extract_string" under every column (it was handed every
 * column's type, JSON or not); the mostly-NULL note's top value was ∅ ("null 90.0% · top ∅ 90%"), and
 * the unique code's "top c0 <1%" named the first code in sort order. Native DuckDB is the oracle.
 */
import { describe, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = ["---", "title: Mine", "sources:", "  orders:", "    webhook: { signature: none }", "---", "", "```sql id=o", "SELECT * FROM orders", "```", ""].join("\n");

const NOTES = ["Zoë 🚀", "東京", "Zoë 🚀", "ünïcödé — a long one, ".repeat(8), "東京", "Zoë 🚀"];
const EVENTS = Array.from({ length: 60 }, (_, i) => ({ id: i, note: i % 10 === 0 ? NOTES[i / 10] : null, code: `c${i}`, kind: i % 5 === 0 ? "five" : i }));

/** Native DuckDB's answer to `sql` over the events. */
async function native(sql: string): Promise<unknown[][]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "orders", EVENTS);
    return (await db.read(sql)).getRowsJson() as unknown[][];
  } finally {
    db.close();
  }
}

describe("a cell's profile over a new user's events (Chromium)", () => {
  const suite = browserSuite({ "ui14-profile.md": NOTEBOOK });

  test("notes only the JSON column, gives a mostly-NULL column's most common value, and says when no value repeats", async () => {
    for (const event of EVENTS) {
      const answer = await fetch(`${suite.harness.origin}/hooks/ui14-profile/orders`, { method: "POST", headers: { authorization: `Bearer ${suite.harness.token}` }, body: JSON.stringify(event) });
      expect(answer.status).toBe(202);
    }
    const types = await native("SELECT column_name, column_type FROM (DESCRIBE orders)");
    expect(types).toEqual([["id", "BIGINT"], ["note", "VARCHAR"], ["code", "VARCHAR"], ["kind", "JSON"]]);
    const [[topNote, topCount]] = (await native("SELECT note, count(*)::INTEGER FROM orders WHERE note IS NOT NULL GROUP BY ALL ORDER BY 2 DESC, 1 LIMIT 1")) as [[string, number]];
    const [[notes, codes, repeatedCodes]] = (await native("SELECT count(DISTINCT note)::INTEGER, count(DISTINCT code)::INTEGER, (count(*) - count(DISTINCT code))::INTEGER FROM orders")) as [[number, number, number]];
    expect(repeatedCodes).toBe(0);

    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "ui14-profile.md");
    expect(await settled(page, "o")).toBe("ok");
    const o = cell(page, "o");
    await o.locator(".cell-profile-toggle").click();
    const column = (name: string) => o.locator(`.profile li[data-column="${name}"]`);
    await column("kind").waitFor({ timeout: 30_000 });
    // Each column's type is DuckDB's; only the JSON one has the note on reading JSON.
    for (const [name, type] of types as [string, string][]) expect(await column(name).locator(".profile-type").textContent()).toBe(type);
    expect(await o.locator(".profile-note").count()).toBe(1);
    expect(await column("kind").locator(".profile-note").textContent()).toBe(`DuckDB reads this column as JSON: cast to text, a string keeps its quotes; "kind"->>'$' gives a string's text`);
    // A mostly-NULL column: its share of NULLs, then its most common value (not NULL again).
    expect(await column("note").locator(".profile-stats").textContent()).toBe(`null 90.0% · ${notes} distinct · top ${topNote} ${Math.round((topCount / EVENTS.length) * 100)}%`);
    // No value repeats: there is no top value to name.
    expect(await column("code").locator(".profile-stats").textContent()).toBe(`null 0.0% · ${codes} distinct · no value repeats`);
    await screenshot(page, "ui14-profile");
    expect(errors).toEqual([]);
    await page.close();
  });
});

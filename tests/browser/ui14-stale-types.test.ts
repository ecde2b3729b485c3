/**
 * A new user's webhook typed from its first events; then a sender writes "n/a" where `amount` was a
 * number and adds a key. The page's table keeps the types it read when it opened (the card says
 * so), but Check and Publish read the gateway's sample as it is now: the check passed and the lake
 * got `amount` JSON ("n/a") and a column `extra` the cells never showed. The pipeline panel now says
 * the cells are typed from an older sample and offers the reload; reloaded, the cells' types are
 * native DuckDB's over the same events, and the panel says nothing more. Real Chromium, real gateway.
 */
import { describe, expect, test } from "vitest";
import { loadEvents, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { browserSuite, cell, openNotebook, screenshot, settled, waitReady } from "./harness.ts";

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
  "```sql id=everything sink=lake",
  "SELECT * FROM orders",
  "```",
  "",
].join("\n");

const FIRST = [
  { id: 1, customer: "Zoë Ångström 🚀 — 東京", amount: 12.5, meta: { tags: ["a"], ref: { x: 1 } } },
  { id: 18446744073709551615n, customer: null, amount: null, meta: null },
];
const LATER = { id: 3, customer: "Bob", amount: "n/a", meta: { tags: [], ref: null }, extra: true };

/** The column types native DuckDB (json built in, as the pipeline) gives `SELECT * FROM orders` over `events`. */
async function nativeTypes(events: string[]): Promise<string[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "orders", events.map((e) => parseJsonLossless(e)));
    return (await db.read("SELECT column_type FROM (DESCRIBE SELECT * FROM orders)")).getRows().map((r) => String(r[0]));
  } finally {
    db.close();
  }
}

describe("a check after live events stopped fitting the page's table (Chromium)", () => {
  const suite = browserSuite({ "ui14-stale.md": NOTEBOOK });

  test("says the cells are typed from an older sample and offers the reload, after which the types are DuckDB's and it says nothing", async () => {
    // The huge id is written as JSON text, as a sender writes it (no JavaScript number holds it).
    const bodies = [...FIRST, LATER].map((event) => JSON.stringify(event, (_k, v) => (typeof v === "bigint" ? `__${v}__` : v)).replace(/"__(\d+)__"/, "$1"));
    const post = async (body: string) => {
      const answer = await fetch(`${suite.harness.origin}/hooks/ui14-stale/orders`, { method: "POST", headers: { authorization: `Bearer ${suite.harness.token}` }, body });
      expect(answer.status).toBe(202);
    };
    for (const body of bodies.slice(0, 2)) await post(body);
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "ui14-stale.md");
    expect(await settled(page, "everything")).toBe("ok");
    const types = () => cell(page, "everything").locator("thead .col-type").allTextContents();
    expect(await types()).toEqual(await nativeTypes(bodies.slice(0, 2)));

    // The later event arrives live: its "n/a" is ∅ in the DOUBLE column, its new key has no column.
    await post(bodies[2]!);
    const card = page.locator('.source[data-source="orders"]');
    await expect.poll(() => card.locator(".source-misfits").textContent(), { timeout: 20_000 }).toContain("Live events have a key the table has no column for: extra");
    await page.locator(".topbar button", { hasText: "Check" }).click();
    await expect.poll(() => page.locator("#pipeline-heading").textContent(), { timeout: 60_000 }).toBe("✓ The pipeline agrees with DuckDB");
    expect(await page.locator(".pipeline-stale").textContent()).toBe(
      'The cells show orders typed as its sample was when the page opened, and live events since did not fit: orders: 1 event held a value its column cannot hold (last: amount: "n/a" into DOUBLE); a key it has no column for: extra. ' +
        "This check read the gateway's sample as it is now, typed from those events too, so the pipeline's types and columns can differ from the cells'. Reload the page to see what it writes.",
    );
    await screenshot(page, "ui14-stale-types");

    // Reloaded from the panel: the cells show the types the pipeline reads, and the panel has nothing to say.
    await page.locator(".pipeline-reload").click();
    await waitReady(page);
    expect(await settled(page, "everything")).toBe("ok");
    const now = await nativeTypes(bodies);
    expect(now).toContain("JSON");
    await expect.poll(types, { timeout: 20_000 }).toEqual(now);
    await page.locator(".topbar button", { hasText: "Check" }).click();
    await expect.poll(() => page.locator("#pipeline-heading").textContent(), { timeout: 60_000 }).toBe("✓ The pipeline agrees with DuckDB");
    expect(await page.locator(".pipeline-stale").count()).toBe(0);

    // Published and run locally, the card says how to read the lake; that command's query, run by native
    // DuckDB, reads every event with the types the cells show.
    await page.locator(".pipeline-close").click();
    await page.locator(".topbar button", { hasText: "Publish" }).click();
    await page.locator(".pipeline-run-local").click({ timeout: 60_000 });
    const read = page.locator('.local-run dd[data-key="read"]');
    await read.waitFor({ timeout: 60_000 });
    const command = (await read.textContent())!;
    const query = /^duckdb -c "(SELECT \* FROM read_parquet\('.+\/lake\/\*\*\/\*\.parquet'\))"$/.exec(command)?.[1];
    expect(query, command).toBeDefined();
    const db = await openDuckDB({ threads: 1 });
    try {
      await expect.poll(async () => Number((await db.read(`SELECT count(*) FROM (${query})`)).getRows()[0]![0]), { timeout: 30_000 }).toBe(bodies.length);
      expect((await db.read(`SELECT column_type FROM (DESCRIBE ${query})`)).getRows().map((r) => String(r[0]))[2]).toBe("JSON");
    } finally {
      db.close();
    }
    await page.locator(".local-run-stop").click();
    expect(errors).toEqual([]);
    await page.close();
  });
});

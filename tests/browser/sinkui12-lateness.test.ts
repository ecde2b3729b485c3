/**
 * A publish refused because the sample has late events says which lateness would keep them; the panel
 * now offers to write it into the sink's entry ("Set lake's lateness to 5 minutes"), then to publish
 * again, without leaving the page. Real Chromium, the real gateway, webhook deliveries out of order.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { browserSuite, openNotebook, settled } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Late readings",
  "sources:",
  "  hooks:",
  "    webhook: { signature: none }",
  "sinks:",
  "  lake:",
  "    fs: { dir: data, prefix: late/ } # the local lake",
  "---",
  "",
  "```sql id=per_minute sink=lake",
  "SELECT time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS minute, count(*) AS n",
  "FROM hooks",
  "GROUP BY ALL",
  "```",
  "",
].join("\n");

describe("a publish refused for late events sets the lateness it suggests (Chromium)", () => {
  const suite = browserSuite({ "sinkui12-late.md": NOTEBOOK });
  const file = () => readFileSync(join(suite.harness.root, "sinkui12-late.md"), "utf8");

  test("Set lake's lateness writes lateness: into the entry, and Publish again publishes", async () => {
    const { harness } = suite;
    // A reading four minutes behind the newest arrives after its minute closed, at lateness 0.
    for (const ts of ["2026-11-22T10:00:05", "2026-11-22T10:05:00", "2026-11-22T10:00:10", "2026-11-22T10:05:30"]) {
      const res = await fetch(`${harness.origin}/hooks/sinkui12-late/hooks`, { method: "POST", headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/json" }, body: JSON.stringify({ ts, v: 1 }) });
      expect(res.status).toBeLessThan(300);
    }
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, harness, "sinkui12-late.md");
    expect(await settled(page, "per_minute")).toBe("ok");

    await page.locator(".publish-button").click();
    const panel = page.locator(".pipeline-panel");
    await panel.and(page.locator('[data-state="failed"]')).waitFor({ timeout: 120_000 });
    expect(await panel.locator("#pipeline-heading").textContent()).toBe("✗ Not published: the pipeline differs from DuckDB");
    const set = panel.locator(".pipeline-set-lateness");
    expect(await set.textContent()).toBe("Set lake's lateness to 5 minutes");
    expect(await panel.locator(".pipeline-verdict").textContent()).toContain("a lateness of 5 minutes or more would keep every sample event");

    await set.click();
    await expect.poll(() => panel.locator(".pipeline-lateness-set").textContent()).toBe("Sink lake's lateness is now 5 minutes (written to the front matter).");
    // Only a line is added to the entry; its target line and comment stay as written.
    expect(file()).toBe(NOTEBOOK.replace("# the local lake\n", "# the local lake\n    lateness: 5 minutes\n"));
    expect(await page.locator('.sink-card[data-sink="lake"] .sink-lateness').textContent()).toBe("5 minutes");

    await panel.locator(".pipeline-again").click();
    await panel.and(page.locator('[data-state="ok"]')).waitFor({ timeout: 120_000 });
    expect(await panel.locator("#pipeline-heading").textContent()).toBe("✓ Published sinkui12-late");
    expect(errors).toEqual([]);
  });
});

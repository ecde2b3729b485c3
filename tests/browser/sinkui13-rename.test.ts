/**
 * Renaming a sink from the page, in real Chromium on the real gateway. The sink form had no name
 * field for a declared sink, so a name could only be changed by hand in the front matter and in the
 * `sink=` of every cell feeding it. Now the Edit form's name renames it everywhere at once, refuses a
 * name another sink has or that is no name, and writes nothing else of the file differently.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = [
  "---",
  "title: Renaming a sink",
  "sources:",
  "  trips:",
  "    demo: { generator: turnstile, rate: 2, seed: 1 }",
  "sinks:",
  "  # where the minutes go",
  "  lake: # the lake",
  "    fs: { dir: data, prefix: trips/ }",
  "    partition_by: [day]",
  "  archive: { fs: { dir: data, prefix: archive/ } }",
  "---",
  "",
  "The minutes go to the lake (sink=lake, says this line, and stays so).",
  "",
  "```sql id=per_day sink=lake",
  "SELECT CAST(ts AS VARCHAR)[1:10] AS day, count(*) AS n FROM trips GROUP BY ALL",
  "```",
  "",
  "```sql id=stations",
  "SELECT DISTINCT station FROM trips",
  "```",
  "",
  '```sql   id=per_station  sink="lake"',
  "SELECT station, count(*) AS n FROM trips GROUP BY ALL",
  "```",
  "",
].join("\n");

describe("renaming a sink from the page (Chromium)", () => {
  const suite = browserSuite({ "sinkui13.md": NOTEBOOK });
  const file = () => readFileSync(join(suite.harness.root, "sinkui13.md"), "utf8");

  test("Edit's name renames the sink in the front matter and in every feeding cell's sink=, refusing a taken or invalid name", async () => {
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "sinkui13.md");
    await settled(page, "stations");
    const card = (name: string) => page.locator(`.sinks-panel .sink-card[data-sink="${name}"]`);
    await card("lake").locator(".sink-edit").click();
    const form = card("lake").locator(".edit-sink-form");
    const name = form.locator(".sink-form-name");
    expect(await name.inputValue()).toBe("lake");

    // Another sink's name (in any case) and a name that is not one are refused; nothing is written.
    await name.fill("Archive");
    await form.locator(".sink-form-save").click();
    await expect.poll(() => form.locator(".sink-form-problem").textContent()).toBe("Not renamed: the notebook has a sink archive");
    await name.fill("2lake");
    await form.locator(".sink-form-save").click();
    await expect.poll(() => form.locator(".sink-form-problem").textContent()).toBe("Not renamed: '2lake' is not a sink name: use letters, digits and _, not starting with a digit");
    expect(file()).toBe(NOTEBOOK);

    // A free name, with a field changed too: one write renames the key and both fences, and the lateness is added.
    await name.fill("river");
    await form.locator(".sink-form-lateness").fill("3 minutes");
    await form.locator(".sink-form-save").click();
    await card("river").waitFor();
    const renamed = NOTEBOOK.replace("  lake: # the lake\n", "  river: # the lake\n")
      .replace("    partition_by: [day]\n", "    partition_by: [day]\n    lateness: 3 minutes\n")
      .replace("```sql id=per_day sink=lake\n", "```sql id=per_day sink=river\n")
      .replace('```sql   id=per_station  sink="lake"\n', '```sql   id=per_station  sink="river"\n');
    await expect.poll(file).toBe(renamed);
    expect(await card("lake").count()).toBe(0);
    expect(await card("river").locator(".sink-fed-by").textContent()).toBe("per_day (line 18), per_station (line 26)");
    expect(await card("river").locator(".sink-lateness").textContent()).toBe("3 minutes");
    // The feeding cells' bars follow, and no cell is left naming a sink that is not declared.
    expect(await cell(page, "per_day").locator(".cell-sink-select").inputValue()).toBe("river");
    expect(await cell(page, "per_station").locator(".cell-sink-select").inputValue()).toBe("river");
    expect(await cell(page, "stations").locator(".cell-sink-select option").allTextContents()).toEqual(["no sink", "→ river", "→ archive", "new sink…"]);
    await expect.poll(() => page.evaluate(() => document.querySelector(".notebook-issues")?.textContent ?? "")).not.toMatch(/lake/);
    await screenshot(page, "sinkui13-rename");

    // A sink written on one line (flow style) is renamed in place too.
    await card("archive").locator(".sink-edit").click();
    await card("archive").locator(".sink-form-name").fill("cold");
    await card("archive").locator(".sink-form-save").click();
    await card("cold").waitFor();
    await expect.poll(file).toBe(renamed.replace("  archive: { fs:", "  cold: { fs:"));
    expect(errors).toEqual([]);
  });
});

/**
 * Declaring and editing sinks from the page, in real Chromium on the real gateway. Sinks could only
 * be declared by hand-editing the front matter. Now each declared sink has a card beside the source
 * cards (target, prefix, partition_by, flush, lateness, the cells feeding it) with Edit and Remove,
 * "+ Sink" adds one, a SQL cell's bar sets or clears `sink=` on its fence, and only the lines that
 * change are written: comments and the other entries stay as the person wrote them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, settled } from "./harness.ts";

const FRONT = [
  "---",
  "title: Sinks from the page",
  "sources:",
  "  trips:",
  "    demo: { generator: turnstile, rate: 2, seed: 1 }",
  "sinks:",
  "  # where the minutes go",
  "  lake: # the lake",
  "    fs: { dir: data, prefix: trips/ }",
  "    partition_by: [day]",
  "    flush: { rows: 5000, seconds: 30 }",
  "    lateness: 2 minutes",
  "---",
].join("\n");

const BODY = [
  "",
  "# Sinks",
  "",
  "```sql id=per_day sink=lake",
  "SELECT CAST(ts AS VARCHAR)[1:10] AS day, count(*) AS n FROM trips GROUP BY ALL",
  "```",
  "",
  "```sql id=stations",
  "SELECT DISTINCT station FROM trips",
  "```",
  "",
].join("\n");

const NOTEBOOK = `${FRONT}\n${BODY}`;

describe("sinks from the page (Chromium)", () => {
  const suite = browserSuite({ "sinkui12.md": NOTEBOOK });
  const file = () => readFileSync(join(suite.harness.root, "sinkui12.md"), "utf8");

  test("a sink's card shows what it writes; + Sink adds one (problems at the field); Edit changes one line; a cell's bar feeds a sink; Remove is refused while fed, else undone", async () => {
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "sinkui12.md");
    await settled(page, "stations");
    const card = (name: string) => page.locator(`.sinks-panel .sink-card[data-sink="${name}"]`);

    // The declared sink, as the person reads it.
    const lake = card("lake");
    expect(await lake.locator(".sink-kind").textContent()).toBe("fs");
    expect(await lake.locator(".sink-target").textContent()).toBe("folder data");
    expect(await lake.locator(".sink-prefix").textContent()).toBe("trips/");
    expect(await lake.locator(".sink-partition-by").textContent()).toBe("day");
    expect(await lake.locator(".sink-flush").textContent()).toBe("5,000 rows · 64 MiB · 30 s");
    expect(await lake.locator(".sink-lateness").textContent()).toBe("2 minutes");
    expect(await lake.locator(".sink-fed-by").textContent()).toBe("per_day (line 18)");

    // Remove is refused while a cell feeds it, naming the cell; nothing is written.
    await lake.locator(".sink-remove").click();
    await expect.poll(() => lake.locator(".sink-manage-problem").textContent()).toBe('Not removed: cell per_day (line 18) writes to lake (sink=lake). Choose "no sink" in its bar first.');
    expect(file()).toBe(NOTEBOOK);

    // + Sink: a lateness that is not a duration is refused at its field in the parser's words.
    await page.locator(".add-sink-open").click();
    const form = page.locator(".add-sink .edit-sink-form");
    await form.locator(".sink-form-name").fill("archive");
    await form.locator(".sink-form-target").selectOption("s3");
    await form.locator(".sink-form-s3-bucket").fill("lake-archive");
    await form.locator(".sink-form-prefix").fill("stations/");
    await form.locator(".sink-form-lateness").fill("3 minutz");
    await form.locator(".sink-form-save").click();
    await expect.poll(() => form.locator('[data-field="lateness"] .sink-field-problem').textContent()).toBe('sinks.archive.lateness: expected seconds or a duration such as "30 seconds" or "5 minutes", found "3 minutz"');
    expect(file()).toBe(NOTEBOOK);
    await form.locator(".sink-form-lateness").fill("3 minutes");
    await form.locator(".sink-form-save").click();
    await card("archive").waitFor();
    expect(await form.count()).toBe(0);
    const added = NOTEBOOK.replace("    lateness: 2 minutes\n", '    lateness: 2 minutes\n  archive:\n    s3: { bucket: lake-archive, prefix: stations/ }\n    lateness: 3 minutes\n');
    await expect.poll(file).toBe(added);
    expect(await card("archive").locator(".sink-target").textContent()).toBe("bucket lake-archive (us-east-1)");
    expect(await card("archive").locator(".sink-lateness").textContent()).toBe("3 minutes");
    expect(await card("archive").locator(".sink-fed-by").textContent()).toMatch(/^no cell yet/);

    // Edit lake: only the lateness line changes; the comments and spellings stay.
    await lake.locator(".sink-edit").click();
    const edit = lake.locator(".edit-sink-form");
    expect(await edit.locator(".sink-form-lateness").inputValue()).toBe("2 minutes");
    expect(await edit.locator(".sink-form-partition-by").inputValue()).toBe("day");
    await edit.locator(".sink-form-flush-rows").fill("many");
    await edit.locator(".sink-form-save").click();
    await expect.poll(() => edit.locator('[data-field="flush.rows"] .sink-field-problem').textContent()).toBe('sinks.lake.flush.rows: expected a number, found "many"');
    await edit.locator(".sink-form-flush-rows").fill("5000");
    await edit.locator(".sink-form-lateness").fill("5 minutes");
    await edit.locator(".sink-form-save").click();
    const edited = added.replace("    lateness: 2 minutes\n", "    lateness: 5 minutes\n");
    await expect.poll(file).toBe(edited);
    await expect.poll(() => card("lake").locator(".sink-lateness").textContent()).toBe("5 minutes");

    // The stations cell's bar offers the declared sinks; choosing one writes sink= on its fence.
    const choice = cell(page, "stations").locator(".cell-sink-select");
    expect(await choice.locator("option").allTextContents()).toEqual(["no sink", "→ lake", "→ archive", "new sink…"]);
    await choice.selectOption("archive");
    const fed = edited.replace("```sql id=stations\n", "```sql id=stations sink=archive\n");
    await expect.poll(file).toBe(fed);
    await expect.poll(() => card("archive").locator(".sink-fed-by").textContent()).toBe("stations (line 25)");
    // And clearing it takes it off again.
    await choice.selectOption("");
    await expect.poll(file).toBe(edited);

    // Unfed, archive is removed; Undo puts its entry back as written.
    await card("archive").locator(".sink-remove").click();
    await expect.poll(file).toBe(NOTEBOOK.replace("    lateness: 2 minutes\n", "    lateness: 5 minutes\n"));
    await expect.poll(() => card("archive").count()).toBe(0);
    expect(await choice.locator("option").allTextContents()).toEqual(["no sink", "→ lake", "new sink…"]);
    await page.locator(".undo-bar .undo-button").click();
    await expect.poll(file).toBe(edited);
    await card("archive").waitFor();

    // "new sink…" from a cell's bar opens + Sink; once written, the cell feeds it.
    await choice.selectOption("+new");
    expect(await choice.inputValue()).toBe("");
    await form.locator(".sink-form-name").fill("by_station");
    await form.locator(".sink-form-save").click();
    await card("by_station").waitFor();
    await expect.poll(file).toBe(
      edited
        .replace("    lateness: 3 minutes\n---", "    lateness: 3 minutes\n  by_station:\n    fs: { dir: data }\n---")
        .replace("```sql id=stations\n", "```sql id=stations sink=by_station\n"),
    );
    expect(await choice.inputValue()).toBe("by_station");
    await expect.poll(() => card("by_station").locator(".sink-fed-by").textContent()).toBe("stations (line 27)");
    // The card follows the cells: the feeding cell deleted, the sink is fed by none.
    await cell(page, "stations").locator(".cell-delete").click();
    await expect.poll(() => card("by_station").locator(".sink-fed-by").textContent()).toMatch(/^no cell yet/);
    expect(errors).toEqual([]);
  });

  test("a notebook without sinks: gets a sinks: section from + Sink, after its sources", async () => {
    const plain = NOTEBOOK.replace(/sinks:\n[\s\S]*?\n---/, "---").replace(" sink=lake", "");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(suite.harness.root, "sinkui12-plain.md"), plain);
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "sinkui12-plain.md");
    await settled(page, "stations");
    expect(await page.locator(".sinks-panel .no-sinks").textContent()).toMatch(/^No sinks yet/);
    await cell(page, "per_day").locator(".cell-sink-select").selectOption("+new");
    const form = page.locator(".add-sink .edit-sink-form");
    await form.locator(".sink-form-name").fill("lake");
    await form.locator(".sink-form-partition-by").fill("day");
    await form.locator(".sink-form-save").click();
    const read = () => readFileSync(join(suite.harness.root, "sinkui12-plain.md"), "utf8");
    await expect.poll(read).toBe(
      plain.replace("seed: 1 }\n---", "seed: 1 }\nsinks:\n  lake:\n    fs: { dir: data }\n    partition_by: [day]\n---").replace("```sql id=per_day\n", "```sql id=per_day sink=lake\n"),
    );
    expect(await page.locator(".sinks-panel .no-sinks").count()).toBe(0);
  });
});

/**
 * A notebook whose front matter is not valid YAML, in real Chromium on the real gateway: the cells
 * reading a source it could not open (here one whose generator is misspelt too), and that source's
 * card, give the YAML error and its line. They said the source's "entry has a problem" over an
 * empty line, and the card was empty.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

const NOTEBOOK = ["---", "title: bad yaml", "sources:", "  events:", "    demo: turnstil", "  other", "    demo: turnstile", "---", "", "```sql id=a", "SELECT * FROM events", "```", ""].join("\n");

describe("front matter that is not valid YAML (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("a cell reading a source and the source's card give the YAML error at its line", async () => {
    writeFileSync(join(harness.root, "bad-yaml.md"), NOTEBOOK);
    const page = await browser.context.newPage();
    await openNotebook(page, harness, "bad-yaml.md");
    expect(await settled(page, "a")).toBe("error");
    const yaml = "line 6:3 front matter is not valid YAML: Implicit keys need to be on a single line";
    expect(await cell(page, "a").locator(".cell-error").innerText()).toContain(`so the notebook has no table for it:\n${yaml}\nFix it in the file's front matter`);
    expect(await page.locator('.source[data-source="events"] .source-error').innerText()).toContain(yaml);
    await screenshot(page, "walk8-front-matter-yaml");
    await page.close();
  });
});

/**
 * The notebook with the keyboard alone, in real Chromium on the real gateway: Tab walks through
 * the page past each cell's editor instead of indenting its code (and saving the file), while a
 * person who clicked into an editor, or typed there, still indents with Tab.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { cell, copyNotebook, type Harness, openNotebook, screenshot, settled, startHarness } from "./harness.ts";

/** What has keyboard focus: the cell it is in and whether it is that cell's code editor. */
function focusAt(page: Page): Promise<{ cell: string | null; editor: boolean; label: string }> {
  return page.evaluate(() => {
    const at = document.activeElement as HTMLElement | null;
    return {
      cell: at?.closest(".cell")?.getAttribute("data-name") ?? null,
      editor: at?.classList.contains("cm-content") ?? false,
      label: at === null ? "" : `${at.tagName.toLowerCase()}.${at.className}`,
    };
  });
}

function code(page: Page, name: string): Promise<string> {
  return cell(page, name).locator(".cm-content").evaluate((el) => [...el.querySelectorAll(".cm-line")].map((l) => l.textContent).join("\n"));
}

describe("the notebook with the keyboard alone (Chromium)", () => {
  let harness: Harness;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  test("Tab moves through a cell's editor to what follows it, leaving the code and the file as they were", async () => {
    const path = copyNotebook(harness, "turnstile.md", "keys-tab.md");
    const before = readFileSync(join(harness.root, path), "utf8");
    const page = await browser.context.newPage();
    await openNotebook(page, harness, path);
    expect(await settled(page, "clean")).toBe("ok");
    const original = await code(page, "clean");

    await cell(page, "clean").locator(".cell-delete").focus();
    await page.keyboard.press("Tab");
    expect(await focusAt(page)).toMatchObject({ cell: "clean", editor: true });
    await page.keyboard.press("Tab");
    const next = await focusAt(page);
    expect(next.editor, `focus stayed in the editor (${next.label})`).toBe(false);
    // Shift-Tab comes back into the editor and, pressed again, goes on backwards out of it.
    await page.keyboard.press("Shift+Tab");
    expect(await focusAt(page)).toMatchObject({ cell: "clean", editor: true });
    await page.keyboard.press("Shift+Tab");
    expect(await focusAt(page)).toMatchObject({ cell: "clean", editor: false });

    expect(await code(page, "clean")).toBe(original);
    // The saver would have written an indented cell 800 ms after the first Tab.
    await page.waitForTimeout(1500);
    expect(await page.locator(".save-status").textContent()).toBe("saved");
    expect(readFileSync(join(harness.root, path), "utf8")).toBe(before);
    await screenshot(page, "walk8-keyboard-tab-passes");
    await page.close();
  });

  test("in an editor clicked into, or typed in after tabbing there, Tab indents the code", async () => {
    const path = copyNotebook(harness, "turnstile.md", "keys-indent.md");
    const page = await browser.context.newPage();
    await openNotebook(page, harness, path);
    expect(await settled(page, "clean")).toBe("ok");
    // The stream paused, so no recompute is under way when Escape is pressed below: on a busy machine one
    // could pass 0.7 s and show ■ Stop, and Escape then stops the cell (as it should) instead of letting Tab out.
    await page.locator('.source[data-source="turnstile"] .source-pause').click();
    await expect.poll(() => page.locator('.source[data-source="turnstile"] .source-pause').textContent()).toBe("Resume");
    expect(await settled(page, "clean")).toBe("ok");
    expect(await settled(page, "per_minute")).toBe("ok");

    // Tab right after the click, no other key between: a key ends keyboard focus's Tab-passing anyway.
    await cell(page, "clean").locator(".cm-line", { hasText: "exits" }).first().click();
    await page.keyboard.press("Tab");
    expect(await focusAt(page)).toMatchObject({ cell: "clean", editor: true });
    expect((await code(page, "clean")).split("\n")).toContain("    exits");

    await cell(page, "per_minute").locator(".cell-delete").focus();
    await page.keyboard.press("Tab");
    expect(await focusAt(page)).toMatchObject({ cell: "per_minute", editor: true });
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Tab");
    expect(await focusAt(page)).toMatchObject({ cell: "per_minute", editor: true });
    expect((await code(page, "per_minute")).split("\n")[1]).toBe("    station,");
    // Escape, then Tab, leaves even an editor being typed in, however long the person takes between them
    // (CodeMirror's own Escape let Tab out for two seconds only: a slow Tab, or one a busy page handled late, indented).
    await page.keyboard.press("Escape");
    await page.waitForTimeout(2500);
    await page.keyboard.press("Tab");
    expect((await focusAt(page)).editor).toBe(false);
    await page.close();
  });

  test("Share from the keyboard puts focus on the selected link, Escape closes the dialog and focus is back on Share", async () => {
    const path = copyNotebook(harness, "turnstile.md", "keys-share.md");
    const page = await browser.context.newPage();
    await openNotebook(page, harness, path);
    expect(await settled(page, "clean")).toBe("ok");
    await page.locator(".share-button").focus();
    await page.keyboard.press("Enter");
    const dialog = page.locator(".share-dialog");
    await dialog.locator(".share-url").waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("share-url");
    expect(await page.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      return input.selectionStart === 0 && input.selectionEnd === input.value.length && input.value.includes("/s/");
    })).toBe(true);
    await screenshot(page, "walk8-keyboard-share");
    await page.keyboard.press("Escape");
    expect(await dialog.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("share-button");
    await page.close();
  });

  test("a cell deleted from the keyboard puts focus on Undo, and Enter brings the cell back with focus on it", async () => {
    const path = copyNotebook(harness, "turnstile.md", "keys-delete.md");
    const page = await browser.context.newPage();
    await openNotebook(page, harness, path);
    expect(await settled(page, "per_minute")).toBe("ok");
    await cell(page, "per_minute").locator(".cell-delete").focus();
    await page.keyboard.press("Enter");
    expect(await cell(page, "per_minute").count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("undo-button");
    expect(await page.locator(".undo-bar").innerText()).toContain("Deleted cell per_minute.");
    await page.keyboard.press("Enter");
    expect(await cell(page, "per_minute").count()).toBe(1);
    expect(await focusAt(page)).toMatchObject({ cell: "per_minute", editor: false, label: "button.cell-delete" });
    await page.close();
  });
});

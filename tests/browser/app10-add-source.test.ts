/**
 * Adding a source from inside the app, in real Chromium on the real gateway. A notebook's sources
 * could only be declared by hand in the file's YAML front matter, then the page reloaded. Now
 * "+ Source" under the source cards writes a demo stream, a webhook or a Kafka topic into the front
 * matter (the rest of the file as it was), opens it, and the cells reading its name run over it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = `---
title: No sources yet # a comment the page keeps
---

# No sources yet

\`\`\`sql id=busiest
SELECT count(*) > 0 AS some FROM trips
\`\`\`
`;

describe("adding a source from the page (Chromium)", () => {
  const suite = browserSuite({ "app10-add.md": NOTEBOOK });

  test("a demo source and a webhook added from the form are written to the front matter and open on the page", async () => {
    const page = await suite.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openNotebook(page, suite.harness, "app10-add.md");
    expect(await settled(page, "busiest")).toBe("error");

    await page.locator(".add-source-open").click();
    const form = page.locator(".add-source-form");
    // A name taken or not a name is refused in the form, in words, and nothing is written.
    await form.locator(".add-source-name").fill("busiest");
    await form.locator(".add-source-add").click();
    expect(await form.locator(".add-source-problem").textContent()).toBe("a cell is named busiest");
    await form.locator(".add-source-name").fill("trips");
    await form.locator(".add-source-kind").selectOption("demo");
    await form.locator(".add-source-generator").selectOption("turnstile");
    await form.locator(".add-source-rate").fill("many");
    await form.locator(".add-source-add").click();
    expect(await form.locator(".add-source-problem").textContent()).toMatch(/rate/);
    expect(readFileSync(join(suite.harness.root, "app10-add.md"), "utf8")).toBe(NOTEBOOK);
    await form.locator(".add-source-rate").fill("25");
    await form.locator(".add-source-add").click();

    // The card opens, and the cell that read an unknown name runs over the source.
    await page.locator(".sources > .source").filter({ hasText: "trips" }).waitFor({ timeout: 20_000 });
    await cell(page, "busiest").and(page.locator('[data-state="ok"]')).waitFor({ timeout: 30_000 });
    expect(await cell(page, "busiest").locator("tbody td").first().textContent()).toBe("true");
    expect(await form.isVisible()).toBe(false);
    const written = readFileSync(join(suite.harness.root, "app10-add.md"), "utf8");
    expect(written).toContain("title: No sources yet # a comment the page keeps");
    expect(written).toContain("\nsources:\n  trips:\n    demo: { generator: turnstile, rate: 25, seed: 1 }\n---\n");
    expect(written.slice(written.indexOf("\n---\n"))).toBe(NOTEBOOK.slice(NOTEBOOK.indexOf("\n---\n")));

    // A webhook: its card says where to POST.
    await page.locator(".add-source-open").click();
    await form.locator(".add-source-name").fill("hooks");
    await form.locator(".add-source-kind").selectOption("webhook");
    await form.locator(".add-source-signature").selectOption("none");
    await form.locator(".add-source-format").selectOption("ndjson");
    await form.locator(".add-source-add").click();
    const hooks = page.locator(".sources > .source").filter({ hasText: "hooks" });
    await hooks.waitFor({ timeout: 20_000 });
    await expect.poll(() => hooks.textContent(), { timeout: 20_000 }).toContain(`POST them to ${suite.harness.origin}/hooks/app10-add/hooks`);
    await screenshot(page, "app10-add-source");

    // Read back: the page opened again has both sources from the file.
    await openNotebook(page, suite.harness, "app10-add.md");
    expect(await settled(page, "busiest")).toBe("ok");
    expect(await page.locator(".sources > .source").count()).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/**
 * Whitespace at the ends of a text value, in real Chromium on the real gateway. A result table
 * showed `'  ada '` as `ada` (and a copy of the cell was `ada`), an empty string as an empty cell
 * like nothing at all, and `a  b` as `a b`. Now the edge whitespace is drawn (dots, an arrow for a
 * tab, ↵ for a line break) by the stylesheet, the cell holds the value's own characters, so what
 * is copied is the value, and an empty string reads `""` next to NULL's ∅.
 */

import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot, settled } from "./harness.ts";

const NOTEBOOK = `---
title: Edge whitespace
---

# Edge whitespace

\`\`\`sql id=names
SELECT * FROM (VALUES
  (1, '  ada '),
  (2, ''),
  (3, NULL),
  (4, chr(9) || 'bob' || chr(10)),
  (5, 'a  b'),
  (6, 'cy'),
  (7, '   ')
) t(id, name) ORDER BY id
\`\`\`
`;

describe("edge whitespace in a result table (Chromium)", () => {
  const suite = browserSuite({ "app10-whitespace.md": NOTEBOOK }, { permissions: ["clipboard-read", "clipboard-write"] });

  test("leading and trailing whitespace is drawn, the copy is the value, and an empty string is not NULL", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "app10-whitespace.md");
    expect(await settled(page, "names")).toBe("ok");
    const names = cell(page, "names");
    await screenshot(page, "app10-edge-whitespace");
    const shown = await names.locator("tbody tr").evaluateAll((rows) =>
      rows.map((row) => {
        const td = row.querySelectorAll("td")[1] as HTMLTableCellElement;
        const marks = [...td.querySelectorAll(".ws")].map((span) => ({ kind: span.className, width: Math.round(span.getBoundingClientRect().width) }));
        return { marks, title: td.title, empty: getComputedStyle(td, "::before").content, height: Math.round(row.getBoundingClientRect().height) };
      }),
    );
    // What a person copies: a triple click on the cell, then the copy key, read back from the clipboard.
    const copies: string[] = [];
    const rows = names.locator("tbody tr");
    for (let i = 0; i < shown.length; i++) {
      await page.evaluate(() => navigator.clipboard.writeText("(nothing copied)"));
      const box = (await rows.nth(i).locator("td").nth(1).boundingBox())!;
      await page.mouse.click(box.x + 4, box.y + box.height / 2, { clickCount: 3 });
      await page.keyboard.press("ControlOrMeta+c");
      copies.push(await page.evaluate(() => navigator.clipboard.readText()));
    }
    const ch = await names.locator("tbody td").nth(1).evaluate((td) => {
      const probe = document.createElement("span");
      probe.textContent = "0000000000";
      td.append(probe);
      const width = probe.getBoundingClientRect().width / 10;
      probe.remove();
      return width;
    });
    const [ada, empty, nul, bob, ab, cy, blank] = shown;
    expect(copies[0]).toBe("  ada ");
    expect(ada!.marks).toEqual([
      { kind: "ws ws-space", width: Math.round(2 * ch) },
      { kind: "ws ws-space", width: Math.round(ch) },
    ]);
    expect(ada!.title).toBe("2 spaces at the start, a space at the end");
    // An empty cell holds no character to select: its "" is the stylesheet's, never copied.
    expect(copies[1]).toBe("(nothing copied)");
    // The stylesheet's marker (CSS's string '""'), which a copy does not take.
    expect(empty!.empty).toBe('"\\"\\""');
    expect(empty!.title).toBe("an empty string (not NULL)");
    expect(copies[2]).toBe("∅");
    expect(nul!.empty).toBe("none");
    expect(copies[3]).toBe("\tbob\n");
    expect(bob!.marks.map((m) => m.kind)).toEqual(["ws ws-tab", "ws ws-break"]);
    expect(bob!.marks.every((m) => m.width > 0)).toBe(true);
    expect(bob!.title).toBe("a tab at the start, a line break at the end");
    // A line break at the end keeps the row one line high.
    expect(bob!.height).toBe(cy!.height);
    expect(copies[4]).toBe("a  b");
    expect(ab!.marks).toEqual([]);
    expect(copies[5]).toBe("cy");
    expect(cy!.title).toBe("");
    expect(copies[6]).toBe("   ");
    expect(blank!.marks).toEqual([{ kind: "ws ws-space", width: Math.round(3 * ch) }]);
    await page.close();
  });
});

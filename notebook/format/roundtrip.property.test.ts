import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { insertCell, moveCell, parseNotebook, removeCell, serializeNotebook, updateCell } from "./index.ts";

/** Lines that exercise the splitter: fences of both kinds and lengths, indents, info strings, front matter markers. */
const line = fc.constantFrom(
  "---", "...", "title: t", "sources:", "  s: { demo: shop }", "# Heading", "text", "", "  ", "```", "````", "~~~", "```sql", "```sql id=a",
  "```js", "  ```js", "   ~~~sql id=b sink=lake", "    ```sql", "```python", "SELECT 1", "x = 1", "```sql id=", "``` sql", "~~~~", "é ✓ 中",
);
const eol = fc.constantFrom("\n", "\r\n");
const text = fc.array(fc.tuple(line, eol), { maxLength: 30 }).chain((lines) =>
  fc.boolean().map((finalEol) => {
    const joined = lines.map(([l, e]) => l + e).join("");
    return finalEol || lines.length === 0 ? joined : joined.slice(0, -lines[lines.length - 1]![1].length);
  }),
);
const code = fc.array(fc.constantFrom("SELECT 1", "", "  indented", "```", "~~~", "````", "```sql id=x", "a = b", "\tTab"), { maxLength: 8 }).map((lines) => lines.join("\n"));

describe("round trip, for any text", () => {
  test("parse → serialize gives the same bytes", () => {
    fc.assert(
      fc.property(text, (input) => {
        expect(serializeNotebook(parseNotebook(input, "p.md").notebook)).toBe(input);
      }),
      { numRuns: 500 },
    );
  });

  test("a cell's edited code is exactly the code read back", () => {
    fc.assert(
      fc.property(text, code, (input, newCode) => {
        const { notebook } = parseNotebook(input, "p.md");
        const edited = notebook.cells.length > 0 ? updateCell(notebook, 0, { code: newCode }) : insertCell(notebook, 0, { language: "sql", code: newCode });
        const reread = parseNotebook(serializeNotebook(edited), "p.md").notebook;
        expect(reread.cells.map((cell) => cell.code)).toEqual(edited.cells.map((cell) => cell.code));
        expect(edited.cells[0]!.code).toBe(newCode);
      }),
      { numRuns: 500 },
    );
  });

  const shape = (cells: { language: string; id: string | null; code: string }[]) => cells.map(({ language, id, code }) => ({ language, id, code }));

  test("removing a cell leaves the others as they were", () => {
    fc.assert(
      fc.property(text, fc.nat(), (input, pick) => {
        const { notebook } = parseNotebook(input, "p.md");
        fc.pre(notebook.cells.length > 0);
        const index = pick % notebook.cells.length;
        const expected = shape(notebook.cells.filter((_, i) => i !== index));
        expect(shape(removeCell(notebook, index).cells)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test("moving a cell permutes the cells and nothing else", () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (input, a, b) => {
        const { notebook } = parseNotebook(input, "p.md");
        fc.pre(notebook.cells.length > 1);
        const from = a % notebook.cells.length;
        const to = b % notebook.cells.length;
        const expected = shape(notebook.cells);
        const [moved] = expected.splice(from, 1);
        expected.splice(to, 0, moved!);
        expect(shape(moveCell(notebook, from, to).cells)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

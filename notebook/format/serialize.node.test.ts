import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { insertCell, moveCell, parseNotebook, removeCell, serializeNotebook, updateCell, type Notebook } from "./index.ts";

const here = new URL("./", import.meta.url);
const samples = new URL("../../notebooks/", import.meta.url);

function markdownIn(folder: URL): [string, string][] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => name.endsWith(".md")).sort().map((name) => [name, readFileSync(new URL(name, folder), "utf8")]);
}

const corpus = [...markdownIn(new URL("fixtures/", here)).map(([name, text]) => [`fixtures/${name}`, text]), ...markdownIn(samples).map(([name, text]) => [`notebooks/${name}`, text])];

/** What a notebook means, without positions: what parse → serialize → parse must keep. */
function meaning(notebook: Notebook) {
  return {
    title: notebook.title,
    sources: notebook.sources,
    sinks: notebook.sinks,
    cells: notebook.cells.map(({ language, id, sink, code }) => ({ language, id, sink, code })),
  };
}

describe("serializeNotebook", () => {
  test.each(corpus)("%s comes back byte for byte", (name, text) => {
    expect(serializeNotebook(parseNotebook(text, name).notebook)).toBe(text);
  });

  test("a file with CRLF line endings and no final newline comes back byte for byte", () => {
    const text = "---\r\ntitle: t\r\n---\r\n\r\n```sql id=a\r\nSELECT 1\r\n```\r\n\r\ntext\r\n```js\r\na + 1\r\n```";
    const { notebook } = parseNotebook(text, "notebooks/crlf.md");
    expect(notebook.cells.map((cell) => cell.code)).toEqual(["SELECT 1", "a + 1"]);
    expect(serializeNotebook(notebook)).toBe(text);
  });

  test("a cell edited in the model is written from the model in its block's style", () => {
    const text = "# t\n\n~~~~sql id=a\nSELECT 1\n~~~~\n\nafter\n";
    const { notebook } = parseNotebook(text, "notebooks/t.md");
    const edited = { ...notebook, cells: [{ ...notebook.cells[0]!, code: "SELECT 2\nFROM x", id: "b", sink: "lake" }] };
    expect(serializeNotebook(edited)).toBe("# t\n\n~~~~sql id=b sink=lake\nSELECT 2\nFROM x\n~~~~\n\nafter\n");
  });

  test("a fence grows when the code holds a line that would close it", () => {
    const { notebook } = parseNotebook("```js\n1\n```\n", "notebooks/t.md");
    const code = "md`\n```\nnot the end\n````\n`";
    const text = serializeNotebook({ ...notebook, cells: [{ ...notebook.cells[0]!, code }] });
    expect(text).toBe("`````js\nmd`\n```\nnot the end\n````\n`\n`````\n");
    expect(parseNotebook(text, "notebooks/t.md").notebook.cells[0]!.code).toBe(code);
  });

  test("a cell added to the model without a block is written at the end after a blank line", () => {
    const { notebook } = parseNotebook("# t\n\n```js\n1\n```\n", "notebooks/t.md");
    const added = { ...notebook.cells[0]!, index: 1, code: "2", info: "" };
    expect(serializeNotebook({ ...notebook, cells: [...notebook.cells, added] })).toBe("# t\n\n```js\n1\n```\n\n```js\n2\n```\n");
  });
});

describe("editing helpers", () => {
  const design = readFileSync(new URL("fixtures/design-example.md", here), "utf8");
  const { notebook } = parseNotebook(design, "notebooks/turnstile.md");

  test("updateCell changes one cell, keeps every other byte and reparses to the edited model", () => {
    const edited = updateCell(notebook, 0, { code: "SELECT * FROM turnstile", id: "raw" });
    const text = serializeNotebook(edited);
    expect(text).toBe(design.replace(/```sql id=clean\n[\s\S]*?\n```/, "```sql id=raw\nSELECT * FROM turnstile\n```"));
    expect(meaning(parseNotebook(text, "notebooks/turnstile.md").notebook)).toEqual(meaning(edited));
    expect(edited.cells[1]!.start.line).toBe(21);
  });

  test("insertCell puts a cell before the one at its index, separated by blank lines", () => {
    const edited = insertCell(notebook, 1, { language: "sql", id: "top", code: "SELECT * FROM clean LIMIT 5" });
    expect(edited.cells.map((cell) => cell.id)).toEqual(["clean", "top", "per_minute", null]);
    expect(serializeNotebook(edited)).toContain("WHERE entries >= 0\n```\n\n```sql id=top\nSELECT * FROM clean LIMIT 5\n```\n\n```sql id=per_minute sink=lake\n");
    expect(meaning(parseNotebook(serializeNotebook(edited), "x").notebook)).toEqual(meaning(edited));
  });

  test("insertCell at the cell count appends", () => {
    const edited = insertCell(notebook, 3, { language: "js", code: "clean.length" });
    expect(serializeNotebook(edited).endsWith('.plot()\n```\n\n```js\nclean.length\n```\n')).toBe(true);
  });

  test("removeCell drops the cell and one of the blank lines around it", () => {
    const edited = removeCell(notebook, 1);
    expect(edited.cells.map((cell) => cell.id)).toEqual(["clean", null]);
    expect(serializeNotebook(edited)).toContain("WHERE entries >= 0\n```\n\n```js\n");
  });

  test("moveCell reorders cells and keeps each block as written", () => {
    const edited = moveCell(notebook, 2, 0);
    expect(edited.cells.map((cell) => cell.id)).toEqual([null, "clean", "per_minute"]);
    const text = serializeNotebook(edited);
    expect(text).toContain('Entries and exits per station, per minute.\n\n```js\nPlot.barY(per_minute, {x: "station", y: "entries"}).plot()\n```\n\n```sql id=clean\n');
    expect(text.endsWith("GROUP BY ALL\n```\n")).toBe(true);
    expect(serializeNotebook(moveCell(edited, 0, 2))).toBe(design);
  });

  test("an index that is not a cell is a RangeError naming the file", () => {
    expect(() => removeCell(notebook, 3)).toThrow("format: notebooks/turnstile.md: cell 3 is not a cell; the notebook has 3");
  });
});

describe("serializeNotebook writes an edited front matter from the model", () => {
  const text = [
    "---",
    "title: Before",
    "# where the events come from",
    "sources:",
    "  events:",
    "    kafka: { topic: t, brokers: [\"127.0.0.1:9092\"] }",
    "    demo: shop",
    "sinks:",
    "  lake:",
    "    fs: { dir: out }",
    "---",
    "",
    "```sql id=a sink=lake",
    "SELECT * FROM events",
    "```",
    "",
  ].join("\n");
  const { notebook } = parseNotebook(text, "notebooks/t.md");

  test("a new title changes the title line and nothing else", () => {
    expect(serializeNotebook({ ...notebook, title: "After" })).toBe(text.replace("title: Before", "title: After"));
  });

  test("a title YAML would misread is quoted", () => {
    const title = "Pipes: a | b # not a comment";
    const written = serializeNotebook({ ...notebook, title });
    expect(parseNotebook(written, "notebooks/t.md").notebook.title).toBe(title);
  });

  test("added, changed and removed sources and sinks read back as the model, comments kept", () => {
    const edited: Notebook = {
      ...notebook,
      sources: {
        hooks: { kind: "webhook", name: "hooks", path: "/in", signature: "sha256", secret: "HOOK_SECRET", deliveryHeader: null, format: "ndjson", sampleSize: 50, demo: null },
      },
      sinks: {
        lake: { ...notebook.sinks.lake!, flush: { rows: 10, bytes: 64 * 1024 * 1024, seconds: 5 }, lateness: 300 },
        bucket: { name: "bucket", target: { kind: "s3", bucket: "b", prefix: "p/", endpoint: "http://127.0.0.1:9000", region: "us-east-1" }, partitionBy: ["day"], flush: { rows: 100_000, bytes: 64 * 1024 * 1024, seconds: 60 }, lateness: 0 },
      },
    };
    const written = serializeNotebook(edited);
    expect(written).toContain("# where the events come from");
    expect(written).toContain("  hooks:\n    webhook: { path: /in, signature: sha256, secret: HOOK_SECRET }\n    format: ndjson\n    sample_size: 50\n");
    expect(written).toContain("    flush: { rows: 10, seconds: 5 }\n    lateness: 300\n");
    expect(written).not.toContain("events:");
    const reread = parseNotebook(written, "notebooks/t.md");
    expect(reread.issues).toEqual([]);
    expect(meaning(reread.notebook)).toEqual(meaning(edited));
    expect(written.endsWith("---\n\n```sql id=a sink=lake\nSELECT * FROM events\n```\n")).toBe(true);
  });

  test("a notebook without front matter gets one when a source is added", () => {
    const bare = parseNotebook("# Scratch\n\n```js\n1\n```\n", "notebooks/s.md").notebook;
    const edited: Notebook = { ...bare, sources: { ticks: { kind: "demo", name: "ticks", format: "json", sampleSize: 1000, demo: { generator: "turnstile", rate: 20, seed: 1 } } } };
    const written = serializeNotebook(edited);
    expect(written).toBe("---\nsources:\n  ticks:\n    demo: turnstile\n---\n# Scratch\n\n```js\n1\n```\n");
    expect(meaning(parseNotebook(written, "notebooks/s.md").notebook)).toEqual(meaning(edited));
  });

  test("an entry the file has but the model could not read is kept through an unrelated edit", () => {
    const broken = text.replace("fs: { dir: out }", "fs: { dir: out, colour: red }");
    const parsed = parseNotebook(broken, "notebooks/t.md").notebook;
    expect(parsed.sinks).toEqual({});
    const written = serializeNotebook(updateCell(parsed, 0, { code: "SELECT 1 FROM events" }));
    expect(written).toContain("fs: { dir: out, colour: red }");
  });
});

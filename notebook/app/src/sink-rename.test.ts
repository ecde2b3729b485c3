import { expect, test } from "vitest";
import { parseNotebook } from "../../format/index.ts";
import { renameSinkInText } from "./sink-rename.ts";

const TEXT = [
  "---",
  "title: Lake # kept",
  "sources:",
  "  trips: { demo: turnstile }",
  "sinks:",
  "  lake:   # the main one",
  "    fs: { dir: data, prefix: trips/ }",
  "    partition_by: [day]",
  "  lakeside: { fs: { dir: data } }",
  "---",
  "",
  "Rows go to the lake (sink=lake in prose stays).",
  "",
  "```sql id=clean sink=lake",
  "SELECT 'sink=lake' AS s FROM trips",
  "```",
  "",
  "```sql   id=other  sink=\"lake\"   ",
  "SELECT 1",
  "```",
  "",
  "```sql id=side sink=lakeside",
  "SELECT 2",
  "```",
  "",
].join("\r\n");

test("a renamed sink's key and every feeding fence change, every other byte as written", () => {
  const out = renameSinkInText(TEXT, "x.md", "lake", "river")!;
  expect(out).toBe(
    TEXT.replace("  lake:   # the main one", "  river:   # the main one")
      .replace("```sql id=clean sink=lake\r\n", "```sql id=clean sink=river\r\n")
      .replace('```sql   id=other  sink="lake"   ', '```sql   id=other  sink="river"   '),
  );
  const { notebook, issues } = parseNotebook(out, "x.md");
  expect(issues).toEqual([]);
  expect(Object.keys(notebook.sinks)).toEqual(["river", "lakeside"]);
  expect(notebook.cells.map((c) => c.sink)).toEqual(["river", "river", "lakeside"]);
});

test("a sink written in flow style is renamed in place", () => {
  const out = renameSinkInText(TEXT, "x.md", "lakeside", "shore")!;
  expect(out).toBe(TEXT.replace("  lakeside: { fs:", "  shore: { fs:").replace("sink=lakeside", "sink=shore"));
});

test("no sink of that name, or no front matter: nothing to rename", () => {
  expect(renameSinkInText(TEXT, "x.md", "pond", "river")).toBeNull();
  expect(renameSinkInText("```sql sink=lake\nSELECT 1\n```\n", "x.md", "lake", "river")).toBeNull();
});

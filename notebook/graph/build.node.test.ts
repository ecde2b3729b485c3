import { readFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import { formatIssue, parseNotebook } from "../format/index.ts";
import { buildGraph, sinkClosure, topologicalOrder } from "./index.ts";
import { createSqlRefs } from "./sql-refs.node.ts";

const refs = createSqlRefs();
afterAll(() => refs.close());

const head = ["---", "sources:", "  events:", "    demo: shop", "sinks:", "  lake:", "    fs: { dir: out }", "---", ""];

/** The graph of a notebook written as lines after a front matter with source `events` and sink `lake`. */
async function graphOf(...lines: string[]) {
  const { notebook, issues } = parseNotebook([...head, ...lines].join("\n") + "\n", "notebooks/t.md");
  expect(issues.map(formatIssue)).toEqual([]);
  return buildGraph(notebook, refs);
}

const problems = async (...lines: string[]) => (await graphOf(...lines)).issues.map(formatIssue);
const labels = (cells: { label: string }[]) => cells.map((cell) => cell.label);

describe("buildGraph", () => {
  test("the design example: each cell's definitions and references, placed in the file", async () => {
    const text = readFileSync(new URL("../format/fixtures/design-example.md", import.meta.url), "utf8");
    const graph = await buildGraph(parseNotebook(text, "notebooks/turnstile.md").notebook, refs);
    expect(graph.issues).toEqual([]);
    const summary = graph.cells.map((cell) => ({
      label: cell.label,
      defines: cell.defines.map((d) => `${d.name}@${d.position.line}:${d.position.column}`),
      references: cell.references.map((r) => `${r.name}(${r.kind})@${r.position.line}:${r.position.column}`),
    }));
    expect(summary).toEqual([
      { label: "clean", defines: ["clean@16:11"], references: ["turnstile(source)@19:6"] },
      { label: "per_minute", defines: ["per_minute@23:11"], references: ["clean(cell)@26:6"] },
      { label: "#3", defines: [], references: ["Plot(builtin)@31:1", "per_minute(cell)@31:11"] },
    ]);
    expect(labels(topologicalOrder(graph))).toEqual(["clean", "per_minute", "#3"]);
    expect(labels(sinkClosure(graph))).toEqual(["clean", "per_minute"]);
  });

  test("the sink closure leaves out charts and cells no sink needs, and orders by dependency", async () => {
    const graph = await graphOf(
      "```sql id=late sink=lake",
      "SELECT * FROM early",
      "```",
      "```sql id=unused",
      "SELECT 1 FROM events",
      "```",
      "```sql id=early",
      "SELECT * FROM events",
      "```",
      "```js",
      "Plot.dot(late).plot()",
      "```",
    );
    expect(labels(topologicalOrder(graph))).toEqual(["unused", "early", "late", "#4"]);
    expect(labels(sinkClosure(graph))).toEqual(["early", "late"]);
  });

  test("JavaScript cells can define names with `name = ...` that others read", async () => {
    const graph = await graphOf("```sql id=q", "SELECT * FROM events", "```", "```js", "total = q.length", "```", "```js", "html`<b>${total}</b>`", "```");
    expect(graph.issues).toEqual([]);
    expect(graph.cells[2]!.references.map((r) => [r.name, r.kind, r.cell])).toEqual([
      ["html", "builtin", null],
      ["total", "cell", 1],
    ]);
    expect(graph.cells[1]!.label).toBe("total");
  });

  test("SQL names match cells and sources regardless of case, as DuckDB does", async () => {
    const graph = await graphOf("```sql id=clean", "SELECT * FROM Events", "```", "```sql", "SELECT * FROM CLEAN", "```");
    expect(graph.issues).toEqual([]);
    expect(graph.cells[1]!.dependsOn).toEqual([0]);
  });

  test("a cell reading a source whose settings are broken is not also an unknown-name error", async () => {
    const { notebook, issues } = parseNotebook(["---", "sources:", "  events:", "    kafka: { topic: t }", "---", "", "```sql id=a", "SELECT * FROM events", "```", ""].join("\n"), "notebooks/t.md");
    expect(issues.map(formatIssue)).toEqual(["format: notebooks/t.md:4:5: sources.events.kafka: missing brokers:, expected a list"]);
    expect((await buildGraph(notebook, refs)).issues).toEqual([]);
  });

  test("a SQL cell cannot read a JavaScript cell", async () => {
    expect(await problems("```js", "top = 10", "```", "```sql", "SELECT * FROM top", "```")).toEqual([
      "graph: notebooks/t.md:14:15: table 'top' in cell #2 is a JavaScript cell; SQL reads sources and SQL cells",
    ]);
  });

  test("two cells with one id: the second is reported", async () => {
    expect(await problems("```sql id=a", "SELECT 1", "```", "```sql id=a", "SELECT 2", "```")).toEqual([
      "graph: notebooks/t.md:13:11: 'a' is defined twice: cell a here and cell a at line 10",
    ]);
  });

  test("a cell named like a source is reported", async () => {
    expect(await problems("```sql id=events", "SELECT 1", "```")).toEqual([
      "graph: notebooks/t.md:10:11: cell events is named 'events', which is already a source declared under sources:; rename the cell",
    ]);
  });

  test("an unknown table is reported where it is written, with a suggestion", async () => {
    expect(await problems("```sql id=a", "SELECT *", "  FROM evnets", "```")).toEqual([
      "graph: notebooks/t.md:12:8: unknown table 'evnets' in cell a (did you mean 'events'?); expected a source or a named cell",
    ]);
  });

  test("an unknown JavaScript name is reported; the standard library is not", async () => {
    expect(await problems("```js", "d3.sum(rowz, d => d.x) + width", "```")).toEqual([
      "graph: notebooks/t.md:11:8: unknown name 'rowz' in cell #1; expected a cell, a source or a built-in",
    ]);
  });

  test("a cycle is reported once, from the cell earliest in the file", async () => {
    const graph = await graphOf("```sql id=a", "SELECT * FROM b", "```", "```sql id=b", "SELECT * FROM a", "```", "```sql id=c sink=lake", "SELECT * FROM b", "```");
    expect(graph.issues.map(formatIssue)).toEqual(["graph: notebooks/t.md:11:15: cells form a cycle: a → b → a"]);
    expect(topologicalOrder(graph)).toEqual([]);
    expect(sinkClosure(graph)).toEqual([]);
  });

  test("a cell that reads itself is a cycle", async () => {
    expect(await problems("```sql id=a", "SELECT * FROM a", "```")).toEqual(["graph: notebooks/t.md:11:15: cells form a cycle: a → a"]);
  });

  test("SQL that does not parse is reported at DuckDB's position, mapped into the file", async () => {
    expect(await problems("```sql id=a", "SELECT x", "FROM events", "WHERE AND y", "```")).toEqual([
      'graph: notebooks/t.md:13:7: SQL in cell a does not parse: syntax error at or near "AND"',
    ]);
  });

  test("JavaScript that does not parse is reported at the parser's position", async () => {
    expect(await problems("```js", "x = (1 +", "```")).toEqual(["graph: notebooks/t.md:11:9: JavaScript in cell #1 does not parse: Unexpected end of input"]);
  });
});

import { readFile } from "node:fs/promises";
import { formatIssue, parseNotebook } from "../../notebook/format/index.ts";
import { buildGraph } from "../../notebook/graph/index.ts";
import { createSqlRefs } from "../../notebook/graph/sql-refs.node.ts";
import { readArgs } from "./args.ts";
import { graphJson, graphText } from "./graph-report.ts";
import { printErr, printOut } from "./output.ts";
import { UsageError, type Verb } from "./verb.ts";

/** The notebook's text, or a usage error when the path names no file. */
async function readNotebook(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`no notebook at ${path}`, { cause: error });
    if (code === "EISDIR") throw new UsageError(`${path} is a folder; expected a notebook file`, { cause: error });
    throw error;
  }
}

export const verb: Verb = {
  name: "graph",
  summary: "show a notebook's cells, what each reads, the run order and what publish compiles",
  usage: `usage: runnel graph <notebook> [--json]

Shows a notebook's cell graph: what each cell defines and reads (sources,
other cells, built-ins), the sinks and the cells feeding them, the order the
cells run in, and the sink closure (the cells publish compiles).

options:
  --json      print one JSON object instead of text (issues included)
  -h, --help  show this help

Problems (parse errors, undeclared sinks, duplicate names, unknown names,
cycles) are printed to stderr as file:line:column messages, and the exit
status is 1. Bad usage exits 2.`,
  async run(args) {
    const { values, positionals } = readArgs(args, { json: { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "expected a notebook path" : `expected one notebook path, got ${positionals.length}`);
    const path = positionals[0]!;
    const parsed = parseNotebook(await readNotebook(path), path);
    const refs = createSqlRefs();
    try {
      const graph = await buildGraph(parsed.notebook, refs);
      const issues = [...parsed.issues, ...graph.issues];
      if (values.json) printOut(JSON.stringify(graphJson(graph, issues), null, 2));
      else if (issues.length === 0) printOut(graphText(graph));
      if (issues.length > 0) {
        printErr(issues.map(formatIssue).join("\n"));
        printErr(`runnel graph: ${issues.length} ${issues.length === 1 ? "problem" : "problems"} in ${path}`);
        return 1;
      }
      return 0;
    } finally {
      await refs.close();
    }
  },
};

import type { Notebook, NotebookIssue } from "../../format/index.ts";
import { buildGraph, type SqlRefs } from "../../graph/index.ts";
import { readSqlError, stripTrailingSemicolons } from "./sql.ts";
import type { ReadTableNames } from "./table-names.ts";

/**
 * The notebook's graph issues (a name defined twice, an unknown table or
 * name, a cycle, SQL reading a JavaScript cell), found by `notebook/graph`
 * with DuckDB-WASM's parser as the SQL reference provider. Code that does not
 * parse is left out: its cell shows that error in place.
 */
export async function graphIssues(getTableNames: ReadTableNames, notebook: Notebook, globals: string[]): Promise<NotebookIssue[]> {
  const sql = async (code: string): Promise<SqlRefs> => {
    const text = stripTrailingSemicolons(code);
    if (text.trim() === "") return { tables: [], error: null };
    try {
      // getTableNames gives names without offsets; the graph then places them at the cell's start.
      return { tables: (await getTableNames(text)).map((name) => ({ name, offset: 0 })), error: null };
    } catch (error) {
      const problem = readSqlError(error instanceof Error ? error.message : String(error), text);
      return { tables: [], error: { message: problem.message, offset: 0 } };
    }
  };
  const graph = await buildGraph(notebook, { sql }, { globals });
  return graph.issues.filter((issue) => !/ does not parse: /.test(issue.message));
}

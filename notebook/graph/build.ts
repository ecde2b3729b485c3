import type { Cell, Notebook, NotebookIssue, Position } from "../format/model.ts";
import { parseInfo } from "../format/info.ts";
import { issueAt } from "../format/issue.ts";
import { cellLabel } from "../format/parse.ts";
import { positionInCode } from "../format/position.ts";
import { didYouMean } from "../format/suggest.ts";
import type { Graph, GraphCell, NameAt, Reference } from "./graph.ts";
import { jsRefs } from "./js-refs.ts";
import type { RefsProvider } from "./refs.ts";
import { STANDARD_LIBRARY } from "./stdlib.ts";
import { findCycles } from "./order.ts";

export interface GraphOptions {
  /** Names JavaScript cells may use besides the standard library (the app's own values). */
  globals?: Iterable<string>;
}

function idPosition(cell: Cell): Position {
  const attribute = parseInfo(cell.info).attributes.find((item) => item.key === "id");
  if (cell.infoStart && attribute) {
    const offset = attribute.valueOffset;
    return { line: cell.infoStart.line, column: cell.infoStart.column + offset, offset: cell.infoStart.offset + offset };
  }
  return { line: Math.max(1, cell.start.line - 1), column: 1, offset: cell.start.offset };
}

/**
 * Builds the cell graph: what each cell defines and reads, resolved against
 * the notebook's sources, other cells and JavaScript's standard library.
 * Duplicate names, unknown names, code that does not parse and cycles are
 * positioned issues; the graph is built around them.
 */
export async function buildGraph(notebook: Notebook, refs: Partial<RefsProvider> & Pick<RefsProvider, "sql">, options: GraphOptions = {}): Promise<Graph> {
  const file = notebook.file;
  const issues: NotebookIssue[] = [];
  const js = refs.js ?? jsRefs;
  const globals = new Set([...STANDARD_LIBRARY, ...(options.globals ?? [])]);
  const graphIssue = (at: Position, message: string, cell: GraphCell) =>
    issues.push(issueAt(file, at, message, { cell: cell.id ?? cell.index, subsystem: "graph" }));

  const cells: GraphCell[] = [];
  const found: { cell: Cell; node: GraphCell; names: { name: string; offset: number }[] }[] = [];
  for (const cell of notebook.cells) {
    const at = (offset: number) => positionInCode(cell.code, cell.start, offset, cell.indent ?? 0);
    const node: GraphCell = { index: cell.index, label: cellLabel(cell), language: cell.language, id: cell.id, sink: cell.sink, defines: [], references: [], dependsOn: [] };
    if (cell.id !== null) node.defines.push({ name: cell.id, position: idPosition(cell) });
    let names: { name: string; offset: number }[] = [];
    if (cell.language === "sql") {
      const result = await refs.sql(cell.code);
      if (result.error) graphIssue(at(result.error.offset), `SQL in cell ${node.label} does not parse: ${result.error.message}`, node);
      names = result.tables;
    } else {
      const result = await js(cell.code);
      if (result.error) graphIssue(at(result.error.offset), `JavaScript in cell ${node.label} does not parse: ${result.error.message}`, node);
      for (const define of result.defines) {
        if (define.name !== cell.id) node.defines.push({ name: define.name, position: at(define.offset) });
      }
      if (cell.id === null && node.defines[0]) node.label = node.defines[0].name;
      names = result.references;
    }
    cells.push(node);
    found.push({ cell, node, names });
  }

  // Names in file order: sources first, then each cell's definitions.
  // Sources the file declares but could not read still count as sources: their own issue says what is wrong.
  const sources = new Set([...Object.keys(notebook.sources), ...(notebook.declared?.sources ?? [])]);
  const sqlSources = new Map([...sources].map((name) => [name.toLowerCase(), name]));
  const owners = new Map<string, { cell: GraphCell; at: NameAt }>();
  for (const node of cells) {
    for (const define of node.defines) {
      const previous = owners.get(define.name);
      if (sources.has(define.name)) {
        graphIssue(define.position, `cell ${node.label} is named '${define.name}', which is already a source declared under sources:; rename the cell`, node);
      } else if (previous) {
        graphIssue(define.position, `'${define.name}' is defined twice: cell ${node.label} here and cell ${previous.cell.label} at line ${previous.at.position.line}`, node);
      } else {
        owners.set(define.name, { cell: node, at: define });
      }
    }
  }
  const sqlOwners = new Map([...owners].map(([name, owner]) => [name.toLowerCase(), owner]));

  for (const { cell, node, names } of found) {
    const at = (offset: number) => positionInCode(cell.code, cell.start, offset, cell.indent ?? 0);
    for (const { name, offset } of names) {
      const position = at(offset);
      // DuckDB folds unquoted names' case; JavaScript does not.
      const owner = cell.language === "sql" ? sqlOwners.get(name.toLowerCase()) : owners.get(name);
      const source = cell.language === "sql" ? sqlSources.get(name.toLowerCase()) : sources.has(name) ? name : undefined;
      let reference: Reference;
      if (owner) {
        reference = { name, position, kind: "cell", cell: owner.cell.index };
        if (!node.dependsOn.includes(owner.cell.index)) node.dependsOn.push(owner.cell.index);
        // A SQL cell becomes a view DuckDB can read; a JavaScript value does not.
        if (cell.language === "sql" && owner.cell.language === "js") {
          graphIssue(position, `table '${name}' in cell ${node.label} is a JavaScript cell; SQL reads sources and SQL cells`, node);
        }
      } else if (source !== undefined) {
        reference = { name, position, kind: "source", cell: null };
      } else if (cell.language === "js" && globals.has(name)) {
        reference = { name, position, kind: "builtin", cell: null };
      } else {
        reference = { name, position, kind: "unknown", cell: null };
        const known = [...sources, ...owners.keys()];
        graphIssue(
          position,
          cell.language === "sql"
            ? `unknown table '${name}' in cell ${node.label}${didYouMean(name, known)}; expected a source or a named cell`
            : `unknown name '${name}' in cell ${node.label}${didYouMean(name, [...known, ...globals])}; expected a cell, a source or a built-in`,
          node,
        );
      }
      node.references.push(reference);
    }
  }

  for (const cycle of findCycles(cells)) {
    const first = cells[cycle[0]!]!;
    const next = cycle.length > 1 ? cycle[1]! : cycle[0]!;
    const reference = first.references.find((item) => item.cell === next)!;
    const path = [...cycle, cycle[0]!].map((index) => cells[index]!.label).join(" → ");
    graphIssue(reference.position, `cells form a cycle: ${path}`, first);
  }

  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return { notebook, cells, issues };
}

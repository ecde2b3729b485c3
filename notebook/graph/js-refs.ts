import { parseCell } from "@observablehq/parser";
import type { JsRefs, NameAt } from "./refs.ts";

interface Identifier {
  type: "Identifier";
  name: string;
  start: number;
}

interface Wrapped {
  type: "ViewExpression" | "MutableExpression";
  id: Identifier;
  start: number;
}

type Named = Identifier | Wrapped;

interface ParsedCell {
  id: Named | null;
  references: Named[];
  body: { type: string; specifiers?: { local: Identifier }[] } | null;
}

function nameOf(node: Named): string {
  if (node.type === "Identifier") return node.name;
  return `${node.type === "ViewExpression" ? "viewof" : "mutable"} ${node.id.name}`;
}

/**
 * A JavaScript cell's names as Observable reads them: `name = expr` (also
 * `viewof name`, `mutable name`, `function name`) defines; free identifiers
 * that are not JavaScript globals are references.
 */
export function jsRefs(code: string): JsRefs {
  let cell: ParsedCell;
  try {
    cell = parseCell(code) as ParsedCell;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const offset = (error as SyntaxError & { pos?: number }).pos ?? 0;
    return { defines: [], references: [], error: { message: error.message.replace(/ \(\d+:\d+\)$/, ""), offset } };
  }
  const defines: NameAt[] = [];
  if (cell.id) {
    defines.push({ name: nameOf(cell.id), offset: cell.id.start });
    if (cell.id.type !== "Identifier") defines.push({ name: cell.id.id.name, offset: cell.id.id.start });
  }
  if (cell.body?.type === "ImportDeclaration") {
    for (const specifier of cell.body.specifiers ?? []) defines.push({ name: specifier.local.name, offset: specifier.local.start });
  }
  const seen = new Set<string>();
  const references: NameAt[] = [];
  for (const node of cell.references) {
    const name = nameOf(node);
    if (seen.has(name)) continue;
    seen.add(name);
    references.push({ name, offset: node.start });
  }
  return { defines, references, error: null };
}

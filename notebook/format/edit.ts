/**
 * Edits that return a new notebook. Each writes the edited text and reads it
 * again, so positions, blocks and cell indexes in the result are exactly what
 * parsing the saved file gives.
 */
import type { Cell, CellLanguage, Notebook } from "./model.ts";
import { splitFences } from "./fences.ts";
import { parseNotebook } from "./parse.ts";
import { renderBlocks, renderCell, separator, type RenderedBlock } from "./serialize.ts";

export type CellPatch = Partial<Pick<Cell, "language" | "id" | "sink" | "code">>;

export interface NewCell {
  language: CellLanguage;
  code: string;
  id?: string | null;
  sink?: string | null;
}

function reread(notebook: Notebook, blocks: RenderedBlock[]): Notebook {
  let text = blocks.map((block) => block.raw).join("");
  // Prose that now opens the file with `---` would be read as front matter; a blank line keeps it prose.
  if (!blocks[0]?.frontMatter && /^---[ \t]*\r?\n/.test(text)) text = `\n${text}`;
  return parseNotebook(text, notebook.file).notebook;
}

function checkIndex(notebook: Notebook, index: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= notebook.cells.length) {
    throw new RangeError(`format: ${notebook.file}: ${what} ${index} is not a cell; the notebook has ${notebook.cells.length}`);
  }
}

/** Takes a cell's block out, closing the gap so one blank line stays between its neighbours. */
function takeOut(blocks: RenderedBlock[], cell: number): { blocks: RenderedBlock[]; raw: string } {
  const at = blocks.findIndex((block) => block.cell === cell);
  const raw = blocks[at]!.raw;
  const before = blocks.slice(0, at);
  const after = blocks.slice(at + 1);
  const text = before.map((block) => block.raw).join("");
  const next = after[0];
  const previous = before[before.length - 1];
  if (next && next.cell === null && /(\r?\n){2}$/.test(text)) {
    next.raw = next.raw.replace(/^\r?\n/, "");
  } else if (!next && previous && previous.cell === null && /(\r?\n){2}$/.test(text)) {
    previous.raw = previous.raw.replace(/\r?\n$/, "");
  }
  return { blocks: [...before, ...after], raw };
}

/** Puts a rendered cell block before the block of cell `before`, or at the end when null. */
function putIn(blocks: RenderedBlock[], raw: string, before: number | null): RenderedBlock[] {
  let ended = /\n$/.test(raw) ? raw : `${raw}\n`;
  const [segment] = splitFences(raw);
  // A block that ran to the end of the file unclosed gets its closing fence, or it would swallow what follows.
  if (segment?.kind === "fence" && !segment.fence.closed) ended += `${" ".repeat(segment.fence.indent)}${segment.fence.marker}\n`;
  const at = before === null ? -1 : blocks.findIndex((block) => block.cell === before);
  if (at === -1) {
    return [...blocks, { raw: separator(blocks) + ended, cell: -1 }];
  }
  return [...blocks.slice(0, at), { raw: `${ended}\n`, cell: -1 }, ...blocks.slice(at)];
}

/** The notebook with one cell's language, id, sink or code changed. */
export function updateCell(notebook: Notebook, index: number, patch: CellPatch): Notebook {
  checkIndex(notebook, index, "cell");
  const cells = notebook.cells.map((cell, i) => (i === index ? { ...cell, ...patch } : cell));
  return reread(notebook, renderBlocks({ ...notebook, cells }));
}

/** The notebook with a new cell at `index` (the end when `index` equals the cell count). */
export function insertCell(notebook: Notebook, index: number, cell: NewCell): Notebook {
  if (index !== notebook.cells.length) checkIndex(notebook, index, "position");
  const fresh: Cell = {
    index,
    language: cell.language,
    id: cell.id ?? null,
    sink: cell.sink ?? null,
    code: cell.code,
    start: { line: 0, column: 0, offset: 0 },
    info: "",
  };
  const before = index < notebook.cells.length ? index : null;
  return reread(notebook, putIn(renderBlocks(notebook), renderCell(fresh, null), before));
}

/** The notebook without cell `index`. */
export function removeCell(notebook: Notebook, index: number): Notebook {
  checkIndex(notebook, index, "cell");
  return reread(notebook, takeOut(renderBlocks(notebook), index).blocks);
}

/** The notebook with cell `from` moved so that it becomes cell `to`. */
export function moveCell(notebook: Notebook, from: number, to: number): Notebook {
  checkIndex(notebook, from, "cell");
  checkIndex(notebook, to, "position");
  if (from === to) return notebook;
  const { blocks, raw } = takeOut(renderBlocks(notebook), from);
  const order = notebook.cells.map((_, i) => i).filter((i) => i !== from);
  return reread(notebook, putIn(blocks, raw, order[to] ?? null));
}

import type { Cell, Notebook } from "./model.ts";
import { splitFences, type Fence } from "./fences.ts";
import { formatInfo } from "./info.ts";
import { readFrontMatter, type FrontMatter } from "./front-matter.ts";
import { writeFrontMatter } from "./front-matter-write.ts";
import { readAttributes, splitFrontMatter, titleOf } from "./parse.ts";
import { indexLines } from "./position.ts";

/** A block as it will be written: cell blocks already rendered from the model. */
export interface RenderedBlock {
  raw: string;
  /** The index in `notebook.cells` of the cell this block holds. */
  cell: number | null;
  frontMatter?: true;
}

function fenceOf(raw: string): Fence | null {
  const [segment] = splitFences(raw);
  return segment?.kind === "fence" ? segment.fence : null;
}

function describes(info: string, cell: Pick<Cell, "language" | "id" | "sink">): boolean {
  const read = readAttributes(info);
  return read.language === cell.language && read.id === cell.id && read.sink === cell.sink;
}

/** A fence long enough that no line of the code closes it. */
function markerFor(code: string, preferred: string): string {
  let marker = preferred;
  const runs = code.match(new RegExp(`^ {0,3}${preferred[0] === "`" ? "`" : "~"}{3,}[ \\t]*$`, "gm")) ?? [];
  for (const run of runs) {
    const length = run.trim().length;
    if (length >= marker.length) marker = marker[0]!.repeat(length + 1);
  }
  return marker;
}

/**
 * The text of one cell block. An unchanged cell keeps its block exactly as
 * written; a changed one is written from the model in the block's own style
 * (fence character, indentation, line endings).
 */
export function renderCell(cell: Cell, raw: string | null): string {
  const fence = raw === null ? null : fenceOf(raw);
  if (raw !== null && fence !== null && cell.code === fence.code && cell.info === fence.info && describes(fence.info, cell)) return raw;
  const info = describes(cell.info, cell) ? cell.info : formatInfo(cell.language, cell.id, cell.sink);
  const indent = " ".repeat(cell.indent ?? fence?.indent ?? 0);
  const eol = fence?.eol ?? "\n";
  const marker = markerFor(cell.code, fence?.marker ?? "```");
  const body = cell.code === "" ? "" : cell.code.split("\n").map((line) => (line === "" ? "" : indent + line) + eol).join("");
  return `${indent}${marker}${info}${eol}${body}${indent}${marker}${fence === null || fence.endsWithEol ? eol : ""}`;
}

const NO_FRONT_MATTER: FrontMatter = { title: null, sources: {}, sinks: {}, sourceNames: [], sinkNames: [] };

/** The front matter block as the model has it, or null when the file's block already says the same. */
function renderFrontMatter(notebook: Notebook): string | null {
  const prose = notebook.blocks.flatMap((block) =>
    block.kind === "prose" ? splitFences(block.raw).flatMap((segment) => (segment.kind === "text" ? [block.raw.slice(segment.start, segment.end)] : [])) : [],
  );
  const block = notebook.blocks.find((item) => item.kind === "frontmatter");
  const split = block ? splitFrontMatter(block.raw) : null;
  let current = null;
  if (block && split !== null && split !== "unclosed") {
    const yaml = block.raw.slice(split.yamlStart, split.yamlEnd);
    const read = readFrontMatter(yaml, split.yamlStart, indexLines(block.raw), notebook.file).frontMatter;
    current = { raw: block.raw, yaml, read, derivedTitle: titleOf(read, prose, notebook.file) };
  }
  return writeFrontMatter(notebook, current, titleOf(NO_FRONT_MATTER, prose, notebook.file));
}

/** The notebook's blocks in order, with cells the blocks do not hold (added to the model directly) at the end. */
export function renderBlocks(notebook: Notebook): RenderedBlock[] {
  const rendered: RenderedBlock[] = [];
  const held = new Set<number>();
  const frontMatter = renderFrontMatter(notebook);
  if (frontMatter !== null && !notebook.blocks.some((block) => block.kind === "frontmatter")) rendered.push({ raw: frontMatter, cell: null, frontMatter: true });
  for (const block of notebook.blocks) {
    if (block.kind === "frontmatter") {
      rendered.push({ raw: frontMatter ?? block.raw, cell: null, frontMatter: true });
      continue;
    }
    if (block.kind !== "cell") {
      rendered.push({ raw: block.raw, cell: null });
      continue;
    }
    const cell = notebook.cells[block.cell];
    if (cell === undefined || held.has(block.cell)) continue;
    held.add(block.cell);
    rendered.push({ raw: renderCell(cell, block.raw), cell: block.cell });
  }
  notebook.cells.forEach((cell, index) => {
    if (held.has(index)) return;
    rendered.push({ raw: separator(rendered), cell: null }, { raw: renderCell(cell, null), cell: index });
  });
  return rendered;
}

/**
 * What to add after `text` so a new block starts after a blank line. A fence
 * left open at the end is closed first, or it would swallow the new block.
 */
export function separator(blocks: RenderedBlock[]): string {
  const text = blocks.map((block) => block.raw).join("");
  const segments = splitFences(text, blocks[0]?.frontMatter ? blocks[0].raw.length : 0);
  const last = segments[segments.length - 1];
  if (last?.kind === "fence" && !last.fence.closed) {
    const end = text.endsWith("\n") ? "" : "\n";
    return `${end}${" ".repeat(last.fence.indent)}${last.fence.marker}\n\n`;
  }
  if (text === "" || text.endsWith("\n\n") || text.endsWith("\r\n\r\n")) return "";
  return text.endsWith("\n") ? "\n" : "\n\n";
}

/**
 * Writes a notebook back to Markdown. An unedited notebook comes back byte
 * for byte; edited cells are written from the model, and so are an edited
 * title and edited, added or removed sources and sinks (inside the file's own
 * YAML, keeping its comments).
 */
export function serializeNotebook(notebook: Notebook): string {
  return renderBlocks(notebook)
    .map((block) => block.raw)
    .join("");
}

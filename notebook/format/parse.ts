import type { Block, Cell, CellLanguage, Notebook, NotebookIssue } from "./model.ts";
import { splitFences, type Fence } from "./fences.ts";
import { readFrontMatter, type FrontMatter } from "./front-matter.ts";
import { parseInfo } from "./info.ts";
import { issueAt } from "./issue.ts";
import { indexLines, type LineIndex } from "./position.ts";
import { NAME } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

export interface ParseResult {
  /** The best model the text allows, even when it has issues: the editor saves files mid-edit. */
  notebook: Notebook;
  issues: NotebookIssue[];
}

const CELL_LANGUAGES: readonly string[] = ["sql", "js"] satisfies CellLanguage[];
const ATTRIBUTES = ["id", "sink"];

/** How messages name a cell: its id, or its 1-based place among the cells. */
export function cellLabel(cell: Pick<Cell, "id" | "index">): string {
  return cell.id ?? `#${cell.index + 1}`;
}

/** Finds the front matter: `---` on the first line up to the next `---` or `...` line. */
export function splitFrontMatter(text: string): { yamlStart: number; yamlEnd: number; end: number } | "unclosed" | null {
  // A byte order mark some editors write does not hide the front matter.
  const open = /^\uFEFF?---[ \t]*\r?\n/.exec(text);
  if (!open) return null;
  const close = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;
  const rest = text.slice(open[0].length);
  const match = close.exec(rest);
  if (!match) return "unclosed";
  const yamlEnd = open[0].length + match.index;
  return { yamlStart: open[0].length, yamlEnd, end: yamlEnd + match[0].length };
}

/** The notebook's title: the front matter's, else the first `# heading`, else the file's name. */
export function titleOf(frontMatter: FrontMatter, prose: string[], file: string): string {
  if (frontMatter.title !== null) return frontMatter.title;
  for (const raw of prose) {
    const heading = /^ {0,3}#[ \t]+(.+?)[ \t#]*$/m.exec(raw);
    if (heading) return heading[1]!;
  }
  return (file.split("/").pop() ?? file).replace(/\.md$/, "");
}

interface Attributes {
  id: string | null;
  sink: string | null;
  problems: { offset: number; message: string }[];
}

/** What a cell's info string says: its id and sink, and what is wrong with the rest. */
export function readAttributes(info: string): Attributes & { language: string } {
  const parsed = parseInfo(info);
  const result: Attributes & { language: string } = { language: parsed.language, id: null, sink: null, problems: [] };
  const seen = new Set<string>();
  for (const attribute of parsed.attributes) {
    const problem = (message: string, offset = attribute.offset) => result.problems.push({ offset, message });
    if (!ATTRIBUTES.includes(attribute.key)) {
      problem(`unknown cell attribute '${attribute.key}'${didYouMean(attribute.key, ATTRIBUTES)}; a cell takes id=<name> and sink=<sink>`);
    } else if (seen.has(attribute.key)) {
      problem(`${attribute.key}= is given twice on one cell`);
    } else if (attribute.value === null || attribute.value === "") {
      seen.add(attribute.key);
      problem(`${attribute.key}= needs a value, e.g. ${attribute.key === "id" ? "id=clean" : "sink=lake"}`);
    } else if (attribute.key === "id") {
      seen.add(attribute.key);
      if (NAME.test(attribute.value)) result.id = attribute.value;
      else problem(`cell id '${attribute.value}' is not a name SQL and JavaScript can both use; expected letters, digits and _ (not starting with a digit)`, attribute.valueOffset);
    } else {
      seen.add(attribute.key);
      result.sink = attribute.value;
    }
  }
  return result;
}

/** Whether a fence's language makes it a cell; other fences are prose. */
export function isCellLanguage(language: string): language is CellLanguage {
  return CELL_LANGUAGES.includes(language);
}

function readCell(fence: Fence, fenceOffset: number, index: number, lines: LineIndex, file: string, frontMatter: FrontMatter, issues: NotebookIssue[]): Cell {
  const attributes = readAttributes(fence.info);
  const cell: Cell = {
    index,
    language: attributes.language as CellLanguage,
    id: attributes.id,
    sink: attributes.sink,
    code: fence.code,
    start: lines.at(fence.contentOffset),
    info: fence.info,
    infoStart: lines.at(fence.infoOffset),
    indent: fence.indent,
  };
  const place = (offset: number) => lines.at(fence.infoOffset + offset);
  for (const problem of attributes.problems) issues.push(issueAt(file, place(problem.offset), problem.message, { cell: cell.id ?? index }));
  if (cell.sink !== null && !frontMatter.sinkNames.includes(cell.sink)) {
    const sinkAttribute = parseInfo(fence.info).attributes.find((attribute) => attribute.key === "sink")!;
    issues.push(
      issueAt(file, place(sinkAttribute.offset), `sink '${cell.sink}' of cell ${cellLabel(cell)} is not declared under sinks:${didYouMean(cell.sink, frontMatter.sinkNames)}`, {
        cell: cell.id ?? index,
      }),
    );
  }
  if (!fence.closed) {
    issues.push(issueAt(file, lines.at(fenceOffset + fence.indent), `the ${fence.marker}${attributes.language} fence opened here is never closed; expected a line with ${fence.marker}`, { cell: cell.id ?? index }));
  }
  return cell;
}

/**
 * Reads a notebook file: YAML front matter (title, sources, sinks), then
 * Markdown whose `sql` and `js` fenced blocks are cells. Issues carry the file,
 * line and column; the notebook returned is the best the text allows.
 */
export function parseNotebook(text: string, file: string): ParseResult {
  const lines = indexLines(text);
  const issues: NotebookIssue[] = [];
  const blocks: Block[] = [];
  const cells: Cell[] = [];
  let frontMatter: FrontMatter = { title: null, sources: {}, sinks: {}, sourceNames: [], sinkNames: [] };
  let bodyStart = 0;

  const split = splitFrontMatter(text);
  if (split === "unclosed") {
    issues.push(issueAt(file, lines.at(0), "front matter opened here is never closed; expected a line with ---"));
  } else if (split !== null) {
    const read = readFrontMatter(text.slice(split.yamlStart, split.yamlEnd), split.yamlStart, lines, file);
    frontMatter = read.frontMatter;
    issues.push(...read.issues);
    blocks.push({ kind: "frontmatter", raw: text.slice(0, split.end) });
    bodyStart = split.end;
  }

  const prose: string[] = [];
  const addProse = (raw: string) => {
    const last = blocks[blocks.length - 1];
    if (last?.kind === "prose") last.raw += raw;
    else blocks.push({ kind: "prose", raw });
  };
  for (const segment of splitFences(text, bodyStart)) {
    const raw = text.slice(segment.start, segment.end);
    const language = segment.kind === "fence" ? parseInfo(segment.fence.info).language : "";
    if (segment.kind === "text" || !isCellLanguage(language)) {
      if (segment.kind === "text") prose.push(raw);
      addProse(raw);
      continue;
    }
    const cell = readCell(segment.fence, segment.start, cells.length, lines, file, frontMatter, issues);
    blocks.push({ kind: "cell", cell: cell.index, raw });
    cells.push(cell);
  }

  const notebook: Notebook = {
    file,
    title: titleOf(frontMatter, prose, file),
    sources: frontMatter.sources,
    sinks: frontMatter.sinks,
    cells,
    blocks,
    declared: { sources: frontMatter.sourceNames, sinks: frontMatter.sinkNames },
  };
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return { notebook, issues };
}

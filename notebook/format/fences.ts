/**
 * Splits Markdown into fenced code blocks and the text between them, the way
 * CommonMark reads fences: three or more backticks or tildes indented at most
 * three spaces, closed by a run of the same character at least as long. An
 * unclosed fence runs to the end of the file.
 */

export interface Fence {
  /** Spaces before the opening fence; content lines lose up to this many. */
  indent: number;
  /** The opening run, e.g. "```" or "~~~~". */
  marker: string;
  /** The info string, trimmed. */
  info: string;
  /** Offset of the info string's first character in the text. */
  infoOffset: number;
  /** Offset where the content's first line starts (the line after the opening fence). */
  contentOffset: number;
  /** The content lines, without fence indentation or line endings, joined by "\n". */
  code: string;
  closed: boolean;
  /** The opening line's ending, reused when the block is written again. */
  eol: "\n" | "\r\n";
  /** Whether the block's last line (the closing fence) ends with a line break. */
  endsWithEol: boolean;
}

export type Segment =
  | { kind: "text"; start: number; end: number }
  | { kind: "fence"; start: number; end: number; fence: Fence };

const OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

interface Line {
  start: number;
  /** Offset after the line's break, or the text's end. */
  next: number;
  content: string;
  hasBreak: boolean;
  crlf: boolean;
}

function* lines(text: string, from: number): Generator<Line> {
  let start = from;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    const crlf = nl !== -1 && end > start && text.charCodeAt(end - 1) === 13;
    const content = text.slice(start, crlf ? end - 1 : end);
    yield { start, next: nl === -1 ? text.length : nl + 1, content, hasBreak: nl !== -1, crlf };
    start = nl === -1 ? text.length : nl + 1;
  }
}

/** Reads the opening fence on one line, or null when the line opens none. */
export function readOpeningFence(line: string): { indent: number; marker: string; info: string; infoColumn: number } | null {
  const match = OPEN.exec(line);
  if (!match) return null;
  const indent = match[1]!.length;
  const marker = match[2]!;
  const rest = match[3]!;
  if (marker[0] === "`" && rest.includes("`")) return null;
  const lead = rest.length - rest.trimStart().length;
  return { indent, marker, info: rest.trim(), infoColumn: indent + marker.length + lead };
}

function closes(line: string, marker: string): boolean {
  const match = CLOSE.exec(line);
  return match !== null && match[1]![0] === marker[0] && match[1]!.length >= marker.length;
}

function dedent(line: string, indent: number): string {
  let n = 0;
  while (n < indent && line[n] === " ") n++;
  return line.slice(n);
}

/** Splits `text` from offset `from` on into text and fence segments that together cover it exactly. */
export function splitFences(text: string, from = 0): Segment[] {
  const segments: Segment[] = [];
  let textStart = from;
  const iter = lines(text, from);
  for (let item = iter.next(); !item.done; item = iter.next()) {
    const line = item.value;
    const open = readOpeningFence(line.content);
    if (!open) continue;
    if (line.start > textStart) segments.push({ kind: "text", start: textStart, end: line.start });
    const content: string[] = [];
    let end = line.next;
    let closed = false;
    let endsWithEol = line.hasBreak;
    for (let inner = iter.next(); !inner.done; inner = iter.next()) {
      end = inner.value.next;
      endsWithEol = inner.value.hasBreak;
      if (closes(inner.value.content, open.marker)) {
        closed = true;
        break;
      }
      content.push(dedent(inner.value.content, open.indent));
    }
    segments.push({
      kind: "fence",
      start: line.start,
      end,
      fence: {
        indent: open.indent,
        marker: open.marker,
        info: open.info,
        infoOffset: line.start + open.infoColumn,
        contentOffset: line.next,
        code: content.join("\n"),
        closed,
        eol: line.crlf ? "\r\n" : "\n",
        endsWithEol,
      },
    });
    textStart = end;
  }
  if (textStart < text.length) segments.push({ kind: "text", start: textStart, end: text.length });
  return segments;
}

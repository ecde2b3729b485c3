import type { QueryResult } from "../reactive.ts";
import { formatCount, formatValue } from "./format-value.ts";

/** How many more rows "Show more" draws. */
export const MORE_ROWS = 50;

/** Number columns, right-aligned (the preview holds some of them as DuckDB's text). */
const NUMERIC = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|INTERVAL)$/;

/**
 * A SQL cell's result: row and column counts, then a table whose header gives
 * each column's name and DuckDB type. Only the first rows are drawn.
 */
export function renderResultTable(result: QueryResult, visibleRows = 50, onMore?: () => void): HTMLElement {
  const root = document.createElement("div");
  root.className = "result";
  const summary = document.createElement("div");
  summary.className = "result-summary";
  summary.textContent = `${formatCount(result.numRows)} ${result.numRows === 1 ? "row" : "rows"} · ${result.columns.length} ${result.columns.length === 1 ? "column" : "columns"}`;
  summary.dataset.rows = String(result.numRows);
  root.append(summary);

  const scroller = document.createElement("div");
  scroller.className = "result-scroll";
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const column of result.columns) {
    const th = document.createElement("th");
    const name = document.createElement("span");
    name.className = "col-name";
    name.textContent = column.name;
    const type = document.createElement("span");
    type.className = "col-type";
    type.textContent = column.type;
    // A long type (a STRUCT's) is cut off with an ellipsis; hovering shows all of it.
    if (column.type.length > 40) type.title = column.type;
    th.append(name, type);
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of result.preview.slice(0, visibleRows)) {
    const tr = body.insertRow();
    for (const column of result.columns) {
      const td = tr.insertCell();
      const value = row[column.name];
      const text = formatValue(value, column.type);
      // Long values are cut off with an ellipsis; hovering shows the whole value.
      if (text.length > 40) td.title = text;
      if (value === null || value === undefined) {
        td.textContent = text;
        td.className = "null";
      } else if (typeof value === "number" || typeof value === "bigint" || NUMERIC.test(column.type)) {
        td.textContent = text;
        td.className = "num";
      } else if (typeof value === "string") renderText(td, text);
      else td.textContent = text;
    }
  }
  scroller.append(table);
  root.append(scroller);
  // A copy from inside one cell is its characters (the DOM's text), and all of them when all its
  // visible text is selected (a triple click): the browser copies the text as laid out, and a triple
  // click stops at a line break, so a value's last line break (drawn as ↵) was left behind.
  table.addEventListener("copy", (event) => {
    const selection = window.getSelection();
    if (selection === null || selection.rangeCount !== 1 || selection.isCollapsed || event.clipboardData === null) return;
    const range = selection.getRangeAt(0);
    const within = range.commonAncestorContainer;
    const td = (within instanceof Element ? within : within.parentElement)?.closest("td");
    if (td === null || td === undefined || !body.contains(td)) return;
    const selected = range.toString();
    const whole = td.textContent ?? "";
    event.clipboardData.setData("text/plain", selected.trim() === whole.trim() ? whole : selected);
    event.preventDefault();
  });
  const shown = Math.min(visibleRows, result.preview.length);
  if (result.numRows > shown) {
    const more = document.createElement("div");
    more.className = "result-more";
    more.textContent = `first ${formatCount(shown)} of ${formatCount(result.numRows)} rows`;
    if (shown < result.preview.length && onMore !== undefined) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "result-show-more";
      button.textContent = `Show ${formatCount(Math.min(MORE_ROWS, result.preview.length - shown))} more`;
      button.addEventListener("click", onMore);
      more.append(" ", button);
    } else if (shown === result.preview.length) {
      more.append(" (the page holds the first rows only; ORDER BY, WHERE or OFFSET bring others here)");
    }
    root.append(more);
  }
  return root;
}

/**
 * A string as its whitespace at the start, the rest, and its whitespace at the end (what `trim` removes:
 * space, tab, line breaks, no-break and other Unicode spaces). Two scans: the regex it replaces,
 * `^(\s*)([\s\S]*?)(\s*)$`, was quadratic in a run of whitespace inside the value (100,000 spaces
 * between two words held the page 14 s).
 */
export function splitEdges(text: string): [start: string, middle: string, end: string] {
  const rest = text.trimStart();
  const kept = rest.trimEnd().length;
  return [text.slice(0, text.length - rest.length), rest.slice(0, kept), rest.slice(kept)];
}

/**
 * A text value in a result cell. Whitespace at either end is drawn (`  ada ` looked like `ada`):
 * spaces dotted, a tab as an arrow, a line break as ↵, all from CSS, so the DOM holds the value's
 * own characters and a copy of the cell is the value. An empty string is marked `""` (NULL is ∅).
 * A one-line value keeps its inner runs of spaces (`a  b` showed as `a b`, and copied so).
 */
export function renderText(td: HTMLTableCellElement, text: string): void {
  td.classList.add("str");
  if (text === "") {
    td.classList.add("empty-string");
    td.title = "an empty string (not NULL)";
    return;
  }
  if (!/[\r\n]/.test(text)) td.classList.add("one-line");
  const [start, middle, end] = splitEdges(text);
  if (start === "" && end === "") {
    td.textContent = text;
    return;
  }
  td.append(...whitespace(start), middle, ...whitespace(end));
  const said = [start === "" ? null : `${describeWhitespace(start)} at the start`, end === "" ? null : `${describeWhitespace(end)} at the end`].filter((x) => x !== null);
  td.title = `${text.length > 40 ? `${text}\n` : ""}${said.join(", ")}`;
}

/** Spans holding whitespace as it is, each kind marked by the stylesheet (`.ws-space`, `.ws-tab`, `.ws-break`). */
function whitespace(run: string): HTMLElement[] {
  const spans: HTMLElement[] = [];
  for (const piece of run.match(/\r\n|[\r\n]|\t+|[^\S\t\r\n]+/g) ?? []) {
    const span = document.createElement("span");
    span.className = piece.startsWith("\t") ? "ws ws-tab" : /^[\r\n]/.test(piece) ? "ws ws-break" : "ws ws-space";
    span.textContent = piece;
    spans.push(span);
  }
  return spans;
}

/** "2 spaces", "a tab", "a line break and a space" */
export function describeWhitespace(run: string): string {
  const parts: string[] = [];
  const count = (n: number, one: string, many: string) => (n === 1 ? `a ${one}` : `${n} ${many}`);
  const spaces = (run.match(/ /g) ?? []).length;
  const tabs = (run.match(/\t/g) ?? []).length;
  const breaks = (run.match(/\r\n|[\r\n]/g) ?? []).length;
  const other = run.length - spaces - tabs - (run.match(/[\r\n]/g) ?? []).length;
  if (spaces > 0) parts.push(count(spaces, "space", "spaces"));
  if (tabs > 0) parts.push(count(tabs, "tab", "tabs"));
  if (breaks > 0) parts.push(count(breaks, "line break", "line breaks"));
  if (other > 0) parts.push(count(other, "no-break or other Unicode space", "no-break or other Unicode spaces"));
  return parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

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
      td.textContent = text;
      // Long values are cut off with an ellipsis; hovering shows the whole value.
      if (text.length > 40) td.title = text;
      if (value === null || value === undefined) td.className = "null";
      else if (typeof value === "number" || typeof value === "bigint" || NUMERIC.test(column.type)) td.className = "num";
    }
  }
  scroller.append(table);
  root.append(scroller);
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

import type { QueryResult } from "../reactive.ts";
import { formatCount, formatValue } from "./format-value.ts";

/** Number columns, right-aligned (the preview holds some of them as DuckDB's text). */
const NUMERIC = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|INTERVAL)$/;

/**
 * A SQL cell's result: row and column counts, then a table whose header gives
 * each column's name and DuckDB type. Only the first rows are drawn.
 */
export function renderResultTable(result: QueryResult, visibleRows = 50): HTMLElement {
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
    th.append(name, type);
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of result.preview.slice(0, visibleRows)) {
    const tr = body.insertRow();
    for (const column of result.columns) {
      const td = tr.insertCell();
      const value = row[column.name];
      td.textContent = formatValue(value, column.type);
      if (value === null || value === undefined) td.className = "null";
      else if (typeof value === "number" || typeof value === "bigint" || NUMERIC.test(column.type)) td.className = "num";
    }
  }
  scroller.append(table);
  root.append(scroller);
  if (result.numRows > visibleRows) {
    const more = document.createElement("div");
    more.className = "result-more";
    more.textContent = `first ${visibleRows} of ${formatCount(result.numRows)} rows`;
    root.append(more);
  }
  return root;
}

/** One value as a result table cell shows it; `type` is the column's DuckDB type, so a DATE prints as DuckDB prints it. */
export function formatValue(value: unknown, type = ""): string {
  if (value === null || value === undefined) return "∅";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return "Invalid Date";
    const text = value.toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "");
    return type === "DATE" ? text.slice(0, 10) : text;
  }
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toLocaleString("en-US", { maximumFractionDigits: 6, useGrouping: false });
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

/** "1,234" */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

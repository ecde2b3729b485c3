/** One value as a result table cell shows it. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "∅";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "");
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toLocaleString("en-US", { maximumFractionDigits: 6, useGrouping: false });
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

/** "1,234" */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

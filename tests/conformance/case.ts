import type { Schema } from "../../edge/plan/values.ts";

/** One conformance case; see README.md. */
export interface ConformanceCase {
  name: string;
  sql: string;
  rows: unknown[];
  schema?: Schema;
  cells?: Record<string, string>;
  /** `same`: rows or an error, whichever DuckDB gives (generated queries). */
  expect?: "rows" | "error" | "compile-error" | "same";
  message?: string;
}

import type { Schema } from "../../edge/plan/values.ts";

/** One conformance case; see README.md. */
export interface ConformanceCase {
  name: string;
  sql: string;
  rows: unknown[];
  schema?: Schema;
  cells?: Record<string, string>;
  expect?: "rows" | "error" | "compile-error";
  message?: string;
}

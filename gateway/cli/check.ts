import { placeholderVerb } from "./placeholder.ts";

export const verb = placeholderVerb(
  "check",
  "run a notebook's published transform on its sample and compare with DuckDB",
  `usage: runnel check <notebook>

Compiles the cells that feed a sink, runs the plan on the notebook's sample
and on edge-case rows, and compares the rows with DuckDB's answer.`,
  "arrives with issue 4 (compiler)",
);

import { placeholderVerb } from "./placeholder.ts";

export const verb = placeholderVerb(
  "publish",
  "compile a notebook's sink cells into an edge pipeline under dist/pipelines/",
  `usage: runnel publish <notebook> [--force]

Compiles the cells that feed a sink into a plan, checks it against DuckDB on
the sample, and writes the Worker, the Node runner and plan.json to
dist/pipelines/<name>/.`,
  "arrives with issue 4 (compiler)",
);

import { expect, test } from "vitest";
import { PipelineProgress } from "./pipeline-progress.ts";

const check = [
  "loading samples: turnstile (1000 events)",
  "plan: lake ← per_minute (scan → filter → project → aggregate → project → sink)",
  "comparing 4 times: the sample, edge cases and 1 random batches for 1 sink cell, misfits for 1 source",
  "✓ per_minute → lake · sample: 1,000 events, 198 rows from DuckDB, 198 rows from the plan",
  "✓ per_minute → lake · edge cases: 343 events, an error from DuckDB, an error from the plan",
  "✓ per_minute → lake · edge cases, one event at a time: 343 events, 12 fail alike on both sides, 331 rows agree",
  "✓ turnstile · misfits: 12 events with a field that may not fit",
  "✓ per_minute → lake · random: 25 events, 0 rows from DuckDB, 0 rows from the plan",
];

test("a check's bar counts its comparisons against the number it announced, not the reruns one event at a time", () => {
  const progress = new PipelineProgress("check");
  expect(check.map((l) => progress.line(l))).toEqual([null, null, 0, 0.25, 0.5, 0.5, 0.75, 0.95]);
});

test("publish's bar moves through its four steps, and through the check inside step 2", () => {
  const progress = new PipelineProgress("publish");
  const lines = ["[1/4] reading notebooks/turnstile.md", "[2/4] checking the plan against DuckDB on turnstile (1000 sample events)", ...check.map((l) => `      ${l}`), "[3/4] writing dist/pipelines/turnstile/", "[4/4] bundling the runner"];
  expect(lines.map((l) => progress.line(l))).toEqual([0, 0.25, 0.25, 0.25, 0.25, 0.3125, 0.375, 0.375, 0.4375, 0.4875, 0.5, 0.75]);
});

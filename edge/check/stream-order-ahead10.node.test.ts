import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { defaultLibrary } from "../exec/library.ts";
import { checkNotebook } from "./check.node.ts";

/**
 * The check's stream order step runs the pipeline at the check's clock: a sample reading from a
 * device whose clock reads 9999-12-31 is the one dead letter the pipeline makes of it (more than
 * max_ahead ahead), not a watermark at the end of time that makes every later reading late.
 */
const NOW = Date.UTC(2026, 11, 6, 20, 0, 0);

async function sampleWithFarReading() {
  const { notebook } = parseNotebook(await readFile("notebooks/turnstile.md", "utf8"), "notebooks/turnstile.md");
  const events = demoEvents(notebook.sources.turnstile!.demo!, 0, 200) as Record<string, unknown>[];
  const far = { ...events[0]!, ts: "9999-12-31T00:00:00.000Z", desc: "REGULAR", station: "59 ST", entries: 1, exits: 1 };
  return { notebook, sample: [...events.slice(0, 50), far, ...events.slice(50)] };
}

test("stream order: a far-future sample reading is predicted as the one dead letter it is, with its reason", async () => {
  const { notebook, sample } = await sampleWithFarReading();
  const report = await checkNotebook(notebook, { samples: { turnstile: sample }, library: defaultLibrary, random: { batches: 1, size: 10, seed: 1 }, now: NOW });
  // The sample as one batch has no clock to be ahead of: the notebook's answer, the far reading's row too.
  expect(report.steps.find((s) => s.step === "sample")!.agree).toBe(true);
  const step = report.steps.find((s) => s.step === "stream order")!;
  // Honest: the pipeline will not write the far reading's row, which the notebook shows.
  expect(step.agree).toBe(false);
  const detail = step.detail!.split("\n");
  expect(detail[0]).toBe("  1 of 201 sample events are too far ahead of the check's clock, so the pipeline sends them to _errors/ while the notebook counts them");
  expect(detail[1]).toContain('"ts":"9999-12-31T00:00:00.000Z"');
  expect(detail[2]).toBe(
    "  its dead letter: event time 9999-12-31 00:00:00 is more than 1 day ahead of the pipeline's clock (2026-12-06 20:00:00 UTC; max_ahead 1 day); taken into the window it would make every later event late: fix the producer's clock, filter such times out in the cell, or raise the sink's max_ahead",
  );
  // No later reading is late, and the only row missing is the far reading's.
  expect(step.detail).not.toContain("arrive after the watermark");
  expect(step.detail).toMatch(/first differing row: DuckDB has \{.*9999-12-31/);
  expect(step.plan.ok && step.duckdb.ok && step.duckdb.rows.length - step.plan.rows.length).toBe(1);
});

test("stream order with max_ahead off: the far reading pushes the watermark and the later readings are late", async () => {
  const { notebook, sample } = await sampleWithFarReading();
  const off = { ...notebook, sinks: { lake: { ...notebook.sinks.lake!, maxAhead: null } } };
  const report = await checkNotebook(off, { samples: { turnstile: sample }, library: defaultLibrary, random: { batches: 1, size: 10, seed: 1 }, now: NOW });
  const step = report.steps.find((s) => s.step === "stream order")!;
  expect(step.agree).toBe(false);
  expect(step.detail).toMatch(/^ {2}142 of 201 sample events arrive after the watermark/);
  expect(step.detail).not.toContain("too far ahead");
});

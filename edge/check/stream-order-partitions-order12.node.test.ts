import { expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { defaultLibrary } from "../exec/library.ts";
import { checkNotebook } from "./check.node.ts";

/**
 * The stream order step with where each sample event was read (a Kafka topic's partition and
 * offset): each partition runs in offset order through its own executor, with its own watermark, as
 * the Kafka runner runs it. tests/runner/partitions-order12.test.ts compares with the real runner.
 */
const NOW = Date.UTC(2026, 11, 7, 3, 0, 0);
const text = `---
title: Partitions
sources:
  ev:
    kafka: { topic: t, brokers: ["127.0.0.1:1"] }
    format: json
sinks:
  out:
    fs: { dir: out }
    lateness: 1 minute
---

\`\`\`sql id=out sink=out
SELECT station, time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS minute, count(*) AS n
FROM ev
GROUP BY ALL
\`\`\`
`;
const base = Date.UTC(2026, 11, 7, 1, 0, 0);
const readings = (station: string, start: number, count: number) => Array.from({ length: count }, (_, i) => ({ station, ts: new Date(start + i * 10_000).toISOString() }));
// The gateway's order for a bulk write (one record timestamp): partition 0's records, then partition 1's.
const a = readings("A", base + 10 * 60_000, 30);
const b = readings("B", base, 30);
const sample = [...a, ...b];
const arrival = [...a.map((_, i) => ({ partition: 0, offset: String(i) })), ...b.map((_, i) => ({ partition: 1, offset: String(i) }))];

async function streamStep(options: { arrival?: Record<string, { partition: number; offset: string }[]> }) {
  const { notebook } = parseNotebook(text, "p.md");
  const report = await checkNotebook(notebook, { samples: { ev: sample }, ...options, library: defaultLibrary, random: { batches: 1, size: 5, seed: 1 }, now: NOW });
  return report.steps.find((s) => s.step === "stream order")!;
}

test("stream order per partition: partition 0 ahead of partition 1 makes nothing late, as in the runner", async () => {
  const step = await streamStep({ arrival: { ev: arrival } });
  expect(step.detail).toBeNull();
  expect(step.agree).toBe(true);
});

test("stream order per partition: within a partition, offset order, not the sample's order", async () => {
  // Partition 1's first record by offset is its newest reading: the rest of partition 1 arrives after it.
  const reversed = arrival.map((w, i) => (w.partition === 1 ? { partition: 1, offset: String(29 - (i - 30)) } : w));
  const step = await streamStep({ arrival: { ev: reversed } });
  expect(step.agree).toBe(false);
  expect(step.detail).toMatch(/^ {2}18 of 60 sample events arrive after the watermark \(newest event time of their partition, read in offset order, minus lateness 1 minute\)/);
  expect(step.detail).toContain("first late event (partition 1):");
});

test("stream order without arrival (a file, a webhook): one stream in the sample's order, as before", async () => {
  const step = await streamStep({});
  expect(step.agree).toBe(false);
  expect(step.detail).toMatch(/^ {2}30 of 60 sample events arrive after the watermark \(newest event time minus lateness 1 minute\)/);
  // An arrival list that does not match the sample is not used.
  expect((await streamStep({ arrival: { ev: arrival.slice(1) } })).agree).toBe(false);
});

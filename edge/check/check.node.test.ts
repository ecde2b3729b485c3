import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { defaultLibrary } from "../exec/library.ts";
import type { FunctionLibrary } from "../exec/functions/contract.ts";
import { checkNotebook } from "./check.node.ts";
import { firstDifference } from "./compare.ts";

async function turnstile() {
  const { notebook } = parseNotebook(await readFile("notebooks/turnstile.md", "utf8"), "notebooks/turnstile.md");
  return { notebook, samples: { turnstile: demoEvents(notebook.sources.turnstile!.demo!, 0, 400) } };
}

describe("checkNotebook", () => {
  test("turnstile's plan agrees with DuckDB on the sample, edge cases and random events", async () => {
    const { notebook, samples } = await turnstile();
    const lines: string[] = [];
    const report = await checkNotebook(notebook, { samples, library: defaultLibrary, random: { batches: 4, size: 25, seed: 1 }, onProgress: (l) => lines.push(l) });
    expect(report.steps.filter((s) => !s.agree)).toEqual([]);
    expect(report.steps.map((s) => s.step)).toEqual(expect.arrayContaining(["sample", "edge cases", "random"]));
    expect(lines.some((l) => l.startsWith("✓ per_minute → lake · sample: 400 events"))).toBe(true);
  });

  test("a sink cell grouping without a time bucket gets a note that each flushed file holds that flush's groups; a windowed one does not", async () => {
    const { notebook, samples } = await turnstile();
    const perFlush = { ...notebook, cells: notebook.cells.map((c) => (c.id === "per_minute" ? { ...c, code: "SELECT station, CAST(NULL AS DATE) AS day, count(*) AS n FROM clean GROUP BY station" } : c)) };
    const lines: string[] = [];
    await checkNotebook(perFlush, { samples, library: defaultLibrary, random: { batches: 1, size: 10, seed: 1 }, onProgress: (l) => lines.push(l) });
    expect(lines.filter((l) => l.startsWith("note:"))).toEqual([
      "note: per_minute groups without a time bucket: on a stream, each file that lake flushes holds the groups of the events in that flush, not running totals (a group appears once per file; counts and sums add up across files, averages and count(DISTINCT) do not). GROUP BY a time_bucket(...) of the event time to write each window once",
    ]);
    const windowed: string[] = [];
    await checkNotebook(notebook, { samples, library: defaultLibrary, random: { batches: 1, size: 10, seed: 1 }, onProgress: (l) => windowed.push(l) });
    expect(windowed.filter((l) => l.startsWith("note:"))).toEqual([]);
  });

  test("stream order: one reading far ahead of the stream closes windows early, and the check says so and how to fix it", async () => {
    const { notebook, samples } = await turnstile();
    const events = samples.turnstile as Record<string, unknown>[];
    // A lenient cast keeps the impossible offset's local time: 05:00, hours ahead of the stream.
    const lenient = { ...notebook, cells: notebook.cells.map((c) => ({ ...c, code: c.code.replaceAll("try_strptime(ts, '%Y-%m-%dT%H:%M:%S.%gZ')", "TRY_CAST(ts AS TIMESTAMP)") })) };
    const ahead = { ...events[0]!, ts: "2026-11-22T05:00:00+25:00", desc: "REGULAR", station: "59 ST", entries: 1, exits: 1 };
    const sample = [...events.slice(0, 100), ahead, ...events.slice(100)];
    const lines: string[] = [];
    const report = await checkNotebook(lenient, { samples: { turnstile: sample }, library: defaultLibrary, random: { batches: 1, size: 10, seed: 1 }, onProgress: (l) => lines.push(l) });
    const step = report.steps.find((s) => s.step === "stream order")!;
    expect(report.steps.find((s) => s.step === "sample")!.agree).toBe(true);
    expect(step.agree).toBe(false);
    expect(report.agree).toBe(false);
    expect(step.detail).toMatch(/^ {2}[1-9]\d* of 401 sample events arrive after the watermark \(newest event time minus lateness 2 minutes\) passed their window/);
    expect(step.detail).toContain(`the watermark was set by: {"station":"59 ST"`);
    expect(step.detail).toMatch(/a lateness of \d+ minutes or more would keep every sample event/);
    // The same fact as data, for the page's "Set lateness" (it parsed the sentence above).
    const said = /a lateness of (\d+) minutes or more/.exec(step.detail!)!;
    expect(step.lateness).toEqual({ text: `${said[1]} minutes`, seconds: Number(said[1]) * 60 });
    // The notebook as shipped (the feed's exact format) passes the same step.
    const strict = await checkNotebook(notebook, { samples: { turnstile: sample }, library: defaultLibrary, random: { batches: 1, size: 10, seed: 1 } });
    expect(strict.steps.find((s) => s.step === "stream order")!.agree).toBe(true);
  });

  test("a wrong function in the executor is caught, with the first differing row from both sides", async () => {
    const { notebook, samples } = await turnstile();
    const broken: FunctionLibrary = { ...defaultLibrary, scalars: { ...defaultLibrary.scalars, md5: (args, ctx) => {
      const v = defaultLibrary.scalars.md5!(args, ctx);
      return typeof v === "string" ? v.toUpperCase() : v;
    } } };
    const report = await checkNotebook(notebook, { samples, library: broken, random: { batches: 1, size: 10, seed: 1 } });
    expect(report.agree).toBe(false);
    const first = report.steps.find((s) => !s.agree)!;
    expect(first.step).toBe("sample");
    expect(first.detail).toMatch(/first differing row: DuckDB has \{ station: .*device: "[0-9a-f]{32}"/);
  });
});

describe("firstDifference", () => {
  const schema = [{ name: "x", type: "DOUBLE" }, { name: "k", type: "VARCHAR" }];
  test("floats agree within a relative 1e-9 and NaN equals NaN", () => {
    expect(firstDifference(schema, [{ x: 0.1 + 0.2, k: "a" }, { x: NaN, k: "b" }], [{ x: NaN, k: "b" }, { x: 0.3, k: "a" }])).toBeNull();
  });
  test("a float off by more than the tolerance is a difference", () => {
    expect(firstDifference(schema, [{ x: 1, k: "a" }], [{ x: 1.000001, k: "a" }])).toMatchObject({ side: "duckdb", nearest: { x: 1.000001 } });
  });
  test("a row with no exact match names its nearest row on the other side and the columns that differ", () => {
    const wide = [{ name: "k", type: "VARCHAR" }, { name: "n", type: "BIGINT" }, { name: "g", type: "DOUBLE" }];
    const d = firstDifference(wide, [{ k: "a", n: 1n, g: 1.5 }, { k: "b", n: 2n, g: 2 }], [{ k: "b", n: 2n, g: 2 }, { k: "a", n: 1n, g: 15 }]);
    expect(d).toMatchObject({ side: "duckdb", row: { k: "a" }, nearest: { k: "a", g: 15 }, columns: ["g"] });
    const text = firstDifference(wide, [{ k: "a", n: 1n, g: 1.5 }], [{ k: "z", n: 9n, g: 1.5 }, { k: "a", n: 3n, g: 1.5 }]);
    expect(text).toMatchObject({ nearest: { k: "a", n: 3n }, columns: ["n"] });
  });
  test("a UNION ALL of two sources, read by a plain cell and by a windowed GROUP BY: every step gives each source its own events and the aggregate sees both", async () => {
    const text = `---
title: Two shops
sources:
  east:
    webhook: { path: /east, signature: none }
    format: json
  west:
    webhook: { path: /west, signature: none }
    format: json
sinks:
  visits:
    fs: { dir: out/visits }
  per_minute:
    fs: { dir: out/per_minute }
    lateness: 1 hour
---

\`\`\`sql id=shops
SELECT 'east' AS shop, door, TRY_CAST(ts AS TIMESTAMP) AS at_ FROM east
UNION ALL
SELECT 'west', lower(gate), TRY_CAST(ts AS TIMESTAMP) FROM west
\`\`\`

\`\`\`sql id=visits sink=visits
SELECT shop, door, at_ FROM shops WHERE door IS NOT NULL
\`\`\`

\`\`\`sql id=per_minute sink=per_minute
SELECT door, time_bucket(INTERVAL 1 minute, at_) AS m, count(*) AS n, count(DISTINCT shop) AS shops FROM shops GROUP BY ALL
\`\`\`
`;
    const { notebook, issues } = parseNotebook(text.replaceAll("\\`", "`"), "two-shops.md");
    expect(issues).toEqual([]);
    const at = (i: number) => `2026-11-22T10:${String(Math.floor(i / 6)).padStart(2, "0")}:${String((i * 7) % 60).padStart(2, "0")}Z`;
    const samples = {
      east: Array.from({ length: 60 }, (_, i) => ({ door: ["a", "b", null][i % 3], ts: at(i) })),
      west: Array.from({ length: 40 }, (_, i) => ({ gate: ["A", "B"][i % 2], ts: at(i) })),
    };
    const lines: string[] = [];
    const report = await checkNotebook(notebook, { samples, library: defaultLibrary, random: { batches: 2, size: 10, seed: 1 }, onProgress: (l) => lines.push(l) });
    expect(report.steps.filter((s) => !s.agree)).toEqual([]);
    expect(report.plan.pipelines.map((p) => p.sink)).toEqual(["visits", "visits", "per_minute", "per_minute"]);
    // The sample step of each sink counts both sources' events; a door seen at both shops is one group with shops = 2.
    expect(lines.some((l) => l.startsWith("✓ per_minute → per_minute · sample: 100 events"))).toBe(true);
    const sample = report.steps.find((s) => s.sink === "per_minute" && s.step === "sample")!;
    expect(sample.plan.ok && sample.plan.rows.some((r) => r.door === "a" && r.shops === 2n)).toBe(true);
  });

  test("its lines count in English: 1 event and 1 row, thousands grouped", async () => {
    const { notebook } = parseNotebook("---\nsources:\n  ev:\n    webhook: { signature: none }\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT id FROM ev WHERE id = 1\n```\n", "one.md");
    const lines: string[] = [];
    await checkNotebook(notebook, { samples: { ev: [{ id: 1 }] }, library: defaultLibrary, random: { batches: 1, size: 1, seed: 1 }, onProgress: (l) => lines.push(l) });
    expect(lines).toContain("✓ o → out · sample: 1 event, 1 row from DuckDB, 1 row from the plan");
  });

  test("a sink cell that fails in DuckDB on the sample itself is said so, with DuckDB's reason", async () => {
    const { notebook } = parseNotebook("---\nsources:\n  ev:\n    webhook: { signature: none }\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=o sink=out\nSELECT CAST(n AS INTEGER) AS n FROM ev\n```\n", "fails.md");
    const lines: string[] = [];
    await checkNotebook(notebook, { samples: { ev: [{ n: "1" }, { n: "x" }] }, library: defaultLibrary, random: { batches: 1, size: 1, seed: 1 }, onProgress: (l) => lines.push(l) });
    expect(lines).toContain("⚠ o fails in DuckDB on the notebook's own sample (Conversion Error: Could not convert string 'x' to INT32 when casting from source column n); the published pipeline sends each event that fails so to the dead letters, with that reason");
  });

  test("rows compare as multisets: a duplicate missing on one side is a difference", () => {
    expect(firstDifference(schema, [{ x: 1, k: "a" }, { x: 1, k: "a" }], [{ x: 1, k: "a" }])).toMatchObject({ side: "duckdb" });
    expect(firstDifference(schema, [{ x: 1, k: "a" }], [{ x: 1, k: "a" }, { x: 2, k: "a" }])).toMatchObject({ side: "plan", row: { x: 2 } });
  });
});

test("GROUP BY date_trunc over a TIMESTAMP holding NULLs agrees: DuckDB answered from a stored table's statistics with a group per NULL row", async () => {
  const { notebook } = parseNotebook("---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n---\n\n```sql id=w sink=out\nSELECT date_trunc('hour', ts) AS h, count(*) AS n, sum(v) AS s FROM ev GROUP BY ALL\n```\n", "dt.md");
  const events = [{ ts: "2026-03-01 10:00:00", v: 1 }, { ts: null, v: 2 }, { ts: "2026-03-01 10:59:59", v: 5 }, { ts: null, v: 4 }, { ts: "2026-03-01 11:30:00", v: 3 }];
  const report = await checkNotebook(notebook, { samples: { ev: events }, library: defaultLibrary, random: { batches: 2, size: 20, seed: 3 } });
  expect(report.steps.filter((s) => !s.agree).map((s) => `${s.step}: ${s.detail}`)).toEqual([]);
  expect(report.agree).toBe(true);
});

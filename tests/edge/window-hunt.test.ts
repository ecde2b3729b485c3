import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { type DuckDB, loadJsonTexts, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { buildPipeline } from "../../edge/exec/pipeline.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { parseJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, root, startEdge, type EdgeRuntime } from "./harness.ts";

/**
 * Tumbling windows over messy events through both published paths: `runnel run <bundle> --input`
 * (the Node executor) and the Worker's Durable Object (window rows kept in SQLite, workerd
 * restarted half-way), each read back with DuckDB and compared, as text, with DuckDB's own answer
 * over the same events: group keys that are NaN, -0.0 and 0.0, text that only looks equal (NFC and
 * NFD, 'ß' and 'SS', a trailing space), lists; sums of BIGINTs near 2^63; text whose UTF-8 and
 * UTF-16 orders differ; times in year 1, 1600, just before 1970, on a window's boundary,
 * malformed, NULL, duplicated, out of order within the lateness and beyond it.
 */
const LATENESS = "lateness: 1 day";
const WINDOWED = ["by_second", "by_day", "ninety", "weekly", "monthly", "zoned", "wall", "cast_days", "date_weeks"];
/**
 * Flushed every few rows: a GROUP BY that is not a window would write a day's count in parts. (Their
 * cells keep NULL times out: the groups of a NULL bucket, which no watermark closes, go out with every flush.)
 */
const SMALL_FLUSH = new Set(["cast_days", "date_weeks"]);
/** `raw` has no GROUP BY: every event is a row, the late ones too. */
const SINKS = [...WINDOWED, "raw"];
const notebookText = (target: (sink: string) => string) => `---
title: Window hunt
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: json
sinks:
${SINKS.map((s) => `  ${s}:\n    ${LATENESS}\n    max_ahead: off\n    ${target(s)}${SMALL_FLUSH.has(s) ? "\n    flush: { rows: 3 }" : ""}`).join("\n")}
---

\`\`\`sql id=by_second sink=by_second
SELECT time_bucket(INTERVAL 1 second, TRY_CAST(ts AS TIMESTAMP)) AS w, k,
  count(*) AS n, sum(big) AS total, avg(big) AS mean, min(name) AS lo, max(name) AS hi,
  count(DISTINCT name) AS names, bool_and(flag) AS all_f, bool_or(flag) AS any_f,
  stddev_samp(v) AS sd, first(name) AS first_name, arg_max(name, v) AS top, arg_min(name, v) AS bottom,
  string_agg(name, ',' ORDER BY name) AS sorted, list(name ORDER BY name DESC) FILTER (WHERE flag) AS flagged
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=by_day sink=by_day
SELECT date_trunc('day', TRY_CAST(ts AS TIMESTAMP)) AS d, x, count(*) AS n,
  sum(CAST(dec AS DECIMAL(18,2))) AS dsum, min(TRY_CAST(seen AS TIMESTAMPTZ)) AS first_at,
  max(TRY_CAST(seen AS TIMESTAMPTZ)) AS last_at, list(x) AS xs, min(x) AS lo, max(x) AS hi, first(x) AS fx
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=ninety sink=ninety
SELECT time_bucket(INTERVAL 90 minutes, TRY_CAST(ts AS TIMESTAMP)) AS w,
  count(*) FILTER (WHERE flag) AS flagged, sum(v) FILTER (WHERE v > 1) AS big_v, count(*) AS n,
  count(DISTINCT x) AS nx, sum(DISTINCT v) AS sv
FROM ev GROUP BY ALL HAVING count(*) > 1
\`\`\`

\`\`\`sql id=weekly sink=weekly
SELECT time_bucket(INTERVAL 7 days, TRY_CAST(ts AS TIMESTAMP)) AS w, tags, count(*) AS n, min(k) AS k0, max(k) AS k1
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=monthly sink=monthly
SELECT date_trunc('month', TRY_CAST(ts AS TIMESTAMP)) AS m, time_bucket(INTERVAL 3 months, TRY_CAST(ts AS TIMESTAMP)) AS q,
  count(*) AS n, sum(big) AS total, list(DISTINCT k ORDER BY k) AS ks
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=zoned sink=zoned
SELECT time_bucket(INTERVAL 1 day, TRY_CAST(ts AS TIMESTAMPTZ), 'Europe/Berlin') AS d, count(*) AS n, min(name) AS lo
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=wall sink=wall
SELECT date_trunc('hour', TRY_CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'America/New_York') AS h, count(*) AS n
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=cast_days sink=cast_days
SELECT date_trunc('day', TRY_CAST(ts AS TIMESTAMP)) AS d, CAST(TRY_CAST(seen AS TIMESTAMPTZ) AS DATE) AS seen_day, count(*) AS n, max(i) AS last_i
FROM ev WHERE TRY_CAST(ts AS TIMESTAMP) IS NOT NULL GROUP BY ALL
\`\`\`

\`\`\`sql id=date_weeks sink=date_weeks
SELECT time_bucket(INTERVAL 7 days, TRY_CAST(ts AS TIMESTAMP)) AS w, count(*) AS n, min(k) AS k0
FROM ev WHERE TRY_CAST(ts AS TIMESTAMP) IS NOT NULL GROUP BY ALL
\`\`\`

\`\`\`sql id=raw sink=raw
SELECT i, x, [x, 1.0] AS xl, {'x': x} AS xs, big FROM ev
\`\`\`
`;

const KEYS = ["é", "e\u0301", "ß", "SS", "a ", "a", "😀", "\uffff", "", null];
const NAMES = ["\uffff", "😀", "\ue000", "z", "Zoë", null, "ǅ"];
const XS = ["-0.0", "0", "0.0", "NaN", "Infinity", "-Infinity", "1.5", "null", "-0.0"];
const BIGS = ["9223372036854775807", "9223372036854775806", "-9223372036854775808", "1", "null"];
const TAGS = ['["a","b"]', "[]", "null", '["a",null]', '["b","a"]'];

/** One event as JSON text (integers past 2^53 and -0.0 written as they are). */
function event(i: number, ts: string | null): string {
  const pick = <T>(xs: readonly T[], salt: number): T => xs[(i * 7 + salt * 3 + Math.floor(i / xs.length)) % xs.length]!;
  const fields = [
    `"i": ${i}`,
    `"ts": ${JSON.stringify(ts)}`,
    `"k": ${JSON.stringify(pick(KEYS, 1))}`,
    `"name": ${JSON.stringify(pick(NAMES, 2))}`,
    `"x": ${pick(XS, 3)}`,
    `"big": ${pick(BIGS, 4)}`,
    `"v": ${pick([1, 2, 2, 3, 5], 5)}`,
    `"flag": ${pick(["true", "false", "null"], 6)}`,
    `"dec": ${JSON.stringify(pick(["9999999999999999.99", "0.01", "-0.50", "1"], 7))}`,
    `"seen": ${JSON.stringify(pick(["2026-12-06 10:00:00+01", "2026-12-06 09:30:00+00", "2026-12-06 10:00:00.000001+01:00", null], 8))}`,
    `"tags": ${pick(TAGS, 9)}`,
  ];
  return `{${fields.join(", ")}}`;
}

const FAR_PAST = ["0001-01-01 00:00:00", "0001-01-01 00:00:00.5", "1600-02-29 01:02:03", "1899-12-31 23:59:59.999999", "1969-12-31 23:59:59.999999", "1970-01-01 00:00:00", "1970-01-01 00:00:00"];
/** A day in 2026 in stream order: out of order within the lateness, on window boundaries, malformed and NULL times. */
const DAY = [
  "2026-12-05 22:00:00", "2026-12-06 08:59:59.999999", "2026-12-06 09:00:00", "2026-12-06T09:00:00Z", "2026-12-06 09:00:00.000001", "yesterday",
  "2026-12-06 10:29:59", "2026-12-06 10:30:00", "2026-12-06 09:15:00", null, "2026-12-06 10:30:00", "2026-02-30 10:00:00", "",
  "2026-12-06 11:59:59.999999", "2026-12-06 12:00:00", "2026-12-06 12:00:00", "2026-12-06 12:00:00", "2026-12-05 23:00:00", "2026-12-06 13:00:00.25",
  "2026-12-07 00:00:00", "2026-12-06 09:00:00", "2026-12-07 08:00:00", "2026-12-08 12:00:00", "2026-12-08 12:00:00.999999", "2026-12-09 00:00:00",
];
/** Later than the lateness for every sink: dead letters. */
const LATE = ["2026-11-20 10:00:00", "1970-01-01 00:00:01"];
/** Closes every window (the sinks say `max_ahead: off`: by default an event time a day ahead of the run's clock is a dead letter). */
const CLOSER = "9999-12-31 23:59:59.999999";

function stream(): { lines: string[]; late: Set<number>; closer: number } {
  const times: (string | null)[] = [...FAR_PAST, ...DAY.slice(0, 15), LATE[0]!, ...DAY.slice(15), LATE[1]!, null, "yesterday", "2026-12-08 23:59:59", CLOSER];
  const lines = times.map((t, i) => event(i, t));
  // A delivery repeated: the same event twice in a row.
  lines.splice(20, 0, lines[20]!);
  const late = new Set(lines.flatMap((l, i) => (LATE.some((t) => l.includes(`"ts": "${t}"`)) ? [i] : [])));
  return { lines, late, closer: lines.length - 1 };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** Each sink's rows as text, sorted: DuckDB's answer over `lines` and what `glob` holds. */
async function answers(plan: Plan, text: string, linesOf: (sink: string) => string[], globOf: (sink: string) => string): Promise<Record<string, { expected: unknown[]; got: unknown[] }>> {
  const notebookCells = parseNotebook(text, "window-hunt.md").notebook.cells.flatMap((c) => (c.language === "sql" && c.id ? [{ id: c.id, code: c.code.replace(/;\s*$/, "") }] : []));
  const out: Record<string, { expected: unknown[]; got: unknown[] }> = {};
  for (const { sink, cell } of plan.pipelines) {
    await loadJsonTexts(db, "ev", linesOf(sink), { schema: plan.sources.ev!.schema });
    for (const c of notebookCells) await db.run(`CREATE OR REPLACE VIEW ${quoteIdent(c.id)} AS ${c.code}`);
    const op = plan.pipelines.find((p) => p.sink === sink)!.ops.at(-1) as SinkOp;
    const expected = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM ${quoteIdent(cell.cell)} ORDER BY ALL`)).getRowObjectsJson();
    const got = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM (${datasetSql(globOf(sink), op.schema, op.partitionBy)}) ORDER BY ALL`)).getRowObjectsJson();
    out[sink] = { expected, got };
  }
  return out;
}


/** `runnel publish` (the check over `sample`) then `runnel run --input`: the plan, where each sink's files are, and the dead letters. */
async function runLocally(text: string, sample: string[], input: string[]): Promise<{ plan: Plan; globOf: (sink: string) => string; letters: { reason: string; raw: string }[] }> {
  const work = mkdtempSync(join(tmpdir(), "runnel-window-hunt-"));
  cleanup.push(() => rmSync(work, { recursive: true, force: true }));
  writeFileSync(join(work, "hunt.md"), text);
  writeFileSync(join(work, "sample.ndjson"), `${sample.join("\n")}\n`);
  writeFileSync(join(work, "input.ndjson"), `${input.join("\n")}\n`);
  const runnel = join(root, "bin", "runnel.js");
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "hunt.md"), "--sample", `ev=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const bundle = join(work, "dist", "hunt");
  const plan = JSON.parse(readFileSync(join(bundle, "plan.json"), "utf8")) as Plan;
  const out = join(work, "out");
  const sinks = plan.pipelines.flatMap((p) => ["--sink", `${p.sink}=fs:${out}`]);
  const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `ev=${join(work, "input.ndjson")}`, ...sinks], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const errors = join(out, "_errors");
  const letters = existsSync(errors)
    ? ((await db.read(`SELECT reason, raw FROM read_json('${errors}/**/*', format = 'newline_delimited', columns = {reason: 'VARCHAR', raw: 'VARCHAR'})`)).getRowObjectsJson() as { reason: string; raw: string }[])
    : [];
  return { plan, globOf: (s) => `${out}/${s}/**/*.parquet`, letters };
}

/** The notebook in workerd, `input` posted `cut` events a request, workerd restarted from its stored state before event `restartAt`, then flushed. */
async function runOnEdge(text: string, sample: string[], input: string[], cut: number, restartAt: number): Promise<{ plan: Plan; globOf: (sink: string) => string; lateEvents: number }> {
  const { notebook, issues } = parseNotebook(text, "window-hunt.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, { ev: sample });
  const start = (persist?: string, script?: string) => startEdge({ name: "window-hunt", plan, notebook, persist, script });
  let edge: EdgeRuntime & { script: string } = await start();
  const persist = edge.persist;
  cleanup.push(() => rmSync(persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());
  for (let i = 0; i < input.length; i += cut) {
    if (i === restartAt) {
      await edge.dispose();
      edge = await start(persist, edge.script);
    }
    const response = await edge.post("ev", `[${input.slice(i, i + cut).join(",")}]`);
    expect(response.status, await response.clone().text()).toBe(202);
  }
  const flushed = await edge.flush();
  expect(flushed.status, await flushed.clone().text()).toBe(200);
  const lateEvents = (await edge.metrics()).lateEvents as number;
  const dir = mkdtempSync(join(tmpdir(), "runnel-window-hunt-lake-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  await download(await edge.r2(), "lake/", dir);
  return { plan, globOf: (s) => `${dir}/lake/${s}/**/*.parquet`, lateEvents };
}

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  // As the check does: DuckDB 1.4.3's statistics over a stored table key date_trunc's NULL group INT64_MIN.
  await db.run("SET disabled_optimizers = 'statistics_propagation'");
  cleanup.push(() => db.close());
});

describe("windows over messy events", () => {
  const { lines, late, closer } = stream();
  const onTime = lines.filter((_, i) => !late.has(i));

  test("runnel run writes DuckDB's rows for every window sink, and the late events are dead letters", async () => {
    const text = notebookText((s) => `fs: { dir: out/${s} }`);
    const { plan, globOf, letters } = await runLocally(text, onTime, lines);
    const result = await answers(plan, text, (s) => (s === "raw" ? lines : onTime), globOf);
    for (const sink of SINKS) {
      expect({ sink, rows: result[sink]!.got }).toEqual({ sink, rows: result[sink]!.expected });
      expect(result[sink]!.expected.length).toBeGreaterThan(2);
    }
    expect(letters.map((l) => l.reason.replace(/^(?:sink )?(\w+): late event: .*/s, "$1")).sort()).toEqual([...WINDOWED, ...WINDOWED].sort());
  }, 240_000);

  test("the Durable Object writes the same rows, restarted from its stored windows half-way", async () => {
    const text = notebookText(() => "r2: { binding: LAKE, prefix: lake/ }");
    const { plan, globOf, lateEvents } = await runOnEdge(text, onTime, lines, 7, 21);
    expect(lateEvents).toBe(LATE.length * WINDOWED.length);
    // A live Worker keeps the newest window open: the year-9999 event's windows are not written.
    const written = onTime.filter((l) => l !== lines[closer]);
    const result = await answers(plan, text, (s) => (s === "raw" ? lines : written), globOf);
    for (const sink of SINKS) {
      expect({ sink, rows: result[sink]!.got }).toEqual({ sink, rows: result[sink]!.expected });
      expect(result[sink]!.expected.length).toBeGreaterThan(2);
    }
  }, 240_000);

  test("the Node executor restored from a snapshot after every event emits what the uninterrupted one emits", async () => {
    const text = notebookText((s) => `fs: { dir: out/${s} }`);
    const plan = await compileWith(parseNotebook(text, "window-hunt.md").notebook, { ev: onTime });
    const events = lines.map((l) => parseJsonLossless(l, { duckdb: true }));
    // -0, NaN and bigints told apart, as the Parquet file tells them apart.
    const show = (r: { rows: Record<string, unknown[]>; deadLetters: { reason: string }[] }) =>
      JSON.stringify([r.rows, r.deadLetters.map((d) => d.reason)], (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
    const whole = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
    const expected = [...events.map((e) => show(whole.run({ source: "ev", events: [e] }))), show(whole.finish())];
    let resumed = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
    const actual: string[] = [];
    for (const e of events) {
      const snap = resumed.snapshot();
      resumed = buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" });
      resumed.restore(snap);
      actual.push(show(resumed.run({ source: "ev", events: [e] })));
    }
    actual.push(show(resumed.finish()));
    expect(actual).toEqual(expected);
    expect(expected.join("")).toContain("-0");
  }, 120_000);
});

/**
 * With `lateness: 0` a window closes the moment an event reaches its end: an event on the boundary
 * (10:01:00.000000) closes the minute before it, one a microsecond earlier after that is late, and so
 * is one whose minute ended by the watermark before any window closed — in both paths alike, however
 * the events are cut into requests or batches. Items unnested from one event are one
 * step of the watermark: an event's items out of order among themselves are all counted.
 */
const zeroNotebook = (target: string) => `---
title: Window hunt, lateness 0
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: json
sinks:
${["per_minute", "items", "daily"].map((s) => `  ${s}:\n    lateness: 0\n    max_ahead: off\n    ${target}`).join("\n")}
---

\`\`\`sql id=per_minute sink=per_minute
SELECT time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS m, count(*) AS n, list(i ORDER BY i) AS ids
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=items sink=items
SELECT time_bucket(INTERVAL 1 second, CAST(it.t AS TIMESTAMP)) AS s, count(*) AS n, sum(it.v) AS v
FROM (SELECT unnest(items) AS it FROM ev) GROUP BY ALL
\`\`\`

\`\`\`sql id=daily sink=daily
SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS d, count(*) AS n, max(i) AS last_i
FROM ev GROUP BY ALL
\`\`\`
`;

const ZERO: [string | null, string[]][] = [
  ["2026-12-06 10:00:00", ["10:00:05", "10:00:01"]],
  // Its minute ends by the watermark though no window closed yet: late, in one request with the first event or not.
  ["2026-12-06 09:59:30", []],
  ["2026-12-06 10:00:59.999999", ["10:00:05.5"]],
  ["2026-12-06 10:01:00", []],
  ["2026-12-06 10:00:59.999999", []],
  ["2026-12-06 10:01:00", ["10:01:00", "10:00:59"]],
  ["2026-12-06 10:01:30", ["10:01:30"]],
  [null, ["10:01:31"]],
  ["2026-12-06 10:03:00", []],
  ["2026-12-06 10:02:00", []],
  ["2026-12-06 10:03:59.999999", ["10:03:59.999999", "10:03:59"]],
  ["2026-12-06 10:04:00", []],
  ["2026-12-07 00:00:00", ["10:04:00"]],
  ["2026-12-06 23:59:59.999999", []],
];
/** Late with lateness 0: per_minute and daily events, and items' one-second windows. */
const ZERO_LATE = { per_minute: [1, 4, 9, 13], daily: [13], items: [] as number[] };

describe("windows with lateness 0", () => {
  const lines = [...ZERO, ["2026-12-08 00:00:00", ["10:30:00"]] as [string, string[]]].map(([ts, items], i) =>
    JSON.stringify({ i, ts, items: items.map((t, j) => ({ t: `2026-12-06 ${t}`, v: i * 10 + j })) }),
  );
  const closer = lines.length - 1;
  const onTimeFor = (sink: string, upTo: number) => lines.filter((_, i) => i < upTo && !ZERO_LATE[sink as keyof typeof ZERO_LATE].includes(i));

  test("runnel run closes a window on its boundary and counts every item of an event", async () => {
    const text = zeroNotebook("fs: { dir: out }");
    const { plan, globOf, letters } = await runLocally(text, lines.filter((_, i) => ![1, 4, 9, 13].includes(i)), lines);
    const late = letters.map((l) => `${l.reason.replace(/^(?:sink )?(\w+): late event: .*/s, "$1")} ${(JSON.parse(l.raw) as { i: number }).i}`).sort();
    expect(late).toEqual(Object.entries(ZERO_LATE).flatMap(([s, is]) => is.map((i) => `${s} ${i}`)).sort());
    const result = await answers(plan, text, (s) => onTimeFor(s, lines.length), globOf);
    for (const sink of Object.keys(ZERO_LATE)) expect({ sink, rows: result[sink]!.got }).toEqual({ sink, rows: result[sink]!.expected });
  }, 240_000);

  test("the Durable Object, two events a request and restarted, writes the same rows", async () => {
    const text = zeroNotebook("r2: { binding: LAKE, prefix: lake/ }");
    const { plan, globOf, lateEvents } = await runOnEdge(text, lines.filter((_, i) => ![1, 4, 9, 13].includes(i)), lines, 2, 6);
    expect(lateEvents).toBe(Object.values(ZERO_LATE).flat().length);
    // The closing event's windows stay open.
    const result = await answers(plan, text, (s) => onTimeFor(s, closer), globOf);
    for (const sink of Object.keys(ZERO_LATE)) expect({ sink, rows: result[sink]!.got }).toEqual({ sink, rows: result[sink]!.expected });
  }, 240_000);
});


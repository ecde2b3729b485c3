import { afterEach, beforeEach, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../duckdb/open.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { queryRows } from "../duckdb/query-rows.node.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { compilePlan } from "../compile/compile.ts";
import type { Notebook } from "../../notebook/format/model.ts";
import { buildPipeline } from "./pipeline.ts";
import { defaultLibrary } from "./library.ts";

// The DATE of a TIMESTAMP read from text takes the day the ISO reader just read (`isoTimestamp`
// in functions/cast.ts keeps its last answer and day) instead of converting the BigInt. Two
// texts parsed in turn, texts the ISO reader leaves to the full parser (an offset moves the
// day), days before 1970 and past 2^53 microseconds must all give DuckDB's dates.

let db: DuckDB;
beforeEach(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterEach(() => db.close());

const SQL = `SELECT
  CAST(TRY_CAST(t AS TIMESTAMP) AS DATE) AS d,
  TRY_CAST(u AS TIMESTAMP) AS u_ts,
  CAST(TRY_CAST(u AS TIMESTAMP) AS DATE) AS du,
  TRY_CAST(t AS TIMESTAMP) AS t_ts,
  CAST(CAST(u_at AS TIMESTAMP) AS DATE) AS dv
FROM s`;

function notebook(): Notebook {
  return {
    file: "test.md",
    title: "test",
    sources: { s: { kind: "demo", name: "s", format: "json", sampleSize: 100, demo: { generator: "none", rate: 1, seed: 1 } } },
    sinks: { out: { name: "out", target: { kind: "fs", dir: "out", prefix: "" }, partitionBy: [], flush: { rows: 10, bytes: 1000, seconds: 60 }, lateness: 0 } },
    cells: [{ index: 0, language: "sql", id: "c", sink: "out", code: SQL, start: { line: 5, column: 1, offset: 0 }, info: "sql id=c sink=out" }],
    blocks: [],
  };
}

const TEXTS = [
  "1969-12-31 23:59:59.999999",
  "1970-01-01 00:00:00",
  "1900-03-01T12:00:00Z",
  "2024-02-29T23:59:59.999Z",
  "2024-03-01 00:00:00",
  "2024-01-01 01:00:00+02",
  "2023-12-31 23:30:00-02",
  "not a time",
  "2262-04-11T23:47:16.854775Z",
  "1677-09-22 00:00:00",
  "2024-03-01 00:00:00",
];

test("the DATE of a TIMESTAMP read from text is DuckDB's, whichever text was read last", async () => {
  // u is t of another row, so the two texts read in one row differ (and sometimes agree).
  const events = TEXTS.map((t, i) => ({ t, u: TEXTS[(i * 3) % TEXTS.length], u_at: TEXTS[(i + 1) % TEXTS.length] === "not a time" ? null : TEXTS[(i + 1) % TEXTS.length] }));
  await loadEvents(db, "s", events, { schema: [{ name: "t", type: "VARCHAR" }, { name: "u", type: "VARCHAR" }, { name: "u_at", type: "VARCHAR" }] });
  const ex = buildPipeline(compilePlan(await gatherCompileInputs(db, notebook())), { library: defaultLibrary });
  const result = ex.run({ source: "s", events });
  expect(result.deadLetters).toEqual([]);
  const expected = (await queryRows(db, SQL)).rows;
  expect(expected.filter((r) => r.d !== null).length).toBeGreaterThan(8);
  expect(result.rows.out).toEqual(expected);
});

test("timestamps read in turn within one second keep their own fractions (the ISO reader keeps the last second)", async () => {
  // isoTimestamp makes the second's bigint once and adds each text's fraction to it.
  const texts = [
    "2024-03-01 00:00:00.5", "2024-03-01 00:00:00.000001", "2024-03-01T00:00:00.123Z", "2024-03-01 00:00:00",
    "2024-03-01 00:00:00.999999", "2024-03-01 00:00:01.001", "2024-03-01 00:00:00.250",
    "1969-12-31 23:59:59.5", "1969-12-31 23:59:59", "1969-12-31 23:59:59.001", "1969-12-31 23:59:59.000999",
    "1970-01-01 00:00:00.000", "1970-01-01 00:00:00.1234567", "1677-09-22 00:00:00.5", "2262-04-11T23:47:16.854Z",
  ];
  const events = texts.map((t) => ({ t, u: t, u_at: t }));
  await loadEvents(db, "s", events, { schema: [{ name: "t", type: "VARCHAR" }, { name: "u", type: "VARCHAR" }, { name: "u_at", type: "VARCHAR" }] });
  const ex = buildPipeline(compilePlan(await gatherCompileInputs(db, notebook())), { library: defaultLibrary });
  const result = ex.run({ source: "s", events });
  expect(result.deadLetters).toEqual([]);
  const expected = (await queryRows(db, SQL)).rows;
  expect(new Set(expected.map((r) => String(r.t_ts))).size).toBe(texts.length);
  expect(result.rows.out).toEqual(expected);
});

test("a text the ISO reader gives up on after reading its date leaves the last second's day as it was", async () => {
  // `isoTimestamp` keeps the last text's first 19 characters with that second's day; a text that
  // fails at its fraction has moved the reader's day already, and must not move the kept second's.
  const texts = ["2024-03-01 00:00:00.5", "2024-05-05 10:00:00.5x", "2024-03-01 00:00:00.75", "2024-05-05 10:00:00.5x", "2024-03-01 00:00:00"];
  const events = texts.map((t) => ({ t, u: t, u_at: null }));
  await loadEvents(db, "s", events, { schema: [{ name: "t", type: "VARCHAR" }, { name: "u", type: "VARCHAR" }, { name: "u_at", type: "VARCHAR" }] });
  const ex = buildPipeline(compilePlan(await gatherCompileInputs(db, notebook())), { library: defaultLibrary });
  const result = ex.run({ source: "s", events });
  expect(result.deadLetters).toEqual([]);
  const expected = (await queryRows(db, SQL)).rows;
  expect(expected.filter((r) => r.d === null)).toHaveLength(2);
  expect(result.rows.out).toEqual(expected);
});

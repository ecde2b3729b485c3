import { expect, test } from "vitest";
import type { LocalRun } from "../api.ts";
import { alreadyWritten, earlierRows, readAgain, readCommand } from "./local-run-card.ts";

const base: LocalRun = {
  notebook: "shop.md", name: "shop", dir: "/state/lake/shop", sinks: ["lake"], state: "running", publishedAt: "2026-12-07T09:58:00.000Z", replaced: null,
  startedAt: "2026-12-07T10:10:00.000Z", flushSeconds: 10, events: 100, rows: 100, rowsInFiles: 0, files: 0, bytes: 0, deadLetters: 0, errorsDir: "/state/lake/shop/_errors",
  recentDeadLetters: [], from: "sample", sampleEvents: { shop: 1000 }, lastFile: null, error: null,
  skipped: 0, resumed: null, rolledBack: 0, earlier: null, replacedFiles: null, replace: false, restarted: [],
};
const at = (iso: string) => new Date(iso).toLocaleTimeString();

test("a run over events an earlier run of the publish wrote says how many it skipped and which run wrote them", () => {
  expect(alreadyWritten(base)).toBeNull();
  expect(alreadyWritten({ ...base, skipped: 1000, resumed: { events: 1000, runs: ["2026-12-07T10:02:00.000Z"] } })).toBe(
    `skipped 1,000 events already written by the run at ${at("2026-12-07T10:02:00.000Z")} (1,000 events in the lake before this run)`,
  );
  expect(alreadyWritten({ ...base, skipped: 1, resumed: { events: 1500, runs: ["2026-12-07T10:02:00.000Z", "2026-12-07T10:05:00.000Z"] } })).toBe(
    `skipped 1 event already written by 2 earlier runs, the last at ${at("2026-12-07T10:05:00.000Z")} (1,500 events in the lake before this run)`,
  );
  expect(alreadyWritten({ ...base, from: "now", resumed: { events: 20, runs: ["2026-12-07T10:02:00.000Z"] } })).toBe(`20 events written by the run at ${at("2026-12-07T10:02:00.000Z")}; this run goes on after them`);
});

test("after a new publish the card says the folder holds the earlier transform's rows, and what replacing did", () => {
  const earlier = { files: 3, publishedAt: ["2026-12-07T09:00:00.000Z"] };
  const when = new Date("2026-12-07T09:00:00.000Z").toLocaleString();
  expect(earlierRows(base)).toBeNull();
  expect(earlierRows({ ...base, earlier })).toBe(`the folder also holds 3 files the publish of ${when} wrote (the earlier transform's rows): DuckDB reading it reads both`);
  expect(earlierRows({ ...base, earlier, replace: true })).toBe(`the 3 files the publish of ${when} wrote are deleted after this run's first flush`);
  expect(earlierRows({ ...base, earlier, replace: true, replacedFiles: 3 })).toBe(`deleted the 3 files the publish of ${when} wrote; the folder holds this publish's rows only`);
  expect(earlierRows({ ...base, earlier: { files: 1, publishedAt: [] } })).toBe("the folder also holds 1 file an earlier publish wrote (the earlier transform's rows): DuckDB reading it reads both");
});

test("a run that found a Kafka partition restarted below the written position says it reads it from its start", () => {
  expect(readAgain(base)).toBeNull();
  const restarted = ["topic orders partition 0 restarted below the written position (offset 120 < 500): reading it from its start"];
  expect(readAgain({ ...base, restarted })).toBe(restarted[0]);
  expect(readAgain({ ...base, restarted: [...restarted, "topic orders partition 2 restarted below the written position (offset 0 < 7): reading it from its start"] })).toBe(
    `${restarted[0]}; topic orders partition 2 restarted below the written position (offset 0 < 7): reading it from its start`,
  );
});

test("the card says how to read what the run wrote, one DuckDB command per sink", () => {
  expect(readCommand(base)).toBe(`duckdb -c "SELECT * FROM read_parquet('/state/lake/shop/lake/**/*.parquet')"`);
  expect(readCommand({ dir: "/state/lake/o'brien", sinks: ["lake", "archive"] })).toBe(
    `duckdb -c "SELECT * FROM read_parquet('/state/lake/o''brien/lake/**/*.parquet')"\nduckdb -c "SELECT * FROM read_parquet('/state/lake/o''brien/archive/**/*.parquet')"`,
  );
});

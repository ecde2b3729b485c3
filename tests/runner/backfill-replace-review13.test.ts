/**
 * review13: `runnel run --input … --replace` over some of the files an earlier backfill read (a day fixed
 * and run again) deletes every object of that earlier backfill, the rows of the files not run again too.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { runnel } from "./harness.ts";

const NOTEBOOK = `---
title: Events export
sources:
  events:
    webhook: { path: /events, signature: none }
    format: json
sinks:
  out:
    fs: { dir: out }
---

\`\`\`sql id=out sink=out
SELECT id, kind FROM events
\`\`\`
`;

let work: string;
let bundle: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-review13-"));
  await writeFile(join(work, "events.md"), NOTEBOOK);
  await writeFile(join(work, "sample.ndjson"), `{"id":1,"kind":"a"}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "events.md"), "--sample", `events=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  bundle = join(work, "dist", "events");
}, 120_000);

const run = (...args: string[]) => spawnSync(process.execPath, [runnel, "run", bundle, ...args], { encoding: "utf8", timeout: 120_000 });

async function rowsIn(dir: string): Promise<number> {
  const { openDuckDB } = await import("../../edge/duckdb/index.node.ts");
  const db = await openDuckDB({ threads: 1 });
  try {
    return Number((await db.read(`SELECT count(*) FROM read_parquet('${dir}/**/*.parquet')`)).getRows()[0]![0]);
  } finally {
    db.close();
  }
}

test("review13: --replace over one of an earlier backfill's files keeps the rows of its other files", async () => {
  const dir = join(work, "days");
  await mkdir(dir);
  for (const d of [1, 2, 3]) await writeFile(join(dir, `day${d}.ndjson`), Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: d * 100 + i, kind: "x" })).join("\n") + "\n");
  const out = join(work, "lake");
  expect(run("--input", `events=${dir}`, "--sink", `out=fs:${out}`).status).toBe(0);
  expect(await rowsIn(out)).toBe(30);
  // Day 3 run again (the same file), replacing what the earlier backfill wrote of it.
  const again = run("--input", `events=${join(dir, "day3.ndjson")}`, "--sink", `out=fs:${out}`, "--replace");
  // Days 1 and 2 were not run again: their 20 rows must still be there (or the run refused).
  expect(again.status === 0 ? await rowsIn(out) : 30).toBe(30);
}, 120_000);

test("review13: two notebooks' backfills of the same export into one lake folder keep each other's objects", async () => {
  // A second notebook reading the same export, its own sink (`daily`) in the same folder.
  const other = NOTEBOOK.replace("title: Events export", "title: Daily").replace("  out:\n    fs: { dir: out }", "  daily:\n    fs: { dir: out }").replace("sink=out", "sink=daily").replace("id=out", "id=daily");
  await writeFile(join(work, "daily.md"), other);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "daily.md"), "--sample", `events=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const file = join(work, "export.ndjson");
  await writeFile(file, Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: i, kind: "x" })).join("\n") + "\n");
  const out = join(work, "shared-lake");
  expect(run("--input", `events=${file}`, "--sink", `out=fs:${out}`).status).toBe(0);
  const daily = spawnSync(process.execPath, [runnel, "run", join(work, "dist", "daily"), "--input", `events=${file}`, "--sink", `daily=fs:${out}`], { encoding: "utf8", timeout: 120_000 });
  expect(daily.status, daily.stdout + daily.stderr).toBe(0);
  // Both notebooks' rows: 10 under out/, 10 under daily/.
  expect(await rowsIn(join(out, "daily"))).toBe(10);
  expect(await rowsIn(join(out, "out"))).toBe(10);
  // The first notebook's note is not the second's: in a fresh folder, daily's backfill of the export and one
  // more file is not refused for the rows `out` holds (it was: "the sinks already hold the rows of 1 of these 2 files").
  const fresh = join(work, "shared-lake-2");
  expect(run("--input", `events=${file}`, "--sink", `out=fs:${fresh}`).status).toBe(0);
  const more = join(work, "more.ndjson");
  await writeFile(more, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: 100 + i, kind: "x" })).join("\n") + "\n");
  const both = spawnSync(process.execPath, [runnel, "run", join(work, "dist", "daily"), "--input", `events=${file}`, "--input", `events=${more}`, "--sink", `daily=fs:${fresh}`], { encoding: "utf8", timeout: 120_000 });
  expect(both.status, both.stdout + both.stderr).toBe(0);
  expect(await rowsIn(join(fresh, "daily"))).toBe(15);
  expect(await rowsIn(join(fresh, "out"))).toBe(10);
}, 120_000);

// A corrected re-export: a day's file exported again with the mistakes fixed, under the same name. A file is
// known to the backfill notes by its content, so the new file is another file, and its rows were written beside
// the first export's, every row of the day twice, with no way to replace them (`--replace` finds no earlier
// backfill of these files). `--replace-backfill <writer>` names the backfill being corrected.
const lines = (ids: number[], kind: string) => ids.map((id) => JSON.stringify({ id, kind })).join("\n") + "\n";

async function kinds(dir: string): Promise<unknown[][]> {
  const { openDuckDB } = await import("../../edge/duckdb/index.node.ts");
  const db = await openDuckDB({ threads: 1 });
  try {
    return (await db.read(`SELECT kind, count(*)::INT FROM read_parquet('${dir}/**/*.parquet') GROUP BY kind ORDER BY kind`)).getRows() as unknown[][];
  } finally {
    db.close();
  }
}

test("corrected14: a corrected re-export of a day replaces the first export's rows with --replace-backfill, and a run without it says how", async () => {
  const first = join(work, "corrected-v1");
  const fixed = join(work, "corrected-v2");
  await mkdir(first);
  await mkdir(fixed);
  const ids = Array.from({ length: 10 }, (_, i) => i);
  await writeFile(join(first, "day1.ndjson"), lines(ids, "wrong"));
  await writeFile(join(fixed, "day1.ndjson"), lines(ids, "right"));
  const out = join(work, "corrected-lake");
  const v1 = run("--input", `events=${first}`, "--sink", `out=fs:${out}`);
  expect(v1.status, v1.stderr).toBe(0);
  const earlier = /backfill-[0-9a-f]{16}/.exec(JSON.stringify(await import("node:fs/promises").then((f) => f.readdir(join(out, "_backfills")))))![0];

  // The corrected file without the option: written beside, and the run says which backfill it may correct.
  const beside = run("--input", `events=${fixed}`, "--sink", `out=fs:${out}`);
  expect(beside.status, beside.stderr).toBe(0);
  expect(beside.stdout).toContain(`note: 1 of these files have the names of files ${earlier} read (day1.ndjson), with other content: they are written beside its rows. If they are corrected re-exports of those files, run the same command again with --replace-backfill ${earlier}`);
  expect(await kinds(out)).toEqual([["right", 10], ["wrong", 10]]);

  // The same command again with the option: the corrected rows only.
  const replaced = run("--input", `events=${fixed}`, "--sink", `out=fs:${out}`, "--replace-backfill", earlier);
  expect(replaced.status, replaced.stderr).toBe(0);
  expect(replaced.stdout).toContain(`replaced ${earlier}: deleted its`);
  expect(replaced.stdout).not.toContain("note: 1 of these files");
  expect(await kinds(out)).toEqual([["right", 10]]);
}, 120_000);

test("corrected14: --replace-backfill refuses a backfill whose files this run has no counterpart for, or one not noted", async () => {
  const dir = join(work, "two-days");
  await mkdir(dir);
  await writeFile(join(dir, "day1.ndjson"), lines([1, 2], "a"));
  await writeFile(join(dir, "day2.ndjson"), lines([3, 4], "a"));
  const out = join(work, "corrected-lake2");
  expect(run("--input", `events=${dir}`, "--sink", `out=fs:${out}`).status).toBe(0);
  const earlier = (await import("node:fs/promises").then((f) => f.readdir(join(out, "_backfills"))))[0]!.replace(/\.json$/, "");
  const fixedDay1 = join(work, "fixed-day1");
  await mkdir(fixedDay1);
  await writeFile(join(fixedDay1, "day1.ndjson"), lines([1, 2], "b"));
  const partial = run("--input", `events=${fixedDay1}`, "--sink", `out=fs:${out}`, "--replace-backfill", earlier);
  expect(partial.status).toBe(1);
  expect(partial.stderr).toContain(`runnel run: --replace-backfill ${earlier} would delete every object of it, which also wrote the rows of 1 file this run reads no file of the same name for (day2.ndjson); those rows would be gone.`);
  const unknown = run("--input", `events=${fixedDay1}`, "--sink", `out=fs:${out}`, "--replace-backfill", "backfill-0123456789abcdef");
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain(`runnel run: --replace-backfill backfill-0123456789abcdef: no backfill of that name is noted beside these sinks (noted: ${earlier};`);
  // Nothing was written by the refused runs.
  expect(await kinds(out)).toEqual([["a", 4]]);
}, 120_000);

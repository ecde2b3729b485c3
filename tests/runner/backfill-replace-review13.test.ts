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

/**
 * `runnel run --input` over a data engineer's own exports, through the real CLI: a `;` CSV export
 * with a BOM, CRLF and a header whose case is not the sample's, and a Parquet file written by
 * DuckDB with `UserId`-style names, are read as the cell's SQL binds them over read_csv /
 * read_parquet (DuckDB folds ASCII case); the lake is compared with DuckDB's answer.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { download, runnel, uniqueName } from "./harness.ts";

const NOTEBOOK = `---
title: Events export
sources:
  events:
    webhook: { path: /events, signature: none }
    format: json
sinks:
  out:
    fs: { dir: out }
    partition_by: [day]
---

\`\`\`sql id=out sink=out
SELECT id, user_id, kind, CAST(ts AS TIMESTAMP) AS ts, amount, CAST(CAST(ts AS TIMESTAMP) AS DATE) AS day FROM events
\`\`\`
`;

const SAMPLE = [
  { id: 1, user_id: "u1", kind: "click", ts: "2026-11-01T10:00:00Z", amount: 1.5 },
  { id: 2, user_id: "u2", kind: "view", ts: "2026-11-02T11:00:00Z", amount: 2 },
];
const COLUMNS = "{'id': 'BIGINT', 'user_id': 'VARCHAR', 'kind': 'VARCHAR', 'ts': 'TIMESTAMP', 'amount': 'DOUBLE'}";
const CELL = "SELECT CAST(id AS BIGINT) AS id, CAST(user_id AS VARCHAR) AS user_id, CAST(kind AS VARCHAR) AS kind, CAST(ts AS TIMESTAMP) AS ts, CAST(amount AS DOUBLE) AS amount";

let work: string;
let bundle: string;
let db: DuckDB;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-cli13-"));
  await writeFile(join(work, "events.md"), NOTEBOOK);
  await writeFile(join(work, "sample.ndjson"), SAMPLE.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "events.md"), "--sample", `events=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  bundle = join(work, "dist", "events");
  db = await openDuckDB({ threads: 1 });
}, 120_000);

afterAll(() => db?.close());

function run(...args: string[]) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Config.secretAccessKey, RUNNEL_S3_ENDPOINT: s3Config.endpoint };
  return spawnSync(process.execPath, [runnel, "run", bundle, ...args], { encoding: "utf8", env, timeout: 120_000 });
}

/** A month's folder of NDJSON exports, one file a day, each `n` events; day `d` last modified at `d` × 1000 s. */
async function month(name: string, days: number, n = 20): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  for (let d = 1; d <= days; d++) await addDay(dir, d, n);
  return dir;
}

async function addDay(dir: string, d: number, n = 20): Promise<void> {
  const day = String(d).padStart(2, "0");
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ id: d * 1000 + i, user_id: `u${i % 3}`, kind: "click", ts: `2026-11-${day}T${String(i % 24).padStart(2, "0")}:00:00Z`, amount: i / 4 }));
  // One line a day that is not JSON: a dead letter.
  const path = join(dir, `day${day}.ndjson`);
  await writeFile(path, [...lines, "{not json"].join("\n") + "\n");
  await utimes(path, d * 1000, d * 1000);
}

/** DuckDB's answer for the cell over every `.ndjson` file of `dir`, read with the plan's pinned columns. */
async function expectedOver(dir: string): Promise<unknown[]> {
  return (await db.read(
    `SELECT *, CAST(CAST(ts AS DATE) AS VARCHAR) AS d FROM (${CELL} FROM read_json('${join(dir, "*.ndjson")}', columns = ${COLUMNS}, format = 'newline_delimited', ignore_errors = true) WHERE id IS NOT NULL) ORDER BY id`,
  )).getRowObjectsJson();
}

async function letters(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await readdir(join(dir, "_errors"), { recursive: true }).catch(() => [] as string[])) if (f.endsWith(".ndjson")) out.push(f);
  return out;
}

async function lake(dir: string): Promise<unknown[]> {
  return (await db.read(`SELECT id, user_id, kind, ts, amount, CAST(day AS VARCHAR) AS d FROM read_parquet('${join(dir, "out", "*", "*.parquet")}', hive_partitioning = true) ORDER BY id`)).getRowObjectsJson();
}

test("a CSV export (BOM, ';', CRLF, a quoted line break) and a Parquet file whose column names differ in case from the sample's are read as DuckDB binds them, not written NULL", async () => {
  const exports = join(work, "exports ü nov");
  await mkdir(exports, { recursive: true });
  const csv = join(exports, "day05 export.csv");
  await writeFile(csv, '\ufeffID;User_Id;KIND;Ts;AMOUNT\r\n5;u5;"two\r\nlines";2026-11-05T01:00:00Z;2.5\r\n6;u6;buy;2026-11-05T02:00:00Z;7\r\n');
  const parquet = join(exports, "day06.parquet");
  await db.run(`COPY (SELECT (10 + i)::INT AS Id, 'u' || i AS USER_ID, 'view' AS Kind, (TIMESTAMP '2026-11-06 00:00:00' + INTERVAL (i) MINUTE)::TIMESTAMP_MS AS TS, (i * 1.25)::DECIMAL(10,2) AS Amount FROM range(3) t(i)) TO '${parquet}' (FORMAT parquet)`);
  await utimes(csv, 1000, 1000);
  await utimes(parquet, 2000, 2000);
  const out = join(work, "lake-case");
  const r = run("--input", `events=${exports}`, "--sink", `out=fs:${out}`);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  const expected = (await db.read(
    `SELECT *, CAST(CAST(ts AS DATE) AS VARCHAR) AS d FROM (${CELL} FROM read_csv('${csv}', all_varchar = true) UNION ALL ${CELL} FROM read_parquet('${parquet}')) ORDER BY id`,
  )).getRowObjectsJson();
  expect(expected).toHaveLength(5);
  expect(expected[0]).toMatchObject({ id: "5", user_id: "u5", kind: "two\r\nlines" });
  // Before: 5 rows of NULLs under day=__HIVE_DEFAULT_PARTITION__.
  expect(await lake(out)).toEqual(expected);
}, 60_000);

test("the month's folder run again with one more day is refused, naming the files an earlier backfill wrote, and --replace writes each row once (S3)", async () => {
  const dir = await month("november", 5);
  const prefix = `${uniqueName("cli13-month")}/`;
  const sink = `out=s3://${s3Config.bucket}/${prefix}`;
  const first = run("--input", `events=${dir}`, "--sink", sink);
  expect(first.status, first.stdout + first.stderr).toBe(0);
  expect(first.stdout).toContain("105 events → 100 rows");

  await addDay(dir, 6);
  const again = run("--input", `events=${dir}`, "--sink", sink);
  // Before: exit 0 and 220 rows in the lake, days 1–5 twice.
  expect(again.status, again.stdout + again.stderr).toBe(1);
  expect(again.stderr).toMatch(/the sinks already hold the rows of 5 of these 6 files \(day01\.ndjson, day02\.ndjson, day03\.ndjson, day04\.ndjson, day05\.ndjson\), written by backfill-[0-9a-f]{16} on \d{4}-\d\d-\d\dT[^ ]+ from 5 files; running them again would write those rows twice\./);
  expect(again.stderr).toContain("--replace");
  let got = await download(prefix);
  expect(await lake(got.dir)).toHaveLength(100);

  const replaced = run("--input", `events=${dir}`, "--sink", sink, "--replace");
  expect(replaced.status, replaced.stdout + replaced.stderr).toBe(0);
  expect(replaced.stdout).toMatch(/replaced backfill-[0-9a-f]{16}: deleted its \d+ objects? and its note/);
  got = await download(prefix);
  const expected = await expectedOver(dir);
  expect(expected).toHaveLength(120);
  expect(await lake(got.dir)).toEqual(expected);
  // One file of dead letters (six lines that are not JSON), the earlier backfill's gone.
  expect(got.keys.filter((k) => k.startsWith("_errors/"))).toHaveLength(1);

  // Only the new day's file, into a lake of days 1–5: beside them, nothing refused.
  const other = `out=s3://${s3Config.bucket}/${uniqueName("cli13-new-only")}/`;
  expect(run("--input", `events=${join(dir, "day0[1-5].ndjson")}`, "--sink", other).status).toBe(0);
  const newOnly = run("--input", `events=${join(dir, "day06.ndjson")}`, "--sink", other);
  expect(newOnly.status, newOnly.stdout + newOnly.stderr).toBe(0);
}, 120_000);

test("the same files run again after other flush bounds, and on another day, leave one copy of each row and of each dead letter", async () => {
  const dir = await month("december", 3);
  const out = join(work, "lake-rerun");
  const small = run("--input", `events=${dir}`, "--sink", `out=fs:${out}`, "--flush-rows", "7");
  expect(small.status, small.stdout + small.stderr).toBe(0);
  // What a run of these files on an earlier day left: its dead letters under that day.
  const [letter] = await letters(out);
  const earlier = join(out, "_errors", letter!.replace(/day=\d{4}-\d\d-\d\d/, "day=2026-01-01"));
  await mkdir(join(earlier, ".."), { recursive: true });
  await writeFile(earlier, '{"reason":"x","raw":"{not json","source":"events","at":"2026-01-01T00:00:00.000Z"}\n');

  const r = run("--input", `events=${dir}`, "--sink", `out=fs:${out}`);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  // Before: 120 rows (the 7-row flushes and this run's) and two dead-letter files.
  expect(await lake(out)).toEqual(await expectedOver(dir));
  expect(await letters(out)).toHaveLength(1);
  expect(r.stdout).toMatch(/deleted \d+ objects? an earlier run of these files wrote and this one did not/);
}, 120_000);

test("a bad --sink target is a usage error (exit 2) said once, and a bare folder is shown as fs:", async () => {
  const dir = await month("bad-sink", 1);
  const ftp = run("--input", `events=${dir}`, "--sink", "out=ftp://host/x");
  expect(ftp.status).toBe(2);
  expect(ftp.stderr).toBe("runnel run: --sink out=ftp://host/x: expected fs:<dir> or s3://<bucket>/<prefix>\n");
  const bare = run("--input", `events=${dir}`, "--sink", "out=./lake");
  expect(bare.status).toBe(2);
  expect(bare.stderr).toContain("(a folder is fs:./lake)");
}, 60_000);

test("progress says how far through the input bytes the run is", async () => {
  const dir = join(work, "big");
  await mkdir(dir, { recursive: true });
  const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ id: i, user_id: "u", kind: "view", ts: "2026-11-20T00:00:00Z", amount: i }));
  await writeFile(join(dir, "big.ndjson"), lines.join("\n") + "\n");
  const r = run("--input", `events=${dir}`, "--sink", `out=fs:${join(work, "lake-big")}`);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  // The first batch of 10,000 events is shown at once: a share of the file's size.
  expect(r.stderr).toMatch(/^ {2}10000 events \(\d+\/s\) · \d+% of [\d.]+ MiB · 10000 rows/m);
}, 60_000);

test("Ctrl-C mid-way says what was written and what to do (exit 130), and the same command again leaves each row once", async () => {
  const dir = join(work, "interrupted");
  await mkdir(dir, { recursive: true });
  const lines = Array.from({ length: 200_000 }, (_, i) => JSON.stringify({ id: i, user_id: `u${i % 5}`, kind: "buy", ts: `2026-11-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00Z`, amount: i % 100 }));
  await writeFile(join(dir, "export.ndjson"), lines.join("\n") + "\n");
  const out = join(work, "lake-interrupted");
  const args = ["--input", `events=${dir}`, "--sink", `out=fs:${out}`, "--flush-rows", "20000"];
  const child = spawn(process.execPath, [runnel, "run", bundle, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const status = await new Promise<number | null>((resolve) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      // Interrupted at its first progress line, after the first batch and before the end.
      if (/\d+ events? \(/.test(stderr) && !child.killed) child.kill("SIGINT");
    });
    child.on("exit", (code) => resolve(code));
  });
  // Before: killed by the signal without a word (status null, nothing on stderr but progress).
  expect(status).toBe(130);
  expect(stderr).toMatch(/runnel run: interrupted after \d+ events? \(file 1\/1\)\. What was written is whole; run the same command again/);
  const again = run(...args);
  expect(again.status, again.stdout + again.stderr).toBe(0);
  const [count] = (await db.read(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM read_parquet('${join(out, "out", "*", "*.parquet")}')`)).getRowObjectsJson();
  expect(count).toEqual({ n: 200_000, ids: 200_000 });
}, 120_000);

/**
 * Dead letters replayed through a fixed notebook: a cast that refused some
 * events, fixed and published again; `runnel run --replay` over the first
 * run's `_errors/` writes exactly what DuckDB answers for those events, and
 * what still fails is a dead letter again with the new reason.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { listInputs } from "../../edge/runner/read-inputs.ts";
import { runnel } from "./harness.ts";

const notebook = (amount: string, window = false) => `---
title: Orders
sources:
  orders:
    kafka: { topic: orders, brokers: ["127.0.0.1:9092"] }
    format: json
sinks:
  lake:
    fs: { dir: data, prefix: orders/ }
    partition_by: [day]
---

\`\`\`sql id=clean sink=lake
${window
  ? "SELECT time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS minute, count(*) AS n, CAST(CAST(ts AS TIMESTAMP) AS DATE) AS day FROM orders GROUP BY ALL"
  : `SELECT id, ${amount} AS amount, CAST(CAST(ts AS TIMESTAMP) AS DATE) AS day FROM orders`}
\`\`\`
`;

const events = [
  { id: 1, amount: "12", ts: "2026-03-01 10:00:00" },
  { id: 2, amount: "1,250", ts: "2026-03-01 10:01:00" },
  { id: 3, amount: "€ 7", ts: "2026-03-01 10:02:00" },
  { id: 4, amount: "n/a", ts: "2026-03-02 09:00:00" },
  { id: 5, amount: "40", ts: "2026-03-02 09:30:00" },
];

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [runnel, ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

async function publish(dir: string, text: string, sample: string): Promise<string> {
  const file = join(dir, "orders.md");
  await writeFile(file, text);
  const out = join(dir, "dist");
  const r = cli(["publish", file, "--out", out, "--sample", `orders=${sample}`]);
  expect(r.status, r.out + r.err).toBe(0);
  return join(out, "orders");
}

describe("runnel run --replay", () => {
  test("a fixed cast replays the refused events: DuckDB's rows for them, and the still-bad one a dead letter with the new reason", { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "runnel-replay-"));
    const sample = join(dir, "orders.ndjson");
    await writeFile(sample, events.map((e) => JSON.stringify(e)).join("\n") + "\n");

    const first = await publish(join(await mkdtemp(join(tmpdir(), "runnel-replay-a-"))), notebook("CAST(amount AS INTEGER)"), sample);
    const lake = join(dir, "lake");
    const run = cli(["run", first, "--input", `orders=${sample}`, "--sink", `lake=fs:${lake}`]);
    expect(run.status, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/5 events → 2 rows in .*; 3 dead letters/);

    // The fix: digits only, and no digits is NULL, not an error.
    const fixedSql = "TRY_CAST(regexp_replace(amount, '[^0-9]', '', 'g') AS INTEGER)";
    const fixed = await publish(join(await mkdtemp(join(tmpdir(), "runnel-replay-b-"))), notebook(fixedSql), sample);
    const replayed = join(dir, "replayed");
    const again = cli(["run", fixed, "--replay", join(lake, "_errors"), "--sink", `lake=fs:${replayed}`]);
    expect(again.status, again.out + again.err).toBe(0);
    expect(again.out).toContain("replaying 3 of orders dead letters from");
    expect(again.out).toMatch(/3 events → 3 rows/);

    const db = await openDuckDB({ threads: 1 });
    try {
      const bad = events.filter((e) => [2, 3, 4].includes(e.id));
      // The refused events as the notebook's DuckDB reads them (read_json's types).
      await writeFile(join(dir, "bad.ndjson"), bad.map((e) => JSON.stringify(e)).join("\n") + "\n");
      await db.run(`CREATE TABLE orders AS SELECT * FROM read_json('${join(dir, "bad.ndjson")}')`);
      const expected = (await db.read(`SELECT id, ${fixedSql} AS amount, CAST(CAST(ts AS TIMESTAMP) AS DATE)::VARCHAR AS day FROM orders ORDER BY id`)).getRows();
      const got = (await db.read(`SELECT id, amount, day::VARCHAR FROM read_parquet('${replayed}/lake/**/*.parquet', hive_partitioning = true) ORDER BY id`)).getRows();
      expect(got).toEqual(expected);
      expect(got.map((r) => r[1])).toEqual([1250, 7, null]);
    } finally {
      db.close();
    }

    // Replayed into the same lake (as the bundle's own sink would be): the backfill's files stay, the
    // replay's go beside them under their own writer name, and the lake holds every event once.
    const same = cli(["run", fixed, "--replay", join(lake, "_errors"), "--sink", `lake=fs:${lake}`]);
    expect(same.status, same.out + same.err).toBe(0);
    expect(same.out).toMatch(/move the folder aside first/);
    const db2 = await openDuckDB({ threads: 1 });
    try {
      const ids = (await db2.read(`SELECT id FROM read_parquet('${lake}/lake/**/*.parquet') ORDER BY id`)).getRows().map((r) => Number(r[0]));
      expect(ids).toEqual([1, 2, 3, 4, 5]);
      const files = (await db2.read(`SELECT count(DISTINCT filename) FROM read_parquet('${lake}/lake/**/*.parquet', filename = true) WHERE filename LIKE '%/replay-%'`)).getRows();
      expect(Number(files[0]![0])).toBeGreaterThan(0);
    } finally {
      db2.close();
    }

    // The same letters replayed a second time (a retry after a crash, or twice by mistake): the
    // replay's objects are named by what it replays, so they are written again in place and the
    // lake still holds every event once.
    const twice = cli(["run", fixed, "--replay", join(lake, "_errors"), "--sink", `lake=fs:${lake}`]);
    expect(twice.status, twice.out + twice.err).toBe(0);
    expect(twice.out).toMatch(/this replay writes as replay-[0-9a-f]{16}, so replaying the same letters again replaces its files/);
    const db3 = await openDuckDB({ threads: 1 });
    try {
      const ids = (await db3.read(`SELECT id FROM read_parquet('${lake}/lake/**/*.parquet') ORDER BY id`)).getRows().map((r) => Number(r[0]));
      expect(ids).toEqual([1, 2, 3, 4, 5]);
    } finally {
      db3.close();
    }

    // Still failing under the new notebook: a stricter cast refuses again, with the reason of this run.
    const strict = await publish(join(await mkdtemp(join(tmpdir(), "runnel-replay-c-"))), notebook("CAST(replace(amount, ',', '') AS INTEGER)"), sample);
    const third = join(dir, "third");
    const r3 = cli(["run", strict, "--replay", join(lake, "_errors"), "--sink", `lake=fs:${third}`]);
    expect(r3.status, r3.out + r3.err).toBe(0);
    expect(r3.out).toMatch(/3 events → 1 row .*; 2 dead letters/);
    const letters = (await Promise.all((await listInputs(join(third, "_errors"))).map(async (f) => decodeDeadLetters(await readFile(f.path))))).flat();
    expect(letters.map((l) => JSON.parse(l.raw).id).sort()).toEqual([3, 4]);
    expect(letters.every((l) => /Could not convert string/.test(l.reason))).toBe(true);
  });

  test("a bundle with a windowed aggregate refuses a replay and says why; --replay with --input is a usage error", { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "runnel-replay-w-"));
    const sample = join(dir, "orders.ndjson");
    await writeFile(sample, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const bundle = await publish(dir, notebook("", true), sample);
    const r = cli(["run", bundle, "--replay", dir, "--sink", `lake=fs:${join(dir, "out")}`]);
    expect(r.status).toBe(1);
    expect(r.err).toContain("replay: sink lake aggregates over tumbling windows (cell clean)");
    const both = cli(["run", bundle, "--replay", dir, "--input", `orders=${sample}`]);
    expect(both.status).toBe(2);
    expect(both.err).toContain("--replay and --input are two runs");
  });

  test("a run writing many files lists a screenful of them and counts the rest", { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "runnel-many-"));
    const sample = join(dir, "orders.ndjson");
    const many = Array.from({ length: 60 }, (_, i) => ({ id: i, amount: "1", ts: `2026-03-${String((i % 28) + 1).padStart(2, "0")} 10:00:00` }));
    await writeFile(sample, many.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const bundle = await publish(dir, notebook("CAST(amount AS INTEGER)").replace("partition_by: [day]", "partition_by: [id]"), sample);
    const r = cli(["run", bundle, "--input", `orders=${sample}`, "--sink", `lake=fs:${join(dir, "out")}`]);
    expect(r.status, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/60 events → 60 rows in 60 files/);
    expect(r.out.split("\n").filter((l) => /^  lake\/id=/.test(l))).toHaveLength(50);
    expect(r.out).toContain("  … and 10 more files");
  });
});

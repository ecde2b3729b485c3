/**
 * A backfill of Parquet files (`runnel run <bundle> --input src=file.parquet`) writes what DuckDB
 * answers for the cell's SQL over `read_parquet` with each column cast to the plan's source type,
 * the table the pipeline reads: a DECIMAL(38,10) the plan reads as text keeps every digit and its
 * scale's zeros, one it reads as DECIMAL keeps its value. Where the plan reads such a column as a
 * DOUBLE, which keeps 15 digits, the run stops before writing anything and says what to do.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { kafka as kafkaConfig } from "../servers/config.ts";
import { runnel } from "./harness.ts";

const notebook = (select: string) => `---
title: Parquet backfill
sources:
  ev:
    kafka: { topic: parquet-backfill-unused, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: json
sinks:
  out:
    fs: { dir: out, prefix: ev/ }
---

\`\`\`sql id=out sink=out
${select}
\`\`\`
`;

function cli(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [runnel, ...args], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

async function publish(select: string, sample: string): Promise<{ dir: string; bundle: string }> {
  const dir = await mkdtemp(join(tmpdir(), "runnel-parquet-backfill-"));
  await writeFile(join(dir, "pq.md"), notebook(select));
  await writeFile(join(dir, "sample.ndjson"), sample);
  const r = cli(["publish", join(dir, "pq.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`]);
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.output}`);
  return { dir, bundle: join(dir, "dist", "pq") };
}

/** A Parquet file DuckDB writes, with a DECIMAL(38,10) amount and a DECIMAL(38,0) integer (Parquet has no 128-bit integer: Spark writes such numbers so, DuckDB writes a HUGEINT as DOUBLE). */
async function parquetInput(dir: string): Promise<string> {
  const path = join(dir, "history.parquet");
  const db = await openDuckDB({ threads: 1 });
  try {
    await db.run(`COPY (SELECT id::INTEGER AS id, amount::DECIMAL(38,10) AS amount, big::DECIMAL(38,0) AS big FROM (VALUES
      ('1', '1234567890123456789012345678.1234567891', '99999999999999999999999999999999999999'),
      ('2', '0.1', '12'),
      ('3', '-99999999999999999999.9999990001', '-98765432109876543210987654321')
    ) t(id, amount, big)) TO '${path}'`);
  } finally {
    db.close();
  }
  return path;
}

describe("a backfill of Parquet files", () => {
  test("a DECIMAL(38,10) column the plan reads as text or DECIMAL and a DECIMAL(38,0) the plan reads as HUGEINT keep every digit: the lake holds what DuckDB answers over read_parquet cast to the plan's source types", { timeout: 180_000 }, async () => {
    const select = "SELECT id, amount AS amount_text, CAST(amount AS DECIMAL(38,10)) AS amount, big, big - 1 AS next FROM ev";
    // The live events carry the amount as text, as money often travels in JSON; an integer between 2^63 and 2^64 makes the column HUGEINT.
    const { dir, bundle } = await publish(select, '{"id": 1, "amount": "12.34", "big": 10000000000000000000}\n{"id": 2, "amount": "0.5", "big": 7}\n');
    const input = await parquetInput(dir);
    const out = join(dir, "lake");
    const run = cli(["run", bundle, "--input", `ev=${input}`, "--sink", `out=fs:${out}`]);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/3 events → 3 rows .* 0 dead letters/);

    const db = await openDuckDB({ threads: 1 });
    try {
      const written = (await db.read(`SELECT id::INTEGER, amount_text, amount::VARCHAR, big::VARCHAR, next::VARCHAR FROM read_parquet('${out}/**/*.parquet') ORDER BY id`)).getRows();
      await db.run(`CREATE TABLE ev AS SELECT id::BIGINT AS id, amount::VARCHAR AS amount, big::HUGEINT AS big FROM read_parquet('${input}')`);
      const expected = (await db.read(`SELECT id::INTEGER, amount_text, amount::VARCHAR, big::VARCHAR, next::VARCHAR FROM (${select}) ORDER BY id`)).getRows();
      expect(expected[0]).toEqual([1, "1234567890123456789012345678.1234567891", "1234567890123456789012345678.1234567891", "99999999999999999999999999999999999999", "99999999999999999999999999999999999998"]);
      expect(expected[1]![1]).toBe("0.1000000000");
      expect(written).toEqual(expected);
    } finally {
      db.close();
    }
  });

  test("a row no Parquet file can hold (a HUGEINT past DECIMAL(38,0)) is counted as the dead letter it is written as, not as a row", { timeout: 180_000 }, async () => {
    const { dir, bundle } = await publish("SELECT id, big + 1 AS next FROM ev", '{"id": 1, "amount": "12.34", "big": 10000000000000000000}\n{"id": 2, "amount": "0.5", "big": 7}\n');
    const input = await parquetInput(dir);
    const out = join(dir, "lake");
    const run = cli(["run", bundle, "--input", `ev=${input}`, "--sink", `out=fs:${out}`]);
    expect(run.status, run.output).toBe(0);
    // Row 1's next is 10^38, past the 38 digits of DECIMAL(38,0), the Parquet type of a HUGEINT: its letter was written while the summary said 0.
    expect(run.output).toMatch(/run done in .*: 3 events → 2 rows in 1 file \(\d+ bytes\); 1 dead letter in _errors\//);
    const letters = (await readdir(out, { recursive: true })).map(String).filter((f) => f.endsWith(".ndjson"));
    expect(letters).toHaveLength(1);
  });

  test("a DECIMAL(38,10) value the plan's DOUBLE would write as another number stops the run before anything is written, naming the file, the column, both types, the value and the ways out", { timeout: 180_000 }, async () => {
    const { dir, bundle } = await publish("SELECT id, amount FROM ev", '{"id": 1, "amount": 12.5}\n{"id": 2, "amount": 0.25}\n');
    const input = await parquetInput(dir);
    const out = join(dir, "lake");
    const run = cli(["run", bundle, "--input", `ev=${input}`, "--sink", `out=fs:${out}`]);
    expect(run.status, run.output).toBe(1);
    expect(run.output).toContain(`runnel run: run: ${input}: column amount is DECIMAL(38,10) in the file, but source ev of the bundle reads it as DOUBLE (typed from its sample), which keeps 15 significant digits: 1234567890123456789012345678.1234567891 would be written as 1.2345678901234569e+27, not what read_parquet reads. Nothing was written.`);
    expect(run.output).toContain(`COPY (SELECT * REPLACE (CAST("amount" AS DOUBLE) AS "amount") FROM '${input}') TO 'copy.parquet'`);
    const written = await readdir(out, { recursive: true }).catch(() => []);
    expect(written.filter((f) => String(f).endsWith(".parquet") || String(f).endsWith(".ndjson"))).toEqual([]);
  });

  test("a DECIMAL(38,10) column whose every value a DOUBLE holds is written as DuckDB casts it", { timeout: 180_000 }, async () => {
    const { dir, bundle } = await publish("SELECT id, amount, amount * 2 AS twice FROM ev", '{"id": 1, "amount": 12.5}\n{"id": 2, "amount": 0.25}\n');
    const input = join(dir, "small.parquet");
    const db = await openDuckDB({ threads: 1 });
    try {
      await db.run(`COPY (SELECT id::INTEGER AS id, amount::DECIMAL(38,10) AS amount FROM (VALUES ('1', '0.1'), ('2', '12345.6789'), ('3', '-999999999999.99')) t(id, amount)) TO '${input}'`);
      const out = join(dir, "lake");
      const run = cli(["run", bundle, "--input", `ev=${input}`, "--sink", `out=fs:${out}`]);
      expect(run.status, run.output).toBe(0);
      const written = (await db.read(`SELECT id::INTEGER, amount, twice FROM read_parquet('${out}/**/*.parquet') ORDER BY id`)).getRows();
      await db.run(`CREATE TABLE ev AS SELECT id::BIGINT AS id, amount::DOUBLE AS amount FROM read_parquet('${input}')`);
      const expected = (await db.read("SELECT id::INTEGER, amount, amount * 2 AS twice FROM ev ORDER BY id")).getRows();
      expect(written).toEqual(expected);
      expect(written[0]).toEqual([1, 0.1, 0.2]);
    } finally {
      db.close();
    }
  });

  test("a DECIMAL inside a STRUCT or LIST the plan reads as text, and a DECIMAL the plan reads as BIGINT, land as DuckDB casts them: every digit, the scale's zeros, x.5 rounded away from zero", { timeout: 180_000 }, async () => {
    const select = "SELECT id, p.amount AS nested, prices, whole FROM ev";
    // Money as text in the live events (strings in a struct and a list), whole units as integers.
    const { dir, bundle } = await publish(select, '{"id": 1, "p": {"amount": "12.34"}, "prices": ["1.5", "2"], "whole": 12}\n');
    const input = join(dir, "nested.parquet");
    const db = await openDuckDB({ threads: 1 });
    try {
      await db.run(`COPY (SELECT id::INTEGER AS id, {'amount': a::DECIMAL(38,10)} AS p, [a::DECIMAL(38,10), 0.10::DECIMAL(38,10)] AS prices, w::DECIMAL(38,2) AS whole FROM (VALUES
        ('1', '1234567890123456789012345678.1234567891', '2.5'), ('2', '0.1', '-2.5'), ('3', '-7', '123456789012345678.50')
      ) t(id, a, w)) TO '${input}'`);
      const out = join(dir, "lake");
      const run = cli(["run", bundle, "--input", `ev=${input}`, "--sink", `out=fs:${out}`]);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toMatch(/3 events → 3 rows .* 0 dead letters/);
      const written = (await db.read(`SELECT id::INTEGER, nested, prices, whole::VARCHAR FROM read_parquet('${out}/**/*.parquet') ORDER BY id`)).getRowsJson();
      await db.run(`CREATE TABLE ev AS SELECT id::BIGINT AS id, p::STRUCT(amount VARCHAR) AS p, prices::VARCHAR[] AS prices, whole::BIGINT AS whole FROM read_parquet('${input}')`);
      const expected = (await db.read(`SELECT id::INTEGER, nested, prices, whole::VARCHAR FROM (${select}) ORDER BY id`)).getRowsJson();
      expect(expected[0]).toEqual([1, "1234567890123456789012345678.1234567891", ["1234567890123456789012345678.1234567891", "0.1000000000"], "3"]);
      expect(written).toEqual(expected);
    } finally {
      db.close();
    }
  });
});

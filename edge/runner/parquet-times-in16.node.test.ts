/**
 * A Parquet file's TIMESTAMP WITH TIME ZONE columns (Parquet TIMESTAMP with isAdjustedToUTC, which
 * DuckDB, Spark and Arrow write for instants) reach the plan's source as DuckDB's read_parquet types
 * them, from a Parquet `--sample` through `runnel run --input`: `to_json` writes them as text
 * (`2024-01-02 10:00:00+00`), which read_json types VARCHAR, so the source was VARCHAR, comparisons
 * and `date_trunc` read text, and the lake held VARCHAR where DuckDB has TIMESTAMP WITH TIME ZONE. A
 * TIMESTAMP_NS column, which no pipeline holds (it keeps microseconds), is refused by name.
 * The files are DuckDB's own (COPY ... TO), and the lake is read back with DuckDB.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openDuckDB } from "../duckdb/open.node.ts";
import type { Plan } from "../plan/types.ts";
import { main } from "../../gateway/cli/main.ts";
import { capturedOutput } from "../../gateway/cli/captured-output.ts";
import { rowsAsText } from "../duckdb/rows-text.node.ts";

const { out, err } = capturedOutput();

const rowsOf = rowsAsText;

async function run(sql: string): Promise<void> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await db.run(sql);
  } finally {
    db.close();
  }
}

const notebook = (lake: string, select: string): string =>
  `---\ntitle: times\nsources:\n  s:\n    webhook: { signature: none }\nsinks:\n  lake:\n    fs: { dir: ${lake} }\n---\n\n\`\`\`sql id=times sink=lake\n${select}\n\`\`\`\n`;

test("a TIMESTAMPTZ column of a Parquet sample and input is TIMESTAMP WITH TIME ZONE in the plan and the lake, its values and date_trunc/comparisons as DuckDB's over read_parquet", { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-in16-tz-"));
  const sample = join(dir, "sample.parquet");
  const input = join(dir, "history.parquet");
  // A whole second, microseconds, an offset other than UTC (stored as the instant), a NULL; one nested in a STRUCT.
  const rows = (values: string) => `COPY (SELECT id::INTEGER AS id, ts::TIMESTAMPTZ AS ts, {'at': ts::TIMESTAMPTZ} AS s FROM (VALUES ${values}) v(id, ts)) TO`;
  await run(`${rows("(1, '2024-01-02 10:00:00+00'), (2, '2024-01-02 10:59:59.999999+00')")} '${sample}'`);
  await run(`${rows("(1, '2024-01-02 10:00:00+00'), (2, '2024-01-02 11:30:00.123456+02'), (3, '2024-01-02 10:30:00.5+00'), (4, NULL), (5, '1969-12-31 23:59:59.000001+00'), (6, 'infinity'), (7, '-infinity')")} '${input}'`);
  const select = "SELECT id, ts, date_trunc('hour', ts) AS hour, ts > TIMESTAMPTZ '2024-01-02 09:45:00+00' AS late, s.at AS nested, ts + INTERVAL 90 MINUTE AS later FROM s";
  const file = join(dir, "times.md");
  await writeFile(file, notebook(join(dir, "lake"), select));

  expect(await main(["publish", file, "--sample", `s=${sample}`, "--out", join(dir, "dist")]), err.join("")).toBe(0);
  expect(out.join("")).toContain("sample of s: ts TIMESTAMP WITH TIME ZONE, s STRUCT(\"at\" TIMESTAMP WITH TIME ZONE) as the Parquet file holds them");
  const plan = JSON.parse(await readFile(join(dir, "dist", "times", "plan.json"), "utf8")) as Plan;
  expect(plan.sources.s!.schema.find((c) => c.name === "ts")).toEqual({ name: "ts", type: "TIMESTAMP WITH TIME ZONE" });

  const lake = join(dir, "out");
  expect(await main(["run", join(dir, "dist", "times"), "--input", `s=${input}`, "--sink", `lake=fs:${lake}`]), err.join("")).toBe(0);
  const query = "SELECT id::VARCHAR, ts::VARCHAR, hour::VARCHAR, late::VARCHAR, nested::VARCHAR, later::VARCHAR, typeof(ts), typeof(hour), typeof(nested) FROM";
  const written = await rowsOf(`${query} read_parquet('${lake}/**/*.parquet') ORDER BY id`);
  expect(written).toEqual(await rowsOf(`${query} (${select.replace(/FROM s$/, `FROM read_parquet('${input}')`)}) ORDER BY id`));
  expect(written[1]!.slice(0, 4)).toEqual(["2", "2024-01-02 09:30:00.123456+00", "2024-01-02 09:00:00+00", "false"]);
  expect(written[0]![6]).toBe("TIMESTAMP WITH TIME ZONE");
});

test("a TIMESTAMP_NS column of a Parquet sample is refused by name, saying how to make a sample a pipeline holds, where it was typed VARCHAR without a word", { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-in16-ns-"));
  const sample = join(dir, "sample.parquet");
  await run(`COPY (SELECT 1 AS id, TIMESTAMP_NS '2024-01-02 10:00:00.123456789' AS ns) TO '${sample}'`);
  expect(await rowsOf(`SELECT column_type FROM (DESCRIBE SELECT ns FROM read_parquet('${sample}'))`)).toEqual([["TIMESTAMP_NS"]]);
  const file = join(dir, "times.md");
  await writeFile(file, notebook(join(dir, "lake"), "SELECT id, ns FROM s"));
  expect(await main(["publish", file, "--sample", `s=${sample}`, "--out", join(dir, "dist")])).not.toBe(0);
  const said = err.join("");
  expect(said).toContain(`column ns is TIMESTAMP_NS in the Parquet file, which a pipeline does not hold; a pipeline holds timestamps in microseconds (TIMESTAMP)`);
  expect(said).toContain(`COPY (SELECT * REPLACE (CAST("ns" AS TIMESTAMP) AS "ns") FROM '${sample}') TO 'sample.parquet'`);

  // The copy it suggests is a sample a pipeline holds, and the original file backfills into it as DuckDB's CAST reads it (truncated to microseconds).
  const copy = join(dir, "copy.parquet");
  await run(`COPY (SELECT * REPLACE (CAST("ns" AS TIMESTAMP) AS "ns") FROM '${sample}') TO '${copy}'`);
  expect(await main(["publish", file, "--sample", `s=${copy}`, "--out", join(dir, "dist")]), err.join("")).toBe(0);
  const lake = join(dir, "out");
  expect(await main(["run", join(dir, "dist", "times"), "--input", `s=${sample}`, "--sink", `lake=fs:${lake}`]), err.join("")).toBe(0);
  expect(await rowsOf(`SELECT ns::VARCHAR, typeof(ns) FROM read_parquet('${lake}/**/*.parquet')`)).toEqual(await rowsOf(`SELECT CAST(ns AS TIMESTAMP)::VARCHAR, 'TIMESTAMP' FROM read_parquet('${sample}')`));
});

test("a TIME WITH TIME ZONE column of a Parquet sample (a TIME adjusted to UTC) is refused by name with the cast to TIME, not typed VARCHAR", { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-in16-timetz-"));
  const sample = join(dir, "sample.parquet");
  await run(`COPY (SELECT 1 AS id, TIMETZ '10:00:00+02' AS opens) TO '${sample}'`);
  const file = join(dir, "times.md");
  await writeFile(file, notebook(join(dir, "lake"), "SELECT id FROM s"));
  expect(await main(["publish", file, "--sample", `s=${sample}`, "--out", join(dir, "dist")])).not.toBe(0);
  expect(err.join("")).toContain(`column opens is TIME WITH TIME ZONE in the Parquet file, which a pipeline does not hold; a pipeline holds TIME, as DuckDB's CAST("opens" AS TIME) makes it, so the source cannot be typed as read_parquet reads it.`);
});

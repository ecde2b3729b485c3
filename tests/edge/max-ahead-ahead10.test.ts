import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { type DuckDB, loadJsonTexts, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { root } from "./harness.ts";

/**
 * The turnstile notebook fed 31 readings, one from a device whose clock reads 9999-12-31. Until
 * 2026-12-06 that reading moved the sink's watermark to the end of time: `runnel run` wrote 2 rows and
 * made the 29 later readings late dead letters. Now an event time more than the sink's `max_ahead`
 * (default a day) ahead of the run's clock is one dead letter, with its reason, and moves no watermark.
 */
const notebookOf = (maxAhead: string | null) =>
  readFileSync(join(root, "notebooks", "turnstile.md"), "utf8").replace(
    "    s3: { bucket: lake, prefix: turnstile/ }\n",
    `    fs: { dir: out }\n${maxAhead === null ? "" : `    max_ahead: ${maxAhead}\n`}`,
  );

const reading = (i: number, ts: string) =>
  JSON.stringify({ station: "59 ST", ca: "A002", unit: "R051", scp: `00-00-0${i % 3}`, linename: "NQR456W", division: "IRT", ts, desc: "REGULAR", entries: 100 + i, exits: 200 + i });
const at = (i: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + i * 20_000).toISOString();
/** 30 readings 20 s apart, in order. */
const GOOD = Array.from({ length: 30 }, (_, i) => reading(i, at(i)));
const FAR = reading(99, "9999-12-31T00:00:00.000Z");
/** The far-future reading second: every later one would be late behind it. */
const INPUT = [GOOD[0]!, FAR, ...GOOD.slice(1)];

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});
let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
  cleanup.push(() => db.close());
});

const runnel = join(root, "bin", "runnel.js");

/** Publishes the notebook (its sample: the 30 good readings), runs `input` through `runnel run`; the written rows, DuckDB's over `expectedOver`, the dead letters and the summary. */
async function publishAndRun(text: string, input: string[], expectedOver: string[]) {
  const work = mkdtempSync(join(tmpdir(), "runnel-ahead10-"));
  cleanup.push(() => rmSync(work, { recursive: true, force: true }));
  writeFileSync(join(work, "turnstile.md"), text);
  writeFileSync(join(work, "sample.ndjson"), `${GOOD.join("\n")}\n`);
  writeFileSync(join(work, "input.ndjson"), `${input.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "turnstile.md"), "--sample", `turnstile=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const bundle = join(work, "dist", "turnstile");
  const plan = JSON.parse(readFileSync(join(bundle, "plan.json"), "utf8")) as Plan;
  const out = join(work, "out");
  const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `turnstile=${join(work, "input.ndjson")}`, "--sink", `lake=fs:${out}`], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const errors = join(out, "_errors");
  const letters = existsSync(errors)
    ? ((await db.read(`SELECT reason, raw FROM read_json('${errors}/**/*', format = 'newline_delimited', columns = {reason: 'VARCHAR', raw: 'VARCHAR'})`)).getRowObjectsJson() as { reason: string; raw: string }[])
    : [];
  const cells = parseNotebook(text, "turnstile.md").notebook.cells.flatMap((c) => (c.language === "sql" && c.id ? [{ id: c.id, code: c.code }] : []));
  await loadJsonTexts(db, "turnstile", expectedOver, { schema: plan.sources.turnstile!.schema });
  for (const c of cells) await db.run(`CREATE OR REPLACE VIEW ${quoteIdent(c.id)} AS ${c.code}`);
  const op = plan.pipelines[0]!.ops.at(-1) as SinkOp;
  const expected = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM per_minute ORDER BY ALL`)).getRowObjectsJson();
  const got = (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM (${datasetSql(`${out}/lake/**/*.parquet`, op.schema, op.partitionBy)}) ORDER BY ALL`)).getRowObjectsJson();
  return { plan, expected, got, letters, summary: run.stdout };
}

describe("an event time far ahead of the clock in a windowed sink", () => {
  test("runnel run writes DuckDB's rows over the other 30 readings and makes the far one a dead letter with its reason", async () => {
    const r = await publishAndRun(notebookOf(null), INPUT, GOOD);
    expect(r.got).toEqual(r.expected);
    expect(r.got).toHaveLength(30);
    expect(r.letters).toHaveLength(1);
    expect(r.letters[0]!.reason).toMatch(/^lake: event time 9999-12-31 00:00:00 is more than 1 day ahead of the pipeline's clock \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC; max_ahead 1 day\); taken into the window it would make every later event late/);
    expect(JSON.parse(r.letters[0]!.raw).ts).toBe("9999-12-31T00:00:00.000Z");
    expect(r.summary).toContain("31 events → 30 rows");
    expect(r.summary).toMatch(/; 1 dead letter( in |$)/m);
  }, 240_000);

  test("max_ahead: off keeps the old behaviour: 2 rows, the 29 later readings late", async () => {
    const r = await publishAndRun(notebookOf("off"), INPUT, [GOOD[0]!, FAR]);
    expect(r.got).toEqual(r.expected);
    expect(r.got).toHaveLength(2);
    expect(r.letters).toHaveLength(29);
    for (const l of r.letters) expect(l.reason).toMatch(/^lake: late event: /);
  }, 240_000);

  test("a reading 2 hours ahead of the clock is within the default day and is written", async () => {
    // Relative to the run's clock (real time: `runnel run` reads it), last, so it makes nothing late.
    const soon = reading(98, new Date(Date.now() + 2 * 3600_000).toISOString().replace(/\.\d+Z$/, ".000Z"));
    const r = await publishAndRun(notebookOf(null), [...GOOD, soon], [...GOOD, soon]);
    expect(r.letters).toEqual([]);
    expect(r.got).toEqual(r.expected);
    expect(r.got).toHaveLength(31);
  }, 240_000);
});

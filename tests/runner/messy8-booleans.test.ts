/**
 * A flag published from a sample of JSON booleans, then run over a later file where a sender
 * writes it as text. DuckDB's read_json, with the column pinned BOOLEAN, reads `"t"`, `"True"`,
 * `"no"`, but refuses `"1"`, `"0"`, `"y"` and `"N"` (it casts strictly, unlike CAST), so those
 * events must be dead letters, not rows; before, the pipeline read them as CAST does.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { runnel } from "./harness.ts";

const NOTEBOOK = `---
title: Flags
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: json
sinks:
  flags:
    fs: { dir: out/flags }
---

\`\`\`sql id=flags sink=flags
SELECT id, opted_in, NOT opted_in AS opted_out FROM ev
\`\`\`
`;

const SAMPLE = ['{"id":1,"opted_in":true}', '{"id":2,"opted_in":false}', '{"id":3,"opted_in":null}'];
const LATER = ["t", "True", "no", "YES", "f", "1", "0", "y", "N", "on", " true"].map((v, i) => `{"id":${10 + i},"opted_in":${JSON.stringify(v)}}`);

test("text flags the pinned BOOLEAN column reads are rows, and exactly the ones DuckDB's read_json refuses are dead letters", async () => {
  const work = await mkdtemp(join(tmpdir(), "runnel-messy8-flags-"));
  await writeFile(join(work, "flags.md"), NOTEBOOK);
  await writeFile(join(work, "sample.ndjson"), `${SAMPLE.join("\n")}\n`);
  await writeFile(join(work, "later.ndjson"), `${LATER.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "flags.md"), "--sample", `ev=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  const bundle = join(work, "dist", "flags");
  const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
  expect(plan.sources.ev!.schema.find((c) => c.name === "opted_in")?.type).toBe("BOOLEAN");
  const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `ev=${join(work, "later.ndjson")}`, "--sink", `flags=fs:${join(work, "out")}`], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

  // DuckDB, one line at a time with the published schema: which lines it reads, and as what.
  const db = await openDuckDB({ threads: 1 });
  const read = new Map<number, boolean>();
  const refused: number[] = [];
  try {
    for (const line of LATER) {
      const id = (JSON.parse(line) as { id: number }).id;
      try {
        await loadJsonTexts(db, "ev", [line], { schema: plan.sources.ev!.schema });
        read.set(id, (await db.read("SELECT opted_in FROM ev")).getRowsJson()[0]![0] as boolean);
      } catch {
        refused.push(id);
      }
    }
    expect(refused).toEqual([15, 16, 17, 18, 19, 20]);
    const files = (await readdir(join(work, "out", "flags"))).filter((f) => f.endsWith(".parquet"));
    const rows = (await db.read(`SELECT id, opted_in FROM read_parquet([${files.map((f) => `'${join(work, "out", "flags", f)}'`).join(", ")}]) ORDER BY id`)).getRowsJson();
    expect(rows.map(([id, v]) => [Number(id), v])).toEqual([...read].map(([id, v]) => [id, v]));
  } finally {
    db.close();
  }
  const errors: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else errors.push(join(d, e.name));
    }
  };
  await walk(join(work, "out", "_errors"));
  const letters = (await Promise.all(errors.map(async (f) => decodeDeadLetters(await readFile(f))))).flat();
  expect(letters.map((l) => (JSON.parse(l.raw) as { id: number }).id).sort((a, b) => a - b)).toEqual(refused);
  expect(letters.find((l) => l.raw.includes('"1"'))?.reason).toContain('field opted_in: Failed to cast value to numerical: "1"');
}, 120_000);

/**
 * Payload shapes found by the eighth messy-data hunt, end to end: an object with the empty key
 * after a named one (a form field named ""), and numbers past a double's range (`1e400`) in a
 * field that is text in other events. `runnel publish` checks the notebook on them as its sample,
 * `runnel run` writes them from the file, and DuckDB, reading the Parquet back, must find its own
 * answer over the same lines; an event the pipeline refuses keeps its text as it was written.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { loadJsonTexts, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { runnel } from "./harness.ts";

const NOTEBOOK = `---
title: Messy payloads
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: json
sinks:
  flat:
    fs: { dir: out/flat }
  sized:
    fs: { dir: out/sized }
  everything:
    fs: { dir: out/everything }
---

\`\`\`sql id=flat sink=flat
SELECT id, form::VARCHAR AS form_text, form->>'name' AS name, json_type(form, '$.name') AS name_type, reading, length(reading) AS reading_len,
  TRY_CAST(reading AS DOUBLE) AS reading_num
FROM ev
\`\`\`

\`\`\`sql id=sized sink=sized
SELECT id, CAST(size AS INTEGER) AS size FROM ev
\`\`\`

\`\`\`sql id=everything sink=everything
SELECT * FROM ev
\`\`\`
`;

// "reading" is text from most senders and a bare number from one; "size" fails its cast past INTEGER.
const LINES = [
  '{"id":1,"":"top-level unnamed","form":{"name":"Zoë","":"an unnamed field"},"reading":"12.5","size":1,"nul\\u0000key":1}',
  '{"id":2,"form":{"name":null,"":null,"extra":[1,2]},"reading":1e400,"size":2}',
  '{"id":3,"form":{"name":"x"},"reading":-2E308,"size":3}',
  '{"id":4,"form":null,"reading":1.5e300,"size":4}',
  '{"id":5,"form":{"":{"":""}},"reading":"1e400","size":5}',
  '{"id":6,"form":{"name":"مرحبا"},"reading":null,"size":6}',
  '{"id":7,"reading":1e400,"size":1e400}',
  '{"id":8,"form":{"name":"e\\u0301"},"reading":"ok","size":9999999999}',
];

let work: string;
let plan: Plan;
let published: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-messy8-"));
  await writeFile(join(work, "messy8.md"), NOTEBOOK);
  await writeFile(join(work, "events.ndjson"), `${LINES.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "messy8.md"), "--sample", `ev=${join(work, "events.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  published = `${pub.stdout}\n${pub.stderr}`;
  expect(pub.status, published).toBe(0);
  const bundle = join(work, "dist", "messy8");
  plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
  const sinks = plan.pipelines.flatMap((p) => ["--sink", `${p.sink}=fs:${join(work, "out")}`]);
  const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `ev=${join(work, "events.ndjson")}`, ...sinks], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
}, 240_000);

describe("messy payloads, published and run from a file", () => {
  test("an object with the empty key after a named one is checked (it stopped the check with DuckDB's type error) and read as JSON", () => {
    expect(published).toMatch(/agrees with DuckDB/);
    expect(published).not.toMatch(/can not be converted to a DuckDB Type/);
    expect(plan.sources.ev!.schema.find((c) => c.name === "form")?.type).toBe("JSON");
  });

  test("the Parquet DuckDB reads back is DuckDB's own answer for each sink cell, 1e400 in the text column as written", async () => {
    const db = await openDuckDB({ threads: 1 });
    try {
      // The lines as the notebook loads them: DuckDB's own inference, its column names and types.
      await loadJsonTexts(db, "ev", LINES);
      const actualOf = (sink: string): string => {
        const sinkOp = plan.pipelines.find((p) => p.sink === sink)!.ops.at(-1) as SinkOp;
        return datasetSql(`${join(work, "out")}/${sink}/**/*.parquet`, sinkOp.schema, sinkOp.partitionBy);
      };
      for (const sink of ["flat", "everything"]) {
        await db.run(`CREATE VIEW ${sink} AS ${NOTEBOOK.split(`\`\`\`sql id=${sink} sink=${sink}\n`)[1]!.split("```")[0]}`);
        const r = await db.read(`WITH expected AS (SELECT * FROM ${sink}), actual AS (${actualOf(sink)})
          SELECT (SELECT count(*) FROM actual), (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)), (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))`);
        expect({ sink, counts: r.getRows()[0]!.map(Number) }).toEqual({ sink, counts: [8, 0, 0] });
      }
      // A field of text and numbers is JSON: each value as the sender wrote it.
      expect(plan.sources.ev!.schema.find((c) => c.name === "reading")?.type).toBe("JSON");
      const rows = (await db.read(`SELECT id, reading FROM (${actualOf("flat")}) ORDER BY id`)).getRowObjectsJson();
      expect(rows.map((r) => r.reading)).toEqual(['"12.5"', "1e400", "-2E308", "1.5e300", '"1e400"', null, "1e400", '"ok"']);
      // The empty key's column is DuckDB's C1 (it was NULL in the Parquet: the pipeline read a key "C1"); the key with a NUL no SQL can name is left out.
      const everything = (await db.read(`SELECT * FROM (${actualOf("everything")}) ORDER BY id`)).getRowObjectsJson();
      expect(Object.keys(everything[0]!)).toEqual(["id", "C1", "form", "reading", "size"]);
      expect(everything.map((r) => r.C1)).toEqual(["top-level unnamed", null, null, null, null, null, null, null]);
    } finally {
      db.close();
    }
  });

  test("a refused event's dead letter holds its line as written, 1e400 and all (it was Infinity, which is not JSON)", async () => {
    const dir = join(work, "out", "_errors");
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else files.push(join(d, e.name));
      }
    };
    await walk(dir);
    const letters = (await Promise.all(files.map(async (f) => decodeDeadLetters(await readFile(f))))).flat();
    expect(letters).toHaveLength(2);
    const byId = new Map(letters.map((l) => [(JSON.parse(l.raw) as { id: number }).id, l.raw]));
    expect(byId.get(7)).toBe(LINES[6]);
    // The file's events are written again from their values: the same JSON, escapes aside.
    expect(JSON.parse(byId.get(8)!)).toEqual(JSON.parse(LINES[7]!));
  });
});

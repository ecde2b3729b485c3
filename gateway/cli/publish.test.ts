import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { demoEvents } from "../sources/demo/index.ts";
import { parseNotebook } from "../../notebook/format/index.ts";
import { loadEvents, openDuckDB, quoteIdent } from "../../edge/duckdb/index.node.ts";
import { datasetSql } from "../../edge/sinks/layout.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { main } from "./main.ts";
import { capturedOutput } from "./captured-output.ts";

const { out, err } = capturedOutput();

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) found.push(join(e.parentPath, e.name));
  return found.sort();
}

test("publish then run writes exactly the rows DuckDB computes from the same events", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-publish-"));
  expect(await main(["publish", "notebooks/pii-staging.md", "--out", join(dir, "dist")])).toBe(0);
  const text = out.join("");
  expect(text).toContain("[1/4] reading notebooks/pii-staging.md");
  expect(text).toMatch(/\[4\/4\] published .*pii-staging\/: the plan agrees with DuckDB on \d+ comparisons/);
  const bundle = join(dir, "dist", "pii-staging");
  const manifest = JSON.parse(await readFile(join(bundle, "bundle.json"), "utf8"));
  expect(manifest.check).toMatchObject({ agree: true, forced: false });
  const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;

  // Two input files of events the sample never saw.
  const events = demoEvents({ generator: "pii", rate: 10, seed: 77 }, 0, 3000);
  await writeFile(join(dir, "a.ndjson"), events.slice(0, 1800).map((e) => JSON.stringify(e)).join("\n"));
  await writeFile(join(dir, "b.ndjson"), events.slice(1800).map((e) => JSON.stringify(e)).join("\n"));
  const outDir = join(dir, "out");
  expect(await main(["run", bundle, "--input", `accounts=${dir}/*.ndjson`, "--sink", `staging=fs:${outDir}`])).toBe(0);
  expect(out.join("")).toMatch(/run done in [\d.]+ s: 3000 events → \d+ rows?\b/);
  // Beside the Parquet, the backfill's note of the files it read (a `_` folder, which readers leave out).
  const all = await files(outDir);
  expect(all.filter((f) => f.includes("/_backfills/"))).toEqual([expect.stringMatching(/\/_backfills\/backfill-[0-9a-f]{16}\.json$/)]);
  const written = all.filter((f) => !f.includes("/_backfills/"));
  expect(written.length).toBeGreaterThan(0);
  expect(written.every((f) => /\/staging\/day=\d{4}-\d{2}-\d{2}\/backfill-[0-9a-f]{16}-\d{20}-\d{20}\.parquet$/.test(f))).toBe(true);

  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "accounts", events, { schema: plan.sources.accounts!.schema });
    const { notebook } = parseNotebook(await readFile("notebooks/pii-staging.md", "utf8"), "notebooks/pii-staging.md");
    for (const cell of notebook.cells.filter((c) => c.language === "sql" && c.id)) {
      await db.run(`CREATE VIEW ${quoteIdent(cell.id!)} AS ${cell.code.replace(/;\s*$/, "")}`);
    }
    const pipeline = plan.pipelines[0]!;
    const sinkOp = pipeline.ops.at(-1) as SinkOp;
    await db.run(`CREATE TABLE expected AS SELECT * FROM ${quoteIdent(pipeline.cell.cell)}`);
    await db.run(`CREATE TABLE actual AS ${datasetSql(`${outDir}/**/*.parquet`, sinkOp.schema, sinkOp.partitionBy)}`);
    const counts = await db.read(`SELECT (SELECT count(*) FROM expected), (SELECT count(*) FROM actual),
      (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)),
      (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))`);
    const [expected, actual, missing, extra] = counts.getRows()[0]!.map(Number);
    expect(expected).toBeGreaterThan(2000);
    expect({ actual, missing, extra }).toEqual({ actual: expected, missing: 0, extra: 0 });
  } finally {
    db.close();
  }

  // Running the same inputs again rewrites the same objects with the same bytes.
  const before = await Promise.all(written.map((f) => readFile(f)));
  expect(await main(["run", bundle, "--input", `accounts=${dir}/*.ndjson`, "--sink", `staging=fs:${outDir}`])).toBe(0);
  expect(await files(outDir)).toEqual(all);
  const after = await Promise.all(written.map((f) => readFile(f)));
  expect(after.map((b, i) => Buffer.compare(b, before[i]!))).toEqual(written.map(() => 0));

  // A backfill of other files into the same lake (the next month's export) writes beside the
  // first one's objects instead of taking their keys: every row of both is there.
  const more = demoEvents({ generator: "pii", rate: 10, seed: 78 }, 0, 500);
  await writeFile(join(dir, "next.ndjson"), more.map((e) => JSON.stringify(e)).join("\n"));
  expect(await main(["run", bundle, "--input", `accounts=${join(dir, "next.ndjson")}`, "--sink", `staging=fs:${outDir}`])).toBe(0);
  const both = await files(outDir);
  expect(both.filter((f) => written.includes(f))).toEqual(written);
  expect(both.length).toBeGreaterThan(written.length);
  const kept = await Promise.all(written.map((f) => readFile(f)));
  expect(kept.map((b, i) => Buffer.compare(b, before[i]!))).toEqual(written.map(() => 0));
}, 120_000);

test("publish refuses a notebook whose sink cell uses a window function and writes nothing", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-publish-"));
  const source = await readFile("notebooks/pii-staging.md", "utf8");
  const broken = source.replace(/```sql id=staged sink=staging\n/, "```sql id=staged sink=staging\nSELECT *, row_number() OVER () AS n FROM (\n").replace(/(```sql id=staged sink=staging[\s\S]*?)\n```/, "$1\n)\n```");
  const file = join(dir, "broken.md");
  await writeFile(file, broken);
  expect(await main(["publish", file, "--out", join(dir, "dist")])).toBe(1);
  expect(err.join("")).toMatch(/plan: .*row_number\(\).* in cell staged \(.*broken\.md line \d+\)/);
  expect(err.join("")).toContain("nothing was published");
  await expect(readdir(join(dir, "dist"))).rejects.toThrow();
});

test("run says which source a wrong --input names", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-publish-"));
  expect(await main(["publish", "notebooks/pii-staging.md", "--out", dir])).toBe(0);
  expect(await main(["run", join(dir, "pii-staging"), "--input", "nope=x.ndjson"])).toBe(2);
  expect(err.join("")).toContain("--input names source 'nope'; the bundle reads accounts");
});

test("publishing a webhook notebook writes a deployable Worker with its Durable Object migration and secrets by name", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-publish-"));
  expect(await main(["publish", "notebooks/github.md", "--out", dir])).toBe(0);
  expect(out.join("")).toContain("Cloudflare Worker: worker/worker.js, worker/wrangler.toml");
  const toml = await readFile(join(dir, "github", "worker", "wrangler.toml"), "utf8");
  expect(toml).toContain("new_sqlite_classes");
  expect(toml).toMatch(/^name = "runnel-github"$/m);
  expect(toml).toContain("GITHUB_WEBHOOK_SECRET");
  expect(toml).not.toMatch(/GITHUB_WEBHOOK_SECRET\s*=\s*"/);
  const manifest = JSON.parse(await readFile(join(dir, "github", "bundle.json"), "utf8"));
  expect(manifest.targets).toEqual(["worker", "files"]);
}, 120_000);

test("publish says so when DuckDB fails a sink cell on the sample (the check agrees, both fail), and a run sends the failing groups to _errors/", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-publish-fails-"));
  const notebook = `---
title: A cell that fails on its sample
sources:
  ev:
    webhook: { path: /ev, signature: none }
    format: json
sinks:
  spread:
    fs: { dir: out/spread }
---

\`\`\`sql id=spread sink=spread
SELECT k, stddev_pop(v) AS sd FROM ev GROUP BY ALL
\`\`\`
`;
  await writeFile(join(dir, "nb.md"), notebook);
  const sample = [{ k: "a", v: 1e308 }, { k: "a", v: 1e308 }, { k: "a", v: 1 }, { k: "b", v: 2 }, { k: "b", v: 4 }];
  await writeFile(join(dir, "sample.ndjson"), sample.map((e) => JSON.stringify(e)).join("\n"));
  expect(await main(["publish", join(dir, "nb.md"), "--out", join(dir, "dist"), "--sample", `ev=${join(dir, "sample.ndjson")}`])).toBe(0);
  expect(err.join("")).toMatch(/sink spread: on the sample, DuckDB fails cell spread \(Out of Range Error: STDDEV_POP is out of range!\); the pipeline fails the same way and sends each failing row or group to _errors\//);
  const outDir = join(dir, "out");
  expect(await main(["run", join(dir, "dist", "nb"), "--input", `ev=${join(dir, "sample.ndjson")}`, "--sink", `spread=fs:${outDir}`])).toBe(0);
  const written = await files(outDir);
  expect(written.filter((f) => f.endsWith(".parquet"))).toHaveLength(1);
  const letters = (await readFile(written.find((f) => f.endsWith(".ndjson"))!, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { reason: string; raw: string });
  expect(letters).toEqual([expect.objectContaining({ reason: "spread: a group's aggregate row failed: STDDEV_POP is out of range!", raw: '["a"]' })]);
});

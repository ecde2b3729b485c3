import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compareDataset, compileWith, download, startEdge } from "./harness.ts";

/**
 * A sender that writes a key twice in an object (the JSON grammar allows it; some serialisers
 * append a field instead of replacing it). DuckDB's read_json with the plan's pinned schema keeps
 * such an object in a JSON column as written (`->>` reads the first value), ignores a repeated key
 * no column names, and refuses the record only where it reads the object into a STRUCT. Posted to
 * the Worker in workerd as NDJSON; what lands in R2 is compared with DuckDB's reading of each line.
 */
const NOTEBOOK = `---
title: Keys written twice
sources:
  ev:
    webhook: { signature: none }
    format: ndjson
sinks:
  out:
    r2: { binding: LAKE, prefix: out/ }
---

\`\`\`sql id=out sink=out
SELECT id, meta, meta->>'k' AS k, "user".name AS name FROM ev
\`\`\`
`;

const SAMPLE = ['{"id": 1, "meta": {"k": "v"}, "user": {"name": "a", "tier": 1}}', '{"id": 2, "meta": "text", "user": {"name": "b", "tier": 2}}'];
const POSTED = [
  // In the JSON column: kept with both members, as DuckDB keeps it.
  '{"id": 10, "meta": {"k": "first", "k": "second", "n": 1.0}, "user": {"name": "c", "tier": 3}}',
  // In the STRUCT column: DuckDB refuses the record.
  '{"id": 11, "meta": "x", "user": {"name": "d", "name": "e", "tier": 4}}',
  // A key no column names, twice: never looked at.
  '{"id": 12, "meta": null, "user": {"name": "f", "tier": 5}, "note": 1, "note": 2}',
  '{"id": 13, "meta": {"k": 1}, "user": {"name": "g", "tier": 6, "x": [1], "x": {}}}',
];

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("a key written twice in a JSON-typed field lands in R2 as DuckDB reads it; in a STRUCT field the event is a dead letter in DuckDB's words", async () => {
  const { notebook, issues } = parseNotebook(NOTEBOOK, "repeated-keys.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, { ev: SAMPLE });
  const schema = plan.sources.ev!.schema;
  expect(schema.map((c) => `${c.name} ${c.type}`)).toEqual(["id BIGINT", "meta JSON", "user STRUCT(\"name\" VARCHAR, tier BIGINT)"]);

  const dir = mkdtempSync(join(tmpdir(), "runnel-repeated-keys-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const db = await openDuckDB({ threads: 1 });
  cleanup.push(() => db.close());
  // DuckDB's reading of each posted line with the plan's schema pinned: the lines it reads become the source table.
  const columns = `{${schema.map((c) => `'${c.name}': '${c.type.replace(/'/g, "''")}'`).join(", ")}}`;
  const read = (file: string) => `SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${columns})`;
  const kept: string[] = [];
  const refused: { line: string; words: string }[] = [];
  for (const [i, line] of POSTED.entries()) {
    const file = join(dir, `line${i}.json`);
    writeFileSync(file, `${line}\n`);
    try {
      await db.read(read(file));
      kept.push(line);
    } catch (error) {
      refused.push({ line, words: /in line 1: (.*)/.exec((error as Error).message)![1]! });
    }
  }
  expect(kept.length).toBe(3);
  writeFileSync(join(dir, "kept.json"), `${kept.join("\n")}\n`);
  await db.run(`CREATE TABLE ev AS ${read(join(dir, "kept.json"))}`);

  const edge = await startEdge({ name: "repeated-keys", plan, notebook });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());
  const answer = await edge.post("ev", POSTED.join("\n"));
  expect(answer.status).toBe(202);
  expect(await answer.json()).toMatchObject({ events: 4, rows: 3, deadLetters: 1 });
  expect((await edge.flush()).status).toBe(200);
  const keys = await download(await edge.r2(), "", join(dir, "lake"));

  const cell = notebook.cells.find((c) => c.sink === "out")!;
  const glob = `${dir}/lake/out/**/*.parquet`;
  expect(await compareDataset(db, { sql: cell.code, glob, plan, sink: "out" })).toEqual({ expected: 3, got: 3, missing: 0, extra: 0 });
  // What a user sees in the file: the object as sent (both members), and the first value under ->>.
  const rows = (await db.read(`SELECT id::INTEGER AS id, meta::VARCHAR AS meta, k FROM read_parquet('${glob}') ORDER BY id`)).getRowObjectsJson();
  expect(rows).toEqual([
    { id: 10, meta: '{"k":"first","k":"second","n":1.0}', k: "first" },
    { id: 12, meta: null, k: null },
    { id: 13, meta: '{"k":1}', k: "1" },
  ]);

  const r2 = await edge.r2();
  const letters = (await Promise.all(keys.filter((k) => k.includes("/_errors/")).map(async (k) => decodeDeadLetters((await r2.get(k))!)))).flat();
  expect(letters.map((l) => ({ raw: l.raw, reason: l.reason }))).toEqual(refused.map(({ line, words }) => ({ raw: line, reason: `sink out: field user: ${words}` })));
  expect(refused.map((r) => r.words)).toEqual(['Object {"name":"d","name":"e","tier":4} has duplicate key "name"']);
}, 120_000);

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { main } from "./main.ts";
import { capturedOutput } from "./captured-output.ts";
import { rowsAsText } from "../../edge/duckdb/rows-text.node.ts";

const { out, err } = capturedOutput();

const rowsOf = rowsAsText;

test("a Parquet --sample keeps its DECIMAL(18,3) columns: publish types the source DECIMAL and the run writes the file's exact values, as DuckDB reads them", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-parquet-sample-"));
  const parquet = join(dir, "amounts.parquet");
  // 123456789012345.678 has 18 digits: a DOUBLE holds 123456789012345.67 (and 0.1 + 0.2 is 0.30000000000000004).
  const db = await openDuckDB({ threads: 1 });
  await db.run(`COPY (SELECT * FROM (VALUES (1, 123456789012345.678::DECIMAL(18,3), {'x': 0.1::DECIMAL(18,3)}), (2, 0.1::DECIMAL(18,3), {'x': 0.2::DECIMAL(18,3)}), (3, 0.2::DECIMAL(18,3), NULL)) v(id, amount, s)) TO '${parquet}'`);
  db.close();
  const file = join(dir, "amounts.md");
  await writeFile(file, `---\ntitle: amounts\nsources:\n  s:\n    webhook: { signature: none }\nsinks:\n  lake:\n    fs: { dir: ${join(dir, "lake")} }\n---\n\n\`\`\`sql id=totals sink=lake\nSELECT id, amount, s.x AS x, amount + s.x AS total FROM s\n\`\`\`\n`);

  expect(await main(["publish", file, "--sample", `s=${parquet}`, "--out", join(dir, "dist")])).toBe(0);
  expect(out.join("")).toContain("sample of s: amount DECIMAL(18,3), s STRUCT(x DECIMAL(18,3)) as the Parquet file holds them");
  const plan = JSON.parse(await readFile(join(dir, "dist", "amounts", "plan.json"), "utf8")) as Plan;
  expect(plan.sources.s!.schema.filter((c) => c.name !== "id")).toEqual([{ name: "amount", type: "DECIMAL(18,3)" }, { name: "s", type: "STRUCT(x DECIMAL(18,3))" }]);

  const lake = join(dir, "out");
  expect(await main(["run", join(dir, "dist", "amounts"), "--input", `s=${parquet}`, "--sink", `lake=fs:${lake}`])).toBe(0);
  const query = "SELECT id::VARCHAR, amount::VARCHAR, x::VARCHAR, total::VARCHAR, typeof(amount) FROM";
  const written = await rowsOf(`${query} read_parquet('${lake}/**/*.parquet') ORDER BY id`);
  expect(written).toEqual(await rowsOf(`${query} (SELECT id, amount, s.x AS x, amount + s.x AS total FROM read_parquet('${parquet}')) ORDER BY id`));
  expect(written).toEqual([
    ["1", "123456789012345.678", "0.100", "123456789012345.778", "DECIMAL(18,3)"],
    ["2", "0.100", "0.200", "0.300", "DECIMAL(18,3)"],
    ["3", "0.200", "NULL", "NULL", "DECIMAL(18,3)"],
  ]);
});

test("a JSON --sample is typed as read_json types it, as before (no column types fixed)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-parquet-sample-"));
  const sample = join(dir, "s.ndjson");
  await writeFile(sample, '{"id": 1, "amount": 0.1}\n');
  const file = join(dir, "amounts.md");
  await writeFile(file, `---\ntitle: amounts\nsources:\n  s:\n    webhook: { signature: none }\nsinks:\n  lake:\n    fs: { dir: ${join(dir, "lake")} }\n---\n\n\`\`\`sql id=totals sink=lake\nSELECT id, amount FROM s\n\`\`\`\n`);
  expect(await main(["publish", file, "--sample", `s=${sample}`, "--out", join(dir, "dist")])).toBe(0);
  const plan = JSON.parse(await readFile(join(dir, "dist", "amounts", "plan.json"), "utf8")) as Plan;
  expect(plan.sources.s!.schema).toEqual([{ name: "id", type: "BIGINT" }, { name: "amount", type: "DOUBLE" }]);
  expect(out.join("")).not.toContain("as the Parquet file holds");
});

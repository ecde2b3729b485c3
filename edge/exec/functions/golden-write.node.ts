/**
 * Writes fixtures/golden.json from DuckDB's answers to `goldenCalls`.
 * Run: npx tsx edge/exec/functions/golden-write.node.ts
 */
import { writeFile } from "node:fs/promises";
import { encodeGolden, goldenCalls, type GoldenCase } from "./golden.ts";
import { duck, expected, lit } from "./oracle.node.ts";

const cases: GoldenCase[] = [];
for (const c of goldenCalls) {
  const sql = c.sql(c.args.map((a, i) => lit(a, c.argTypes[i]!)));
  const d = await duck(sql);
  const type = d.ok ? d.type : await duck(`typeof(${sql})`).then((t) => (t.ok ? String(t.value) : "VARCHAR"));
  cases.push({ fn: c.fn, args: c.args, argTypes: c.argTypes, sql, resultType: type, expected: expected(d) });
}
await writeFile(new URL("./fixtures/golden.json", import.meta.url), encodeGolden(cases) + "\n");
console.log(`wrote ${cases.length} cases`);

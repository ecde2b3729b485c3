import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/open.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { loadCorpus } from "./corpus.ts";
import { runCase } from "./runner.ts";

const corpus = await loadCorpus();
let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

test("the corpus holds at least 200 cases with unique names", () => {
  const names = corpus.flatMap((f) => f.cases.map((c) => c.name));
  expect(names.length).toBeGreaterThanOrEqual(200);
  expect(new Set(names).size).toBe(names.length);
});

for (const { file, cases } of corpus) {
  describe(file, () => {
    for (const c of cases) {
      test(c.name, async () => {
        const r = await runCase(db, c, defaultLibrary);
        expect(r.detail).toBe("");
        expect(r.ok).toBe(true);
      });
    }
  });
}

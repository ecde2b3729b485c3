/** `npx tsx tests/conformance/run.ts [filter]`: runs the corpus and prints each case. */
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { loadCorpus } from "./corpus.ts";
import { runCase } from "./runner.ts";

const filter = process.argv[2] ?? "";
const db = await openDuckDB({ threads: 1 });
let passed = 0;
let failed = 0;
for (const { file, cases } of await loadCorpus()) {
  for (const c of cases) {
    if (filter && !c.name.includes(filter) && !file.includes(filter)) continue;
    const r = await runCase(db, c, defaultLibrary);
    if (r.ok) passed++;
    else {
      failed++;
      console.log(`✗ ${file}: ${c.name}\n  ${r.detail}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
db.close();
process.exitCode = failed ? 1 : 0;

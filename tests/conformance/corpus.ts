/** Every case file under cases/, loaded in name order. */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConformanceCase } from "./case.ts";

export async function loadCorpus(): Promise<{ file: string; cases: ConformanceCase[] }[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "cases");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
  const out: { file: string; cases: ConformanceCase[] }[] = [];
  for (const f of files) {
    const mod = (await import(join(dir, f))) as { cases?: ConformanceCase[] };
    if (!Array.isArray(mod.cases)) throw new Error(`conformance: ${f} exports no 'cases' array`);
    out.push({ file: f, cases: mod.cases });
  }
  return out;
}

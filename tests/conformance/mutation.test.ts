/**
 * The corpus has teeth: each mutant below changes one operator or function of
 * the library the executor calls, the way a plausible bug would, and the corpus
 * must catch it (at least one case fails, named in the assertion message).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/open.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import type { FunctionLibrary, ScalarFn } from "../../edge/exec/functions/contract.ts";
import { loadCorpus } from "./corpus.ts";
import { runCase } from "./runner.ts";

const corpus = await loadCorpus();
let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

function mutate(name: string, wrap: (original: ScalarFn) => ScalarFn): FunctionLibrary {
  const original = defaultLibrary.scalars[name];
  if (!original) throw new Error(`mutation: the library has no scalar ${name}`);
  return { ...defaultLibrary, scalars: { ...defaultLibrary.scalars, [name]: wrap(original) } };
}

/** The first corpus case the library gets wrong, or null. */
async function firstCaught(library: FunctionLibrary): Promise<string | null> {
  for (const { file, cases } of corpus) {
    for (const c of cases) {
      const r = await runCase(db, c, library);
      if (!r.ok) return `${file}: ${c.name}`;
    }
  }
  return null;
}

const mutants: [string, FunctionLibrary][] = [
  ["`/` as integer division", mutate("/", (f) => (args, ctx) => {
    const v = f(args, ctx);
    return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : v;
  })],
  ["`||` treating NULL as empty text", mutate("||", (f) => (args, ctx) => f(args.map((a) => a ?? ""), ctx))],
  ["`-` with its operands swapped", mutate("-", (f) => (args, ctx) => (args.length === 2 ? f([args[1]!, args[0]!], ctx) : f(args, ctx)))],
  ["md5 in upper case", mutate("md5", (f) => (args, ctx) => {
    const v = f(args, ctx);
    return typeof v === "string" ? v.toUpperCase() : v;
  })],
  ["lower() returning its input", mutate("lower", () => (args) => args[0] ?? null)],
];

for (const [what, library] of mutants) {
  test(`the corpus catches ${what}`, async () => {
    const caught = await firstCaught(library);
    expect(caught, `no corpus case noticed ${what}`).not.toBeNull();
  }, 120_000);
}

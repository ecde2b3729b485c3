/**
 * review15b: the hint about kept webhook deliveries (921c68a) is for a cell DuckDB cannot bind over them. After a
 * syntax error or a construct the pipeline refuses, whatever the sample, it sent the user after the deliveries.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { CompileError } from "../../edge/compile/errors.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { gatherSamples, keptSampleHint } from "./samples.ts";

const file = "notebooks/github.md";
const kept = { github: { count: 1, dir: ".runnel/hooks/github.md/github" } };

async function compileError(text: string, ping: boolean): Promise<CompileError> {
  const { notebook } = parseNotebook(text, file);
  const { events, columnTypes, arrival } = await gatherSamples(notebook, [], { file, state: "/nonexistent-review15b", say: () => {} });
  const samples = ping ? Object.fromEntries(Object.keys(notebook.sources).map((n) => [n, [{ zen: "Keep it logically awesome.", hook_id: 1 }]])) : events;
  try {
    await checkNotebook(notebook, { samples, columnTypes, arrival, library: defaultLibrary, random: { batches: 0, size: 5, seed: 4 }, onProgress: () => {} });
  } catch (error) {
    if (error instanceof CompileError) return error;
    throw error;
  }
  throw new Error("the notebook compiled");
}

test("review15b: the kept-deliveries hint follows a cell DuckDB cannot bind over one ping, not a syntax error or a refused construct", { timeout: 120_000 }, async () => {
  const text = readFileSync(file, "utf8");
  const { notebook } = parseNotebook(text, file);

  const bind = await compileError(text, true);
  expect(bind.message).toContain('Referenced column "commits" not found');
  expect(keptSampleHint(notebook, file, kept, bind)).toEqual([expect.stringMatching(/^ {2}the sample of github is the 1 webhook delivery the gateway kept in \.runnel\/hooks\/github\.md\/github, and DuckDB types github from it alone/)]);

  const syntax = await compileError(text.replace(/sink=pushes[^\n]*\n/, (m) => `${m}SELECT FROM WHERE ,\n--`), false);
  expect(syntax.message).toContain("syntax error");
  expect(keptSampleHint(notebook, file, kept, syntax)).toEqual([]);

  const refused = await compileError(text.replace(/sink=pushes[^\n]*\nSELECT/, (m) => `${m} random() AS r,`), false);
  expect(refused.message).toContain("random");
  expect(refused.message).not.toContain("DuckDB cannot bind");
  expect(keptSampleHint(notebook, file, kept, refused)).toEqual([]);
});

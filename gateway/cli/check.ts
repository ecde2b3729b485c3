/**
 * `runnel check <notebook> [--sample <source>=<file>]...`: compiles the cells
 * that feed a sink and compares the plan's answer with DuckDB's on the
 * sample, on edge-case events and on random events. Exit 0 only when every
 * step agrees.
 */
import { readFile } from "node:fs/promises";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { loadAvroSchemas } from "../sources/avro-schema.ts";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { CompileError } from "../../edge/compile/errors.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { readArgs } from "./args.ts";
import { gatherSamples, keptSampleHint } from "./samples.ts";
import { printErr, printOut } from "./output.ts";
import { UsageError, type Verb } from "./verb.ts";

const USAGE = `usage: runnel check <notebook> [--sample <source>=<file>]... [--seed <n>] [--random <batches>] [--state <dir>]

Compiles the cells that feed a sink into a plan, then runs each sink cell
through DuckDB and through the plan on
  (a) the sample: --sample files (NDJSON or a JSON array; CSV for a csv source), else the webhook
      deliveries the gateway kept (under --state, default .runnel), for a Kafka source with no
      demo generator the newest events of its topic, else the source's demo generator,
  (b) generated edge-case events for each source schema,
  (c) random events (fast-check; --seed reproduces a run, --random sets the batch count),
and compares the answers as multisets (floats to a relative tolerance of 1e-9).
Prints the first differing row with both answers. Exit 0 only when all agree.`;

export const verb: Verb = {
  name: "check",
  summary: "compile a notebook's sink cells and compare the plan with DuckDB on its sample, edge cases and random events",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = readArgs(args, {
      sample: { type: "string", multiple: true },
      seed: { type: "string" },
      random: { type: "string" },
      state: { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one notebook");
    const file = positionals[0]!;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      printErr(`runnel check: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const parsed = parseNotebook(text, file);
    // `format: avro` sources: their schema files, read beside the notebook.
    const loaded = await loadAvroSchemas(parsed.notebook, file);
    const notebook = { ...parsed.notebook, sources: loaded.sources };
    const issues = [...parsed.issues, ...loaded.issues];
    if (issues.length) {
      for (const issue of issues) printErr(`${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
      return 1;
    }
    if (!notebook.cells.some((c) => c.sink)) {
      // Nothing would be compared: "check passed" over 0 comparisons would promise what publish then refuses.
      printErr(`runnel check: ${file} has no cell with sink=; nothing to check. Mark the cell whose rows should be written, e.g. \`\`\`sql id=clean sink=${Object.keys(notebook.sinks)[0] ?? "lake"}`);
      return 1;
    }
    const { events: samples, columnTypes, arrival, kept } = await gatherSamples(notebook, values.sample ?? [], { file, state: values.state, say: printOut });
    const seed = values.seed === undefined ? 4 : Number(values.seed);
    const batches = values.random === undefined ? 20 : Number(values.random);
    if (!Number.isInteger(seed) || !Number.isInteger(batches) || batches < 0) throw new UsageError("--seed and --random take integers");
    try {
      const report = await checkNotebook(notebook, {
        samples,
        columnTypes,
        arrival,
        library: defaultLibrary,
        random: { batches, size: 25, seed },
        onProgress: (line) => printOut(line),
      });
      const failed = report.steps.filter((s) => !s.agree);
      printOut(failed.length === 0
        ? `check passed: ${report.comparisons} comparisons agree (floats within a relative ${report.tolerance})`
        : `check FAILED: ${failed.length} of ${report.comparisons} comparisons differ (first: ${failed[0]!.cell} · ${failed[0]!.step}, seed ${seed})`);
      return failed.length === 0 ? 0 : 1;
    } catch (error) {
      if (error instanceof CompileError) {
        printErr(error.message);
        for (const line of keptSampleHint(notebook, file, kept, error)) printErr(line);
        return 1;
      }
      throw error;
    }
  },
};

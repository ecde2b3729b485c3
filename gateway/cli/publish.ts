/**
 * `runnel publish <notebook>`: compile the cells that feed a sink, prove the
 * plan on the sample against DuckDB, and write the bundle to
 * `dist/pipelines/<name>/`. A difference stops publish unless `--force`,
 * which the bundle records.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { CompileError } from "../../edge/compile/errors.ts";
import { publishNotebook } from "../pipeline/publish.ts";
import { readArgs } from "./args.ts";
import { printErr, printOut } from "./output.ts";
import { gatherSamples, keptSampleHint } from "./samples.ts";
import { loadAvroSchemas } from "../sources/avro-schema.ts";
import type { Verb } from "./verb.ts";
import { UsageError } from "./verb.ts";

const USAGE = `usage: runnel publish <notebook> [--out <dir>] [--sample <source>=<file>]... [--force] [--state <dir>]

Compiles the cells that feed a sink into a plan, checks the plan against
DuckDB on the sample, on edge-case events and on random events (as runnel
check does), and writes dist/pipelines/<name>/: plan.json, bundle.json, the
notebook, a README, and the runtime for its sources (a Worker for webhooks,
the Node runner for Kafka).

  --out <dir>                 where bundles go (default dist/pipelines)
  --sample <source>=<file>    sample events (NDJSON or a JSON array; CSV for a csv source); default: the webhook
                              deliveries the gateway kept (under --state, default .runnel), for a Kafka source
                              with no demo generator the newest events of its topic, else the demo stand-in
  --force                     publish even when the check finds a difference (recorded in the bundle)
  --state <dir>               the gateway's state folder, whose kept webhook deliveries are the sample (default .runnel)`;

export const verb: Verb = {
  name: "publish",
  summary: "compile, check and write a notebook's pipeline bundle to dist/pipelines/",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = readArgs(args, {
      out: { type: "string" },
      sample: { type: "string", multiple: true },
      force: { type: "boolean" },
      state: { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one notebook");
    const file = positionals[0]!;
    const out = values.out ?? join("dist", "pipelines");
    printOut(`[1/4] reading ${file}`);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      printErr(`runnel publish: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const parsed = parseNotebook(text, file);
    // `format: avro` sources: their schema files, read beside the notebook, go into the bundle with them.
    const loaded = await loadAvroSchemas(parsed.notebook, file);
    const notebook = { ...parsed.notebook, sources: loaded.sources };
    const issues = [...parsed.issues, ...loaded.issues];
    if (issues.length) {
      for (const issue of issues) printErr(`${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
      printErr(`runnel publish: ${file} has ${issues.length} problem${issues.length === 1 ? "" : "s"}; nothing was published`);
      return 1;
    }
    if (!notebook.cells.some((c) => c.sink)) {
      printErr(`runnel publish: ${file} has no cell with sink=; mark the cell whose rows should be written, e.g. \`\`\`sql id=clean sink=${Object.keys(notebook.sinks)[0] ?? "lake"}`);
      return 1;
    }
    const { events: samples, columnTypes, arrival, kept } = await gatherSamples(notebook, values.sample ?? [], { file, state: values.state, say: printOut });
    let outcome;
    try {
      outcome = await publishNotebook({ file, text, notebook, samples, columnTypes, arrival, out, force: values.force ?? false, say: printOut, warn: (line) => printErr(`runnel publish: ${line}`) });
    } catch (error) {
      if (error instanceof CompileError) {
        printErr(error.message);
        for (const line of keptSampleHint(notebook, file, kept, error)) printErr(line);
        printErr("runnel publish: the notebook does not compile; nothing was published");
        return 1;
      }
      throw error;
    }
    if (!outcome.published) {
      printErr(`runnel publish: the plan differs from DuckDB in ${outcome.failed.length} of ${outcome.report.comparisons} comparisons; first: ${outcome.difference}`);
      printErr("nothing was published; fix the cell, or pass --force to publish anyway (the bundle records it)");
      return 1;
    }
    return 0;
  },
};

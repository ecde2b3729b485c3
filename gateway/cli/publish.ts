/**
 * `runnel publish <notebook>`: compile the cells that feed a sink, prove the
 * plan on the sample against DuckDB, and write the bundle to
 * `dist/pipelines/<name>/`. A difference stops publish unless `--force`,
 * which the bundle records.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { CompileError } from "../../edge/compile/errors.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { bundleName, bundleTargets, writeBundle, BUNDLE_FORMAT, BUNDLE_VERSION } from "../../edge/publish/bundle.node.ts";
import { writeRunnerScript } from "../../edge/runner/bundle.node.ts";
import { writeWorkerBundle } from "../../edge/worker/bundle.node.ts";
import { readArgs } from "./args.ts";
import { printErr, printOut } from "./output.ts";
import { gatherSamples } from "./samples.ts";
import type { Verb } from "./verb.ts";
import { UsageError } from "./verb.ts";

const USAGE = `usage: runnel publish <notebook> [--out <dir>] [--sample <source>=<file>]... [--force]

Compiles the cells that feed a sink into a plan, checks the plan against
DuckDB on the sample, on edge-case events and on random events (as runnel
check does), and writes dist/pipelines/<name>/: plan.json, bundle.json, the
notebook, a README, and the runtime for its sources (a Worker for webhooks,
the Node runner for Kafka).

  --out <dir>                 where bundles go (default dist/pipelines)
  --sample <source>=<file>    sample events (NDJSON or a JSON array); default: the demo stand-in
  --force                     publish even when the check finds a difference (recorded in the bundle)`;

export const verb: Verb = {
  name: "publish",
  summary: "compile, check and write a notebook's pipeline bundle to dist/pipelines/",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = readArgs(args, {
      out: { type: "string" },
      sample: { type: "string", multiple: true },
      force: { type: "boolean" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one notebook");
    const file = positionals[0]!;
    const out = values.out ?? join("dist", "pipelines");
    const step = (n: number, text: string) => printOut(`[${n}/4] ${text}`);

    step(1, `reading ${file}`);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      printErr(`runnel publish: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const { notebook, issues } = parseNotebook(text, file);
    if (issues.length) {
      for (const issue of issues) printErr(`${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
      printErr(`runnel publish: ${file} has ${issues.length} problem${issues.length === 1 ? "" : "s"}; nothing was published`);
      return 1;
    }
    if (!notebook.cells.some((c) => c.sink)) {
      printErr(`runnel publish: ${file} has no cell with sink=; mark the cell whose rows should be written, e.g. \`\`\`sql id=clean sink=${Object.keys(notebook.sinks)[0] ?? "lake"}`);
      return 1;
    }
    const samples = await gatherSamples(notebook, values.sample ?? []);

    step(2, `checking the plan against DuckDB on ${Object.entries(samples).map(([s, e]) => `${s} (${e.length} sample events)`).join(", ")}`);
    let report;
    try {
      report = await checkNotebook(notebook, { samples, library: defaultLibrary, onProgress: (line) => printOut(`      ${line}`) });
    } catch (error) {
      if (error instanceof CompileError) {
        printErr(error.message);
        printErr("runnel publish: the notebook does not compile; nothing was published");
        return 1;
      }
      throw error;
    }
    const failed = report.steps.filter((s) => !s.agree);
    const difference = failed[0] ? `${failed[0].cell} → ${failed[0].sink} (${failed[0].step}): ${failed[0].detail ?? "answers differ"}` : null;
    if (failed.length > 0 && !values.force) {
      printErr(`runnel publish: the plan differs from DuckDB in ${failed.length} of ${report.steps.length} comparisons; first: ${difference}`);
      printErr("nothing was published; fix the cell, or pass --force to publish anyway (the bundle records it)");
      return 1;
    }

    const name = bundleName(file);
    const dir = join(out, name);
    step(3, `writing ${dir}/`);
    const targets = bundleTargets(notebook);
    await writeBundle(dir, {
      plan: report.plan,
      notebookText: text,
      manifest: {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        name,
        title: notebook.title,
        notebook: file,
        sources: notebook.sources,
        sinks: notebook.sinks,
        check: {
          agree: failed.length === 0,
          comparisons: report.steps.length,
          forced: failed.length > 0,
          difference,
          sampleEvents: Object.fromEntries(Object.entries(samples).map(([s, e]) => [s, e.length])),
        },
        publishedAt: new Date().toISOString(),
        targets,
      },
    });
    if (targets.includes("worker")) {
      try {
        const { files } = await writeWorkerBundle(join(dir, "worker"), report.plan, notebook, { name: `runnel-${name}` });
        printOut(`      Cloudflare Worker: ${files.map((f) => `worker/${f.split(/[\\/]/).at(-1)}`).join(", ")} (see ${join(dir, "worker", "README.md")})`);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith("worker bundle:"))) throw error;
        printErr(`runnel publish: no Worker written: ${error.message}`);
      }
    }
    if (targets.includes("runner")) {
      const files = await writeRunnerScript(dir);
      printOut(`      Node runner: ${files.join(", ")} (run with: node ${join(dir, "runner.js")} --help)`);
    }
    step(4, failed.length > 0
      ? `published ${dir}/ WITH --force: ${failed.length} comparisons differ (recorded in bundle.json)`
      : `published ${dir}/: the plan agrees with DuckDB on ${report.steps.length} comparisons`);
    return 0;
  },
};

/**
 * Publish as one function, shared by `runnel publish` and the gateway's
 * publish route: check the plan against DuckDB on the samples, stop on a
 * difference unless forced (and then record it), and write the bundle —
 * plan, manifest, notebook, README, and the runtime each source needs (a
 * Worker for webhooks, the Node runner for Kafka).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Notebook } from "../../notebook/format/model.ts";
import { checkNotebook, type CheckReport, type StepResult } from "../../edge/check/check.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { bundleName, bundleTargets, writeBundle, BUNDLE_FORMAT, BUNDLE_VERSION } from "../../edge/publish/bundle.node.ts";
import { writeRunnerScript } from "../../edge/runner/bundle.node.ts";
import { workerConfig, writeWorkerBundle } from "../../edge/worker/bundle.node.ts";

export interface PublishInput {
  /** The notebook's path as the person named it (CLI) or as the gateway stores it. */
  file: string;
  text: string;
  notebook: Notebook;
  samples: Record<string, unknown[]>;
  /** Per source, column types a typed sample file gives (see CheckOptions.columnTypes). */
  columnTypes?: Record<string, Record<string, string>>;
  /** Per Kafka source, where each sample event was read (CheckOptions.arrival). */
  arrival?: Record<string, { partition: number; offset: string }[]>;
  /** Where bundles go: `<out>/<name>/`. */
  out: string;
  force: boolean;
  /** Progress for a person: `[n/4]` steps and the check's own lines. */
  say: (line: string) => void;
  /** Problems that do not stop publish (a Worker that could not be written). */
  warn: (line: string) => void;
}

export type PublishOutcome =
  | { published: false; report: CheckReport; failed: StepResult[]; difference: string }
  | { published: true; report: CheckReport; failed: StepResult[]; difference: string | null; name: string; dir: string; targets: string[]; files: string[] };

/**
 * The bundle folder name of notebook `file` (`bundleName`), refused when it would
 * name the output folder itself or its parent: `..md` is `.` and `...md` is `..`,
 * which would write the bundle (and a local run's lake) one folder up.
 */
export function safeBundleName(file: string): string {
  const name = bundleName(file);
  if (/^\.{0,2}$/.test(name)) {
    throw new Error(`publish: ${file} would be published as ${JSON.stringify(name)}, which names a folder outside the pipelines folder; rename the notebook`);
  }
  return name;
}

/**
 * Whether two notebook paths are one notebook as publishes name it: the same path, or one the other's
 * tail (the CLI's `notebooks/orders.md` is the gateway's `orders.md`, relative to its root).
 */
export function sameNotebook(a: string, b: string): boolean {
  const x = a.replace(/\\/g, "/").replace(/^\.\//, "");
  const y = b.replace(/\\/g, "/").replace(/^\.\//, "");
  return x === y || x.endsWith(`/${y}`) || y.endsWith(`/${x}`);
}

/** The notebook whose publish `dir` holds, when it is not `file` (null: none there, or `file`'s). */
export async function otherPublisher(dir: string, file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(join(dir, "bundle.json"), "utf8");
  } catch {
    return null;
  }
  try {
    const notebook = (JSON.parse(text) as { notebook?: unknown }).notebook;
    return typeof notebook === "string" && !sameNotebook(notebook, file) ? notebook : null;
  } catch {
    return null;
  }
}

/** Checks, then writes the bundle (or not). Throws CompileError when the notebook does not compile. */
export async function publishNotebook(input: PublishInput): Promise<PublishOutcome> {
  const { notebook, samples, say } = input;
  const name = safeBundleName(input.file);
  // Two notebooks of one file name in different folders publish under one name: the second replaced the first's
  // bundle (and Worker name), and "Run locally" of the first ran the second's pipeline into the same lake folder.
  const other = await otherPublisher(join(input.out, name), input.file);
  if (other !== null) {
    throw new Error(`publish: ${join(input.out, name)} holds the publish of ${other}, and ${input.file} publishes under the same name (${name}); nothing was published: rename one of the two notebooks so each has its own pipeline (or delete ${join(input.out, name)} if ${other} is no longer published)`);
  }
  say(`[2/4] checking the plan against DuckDB on ${Object.entries(samples).map(([s, e]) => `${s} (${e.length} sample events)`).join(", ")}`);
  const report = await checkNotebook(notebook, { samples, columnTypes: input.columnTypes, arrival: input.arrival, library: defaultLibrary, onProgress: (line) => say(`      ${line}`) });
  const failed = report.steps.filter((s) => !s.agree);
  const difference = failed[0] ? `${failed[0].cell} → ${failed[0].sink} (${failed[0].step}): ${failed[0].detail ?? "answers differ"}` : null;
  if (difference !== null && !input.force) return { published: false, report, failed, difference };
  // Agreement can be an error on both sides: the notebook shows that cell failing on the sample, and
  // the pipeline will send the rows or groups that fail to _errors/. Say so rather than stay quiet.
  for (const step of report.steps) {
    if (step.step === "sample" && step.agree && !step.duckdb.ok) {
      input.warn(`sink ${step.sink}: on the sample, DuckDB fails cell ${step.cell} (${step.duckdb.error.split("\n")[0]!.replace(/^duckdb: /, "")}); the pipeline fails the same way and sends each failing row or group to _errors/ with the reason`);
    }
  }

  const dir = join(input.out, name);
  say(`[3/4] writing ${dir}/`);
  const targets = bundleTargets(notebook);
  // A Worker only when one can run the sinks (a Worker has no disk for fs:); decided before the README and
  // bundle.json are written, so they do not point at a worker/ folder that is not there.
  let noWorker: string | null = null;
  if (targets.includes("worker")) {
    try {
      workerConfig(`runnel-${name}`, report.plan, notebook);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("worker bundle:"))) throw error;
      noWorker = error.message;
      targets.splice(targets.indexOf("worker"), 1);
    }
  }
  if (noWorker !== null) {
    const fsSinks = Object.values(notebook.sinks).filter((s) => s.target.kind === "fs").map((s) => s.name);
    input.warn(`no Worker written: ${noWorker}${fsSinks.length ? ` (to run it as a Cloudflare Worker, give ${fsSinks.join(", ")} an r2: { binding: LAKE, prefix: … } or s3: target)` : ""}`);
  }
  await writeBundle(dir, {
    plan: report.plan,
    notebookText: input.text,
    manifest: {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      name,
      title: notebook.title,
      notebook: input.file,
      sources: notebook.sources,
      sinks: notebook.sinks,
      check: {
        agree: failed.length === 0,
        comparisons: report.comparisons,
        forced: failed.length > 0,
        difference,
        sampleEvents: Object.fromEntries(Object.entries(samples).map(([s, e]) => [s, e.length])),
      },
      publishedAt: new Date().toISOString(),
      targets,
    },
  });
  const files = ["plan.json", "bundle.json", "README.md"];
  if (targets.includes("worker")) {
    try {
      const worker = await writeWorkerBundle(join(dir, "worker"), report.plan, notebook, { name: `runnel-${name}` });
      const written = worker.files.map((f) => `worker/${f.split(/[\\/]/).at(-1)}`);
      files.push(...written);
      say(`      Cloudflare Worker: ${written.join(", ")} (see ${join(dir, "worker", "README.md")})`);
      const unsigned = Object.values(notebook.sources).filter((s) => s.kind === "webhook" && s.signature === "none").map((s) => s.name);
      input.warn(`before deploying the Worker, choose a RUNNEL_ADMIN_TOKEN (worker/README.md: .dev.vars locally, npx wrangler deploy --secrets-file <file> the first time, npx wrangler secret put RUNNEL_ADMIN_TOKEN after): without it GET /metrics and POST /flush${unsigned.length ? `, and POST /ingest/ for ${unsigned.join(", ")} (signature: none),` : ""} refuse everyone`);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("worker bundle:"))) throw error;
      input.warn(`no Worker written: ${error.message}`);
    }
  }
  if (targets.includes("runner")) {
    const written = await writeRunnerScript(dir);
    files.push(...written);
    say(`      Node runner: ${written.join(", ")} (run with: node ${join(dir, "runner.js")} --help)`);
  }
  say(failed.length > 0
    ? `[4/4] published ${dir}/ WITH --force: ${failed.length === 1 ? "1 comparison differs" : `${failed.length} comparisons differ`} (recorded in bundle.json)`
    : `[4/4] published ${dir}/: the plan agrees with DuckDB on ${report.comparisons} comparisons`);
  return { published: true, report, failed, difference, name, dir, targets, files };
}

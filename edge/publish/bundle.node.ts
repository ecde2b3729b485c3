/**
 * The published bundle: `dist/pipelines/<name>/` with `bundle.json` (what
 * to run and where it writes), `plan.json` (the plan IR), the notebook it
 * came from, and a README. The Worker and the Node runner load these files.
 */
import { perFlushNote } from "../plan/per-flush.ts";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Notebook, SinkSpec, SourceSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";

export const BUNDLE_FORMAT = "runnel-bundle";
export const BUNDLE_VERSION = 1;

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  name: string;
  title: string;
  /** The notebook file it was published from, as given on the command line. */
  notebook: string;
  sources: Record<string, SourceSpec>;
  sinks: Record<string, SinkSpec>;
  check: {
    agree: boolean;
    comparisons: number;
    /** True when publish went ahead despite a difference (`--force`); `difference` says which. */
    forced: boolean;
    difference: string | null;
    sampleEvents: Record<string, number>;
  };
  publishedAt: string;
  /** Which runtimes the bundle carries: `worker` for webhook sources, `runner` for Kafka. */
  targets: ("worker" | "runner" | "files")[];
}

export interface Bundle {
  dir: string;
  manifest: BundleManifest;
  plan: Plan;
  notebookText: string;
}

/** The bundle's folder name: the notebook's file name without `.md`. */
export function bundleName(file: string): string {
  const base = file.split(/[\\/]/).at(-1) ?? file;
  return base.replace(/\.md$/i, "").replace(/[^A-Za-z0-9._-]/g, "-");
}

export function bundleTargets(notebook: Notebook): BundleManifest["targets"] {
  const kinds = new Set(Object.values(notebook.sources).map((s) => s.kind));
  const targets: BundleManifest["targets"] = [];
  if (kinds.has("webhook")) targets.push("worker");
  if (kinds.has("kafka")) targets.push("runner");
  targets.push("files");
  return targets;
}

export async function writeBundle(dir: string, bundle: Omit<Bundle, "dir">): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "plan.json"), `${JSON.stringify(bundle.plan, null, 2)}\n`);
  await writeFile(join(dir, "bundle.json"), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
  await writeFile(join(dir, "notebook.md"), bundle.notebookText);
  await writeFile(join(dir, "README.md"), bundleReadme(bundle.manifest, bundle.plan));
}

export async function loadBundle(dir: string): Promise<Bundle> {
  const read = async (file: string): Promise<string> => {
    try {
      return await readFile(join(dir, file), "utf8");
    } catch (error) {
      throw new Error(`bundle: ${join(dir, file)} cannot be read; is ${dir} a folder written by runnel publish?`, { cause: error });
    }
  };
  const manifest = JSON.parse(await read("bundle.json")) as BundleManifest;
  if (manifest.format !== BUNDLE_FORMAT) throw new Error(`bundle: ${dir}/bundle.json is not a runnel bundle (format ${JSON.stringify(manifest.format)})`);
  if (manifest.version !== BUNDLE_VERSION) throw new Error(`bundle: ${dir} is bundle version ${manifest.version}; this runnel reads version ${BUNDLE_VERSION}`);
  const plan = JSON.parse(await read("plan.json")) as Plan;
  return { dir, manifest, plan, notebookText: await read("notebook.md") };
}

/** The per-flush note of a sink's line in the README (`perFlushNote`), or nothing. */
function perFlush(p: Plan["pipelines"][number]): string {
  const note = perFlushNote(p);
  return note ? `\n  - note: ${note}.` : "";
}

function bundleReadme(m: BundleManifest, plan: Plan): string {
  const sinks = plan.pipelines
    .map((p) => {
      const spec = m.sinks[p.sink]!;
      const where = spec.target.kind === "s3" ? `s3://${spec.target.bucket}/${spec.target.prefix}` : spec.target.kind === "fs" ? `${spec.target.dir}/${spec.target.prefix}` : `R2 binding ${spec.target.binding}, prefix ${spec.target.prefix}`;
      return `- \`${p.sink}\` ← cell \`${p.cell.cell}\` (${p.ops.map((o) => o.op).join(" → ")}), to ${where}${spec.partitionBy.length ? `, partitioned by ${spec.partitionBy.join(", ")}` : ""}; flush at ${spec.flush.rows} rows / ${spec.flush.bytes} bytes / ${spec.flush.seconds} s${perFlush(p)}`;
    })
    .join("\n");
  const sources = Object.values(m.sources)
    .map((s) => `- \`${s.name}\`: ${s.kind}${s.kind === "kafka" ? ` topic ${s.topic} on ${s.brokers.join(", ")}` : s.kind === "webhook" ? ` (the Worker's POST /ingest/${s.name}), signature ${s.signature}${s.secret ? ` (secret from env ${s.secret})` : ""}` : ""}, ${s.format}`)
    .join("\n");
  const check = m.check.forced
    ? `**Published with --force although the check found a difference:** ${m.check.difference ?? "(see runnel check)"}`
    : `The check agreed with DuckDB on ${m.check.comparisons} comparisons (sample, edge cases, random events).`;
  return `# ${m.title}

Published by \`runnel publish\` from \`${m.notebook}\` at ${m.publishedAt}.
${check}

## Sources
${sources}

## Sinks
${sinks}

## Files
- \`plan.json\`: the plan (version ${plan.version}) every runtime executes.
- \`bundle.json\`: sources, sinks and the check's result.
- \`notebook.md\`: the notebook as published.

## Run it
- From files (backfill, or to try it without a stream):
  \`runnel run ${"<this folder>"} --input <source>=<file|folder|glob> [--sink <name>=fs:<dir>]\`
${m.targets.includes("runner") ? "- From Kafka: `node runner.js` in this folder, or `runnel run <this folder>` (a consumer group on the topic; same flags, see `node runner.js --help`). `runner.js` needs only Node 20+; reading CSV or Parquet files with `--input` also needs `@duckdb/node-api` installed.\n" : ""}${m.targets.includes("worker") ? "- As a Cloudflare Worker: see `worker/README.md` (`wrangler dev` locally, `wrangler deploy` to ship).\n" : ""}
For \`runnel run\` and the runner, S3 credentials come from \`AWS_ACCESS_KEY_ID\` / \`AWS_SECRET_ACCESS_KEY\` and a non-AWS endpoint from \`RUNNEL_S3_ENDPOINT\`${m.targets.includes("worker") ? "; the Worker's own names are in `worker/README.md`" : ""}.
`;
}

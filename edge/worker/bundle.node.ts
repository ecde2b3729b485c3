/**
 * The deployable Worker of a webhook pipeline: `worker.js` (entry + plan +
 * sink config, bundled by esbuild), `wrangler.toml`, `config.json` and a
 * README. Node only (esbuild, files).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Notebook } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import { BINDINGS, DEFAULT_LIMITS, type WorkerConfig, type WorkerLimits } from "./config.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

/** workerd's date in the miniflare and wrangler this project pins. */
export const COMPATIBILITY_DATE = "2026-11-01";

/** The Worker's config from a compiled notebook: its webhook sources, its sinks, the limits. */
export function workerConfig(name: string, plan: Plan, notebook: Notebook, limits: Partial<WorkerLimits> = {}): WorkerConfig {
  const sources: WorkerConfig["sources"] = {};
  for (const [key, spec] of Object.entries(notebook.sources)) {
    if (spec.kind !== "webhook") continue;
    const { metadata, headers } = spec;
    sources[key] = { signature: spec.signature, secret: spec.secret, deliveryHeader: spec.deliveryHeader, format: spec.format, ...(metadata ? { metadata } : {}), ...(headers ? { headers } : {}) };
  }
  if (Object.keys(sources).length === 0) throw new Error(`worker bundle: notebook ${notebook.file ?? name} has no webhook source; a Worker only ingests webhooks`);
  const sinks: WorkerConfig["sinks"] = {};
  for (const pipeline of plan.pipelines) {
    const spec = notebook.sinks[pipeline.sink];
    if (!spec) throw new Error(`worker bundle: the plan writes sink ${pipeline.sink}, which the notebook does not declare`);
    if (spec.target.kind === "fs") throw new Error(`worker bundle: sink ${pipeline.sink} writes to a local folder (fs); a Worker needs s3 or r2`);
    sinks[pipeline.sink] = spec;
  }
  return { name, plan, sources, sinks, limits: { ...DEFAULT_LIMITS, ...limits } };
}

/** The Worker script (an ES module) for `config`, bundled with esbuild: no eval, web standards only. */
export async function buildWorkerScript(config: WorkerConfig): Promise<string> {
  const entry = [
    `import { DurableObject } from "cloudflare:workers";`,
    `import { createPipelineWorker } from ${JSON.stringify(join(root, "edge/worker/app.ts"))};`,
    `import { defaultLibrary } from ${JSON.stringify(join(root, "edge/exec/library.ts"))};`,
    `import { defaultParquetWriter } from ${JSON.stringify(join(root, "edge/parquet/index.ts"))};`,
    `const config = ${JSON.stringify(config)};`,
    `const worker = createPipelineWorker(config, { library: defaultLibrary, parquet: defaultParquetWriter, objectBase: DurableObject });`,
    `export default worker.handler;`,
    `export const PipelineObject = worker.PipelineObject;`,
  ].join("\n");
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: "ts", sourcefile: "worker-entry.ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:workers"],
    target: "es2022",
    write: false,
    minify: false,
    legalComments: "none",
    logLevel: "silent",
  }).catch((cause: unknown) => {
    throw new Error(`worker bundle: esbuild could not bundle the Worker for ${config.name}`, { cause });
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`worker bundle: esbuild produced no output for ${config.name}`);
  return file.text;
}

/** The secrets a bundle needs, by name (values come from `wrangler secret put`). */
export function requiredSecrets(config: WorkerConfig): string[] {
  const names = new Set<string>();
  for (const s of Object.values(config.sources)) if (s.secret) names.add(s.secret);
  if (Object.values(config.sinks).some((s) => s.target.kind === "s3")) {
    names.add(BINDINGS.s3AccessKeyId);
    names.add(BINDINGS.s3SecretAccessKey);
  }
  return [...names].sort();
}

/** The R2 bucket bindings a bundle needs. */
export function r2Bindings(config: WorkerConfig): string[] {
  return [...new Set(Object.values(config.sinks).flatMap((s) => (s.target.kind === "r2" ? [s.target.binding] : [])))].sort();
}

export function wranglerToml(config: WorkerConfig): string {
  const name = config.name.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  const lines = [
    `# Written by runnel publish for ${config.plan.notebook}. Deploy: wrangler deploy (see README.md).`,
    // One prefix: publish already names the Worker `runnel-<notebook>` (it was `runnel-runnel-github`).
    `name = "${name.startsWith("runnel-") ? name : `runnel-${name}`}"`,
    `main = "worker.js"`,
    `compatibility_date = "${COMPATIBILITY_DATE}"`,
    ``,
    `[[durable_objects.bindings]]`,
    `name = "${BINDINGS.objects}"`,
    `class_name = "PipelineObject"`,
    ``,
    `[[migrations]]`,
    `tag = "v1"`,
    `new_sqlite_classes = ["PipelineObject"]`,
    ``,
  ];
  for (const binding of r2Bindings(config)) {
    lines.push(`[[r2_buckets]]`, `binding = "${binding}"`, `bucket_name = "${binding.toLowerCase().replace(/[^a-z0-9-]/g, "-")}"`, ``);
  }
  lines.push(`[vars]`, `RUNNEL_PIPELINE = "${config.name}"`, ``);
  const secrets = requiredSecrets(config);
  if (secrets.length) {
    lines.push(`# Secrets, set with \`wrangler secret put <NAME>\` (or .dev.vars locally); never in this file:`);
    for (const s of secrets) lines.push(`#   ${s}`);
  }
  lines.push(`# And before a deploy, ${BINDINGS.adminToken}: GET /metrics and POST /flush${Object.values(config.sources).some((s) => s.signature === "none") ? " (and deliveries to the signature: none sources)" : ""} then need it as a bearer token; unset, they refuse everyone.`);
  return `${lines.join("\n")}\n`;
}

function readme(config: WorkerConfig): string {
  const secrets = requiredSecrets(config);
  const sources = Object.entries(config.sources)
    .map(([n, s]) => `- \`POST /ingest/${n}\`: ${s.format}, signature \`${s.signature}\`${s.secret ? ` (secret \`${s.secret}\`)` : ""}${s.deliveryHeader ? `, retries made idempotent by \`${s.deliveryHeader}\`` : ""}`)
    .join("\n");
  const sinks = Object.values(config.sinks)
    .map((s) => `- \`${s.name}\`: ${s.target.kind === "r2" ? `R2 binding \`${s.target.binding}\`` : s.target.kind === "s3" ? `s3://${s.target.bucket}/${s.target.prefix}` : "fs"}, partitioned by ${s.partitionBy.join(", ") || "nothing"}, flushed at ${s.flush.rows} rows / ${s.flush.bytes} bytes / ${s.flush.seconds} s`)
    .join("\n");
  return `# ${config.name}: Cloudflare Worker

Built by \`runnel publish\` from \`${config.plan.notebook}\`.

${sources}
- \`GET /metrics\`: events in, rows out, files and bytes written, dead letters, buffer depth, oldest buffered age, last flush.
- \`POST /flush\`: flush every buffer now.

Set \`${BINDINGS.adminToken}\` (\`npx wrangler secret put ${BINDINGS.adminToken}\`) before a deploy: \`/metrics\` and \`/flush\`${Object.values(config.sources).some((s) => s.signature === "none") ? ", and deliveries to the \`signature: none\` sources," : ""} then need \`Authorization: Bearer <token>\`. Without it they refuse every request (a deployed Worker is on the open internet). \`runnel dev-edge\` makes a token for a local run and prints it, unless \`.dev.vars\` or the environment sets one.

Sinks:

${sinks}

Bad events go to \`_errors/source=<source>/day=<day>/\` as NDJSON with the reason and the raw payload.

## Run locally

\`\`\`sh
runnel dev-edge .          # miniflare, state kept in .runnel-edge/
# or
npx wrangler dev --local --persist-to .wrangler/state
\`\`\`

Secrets for local runs go in \`.dev.vars\` (\`NAME=value\` lines): ${secrets.map((s) => `\`${s}\``).join(", ") || "none"}.

## Deploy

\`\`\`sh
${secrets.map((s) => `npx wrangler secret put ${s}`).join("\n")}
npx wrangler deploy
\`\`\`

\`npx wrangler types\` writes the exact \`Env\` of this configuration.
`;
}

/**
 * Writes the Worker bundle for a compiled webhook notebook into `outDir`
 * (publish passes `dist/pipelines/<name>/worker/`). Returns the files written.
 */
export async function writeWorkerBundle(outDir: string, plan: Plan, notebook: Notebook, options: { name?: string; limits?: Partial<WorkerLimits> } = {}): Promise<{ files: string[] }> {
  const name = options.name ?? (notebook.file ?? plan.notebook).split(/[\\/]/).at(-1)!.replace(/\.md$/i, "");
  const config = workerConfig(name, plan, notebook, options.limits);
  const script = await buildWorkerScript(config);
  await mkdir(outDir, { recursive: true });
  const files: [string, string][] = [
    ["worker.js", script],
    ["wrangler.toml", wranglerToml(config)],
    ["config.json", `${JSON.stringify(config, null, 2)}\n`],
    ["README.md", readme(config)],
  ];
  for (const [file, text] of files) await writeFile(join(outDir, file), text);
  return { files: files.map(([file]) => join(outDir, file)) };
}

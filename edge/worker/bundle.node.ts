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
import { readLakeSection, senderNote } from "./readme-lake.ts";

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

/** The Worker's name in wrangler.toml: `runnel-<notebook>`, lower case. */
function wranglerName(config: WorkerConfig): string {
  const name = config.name.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  // One prefix: publish already names the Worker `runnel-<notebook>` (it was `runnel-runnel-github`).
  return name.startsWith("runnel-") ? name : `runnel-${name}`;
}

/** The R2 bucket an R2 binding names in wrangler.toml. */
export function bucketName(binding: string): string {
  return binding.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

export function wranglerToml(config: WorkerConfig): string {
  const lines = [
    `# Written by runnel publish for ${config.plan.notebook}. Deploy: wrangler deploy (see README.md).`,
    `name = "${wranglerName(config)}"`,
    `main = "worker.js"`,
    // worker.js is bundled already: wrangler uploads these bytes, the script publish checked (it bundled it again, with its own esbuild options).
    `no_bundle = true`,
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
    lines.push(`[[r2_buckets]]`, `binding = "${binding}"`, `bucket_name = "${bucketName(binding)}"`, ``);
  }
  lines.push(`[vars]`, `RUNNEL_PIPELINE = "${config.name}"`);
  if (Object.values(config.sinks).some((s) => s.target.kind === "s3")) {
    lines.push(
      `# The S3 endpoint of the sinks whose notebook names none; unset, AWS (https://s3.<region>.amazonaws.com).`,
      `# R2 through its S3 API: "https://<account id>.r2.cloudflarestorage.com"; a local server: "http://127.0.0.1:9000".`,
      `# ${BINDINGS.s3Endpoint} = "https://<account id>.r2.cloudflarestorage.com"`,
    );
  }
  lines.push(
    `# The largest delivery taken, in bytes; a larger one is a 413 (Cloudflare itself takes up to 100 MB on Free and Pro).`,
    `# ${BINDINGS.maxBodyBytes} = "${config.limits.maxBodyBytes}"`,
    `# How long a delivery id is remembered, in seconds, so a retry is written once (Stripe retries for 3 days: 259200).`,
    `# ${BINDINGS.dedupSeconds} = "${config.limits.dedupSeconds}"`,
    ``,
  );
  const secrets = requiredSecrets(config);
  if (secrets.length) {
    lines.push(`# Secrets, by name only (values: .dev.vars locally; \`wrangler deploy --secrets-file <file>\` for a new Worker, then \`wrangler secret put <NAME>\`):`);
    for (const s of secrets) lines.push(`#   ${s}`);
  }
  lines.push(`# And before a deploy, ${BINDINGS.adminToken}: GET /metrics and POST /flush${Object.values(config.sources).some((s) => s.signature === "none") ? " (and deliveries to the signature: none sources)" : ""} then need it as a bearer token; unset, they refuse everyone.`);
  // Names only: \`wrangler types\` writes them into Env without a .dev.vars, \`wrangler dev\` warns when one is missing, \`wrangler deploy\` refuses until each is set.
  lines.push(`[secrets]`, `required = [${[...secrets, BINDINGS.adminToken].sort().map((s) => JSON.stringify(s)).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

function readme(config: WorkerConfig): string {
  const secrets = [...requiredSecrets(config), BINDINGS.adminToken].sort();
  const workerName = wranglerName(config);
  const buckets = r2Bindings(config).map((b) => bucketName(b));
  const s3 = Object.values(config.sinks).some((s) => s.target.kind === "s3");
  const unsigned = Object.values(config.sources).some((s) => s.signature === "none");
  const sources = Object.entries(config.sources)
    .map(([n, s]) => `- \`POST /ingest/${n}\`: ${s.format}, signature \`${s.signature}\`${s.secret ? ` (secret \`${s.secret}\`)` : ""}${s.deliveryHeader ? `, retries made idempotent by \`${s.deliveryHeader}\`` : ""}. ${senderNote(s)}.${s.deliveryHeader === null && s.signature !== "stripe" && s.signature !== "slack" ? ` No delivery id: a delivery the sender retries (after a timeout or a 503) is written again; name the header that carries its id as the source's \`delivery_header:\` in the notebook.` : ""}`)
    .join("\n");
  const sinks = Object.values(config.sinks)
    .map((s) => `- \`${s.name}\`: ${s.target.kind === "r2" ? `R2 binding \`${s.target.binding}\` (bucket \`${bucketName(s.target.binding)}\`), prefix \`${s.target.prefix}\`` : s.target.kind === "s3" ? `s3://${s.target.bucket}/${s.target.prefix}` : "fs"}, partitioned by ${s.partitionBy.join(", ") || "nothing"}, flushed at ${s.flush.rows} rows / ${s.flush.bytes} bytes / ${s.flush.seconds} s`)
    .join("\n");
  const firstSource = Object.keys(config.sources)[0]!;
  const devVars = secrets.map((s) => `${s}="${s === BINDINGS.adminToken ? "<a long random string; openssl rand -hex 32>" : s === BINDINGS.s3AccessKeyId ? "<the S3 access key id>" : s === BINDINGS.s3SecretAccessKey ? "<the S3 secret access key>" : "<the secret the sender signs with>"}"`).join("\n");
  return `# ${config.name}: Cloudflare Worker

Built by \`runnel publish\` from \`${config.plan.notebook}\`. This folder is a complete Worker: \`worker.js\` is the
script, already bundled (\`no_bundle = true\`: wrangler uploads exactly the file runnel checked), \`wrangler.toml\` its
configuration (the Durable Object \`PIPELINE\` that buffers rows and remembers delivery ids, ${buckets.length ? `the R2 bucket${buckets.length > 1 ? "s" : ""} ${buckets.map((b) => `\`${b}\``).join(", ")}, ` : ""}the secrets it needs by name).

${sources}
- \`GET /metrics\`: events in, rows out, files and bytes written, dead letters, buffer depth, oldest buffered age, last flush, and \`lastError\`: why the last flush failed (a wrong S3 key, a missing bucket), null once one succeeds.
- \`POST /flush\`: flush every buffer now.

\`/metrics\` and \`/flush\`${unsigned ? ", and deliveries to the \`signature: none\` sources," : ""} need \`Authorization: Bearer <${BINDINGS.adminToken}>\`; without that secret they refuse every request (a deployed Worker is on the open internet).

Sinks:

${sinks}

Bad events go to \`_errors/source=<source>/day=<day>/\` under the sink's prefix, as NDJSON with the reason and the raw payload.

## You need

- wrangler 4 on Node.js 22 or newer (wrangler 4.87 and later refuse Node 20): \`npm install --save-dev wrangler\` in your project, or \`npx wrangler\`, which fetches it.
- To deploy: a Cloudflare account, \`npx wrangler login\` (or \`CLOUDFLARE_API_TOKEN\` and \`CLOUDFLARE_ACCOUNT_ID\` in the environment), and a workers.dev subdomain (the dashboard's Workers page offers one the first time).

## Run locally

Put the secrets in \`.dev.vars\` next to \`wrangler.toml\` (\`NAME="value"\` lines; keep the file out of git):

\`\`\`sh
${devVars}
\`\`\`

Then, in this folder:

\`\`\`sh
npx wrangler dev --local --persist-to .wrangler/state     # http://localhost:8787
# or
runnel dev-edge .          # miniflare, state kept in .runnel-edge/ (makes an operator token when .dev.vars has none)
\`\`\`

Deliveries go to \`http://localhost:8787/ingest/${firstSource}\`. The Durable Object's buffer and delivery ids${buckets.length ? ", and the local R2 bucket," : ""} stay in \`.wrangler/state\` across restarts. \`curl -X POST -H "Authorization: Bearer <token>" http://localhost:8787/flush\` writes the buffers now; ${buckets.length ? `\`npx wrangler r2 object get ${buckets[0]}/<key> --local --persist-to .wrangler/state --file out.parquet\` reads one object back (keys are \`<prefix><sink>/<partition>/edge-<writer>-<first>-<last>.parquet\`; wrangler has no command that lists a local bucket).` : "the files go to the S3 endpoint, see below."}
${s3 ? `
The S3 sinks write to AWS unless \`${BINDINGS.s3Endpoint}\` is set: uncomment it under \`[vars]\` in \`wrangler.toml\` (for R2's S3 API, \`https://<account id>.r2.cloudflarestorage.com\`; for a local server such as MinIO, its URL), or pass \`--var ${BINDINGS.s3Endpoint}:<url>\` to \`wrangler dev\`. wrangler reads only the names under \`[secrets]\` from \`.dev.vars\`, so the endpoint does not go there.
` : ""}
## Deploy

${buckets.length ? `\`wrangler deploy\` creates the R2 bucket${buckets.length > 1 ? "s" : ""} ${buckets.map((b) => `\`${b}\``).join(", ")} if your account has none of that name (or: \`${buckets.map((b) => `npx wrangler r2 bucket create ${b}`).join("; ")}\`).\n\n` : ""}\`wrangler deploy\` refuses until every secret under \`[secrets]\` is set. A new Worker cannot take \`wrangler secret put\` before it exists, so the first deploy brings them in a file (same \`NAME="value"\` lines as \`.dev.vars\`, with the production values; keep it out of git):

\`\`\`sh
npx wrangler deploy --secrets-file .secrets.production
\`\`\`

Later: \`npx wrangler secret put <NAME>\` changes one, \`npx wrangler deploy\` ships a new bundle. wrangler prints the Worker's URL, \`https://${workerName}.<your subdomain>.workers.dev\`; give the sender \`https://${workerName}.<your subdomain>.workers.dev/ingest/${firstSource}\`${Object.values(config.sources).some((s) => s.signature === "github") ? " (GitHub: the repository's Settings → Webhooks → Payload URL; content type `application/json`; Secret the same value as the Worker's secret)" : ""}, and check it with \`curl -H "Authorization: Bearer <token>" https://${workerName}.<your subdomain>.workers.dev/metrics\`.

## Limits

A delivery larger than ${config.limits.maxBodyBytes} bytes is refused with 413, and a delivery id is remembered for ${config.limits.dedupSeconds} s (a retry after that is written again). Both are vars: \`${BINDINGS.maxBodyBytes}\` and \`${BINDINGS.dedupSeconds}\` under \`[vars]\` in \`wrangler.toml\` (commented out there), \`--var NAME:value\` for \`wrangler dev\`, \`.dev.vars\` or the environment for \`runnel dev-edge\`. A CloudTrail file or a batching sender's delivery can pass 1 MiB; Cloudflare takes bodies up to 100 MB on Free and Pro. Stripe retries for three days (259200 s).

${readLakeSection(config, bucketName)}
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

/**
 * Runs a Worker bundle (what writeWorkerBundle wrote) locally in workerd
 * through programmatic miniflare: one process, Durable Object SQLite and R2
 * state kept on disk, secrets from `.dev.vars` or the environment.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { COMPATIBILITY_DATE, bucketName, r2Bindings, requiredSecrets } from "./bundle.node.ts";
import { mirrorLake, type LakeMirror } from "./dev-lake.node.ts";
import { BINDINGS, type WorkerConfig } from "./config.ts";
import { standardKey } from "../verify/verify.ts";

export interface DevEdgeOptions {
  /** The bundle: `dist/pipelines/<name>` or its `worker/` folder. */
  dir: string;
  port?: number;
  host?: string;
  /** Where state is kept (default `<worker folder>/.runnel-edge`). */
  persist?: string;
  /** Values for secrets and vars; default `.dev.vars` in the worker folder, then the process environment. */
  vars?: Record<string, string>;
  /** A folder the R2 buckets are copied into as files, `<lake>/<bucket>/<key>`, as the Worker writes them. */
  lake?: string;
}

export interface DevEdge {
  url: URL;
  config: WorkerConfig;
  persist: string;
  missingSecrets: string[];
  /** Secrets set but unusable, one sentence each (a Standard Webhooks secret that is not `whsec_<base64>`). */
  badSecrets: string[];
  /** The bearer token of `/metrics`, `/flush` and `signature: none` sources. */
  adminToken: string;
  /** True when no token was given and this run made one. */
  adminTokenMade: boolean;
  mf: Miniflare;
  /** The copy of the R2 buckets under `lake`, when asked for. */
  lake: LakeMirror | null;
  dispose(): Promise<void>;
}

/** Parses `.dev.vars` (`NAME=value` lines, `#` comments, optional quotes), as wrangler does. */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith("#")) continue;
    const value = m[2]!;
    vars[m[1]!] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  }
  return vars;
}

export async function startDevEdge(options: DevEdgeOptions): Promise<DevEdge> {
  const dir = existsSync(join(options.dir, "worker", "worker.js")) ? join(options.dir, "worker") : options.dir;
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), "utf8");
    } catch (cause) {
      throw new Error(`dev-edge: ${join(dir, file)} cannot be read; is ${options.dir} a bundle written by runnel publish?`, { cause });
    }
  };
  const config = JSON.parse(read("config.json")) as WorkerConfig;
  const script = read("worker.js");
  const devVars = existsSync(join(dir, ".dev.vars")) ? parseDevVars(readFileSync(join(dir, ".dev.vars"), "utf8")) : {};
  const bindings: Record<string, string> = { RUNNEL_PIPELINE: config.name };
  const secrets = requiredSecrets(config);
  const missingSecrets: string[] = [];
  // The S3 key may come under the names `runnel run` reads (AWS_*), as a developer's shell has it.
  const alias: Record<string, string> = { [BINDINGS.s3AccessKeyId]: "AWS_ACCESS_KEY_ID", [BINDINGS.s3SecretAccessKey]: "AWS_SECRET_ACCESS_KEY" };
  const valueOf = (name: string) => options.vars?.[name] ?? devVars[name] ?? process.env[name];
  for (const name of secrets) {
    const value = valueOf(name) ?? (alias[name] ? valueOf(alias[name]) : undefined);
    if (value === undefined) missingSecrets.push(name);
    else bindings[name] = value;
  }
  const badSecrets = Object.entries(config.sources).flatMap(([source, s]) =>
    s.signature === "standard" && s.secret !== null && bindings[s.secret] !== undefined && standardKey(bindings[s.secret]!) === null
      ? [`secret ${s.secret} is not a Standard Webhooks secret (whsec_<base64>, as the provider shows it); deliveries to ${source} answer 503`]
      : [],
  );
  // Vars, as wrangler dev reads them from wrangler.toml's [vars] or --var.
  for (const name of [BINDINGS.s3Endpoint, BINDINGS.maxBodyBytes, BINDINGS.dedupSeconds]) {
    const value = valueOf(name);
    if (value) bindings[name] = value;
  }
  // The Worker refuses its operator routes without a token; a local run gets a fresh one unless one is given.
  const given = options.vars?.[BINDINGS.adminToken] ?? devVars[BINDINGS.adminToken] ?? process.env[BINDINGS.adminToken];
  const adminToken = given !== undefined && given !== "" ? given : randomBytes(24).toString("base64url");
  bindings[BINDINGS.adminToken] = adminToken;
  const persist = resolve(options.persist ?? join(dir, ".runnel-edge"));
  const mf = new Miniflare({
    ...convertV4MiniflareOptions({
      modules: true,
      script,
      compatibilityDate: COMPATIBILITY_DATE,
      durableObjects: { [BINDINGS.objects]: { className: "PipelineObject", useSQLite: true } },
      r2Buckets: r2Bindings(config),
      bindings,
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 8787,
    }),
    // miniflare 5 keeps every resource's state under one root; the v4 adapter leaves it unset, so it goes last.
    resourcePersistencePath: persist,
  });
  let url: URL;
  try {
    url = await mf.ready;
  } catch (error) {
    // workerd is already running: without this a taken port left the command alive, listening nowhere.
    await mf.dispose().catch(() => undefined);
    throw error;
  }
  let lake: LakeMirror | null = null;
  if (options.lake !== undefined) {
    const buckets: Record<string, Parameters<typeof mirrorLake>[1][string]> = {};
    for (const binding of r2Bindings(config)) buckets[bucketName(binding)] = (await mf.getR2Bucket(binding)) as never;
    lake = mirrorLake(options.lake, buckets);
  }
  const dispose = async () => {
    await lake?.stop();
    await mf.dispose();
  };
  return { url, config, persist, missingSecrets, badSecrets, adminToken, adminTokenMade: adminToken !== given, mf, lake, dispose };
}

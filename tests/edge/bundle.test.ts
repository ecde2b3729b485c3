import { randomUUID } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { writeWorkerBundle } from "../../edge/worker/bundle.node.ts";
import { startDevEdge } from "../../edge/worker/dev.node.ts";
import { githubSignature } from "../../edge/verify/verify.ts";
import { compileWith, githubFixtures, readNotebook, root } from "./harness.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("writeWorkerBundle writes a Worker that dev-edge runs with state kept across a restart", async () => {
  const { notebook } = readNotebook("github.md", (t) => t.replace(/s3: \{ bucket: lake, prefix: (\S+) \}/g, "r2: { binding: LAKE, prefix: $1 }"));
  const sample = githubFixtures(["push", "issues", "pull_request"]);
  const plan = await compileWith(notebook, { github: sample.map((f) => f.text) });
  const dir = mkdtempSync(join(tmpdir(), "runnel-bundle-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const { files } = await writeWorkerBundle(join(dir, "worker"), plan, notebook);
  expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(["worker/README.md", "worker/config.json", "worker/worker.js", "worker/wrangler.toml"]);
  const toml = readFileSync(join(dir, "worker", "wrangler.toml"), "utf8");
  expect(toml).toContain('main = "worker.js"');
  expect(toml).toMatch(/\[\[durable_objects\.bindings\]\]\nname = "PIPELINE"\nclass_name = "PipelineObject"/);
  expect(toml).toMatch(/\[\[migrations\]\]\ntag = "v1"\nnew_sqlite_classes = \["PipelineObject"\]/);
  expect(toml).toMatch(/\[\[r2_buckets\]\]\nbinding = "LAKE"/);
  expect(toml).toContain("#   GITHUB_WEBHOOK_SECRET");
  expect(toml).not.toContain("it's a secret");
  const script = readFileSync(join(dir, "worker", "worker.js"), "utf8");
  expect(script).not.toMatch(/\bnew Function\(|\beval\(/);
  writeFileSync(join(dir, "worker", ".dev.vars"), 'GITHUB_WEBHOOK_SECRET="bundle secret"\n');

  let edge = await startDevEdge({ dir, port: 0 });
  cleanup.push(() => edge.dispose());
  expect(edge.missingSecrets).toEqual([]);
  const push = sample.find((f) => f.file === "with-new-branch.payload.json")!.text;
  const post = (id: string) =>
    fetch(new URL("/ingest/github", edge.url), { method: "POST", body: push, headers: { "x-github-delivery": id, "x-hub-signature-256": "" } });
  expect((await post(randomUUID())).status).toBe(401);
  const signed = async (id: string) =>
    fetch(new URL("/ingest/github", edge.url), { method: "POST", body: push, headers: { "x-github-delivery": id, "x-hub-signature-256": await githubSignature("bundle secret", push) } });
  const id = randomUUID();
  expect((await signed(id)).status).toBe(202);
  await edge.dispose();
  edge = await startDevEdge({ dir, port: 0 });
  const again = await signed(id);
  expect(again.status).toBe(202);
  expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
  // The operator's routes refuse a caller without the token dev-edge made for this run.
  expect(edge.adminTokenMade).toBe(true);
  const refused = await fetch(new URL("/flush", edge.url), { method: "POST" });
  expect(refused.status).toBe(401);
  expect(((await refused.json()) as { error: string }).error).toBe("worker: POST /flush needs Authorization: Bearer <RUNNEL_ADMIN_TOKEN>");
  const operator = { authorization: `Bearer ${edge.adminToken}` };
  const metrics = (await (await fetch(new URL("/metrics", edge.url), { headers: operator })).json()) as { eventsIn: number; bufferRows: number };
  expect(metrics).toMatchObject({ eventsIn: 1, bufferRows: 2 });
  const flushed = (await (await fetch(new URL("/flush", edge.url), { method: "POST", headers: operator })).json()) as { rowsOut: number; files: number };
  expect(flushed).toMatchObject({ rowsOut: 2, files: 2 });

  // `runnel dev-edge` prints the token it makes for a run, and never one the user set.
  const cli = async (env: Record<string, string>) => {
    const child = spawn(process.execPath, [join(root, "bin", "runnel.js"), "dev-edge", dir, "--port", "0", "--persist", join(dir, "cli-state")], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (out += String(d)));
    const deadline = Date.now() + 60_000;
    while (!/operator token/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    return out;
  };
  const { RUNNEL_ADMIN_TOKEN: _unset, ...withoutToken } = process.env;
  const made = await cli({ ...(withoutToken as Record<string, string>) });
  expect(made).toMatch(/operator token \(made for this run.*\): Authorization: Bearer [A-Za-z0-9_-]{32}\n/);
  const chosen = await cli({ RUNNEL_ADMIN_TOKEN: "my-own-operator-token" });
  expect(chosen).toContain("operator token: RUNNEL_ADMIN_TOKEN, as set in worker/.dev.vars or the environment");
  expect(chosen).not.toContain("my-own-operator-token");

  // A taken port is an error and an exit, not a command left running that listens nowhere.
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
  const port = (taken.address() as { port: number }).port;
  const busy = spawnSync(process.execPath, [join(root, "bin", "runnel.js"), "dev-edge", dir, "--port", String(port), "--persist", join(dir, "busy-state")], { encoding: "utf8", timeout: 60_000 });
  taken.close();
  expect(busy.status, busy.stdout + busy.stderr).toBe(1);
  expect(busy.stderr).toMatch(/runnel dev-edge: Address already in use/);
});

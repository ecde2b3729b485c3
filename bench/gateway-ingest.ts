/**
 * Webhook capture throughput on loopback: the gateway's `POST /hooks/<notebook>/<source>`
 * (route lookup, GitHub signature check in constant time, delivery-id dedupe,
 * append to the on-disk log, 202), served by its own Node request listener as
 * `startGateway` does, against a bare Hono handler on @hono/node-server that
 * reads and drops the same bodies: the ceiling. One process:
 * both servers on the main thread, the load generator in one worker thread.
 * Phase 1 finds each one's maximum rate (closed loop); phase 2 sends at half
 * the gateway's maximum (open loop) and reports p99 from the scheduled send
 * time. Each phase runs in rounds that alternate bare and gateway, and the
 * medians are reported, so load from other processes hits both alike; CPU
 * time per request (process-wide) is reported too, since it holds still on a
 * busy machine where rates and latencies do not, and the main thread's CPU
 * time per request alone (the servers' work, which runs one request at a time).
 * Goals (issue 3): gateway ≥ 70% of the ceiling; p99 < 50 ms at half rate.
 *
 *   npx tsx bench/gateway-ingest.ts [seconds per round = 2] [rounds = 5] [concurrency = 32]
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createLogger } from "../gateway/log.ts";
import { createApp } from "../gateway/server.ts";
import { githubSignature } from "../gateway/webhooks/verify.ts";
import type { LoadPlan, LoadResult } from "./lib/load-client.ts";

const SECONDS = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 5);
const CONCURRENCY = Number(process.argv[4] ?? 32);
const MAX_REQUESTS = 200_000;
const secret = "bench-secret";
const body = readFileSync(new URL("../tests/fixtures/github-webhooks/push/payload.json", import.meta.url), "utf8");

type Listening = { port: number; close: () => Promise<void> };

/** The bare handler on @hono/node-server, as a Hono app is usually served. */
async function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ port: info.port, close: () => new Promise<void>((done) => server.close(() => done())) }),
    );
  });
}

/** The gateway on a Node server with its own request listener, as `startGateway` serves it. */
async function listenNode(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** CPU time the whole process (servers and load client) spent per answered request, in µs. */
const cpuPerRequest = new Map<LoadResult, number>();
/**
 * CPU time of the main thread alone per answered request, in µs: the servers'
 * work without the load client (a worker thread) or V8's helper threads. The
 * main thread runs every request in turn, so this bounds the rate on its own.
 */
const serverCpuPerRequest = new Map<LoadResult, number>();

/** The main thread's CPU time (Node ≥ 22.19 / 23.9); NaN where the runtime cannot tell. */
function threadCpuUsage(since?: NodeJS.CpuUsage): NodeJS.CpuUsage {
  if (typeof process.threadCpuUsage !== "function") return { user: NaN, system: NaN };
  return process.threadCpuUsage(since);
}

async function load(plan: LoadPlan): Promise<LoadResult> {
  const before = process.cpuUsage();
  const serverBefore = threadCpuUsage();
  const result = await loadOnce(plan);
  const used = process.cpuUsage(before);
  const serverUsed = threadCpuUsage(serverBefore);
  cpuPerRequest.set(result, (used.user + used.system) / Math.max(1, result.ok));
  serverCpuPerRequest.set(result, (serverUsed.user + serverUsed.system) / Math.max(1, result.ok));
  return result;
}

/**
 * One load client (a worker thread) for the whole run, so its start-up
 * (importing tsx and the client) falls in no round's CPU time; it runs one
 * plan per message and answers with the result.
 */
function startLoadClient(): { ready: Promise<void>; worker: Worker } {
  // Node 20 does not apply --import hooks to a worker's entry module, so the worker registers tsx itself.
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const client = JSON.stringify(new URL("./lib/load-client.ts", import.meta.url).href);
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     import(${tsx}).then((m) => { m.register(); return import(${client}); }).then(({ run }) => {
       parentPort.on("message", (plan) => run(plan).then((result) => parentPort.postMessage(result), (err) => parentPort.postMessage({ error: err.message })));
       parentPort.postMessage("ready");
     }, (err) => parentPort.postMessage({ error: err.message }));`,
    { eval: true },
  );
  const ready = new Promise<void>((resolve, reject) => {
    worker.once("message", (m: "ready" | { error: string }) => (m === "ready" ? resolve() : reject(new Error(`bench: load client: ${m.error}`))));
    worker.once("error", reject);
  });
  return { ready, worker };
}

const client = startLoadClient();
await client.ready;

function loadOnce(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    client.worker.once("error", onError);
    client.worker.once("message", (m: LoadResult | { error: string }) => {
      client.worker.off("error", onError);
      if ("error" in m) reject(new Error(`bench: load client: ${m.error}`));
      else resolve(m);
    });
    client.worker.postMessage(plan);
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

const dir = await mkdtemp(join(tmpdir(), "runnel-bench-ingest-"));
const root = join(dir, "notebooks");
await mkdir(root);
await writeFile(join(root, "github.md"), `---\ntitle: GitHub\nsources:\n  github:\n    webhook: { signature: github, secret: GITHUB_WEBHOOK_SECRET }\n---\n`);
// The gateway formats every log line as it would in production; only the write to stdout is left out.
const gateway = createApp({ root, token: "b".repeat(64), stateDir: join(dir, "state"), demo: false, env: { GITHUB_WEBHOOK_SECRET: secret }, log: createLogger(() => undefined) });
const bare = new Hono();
bare.post("/hooks/github/github", async (c) => {
  await c.req.arrayBuffer();
  return c.body(null, 202);
});
const servers = { gateway: await listenNode(gateway.nodeListener()), bare: await listen(bare.fetch) };
const headers = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "bench-{i}", "x-hub-signature-256": githubSignature(secret, body) };
const plan = (port: number, mode: LoadPlan["mode"], rate = 0, prefix = ""): LoadPlan => ({
  url: `http://127.0.0.1:${port}/hooks/github/github`,
  body,
  headers: { ...headers, "x-github-delivery": `${prefix}bench-{i}` },
  mode,
  concurrency: CONCURRENCY,
  rate,
  maxRequests: MAX_REQUESTS,
  maxSeconds: SECONDS,
  expectStatus: 202,
});

// Warm both (JIT, DuckDB-free path, the delivery log's file) before measuring.
await load({ ...plan(servers.bare.port, "closed", 0, "warm-"), maxSeconds: 1 });
await load({ ...plan(servers.gateway.port, "closed", 0, "warm-"), maxSeconds: 1 });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rateOf = (r: LoadResult) => r.ok / r.seconds;
const runs: Record<"maxBare" | "maxGateway" | "halfBare" | "halfGateway", LoadResult[]> = { maxBare: [], maxGateway: [], halfBare: [], halfGateway: [] };
for (let round = 0; round < ROUNDS; round++) {
  runs.maxBare.push(await load(plan(servers.bare.port, "closed")));
  runs.maxGateway.push(await load(plan(servers.gateway.port, "closed", 0, `max${round}-`)));
}
const half = Math.floor(median(runs.maxGateway.map(rateOf)) / 2);
for (let round = 0; round < ROUNDS; round++) {
  runs.halfBare.push(await load(plan(servers.bare.port, "open", half)));
  runs.halfGateway.push(await load(plan(servers.gateway.port, "open", half, `half${round}-`)));
}

await servers.gateway.close();
await servers.bare.close();
await client.worker.terminate();
await gateway.close();
await rm(dir, { recursive: true, force: true });

const failures = Object.values(runs).flat().filter((r) => r.failed > 0);
if (failures.length > 0) throw new Error(`bench: requests failed: ${failures.map((r) => `${r.failed} (${r.firstFailure})`).join(", ")}`);

const stats = (max: LoadResult[], halfRuns: LoadResult[]) => ({
  rate: median(max.map(rateOf)),
  cpu: median(max.map((r) => cpuPerRequest.get(r)!)),
  serverCpu: median(max.map((r) => serverCpuPerRequest.get(r)!)),
  p50: median(max.map((r) => pct(r.latencies, 50))),
  p99: median(max.map((r) => pct(r.latencies, 99))),
  halfP99: median(halfRuns.map((r) => pct(r.latencies, 99))),
});
const bareStats = stats(runs.maxBare, runs.halfBare);
const gatewayStats = stats(runs.maxGateway, runs.halfGateway);
const ratios = runs.maxGateway.map((r, i) => rateOf(r) / rateOf(runs.maxBare[i]!));
const row = (name: string, s: ReturnType<typeof stats>) =>
  `| ${name.padEnd(28)} | ${s.rate.toFixed(0).padStart(6)} | ${s.p50.toFixed(1).padStart(6)} | ${s.p99.toFixed(1).padStart(6)} | ${s.cpu.toFixed(0).padStart(10)} | ${s.serverCpu.toFixed(0).padStart(13)} | ${String(half).padStart(9)} | ${s.halfP99.toFixed(1).padStart(9)} |`;
console.log(`webhook capture: ${(body.length / 1024).toFixed(1)} KiB GitHub push payload, ${CONCURRENCY} connections, ${ROUNDS} rounds of ${SECONDS} s per phase (medians), Node ${process.version}`);
console.log("| target                       |  req/s | p50 ms | p99 ms | CPU µs/req | server µs/req | half rate | p99 ms @½ |");
console.log("| ---------------------------- | ------ | ------ | ------ | ---------- | ------------- | --------- | --------- |");
console.log(row("bare Hono (accept, drop)", bareStats));
console.log(row("gateway /hooks (verify, log)", gatewayStats));
console.log(`\ngateway / ceiling: ${(median(ratios) * 100).toFixed(1)}% (median of rounds: ${ratios.map((r) => (r * 100).toFixed(0) + "%").join(" ")}; goal ≥ 70%)`);
console.log(`gateway p99 at half its max rate (${half} req/s): ${gatewayStats.halfP99.toFixed(1)} ms (goal < 50 ms)`);
console.log(`CPU per request, whole process (both servers' work plus the load client's): bare / gateway = ${((bareStats.cpu / gatewayStats.cpu) * 100).toFixed(1)}%, the ratio the machine would reach if nothing else ran; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
const serverRatios = runs.maxGateway.map((r, i) => serverCpuPerRequest.get(runs.maxBare[i]!)! / serverCpuPerRequest.get(r)!);
console.log(`server thread CPU per request: bare / gateway = ${(median(serverRatios) * 100).toFixed(1)}% (median of rounds: ${serverRatios.map((r) => (r * 100).toFixed(0) + "%").join(" ")}); the server thread is the bottleneck once the load client has a core of its own`);

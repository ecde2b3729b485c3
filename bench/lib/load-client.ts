/**
 * A loopback HTTP load generator, run in a worker thread so the server under
 * test keeps the main thread's event loop. Two modes: closed loop (fixed
 * concurrency, as fast as answers come: the maximum rate) and open loop
 * (requests sent on a fixed schedule; latency counted from the scheduled send
 * time, so a stalled server cannot hide its queueing delay).
 */
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

export interface LoadPlan {
  url: string;
  body: string;
  /** Headers per request; `{i}` in a value becomes the request's index (unique delivery ids). */
  headers: Record<string, string>;
  mode: "closed" | "open";
  concurrency: number;
  /** Requests per second in open mode. */
  rate: number;
  maxRequests: number;
  maxSeconds: number;
  expectStatus: number;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  /** Latencies in milliseconds, sorted. */
  latencies: number[];
  firstFailure: string | null;
}

export async function run(plan: LoadPlan): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const url = new URL(plan.url);
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  const started = performance.now();
  const deadline = started + plan.maxSeconds * 1000;

  const one = (i: number, scheduled: number) =>
    new Promise<void>((resolve) => {
      const headers: Record<string, string> = { "content-length": String(Buffer.byteLength(plan.body)) };
      for (const [k, v] of Object.entries(plan.headers)) headers[k] = v.replace("{i}", String(i));
      const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - scheduled);
          if (res.statusCode === plan.expectStatus) ok++;
          else {
            failed++;
            firstFailure ??= `status ${res.statusCode}`;
          }
          resolve();
        });
      });
      req.on("error", (err) => {
        failed++;
        firstFailure ??= err.message;
        resolve();
      });
      req.end(plan.body);
    });

  if (plan.mode === "closed") {
    const loop = async () => {
      while (sent < plan.maxRequests && performance.now() < deadline) {
        const i = sent++;
        await one(i, performance.now());
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, loop));
  } else {
    const interval = 1000 / plan.rate;
    const inFlight: Promise<void>[] = [];
    while (sent < plan.maxRequests && performance.now() < deadline) {
      const scheduled = started + sent * interval;
      const wait = scheduled - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(one(sent++, scheduled));
    }
    await Promise.all(inFlight);
  }
  agent.destroy();
  return { sent, ok, failed, seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b), firstFailure };
}

if (parentPort && workerData) {
  const port = parentPort;
  run(workerData as LoadPlan).then(
    (result) => port.postMessage(result),
    (err: Error) => port.postMessage({ error: err.message }),
  );
}

/**
 * How the Kafka runner reaches its partition engines: in worker threads
 * (`partition-worker.ts`; in a published bundle `runner-worker.js` beside
 * `runner.js`), or in its own thread when `threads` is 0. Partition `p` goes
 * to thread `p % threads`.
 */
import { Worker } from "node:worker_threads";
import type { ParquetWriter } from "../parquet/writer.ts";
import { EngineHost, type EngineConfig, type EngineRequest } from "./partition-engine.ts";
import type { SinkTarget } from "./sink-writer.ts";
import type { WorkerInit } from "./partition-worker.ts";

/** A worker thread died: its partitions' calls fail with this, and retrying them is pointless. */
export class EngineFailed extends Error {
  override name = "EngineFailed";
}

export interface EngineClient {
  call(partition: number, request: EngineRequest): Promise<unknown>;
  close(): Promise<void>;
}

/** Engines in this thread: the same code as a worker's, called directly. */
export function localEngines(config: EngineConfig, targets: Record<string, SinkTarget>, parquet: ParquetWriter, now: () => number): EngineClient {
  const host = new EngineHost(config, targets, parquet, now);
  return { call: (_partition, request) => host.handle(request), close: () => Promise.resolve() };
}

/** The worker's entry: the bundle's `runner-worker.js`, or under tsx the TypeScript source with tsx registered first. */
function startWorker(workerData: WorkerInit): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./runner-worker.js", import.meta.url), { workerData });
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./partition-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** `threads` worker threads; a worker that dies fails every call waiting on it and every later one. */
export function workerEngines(config: EngineConfig, targets: Record<string, SinkTarget>, threads: number): EngineClient {
  const specs = Object.fromEntries(Object.entries(targets).map(([name, t]) => [name, t.spec]));
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failed: (Error | null)[] = [];
  const workers = Array.from({ length: threads }, (_, i) => {
    const worker = startWorker({ config, specs });
    // The consumer's sockets keep the process alive while it runs; a worker must not keep it alive after.
    worker.unref();
    failed[i] = null;
    worker.on("message", (m: { seq: number; ok: boolean; value?: unknown; error?: string }) => {
      const w = waiting.get(m.seq);
      if (!w) return;
      waiting.delete(m.seq);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(m.error));
    });
    const fail = (error: Error) => {
      failed[i] = error;
      for (const [s, w] of waiting) {
        waiting.delete(s);
        w.reject(error);
      }
    };
    worker.on("error", (error: Error) => fail(new EngineFailed(`runner: worker thread ${i} failed: ${error.message}`, { cause: error })));
    worker.on("exit", (code) => fail(new EngineFailed(`runner: worker thread ${i} exited (code ${code})`)));
    return worker;
  });
  return {
    call(partition, request) {
      const i = partition % threads;
      const dead = failed[i];
      if (dead) return Promise.reject(dead);
      const s = ++seq;
      const transfer: ArrayBufferLike[] = [];
      if (request.op === "run") {
        const { values, lengths, offsets, timestamps, keys, keyLengths, recordTimes } = request.segment;
        for (const array of [values, lengths, offsets, timestamps, keys, keyLengths, recordTimes]) if (array) transfer.push(array.buffer);
      }
      return new Promise((resolve, reject) => {
        waiting.set(s, { resolve, reject });
        workers[i]!.postMessage({ seq: s, request }, transfer as ArrayBuffer[]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * A worker thread of the Kafka runner: an `EngineHost` (partition-engine.ts)
 * behind a message port. The main thread sends `{ seq, request }`; the
 * answer is `{ seq, ok: true, value }` or `{ seq, ok: false, error }`. Sinks
 * are opened here from their declarations, with this thread's copy of the
 * environment (credentials never cross the port).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { SinkSpec } from "../../notebook/format/model.ts";
import { defaultParquetWriter } from "../parquet/index.ts";
import { warmUp } from "../parquet/warm-up.ts";
import type { SinkOp } from "../plan/types.ts";
import { EngineHost, type EngineConfig, type EngineRequest } from "./partition-engine.ts";
import { openSink } from "./open-sink.ts";
import type { SinkTarget } from "./sink-writer.ts";

export interface WorkerInit {
  config: EngineConfig;
  specs: Record<string, SinkSpec>;
}

const port = parentPort;
if (!port) throw new Error("runner: partition-worker.ts runs as a worker thread of the Kafka runner");
const init = workerData as WorkerInit;
const targets: Record<string, SinkTarget> = {};
for (const [name, spec] of Object.entries(init.specs)) targets[name] = { spec, opened: openSink(spec) };
const host = new EngineHost(init.config, targets, defaultParquetWriter);
// While the consumer joins the group (requests wait in the port meanwhile).
for (const pipeline of init.config.plan.pipelines) {
  try {
    warmUp(defaultParquetWriter, (pipeline.ops.at(-1) as SinkOp).schema);
  } catch {
    // Only a warm-up: the first real flush reports any real problem.
  }
}

port.on("message", (message: { seq: number; request: EngineRequest }) => {
  host.handle(message.request).then(
    (value) => port.postMessage({ seq: message.seq, ok: true, value }),
    (error: unknown) => port.postMessage({ seq: message.seq, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});

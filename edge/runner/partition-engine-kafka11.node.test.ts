import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { workerEngines } from "./engine-client.ts";
import { openSink, parseSinkOverride } from "./open-sink.ts";

test("kafka11: a seal of a partition a rebalance dropped meanwhile is a refused answer, and the worker thread goes on (it died, taking every partition with it)", { timeout: 60_000 }, async () => {
  const { default: config } = await import("../worker/fixtures/turnstile.config.json");
  const spec = parseSinkOverride(`fs:${await mkdtemp(join(tmpdir(), "runnel-kafka11-engine-"))}`, config.sinks.lake as never);
  const engines = workerEngines({ plan: config.plan as never, topic: "t", source: { name: "turnstile", format: "json" } }, { lake: { spec, opened: openSink(spec) } }, 1);
  try {
    await engines.call(0, { op: "open", id: 1, partition: 0, writerName: "t.0", snapshot: null });
    await engines.call(0, { op: "drop", id: 1 });
    await expect(engines.call(0, { op: "seal", id: 1, final: false, ifDue: true })).rejects.toThrow("runner: no partition engine 1 (dropped, or never opened)");
    await expect(engines.call(0, { op: "write", id: 1 })).rejects.toThrow("runner: no partition engine 1 (dropped, or never opened)");
    // The same thread still serves the runner's other partitions.
    await engines.call(0, { op: "open", id: 2, partition: 1, writerName: "t.1", snapshot: null });
    await expect(engines.call(0, { op: "seal", id: 2, final: false, ifDue: false })).resolves.toMatchObject({ sealed: [] });
  } finally {
    await engines.close();
  }
});

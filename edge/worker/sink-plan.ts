import type { AggregateOp, Operator, Pipeline, Plan } from "../plan/types.ts";
import type { Schema, Value } from "../plan/values.ts";
import { decodeValue, encodeValue } from "../plan/value-json.ts";
import type { JsonValue } from "../plan/types.ts";

/**
 * How one sink's pipeline is split between the Worker and its Durable Object.
 *
 * - `plain` (no GROUP BY): every operator is stateless, so the Worker runs
 *   them all and the Durable Object of (sink, partition) buffers finished rows.
 * - `window` (GROUP BY over a time bucket): the Worker runs the operators
 *   before the aggregate; one Durable Object per sink holds the window state
 *   (one watermark per sink, as the check has) and the operators after it.
 * - `per-flush` (GROUP BY without a time bucket): the Worker runs the
 *   operators before the aggregate; the sink's one Durable Object buffers
 *   those rows and aggregates each flushed batch as one file.
 */
export interface SinkPlan {
  sink: string;
  source: string;
  kind: "plain" | "window" | "per-flush";
  pipeline: Pipeline;
  /** Columns of the rows the Durable Object buffers. */
  buffered: Schema;
  aggregate: AggregateOp | null;
  /** Operators after the aggregate (filters and projections). */
  tail: Operator[];
  /** The sink's output columns. */
  output: Schema;
  partitionBy: string[];
}

export function sinkPlans(plan: Plan): SinkPlan[] {
  return plan.pipelines.map((pipeline) => {
    const ops = pipeline.ops;
    const scan = ops[0];
    const sink = ops.at(-1);
    if (scan?.op !== "scan" || sink?.op !== "sink") throw new Error(`worker: pipeline for sink ${pipeline.sink} must run from a scan to a sink`);
    const at = ops.findIndex((o) => o.op === "aggregate");
    const aggregate = at < 0 ? null : (ops[at] as AggregateOp);
    return {
      sink: pipeline.sink,
      source: scan.source,
      kind: aggregate === null ? "plain" : aggregate.window ? "window" : "per-flush",
      pipeline,
      buffered: aggregate === null ? sink.schema : ops[at - 1]!.schema,
      aggregate,
      tail: aggregate === null ? [] : ops.slice(at + 1, -1),
      output: sink.schema,
      partitionBy: sink.partitionBy,
    };
  });
}

/**
 * The plan the Worker runs for a sink with an aggregate: the operators before
 * it, ending in a sink whose columns are named c0, c1, ... so rows keep every
 * column by position (names may repeat in intermediate schemas).
 */
export function headPipeline(p: SinkPlan): Pipeline {
  const ops = p.pipeline.ops;
  const at = ops.findIndex((o) => o.op === "aggregate");
  if (at < 0) return p.pipeline;
  const sink = ops.at(-1)!;
  return {
    ...p.pipeline,
    ops: [
      ...ops.slice(0, at),
      { op: "sink", sink: p.sink, partitionBy: [], origin: sink.origin, schema: p.buffered.map((c, i) => ({ name: `c${i}`, type: c.type })) },
    ],
  };
}

/** One buffered row as JSON text, values encoded by their DuckDB types. */
export function rowCodec(schema: Schema): { encode(values: Value[]): string; decode(text: string): Value[] } {
  const types = schema.map((c) => c.type);
  return {
    encode(values) {
      const out = new Array<JsonValue>(types.length);
      for (let i = 0; i < types.length; i++) out[i] = encodeValue(values[i] ?? null, types[i]!);
      return JSON.stringify(out);
    },
    decode(text) {
      const json = JSON.parse(text) as JsonValue[];
      const out = new Array<Value>(types.length);
      for (let i = 0; i < types.length; i++) out[i] = decodeValue(json[i] ?? null, types[i]!);
      return out;
    },
  };
}

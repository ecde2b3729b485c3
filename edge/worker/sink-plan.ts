import type { AggregateOp, Operator, Pipeline, Plan } from "../plan/types.ts";
import { rowFactory, type Row, type Schema, type Value } from "../plan/values.ts";
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

/** Types whose values are already JSON (finite numbers are checked per value). */
const PLAIN = new Set(["VARCHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER", "DATE", "UUID", "JSON"]);
const FLOATS = new Set(["FLOAT", "DOUBLE"]);
const BIGINTS = new Set(["BIGINT", "UBIGINT", "HUGEINT", "UHUGEINT", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", "TIME"]);

/** A nested type with a float somewhere inside (a list of DOUBLE, a struct with a FLOAT field). */
const FLOAT_INSIDE = /\b(FLOAT|DOUBLE)\b/;

/**
 * An encoded nested value with each -0 as `{$float: "-0"}`, which `decodeValue` reads back as -0:
 * JSON has no -0 (`JSON.stringify(-0)` is `0`), and DuckDB shows `list(x)` of a -0.0 as `[-0.0]`.
 */
function tagNegativeZeros(j: JsonValue): JsonValue {
  if (typeof j === "number") return Object.is(j, -0) ? { $float: "-0" } : j;
  if (Array.isArray(j)) return j.map(tagNegativeZeros);
  if (j === null || typeof j !== "object" || "$float" in j) return j;
  const out: { [k: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(j)) out[k] = tagNegativeZeros(v);
  return out;
}

type Enc = (v: Value) => JsonValue;
type Dec = (j: JsonValue) => Value;

/** One buffered row as JSON text (an array), values encoded by their DuckDB types as `value-json.ts` does; common scalar types skip its type parse. */
export function rowCodec(schema: Schema): {
  encode(values: Value[]): string;
  encodeJson(values: Value[]): JsonValue[];
  encodeRow(row: Row): JsonValue[];
  decode(text: string): Value[];
  decodeJson(json: JsonValue[]): Value[];
  decodeRow(json: JsonValue[]): Row;
} {
  const types = schema.map((c) => c.type);
  const names = schema.map((c) => c.name);
  const newRow = rowFactory(names);
  const encs: Enc[] = types.map((t): Enc => {
    if (PLAIN.has(t)) return (v) => v as JsonValue;
    // JSON has no -0 (JSON.stringify(-0) is "0"), and DuckDB shows -0.0 in a key, min, first or list: tagged like NaN.
    if (FLOATS.has(t)) return (v) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? { $float: Object.is(v, -0) ? "-0" : String(v) } : (v as JsonValue));
    if (BIGINTS.has(t)) return (v) => (v === null ? null : String(v));
    return FLOAT_INSIDE.test(t) ? (v) => tagNegativeZeros(encodeValue(v, t)) : (v) => encodeValue(v, t);
  });
  const decs: Dec[] = types.map((t): Dec => {
    if (PLAIN.has(t)) return (j) => j as Value;
    if (BIGINTS.has(t)) return (j) => (j === null ? null : BigInt(j as string));
    return (j) => decodeValue(j, t);
  });
  const decodeJson = (json: JsonValue[]): Value[] => {
    const out = new Array<Value>(types.length);
    for (let i = 0; i < types.length; i++) out[i] = decs[i]!(json[i] ?? null);
    return out;
  };
  const encodeJson = (values: Value[]): JsonValue[] => {
    const out = new Array<JsonValue>(types.length);
    for (let i = 0; i < types.length; i++) out[i] = encs[i]!(values[i] ?? null);
    return out;
  };
  return {
    encode: (values) => JSON.stringify(encodeJson(values)),
    /** The JSON array `encode` writes, before it is written: a batch's rows are written by one JSON.stringify. */
    encodeJson,
    /** `encodeJson` of a row's values, read by column name, without an array of them made first. */
    encodeRow(row) {
      const out = new Array<JsonValue>(types.length);
      for (let i = 0; i < types.length; i++) out[i] = encs[i]!(row[names[i]!] ?? null);
      return out;
    },
    decode: (text) => decodeJson(JSON.parse(text) as JsonValue[]),
    decodeJson,
    /** Straight to a row by column name (names must not repeat). */
    decodeRow(json) {
      const row = newRow();
      for (let i = 0; i < types.length; i++) row[names[i]!] = decs[i]!(json[i] ?? null);
      return row;
    },
  };
}

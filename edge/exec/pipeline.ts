/**
 * The plan executor: `buildPipeline(plan)` turns every operator into a
 * closure once, at start-up; `run` pushes a batch of raw events of one
 * source through every sink's pipeline. Stateless operators run per event,
 * so a failing event (it does not fit the pinned schema, a cast fails) is a
 * dead letter while the rest of the batch goes on; in `mode: "throw"` (the
 * check) the error is raised as DuckDB raises it.
 */
import type { AggregateOp, LookupJoinOp, Operator, Plan } from "../plan/types.ts";
import type { Row, Schema, Value } from "../plan/values.ts";
import { decodeValue } from "../plan/value-json.ts";
import type { FunctionLibrary } from "./functions/contract.ts";
import { compileExpr, sharedSubexpressions, type Eval, type Memo } from "./expr.ts";
import { eventConverter } from "./convert.ts";
import { WindowState, addInterval } from "./window.ts";
import { decodeState, encodeState } from "./snapshot.ts";

export interface DeadLetter {
  source: string;
  /** The sink whose pipeline rejected the event, or null when it did not fit the source schema. */
  sink: string | null;
  reason: string;
  raw: unknown;
}

export interface RunResult {
  /** Rows for each sink, as objects keyed by the sink cell's column names. */
  rows: Record<string, Row[]>;
  deadLetters: DeadLetter[];
}

export interface ExecutorOptions {
  library: FunctionLibrary;
  /** `dead-letter` (published pipelines) or `throw` (the check: fail like DuckDB). */
  mode?: "dead-letter" | "throw";
}

export interface Executor {
  readonly plan: Plan;
  /** Runs one batch of raw events from `source`; emits the windows the advanced watermark closes. */
  run(batch: { source: string; events: readonly unknown[] }): RunResult;
  /** Emits every window whose end is at or before `watermark` (microseconds of event time). */
  flushWindows(watermark: bigint): RunResult;
  /** End of input: emits every open window and every per-flush aggregate. */
  finish(): RunResult;
  /** Emits the per-flush aggregates of `sink` (called when the sink writes a file) and resets them. */
  flushAggregates(sink: string): RunResult;
  /** The current watermark of each sink's window, or null when it has none. */
  watermarks(): Record<string, bigint | null>;
  /** All grouping and window state as JSON text; `restore` of it continues exactly where this left off. */
  snapshot(): string;
  restore(snapshot: string): void;
}

type Stage = (rows: Value[][]) => Value[][];

interface BuiltPipeline {
  sink: string;
  source: string;
  convert: (event: unknown) => Value[];
  /** Operators before the aggregate (or all, when there is none), ending at the sink. */
  head: Stage[];
  aggregate: { op: AggregateOp; state: WindowState } | null;
  tail: Stage[];
  toRow: (row: Value[]) => Row;
}

/** Builds the executor for `plan`. Throws at once for a function the library lacks. */
export function buildPipeline(plan: Plan, options: ExecutorOptions): Executor {
  if (plan.version !== 1) throw new Error(`exec: plan version ${String(plan.version)} is not supported (expected 1)`);
  const lib = options.library;
  const mode = options.mode ?? "dead-letter";
  const pipelines: BuiltPipeline[] = plan.pipelines.map((p) => {
    const scan = p.ops[0];
    if (!scan || scan.op !== "scan") throw new Error(`exec: pipeline for sink ${p.sink} does not start with a scan`);
    const sinkOp = p.ops.at(-1);
    if (!sinkOp || sinkOp.op !== "sink") throw new Error(`exec: pipeline for sink ${p.sink} does not end with a sink`);
    const aggIndex = p.ops.findIndex((o) => o.op === "aggregate");
    const middle = p.ops.slice(1, -1);
    const before = aggIndex < 0 ? middle : p.ops.slice(1, aggIndex);
    const after = aggIndex < 0 ? [] : p.ops.slice(aggIndex + 1, -1);
    const agg = aggIndex < 0 ? null : (p.ops[aggIndex] as AggregateOp);
    const memo: Memo = new Map();
    return {
      sink: p.sink,
      source: scan.source,
      convert: eventConverter(scan.schema, lib),
      head: before.map((o) => stageFor(o, lib, memo)),
      aggregate: agg ? { op: agg, state: new WindowState(agg, lib, memo) } : null,
      tail: after.map((o) => stageFor(o, lib, memo)),
      toRow: rowMaker(sinkOp.schema),
    };
  });

  const empty = (): RunResult => ({ rows: Object.fromEntries(pipelines.map((p) => [p.sink, [] as Row[]])), deadLetters: [] });

  const emit = (p: BuiltPipeline, rows: Value[][], out: RunResult): void => {
    let rs = rows;
    for (const s of p.tail) rs = s(rs);
    const target = out.rows[p.sink]!;
    for (const r of rs) target.push(p.toRow(r));
  };

  return {
    plan,
    run({ source, events }) {
      const out = empty();
      for (const p of pipelines) {
        if (p.source !== source) continue;
        // Convert each event on its own: one that does not fit is a dead letter.
        const rows: Value[][] = [];
        const raws: unknown[] = [];
        for (const event of events) {
          try {
            rows.push(p.convert(event));
            raws.push(event);
          } catch (error) {
            if (mode === "throw") throw error;
            out.deadLetters.push({ source, sink: p.sink, reason: error instanceof Error ? error.message : String(error), raw: event });
          }
        }
        // The stateless operators run over the whole batch; when one row fails, the
        // batch is run again event by event so only the failing events become dead letters.
        let batch: Value[][] | null = rows;
        try {
          for (const s of p.head) batch = s(batch!);
        } catch (error) {
          if (mode === "throw") throw error;
          batch = null;
        }
        if (batch !== null) {
          if (p.aggregate && p.aggregate.state.anyLate(batch)) {
            // Which events were late is only known event by event.
            batch = null;
          } else if (p.aggregate) {
            p.aggregate.state.add(batch);
          } else {
            emit(p, batch, out);
          }
        }
        if (batch === null) {
          for (let i = 0; i < rows.length; i++) {
            try {
              let one: Value[][] = [rows[i]!];
              for (const s of p.head) {
                one = s(one);
                if (one.length === 0) break;
              }
              if (p.aggregate) {
                const late = p.aggregate.state.add(one);
                if (late.length) out.deadLetters.push({ source, sink: p.sink, reason: late[0]!.reason, raw: raws[i] });
              } else {
                emit(p, one, out);
              }
            } catch (error) {
              out.deadLetters.push({ source, sink: p.sink, reason: error instanceof Error ? error.message : String(error), raw: raws[i] });
            }
          }
        }
        if (p.aggregate) {
          const wm = p.aggregate.state.watermark();
          if (wm !== null) emit(p, p.aggregate.state.emitUpTo(wm), out);
        }
      }
      return out;
    },
    flushWindows(watermark) {
      const out = empty();
      for (const p of pipelines) if (p.aggregate?.op.window) emit(p, p.aggregate.state.emitUpTo(watermark), out);
      return out;
    },
    finish() {
      const out = empty();
      for (const p of pipelines) if (p.aggregate) emit(p, p.aggregate.state.emitAll(), out);
      return out;
    },
    flushAggregates(sink) {
      const out = empty();
      for (const p of pipelines) if (p.sink === sink && p.aggregate && !p.aggregate.op.window) emit(p, p.aggregate.state.emitAll(), out);
      return out;
    },
    watermarks() {
      return Object.fromEntries(pipelines.map((p) => [p.sink, p.aggregate?.op.window ? p.aggregate.state.watermark() : null]));
    },
    snapshot() {
      return JSON.stringify(encodeState(Object.fromEntries(pipelines.filter((p) => p.aggregate).map((p) => [p.sink, p.aggregate!.state.snapshot()]))));
    },
    restore(snapshot) {
      const data = decodeState(JSON.parse(snapshot)) as Record<string, unknown>;
      for (const p of pipelines) {
        if (!p.aggregate) continue;
        if (!(p.sink in data)) throw new Error(`exec: the snapshot has no state for sink ${p.sink}; was it taken with another plan?`);
        p.aggregate.state.restore(data[p.sink]);
      }
    },
  };
}

function rowMaker(schema: Schema): (row: Value[]) => Row {
  const names = schema.map((c) => c.name);
  return (row) => {
    const o: Row = {};
    for (let i = 0; i < names.length; i++) o[names[i]!] = row[i] ?? null;
    return o;
  };
}

function stageFor(op: Operator, lib: FunctionLibrary, memo: Memo): Stage {
  switch (op.op) {
    case "filter": {
      const pred = compileExpr(op.predicate, lib, memo, true);
      return (rows) => rows.filter((r) => pred(r) === true);
    }
    case "project": {
      const exprs: Eval[] = op.exprs.map((e) => compileExpr(e.expr, lib, memo));
      const n = exprs.length;
      // DuckDB computes a projection's repeated sub-expressions for every row first (even
      // where a CASE or COALESCE would not need them), so their errors surface as DuckDB's do.
      const shared = sharedSubexpressions(op.exprs.map((e) => e.expr)).map((e) => compileExpr(e, lib, memo));
      return (rows) =>
        rows.map((r) => {
          for (const f of shared) f(r);
          const out = new Array<Value>(n);
          for (let i = 0; i < n; i++) out[i] = exprs[i]!(r);
          return out;
        });
    }
    case "unnest": {
      const cols = op.columns;
      return (rows) => {
        const out: Value[][] = [];
        for (const r of rows) {
          let n = 0;
          for (const c of cols) {
            const l = r[c];
            if (Array.isArray(l) && l.length > n) n = l.length;
          }
          for (let i = 0; i < n; i++) {
            const copy = r.slice();
            for (const c of cols) {
              const l = r[c];
              copy[c] = Array.isArray(l) ? (l[i] ?? null) : null;
            }
            out.push(copy);
          }
        }
        return out;
      };
    }
    case "lookup_join":
      return lookupJoin(op, lib, memo);
    case "aggregate":
    case "scan":
    case "sink":
      throw new Error(`exec: ${op.op} cannot be a stage here (cell ${op.origin.cell})`);
  }
}

function lookupJoin(op: LookupJoinOp, lib: FunctionLibrary, memo: Memo): Stage {
  const table = op.table.rows.map((r) => r.map((v, i) => decodeValue(v, op.table.schema[i]!.type)));
  const width = op.table.schema.length;
  const keys = op.streamKeys.map((k) => compileExpr(k, lib, memo));
  const residual = op.residual ? compileExpr(op.residual, lib, memo, true) : null;
  const index = new Map<string, Value[][]>();
  for (const row of table) {
    const parts: string[] = [];
    let hasNull = false;
    op.tableKeys.forEach((c, i) => {
      const v = row[c] ?? null;
      if (v === null) hasNull = true;
      else parts.push(lib.valueKey(v, op.keyTypes[i]!));
    });
    if (hasNull) continue;
    const k = parts.join("\u0001");
    const list = index.get(k);
    if (list) list.push(row);
    else index.set(k, [row]);
  }
  const nulls = new Array<Value>(width).fill(null);
  return (rows) => {
    const out: Value[][] = [];
    for (const r of rows) {
      let candidates: Value[][] | undefined;
      if (keys.length === 0) candidates = table;
      else {
        const parts: string[] = [];
        let hasNull = false;
        for (let i = 0; i < keys.length; i++) {
          const v = keys[i]!(r);
          if (v === null) {
            hasNull = true;
            break;
          }
          parts.push(lib.valueKey(v, op.keyTypes[i]!));
        }
        candidates = hasNull ? undefined : index.get(parts.join("\u0001"));
      }
      let matched = false;
      for (const t of candidates ?? []) {
        const joined = [...r, ...t];
        if (residual && residual(joined) !== true) continue;
        matched = true;
        out.push(joined);
      }
      if (!matched && op.join === "left") out.push([...r, ...nulls]);
    }
    return out;
  };
}

export { addInterval };

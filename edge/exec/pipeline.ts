/**
 * The plan executor: `buildPipeline(plan)` turns every operator into a
 * closure once, at start-up; `run` pushes a batch of raw events of one
 * source through every sink's pipeline. Stateless operators run per event,
 * so a failing event (it does not fit the pinned schema, a cast fails) is a
 * dead letter while the rest of the batch goes on; in `mode: "throw"` (the
 * check) the error is raised as DuckDB raises it.
 */
import type { AggregateOp, Expr, LookupJoinOp, Operator, Plan, ProjectOp } from "../plan/types.ts";
import { exprChildren } from "../plan/expr-children.ts";
import { rowFactory, type Row, type Schema, type Value } from "../plan/values.ts";
import { decodeValue } from "../plan/value-json.ts";
import type { FunctionLibrary } from "./functions/contract.ts";
import { carriesStats, compileExpr, countSubexpressions, infallible, Memo, sharedSubexpressions, withColumnStats, type Eval } from "./expr.ts";
import { eventConverter } from "./convert.ts";
import { NOTHING, WindowState, addInterval, groupError } from "./window.ts";
import { decodeState, encodeState } from "./snapshot.ts";

export interface DeadLetter {
  source: string;
  /** The sink whose pipeline rejected the event, or null when it did not fit the source schema. */
  sink: string | null;
  reason: string;
  raw: unknown;
  /** `group`: `raw` is a failed aggregate group's keys, not an event. */
  kind?: "group";
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
  /**
   * Runs one batch of raw events from `source`; emits the windows the advanced watermark closes.
   * `now` is the pipeline's clock (milliseconds since the epoch, as `Date.now()`): a windowed sink
   * makes an event more than its `max_ahead` ahead of it a dead letter. Absent: no event is refused so.
   */
  run(batch: { source: string; events: readonly unknown[]; now?: number }): RunResult;
  /** Emits every window whose end is at or before `watermark` (microseconds of event time). */
  flushWindows(watermark: bigint): RunResult;
  /** End of input: emits every open window and every per-flush aggregate. */
  finish(): RunResult;
  /** Emits the per-flush aggregates of `sink` (called when the sink writes a file) and resets them; for a windowed sink, the groups whose time bucket is NULL, which no watermark closes. */
  flushAggregates(sink: string): RunResult;
  /** The current watermark of each sink's window, or null when it has none. */
  watermarks(): Record<string, bigint | null>;
  /** All grouping and window state as JSON text; `restore` of it continues exactly where this left off. */
  snapshot(): string;
  restore(snapshot: string): void;
}

type Stage = (rows: Value[][]) => Value[][];

/**
 * Events converted together before their rows run (see runUnit). 256 rather than 1,024
 * (measured: pii-staging ~4 % less CPU; 128 and 512 slower than 256), likely because a
 * smaller chunk's events and rows leave more of the core's cache to the memories' tables.
 */
const CHUNK = 256;

/** One input row through the stateless operators before the aggregate: its output row, or null when filtered out. */
type RowProgram = (row: Value[]) => Value[] | null;

interface BuiltPipeline {
  sink: string;
  source: string;
  convert: (event: unknown) => Value[];
  memo: Memo;
  /** Operators before the aggregate (or all, when there is none), ending at the sink. */
  head: Stage[];
  /** `head` fused per row when it is filters and projections only (one row in, at most one out); else null. */
  program: RowProgram | null;
  /** Without an aggregate, when `head` ends in a projection: `program` making the sink's row object itself. */
  direct: ((row: Value[]) => Row | null) | null;
  aggregate: { op: AggregateOp; state: WindowState } | null;
  tail: Stage[];
  toRow: (row: Value[]) => Row;
  /** Where an event's error arose (`failurePlace`), for its dead letter. */
  place: (row: Value[], message: string) => string | null;
}

/** Builds the executor for `plan`. Throws at once for a function the library lacks. */
export function buildPipeline(plan: Plan, options: ExecutorOptions): Executor {
  if (plan.version !== 1) throw new Error(`exec: plan version ${String(plan.version)} is not supported (expected 1)`);
  const lib = options.library;
  const mode = options.mode ?? "dead-letter";
  // Pipelines of one sink that aggregate alike (the branches of a UNION ALL read by a GROUP BY)
  // feed one aggregate state, as DuckDB aggregates the union's rows together.
  const sharedAggregates = new Map<string, { op: AggregateOp; state: WindowState }>();
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
    const memo = Memo.of(p.ops.flatMap(operatorExprs));
    noteColumnStats(p.ops);
    let aggregate: { op: AggregateOp; state: WindowState } | null = null;
    if (agg) {
      const key = `${p.sink}\u0000${JSON.stringify(agg)}\u0000${JSON.stringify(after)}`;
      aggregate = sharedAggregates.get(key) ?? { op: agg, state: withColumnStats(STATS_IN.get(agg), () => new WindowState(agg, lib, memo)) };
      sharedAggregates.set(key, aggregate);
    }
    return {
      sink: p.sink,
      source: scan.source,
      convert: eventConverter(scan.schema, lib, readColumns(p.ops), plan.sources[scan.source]?.format),
      memo,
      head: before.map((o) => stageFor(o, lib, memo)),
      program: rowProgram(before, lib, memo),
      direct: agg ? null : directProgram(before, sinkOp.schema, lib, memo),
      aggregate,
      tail: after.map((o) => stageFor(o, lib, memo)),
      toRow: rowMaker(sinkOp.schema),
      place: failurePlace(before, agg, after, lib),
    };
  });

  const empty = (): RunResult => ({ rows: Object.fromEntries(pipelines.map((p) => [p.sink, [] as Row[]])), deadLetters: [] });

  /**
   * The pipelines in run order: alone, or — the branches of a UNION ALL under one aggregate —
   * together, so each event goes through every branch before the next event and the watermark
   * moves as it does over the union's rows.
   */
  const units: BuiltPipeline[][] = [];
  for (const p of pipelines) {
    const with_ = p.aggregate ? units.find((u) => u[0]!.aggregate?.state === p.aggregate!.state) : undefined;
    if (with_) with_.push(p);
    else units.push([p]);
  }

  // The rows of one chunk of a batch (see runUnit) and the conversion errors among them.
  const chunkRows: (Value[] | null)[] = [];
  const chunkErrors: unknown[] = [];

  /** One batch through a unit: one pipeline, or the branches that share an aggregate state. */
  const runUnit = (unit: BuiltPipeline[], source: string, events: readonly unknown[], out: RunResult): void => {
    const first = unit[0]!;
    if (mode === "throw") {
      // The check fails as DuckDB fails: the whole batch is loaded first, then each operator runs
      // over all of it, so the first error raised is DuckDB's; a union's branches all feed the aggregate.
      const perBranch = unit.map((p) => {
        const rows = events.map((event) => p.convert(event));
        let batch = rows;
        for (const s of p.head) batch = s(batch);
        return { p, rows, batch };
      });
      if (!first.aggregate) {
        for (const b of perBranch) emit(b.p, b.batch, out);
        return;
      }
      const all = perBranch.length === 1 ? perBranch[0]!.batch : perBranch.flatMap((b) => b.batch);
      if (!first.aggregate.state.anyLate(all)) first.aggregate.state.add(all);
      // Which events were late is only known event by event.
      else for (let i = 0; i < events.length; i++) for (const b of perBranch) runEvent(b.p, source, b.rows[i]!, events[i], out, out.rows[b.p.sink]!);
      return;
    }
    // Each event on its own: one that does not fit or fails is a dead letter, the rest go on.
    // A window is emitted as soon as the watermark passes it, event by event, so what a
    // pipeline writes (and which events are late) does not depend on how events were batched.
    const target = out.rows[first.sink]!;
    const windows = first.aggregate?.op.window ? first.aggregate.state : null;
    if (unit.length === 1) {
      // A chunk of events converted first (conversion changes no state), then its rows run in
      // order, and the remembered sub-expressions look up the whole chunk's keys in between
      // (`Memo.prefetch`): the first reads of the events' fields, and the memories' lookups,
      // come close together, so their cache misses overlap instead of coming one at a time.
      const p = first;
      const rows = chunkRows;
      for (let at = 0; at < events.length; at += CHUNK) {
        const end = Math.min(events.length, at + CHUNK);
        rows.length = end - at;
        chunkErrors.length = 0;
        for (let i = at; i < end; i++) {
          try {
            rows[i - at] = p.convert(events[i]);
          } catch (error) {
            rows[i - at] = null;
            chunkErrors.push(error);
          }
        }
        p.memo.prefetch(rows);
        let e = 0;
        for (let i = at; i < end; i++) {
          const row = rows[i - at] ?? null;
          p.memo.rowIndex = i - at;
          if (row === null) deadLetter(out, source, p.sink, chunkErrors[e++], events[i]);
          else runEvent(p, source, row, events[i], out, target);
          if (windows !== null && windows.advance()) emitClosed(first, windows, out);
        }
      }
      rows.fill(null);
      p.memo.batchRows = null;
      return;
    }
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      for (const p of unit) {
        let row: Value[];
        try {
          row = p.convert(event);
        } catch (error) {
          deadLetter(out, source, p.sink, error, event);
          continue;
        }
        runEvent(p, source, row, event, out, target);
      }
      if (windows !== null && windows.advance()) emitClosed(first, windows, out);
    }
  };

  /** The pipelines with an aggregate, one per aggregate state (UNION ALL branches share one). */
  const aggregatingPipelines = units.filter((u) => u[0]!.aggregate !== null).map((u) => u[0]!);

  // In dead-letter mode a group whose aggregate fails as it finishes, or whose row fails after the
  // aggregate (HAVING, the SELECT list), becomes a dead letter (its group keys as the raw value) and
  // the other groups are written: a published pipeline must not stop on one group. The check
  // (throw mode) fails like DuckDB's query.
  const failedGroups = new Map<WindowState, { keys: Value[]; error: unknown }[]>();
  if (mode === "dead-letter") {
    for (const p of aggregatingPipelines) {
      if (!p.aggregate) continue;
      const failed: { keys: Value[]; error: unknown }[] = [];
      failedGroups.set(p.aggregate.state, failed);
      p.aggregate.state.onGroupError = (keys, error) => failed.push({ keys, error });
    }
  }

  const emit = (p: BuiltPipeline, rows: Value[][], out: RunResult): void => {
    const target = out.rows[p.sink]!;
    const failed = p.aggregate ? failedGroups.get(p.aggregate.state) : undefined;
    if (failed) {
      for (const f of failed.splice(0)) deadLetter(out, p.source, p.sink, groupError(f.error), f.keys, "group");
      for (const row of rows) {
        let rs = [row];
        try {
          for (const s of p.tail) rs = s(rs);
        } catch (error) {
          deadLetter(out, p.source, p.sink, groupError(error), row.slice(0, p.aggregate!.op.keys.length), "group");
          continue;
        }
        for (const r of rs) target.push(p.toRow(r));
      }
      return;
    }
    let rs = rows;
    for (const s of p.tail) rs = s(rs);
    for (const r of rs) target.push(p.toRow(r));
  };

  /** The windows the watermark closed, if any: asked after every event, it mostly only moves the late mark. */
  const emitClosed = (p: BuiltPipeline, windows: WindowState, out: RunResult): void => {
    const rows = windows.emitUpTo(windows.watermark()!);
    if (rows !== NOTHING) emit(p, rows, out);
  };

  const deadLetter = (out: RunResult, source: string, sink: string, error: unknown, raw: unknown, kind?: "group"): void => {
    const reason = error instanceof Error ? error.message : String(error);
    out.deadLetters.push(kind ? { source, sink, reason, raw, kind } : { source, sink, reason, raw });
  };

  /** The dead letter of an event whose row `row` failed in `p`'s operators: the reason names the cell and column. */
  const failedEvent = (out: RunResult, source: string, p: BuiltPipeline, error: unknown, row: Value[], raw: unknown): void => {
    const reason = error instanceof Error ? error.message : String(error);
    const place = p.place(row, reason);
    out.deadLetters.push({ source, sink: p.sink, reason: place === null ? reason : `${place}: ${reason}`, raw });
  };

  /**
   * One converted event through the stateless operators and into the
   * aggregate or the sink. The event's rows are delivered only once all of
   * its operators succeeded; a failure (or a late row) makes it a dead letter.
   */
  const runEvent = (p: BuiltPipeline, source: string, row: Value[], raw: unknown, out: RunResult, target: Row[]): void => {
    let rows: Value[][];
    try {
      if (p.direct) {
        const o = p.direct(row);
        if (o !== null) target.push(o);
        return;
      }
      if (p.program) {
        const r = p.program(row);
        if (r === null) return;
        if (p.aggregate) {
          const late = p.aggregate.state.addRow(r);
          if (late !== null) deadLetter(out, source, p.sink, late, raw);
        } else {
          target.push(p.toRow(r));
        }
        return;
      }
      rows = [row];
      for (const s of p.head) {
        rows = s(rows);
        if (rows.length === 0) return;
      }
    } catch (error) {
      if (mode === "throw") throw error;
      failedEvent(out, source, p, error, row, raw);
      return;
    }
    if (!p.aggregate) {
      emit(p, rows, out);
      return;
    }
    // An event's rows (an unnest's) enter the aggregate together or not at all: one that fails
    // (a cast in an argument) makes the event a dead letter that no aggregate counted.
    const state = p.aggregate.state;
    let late: string | null = null;
    try {
      if (rows.length > 1) for (const r of rows) state.checkRow(r);
      for (const r of rows) {
        const l = state.addRow(r);
        if (late === null) late = l;
      }
    } catch (error) {
      if (mode === "throw") throw error;
      failedEvent(out, source, p, error, row, raw);
      return;
    }
    if (late !== null) deadLetter(out, source, p.sink, late, raw);
  };

  return {
    plan,
    run({ source, events, now }) {
      const out = empty();
      const clock = now === undefined || !Number.isFinite(now) ? null : BigInt(Math.floor(now)) * 1000n;
      for (const p of aggregatingPipelines) p.aggregate!.state.clock = clock;
      for (const all of units) {
        // A UNION ALL may read two sources: a batch goes through the branches that read its source.
        const unit = all.length > 1 ? all.filter((p) => p.source === source) : all;
        const first = unit[0];
        if (!first || first.source !== source) continue;
        runUnit(unit, source, events, out);
        // The check (throw mode) answers as DuckDB over all its sources at once: a union of two
        // sources keeps its windows open until finish, so one source's batch cannot close them on the other's.
        const manySources = all.some((p) => p.source !== source);
        if (first.aggregate && !(mode === "throw" && manySources)) {
          const wm = first.aggregate.state.watermark();
          if (wm !== null) emit(first, first.aggregate.state.emitUpTo(wm), out);
        }
      }
      return out;
    },
    flushWindows(watermark) {
      const out = empty();
      for (const p of aggregatingPipelines) if (p.aggregate!.op.window) emit(p, p.aggregate!.state.emitUpTo(watermark), out);
      return out;
    },
    finish() {
      const out = empty();
      for (const p of aggregatingPipelines) emit(p, p.aggregate!.state.emitAll(), out);
      return out;
    },
    flushAggregates(sink) {
      const out = empty();
      for (const p of aggregatingPipelines) {
        if (p.sink !== sink) continue;
        emit(p, p.aggregate!.op.window ? p.aggregate!.state.emitUnbucketed() : p.aggregate!.state.emitAll(), out);
      }
      return out;
    },
    watermarks() {
      return Object.fromEntries(pipelines.map((p) => [p.sink, p.aggregate?.op.window ? p.aggregate.state.watermark() : null]));
    },
    snapshot() {
      return JSON.stringify(encodeState(Object.fromEntries(aggregatingPipelines.map((p) => [p.sink, p.aggregate!.state.snapshot()]))));
    },
    restore(snapshot) {
      const data = decodeState(JSON.parse(snapshot)) as Record<string, unknown>;
      for (const p of aggregatingPipelines) {
        if (!(p.sink in data)) throw new Error(`exec: the snapshot has no state for sink ${p.sink}; was it taken with another plan?`);
        p.aggregate!.state.restore(data[p.sink]);
      }
    },
  };
}

/**
 * The sinks whose aggregates hold groups until the sink flushes: a GROUP BY
 * without a time bucket, and a windowed one for its groups whose bucket is
 * NULL (see `flushAggregates`). Whoever writes files calls `flushAggregates`
 * for each of them before each write.
 */
export function sinksFlushingAggregates(plan: Plan): string[] {
  return plan.pipelines.filter((p) => p.ops.some((o) => o.op === "aggregate")).map((p) => p.sink);
}

/**
 * A projection writes its columns each on a line of its own when it has at most this many
 * (`unrolledProjection`), and so does `rowMaker`.
 */
const UNROLLED = 12;

/**
 * `names` as the strings V8 keeps as property keys (the keys of an object made with them). A
 * store site knows its key by identity: a column name read from the plan is an equal but other
 * string, and a site that stores under it turns generic (megamorphic) at once, a hash-table
 * lookup per store (~5 % of pii-staging's time), even with one key and one shape.
 */
function internedNames(names: string[]): string[] {
  const keys = new Map(Object.keys(Object.fromEntries(names.map((n) => [n, null]))).map((k) => [k, k]));
  return names.map((n) => keys.get(n) ?? n);
}

function rowMaker(schema: Schema): (row: Value[]) => Row {
  const names = internedNames(schema.map((c) => c.name));
  const fresh = rowFactory(names);
  const n = names.length;
  if (n > UNROLLED) {
    return (row) => {
      const o = fresh();
      for (let i = 0; i < n; i++) o[names[i]!] = row[i] ?? null;
      return o;
    };
  }
  const [s0 = "", s1 = "", s2 = "", s3 = "", s4 = "", s5 = "", s6 = "", s7 = "", s8 = "", s9 = "", s10 = "", s11 = ""] = names;
  return (row) => {
    const o = fresh();
    if (n > 0) o[s0] = row[0] ?? null;
    if (n > 1) o[s1] = row[1] ?? null;
    if (n > 2) o[s2] = row[2] ?? null;
    if (n > 3) o[s3] = row[3] ?? null;
    if (n > 4) o[s4] = row[4] ?? null;
    if (n > 5) o[s5] = row[5] ?? null;
    if (n > 6) o[s6] = row[6] ?? null;
    if (n > 7) o[s7] = row[7] ?? null;
    if (n > 8) o[s8] = row[8] ?? null;
    if (n > 9) o[s9] = row[9] ?? null;
    if (n > 10) o[s10] = row[10] ?? null;
    if (n > 11) o[s11] = row[11] ?? null;
    return o;
  };
}

/**
 * Filters and projections fused into one function of a row, for the
 * per-event path: no intermediate arrays of rows. A filter hands the same row
 * array on, so shared sub-expressions stay memoised across operators (see
 * `Memo`). Null when an operator can make several rows of one (unnest, join).
 */
function rowProgram(ops: Operator[], lib: FunctionLibrary, memo: Memo): RowProgram | null {
  const steps: RowProgram[] = [];
  for (const op of ops) {
    if (op.op === "filter") {
      const pred = withColumnStats(STATS_IN.get(op), () => compileExpr(op.predicate, lib, memo, true));
      steps.push((r) => (pred(r) === true ? r : null));
    } else if (op.op === "project") {
      steps.push(projector(op, lib, memo));
    } else {
      return null;
    }
  }
  if (steps.length === 0) return (r) => r;
  if (steps.length === 1) return steps[0]!;
  if (steps.length === 2) {
    const [a, b] = steps as [RowProgram, RowProgram];
    return (r) => {
      const x = a(r);
      return x === null ? null : b(x);
    };
  }
  return (r) => {
    let x: Value[] | null = r;
    for (let i = 0; i < steps.length && x !== null; i++) x = steps[i]!(x);
    return x;
  };
}

/**
 * `rowProgram` for a pipeline without an aggregate whose last operator is a
 * projection: that projection writes the sink's row object directly (no
 * array between). Null when the operators do not have that shape.
 */
function directProgram(ops: Operator[], sink: Schema, lib: FunctionLibrary, memo: Memo): ((row: Value[]) => Row | null) | null {
  const last = ops.at(-1);
  if (!last || last.op !== "project" || last.exprs.length !== sink.length) return null;
  const before = rowProgram(ops.slice(0, -1), lib, memo);
  if (!before) return null;
  const names = internedNames(sink.map((c) => c.name));
  const project = projectInto<Row>(last, lib, memo, rowFactory(names), names);
  return (r) => {
    const x = before(r);
    return x === null ? null : project(x);
  };
}

/** A projection of one row. */
function projector(op: ProjectOp, lib: FunctionLibrary, memo: Memo): (row: Value[]) => Value[] {
  const n = op.exprs.length;
  return projectInto<Value[]>(op, lib, memo, () => new Array<Value>(n), op.exprs.map((_, i) => i));
}

/** A projection of one row into a fresh container, expression i stored at `slots[i]`. */
function projectInto<T extends Value[] | Row>(op: ProjectOp, lib: FunctionLibrary, memo: Memo, fresh: () => T, slots: (keyof T)[]): (row: Value[]) => T {
  return withColumnStats(STATS_IN.get(op), () => projectIntoBuilt(op, lib, memo, fresh, slots));
}

function projectIntoBuilt<T extends Value[] | Row>(op: ProjectOp, lib: FunctionLibrary, memo: Memo, fresh: () => T, slots: (keyof T)[]): (row: Value[]) => T {
  // DuckDB computes a projection's repeated sub-expressions for every row first (even
  // where a CASE or COALESCE would not need them), so their errors surface as DuckDB's do.
  // They are built first, so each is remembered on its own (see `compileExpr`) and the
  // expressions containing them reuse it. One that cannot fail is left to its first use
  // (`trim(email)` under a remembered CASE is then not computed for a remembered address).
  // One that cannot fail and occurs in one column only is not even built first: the column's
  // expression is then remembered as a whole (pii's phone CASE answers from one lookup).
  const columns = op.exprs.map((e) => e.expr);
  const repeated = sharedSubexpressions(columns);
  const deferred = repeated.map((e) => cannotFail(e, lib));
  const perColumn = columns.map((c) => countSubexpressions([c]));
  const first = repeated.filter((e, i) => {
    if (!deferred[i]) return true;
    const key = JSON.stringify(e);
    return perColumn.filter((m) => m.has(key)).length > 1;
  });
  const built = first.map((e) => compileExpr(e, lib, memo));
  const shared = built.filter((_, i) => !cannotFail(first[i]!, lib));
  const exprs: Eval[] = columns.map((e) => compileExpr(e, lib, memo));
  const n = exprs.length;
  const m = shared.length;
  if (n <= UNROLLED && slots.every((s) => typeof s === "string")) return unrolledProjection(shared, exprs, fresh, slots);
  if (n <= UNROLLED && slots.every((s, i) => s === i)) return unrolledArrayProjection(shared, exprs) as unknown as (row: Value[]) => T;
  return (r) => {
    for (let i = 0; i < m; i++) shared[i]!(r);
    const out = fresh();
    for (let i = 0; i < n; i++) out[slots[i]!] = (exprs[i]!(r) ?? null) as T[keyof T];
    return out;
  };
}

/**
 * `projectInto`'s closure for a sink's row object (named slots), each column's call and store on
 * a line of its own: each store site then sees one key and one shape (with the interned names,
 * see `internedNames`) and stores inline; in a loop one site sees every column's key and looks
 * each store up generically (~5–8 % of pii-staging's CPU). A projection into an array has its
 * own copy (`unrolledArrayProjection`): sites shared with the named ones would see both kinds
 * (V8 keeps one record per site of source, for every executor).
 */
function unrolledProjection<T extends Value[] | Row>(shared: Eval[], exprs: Eval[], fresh: () => T, slots: (keyof T)[]): (row: Value[]) => T {
  const n = exprs.length;
  const m = shared.length;
  const none: Eval = () => null;
  const [e0 = none, e1 = none, e2 = none, e3 = none, e4 = none, e5 = none, e6 = none, e7 = none, e8 = none, e9 = none, e10 = none, e11 = none] = exprs;
  const [s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0, s9 = 0, s10 = 0, s11 = 0] = slots as (string | number)[];
  return (r) => {
    for (let i = 0; i < m; i++) shared[i]!(r);
    const o = fresh() as Record<string | number, Value>;
    if (n > 0) o[s0] = e0(r) ?? null;
    if (n > 1) o[s1] = e1(r) ?? null;
    if (n > 2) o[s2] = e2(r) ?? null;
    if (n > 3) o[s3] = e3(r) ?? null;
    if (n > 4) o[s4] = e4(r) ?? null;
    if (n > 5) o[s5] = e5(r) ?? null;
    if (n > 6) o[s6] = e6(r) ?? null;
    if (n > 7) o[s7] = e7(r) ?? null;
    if (n > 8) o[s8] = e8(r) ?? null;
    if (n > 9) o[s9] = e9(r) ?? null;
    if (n > 10) o[s10] = e10(r) ?? null;
    if (n > 11) o[s11] = e11(r) ?? null;
    return o as T;
  };
}

/**
 * `unrolledProjection` for a projection into an array (a step between operators, such as
 * turnstile's `clean` cell under its GROUP BY): each column's expression is called from a site of
 * its own, where a loop called them all from one (turnstile ~2–4 % less CPU an event in A/B).
 */
function unrolledArrayProjection(shared: Eval[], exprs: Eval[]): (row: Value[]) => Value[] {
  const n = exprs.length;
  const m = shared.length;
  const none: Eval = () => null;
  const [e0 = none, e1 = none, e2 = none, e3 = none, e4 = none, e5 = none, e6 = none, e7 = none, e8 = none, e9 = none, e10 = none, e11 = none] = exprs;
  return (r) => {
    for (let i = 0; i < m; i++) shared[i]!(r);
    const o = new Array<Value>(n);
    if (n > 0) o[0] = e0(r) ?? null;
    if (n > 1) o[1] = e1(r) ?? null;
    if (n > 2) o[2] = e2(r) ?? null;
    if (n > 3) o[3] = e3(r) ?? null;
    if (n > 4) o[4] = e4(r) ?? null;
    if (n > 5) o[5] = e5(r) ?? null;
    if (n > 6) o[6] = e6(r) ?? null;
    if (n > 7) o[7] = e7(r) ?? null;
    if (n > 8) o[8] = e8(r) ?? null;
    if (n > 9) o[9] = e9(r) ?? null;
    if (n > 10) o[10] = e10(r) ?? null;
    if (n > 11) o[11] = e11(r) ?? null;
    return o;
  };
}

/**
 * Whether computing `e` can raise no error: `infallible`, or a call whose function says it cannot
 * fail with its constant arguments (`ScalarFn.cannotFail`) over text that cannot fail either.
 */
function cannotFail(e: Expr, lib: FunctionLibrary): boolean {
  if (infallible(e)) return true;
  if (e.kind !== "function" || e.type !== "VARCHAR" || e.args.length === 0) return false;
  const fn = lib.scalars[e.name];
  if (!fn?.cannotFail) return false;
  const [text, ...rest] = e.args;
  if (text!.type !== "VARCHAR" || !cannotFail(text!, lib)) return false;
  if (!rest.every((a) => a.kind === "constant")) return false;
  const constants = [null, ...rest.map((a) => (a.kind === "constant" ? { value: decodeValue(a.value, a.type) } : null))];
  return fn.cannotFail(constants, { argTypes: e.args.map((a) => a.type), resultType: e.type });
}

/**
 * Where an event's error arose, for its dead letter (`cell clean, column n: Could not convert string 'x'
 * to INT32`; DuckDB's message alone named neither): the operators before the sink are run again on the
 * event's row, one expression at a time, and the first that raises the same error names its cell and
 * column (`WHERE`, `GROUP BY <key>`, the event time, or the aggregate's column). Only on the failure path;
 * compiled at the first failure. Null when no expression raises that error again.
 */
function failurePlace(ops: Operator[], agg: AggregateOp | null, after: Operator[], lib: FunctionLibrary): (row: Value[], message: string) => string | null {
  type Step = (rows: Value[][], message: string) => Value[][] | string | null;
  let steps: Step[] | null = null;
  const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  const build = (): Step[] => {
    const compile = (op: Operator, e: Expr, filter = false): Eval => withColumnStats(STATS_IN.get(op), () => compileExpr(e, lib, undefined, filter));
    const built: Step[] = ops.map((op): Step => {
      const cell = `cell ${op.origin.cell}`;
      if (op.op === "filter") {
        const pred = compile(op, op.predicate, true);
        return (rows, message) => {
          const kept: Value[][] = [];
          for (const r of rows) {
            let v: Value;
            try {
              v = pred(r);
            } catch (error) {
              return messageOf(error) === message ? `${cell}, WHERE` : null;
            }
            if (v === true) kept.push(r);
          }
          return kept;
        };
      }
      if (op.op === "project") {
        const exprs = op.exprs.map((e) => ({ name: e.name, ev: compile(op, e.expr) }));
        return (rows, message) => {
          const next: Value[][] = [];
          for (const r of rows) {
            const o: Value[] = [];
            for (const { name, ev } of exprs) {
              try {
                o.push(ev(r) ?? null);
              } catch (error) {
                return messageOf(error) === message ? `${cell}, column ${name}` : null;
              }
            }
            next.push(o);
          }
          return next;
        };
      }
      const stage = stageFor(op, lib, Memo.of([]));
      return (rows, message) => {
        try {
          return stage(rows);
        } catch (error) {
          return messageOf(error) === message ? cell : null;
        }
      };
    });
    if (agg) {
      const cell = `cell ${agg.origin.cell}`;
      // An aggregate's output is named by the projection after it (`sum(x) AS total`); the keys by their own names.
      const shown = after[0]?.op === "project" ? after[0].exprs : null;
      const nameOf = (index: number, own: string): string | null => {
        if (!shown) return own;
        const reads = (e: Expr): boolean => (e.kind === "column" && e.index === index) || exprChildren(e).some(reads);
        return shown.find((e) => reads(e.expr))?.name ?? null;
      };
      const at = (index: number, own: string, what: string): string => {
        const name = nameOf(index, own);
        return name === null ? cell : `${cell}, ${what}${name}`;
      };
      const parts = [
        ...agg.keys.map((k, i) => ({ place: at(i, k.name, "GROUP BY "), ev: compile(agg, k.expr) })),
        ...(agg.window ? [{ place: `${cell}, event time`, ev: compile(agg, agg.window.eventTime) }] : []),
        ...agg.aggregates.flatMap((a, i) => [...(a.call.filter ? [a.call.filter] : []), ...a.call.args].map((e) => ({ place: at(agg.keys.length + i, a.name, "column "), ev: compile(agg, e) }))),
      ];
      built.push((rows, message) => {
        for (const r of rows) {
          for (const { place, ev } of parts) {
            try {
              ev(r);
            } catch (error) {
              return messageOf(error) === message ? place : null;
            }
          }
        }
        return null;
      });
    }
    return built;
  };
  return (row, message) => {
    try {
      steps ??= build();
      let rows: Value[][] = [row];
      for (const step of steps) {
        const r = step(rows, message);
        if (!Array.isArray(r)) return r;
        rows = r;
        if (rows.length === 0) return null;
      }
    } catch {
      // Only a dead letter's wording depends on this: the reason stays DuckDB's message alone.
    }
    return null;
  };
}

/** The expressions an operator evaluates. */
function operatorExprs(op: Operator): Expr[] {
  switch (op.op) {
    case "filter":
      return [op.predicate];
    case "project":
      return op.exprs.map((e) => e.expr);
    case "aggregate":
      return [
        ...op.keys.map((k) => k.expr),
        ...op.aggregates.flatMap((a) => [...a.call.args, ...(a.call.filter ? [a.call.filter] : [])]),
        ...(op.window ? [op.window.eventTime] : []),
      ];
    case "lookup_join":
      return [...op.streamKeys, ...(op.residual ? [op.residual] : [])];
    case "scan":
    case "unnest":
    case "sink":
      return [];
  }
}

/**
 * Which scan columns the pipeline reads; the others need no conversion when
 * it cannot fail (see `eventConverter`). Null when every column is read.
 */
export function readColumns(ops: Operator[]): Set<number> | null {
  const width = ops[0]?.schema.length ?? 0;
  // Columns of op i's input that op i and everything after it read.
  const readsFrom = (i: number): Set<number> | null => {
    const op = ops[i];
    if (!op) return null;
    const refs = new Set<number>();
    const add = (e: Expr | null): void => {
      if (!e) return;
      if (e.kind === "column") refs.add(e.index);
      for (const c of exprChildren(e)) add(c);
    };
    switch (op.op) {
      case "project":
        for (const e of op.exprs) add(e.expr);
        return refs;
      case "aggregate":
        for (const k of op.keys) add(k.expr);
        for (const a of op.aggregates) {
          for (const x of a.call.args) add(x);
          add(a.call.filter);
        }
        add(op.window?.eventTime ?? null);
        return refs;
      case "filter": {
        // A filter passes its input on: what comes after reads the same positions.
        const after = readsFrom(i + 1);
        if (after === null) return null;
        add(op.predicate);
        for (const c of after) refs.add(c);
        return refs;
      }
      default:
        // unnest and lookup_join pass columns on too; the sink writes every column.
        return null;
    }
  };
  const reads = readsFrom(1);
  if (reads === null || reads.size >= width) return null;
  return reads;
}

/** Each operator's input columns: whether DuckDB may know their statistics (see `CallContext.argStats`). */
const STATS_IN = new WeakMap<Operator, readonly boolean[]>();

/** Notes, for every operator of a pipeline, which of its input columns carry statistics in DuckDB. */
function noteColumnStats(ops: readonly Operator[]): void {
  let stats: readonly boolean[] = [];
  for (const op of ops) {
    STATS_IN.set(op, stats);
    const input = stats;
    if (op.op === "scan") stats = op.schema.map(() => true);
    else if (op.op === "project") stats = withColumnStats(input, () => op.exprs.map((e) => carriesStats(e.expr)));
    else if (op.op === "aggregate") {
      const keys = withColumnStats(input, () => op.keys.map((k) => carriesStats(k.expr)));
      stats = op.schema.map((_, i) => keys[i] ?? false);
    } else if (op.op === "unnest") stats = input.map((s, i) => (op.columns.includes(i) ? false : s));
    else if (op.op === "lookup_join") stats = op.schema.map((_, i) => input[i] ?? true);
  }
}

function stageFor(op: Operator, lib: FunctionLibrary, memo: Memo): Stage {
  return withColumnStats(STATS_IN.get(op), () => stageBuilt(op, lib, memo));
}

function stageBuilt(op: Operator, lib: FunctionLibrary, memo: Memo): Stage {
  switch (op.op) {
    case "filter": {
      const pred = compileExpr(op.predicate, lib, memo, true);
      return (rows) => rows.filter((r) => pred(r) === true);
    }
    case "project": {
      const project = projector(op, lib, memo);
      return (rows) => rows.map(project);
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
  const filtering = op.join === "semi" || op.join === "anti";
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
        if (filtering) break;
        out.push(joined);
      }
      if (filtering) {
        // SEMI: the stream's row once when a table row matches; ANTI: when none does (a NULL key matches nothing).
        if (matched === (op.join === "semi")) out.push(r);
      } else if (!matched && op.join === "left") out.push([...r, ...nulls]);
    }
    return out;
  };
}

export { addInterval };

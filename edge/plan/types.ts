/**
 * The plan IR: what `runnel publish` writes as `plan.json` and what the
 * executor builds closures from. Plain JSON (no bigint, no class instances):
 * constants are encoded by `encodeValue` in `value-json.ts`, directed by the
 * DuckDB type that travels beside them.
 *
 * A plan is one linear pipeline per sink, from one source scan to the sink.
 * Cells referenced by a sink cell are inlined, so operators keep the cell
 * they came from in `origin`. Inside an operator, columns are addressed by
 * position in the operator's input schema, so joins and duplicate names need
 * no qualification rules at run time.
 */
import type { Schema } from "./values.ts";
import type { SourceFormat } from "../../notebook/format/model.ts";

export const PLAN_VERSION = 1;

/** Where an operator or expression came from in the notebook, for error messages. */
export interface Origin {
  /** The cell's id, or `#<index>` for an anonymous cell. */
  cell: string;
  file: string;
  /** 1-based line in the notebook file. */
  line: number;
}

/** A JSON value standing for a DuckDB value of a known type (see `value-json.ts`). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export type CompareOp = "=" | "<>" | "<" | "<=" | ">" | ">=" | "IS DISTINCT FROM" | "IS NOT DISTINCT FROM";

/**
 * An expression tree. Every node carries `type`, DuckDB's bound result type
 * for that node (from DESCRIBE), so evaluation never has to infer one.
 */
export type Expr =
  | { kind: "column"; index: number; type: string }
  | { kind: "constant"; value: JsonValue; type: string }
  /** A scalar function from the function library, keyed by DuckDB's function_name. */
  | { kind: "function"; name: string; args: Expr[]; type: string }
  | { kind: "cast"; arg: Expr; type: string; try: boolean }
  /** `compareType` is the common type DuckDB compares both sides in. */
  | { kind: "compare"; op: CompareOp; left: Expr; right: Expr; compareType: string; type: "BOOLEAN" }
  | { kind: "and" | "or"; args: Expr[]; type: "BOOLEAN" }
  | { kind: "not"; arg: Expr; type: "BOOLEAN" }
  | { kind: "is_null"; arg: Expr; negated: boolean; type: "BOOLEAN" }
  | { kind: "in"; arg: Expr; list: Expr[]; negated: boolean; compareType: string; type: "BOOLEAN" }
  | { kind: "between"; arg: Expr; lower: Expr; upper: Expr; negated: boolean; compareType: string; type: "BOOLEAN" }
  /** Each `then` and the `else` are cast to `type` by the executor. */
  | { kind: "case"; whens: { when: Expr; then: Expr }[]; else: Expr; type: string }
  | { kind: "coalesce"; args: Expr[]; type: string }
  /** Field of a STRUCT value (`s.f`, `s['f']`); NULL struct gives NULL. */
  | { kind: "field"; arg: Expr; field: string; type: string }
  /**
   * `list_transform(list, x -> body)` / `list_filter(list, x -> body)`: `body`
   * runs once per element with the element at row position `slot` (one past
   * the row's own columns; the body reads the other columns as usual). NULL
   * list gives NULL; a filter keeps the elements whose body is TRUE. With
   * `indexed` (`(x, i) -> ...`) the element's 1-based place is a BIGINT at `slot + 1`.
   */
  | { kind: "lambda"; fn: "transform" | "filter"; list: Expr; slot: number; body: Expr; type: string; indexed?: true };

export interface NamedExpr {
  name: string;
  expr: Expr;
}

interface OperatorBase {
  origin: Origin;
  /** The operator's output columns, names and DuckDB types. */
  schema: Schema;
}

export interface ScanOp extends OperatorBase {
  op: "scan";
  source: string;
  format: SourceFormat;
  /**
   * The input schema pinned at publish time: the types DuckDB's read_json
   * inferred from the notebook's sample. Each raw event is converted into it
   * the way read_json would; an event that does not fit is a dead letter.
   */
}

export interface FilterOp extends OperatorBase {
  op: "filter";
  predicate: Expr;
}

export interface ProjectOp extends OperatorBase {
  op: "project";
  exprs: NamedExpr[];
}

/**
 * Expands list columns into rows, as DuckDB's `unnest` in a SELECT list:
 * several lists in one row are zipped to the longest, padding with NULL; a
 * row whose lists are all NULL or empty produces no rows. Other columns are
 * repeated. `columns` are input positions; in the output the element
 * replaces the list at the same position.
 */
export interface UnnestOp extends OperatorBase {
  op: "unnest";
  columns: number[];
}

export interface AggregateCall {
  /** Name in the aggregate registry: count_star, count, sum, avg, min, max, any_value ... */
  fn: string;
  args: Expr[];
  distinct: boolean;
  /** Rows for which `filter` is not TRUE are skipped (`FILTER (WHERE ...)`). */
  filter: Expr | null;
  type: string;
}

/**
 * GROUP BY. Output columns: the keys, then the aggregates. With `window`, it
 * is a tumbling window over event time: key `window.key` is the window start
 * (a time bucket of `window.eventTime`), a window's groups are emitted once
 * the watermark (max event time seen minus `lateness`) passes the window end
 * (start + `width`; with `window.wall`, the instant the zone's clock passes
 * it); rows for an already-emitted window are dead letters
 * ("late"). Without `window`, groups are emitted at each flush of the sink
 * (`emit: "per-flush"`): one aggregate per written file.
 */
export interface AggregateOp extends OperatorBase {
  op: "aggregate";
  keys: NamedExpr[];
  aggregates: { name: string; call: AggregateCall }[];
  emit: "window" | "per-flush";
  window: {
    /** Position among `keys` of the time bucket. */
    key: number;
    /** The event time expression (the bucket function's timestamp argument). */
    eventTime: Expr;
    width: { months: number; days: number; micros: string };
    /**
     * The zone whose wall time the bucket counts in (`time_bucket(w, ts, 'Europe/Berlin')`): a
     * window ends at the next bucket's start there, so a day may last 23 or 25 hours. Absent: UTC.
     */
    zone?: string;
    /** Allowed lateness in microseconds (from `sinks.<name>.lateness`). */
    latenessMicros: string;
    /**
     * How far ahead of the pipeline's clock (the Worker's, runner's or run's `now`) an event time may
     * be and still enter a window, in microseconds (from `sinks.<name>.max_ahead`); a later one is a
     * dead letter and moves no watermark. Null: `off`, no limit. Absent (the default, and plans
     * published before 2026-12-06): a day.
     */
    maxAheadMicros?: string | null;
    /**
     * The key buckets a zone's wall time (`date_trunc('hour', ts AT TIME ZONE 'Europe/Berlin')`): a
     * TIMESTAMP or DATE that jumps an hour when the clocks change. The watermark is then kept in real
     * time, from `wall.eventTime` — the instant the wall time was read from (TIMESTAMPTZ), or a wall
     * time in `zone` (a bucket computed upstream), taken at the first instant the clock reads it — and
     * a window ends when the zone's clock last passes its end (`exec/wall-clock.ts`). Absent (plans
     * published before 2026-12-06, which executors before then run alike): lateness and window ends
     * are measured on the key's own wall time, through `eventTime`, which stays that wall time.
     */
    wall?: { zone: string; eventTime: Expr };
  } | null;
}

/**
 * Join against a static table whose rows are in the plan. `streamKeys[i]` is
 * compared (DuckDB equality, NULL never matches) with table column
 * `tableKeys[i]`; `residual` is evaluated on the joined row (stream columns,
 * then table columns). Output: stream columns then table columns (SEMI and
 * ANTI: the stream columns alone).
 */
export interface LookupJoinOp extends OperatorBase {
  op: "lookup_join";
  /** semi and anti pass the stream's row on alone, once, when some table row matches (semi) or none does (anti). */
  join: "inner" | "left" | "semi" | "anti";
  table: { schema: Schema; rows: JsonValue[][] };
  streamKeys: Expr[];
  tableKeys: number[];
  keyTypes: string[];
  residual: Expr | null;
}

export interface SinkOp extends OperatorBase {
  op: "sink";
  sink: string;
  partitionBy: string[];
}

export type Operator = ScanOp | FilterOp | ProjectOp | UnnestOp | AggregateOp | LookupJoinOp | SinkOp;

/** One sink's pipeline: `ops[0]` is a scan, the last is the sink. */
export interface Pipeline {
  sink: string;
  /** The cell with `sink=`. */
  cell: Origin;
  ops: Operator[];
}

export interface Plan {
  version: typeof PLAN_VERSION;
  notebook: string;
  sources: Record<string, { format: SourceFormat; schema: Schema }>;
  pipelines: Pipeline[];
}

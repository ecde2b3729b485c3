/**
 * The contract between the plan executor (`edge/exec/`) and the function
 * library (`edge/exec/functions/`). The executor evaluates the expression
 * node classes itself (comparison, conjunction, CASE, CAST, IN, IS NULL,
 * COALESCE, BETWEEN, column refs, constants) and calls the registry for every
 * FUNCTION node of DuckDB's parse tree and for every aggregate.
 *
 * Types are DuckDB's type text exactly as DESCRIBE prints it
 * (`INTEGER`, `DECIMAL(18,3)`, `VARCHAR[]`, `STRUCT(a INTEGER, b VARCHAR)`).
 * The compiler asks DuckDB for the bound type of every argument and of the
 * result, so a function never guesses: it receives them in `CallContext`.
 *
 * Web standards only: this runs in workerd, Node and the browser. No eval.
 */
import type { Value } from "../../plan/values.ts";

export interface CallContext {
  /**
   * The type DuckDB gives each argument expression on its own (DESCRIBE of
   * the argument), i.e. before any implicit cast to the function's parameter
   * type: for `a + 1` with `a BIGINT` this is ["BIGINT", "INTEGER"] and
   * `resultType` is "BIGINT". String literals are "VARCHAR". A function
   * reproduces DuckDB's implicit cast from these and `resultType`.
   */
  argTypes: string[];
  /** DuckDB's bound type of the call's result. */
  resultType: string;
  /**
   * Set at build time when the executor already remembers answers for this call site's inputs
   * (the call sits in a remembered sub-expression, `expr.ts`): a function's own memory of
   * repeated arguments (the digests') would only hold the same answers twice.
   */
  remembered?: boolean;
  /**
   * Per argument, set at build time: false where DuckDB has no statistics for the argument's
   * values (a function's result, a cast, a constant folded with the call), true where it may have
   * (a column, a field of one, a same-type cast, CASE or COALESCE of such). DuckDB picks some
   * functions' ASCII-only paths by statistics, never by the value: substring of 'x' from -2 is 'x'
   * over a column known to be ASCII, '' over any other text.
   */
  argStats?: boolean[];
}

/**
 * A scalar function. It receives NULL arguments as `null` and handles NULL
 * propagation itself, the way DuckDB does for that function (most return
 * NULL for any NULL argument; `concat`, `coalesce`-likes and a few others do
 * not). Throws `SqlError` where DuckDB raises an error. It must not keep
 * the `args` array itself (the executor refills one array per call site for
 * every row); keeping its values is fine.
 */
export type ScalarFn = ((args: Value[], ctx: CallContext) => Value) & {
  /**
   * Optional: set on a function that is NULL whenever any argument is NULL;
   * it computes the answer for non-NULL arguments only. The executor may
   * evaluate every argument, answer NULL itself, and call this directly.
   */
  strictBody?: (args: Value[], ctx: CallContext) => Value;
  /**
   * Optional: the function for one call site, called once at build time
   * with the arguments that are the same on every row marked in `constants`
   * (`{ value }`; null where the argument varies): a pattern compiled, a
   * format parsed, state of its own (a cache). It is called with every
   * argument as before and must answer exactly as the general function does,
   * errors included. Null keeps the general function.
   */
  specialize?: (constants: readonly ({ value: Value } | null)[], ctx: CallContext) => ((args: Value[], ctx: CallContext) => Value) | null;
  /**
   * Optional: true when, with the arguments marked in `constants` (as for `specialize`), the
   * function raises no error for any value of the others. The executor may then compute a
   * projection's shared call at its first use instead of ahead of the row's other expressions.
   */
  cannotFail?: (constants: readonly ({ value: Value } | null)[], ctx: CallContext) => boolean;
};

/**
 * An aggregate. `state` is opaque to the executor; it may be mutated in place
 * and returned, or replaced. `step` sees NULLs (count(*) has no arguments;
 * `count(x)` must skip NULLs itself). DISTINCT is handled by the executor
 * (it de-duplicates arguments before `step`), ORDER BY inside aggregates is
 * not in the subset. `step` must not keep the `args` array itself (the
 * executor reuses one array per aggregate); keeping its values is fine.
 */
export interface AggregateFn {
  init(ctx: CallContext): unknown;
  step(state: unknown, args: Value[], ctx: CallContext): unknown;
  /** `step` of a one-argument call, given the argument itself (no array to fill per row); optional. */
  stepOne?(state: unknown, x: Value, ctx: CallContext): unknown;
  finish(state: unknown, ctx: CallContext): Value;
  /** `finish` of one state that no combine step made (list_aggregate), where DuckDB's differs (fsum); optional. */
  finishAlone?(state: unknown, ctx: CallContext): Value;
}

export type SqlErrorCode =
  | "conversion"
  | "out_of_range"
  | "invalid_input"
  | "divide_by_zero"
  | "not_implemented"
  | "syntax"
  | "internal";

/**
 * An error a row's data raises (a failed cast, an unreadable field): told by its message and
 * dead-lettered by the thousand, so it captures no stack. V8's stack capture made a dead letter
 * ~3.5× as slow (138k against 477k a second on turnstile's events).
 */
export class RowError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = limit;
  }
}

/**
 * An error DuckDB would raise at run time. `message` equals DuckDB's error
 * text where practical (without the `Conversion Error: ` style prefix, which
 * `duckdbText` adds), so the check can compare the two. No stack (`RowError`).
 */
export class SqlError extends RowError {
  override name = "SqlError";
  readonly code: SqlErrorCode;
  constructor(code: SqlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  /** The error as DuckDB prints it, e.g. `Conversion Error: Could not convert string 'x' to INT32`. */
  get duckdbText(): string {
    const prefix: Record<SqlErrorCode, string> = {
      conversion: "Conversion Error",
      out_of_range: "Out of Range Error",
      invalid_input: "Invalid Input Error",
      divide_by_zero: "Out of Range Error",
      not_implemented: "Not implemented Error",
      syntax: "Syntax Error",
      internal: "INTERNAL Error",
    };
    return `${prefix[this.code]}: ${this.message}`;
  }
}

/**
 * Keyed by the `function_name` DuckDB's json_serialize_sql prints, lower
 * case: "lower", "+", "-", "*", "/", "//", "%", "~~" (LIKE), "!~~" (NOT LIKE),
 * "~~*" (ILIKE), "!~~*", "->", "->>", "json_extract", "time_bucket",
 * "date_trunc", "md5", "struct_extract", "list_extract", "array_extract" ...
 * Unary minus is "-" with one argument.
 */
export type ScalarRegistry = Record<string, ScalarFn>;

/** Keyed by DuckDB's aggregate name: "count_star", "count", "sum", "avg", "min", "max", "any_value", "arg_max", "string_agg", "list" ... */
export type AggregateRegistry = Record<string, AggregateFn>;

/**
 * What `edge/exec/functions/index.ts` exports:
 *
 *   export const scalars: ScalarRegistry;
 *   export const aggregates: AggregateRegistry;
 *   export function castValue(v: Value, fromType: string, toType: string): Value;  // throws SqlError
 *   export function tryCastValue(v: Value, fromType: string, toType: string): Value; // NULL on failure
 *   export function castFor(fromType: string, toType: string): (v: Value) => Value;    // castValue, types resolved once
 *   export function tryCastFor(fromType: string, toType: string): (v: Value) => Value; // tryCastValue, types resolved once
 *   export function compareValues(a: Value, b: Value, type: string): number;
 *
 * `compareValues` orders two non-NULL values of the same DuckDB type the way
 * DuckDB's ORDER BY / comparison operators do: VARCHAR by UTF-8 bytes, NaN
 * greater than every other float and equal to itself, -0.0 = 0.0, STRUCT
 * and LIST lexicographically, INTERVAL normalised (months*30 days + days ...).
 * Returns <0, 0, >0. The executor uses it for =, <>, <, <=, >, >=, BETWEEN,
 * IN, min/max keys and DISTINCT / GROUP BY keys (via `valueKey`).
 *
 *   export function valueKey(v: Value, type: string): string;
 *
 * `valueKey` gives a string such that two values are "not distinct" in
 * DuckDB's sense (GROUP BY, DISTINCT) exactly when their keys are equal
 * (NaN = NaN, -0.0 = 0.0, NULL has its own key).
 */
export interface FunctionLibrary {
  scalars: ScalarRegistry;
  aggregates: AggregateRegistry;
  castValue(v: Value, fromType: string, toType: string): Value;
  tryCastValue(v: Value, fromType: string, toType: string): Value;
  /**
   * Optional (older libraries lack it): the cast between two fixed types as
   * one function, resolved once — hold it per CAST node instead of calling
   * `castValue(v, from, to)` per row. NULL in, NULL out.
   */
  castFor?(fromType: string, toType: string): (v: Value) => Value;
  /** Optional: TRY_CAST between two fixed types as one function (see `castFor`). */
  tryCastFor?(fromType: string, toType: string): (v: Value) => Value;
  compareValues(a: Value, b: Value, type: string): number;
  valueKey(v: Value, type: string): string;
}

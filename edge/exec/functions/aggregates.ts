/**
 * Aggregates: count_star, count, sum, avg, min, max, any_value (the first
 * non-NULL), first / last (NULLs included), arg_max / arg_min (and their _null forms), bool_and, bool_or, bit_and / bit_or / bit_xor,
 * count_if, string_agg, list, quantile_cont / quantile_disc / median (exact: every value
 * is kept until the group is emitted), mode, stddev_samp / stddev_pop / var_samp / var_pop. The result type comes from DuckDB's binding
 * (sum of integers is HUGEINT, sum of DECIMAL(p,s) is DECIMAL(38,s), avg is
 * DOUBLE). DISTINCT is applied by the executor before `step`. Order-sensitive
 * ones (string_agg, list, ties of arg_max) follow arrival order, as DuckDB
 * does over one thread.
 */
import type { Value } from "../../plan/values.ts";
import { MICROS_PER_DAY } from "./calendar.ts";
import { compareValues, valueKey } from "./compare.ts";
import { toDouble } from "./numeric.ts";
import { addMoment, moments, regressionAggregates } from "./regression.ts";
import { distributionAggregates, ofDoubles } from "./distribution.ts";
import { SqlError, type AggregateFn, type CallContext } from "./contract.ts";
import { isBigintType, isIntegerType, parseType, typeText, type SqlType } from "./types.ts";

const HUGEINT_MAX = 2n ** 127n - 1n;

interface SumState { sum: bigint | number; count: number }

function isFloatType(t: string | undefined): boolean {
  const p = parseType(t ?? "DOUBLE");
  return p.kind === "scalar" && (p.name === "DOUBLE" || p.name === "FLOAT");
}

function asBig(v: Value): bigint {
  if (typeof v === "boolean") return v ? 1n : 0n;
  return typeof v === "bigint" ? v : BigInt(v as number);
}

/**
 * A count kept as a double (exact to 2^53, no BigInt allocated per row),
 * answered as BIGINT. A state restored from a snapshot taken when counts
 * were bigints goes on counting in bigints.
 */
interface CountState { n: number | bigint }

function countUp(s: CountState): void {
  s.n = typeof s.n === "number" ? s.n + 1 : s.n + 1n;
}

const countStar: AggregateFn = {
  init: (): CountState => ({ n: 0 }),
  step: (s) => { countUp(s as CountState); return s; },
  finish: (s) => BigInt((s as CountState).n),
};

const count: AggregateFn = {
  init: (): CountState => ({ n: 0 }),
  step: (s, args) => { if (args[0] !== null) countUp(s as CountState); return s; },
  finish: (s) => BigInt((s as CountState).n),
};

function sumInit(ctx: CallContext): SumState {
  return { sum: isFloatType(ctx.argTypes[0]) ? 0 : 0n, count: 0 };
}

function sumStep(state: unknown, args: Value[]): unknown {
  const s = state as SumState;
  const v = args[0];
  if (v === null || v === undefined) return s;
  if (typeof s.sum === "number") s.sum += v as number;
  else {
    s.sum += asBig(v);
    if (s.sum > HUGEINT_MAX || s.sum < -HUGEINT_MAX - 1n) throw new SqlError("out_of_range", "Overflow in HUGEINT addition");
  }
  s.count++;
  return s;
}

const sum: AggregateFn = {
  init: sumInit,
  step: sumStep,
  finish: (state, ctx) => {
    const s = state as SumState;
    if (s.count === 0) return null;
    if (typeof s.sum === "number") return ctx.resultType === "FLOAT" ? Math.fround(s.sum) : s.sum;
    return s.sum;
  },
};

const avg: AggregateFn = {
  init: sumInit,
  step: sumStep,
  finish: (state, ctx) => {
    const s = state as SumState;
    if (s.count === 0) return null;
    if (typeof s.sum === "number") return s.sum / s.count;
    const t = parseType(ctx.argTypes[0] ?? "INTEGER");
    const scale = t.kind === "decimal" ? 10 ** t.scale : 1;
    // One IEEE division is correctly rounded, as DuckDB's long double division
    // is once narrowed to double; beyond 2^53 keep the exact integer part first.
    const divisor = s.count * scale;
    if (Number.isSafeInteger(divisor) && s.sum <= 2n ** 53n && s.sum >= -(2n ** 53n)) return Number(s.sum) / divisor;
    const q = s.sum / BigInt(s.count);
    const r = s.sum - q * BigInt(s.count);
    return (Number(q) + Number(r) / s.count) / scale;
  },
};

function extreme(sign: 1 | -1): AggregateFn {
  return {
    init: () => ({ v: null as Value }),
    step: (state, args, ctx) => {
      const s = state as { v: Value };
      const x = args[0];
      if (x === null || x === undefined) return s;
      const v = s.v;
      if (v === null) s.v = x;
      else if (typeof x === "bigint" && typeof v === "bigint") {
        // Integers (BIGINT, HUGEINT, timestamps) order as bigints: no type lookup per row.
        if (sign > 0 ? x > v : x < v) s.v = x;
      } else if (sign * compareValues(x, v, ctx.argTypes[0]!) > 0) s.v = x;
      return s;
    },
    finish: (state) => (state as { v: Value }).v,
  };
}

const anyValue: AggregateFn = {
  init: () => ({ seen: false, v: null as Value }),
  step: (state, args) => {
    const s = state as { seen: boolean; v: Value };
    if (!s.seen && args[0] !== null && args[0] !== undefined) { s.v = args[0]; s.seen = true; }
    return s;
  },
  finish: (state) => (state as { v: Value }).v,
};

/** first(x) / last(x): the value of the first (last) row, NULL included (any_value skips NULLs). */
const first: AggregateFn = {
  init: () => ({ seen: false, v: null as Value }),
  step: (state, args) => {
    const s = state as { seen: boolean; v: Value };
    if (!s.seen) {
      s.v = args[0] ?? null;
      s.seen = true;
    }
    return s;
  },
  finish: (state) => (state as { v: Value }).v,
};

const last: AggregateFn = {
  init: () => ({ v: null as Value }),
  step: (state, args) => {
    (state as { v: Value }).v = args[0] ?? null;
    return state;
  },
  finish: (state) => (state as { v: Value }).v,
};

/**
 * arg_max(arg, val) / arg_min: `arg` of the row with the greatest (least)
 * `val`, the first such row on ties; rows whose `val` is NULL are skipped,
 * and so are rows whose `arg` is NULL unless `keepNullArg` (arg_max_null).
 */
function argExtreme(sign: 1 | -1, keepNullArg: boolean): AggregateFn {
  return {
    init: () => ({ seen: false, arg: null as Value, v: null as Value }),
    step: (state, args, ctx) => {
      const s = state as { seen: boolean; arg: Value; v: Value };
      const a = args[0] ?? null;
      const x = args[1] ?? null;
      if (x === null || (a === null && !keepNullArg)) return s;
      if (!s.seen || sign * compareValues(x, s.v, ctx.argTypes[1]!) > 0) {
        s.seen = true;
        s.v = x;
        s.arg = a;
      }
      return s;
    },
    finish: (state) => (state as { arg: Value }).arg,
  };
}

/** An aggregate folding its non-NULL inputs with `combine`: NULL when there were none. */
function nonNullFold<T>(first: (x: Value) => T, combine: (acc: T, x: Value) => T, finish: (acc: T, ctx: CallContext) => Value): AggregateFn {
  return {
    init: () => ({ v: null as T | null }),
    step: (state, args) => {
      const s = state as { v: T | null };
      const x = args[0];
      if (x === null || x === undefined) return s;
      s.v = s.v === null ? first(x) : combine(s.v, x);
      return s;
    },
    finish: (state, ctx) => {
      const v = (state as { v: T | null }).v;
      return v === null ? null : finish(v, ctx);
    },
  };
}

function boolFold(and: boolean): AggregateFn {
  return nonNullFold((x) => x === true, (acc, x) => (and ? acc && x === true : acc || x === true), (acc) => acc);
}

/** bit_and / bit_or / bit_xor over integers: NULLs skipped, NULL when there were none, the input's type. */
function bitFold(op: "&" | "|" | "^"): AggregateFn {
  const big = (x: Value): bigint => (typeof x === "bigint" ? x : BigInt(x as number));
  return nonNullFold(big, (acc, x) => (op === "&" ? acc & big(x) : op === "|" ? acc | big(x) : acc ^ big(x)), (acc, ctx) => (isBigintType(ctx.resultType) ? acc : Number(acc)));
}

/** count_if(b): the TRUE rows, NULL when every input was NULL (DuckDB sums 1/0 over the non-NULL ones). */
const countIf: AggregateFn = {
  init: () => ({ n: -1 }),
  step: (state, args) => {
    const s = state as { n: number };
    const x = args[0];
    if (x === null || x === undefined) return s;
    if (s.n < 0) s.n = 0;
    if (x === true) s.n++;
    return s;
  },
  finish: (state) => ((state as { n: number }).n < 0 ? null : BigInt((state as { n: number }).n)),
};

/**
 * string_agg(text, separator): the non-NULL texts joined in arrival order; NULL with none, or
 * with a NULL separator. A third argument 'asc' or 'desc' (the compiler's form of
 * `ORDER BY text`) joins them sorted as DuckDB orders text.
 */
const stringAgg: AggregateFn = {
  init: () => ({ parts: [] as string[], sep: "," as string | null, order: null as string | null }),
  step: (state, args) => {
    const s = state as { parts: string[]; sep: string | null; order: string | null };
    const x = args[0];
    if (args.length > 1) s.sep = (args[1] ?? null) as string | null;
    if (args.length > 2) s.order = args[2] as string;
    if (x === null || x === undefined) return s;
    s.parts.push(x as string);
    return s;
  },
  finish: (state) => {
    const s = state as { parts: string[]; sep: string | null; order: string | null };
    if (s.parts.length === 0 || s.sep === null) return null;
    if (s.order === null) return s.parts.join(s.sep);
    const sign = s.order === "desc" ? -1 : 1;
    return [...s.parts].sort((a, b) => sign * compareValues(a, b, "VARCHAR")).join(s.sep);
  },
};

/** list(x): every value, NULLs included, in arrival order; NULL over no rows. */
const list: AggregateFn = {
  init: () => ({ items: [] as Value[] }),
  step: (state, args) => {
    (state as { items: Value[] }).items.push(args[0] ?? null);
    return state;
  },
  finish: (state) => {
    const items = (state as { items: Value[] }).items;
    return items.length === 0 ? null : items.slice();
  },
};

/** One requested quantile: its magnitude, exact when written as a DECIMAL literal, and whether it counts from the top. */
interface Quantile {
  dbl: number;
  /** The DECIMAL literal's unscaled digits and 10^scale; null for a DOUBLE quantile. */
  integral: bigint | null;
  scaling: bigint;
  desc: boolean;
}

/** A quantile argument as DuckDB binds it: a negative one sorts descending and uses its magnitude. */
function quantileOf(v: Value, type: string): Quantile {
  const t = parseType(type);
  if (t.kind === "decimal") {
    const unscaled = v as bigint;
    const integral = unscaled < 0n ? -unscaled : unscaled;
    const scaling = 10n ** BigInt(t.scale);
    return { dbl: Number(integral) / Number(scaling), integral, scaling, desc: unscaled < 0n };
  }
  const x = Number(v);
  return { dbl: Math.abs(x), integral: null, scaling: 1n, desc: x < 0 };
}

/** The position quantile_disc reads in n sorted values (DuckDB's discrete Interpolator::Index). */
function discreteIndex(q: Quantile, n: number): number {
  const floored = q.integral !== null
    ? Number((BigInt(n) * q.scaling - BigInt(n) * q.integral) / q.scaling)
    : Math.floor(n - n * q.dbl);
  return Math.max(1, n - floored) - 1;
}

/** C's llround: halves away from zero. */
function llround(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * quantile_cont between sorted values lo (at floor(RN)) and hi (at ceil(RN)),
 * as DuckDB's CastInterpolation does for the result type: DOUBLE blends the
 * two (lo·(1−d) + hi·d), timestamps and times blend and round half away from
 * zero, DECIMAL adds d·(hi−lo) to lo and truncates, FLOAT rounds d·(hi−lo) to single precision before adding.
 */
function interpolate(lo: Value, hi: Value, d: number, argType: string, resultType: string): Value {
  const date = argType === "DATE";
  const asMicros = (v: Value) => (date ? (v as number) * Number(MICROS_PER_DAY) : Number(v));
  if (resultType === "DOUBLE") {
    const a = Number(lo);
    const b = Number(hi);
    // Blended even when lo = hi, as DuckDB does: the blend of two equal values can differ from them in the last bit.
    return d === 0 ? a : a * (1 - d) + b * d;
  }
  if (resultType === "FLOAT") return Math.fround((lo as number) + Math.fround(Math.fround((hi as number) - (lo as number)) * d));
  if (/^(TIMESTAMP|TIME$)/.test(resultType)) {
    if (d === 0) return date ? BigInt(lo as number) * MICROS_PER_DAY : lo;
    return BigInt(llround(asMicros(lo) * (1 - d) + asMicros(hi) * d));
  }
  // DECIMAL: the unscaled integers.
  if (d === 0) return lo;
  const delta = (hi as bigint) - (lo as bigint);
  return BigInt(Math.trunc(Number(lo as bigint) + Number(delta) * d));
}

interface QuantileState { v: Value[]; q: Value | undefined }

/** Sorts the kept values once per answer, ascending or descending as the quantile asks. */
function sortedFor(values: Value[], type: string, desc: boolean): Value[] {
  const sorted = values.slice();
  sorted.sort(desc ? (a, b) => compareValues(b, a, type) : (a, b) => compareValues(a, b, type));
  return sorted;
}

function pickQuantile(values: Value[], q: Quantile, discrete: boolean, ctx: CallContext, resultType: string, cache: Map<boolean, Value[]>): Value {
  const n = values.length;
  const type = ctx.argTypes[0]!;
  let sorted = cache.get(q.desc);
  if (!sorted) {
    sorted = sortedFor(values, type, q.desc);
    cache.set(q.desc, sorted);
  }
  if (discrete) return sorted[discreteIndex(q, n)]!;
  const rn = (n - 1) * q.dbl;
  const frn = Math.floor(rn);
  const crn = Math.ceil(rn);
  return interpolate(sorted[frn]!, sorted[crn]!, crn === frn ? 0 : rn - frn, type, resultType);
}

/**
 * How quantile_cont and median treat a type: the executor interpolates it as DuckDB does
 * ("interpolated"), DuckDB interpolates it but the executor does not ("refused": INTERVAL,
 * TIMETZ, other timestamp units, DECIMAL wider than 18 digits), or DuckDB picks a value
 * ("discrete": median of text, booleans, lists ...). The compiler refuses the second kind.
 */
export function interpolation(type: string): "interpolated" | "refused" | "discrete" {
  const t = parseType(type);
  if (t.kind === "decimal") return t.width <= 18 ? "interpolated" : "refused";
  if (t.kind !== "scalar") return "discrete";
  if (isIntegerType(t.name) || /^(FLOAT|DOUBLE|DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE)$/.test(t.name)) return "interpolated";
  if (/^(INTERVAL|TIME WITH TIME ZONE|TIMESTAMP_(NS|MS|S))$/.test(t.name)) return "refused";
  return "discrete";
}

/**
 * quantile_cont(x, q) / quantile_disc(x, q), q a constant or a list of them
 * (the answer is then a list in the same order); median(x) is quantile_cont
 * at 0.5 for the types it interpolates and quantile_disc otherwise. NULLs are
 * skipped; no values gives NULL.
 */
function quantileAgg(kind: "cont" | "disc" | "median"): AggregateFn {
  return {
    init: (): QuantileState => ({ v: [], q: undefined }),
    step: (state, args) => {
      const s = state as QuantileState;
      if (s.q === undefined && kind !== "median") s.q = args[1] ?? null;
      const x = args[0];
      if (x !== null && x !== undefined) s.v.push(x);
      return s;
    },
    finish: (state, ctx) => {
      const s = state as QuantileState;
      if (s.v.length === 0) return null;
      const discrete = kind === "disc" || (kind === "median" && interpolation(ctx.argTypes[0]!) !== "interpolated");
      const cache = new Map<boolean, Value[]>();
      if (kind === "median") return pickQuantile(s.v, { dbl: 0.5, integral: null, scaling: 1n, desc: false }, discrete, ctx, ctx.resultType, cache);
      const qType = ctx.argTypes[1]!;
      const qt = parseType(qType);
      if (qt.kind === "list" || qt.kind === "array") {
        const childType = typeText(qt.child);
        const resultChild = (parseType(ctx.resultType) as { child: SqlType }).child;
        return (s.q as Value[]).map((q) => pickQuantile(s.v, quantileOf(q, childType), discrete, ctx, typeText(resultChild), cache));
      }
      return pickQuantile(s.v, quantileOf(s.q as Value, qType), discrete, ctx, ctx.resultType, cache);
    },
  };
}

/**
 * stddev_samp / stddev_pop / var_samp / var_pop: Welford's running mean and
 * squared distance, step for step as DuckDB's STDDevBaseOperation
 * (`addMoment`), so the doubles agree to the bit; a result that is not finite
 * (an infinity or NaN among the values) is DuckDB's "out of range" error.
 */
function spread(kind: "stddev_samp" | "stddev_pop" | "var_samp" | "var_pop"): AggregateFn {
  const label = { stddev_samp: "STDDEV_SAMP", stddev_pop: "STDDEV_POP", var_samp: "VARSAMP", var_pop: "VARPOP" }[kind];
  const sample = kind.endsWith("_samp");
  return ofDoubles(moments, addMoment, (s) => {
    if (sample ? s.count <= 1 : s.count === 0) return null;
    let r = sample ? s.dsquared / (s.count - 1) : s.count > 1 ? s.dsquared / s.count : 0;
    if (kind.startsWith("stddev")) r = Math.sqrt(r);
    if (!Number.isFinite(r)) throw new SqlError("out_of_range", `${label} is out of range!`);
    return r;
  });
}

/** mode(x): the most frequent non-NULL value; on a tie the one seen first (DuckDB keeps each value's first row). */
const mode: AggregateFn = {
  init: () => ({ counts: new Map<string, { v: Value; n: number; first: number }>(), rows: 0 }),
  step: (state, args, ctx) => {
    const s = state as { counts: Map<string, { v: Value; n: number; first: number }>; rows: number; order?: string };
    const x = args[0];
    if (s.rows === 0 && args.length > 1) s.order = args[1] as string;
    s.rows++;
    if (x === null || x === undefined) return s;
    const key = valueKey(x, ctx.argTypes[0]!);
    const e = s.counts.get(key);
    if (e) e.n++;
    else s.counts.set(key, { v: x, n: 1, first: s.rows });
    return s;
  },
  finish: (state, ctx) => {
    const s = state as { counts: Map<string, { v: Value; n: number; first: number }>; order?: string };
    // With WITHIN GROUP (ORDER BY x [DESC]) the compiler adds 'asc' or 'desc': ties go to the least (greatest) value.
    const sign = s.order === "desc" ? -1 : 1;
    let best: { v: Value; n: number; first: number } | null = null;
    for (const e of s.counts.values()) {
      if (!best || e.n > best.n) best = e;
      else if (e.n === best.n && (s.order ? sign * compareValues(e.v, best.v, ctx.argTypes[0]!) < 0 : e.first < best.first)) best = e;
    }
    return best ? best.v : null;
  },
};

export const aggregates: Record<string, AggregateFn> = {
  count_star: countStar,
  count,
  sum,
  avg,
  mean: avg,
  min: extreme(-1),
  max: extreme(1),
  any_value: anyValue,
  first,
  last,
  arg_max: argExtreme(1, false),
  arg_min: argExtreme(-1, false),
  arg_max_null: argExtreme(1, true),
  arg_min_null: argExtreme(-1, true),
  bool_and: boolFold(true),
  bool_or: boolFold(false),
  bit_and: bitFold("&"),
  bit_or: bitFold("|"),
  bit_xor: bitFold("^"),
  count_if: countIf,
  string_agg: stringAgg,
  list,
  quantile_cont: quantileAgg("cont"),
  quantile_disc: quantileAgg("disc"),
  median: quantileAgg("median"),
  mode,
  stddev_samp: spread("stddev_samp"),
  stddev_pop: spread("stddev_pop"),
  var_samp: spread("var_samp"),
  var_pop: spread("var_pop"),
  ...regressionAggregates,
  ...distributionAggregates,
};

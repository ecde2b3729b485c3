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
import type { Interval, Value } from "../../plan/values.ts";
import { MICROS_PER_DAY } from "./calendar.ts";
import { compareValues, valueKey } from "./compare.ts";
import { castFor } from "./cast.ts";
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
  stepOne: (s, x) => { if (x !== null) countUp(s as CountState); return s; },
  finish: (s) => BigInt((s as CountState).n),
};

function sumInit(ctx: CallContext): SumState {
  // sum(UHUGEINT) is bound to sum(DOUBLE): DuckDB answers a DOUBLE.
  return { sum: isFloatType(ctx.argTypes[0]) || ctx.argTypes[0] === "UHUGEINT" ? 0 : 0n, count: 0 };
}

function sumStep(state: unknown, args: Value[]): unknown {
  return sumValue(state, args[0] ?? null);
}

function sumValue(state: unknown, v: Value): unknown {
  const s = state as SumState;
  if (v === null || v === undefined) return s;
  if (typeof s.sum === "number") s.sum += typeof v === "bigint" ? hugeToDouble(v) : (v as number);
  else {
    const before = s.sum;
    const x = asBig(v);
    s.sum += x;
    if (s.sum > HUGEINT_MAX || s.sum < -HUGEINT_MAX - 1n) throw new SqlError("out_of_range", `Overflow in HUGEINT addition: ${before} + ${x}`);
  }
  s.count++;
  return s;
}

const sum: AggregateFn = {
  init: sumInit,
  step: sumStep,
  stepOne: sumValue,
  finish: (state, ctx) => {
    const s = state as SumState;
    if (s.count === 0) return null;
    if (typeof s.sum === "number") return ctx.resultType === "FLOAT" ? Math.fround(s.sum) : s.sum;
    return s.sum;
  },
};

/**
 * `num / den` rounded to `bits` significant bits, ties to even, as a pair
 * (n, e) meaning n·2^e. Exact in bigints: it stands in for one x87 long double
 * (64 bits) or double (53 bits) operation.
 */
function roundBits(num: bigint, den: bigint, bits: number): [bigint, number] {
  if (num === 0n) return [0n, 0];
  const neg = num < 0n;
  const a = neg ? -num : num;
  const top = 1n << BigInt(bits);
  let e = a.toString(2).length - den.toString(2).length - bits;
  for (;;) {
    const x = e < 0 ? a << BigInt(-e) : a;
    const y = e > 0 ? den << BigInt(e) : den;
    let q = x / y;
    if (q >= top) { e++; continue; }
    if (q < top >> 1n) { e--; continue; }
    const r2 = 2n * (x - q * y);
    if (r2 > y || (r2 === y && (q & 1n) === 1n)) q++;
    return [neg ? -q : q, e];
  }
}

/** n·2^e as a fraction. */
function fraction([n, e]: [bigint, number]): [bigint, bigint] {
  return e >= 0 ? [n << BigInt(e), 1n] : [n, 1n << BigInt(-e)];
}

/**
 * DuckDB's average of an integer or DECIMAL sum (INTEGER, BIGINT, HUGEINT and
 * DECIMAL wider than 4 digits; TINYINT and the unsigned types bind to these):
 * `(long double) sum / ((long double) count * scale)`, narrowed to double. The
 * x87 long double keeps 64 bits, so the quotient is rounded twice: to 64 bits,
 * then to 53. A double division rounds once, and the two differ when the
 * quotient lies within 2^-64 of a midpoint between doubles. That can happen
 * once the divisor passes 2^11, e.g. an avg over 4,099 rows of 64 and 65.
 */
function longDoubleAverage(sum: bigint, count: number, scale: number): number {
  const divisor = count * scale;
  // Both exact in doubles and a divisor below 2^11: the quotient cannot fall that close to a midpoint.
  if (divisor < 2048 && sum <= 2n ** 53n && sum >= -(2n ** 53n)) return Number(sum) / divisor;
  const [sn, sd] = fraction(roundBits(sum, 1n, 64));
  const [dn, dd] = fraction(roundBits(BigInt(count) * BigInt(scale), 1n, 64));
  const [qn, qd] = fraction(roundBits(sn * dd, sd * dn, 64));
  const [n, e] = roundBits(qn, qd, 53);
  return Number(n) * 2 ** e;
}

/** 10^scale as DuckDB's bind data holds it: the HUGEINT power of ten cast to double. */
function scaleAsDouble(scale: number): number {
  const p = 10n ** BigInt(scale);
  return Number(p & 0xffffffffffffffffn) + Number(p >> 64n) * 2 ** 64;
}

/** A HUGEINT / UHUGEINT cast to DOUBLE as DuckDB does: the low and high 64 bits converted apart, then added. */
function hugeToDouble(v: bigint): number {
  if (v >= -(2n ** 64n) && v < 0n) return Number(v);
  return Number(v & 0xffffffffffffffffn) + Number(v >> 64n) * 2 ** 64;
}

/** avg over TIMESTAMP, TIMESTAMPTZ, TIME and DATE (as TIMESTAMP) is DuckDB's DiscreteAverageOperation on the microseconds. */
function temporalAverage(type: string | undefined): "date" | "micros" | null {
  const t = parseType(type ?? "INTEGER");
  if (t.kind !== "scalar") return null;
  if (t.name === "DATE") return "date";
  return t.name === "TIMESTAMP" || t.name === "TIMESTAMPTZ" || t.name === "TIME" ? "micros" : null;
}

interface AvgState extends SumState { temporal?: "date" | "micros"; interval?: Interval }

const INT32_MAX = 2 ** 31 - 1;
const INT64_MAX = 2n ** 63n - 1n;

/** DuckDB's checked INTERVAL addition, field by field, with its INT32 / INT64 overflow errors. */
function addIntervals(a: Interval, b: Interval): Interval {
  const months = a.months + b.months;
  if (months > INT32_MAX || months < -INT32_MAX - 1) throw new SqlError("out_of_range", `Overflow in addition of INT32 (${a.months} + ${b.months})!`);
  const days = a.days + b.days;
  if (days > INT32_MAX || days < -INT32_MAX - 1) throw new SqlError("out_of_range", `Overflow in addition of INT32 (${a.days} + ${b.days})!`);
  const micros = a.micros + b.micros;
  if (micros > INT64_MAX || micros < -INT64_MAX - 1n) throw new SqlError("out_of_range", `Overflow in addition of INT64 (${a.micros} + ${b.micros})!`);
  return { months, days, micros };
}

/** avg of INTERVAL as DuckDB (PostgreSQL's rule): each field divided, the remainders carried down as 30-day months and 24-hour days, truncated. */
function intervalAverage(sum: Interval, count: number): Interval {
  const n = BigInt(count);
  const months = BigInt(sum.months), days = BigInt(sum.days);
  const monthsRem = (months % n) * 30n;
  let daysRem = days % n + monthsRem % n;
  daysRem *= MICROS_PER_DAY;
  return {
    months: Number(months / n),
    days: Number(days / n + monthsRem / n),
    micros: sum.micros / n + (sum.micros % n + daysRem / n),
  };
}

let dateToTimestamp: ((v: Value) => Value) | null = null;

const avg: AggregateFn = {
  init: (ctx: CallContext): AvgState => {
    // DuckDB binds avg(UHUGEINT) to avg(DOUBLE): the values are summed as doubles.
    if (ctx.argTypes[0] === "UHUGEINT") return { sum: 0, count: 0 };
    if (ctx.argTypes[0] === "INTERVAL") return { sum: 0n, count: 0, interval: { months: 0, days: 0, micros: 0n } };
    const temporal = temporalAverage(ctx.argTypes[0]);
    if (temporal) return { sum: 0n, count: 0, temporal };
    return sumInit(ctx);
  },
  step: (state, args) => {
    const s = state as AvgState;
    const v = args[0];
    if (v === null || v === undefined) return s;
    if (s.interval) {
      s.interval = addIntervals(s.interval, v as Interval);
      s.count++;
      return s;
    }
    if (s.temporal === "date") {
      dateToTimestamp ??= castFor("DATE", "TIMESTAMP");
      return sumStep(s, [dateToTimestamp(v)]);
    }
    if (typeof s.sum === "number" && typeof v === "bigint") {
      s.sum += hugeToDouble(v);
      s.count++;
      return s;
    }
    return sumStep(s, args);
  },
  finish: (state, ctx) => {
    const s = state as AvgState;
    if (s.count === 0) return null;
    if (typeof s.sum === "number") return s.sum / s.count;
    if (s.interval) return intervalAverage(s.interval, s.count);
    if (s.temporal) {
      // The quotient truncated toward zero, plus one when the remainder is more than half the count (never for a negative sum).
      const n = BigInt(s.count);
      const q = s.sum / n;
      return s.sum % n > n / 2n ? q + 1n : q;
    }
    const t = parseType(ctx.argTypes[0] ?? "INTEGER");
    const scale = t.kind === "decimal" ? scaleAsDouble(t.scale) : 1;
    // SMALLINT and DECIMAL(≤4, s) (a 16-bit value) are averaged in doubles: double(sum) / (double(count) · scale).
    if ((t.kind === "decimal" && t.width <= 4) || (t.kind === "scalar" && t.name === "SMALLINT")) return Number(s.sum) / (s.count * scale);
    return longDoubleAverage(s.sum, s.count, scale);
  },
};

function extreme(sign: 1 | -1): AggregateFn {
  const stepOne = (state: unknown, x: Value, ctx: CallContext): unknown => {
    const s = state as { v: Value };
    if (x === null || x === undefined) return s;
    const v = s.v;
    if (v === null) s.v = x;
    else if (typeof x === "bigint" && typeof v === "bigint") {
      // Integers (BIGINT, HUGEINT, timestamps) order as bigints: no type lookup per row.
      if (sign > 0 ? x > v : x < v) s.v = x;
    } else if (sign * compareValues(x, v, ctx.argTypes[0]!) > 0) s.v = x;
    return s;
  };
  return {
    init: () => ({ v: null as Value }),
    step: (state, args, ctx) => stepOne(state, args[0] ?? null, ctx),
    stepOne,
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
  // DuckDB keeps lo exact and truncates only the step: lo + trunc(d·(hi − lo)).
  const delta = (hi as bigint) - (lo as bigint);
  return (lo as bigint) + BigInt(Math.trunc(Number(delta) * d));
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
  if (isIntegerType(t.name) || /^(FLOAT|DOUBLE|DATE|TIME|TIMESTAMP|TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE)$/.test(t.name)) return "interpolated";
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

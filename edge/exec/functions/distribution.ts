/**
 * Aggregates of one DOUBLE describing a distribution, as DuckDB 1.4 computes
 * them: product, fsum (sumkahan, kahan_sum) and favg (Kahan's compensated
 * sum), skewness, kurtosis and kurtosis_pop (DuckDB's power sums and their
 * NULL, NaN and out-of-range rules) and entropy (of any value, by its key).
 * The power sums use Math.pow where DuckDB uses libm's pow, which may differ
 * in the last bit: within the check's float tolerance.
 */
import type { Value } from "../../plan/values.ts";
import { valueKey } from "./compare.ts";
import { SqlError, type AggregateFn } from "./contract.ts";
import { toDouble } from "./numeric.ts";

/** An aggregate of the non-NULL values of one argument, as doubles. */
export function ofDoubles<S>(init: () => S, add: (s: S, x: number) => void, finish: (s: S) => Value): AggregateFn {
  return {
    init,
    step: (state, args, ctx) => {
      const v = args[0];
      if (v !== null && v !== undefined) add(state as S, toDouble(v, ctx.argTypes[0]!));
      return state;
    },
    finish: (state) => finish(state as S),
  };
}

/** Kahan's compensated running sum, step for step as DuckDB's KahanAddInternal. */
interface Kahan { n: number; value: number; err: number }

function addKahan(s: Kahan, x: number): void {
  const diff = x - s.err;
  const next = s.value + diff;
  s.err = next - s.value - diff;
  s.value = next;
  s.n++;
}

const kahan = (): Kahan => ({ n: 0, value: 0, err: 0 });

/**
 * The state DuckDB finalizes: its aggregation combines each thread's state into an empty one,
 * adding the value and then the compensation as two Kahan steps (so one infinity makes NaN).
 */
function combined(s: Kahan): Kahan {
  const g = kahan();
  addKahan(g, s.value);
  addKahan(g, s.err);
  return g;
}

/**
 * fsum: the aggregate finishes the combined state; list_aggregate finishes its one state as it is (no
 * combine), so an overflow there is Infinity, as DuckDB's list_aggregate(l, 'fsum') says, not NaN.
 */
const fsum: AggregateFn = {
  ...ofDoubles(kahan, addKahan, (s) => (s.n === 0 ? null : combined(s).value)),
  finishAlone: (state) => ((state as Kahan).n === 0 ? null : (state as Kahan).value),
};

interface PowerSums { n: number; sum: number; sum2: number; sum3: number; sum4: number }

const powerSums = (): PowerSums => ({ n: 0, sum: 0, sum2: 0, sum3: 0, sum4: 0 });

function addPowers(s: PowerSums, x: number): void {
  s.n++;
  s.sum += x;
  s.sum2 += Math.pow(x, 2);
  s.sum3 += Math.pow(x, 3);
  s.sum4 += Math.pow(x, 4);
}

function kurtosis(corrected: boolean): AggregateFn {
  return ofDoubles(powerSums, addPowers, (s) => {
    const n = s.n;
    if (n <= 1 || (corrected && n <= 3)) return null;
    const t = 1 / n;
    if (s.sum2 - s.sum * s.sum * t === 0) return null;
    const m4 = t * (s.sum4 - 4 * s.sum3 * s.sum * t + 6 * s.sum2 * s.sum * s.sum * t * t - 3 * Math.pow(s.sum, 4) * Math.pow(t, 3));
    const m2 = t * (s.sum2 - s.sum * s.sum * t);
    // m2 cannot be negative, but floating point can make it so.
    if (m2 <= 0) return null;
    const k = corrected ? ((n - 1) * ((n + 1) * m4 / (m2 * m2) - 3 * (n - 1))) / ((n - 2) * (n - 3)) : m4 / (m2 * m2) - 3;
    if (!Number.isFinite(k)) throw new SqlError("out_of_range", "Kurtosis is out of range!");
    return k;
  });
}

const skewness = ofDoubles(powerSums, addPowers, (s) => {
  const n = s.n;
  if (n <= 2) return null;
  const t = 1 / n;
  const p = Math.max(0, Math.pow(t * (s.sum2 - s.sum * s.sum * t), 3));
  const div = Math.sqrt(p);
  if (div === 0) return NaN;
  const t1 = Math.sqrt(n * (n - 1)) / (n - 2);
  const r = (t1 * t * (s.sum3 - 3 * s.sum2 * s.sum * t + 2 * Math.pow(s.sum, 3) * t * t)) / div;
  if (!Number.isFinite(r)) throw new SqlError("out_of_range", "SKEW is out of range!");
  return r;
});

/**
 * entropy(x): of the non-NULL values' frequencies, in bits; 0 when there are none. DuckDB counts
 * them in a hash map keyed by the value itself, where a NaN equals nothing: each NaN counts alone.
 */
const entropy: AggregateFn = {
  init: () => ({ n: 0, counts: new Map<string, number>() }),
  step: (state, args, ctx) => {
    const s = state as { n: number; counts: Map<string, number> };
    const v = args[0];
    if (v === null || v === undefined) return s;
    const k = v !== v ? `NaN#${s.n}` : valueKey(v, ctx.argTypes[0]!);
    s.counts.set(k, (s.counts.get(k) ?? 0) + 1);
    s.n++;
    return s;
  },
  finish: (state) => {
    const s = state as { n: number; counts: Map<string, number> };
    let e = 0;
    for (const c of s.counts.values()) e += (c / s.n) * Math.log2(s.n / c);
    return e;
  },
};

export const distributionAggregates: Record<string, AggregateFn> = {
  product: ofDoubles(() => ({ n: 0, value: 1 }), (s, x) => {
    s.value *= x;
    s.n++;
  }, (s) => (s.n === 0 ? null : s.value)),
  fsum,
  sumkahan: fsum,
  kahan_sum: fsum,
  favg: ofDoubles(kahan, addKahan, (s) => {
    if (s.n === 0) return null;
    const g = combined(s);
    return g.value / s.n + g.err / s.n;
  }),
  skewness,
  kurtosis: kurtosis(true),
  kurtosis_pop: kurtosis(false),
  entropy,
};

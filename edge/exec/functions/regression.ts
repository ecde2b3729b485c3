/**
 * Two-variable aggregates as DuckDB computes them: covar_pop, covar_samp,
 * corr and the regr_* family (slope, intercept, r2, sxx, syy, sxy, avgx,
 * avgy, count). Each takes (y, x), skips a pair where either is NULL, casts
 * both to DOUBLE, and keeps DuckDB's running moments step for step (Welford
 * for one variable, Schubert and Gertz's co-moment for two), so the doubles
 * agree to the bit over the same rows in the same order. Which results are
 * NULL, NaN or DuckDB's out-of-range error follows DuckDB 1.4.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type AggregateFn } from "./contract.ts";
import { toDouble } from "./numeric.ts";

/** Welford's running mean and squared distance of one variable (DuckDB's STDDevBaseOperation). */
export interface Moments { count: number; mean: number; dsquared: number }

export const moments = (): Moments => ({ count: 0, mean: 0, dsquared: 0 });

export function addMoment(s: Moments, x: number): void {
  s.count++;
  const mean = s.mean + (x - s.mean) / s.count;
  s.dsquared += (x - mean) * (x - s.mean);
  s.mean = mean;
}

/** The population variance of the moments, 0 for fewer than two values. */
function popVariance(s: Moments): number {
  return s.count > 1 ? s.dsquared / s.count : 0;
}

/** The running means and co-moment of two variables (DuckDB's CovarOperation). */
interface Comoments { count: number; meanx: number; meany: number; co: number }

const comoments = (): Comoments => ({ count: 0, meanx: 0, meany: 0, co: 0 });

function addPair(s: Comoments, y: number, x: number): void {
  const n = ++s.count;
  const dx = x - s.meanx;
  const meanx = s.meanx + dx / n;
  const dy = y - s.meany;
  const meany = s.meany + dy / n;
  s.co += dx * (y - meany);
  s.meanx = meanx;
  s.meany = meany;
}

function outOfRange(what: string): SqlError {
  return new SqlError("out_of_range", `${what} is out of range!`);
}

/** An aggregate of (y, x) pairs, both non-NULL, as doubles. */
function pairwise<S>(init: () => S, add: (s: S, y: number, x: number) => void, finish: (s: S) => Value): AggregateFn {
  return {
    init,
    step: (state, args, ctx) => {
      const y = args[0], x = args[1];
      if (y === null || y === undefined || x === null || x === undefined) return state;
      add(state as S, toDouble(y, ctx.argTypes[0]!), toDouble(x, ctx.argTypes[1]!));
      return state;
    },
    finish: (state) => finish(state as S),
  };
}

interface CorrState { cov: Comoments; x: Moments; y: Moments }

const corrState = (): CorrState => ({ cov: comoments(), x: moments(), y: moments() });

function addCorr(s: CorrState, y: number, x: number): void {
  addPair(s.cov, y, x);
  addMoment(s.x, x);
  addMoment(s.y, y);
}

function finishCorr(s: CorrState): number | null {
  if (s.cov.count === 0) return null;
  const cov = s.cov.co / s.cov.count;
  const sx = s.x.count > 1 ? Math.sqrt(s.x.dsquared / s.x.count) : 0;
  if (!Number.isFinite(sx)) throw outOfRange("STDDEV_POP for X");
  const sy = s.y.count > 1 ? Math.sqrt(s.y.dsquared / s.y.count) : 0;
  if (!Number.isFinite(sy)) throw outOfRange("STDDEV_POP for Y");
  return sx * sy !== 0 ? cov / (sx * sy) : NaN;
}

interface SlopeState { cov: Comoments; x: Moments }

const slopeState = (): SlopeState => ({ cov: comoments(), x: moments() });

function addSlope(s: SlopeState, y: number, x: number): void {
  addPair(s.cov, y, x);
  addMoment(s.x, x);
}

function finishSlope(s: SlopeState): number | null {
  if (s.cov.count === 0) return null;
  const cov = s.cov.co / s.cov.count;
  const variance = popVariance(s.x);
  if (!Number.isFinite(variance)) throw outOfRange("VARPOP");
  return variance !== 0 ? cov / variance : NaN;
}

/** regr_sxx / regr_syy: the pair count times the population variance of x (y). */
function sumOfSquares(of: "x" | "y"): AggregateFn {
  return pairwise(
    moments,
    (s, y, x) => addMoment(s, of === "x" ? x : y),
    (s) => {
      if (s.count === 0) return null;
      const variance = popVariance(s);
      if (!Number.isFinite(variance)) throw outOfRange("VARPOP");
      return s.count * variance;
    },
  );
}

/** regr_avgx / regr_avgy: the mean of x (y) over the pairs, summed plainly as DuckDB does. */
function pairMean(of: "x" | "y"): AggregateFn {
  return pairwise(
    () => ({ sum: 0, count: 0 }),
    (s, y, x) => {
      s.sum += of === "x" ? x : y;
      s.count++;
    },
    (s) => (s.count === 0 ? null : s.sum / s.count),
  );
}

export const regressionAggregates: Record<string, AggregateFn> = {
  covar_pop: pairwise(comoments, addPair, (s) => (s.count === 0 ? null : s.co / s.count)),
  covar_samp: pairwise(comoments, addPair, (s) => (s.count < 2 ? null : s.co / (s.count - 1))),
  corr: pairwise(corrState, addCorr, finishCorr),
  regr_slope: pairwise(slopeState, addSlope, finishSlope),
  regr_intercept: pairwise(
    () => ({ count: 0, sumx: 0, sumy: 0, slope: slopeState() }),
    (s, y, x) => {
      s.count++;
      s.sumx += x;
      s.sumy += y;
      addSlope(s.slope, y, x);
    },
    (s) => {
      if (s.count === 0) return null;
      const slope = finishSlope(s.slope);
      if (slope === null || Number.isNaN(slope)) return null;
      return s.sumy / s.count - slope * (s.sumx / s.count);
    },
  ),
  regr_r2: pairwise(
    () => ({ corr: corrState(), x: moments(), y: moments() }),
    (s, y, x) => {
      addCorr(s.corr, y, x);
      addMoment(s.x, x);
      addMoment(s.y, y);
    },
    (s) => {
      const vx = popVariance(s.x);
      if (!Number.isFinite(vx)) throw outOfRange("VARPOP(X)");
      if (vx === 0) return null;
      const vy = popVariance(s.y);
      if (!Number.isFinite(vy)) throw outOfRange("VARPOP(Y)");
      if (vy === 0) return 1;
      const r = finishCorr(s.corr);
      return r === null ? null : r * r;
    },
  ),
  regr_sxx: sumOfSquares("x"),
  regr_syy: sumOfSquares("y"),
  regr_sxy: pairwise(comoments, addPair, (s) => (s.count === 0 ? null : s.count * (s.co / s.count))),
  regr_avgx: pairMean("x"),
  regr_avgy: pairMean("y"),
  // UINTEGER, held as a number; 0 (not NULL) when no pair is complete.
  regr_count: pairwise(() => ({ n: 0 }), (s) => void s.n++, (s) => s.n),
};

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { doubles, messyString, timestampMicros } from "./arbitraries.node.ts";
import { aggregates, compareValues, valueKey } from "./index.ts";
import { duckRows, lit } from "./oracle.node.ts";
import { answerOf } from "./answer.ts";

/** Runs `agg(x)` over the values in DuckDB and in the library. */
async function both(agg: string, values: Value[], type: string, distinct = false): Promise<{ ours: Value; theirs: Value; sql: string }> {
  const rows = values.length ? values.map((v) => `(${lit(v, type)})`).join(", ") : `(${lit(null, type)})`;
  const where = values.length ? "" : " WHERE false";
  const call = agg === "count_star" ? "count(*)" : `${agg}(${distinct ? "DISTINCT " : ""}x)`;
  const sql = `SELECT ${call}, typeof(${call}) FROM (VALUES ${rows}) t(x)${where}`;
  const { rows: out } = await duckRows(sql);
  const [theirs, resultType] = out[0]!;
  const fn = aggregates[agg]!;
  const ctx = { argTypes: agg === "count_star" ? [] : [type], resultType: String(resultType) };
  let state = fn.init(ctx);
  const seen = new Set<string>();
  for (const v of values) {
    if (distinct) {
      const k = valueKey(v, type);
      if (seen.has(k)) continue;
      seen.add(k);
    }
    state = fn.step(state, agg === "count_star" ? [] : [v], ctx);
  }
  return { ours: fn.finish(state, ctx), theirs: theirs!, sql };
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 5 });

describe("aggregates", () => {
  it("count and count(*) answer BIGINT, and go on from a snapshot taken when their state was a bigint", () => {
    const ctx = { argTypes: ["BIGINT"], resultType: "BIGINT" };
    for (const name of ["count", "count_star"]) {
      const fn = aggregates[name]!;
      let fresh = fn.init(ctx);
      for (const v of [1n, null, 3n]) fresh = fn.step(fresh, [v], ctx);
      expect(fn.finish(fresh, ctx)).toBe(name === "count" ? 2n : 3n);
      let old: unknown = JSON.parse(JSON.stringify({ n: "9007199254740993" }), (_k, v) => (typeof v === "string" ? BigInt(v) : v));
      old = fn.step(old, [5n], ctx);
      expect(fn.finish(old, ctx)).toBe(9007199254740994n);
    }
  });

  it("count, count(*), sum, min, max and any_value over integers match DuckDB, HUGEINT sums included", async () => {
    await fc.assert(fc.asyncProperty(fc.array(maybe(fc.integer()), { maxLength: 12 }), async (xs) => {
      for (const agg of ["count", "count_star", "sum", "min", "max", "avg"]) {
        const r = await both(agg, xs, "INTEGER");
        expect(r.ours, r.sql).toEqual(r.theirs);
      }
      const d = await both("count", xs, "INTEGER", true);
      expect(d.ours, d.sql).toEqual(d.theirs);
      const a = await both("any_value", xs, "INTEGER");
      expect(a.ours, a.sql).toEqual(a.theirs);
    }), { numRuns: 100 });
    await fc.assert(fc.asyncProperty(fc.array(maybe(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), { maxLength: 8 }), async (xs) => {
      for (const agg of ["sum", "min", "max"]) {
        const r = await both(agg, xs, "BIGINT");
        expect(r.ours, r.sql).toEqual(r.theirs);
      }
    }), { numRuns: 60 });
  });

  it("sum and avg of DOUBLE agree with DuckDB within float tolerance; min and max exactly (NaN greatest)", async () => {
    await fc.assert(fc.asyncProperty(fc.array(maybe(doubles), { maxLength: 10 }), async (xs) => {
      for (const agg of ["min", "max", "count"]) {
        const r = await both(agg, xs, "DOUBLE");
        expect(r.ours, r.sql).toEqual(r.theirs);
      }
      for (const agg of ["sum", "avg"]) {
        const r = await both(agg, xs, "DOUBLE");
        if (typeof r.theirs === "number" && Number.isFinite(r.theirs) && typeof r.ours === "number") {
          expect(Math.abs(r.ours - r.theirs), r.sql).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(r.theirs)) + 1e-300);
        } else expect(r.ours, r.sql).toEqual(r.theirs);
      }
    }), { numRuns: 100 });
  });

  it("sum and avg of DECIMAL are exact like DuckDB", async () => {
    await fc.assert(fc.asyncProperty(fc.array(maybe(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n })), { maxLength: 10 }), async (xs) => {
      for (const agg of ["sum", "avg", "min", "max"]) {
        const r = await both(agg, xs, "DECIMAL(12,3)");
        expect(r.ours, r.sql).toEqual(r.theirs);
      }
    }), { numRuns: 80 });
  });

  it("min and max of VARCHAR and TIMESTAMP follow DuckDB's ordering; count(DISTINCT) its equality", async () => {
    await fc.assert(fc.asyncProperty(fc.array(maybe(messyString), { maxLength: 8 }), async (xs) => {
      for (const agg of ["min", "max"]) {
        const r = await both(agg, xs, "VARCHAR");
        expect(r.ours, r.sql).toEqual(r.theirs);
      }
      const d = await both("count", xs, "VARCHAR", true);
      expect(d.ours, d.sql).toEqual(d.theirs);
    }), { numRuns: 100 });
    await fc.assert(fc.asyncProperty(fc.array(maybe(timestampMicros), { maxLength: 6 }), async (xs) => {
      for (const agg of ["min", "max"]) {
        const r = await both(agg, xs, "TIMESTAMP");
        expect(r.ours, r.sql).toEqual(r.theirs);
      }
    }), { numRuns: 50 });
  });
  it("quantile_cont, quantile_disc, median and mode over random values and quantiles match DuckDB", async () => {
    const cases: [fc.Arbitrary<Value>, string][] = [
      [fc.integer({ min: -1000, max: 1000 }), "INTEGER"],
      [doubles, "DOUBLE"],
      [timestampMicros, "TIMESTAMP"],
    ];
    for (const [arb, type] of cases) {
      await fc.assert(fc.asyncProperty(fc.array(maybe(arb), { maxLength: 9 }), fc.integer({ min: -100, max: 100 }), async (xs, pct) => {
        const q = (pct / 100).toFixed(2);
        const rows = xs.length ? xs.map((v) => `(${lit(v, type)})`).join(", ") : `(${lit(null, type)})`;
        const calls = [`quantile_cont(x, ${q})`, `quantile_disc(x, ${q})`, "median(x)", "mode(x)"];
        const { rows: out } = await duckRows(`SELECT ${calls.join(", ")}, ${calls.map((c) => `typeof(${c})`).join(", ")} FROM (VALUES ${rows}) t(x)${xs.length ? "" : " WHERE false"}`);
        const names = ["quantile_cont", "quantile_disc", "median", "mode"];
        names.forEach((name, i) => {
          const fn = aggregates[name]!;
          const ctx = { argTypes: [type, "DECIMAL(3,2)"], resultType: String(out[0]![4 + i]) };
          let state = fn.init(ctx);
          for (const v of xs) state = fn.step(state, i < 2 ? [v, BigInt(pct)] : [v], ctx);
          expect(fn.finish(state, ctx), `${calls[i]} over ${JSON.stringify(xs, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`).toEqual(out[0]![i]);
        });
      }), { numRuns: 60 });
    }
  });
});

describe("ordering and grouping", () => {
  it("compareValues sorts VARCHAR, DOUBLE and lists exactly as ORDER BY does", async () => {
    const cases: [fc.Arbitrary<Value>, string][] = [
      [messyString, "VARCHAR"],
      [doubles, "DOUBLE"],
      [fc.array(fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }), { maxLength: 3 }), "INTEGER[]"],
      [fc.record({ a: fc.option(fc.integer({ min: -2, max: 2 }), { nil: null }), b: messyString }), "STRUCT(a INTEGER, b VARCHAR)"],
    ];
    for (const [arb, type] of cases) {
      await fc.assert(fc.asyncProperty(fc.array(arb, { minLength: 1, maxLength: 8 }), async (xs) => {
        const values = xs.map((v, i) => `(${i}, ${lit(v, type)})`).join(", ");
        const { rows } = await duckRows(`SELECT i FROM (VALUES ${values}) t(i, x) ORDER BY x, i`);
        const theirs = rows.map((r) => Number(r[0]));
        const ours = xs.map((v, i) => ({ v, i })).sort((p, q) => compareValues(p.v, q.v, type) || p.i - q.i).map((p) => p.i);
        expect(ours, `${type}: ${values}`).toEqual(theirs);
      }), { numRuns: 60 });
    }
  });

  it("valueKey groups values exactly as GROUP BY does (NaN with NaN, -0.0 with 0.0)", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.option(doubles, { nil: null }), { minLength: 1, maxLength: 10 }), async (xs) => {
      const values = xs.map((v) => `(${lit(v, "DOUBLE")})`).join(", ");
      const { rows } = await duckRows(`SELECT count(*) FROM (SELECT x FROM (VALUES ${values}) t(x) GROUP BY x)`);
      expect(BigInt(new Set(xs.map((x) => valueKey(x, "DOUBLE"))).size), values).toEqual(rows[0]![0]);
    }), { numRuns: 100 });
  });

  it("covar_pop, covar_samp, corr and every regr_* over (y, x) pairs: DuckDB's doubles to the bit, its NULLs, NaNs and errors", async () => {
    const pairs = fc.array(fc.tuple(maybe(fc.oneof(doubles, fc.integer({ min: -5, max: 5 }), fc.constantFrom(Infinity, -Infinity, NaN, 0, 1e308))), maybe(fc.oneof(doubles, fc.integer({ min: -5, max: 5 }), fc.constant(3)))), { maxLength: 9 });
    const names = ["covar_pop", "covar_samp", "corr", "regr_slope", "regr_intercept", "regr_r2", "regr_sxx", "regr_syy", "regr_sxy", "regr_avgx", "regr_avgy", "regr_count"];
    const answer = async (sql: string): Promise<{ ok: true; value: Value } | { ok: false; error: string }> => {
      try {
        return { ok: true, value: (await duckRows(sql)).rows[0]![0]! };
      } catch (error) {
        return { ok: false, error: String(error instanceof Error ? error.message : error).split("\n")[0]!.replace(/^(duckdb: )?/, "") };
      }
    };
    await fc.assert(fc.asyncProperty(pairs, fc.constantFrom("DOUBLE", "INTEGER"), async (rows, yType) => {
      const ys = rows.map(([y]) => (yType === "INTEGER" && y !== null ? (Number.isFinite(y) ? Math.trunc(Math.max(-1e9, Math.min(1e9, y))) : 7) : y));
      const xs = rows.map(([, x]) => x);
      const values = rows.length ? rows.map((_, i) => `(${lit(ys[i]!, yType)}, ${lit(xs[i]!, "DOUBLE")})`).join(", ") : `(NULL::${yType}, NULL::DOUBLE)`;
      for (const name of names) {
        const sql = `SELECT ${name}(y, x) FROM (VALUES ${values}) t(y, x)${rows.length ? "" : " WHERE false"}`;
        const theirs = await answer(sql);
        const fn = aggregates[name]!;
        const ctx = { argTypes: [yType, "DOUBLE"], resultType: name === "regr_count" ? "UINTEGER" : "DOUBLE" };
        const ours = answerOf(() => {
          let state = fn.init(ctx);
          for (let i = 0; i < rows.length; i++) state = fn.step(state, [ys[i]!, xs[i]!], ctx);
          return fn.finish(state, ctx);
        });
        expect(ours, sql).toEqual(theirs);
      }
    }), { numRuns: 250 });
  });

  it("product, fsum, favg, skewness, kurtosis, kurtosis_pop and entropy match DuckDB (the power sums within 1e-12, libm's pow against V8's)", async () => {
    const values = fc.array(maybe(fc.oneof(doubles, fc.integer({ min: -4, max: 4 }), fc.constantFrom(Infinity, -Infinity, NaN, 1e300, 0.1))), { maxLength: 10 });
    await fc.assert(fc.asyncProperty(values, async (xs) => {
      for (const agg of ["product", "fsum", "sumkahan", "favg", "skewness", "kurtosis", "kurtosis_pop", "entropy"]) {
        let r: { ours: Value; theirs: Value; sql: string } | { error: string; sql: string };
        try {
          r = await both(agg, xs, "DOUBLE");
        } catch (error) {
          // DuckDB failed: ours must fail with its words.
          const sql = `${agg} over ${JSON.stringify(xs.map(String))}`;
          const message = String(error instanceof Error ? error.message : error).split("\n")[0]!;
          const fn = aggregates[agg]!;
          const ctx = { argTypes: ["DOUBLE"], resultType: "DOUBLE" };
          const ours = answerOf(() => fn.finish(xs.reduce((s, x) => fn.step(s, [x], ctx), fn.init(ctx)), ctx));
          expect(ours.ok ? "answered" : message.endsWith(ours.error.replace(/^[A-Za-z ]+ Error: /, "")), sql).toBe(true);
          continue;
        }
        const { ours, theirs, sql } = r;
        if (typeof ours === "number" && typeof theirs === "number" && Number.isFinite(theirs) && ["skewness", "kurtosis", "kurtosis_pop", "entropy"].includes(agg)) {
          expect(Math.abs(ours - theirs), sql).toBeLessThanOrEqual(Math.abs(theirs) * 1e-12 + 1e-300);
        } else {
          expect(ours, sql).toEqual(theirs);
        }
      }
    }), { numRuns: 300 });
  });
});

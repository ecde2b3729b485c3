import { describe, expect, test } from "vitest";
import { caseNotebook } from "../../tests/conformance/runner.ts";
import { defaultLibrary } from "../exec/library.ts";
import type { FunctionLibrary } from "../exec/functions/contract.ts";
import { checkNotebook } from "./check.node.ts";
import { FLOAT_TOLERANCE, firstDifference } from "./compare.ts";

const sample = [
  { k: "checkout", x: 1.5 },
  { k: "checkout", x: 2.25 },
  { k: "refund", x: -4 },
  { k: "x", x: 10 },
];

describe("checkNotebook on Kahan sums per group", () => {
  test("fsum, sumkahan and kahan_sum per group agree on groups holding ±Infinity (DuckDB gives NaN or ±Infinity by its aggregate operator)", async () => {
    const sql = "SELECT k, fsum(x) AS total, sumkahan(x) AS sk, kahan_sum(x) AS ks, favg(x) AS mean, count(*) AS n FROM t GROUP BY k";
    const notebook = caseNotebook({ name: "kahan", sql, rows: sample });
    const report = await checkNotebook(notebook, { samples: { t: sample }, library: defaultLibrary, random: { batches: 3, size: 20, seed: 7 } });
    expect(report.steps.filter((s) => !s.agree).map((s) => `${s.step}: ${s.detail}`)).toEqual([]);
    expect(report.agree).toBe(true);
  });

  test("a Kahan sum that is wrong on finite values is still a difference", async () => {
    const sql = "SELECT k, fsum(x) AS total FROM t GROUP BY k";
    const notebook = caseNotebook({ name: "kahan", sql, rows: sample });
    const fsum = defaultLibrary.aggregates.fsum!;
    const broken: FunctionLibrary = { ...defaultLibrary, aggregates: { ...defaultLibrary.aggregates, fsum: { ...fsum, finish: (s, ctx) => {
      const v = fsum.finish(s, ctx);
      return typeof v === "number" ? v + 1 : v;
    } } } };
    const report = await checkNotebook(notebook, { samples: { t: sample }, library: broken, random: { batches: 1, size: 5, seed: 7 } });
    expect(report.agree).toBe(false);
    const first = report.steps.find((s) => !s.agree)!;
    expect(first.step).toBe("sample");
    expect(first.detail).toMatch(/columns that differ from its nearest row: total \(DuckDB 3\.75, the plan 4\.75\)/);
  });
});

describe("firstDifference of a Kahan sum's column", () => {
  const schema = [{ name: "k", type: "VARCHAR" }, { name: "total", type: "DOUBLE" }];
  const kahan = new Set(["total"]);
  test("NaN agrees with ±Infinity there and only there; Infinity and -Infinity, or NaN and a number, still differ", () => {
    expect(firstDifference(schema, [{ k: "a", total: -Infinity }], [{ k: "a", total: NaN }], FLOAT_TOLERANCE, kahan)).toBeNull();
    expect(firstDifference(schema, [{ k: "a", total: NaN }], [{ k: "a", total: Infinity }], FLOAT_TOLERANCE, kahan)).toBeNull();
    expect(firstDifference(schema, [{ k: "a", total: -Infinity }], [{ k: "a", total: NaN }])).toMatchObject({ columns: ["total"] });
    expect(firstDifference(schema, [{ k: "a", total: -Infinity }], [{ k: "a", total: Infinity }], FLOAT_TOLERANCE, kahan)).toMatchObject({ columns: ["total"] });
    expect(firstDifference(schema, [{ k: "a", total: 3 }], [{ k: "a", total: NaN }], FLOAT_TOLERANCE, kahan)).toMatchObject({ columns: ["total"] });
  });
});

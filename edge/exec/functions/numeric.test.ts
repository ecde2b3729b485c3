import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { doubles } from "./arbitraries.node.ts";
import { callBoth } from "./call.node.ts";

async function same(name: string, args: Value[], types: string[], sql?: (l: string[]) => string): Promise<void> {
  const r = await callBoth(name, args, types, sql);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 10 });
const int32 = fc.oneof(fc.integer(), fc.constantFrom(0, 1, -1, 2147483647, -2147483648, 46341, 65536));
const int64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(0n, -1n, 9223372036854775807n, -9223372036854775808n, 3037000500n));
const ops = ["+", "-", "*", "/", "//", "%"];
const infix = (op: string) => ([a, b]: string[]) => `(${a} ${op} ${b})`;

describe("arithmetic", () => {
  it("INTEGER and BIGINT operators overflow, divide and take remainders like DuckDB", async () => {
    await fc.assert(fc.asyncProperty(maybe(int32), maybe(int32), fc.constantFrom(...ops), async (a, b, op) => {
      await same(op, [a, b], ["INTEGER", "INTEGER"], infix(op));
    }), { numRuns: 400 });
    await fc.assert(fc.asyncProperty(maybe(int64), maybe(int64), fc.constantFrom(...ops), async (a, b, op) => {
      if (op === "/") return; // BIGINT / BIGINT is DOUBLE; covered by the DOUBLE case
      await same(op, [a, b], ["BIGINT", "BIGINT"], infix(op));
    }), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: -128, max: 127 }), fc.integer({ min: -128, max: 127 }), fc.constantFrom("+", "-", "*"), async (a, b, op) => {
      await same(op, [a, b], ["TINYINT", "TINYINT"], infix(op));
    }), { numRuns: 100 });
  });

  it("DOUBLE operators follow IEEE with DuckDB's NULL for // by zero", async () => {
    await fc.assert(fc.asyncProperty(maybe(doubles), maybe(doubles), fc.constantFrom(...ops), async (a, b, op) => {
      await same(op, [a, b], ["DOUBLE", "DOUBLE"], infix(op));
    }), { numRuns: 400 });
  });

  it("DECIMAL addition, subtraction, multiplication and modulo are exact", async () => {
    const dec = fc.bigInt({ min: -(10n ** 9n) + 1n, max: 10n ** 9n - 1n });
    await fc.assert(fc.asyncProperty(maybe(dec), maybe(dec), fc.constantFrom("+", "-", "*", "%"), fc.constantFrom<string[]>(["DECIMAL(9,2)", "DECIMAL(9,2)"], ["DECIMAL(9,2)", "DECIMAL(9,4)"], ["DECIMAL(9,0)", "DECIMAL(9,3)"]), async (a, b, op, types) => {
      await same(op, [a, b], types, infix(op));
    }), { numRuns: 300 });
  });

  it("unary minus, abs, round, floor and ceil match DuckDB", async () => {
    await fc.assert(fc.asyncProperty(maybe(int32), async (a) => {
      await same("-", [a], ["INTEGER"], ([x]) => `(- ${x})`);
      await same("abs", [a], ["INTEGER"]);
    }), { numRuns: 100 });
    await fc.assert(fc.asyncProperty(maybe(doubles), fc.integer({ min: -3, max: 4 }), async (d, n) => {
      await same("round", [d], ["DOUBLE"]);
      await same("round", [d, n], ["DOUBLE", "INTEGER"]);
      await same("floor", [d], ["DOUBLE"]);
      await same("ceil", [d], ["DOUBLE"]);
      await same("abs", [d], ["DOUBLE"]);
    }), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(maybe(fc.bigInt({ min: -(10n ** 9n) + 1n, max: 10n ** 9n - 1n })), fc.integer({ min: 0, max: 4 }), async (u, n) => {
      await same("round", [u, n], ["DECIMAL(9,3)", "INTEGER"], ([x]) => `round(${x}, ${n})`);
      await same("floor", [u], ["DECIMAL(9,3)"]);
      await same("ceil", [u], ["DECIMAL(9,3)"]);
    }), { numRuns: 200 });
  });

  it("DECIMAL overflow errors carry DuckDB's texts (the physical width and the unscaled operands)", async () => {
    const cases: [string, bigint, bigint, string[]][] = [
      ["*", 999999999999n, 9999999999n, ["DECIMAL(12,2)", "DECIMAL(10,2)"]],
      ["*", 999999999999999999999n, 9999999999999999999999n, ["DECIMAL(21,2)", "DECIMAL(22,2)"]],
      ["+", 10n ** 38n - 1n, 1n, ["DECIMAL(38,0)", "DECIMAL(38,0)"]],
      ["-", -(10n ** 38n) + 1n, 1n, ["DECIMAL(38,0)", "DECIMAL(38,0)"]],
      ["+", 99999999999999999999999999999999999999n, 15n, ["DECIMAL(38,0)", "DECIMAL(38,1)"]],
    ];
    for (const [op, a, b, types] of cases) await same(op, [a, b], types, infix(op));
  });

  it("floor and ceil of integers are DOUBLE; round of unsigned integers rounds in DuckDB's signed overloads", async () => {
    for (const t of ["BIGINT", "HUGEINT", "UBIGINT", "INTEGER"]) {
      for (const v of t === "INTEGER" ? [2147483647, -7, 0] : [9223372036854775807n, 0n, 5n]) {
        await same("floor", [v], [t]);
        await same("ceil", [v], [t]);
      }
    }
    for (const [t, v] of [["UBIGINT", 18446744073709551615n], ["UBIGINT", 9223372036854775808n], ["UTINYINT", 255], ["UINTEGER", 4294967295]] as [string, Value][]) {
      for (const n of [-1, -2, -19, -20, 0, 2]) await same("round", [v, n], [t, "INTEGER"], ([x]) => `round(${x}, ${n})`);
    }
  });

  it("DATE and TIMESTAMP arithmetic with integers and intervals", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: -100000, max: 100000 }), fc.integer({ min: -1000, max: 1000 }), async (d, n) => {
      await same("+", [d, n], ["DATE", "INTEGER"], infix("+"));
      await same("-", [d, n], ["DATE", "INTEGER"], infix("-"));
      await same("-", [d, d + n], ["DATE", "DATE"], infix("-"));
    }), { numRuns: 100 });
    const iv = fc.record({ months: fc.integer({ min: -30, max: 30 }), days: fc.integer({ min: -40, max: 40 }), micros: fc.bigInt({ min: -(10n ** 11n), max: 10n ** 11n }) });
    await fc.assert(fc.asyncProperty(fc.bigInt({ min: 0n, max: 2000000000000000n }), iv, async (m, i) => {
      await same("+", [m, i], ["TIMESTAMP", "INTERVAL"], infix("+"));
      await same("-", [m, i], ["TIMESTAMP", "INTERVAL"], infix("-"));
    }), { numRuns: 200 });
  });
});

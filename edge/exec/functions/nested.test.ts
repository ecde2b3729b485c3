import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { messyString } from "./arbitraries.node.ts";
import { callBoth } from "./call.node.ts";
import { aggregates, scalars } from "./index.ts";
import { duck } from "./oracle.node.ts";

async function same(name: string, args: Value[], types: string[], sql?: (l: string[]) => string): Promise<void> {
  const r = await callBoth(name, args, types, sql);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 8 });
const list = fc.array(fc.option(messyString, { nil: null, freq: 6 }), { maxLength: 5 });

describe("lists, structs and the registry", () => {
  it("list_extract and [] index from 1, negative from the end, NULL out of range", async () => {
    await fc.assert(fc.asyncProperty(maybe(list), maybe(fc.integer({ min: -7, max: 7 })), async (l, i) => {
      await same("list_extract", [l, i === null ? null : BigInt(i)], ["VARCHAR[]", "BIGINT"]);
      await same("array_extract", [l, i === null ? null : BigInt(i)], ["VARCHAR[]", "BIGINT"], ([a, b]) => `(${a})[${b}]`);
    }), { numRuns: 200 });
  });

  it("len, list_contains and contains on lists", async () => {
    await fc.assert(fc.asyncProperty(maybe(list), maybe(messyString), async (l, x) => {
      await same("len", [l], ["VARCHAR[]"]);
      await same("list_contains", [l, x], ["VARCHAR[]", "VARCHAR"]);
      await same("contains", [l, x], ["VARCHAR[]", "VARCHAR"]);
    }), { numRuns: 200 });
  });

  it("struct_extract and dotted access read a field by name", async () => {
    const type = 'STRUCT(a INTEGER, "b c" VARCHAR, l VARCHAR[])';
    await fc.assert(fc.asyncProperty(maybe(fc.record({ a: maybe(fc.integer()), "b c": maybe(messyString), l: maybe(list) })), fc.constantFrom("a", "b c", "l"), async (s, f) => {
      await same("struct_extract", [s, f], [type, "VARCHAR"], ([x]) => `struct_extract(${x}, '${f}')`);
    }), { numRuns: 150 });
  });

  it("struct_extract by a name in another case finds the struct's field, not what every object inherits", async () => {
    await same("struct_extract", [{ Constructor: "x", toString: 2n }, "constructor"], ["STRUCT(\"Constructor\" VARCHAR, \"toString\" BIGINT)", "VARCHAR"], ([x]) => `struct_extract(${x}, 'constructor')`);
    await same("struct_extract", [{ Constructor: "x", toString: 2n }, "TOSTRING"], ["STRUCT(\"Constructor\" VARCHAR, \"toString\" BIGINT)", "VARCHAR"], ([x]) => `struct_extract(${x}, 'TOSTRING')`);
  });

  it("list_aggregate with an aggregate the library lacks fails as the call is set up, even before a NULL list", () => {
    const ctx = { argTypes: ["BIGINT[]", "VARCHAR"], resultType: "DOUBLE" };
    const fn = scalars.list_aggregate!;
    expect(() => fn.specialize!([null, { value: "sem" }], ctx)).toThrow(/does not have the aggregate sem/);
    expect(() => fn([null, "sem"], ctx)).not.toThrow();
    expect(fn.specialize!([null, { value: "sum" }], ctx)).toBeNull();
    expect(() => fn([[1n], "mad"], ctx)).toThrow(expect.objectContaining({ code: "not_implemented" }));
  });

  it("nullif gives NULL when both sides are equal", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(messyString), async (a, b) => {
      await same("nullif", [a, b], ["VARCHAR", "VARCHAR"]);
      await same("nullif", [a, a], ["VARCHAR", "VARCHAR"]);
    }), { numRuns: 100 });
  });

  it("builds INTERVALs the way INTERVAL literals are written (to_minutes, to_seconds ...)", async () => {
    for (const f of ["to_years", "to_months", "to_weeks", "to_days", "to_hours", "to_minutes"]) {
      await fc.assert(fc.asyncProperty(maybe(fc.integer({ min: -1000, max: 1000 })), async (n) => same(f, [n === null ? null : BigInt(n)], ["BIGINT"])), { numRuns: 20 });
    }
    await fc.assert(fc.asyncProperty(maybe(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n })), async (n) => same("to_microseconds", [n], ["BIGINT"])), { numRuns: 20 });
    for (const f of ["to_seconds", "to_milliseconds"]) {
      await fc.assert(fc.asyncProperty(maybe(fc.double({ min: -1e6, max: 1e6, noNaN: true })), async (n) => same(f, [n], ["DOUBLE"])), { numRuns: 40 });
    }
  });

  it("has a function for every name json_serialize_sql prints for the supported subset", async () => {
    const exprs = [
      "a + b", "a - b", "-a", "a * b", "a / b", "a // b", "a % b", "a || b", "a LIKE b", "a NOT LIKE b", "a ILIKE b", "a NOT ILIKE b",
      "a LIKE b ESCAPE '!'", "j->>'x'", "json_extract(j, '$.a')", "json_extract_string(j, '$.a')", "md5(a)", "sha256(a)",
      "lower(a)", "upper(a)", "trim(a)", "ltrim(a)", "rtrim(a)", "length(a)", "substring(a, 1, 2)", "substr(a, 1)", "left(a, 1)", "right(a, 1)",
      "concat(a, b)", "replace(a, b, c)", "split_part(a, b, 1)", "starts_with(a, b)", "ends_with(a, b)", "suffix(a, b)", "contains(a, b)",
      "strpos(a, b)", "position(a IN b)", "lpad(a, 3, b)", "rpad(a, 3, b)", "reverse(a)", "repeat(a, 2)", "string_split(a, b)",
      "regexp_matches(a, b)", "regexp_replace(a, b, c, 'g')", "regexp_extract(a, b, 1)", "a SIMILAR TO b",
      "json_valid(j)", "json_array_length(j)", "struct_extract(s, 'a')", "list_extract(l, 1)", "len(l)", "array_length(l)", "list_contains(l, a)",
      "strptime(a, '%Y')", "strftime(t, '%Y')", "date_trunc('day', t)", "time_bucket(INTERVAL 1 minute, t)", "epoch_ms(t)", "epoch(t)",
      "to_timestamp(a)", "make_date(1, 2, 3)", "date_part('year', t)", "extract(year FROM t)", "nullif(a, b)", "abs(a)", "round(a, 1)",
      "floor(a)", "ceil(a)",
    ];
    const missing: string[] = [];
    for (const e of exprs) {
      const r = await duck(`json_serialize_sql('SELECT ${e.replaceAll("'", "''")}')`);
      if (!r.ok) throw new Error(r.error);
      const names = [...String(r.value).matchAll(/"function_name":"([^"]+)"/g)].map((m) => m[1]!);
      for (const n of names) if (!scalars[n] && !aggregates[n]) missing.push(`${n} (${e})`);
    }
    expect(missing).toEqual([]);
  });
});

describe("more scalar families", () => {
  it("CAST to JSON and to_json write nested values as DuckDB's JSON writer does", async () => {
    const type = 'STRUCT(a INTEGER, b VARCHAR, c DOUBLE[], d DATE, e TIMESTAMP, f BOOLEAN, g DECIMAL(6,2), h FLOAT)';
    const arb = fc.record({
      a: maybe(fc.integer()), b: maybe(messyString), c: maybe(fc.array(maybe(fc.double()), { maxLength: 3 })),
      d: maybe(fc.integer({ min: -100000, max: 100000 })), e: maybe(fc.bigInt({ min: 0n, max: 2000000000000000n })),
      f: maybe(fc.boolean()), g: maybe(fc.bigInt({ min: -999999n, max: 999999n })), h: maybe(fc.double().map(Math.fround)),
    });
    await fc.assert(fc.asyncProperty(maybe(arb), async (s) => {
      await same("to_json", [s], [type]);
      const r = await callBoth("to_json", [s], [type], ([x]) => `CAST(${x} AS JSON)`);
      expect(r.ours, r.sql).toEqual(r.theirs);
    }), { numRuns: 150 });
  });

  it("greatest and least skip NULLs and order like DuckDB", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(messyString), maybe(messyString), async (a, b, c) => {
      await same("greatest", [a, b, c], ["VARCHAR", "VARCHAR", "VARCHAR"]);
      await same("least", [a, b, c], ["VARCHAR", "VARCHAR", "VARCHAR"]);
    }), { numRuns: 100 });
    await fc.assert(fc.asyncProperty(maybe(fc.double()), maybe(fc.double()), async (a, b) => {
      await same("greatest", [a, b], ["DOUBLE", "DOUBLE"]);
      await same("least", [a, b], ["DOUBLE", "DOUBLE"]);
    }), { numRuns: 100 });
  });

  it("to_timestamp turns epoch seconds into TIMESTAMPTZ, rounding to the microsecond", async () => {
    await fc.assert(fc.asyncProperty(maybe(fc.double({ min: -1e10, max: 1e10, noNaN: true })), async (d) => same("to_timestamp", [d], ["DOUBLE"])), { numRuns: 150 });
  });

  it("builds lists and structs from [..] and {..} literals", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(messyString), async (a, b) => {
      await same("list_value", [a, b], ["VARCHAR", "VARCHAR"], ([x, y]) => `[${x}, ${y}]`);
      await same("struct_pack", [a, b], ["VARCHAR", "VARCHAR"], ([x, y]) => `{'a': ${x}, 'b c': ${y}}`);
    }), { numRuns: 60 });
  });
});

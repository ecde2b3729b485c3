import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { callBoth } from "./call.node.ts";

async function same(name: string, args: Value[], types: string[], sql?: (l: string[]) => string): Promise<void> {
  const r = await callBoth(name, args, types, sql);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

/** JSON documents written the many ways producers write them. */
const jsonValue: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("null", "true", "false", "0", "-0", "1.50", "1e2", "1E-7", "-0.0", "12345678901234567890", "123456789012345678901234", "1e400", "0.1", "1e21", "100", "NaN", "-Infinity"),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('"\\u00e9\\n\\"/\\t"', '"\\u0001\\u001f\\u007f"', '"\\ud83d\\ude00"'),
    fc.array(tie("value"), { maxLength: 4 }).map((a) => `[${a.join(", ")}]`),
    fc.array(fc.tuple(fc.constantFrom("a", "b", "é", "a.b", "", "x y", "0"), tie("value")), { maxLength: 4 }).map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)} : ${v}`).join(",")}}`),
  ),
})).value;

const paths = fc.oneof(
  fc.constantFrom("$", "$.a", "$.b", "$.a.b", "$.a[0]", "$[0]", "$[1]", "$[-1]", "$[#-1]", '$."a.b"', "$.é", "a", "b", "é", "/a", "/0", "$.a[1].b", "$.0", "$[100]"),
);

describe("JSON access", () => {
  it("-> and ->> extract like DuckDB, formatting values the way its JSON writer does", async () => {
    await fc.assert(fc.asyncProperty(fc.option(jsonValue, { nil: null, freq: 10 }), paths, async (doc, path) => {
      await same("->>", [doc, path], ["VARCHAR", "VARCHAR"], ([d, p]) => `${d}->>${p}`);
      await same("json_extract", [doc, path], ["VARCHAR", "VARCHAR"]);
      await same("json_extract_string", [doc, path], ["VARCHAR", "VARCHAR"]);
    }), { numRuns: 500 });
  });

  it("-> on malformed JSON raises DuckDB's error", async () => {
    for (const doc of ['{"a":1', "x", "[1,2", '{"a" 1}', "", '"abc']) {
      const r = await callBoth("json_extract", [doc, "$.a"], ["VARCHAR", "VARCHAR"]);
      expect(r.ours.ok, r.sql).toBe(false);
      expect(r.theirs.ok, r.sql).toBe(false);
      if (!r.ours.ok && !r.theirs.ok) expect(r.ours.error.split(":")[0], r.sql).toBe(r.theirs.error.split(":")[0]);
    }
    await same("json_extract", ['{"a":1', "$.a"], ["VARCHAR", "VARCHAR"]);
  });

  it("->> with an integer indexes arrays from the start or the end", async () => {
    await fc.assert(fc.asyncProperty(jsonValue, fc.integer({ min: -3, max: 3 }), async (doc, i) => {
      await same("->>", [doc, BigInt(i)], ["VARCHAR", "BIGINT"], ([d, p]) => `${d}->>${p}`);
    }), { numRuns: 200 });
  });

  it("json_type names numbers as yyjson reads them, and bad paths raise DuckDB's path error", async () => {
    // A random batch found json_type('8') = UBIGINT (non-negative integers are unsigned) and $."" / $. accepted.
    for (const doc of ["8", "-8", "0", "-0", "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "1.0", "1e2", "[1]", "{}", "\"x\"", "null", "true"]) {
      await same("json_type", [doc], ["VARCHAR"]);
    }
    await fc.assert(fc.asyncProperty(jsonValue, async (doc) => same("json_type", [doc], ["VARCHAR"])), { numRuns: 200 });
    // DuckDB rejects a constant bad path when binding; a path from a column fails at run time with this text.
    for (const path of ['$.""', "$.", '$."".a', "$.[0]", "$.a.", '$.""[0]', '$."a"']) {
      await same("->>", ['{"":{"a":1},"a":[2]}', path], ["VARCHAR", "VARCHAR"], ([d, p]) => `(SELECT j->>p FROM (SELECT ${d} AS j, ${p} AS p))`);
    }
  });

  it("json_valid and json_array_length agree with DuckDB on valid and broken documents", async () => {
    const broken = fc.oneof(jsonValue, jsonValue.map((s) => s.slice(0, -1)), fc.constantFrom("[1,]", "{\"a\":1,}", "/*c*/1", "'a'", "", " ", "01", "{\"a\":1}x", "[1] ", "tru", "\"\\x\""));
    await fc.assert(fc.asyncProperty(broken, async (doc) => {
      await same("json_valid", [doc], ["VARCHAR"]);
      const valid = await callBoth("json_valid", [doc], ["VARCHAR"]);
      if (valid.theirs.ok && valid.theirs.value === true) await same("json_array_length", [doc], ["VARCHAR"]);
    }), { numRuns: 300 });
  });
});

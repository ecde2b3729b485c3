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
  // First in the file, so it runs while no document has been parsed yet: the one-document cache
  // used to start as the empty text, so a first '' answered NULL instead of DuckDB's error.
  it("an empty or blank text is DuckDB's error, also as the first document of all", async () => {
    for (const doc of ["", " ", "\n\t"]) await same("json_extract", [doc, "$.a"], ["VARCHAR", "VARCHAR"]);
  });

  it("a quoted path key reads \\\" as a quote and \\\\ as a backslash; an unclosed one is DuckDB's path error", async () => {
    const doc = '{"a\\"b":1,"a\\\\":2,"a\\\\nb":3,"abc":4,"x":{"abc":5}}';
    for (const path of ['$."a\\"b"', '$."a\\\\"', '$."a\\nb"', '$."a\\b"', '$."abc', '$.x."abc', '$."a\\"', '$."a\\"b']) {
      await same("json_extract", [doc, path], ["VARCHAR", "VARCHAR"], ([d, p]) => `(SELECT json_extract(j, p) FROM (SELECT ${d} AS j, ${p} AS p))`);
    }
  });

  it("JSON pointers: '/' is the member named '', '' the whole document, '/a/01' no index; no spaces in brackets", async () => {
    const doc = '{"":{"":3,"x":4},"a":{"b":[6,7],"01":9},"a/b":1,"a~b":2}';
    for (const path of ["/", "", "//", "//x", "/a/b/1", "/a/b/01", "/a/01", "/a~1b", "/a~0b", "$.a.b[1]", "$.a.b[ 1]", "$.a.b[1 ]"]) {
      await same("json_extract", [doc, path], ["VARCHAR", "VARCHAR"], ([d, p]) => `(SELECT json_extract(j, p) FROM (SELECT ${d} AS j, ${p} AS p))`);
    }
  });

  it("malformed JSON text fails with yyjson's words, at its byte, the input cut after 50 bytes", async () => {
    const docs = [
      '{"a":01}', '{"a":-01}', '{"a":00}', '{"a":1.}', '{"a":0.}', '{"a":-}', '{"a":1e}', '{"a":1e+}', '{"a":.5}', '{"a":+1}',
      '{"a":"\\x"}', '"\\u12G4"', '"\\ud800"', '"\\ud800x"', '"\\ud800\\u0041"', '"\\udc00"', "x".repeat(50), "x".repeat(51),
      "é".repeat(30), '{"a":-}' + "y".repeat(60), "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,x]",
    ];
    for (const doc of docs) {
      await same("json_extract", [doc, "$.a"], ["VARCHAR", "VARCHAR"]);
      await same("json_valid", [doc], ["VARCHAR"]);
    }
    // A surrogate pair written as two escapes is one character.
    await same("json_extract_string", ['{"a":"\\ud83e\\udd86"}', "$.a"], ["VARCHAR", "VARCHAR"]);
  });

  it("-> and ->> extract like DuckDB, formatting values the way its JSON writer does", async () => {
    await fc.assert(fc.asyncProperty(fc.option(jsonValue, { nil: null, freq: 10 }), paths, async (doc, path) => {
      await same("->>", [doc, path], ["VARCHAR", "VARCHAR"], ([d, p]) => `${d}->>${p}`);
      await same("json_extract", [doc, path], ["VARCHAR", "VARCHAR"]);
      await same("json_extract_string", [doc, path], ["VARCHAR", "VARCHAR"]);
    }), { numRuns: 500 });
  });

  it("the indexes #-0 and -0 are the first element, # one past the last", async () => {
    for (const doc of ["[1, 2, 3]", "[]", '{"a": [4]}'])
      for (const path of ["$[#-0]", "$[-0]", "$[#]", "$[#-00]", "$.a[#-0]", "$.a[-0]"]) {
        await same("json_extract", [doc, path], ["VARCHAR", "VARCHAR"]);
        await same("json_extract_string", [doc, path], ["VARCHAR", "VARCHAR"]);
      }
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

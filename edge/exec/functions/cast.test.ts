import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { days, doubles, numberText, timestampMicros, timestampText } from "./arbitraries.node.ts";
import { castValue, tryCastValue } from "./index.ts";

// Known gaps, kept out of the random inputs and listed in ARCHITECTURE.md:
// an exponent together with a fraction or a '_' ('.5000001E-2', '1e1_0'),
// a bare trailing 'e'.
const plainNumberText = numberText.filter((s) => !/\..*[eE]|[eE].*_|_.*[eE]/.test(s));
import { answerOf, duck, expected, lit } from "./oracle.node.ts";

/** CAST in the library and in DuckDB give the same value or the same error. */
async function sameCast(v: Value, from: string, to: string): Promise<void> {
  const theirs = expected(await duck(`CAST(${lit(v, from)} AS ${to})`));
  const ours = answerOf(() => castValue(v, from, to));
  expect(ours, `CAST(${lit(v, from)} AS ${to})`).toEqual(theirs);
}

const integerTypes = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"];

describe("CAST", () => {
  it("parses VARCHAR to every integer type as DuckDB does, including its errors", async () => {
    for (const s of ["1e3", "1.5", "2.5", "-2.5", " 12 ", "+3", "0x10", "1_000", "0b101", "1e-1", "25e-1", "2147483647.5", "-2147483648.4", "", " ", "1__0", ".5", "12.", "1e400", "0e10000", "\t5\n", "1_000.0_1"]) {
      for (const t of integerTypes) await sameCast(s, "VARCHAR", t);
    }
    // Random seeds found these: UTINYINT..UINTEGER accumulate the mantissa in a signed 64-bit value.
    for (const s of ["9223372036854775808e-400", "18446744073709551615e-400", "9223372036854775808e-17", "9223372036854775807e-400", "-9223372036854775808e-400"]) {
      for (const t of integerTypes) await sameCast(s, "VARCHAR", t);
    }
    await fc.assert(fc.asyncProperty(plainNumberText, fc.constantFrom(...integerTypes), async (s, t) => sameCast(s, "VARCHAR", t)), { numRuns: 400 });
  });

  it("parses VARCHAR to DOUBLE, FLOAT and DECIMAL as DuckDB does", async () => {
    // Known gap: text at float32's overflow midpoint is rounded twice (via double).
    await fc.assert(fc.asyncProperty(plainNumberText.filter((s) => !/^\s*[+-]?3\.40282356/.test(s)), fc.constantFrom("DOUBLE", "FLOAT", "DECIMAL(4,2)", "DECIMAL(18,3)", "DECIMAL(38,10)", "DECIMAL(3,0)"), async (s, t) => sameCast(s, "VARCHAR", t)), { numRuns: 400 });
  });

  it("prints DOUBLE and FLOAT in DuckDB's shortest form", async () => {
    await fc.assert(fc.asyncProperty(doubles, async (d) => {
      await sameCast(d, "DOUBLE", "VARCHAR");
      await sameCast(Math.fround(d), "FLOAT", "VARCHAR");
    }), { numRuns: 300 });
  });

  it("rounds DOUBLE to integers half to even and to DECIMAL half away from zero", async () => {
    // Known gap: the error text for |x| > 1e30 into DECIMAL prints x differently (long double).
    await fc.assert(fc.asyncProperty(doubles.filter((d) => !(Math.abs(d) > 1e30)), fc.constantFrom("INTEGER", "BIGINT", "TINYINT", "HUGEINT", "DECIMAL(4,2)", "DECIMAL(18,3)", "DECIMAL(9,0)", "BOOLEAN"), async (d, t) => sameCast(d, "DOUBLE", t)), { numRuns: 400 });
  });

  it("converts between integer types with DuckDB's range errors", async () => {
    await fc.assert(fc.asyncProperty(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.constantFrom(...integerTypes), fc.constantFrom("DOUBLE", "VARCHAR", "DECIMAL(18,2)", "BOOLEAN", "FLOAT"), async (b, t, to) => {
      const inRange = await duck(`TRY_CAST('${b}' AS ${t})`);
      if (!inRange.ok || inRange.value === null) return;
      for (const target of [...integerTypes, to]) await sameCast(inRange.value, t, target);
    }), { numRuns: 60 });
  });

  it("converts DECIMAL to other numbers and text", async () => {
    await fc.assert(fc.asyncProperty(fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }), fc.constantFrom("DECIMAL(18,0)", "DECIMAL(18,3)", "DECIMAL(18,18)"), fc.constantFrom("VARCHAR", "DOUBLE", "INTEGER", "BIGINT", "DECIMAL(18,1)", "DECIMAL(38,5)", "DECIMAL(6,2)"), async (u, from, to) => sameCast(u, from, to)), { numRuns: 300 });
  });

  it("parses VARCHAR to TIMESTAMP, TIMESTAMPTZ and DATE as DuckDB does", async () => {
    const fixed = ["2024-01-02T03:04:05Z", "2024-01-02 03:04:05+02:00", "2024-01-02 03:04:05-02:30:15", "2024-01-02 03", " 2024-01-02 ", "2024-01-02 24:00:00", "-2024-01-02", "2024-01-02 (BC)", "epoch", "2024-01-02 03:04:05 Europe/Berlin", "2024-01-02x", "2024-01-021", "294247-01-10 04:00:54.775807", "1-1-1 (BC)", "0-1-1 (BC)"];
    for (const s of fixed) for (const t of ["TIMESTAMP", "TIMESTAMPTZ", "DATE"]) {
      const theirs = expected(await duck(`CAST(${lit(s, "VARCHAR")} AS ${t})`));
      const ours = answerOf(() => castValue(s, "VARCHAR", t));
      if (!ours.ok && ours.error.startsWith("Not implemented")) continue; // named zones need ICU
      expect(ours, `${s} → ${t}`).toEqual(theirs);
    }
    await fc.assert(fc.asyncProperty(timestampText, fc.constantFrom("TIMESTAMP", "TIMESTAMPTZ", "DATE"), async (s, t) => {
      const theirs = expected(await duck(`CAST(${lit(s, "VARCHAR")} AS ${t})`));
      const ours = answerOf(() => castValue(s, "VARCHAR", t));
      if (!ours.ok && ours.error.startsWith("Not implemented")) return;
      expect(ours, `${JSON.stringify(s)} → ${t}`).toEqual(theirs);
    }), { numRuns: 600 });
  });

  it("takes the ISO and plain-integer fast paths only where the full parsers agree", async () => {
    const iso = ["2024-01-02 03:04:05", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456Z", "2024-01-02 03:04:05.1234567", "2024-01-02 03:04:05.",
      "2024-02-29 00:00:00", "2023-02-29 00:00:00", "2024-04-31 00:00:00", "2024-13-01 00:00:00", "2024-00-10 00:00:00", "2024-01-02 23:59:60",
      "2024-01-02 24:00:00", "2024-01-02 03:04:05ZZ", "2024-01-02 03:04:05z", "2024-01-02t03:04:05", "0000-01-01 00:00:00", "1600-03-01 12:00:00.5",
      "2300-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2024-01-02 03:04:05 ", "2024-1-02 03:04:05", "2024-01-02 3:04:05", "2024-01-02 03:04:05.x"];
    for (const s of iso) for (const t of ["TIMESTAMP", "TIMESTAMPTZ", "DATE"]) {
      if (t === "TIMESTAMPTZ" && /[zx]$/.test(s)) continue; // zone names raise not_implemented (Known gaps)
      await sameCast(s, "VARCHAR", t);
      const theirs = await duck(`TRY_CAST(${lit(s, "VARCHAR")} AS ${t})`);
      expect(tryCastValue(s, "VARCHAR", t), `TRY_CAST(${s} AS ${t})`).toEqual(theirs.ok ? theirs.value : "error");
    }
    const ints = ["0", "-0", "007", "-", "", "127", "128", "-128", "-129", "255", "256", "2147483647", "2147483648", "-2147483648", "123456789012345", "1234567890123456", "+5", " 5", "5 ", "1e2"];
    for (const s of ints) for (const t of ["TINYINT", "UTINYINT", "INTEGER", "BIGINT", "UBIGINT", "DOUBLE", "FLOAT"]) {
      await sameCast(s, "VARCHAR", t);
      const theirs = await duck(`TRY_CAST(${lit(s, "VARCHAR")} AS ${t})`);
      expect(tryCastValue(s, "VARCHAR", t), `TRY_CAST(${s} AS ${t})`).toEqual(theirs.ok ? theirs.value : "error");
    }
    for (const s of ["{12345678-1234-1234-1234-123456789ABC}", "12345678123412341234123456789abc", "1234-5678-1234-1234-1234-1234-5678-9abc", "12345678-1234-1234-1234-123456789abcd", "{}", "{", "12345678-1234-1234-1234-123456789abg", "A2345678-1234-1234-1234-123456789abc", "a2345678-1234-1234-1234-123456789abc", "a2345678-1234-1234-1234-123456789ab\u0130", "a2345678-1234-1234-1234-123456789ab:", "a2345678-1234-1234-1234-123456789ab/", "a2345678-1234-1234-1234-123456789ab`", "a2345678-1234-1234-1234-123456789abG", "a2345678+1234-1234-1234-123456789abc", "a2345678-1234-1234-1234-1234567-89abc"]) {
      await sameCast(s, "VARCHAR", "UUID");
    }
    // Around the double-exact range (2^53 microseconds) and before 1970, where timestamps switch arithmetic.
    for (const m of [0n, -1n, 1n, -86400000000n, -86400000001n, 86399999999n, 9007199254740991n, 9007199254740992n, -9007199254740991n, -9007199254740993n, 9223372036854775806n]) {
      for (const to of ["VARCHAR", "DATE", "TIME"]) await sameCast(m, "TIMESTAMP", to);
    }
  });

  it("prints TIMESTAMP, TIMESTAMPTZ and DATE and converts between them", async () => {
    await fc.assert(fc.asyncProperty(timestampMicros, async (m) => {
      for (const to of ["VARCHAR", "DATE", "TIMESTAMPTZ", "TIME"]) await sameCast(m, "TIMESTAMP", to);
      await sameCast(m, "TIMESTAMPTZ", "VARCHAR");
    }), { numRuns: 150 });
    await fc.assert(fc.asyncProperty(days, async (d) => {
      await sameCast(d, "DATE", "VARCHAR");
      await sameCast(d, "DATE", "TIMESTAMP");
    }), { numRuns: 150 });
  });

  it("parses INTERVAL text (INTERVAL '1 minute' is such a cast) and prints intervals", async () => {
    const texts = ["1 minute", "5 minutes", "1 day 2 hours", "01:02:03", "1 year 2 months", "2 weeks", "1h", "30m", "-1 day", "1.5 hours", "1.5 days", "1.5 months", "P1DT2H", "1 day ago", "2 hours 30 minutes", " 1 minute ", "1minute", "1 MINUTE", "1 mins", "1 sec", "1 us", "1 ms", "1 quarter", "1 decade", "1 century", "1 millennium", "100", "1 day -01:00:00", "+1 day", "1 d", "1 y", "1 mon", "1 w", "x", "", "1 fortnight", "00:00:00.5", "1 day 1 day", "-01:30", "1.5", "15 seconds", "0.25 s", "90 minutes", "1 hour ago",
      // A random batch found these: a time ends the text (the rest, even "ago", is ignored; HH:MM must be last), a
      // negative time negates the microseconds before it, a trailing bare integer is ignored, a bare fraction only alone.
      "-01:00:00 2 hours", "2 hours -01:00:00 3 minutes", "2 h -01:00:00 ago", "0 year -10h -01:00:00.5", "-1 us -01:00:00.5", "3 ms -01:00:00.5",
      "10 hour 2", "1 day 2", "1 day 2 ", "1 day 2.5", "2.5 ", "1 day 01:00 x", "01:00 ago", "01:00:00 ago", "01:00 ", "1:2:3 x", "1 day -1:00"];
    for (const s of texts) await sameCast(s, "VARCHAR", "INTERVAL");
    const iv = fc.record({ months: fc.integer({ min: -30, max: 30 }), days: fc.integer({ min: -40, max: 40 }), micros: fc.oneof(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.constantFrom(0n, 1n, -1n, 500000n)) });
    await fc.assert(fc.asyncProperty(iv, async (i) => sameCast(i, "INTERVAL", "VARCHAR")), { numRuns: 150 });
  });

  it("parses and prints TIME", async () => {
    for (const s of ["03:04:05", "3:4:5", "03:04", "24:00:00", "24:00:01", "03:04:05.123456789", " 03:04:05 ", "03:04:60", "x", "", "2024-01-02 03:04:05", "03:04:05+02"]) await sameCast(s, "VARCHAR", "TIME");
    await fc.assert(fc.asyncProperty(fc.bigInt({ min: 0n, max: 86399999999n }), async (t) => sameCast(t, "TIME", "VARCHAR")), { numRuns: 100 });
  });

  it("parses BOOLEAN words and prints booleans", async () => {
    for (const s of ["t", "true", "TRUE", "yes", "y", "1", "f", "false", "no", "n", "0", "off", "on", " true", "maybe", ""]) await sameCast(s, "VARCHAR", "BOOLEAN");
    await sameCast(true, "BOOLEAN", "VARCHAR");
    await sameCast(false, "BOOLEAN", "INTEGER");
  });

  it("prints LIST, STRUCT and MAP values in DuckDB's text form", async () => {
    const strs = fc.array(fc.option(fc.constantFrom("a", "b c", "", "it's", "[x]", "a,b", " lead", "NULL", "null", "a\\b", "x\"", "é", "a:b", "a=b", "a(b", "😀"), { nil: null }), { maxLength: 4 });
    await fc.assert(fc.asyncProperty(strs, async (l) => sameCast(l, "VARCHAR[]", "VARCHAR")), { numRuns: 100 });
    await fc.assert(fc.asyncProperty(fc.array(fc.option(doubles, { nil: null }), { maxLength: 3 }), async (l) => sameCast(l, "DOUBLE[]", "VARCHAR")), { numRuns: 50 });
    await fc.assert(fc.asyncProperty(strs, fc.option(fc.integer(), { nil: null }), async (l, n) => {
      await sameCast({ "a b": n, s: l[0] ?? null, l }, 'STRUCT("a b" INTEGER, s VARCHAR, l VARCHAR[])', "VARCHAR");
    }), { numRuns: 100 });
  });

  it("reads LIST and STRUCT text back as DuckDB does", async () => {
    const cases: [string, string][] = [
      ["[1, 2, NULL]", "INTEGER[]"], ["[a, 'b c', \"d\", NULL, null, '', ]", "VARCHAR[]"], ["[]", "INTEGER[]"], ["[ ]", "VARCHAR[]"],
      ["[[1,2],[3]]", "INTEGER[][]"], ["{a: 1, b: x}", "STRUCT(a INTEGER, b VARCHAR)"], ["{'a': 1}", "STRUCT(a INTEGER, b VARCHAR)"],
      ["{b: y, a: 2}", "STRUCT(a INTEGER, b VARCHAR)"], ["[ spaced  out , x ]", "VARCHAR[]"], ["[{a: 1}, NULL]", "STRUCT(a INTEGER)[]"],
      ["[1, x]", "INTEGER[]"], ["1, 2", "INTEGER[]"], ["[1, 2", "INTEGER[]"], ["{a: 1, c: 2}", "STRUCT(a INTEGER)"], ["[a, [b]]", "VARCHAR[]"],
      ["{a: 1} x", "STRUCT(a INTEGER)"], ["(1, x)", "STRUCT(a INTEGER, b VARCHAR)"], ["[a\\,b, c]", "VARCHAR[]"], ["['it\\'s', \"q\\\"\"]", "VARCHAR[]"],
      ["NULL", "INTEGER[]"], ["  [1]  ", "INTEGER[]"], ["[2024-01-02, NULL]", "DATE[]"],
    ];
    for (const [s, t] of cases) await sameCast(s, "VARCHAR", t);
    // What CAST(x AS VARCHAR) prints, CAST(... AS type) reads back.
    const strs = fc.array(fc.option(fc.constantFrom("a", "b c", "", "it's", "[x]", "a,b", " lead", "NULL", "é", "a:b", "😀", "x\"y"), { nil: null }), { maxLength: 4 });
    await fc.assert(fc.asyncProperty(strs, async (l) => {
      const text = await duck(`CAST(${lit(l, "VARCHAR[]")} AS VARCHAR)`);
      if (text.ok && typeof text.value === "string") await sameCast(text.value, "VARCHAR", "VARCHAR[]");
    }), { numRuns: 100 });
  });

  it("casts JSON to scalars, lists and structs through its values", async () => {
    const cases: [string, string][] = [
      ["1", "INTEGER"], ['"1"', "INTEGER"], [" 1.5 ", "DOUBLE"], ['"x"', "VARCHAR"], ["true", "BOOLEAN"], ["[1,2]", "INTEGER[]"],
      ['{"a":1}', "STRUCT(a INTEGER)"], ["null", "INTEGER"], ['"2024-01-02"', "DATE"], ["1.5", "INTEGER"], ['{"a":1}', "INTEGER"],
      ['[1, "2", null]', "BIGINT[]"], ['{"a": {"b": [true]}, "c": "x"}', "STRUCT(a STRUCT(b BOOLEAN[]), c VARCHAR)"], ['"2024-01-02T03:04:05Z"', "TIMESTAMP"],
      ["[1, [2]]", "VARCHAR[]"], ['{"a": 1}', "VARCHAR"],
    ];
    for (const [s, t] of cases) await sameCast(s, "JSON", t);
  });

  it("keeps JSON text and rejects malformed JSON when casting VARCHAR to JSON", async () => {
    for (const s of ['{"a": 1}', "  [1 , 2]", "true", " 1.50 ", "[1,]"]) await sameCast(s, "VARCHAR", "JSON");
    expect(answerOf(() => castValue("x", "VARCHAR", "JSON")).ok).toBe(false);
  });

  it("TRY_CAST gives NULL exactly where CAST fails", async () => {
    // Known gap: DuckDB's integer parser accepts a bare 'e' before trailing
    // spaces ('.5e ' is 1); the library rejects it.
    await fc.assert(fc.asyncProperty(plainNumberText.filter((s) => !/e\s+$/.test(s)), async (s) => {
      const theirs = await duck(`TRY_CAST(${lit(s, "VARCHAR")} AS INTEGER)`);
      expect(tryCastValue(s, "VARCHAR", "INTEGER")).toEqual(theirs.ok ? theirs.value : "error");
    }), { numRuns: 100 });
  });

  it("reads JSON objects and {k=v} text into a MAP as DuckDB does, including its errors", async () => {
    const sameTry = async (v: string, from: string, to: string): Promise<void> => {
      const theirs = expected(await duck(`TRY_CAST(${lit(v, from)} AS ${to})`));
      expect(answerOf(() => tryCastValue(v, from, to)), `TRY_CAST(${lit(v, from)} AS ${to})`).toEqual(theirs);
    };
    const docs = ['{"a":1,"b":"2","c":"x","d":1.5,"e":true,"f":null,"g":[1],"h":{"i":1}}', '{"a":1,"a":2}', '{}', '[1]', '"s"', "3", '{"1":1,"2":"x"}', '{"x":1,"1":2,"y":3}', '{" 2":2,"04":3}', '{"a":"2024-01-02","b":1}', '{"a":"x","b":"y"}'];
    for (const d of docs) {
      for (const t of ["MAP(VARCHAR, JSON)", "MAP(VARCHAR, VARCHAR)", "MAP(VARCHAR, BIGINT)", "MAP(VARCHAR, DATE)", "MAP(VARCHAR, INTEGER[])", "MAP(INTEGER, VARCHAR)", "MAP(DATE, VARCHAR)"]) {
        await sameCast(d, "JSON", t);
        await sameTry(d, "JSON", t);
      }
    }
    // Non-string JSON values into DATE, TIMESTAMP, TIME, UUID, INTERVAL: "Unable to cast", before a string's failure.
    for (const [d, t] of [["1", "DATE"], ["1.5", "TIMESTAMP"], ['{"a":1}', "TIMESTAMPTZ"], ["true", "TIME"], ["1", "UUID"], ["[1]", "INTERVAL"], ['["x", 1]', "DATE[]"], ['[1, 2]', "DATE[]"], ['["x", "y"]', "DATE[]"], ['{"a":"x","b":1}', "STRUCT(a DATE, b DATE)"], ['{"a":1,"b":2}', "STRUCT(a DATE, b DATE)"], ['{"a":"x","b":"y"}', "STRUCT(a DATE, b DATE)"]]) {
      await sameCast(d!, "JSON", t!);
    }
    const texts = ["{a=1, b=2}", "  { }  ", "{a=NULL, 'NULL'=1}", "{NULL=1}", "{a}", "{a=1,}", "{a, b=1}", "{,a=2}", "{a=1=2}", "{a=]}", "{a=x\\,y}", "{a=x}", "{x=1, 2=2}", "{a=1, a=2}", "{1=1, 01=2}", '{"a":1}', "[a=1]", "{'a''b'=1}", "{a=[1,2]}", "{a={b=1}}"];
    for (const s of texts) {
      for (const t of ["MAP(VARCHAR, VARCHAR)", "MAP(VARCHAR, INTEGER)", "MAP(INTEGER, VARCHAR)", "MAP(VARCHAR, INTEGER[])"]) {
        await sameCast(s, "VARCHAR", t);
        await sameTry(s, "VARCHAR", t);
      }
    }
  });
});

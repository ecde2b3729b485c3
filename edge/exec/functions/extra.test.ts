import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { doubles, messyString, timestampMicros } from "./arbitraries.node.ts";
import { callBoth } from "./call.node.ts";
import { answerOf, duck, expected, lit } from "./oracle.node.ts";
import { castValue, tryCastValue } from "./cast.ts";

async function same(name: string, args: Value[], types: string[], sql?: (l: string[]) => string): Promise<void> {
  const r = await callBoth(name, args, types, sql);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 8 });

describe("further scalars", () => {
  it("concat_ws, translate and regexp splitting", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(messyString), maybe(messyString), async (a, b, c) => {
      await same("concat_ws", [b, a, c, a], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
      await same("translate", [a, b, c], ["VARCHAR", "VARCHAR", "VARCHAR"]);
    }), { numRuns: 150 });
    await fc.assert(fc.asyncProperty(maybe(messyString), fc.constantFrom(",", "\\s+", "[aé]", "😀", "x+"), async (s, p) => {
      await same("regexp_split_to_array", [s, p], ["VARCHAR", "VARCHAR"]);
      await same("string_split_regex", [s, p], ["VARCHAR", "VARCHAR"]);
    }), { numRuns: 150 });
  });

  it("url_decode, from_base64 and regexp_escape: answers and error texts as DuckDB's", async () => {
    const urlish = fc.array(fc.constantFrom("%", "%4", "%41", "%c3", "%A9", "%C3%A9", "%e2%82%ac", "%ZZ", "%00", "+", "a", "é", "😀", " ", "%%"), { maxLength: 6 }).map((a) => a.join(""));
    const base64ish = fc.array(fc.constantFrom("A", "b", "9", "+", "/", "=", "==", "ab", "YWJj", "!", "é", " ", "-"), { maxLength: 8 }).map((a) => a.join(""));
    await fc.assert(fc.asyncProperty(maybe(fc.oneof(urlish, messyString)), maybe(fc.oneof(base64ish, messyString)), async (u, b) => {
      await same("url_decode", [u], ["VARCHAR"]);
      // A BLOB answer: DuckDB's is a Buffer, ours a Uint8Array; compared as bytes.
      const blob = await callBoth("from_base64", [b], ["VARCHAR"]);
      const bytes = (a: typeof blob.ours) => (a.ok && a.value instanceof Uint8Array ? { ok: true, hex: Buffer.from(a.value).toString("hex") } : a);
      expect(bytes(blob.ours), blob.sql).toEqual(bytes(blob.theirs));
      await same("regexp_escape", [u], ["VARCHAR"]);
      await same("regexp_escape", [b], ["VARCHAR"]);
    }), { numRuns: 300 });
  });

  it("json_transform brings any JSON document to a structure as DuckDB does", async () => {
    const scalar = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constantFrom("12", "x", "2024-02-29", "true", "1e400", "", "ü", "12345678901234567890", "2024-01-01 10:00:00"));
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b", "A", "c"), tie("v"), { maxKeys: 3 })),
    })).v;
    const structures = ['{"a": "INTEGER", "b": "VARCHAR"}', '["DOUBLE"]', '{"a": {"b": ["BIGINT"]}, "c": "BOOLEAN"}', '{"a": "JSON", "A": "DATE"}', '"TIMESTAMP"', '["VARCHAR"]', '{"b": ["JSON"], "c": "UTINYINT"}', '"BOOLEAN"', '{"a": "DECIMAL(5, 2)"}'];
    await fc.assert(fc.asyncProperty(value, fc.constantFrom(...structures), async (doc, structure) => {
      await same("json_transform", [JSON.stringify(doc), structure], ["VARCHAR", "VARCHAR"]);
    }), { numRuns: 400 });
    // CAST from JSON shares the scalar rules (a number into VARCHAR prints as a DOUBLE does, into BOOLEAN is whether it is not 0).
    const types = ["VARCHAR[]", "STRUCT(a VARCHAR, b BOOLEAN)", "BOOLEAN[]", "STRUCT(a DOUBLE[])", "BIGINT[]", "STRUCT(a TINYINT, b DECIMAL(5, 2))"];
    await fc.assert(fc.asyncProperty(value, fc.constantFrom(...types), async (doc, type) => {
      const text = JSON.stringify(doc);
      const sql = `CAST(${lit(text, "VARCHAR")}::JSON AS ${type})`;
      // DuckDB's error text without its position suffix.
      const unplaced = (a: ReturnType<typeof answerOf>) => (a.ok ? a : { ok: false, error: a.error.replace(/ \(line \d+, column \d+\)$/, "") });
      expect(unplaced(answerOf(() => castValue(text, "JSON", type))), sql).toEqual(unplaced(expected(await duck(sql))));
      // TRY_CAST from JSON into a nested type is json_transform: NULL where a value does not fit.
      const trySql = `TRY_CAST(${lit(text, "VARCHAR")}::JSON AS ${type})`;
      expect(answerOf(() => tryCastValue(text, "JSON", type)), trySql).toEqual(expected(await duck(trySql)));
    }), { numRuns: 300 });
  });

  it("md5_number, md5_number_lower and md5_number_upper read the digest least significant byte first; length_grapheme counts clusters", async () => {
    await fc.assert(fc.asyncProperty(maybe(fc.oneof(messyString, fc.string({ maxLength: 80 }).map((s) => s.replaceAll("\u0000", "")))), async (s) => {
      for (const f of ["md5_number", "md5_number_lower", "md5_number_upper", "length_grapheme"]) await same(f, [s], ["VARCHAR"]);
    }), { numRuns: 150 });
  });

  it("fdiv and fmod are floored, in DOUBLE", async () => {
    await fc.assert(fc.asyncProperty(maybe(doubles), maybe(fc.oneof(doubles, fc.constantFrom(0, -0, 2, -2, 0.1, Infinity, -Infinity))), async (x, y) => {
      await same("fdiv", [x, y], ["DOUBLE", "DOUBLE"]);
      await same("fmod", [x, y], ["DOUBLE", "DOUBLE"]);
    }), { numRuns: 300 });
  });

  it("GLOB matches * ? and [] like DuckDB", async () => {
    const pat = fc.array(fc.constantFrom("*", "?", "a", "é", "[ab]", "[!a]", ".", "😀", "B"), { maxLength: 5 }).map((a) => a.join(""));
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(pat), async (s, p) => {
      await same("~~~", [s, p], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} GLOB ${b}`);
    }), { numRuns: 200 });
  });

  it("printf's float conversions and format()'s float specs print DuckDB's fmt digits (ties, huge doubles, flags)", async () => {
    const printfFormats = fc.constantFrom("%.2f", "%f", "%.0f", "%e", "%.3E", "%g", "%.12G", "%,.2f", "%012.3f", "%-10.1f|", "%+.4e", "% g", "%#.0f", "%#g", "%.18f", "%lf", "%.2Lf", "%F");
    const formatSpecs = fc.constantFrom("{:.2f}", "{:,.2f}", "{:f}", "{:e}", "{:g}", "{}", "{:.3}", "{:>12.2f}", "{:*^12.1f}", "{:+.2f}", "{:010.2f}", "{:_.3f}", "{:t..2f}", "{:#g}", "{:.25f}");
    await fc.assert(fc.asyncProperty(printfFormats, formatSpecs, doubles, async (p, f, d) => {
      await same("printf", [p, d], ["VARCHAR", "DOUBLE"]);
      await same("format", [f, d], ["VARCHAR", "DOUBLE"]);
    }), { numRuns: 400 });
    // DECIMAL and FLOAT arguments print as the doubles they become.
    await same("printf", ["%.2f|%e", 1005n, 1005n], ["VARCHAR", "DECIMAL(10,3)", "DECIMAL(10,3)"]);
    await same("format", ["{:.10f}", Math.fround(0.1)], ["VARCHAR", "FLOAT"]);
  });

  it("power, sqrt, exp and logarithms", async () => {
    await fc.assert(fc.asyncProperty(maybe(doubles), maybe(fc.constantFrom(0, 0.5, 2, -1, 3, 10)), async (x, y) => {
      // libm and V8's fdlibm may differ in the last bit: within one part in 1e15.
      const close = async (f: string, args: Value[], types: string[], sql?: (l: string[]) => string) => {
        const r = await callBoth(f, args, types, sql);
        if (r.ours.ok && r.theirs.ok && typeof r.ours.value === "number" && typeof r.theirs.value === "number" && Number.isFinite(r.theirs.value)) {
          expect(Math.abs(r.ours.value - r.theirs.value), r.sql).toBeLessThanOrEqual(Math.abs(r.theirs.value) * 1e-15);
        } else expect(r.ours, r.sql).toEqual(r.theirs);
      };
      await close("^", [x, y], ["DOUBLE", "DOUBLE"], ([a, b]) => `(${a} ^ ${b})`);
      await same("sqrt", [x], ["DOUBLE"]);
      for (const f of ["exp", "ln", "log10", "log2"]) await close(f, [x], ["DOUBLE"]);
    }), { numRuns: 150 });
  });

  it("date_diff, dayname, monthname and last_day", async () => {
    const parts = ["year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond", "microsecond"];
    await fc.assert(fc.asyncProperty(maybe(timestampMicros), maybe(timestampMicros), fc.constantFrom(...parts), async (a, b, p) => {
      await same("date_diff", [p, a, b], ["VARCHAR", "TIMESTAMP", "TIMESTAMP"]);
      await same("dayname", [a], ["TIMESTAMP"]);
      await same("monthname", [a], ["TIMESTAMP"]);
      await same("last_day", [a], ["TIMESTAMP"]);
    }), { numRuns: 200 });
  });
});

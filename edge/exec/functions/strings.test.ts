import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messyString } from "./arbitraries.node.ts";
import type { Value } from "../../plan/values.ts";
import { callBoth } from "./call.node.ts";
import { duckRows } from "./oracle.node.ts";
import { lower, stringScalars, upper } from "./strings.ts";
import { md5Hex, sha256Hex } from "./digest.ts";

const reverseText = (s: string): Value => stringScalars["reverse"]!([s], { argTypes: ["VARCHAR"], resultType: "VARCHAR" });

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 8 });
const smallInt = fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constantFrom(0, 100, -100, 2147483647, -2147483648));

/** The library answers `name(args)` exactly as DuckDB does. */
async function same(name: string, args: Value[], types: string[], sql?: (l: string[]) => string): Promise<void> {
  const r = await callBoth(name, args, types, sql);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

describe("string functions", () => {
  it("hash md5 and sha256 of any text to DuckDB's lower-case hex", async () => {
    for (const s of ["", "a", "abc", "x".repeat(55), "x".repeat(56), "x".repeat(64), "x".repeat(1000), "😀é", "x".repeat(54) + "é", "\u007f~", "a".repeat(31) + "\u0080"]) {
      await same("md5", [s], ["VARCHAR"]);
      await same("sha256", [s], ["VARCHAR"]);
    }
    await fc.assert(fc.asyncProperty(maybe(messyString), async (s) => {
      await same("md5", [s], ["VARCHAR"]);
      await same("sha256", [s], ["VARCHAR"]);
    }), { numRuns: 200 });
  });

  it("md5 and sha256 give the same digests when they remember recent texts and after they stop (unique keys)", () => {
    const ctx = { argTypes: ["VARCHAR"], resultType: "VARCHAR" };
    for (const [name, direct] of [["md5", md5Hex], ["sha256", sha256Hex]] as const) {
      const fn = stringScalars[name]!;
      const texts = [...Array.from({ length: 12_000 }, (_, i) => `unique-${i}-é`), ...Array.from({ length: 9_000 }, (_, i) => `device-${i % 50}`), "x".repeat(300)];
      for (const t of [...texts, ...texts.slice(0, 100)]) expect(fn([t], ctx), t).toBe(direct(t));
    }
  });

  it("measure and change case per code point: length, lower, upper", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), async (s) => {
      for (const f of ["length", "lower", "upper", "reverse", "strlen"]) await same(f, [s], ["VARCHAR"]);
    }), { numRuns: 300 });
    // A random seed found decomposed Hangul ('가' as U+1100 U+1161): jamo sequences are one grapheme.
    // Likewise the other grapheme rules DuckDB (utf8proc) follows: controls stand alone (CR LF too), Prepend,
    // SpacingMark, ZWNJ as Extend, ZWJ only between emoji, Indic conjuncts.
    for (const s of ["\u1100\u1161", "\u1100\u1161\u11a8", "\uac00\u11a8", "\uac01\u11a8", "\uac00\u1161", "\u1100\u1100\u1161x", "x\u1161\u11a8", "\u11a8\u11a8a", "\uac01\u1161", "\ua960\ud7b0\ud7cb", "가나다",
      "\n\u0301x", "\t\u0301x", "\r\na", "\u00ad\u0301x", "\u0600 x", "\u0600\u0661x", "\u0d4e\u0d15x", "\u0e01\u0e33x", "\u0e81\u0eb3x", "a\u200cb",
      "x\u200d\u0915", "a\u200d\ud83d\udd25", "\u2764\ufe0f\u200d\ud83d\udd25", "\ud83c\udff3\ufe0f\u200d\ud83c\udf08x", "\ud83c\udde6\ud83c\udde8\ud83c\udde6",
      "\u0915\u094d\u0937", "\u0915\u093c\u094d\u0937x", "\u0995\u09cd\u09b7x", "\u0d15\u0d4d\u0d15x", "\u0915\u094d\u200d\u0937", "\u0915\u094d \u0937"]) {
      for (const f of ["reverse", "length", "lower", "upper"]) await same(f, [s], ["VARCHAR"]);
    }
  });

  it("cluster every Unicode code point for reverse() as DuckDB does, after a letter and before a letter or a mark", async () => {
    const { rows } = await duckRows("SELECT r::INTEGER, reverse('a' || chr(r::INTEGER) || 'b'), reverse('a' || chr(r::INTEGER) || '\u0301') FROM range(128, 1114112) t(r) WHERE r < 55296 OR r > 57343");
    const wrong: string[] = [];
    for (const [cp, letter, mark] of rows) {
      const c = String.fromCodePoint(cp as number);
      if (reverseText(`a${c}b`) !== letter || reverseText(`a${c}\u0301`) !== mark) wrong.push((cp as number).toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it("change case exactly as DuckDB for every Unicode code point", async () => {
    // Each answer behind a '<': @duckdb/node-api's TextDecoder strips a leading U+FEFF from a value.
    const { rows } = await duckRows("SELECT r::INTEGER, '<' || upper(chr(r::INTEGER)), '<' || lower(chr(r::INTEGER)) FROM range(1, 1114112) t(r) WHERE r < 55296 OR r > 57343");
    const wrong: string[] = [];
    for (const [cp, u, l] of rows) {
      const c = String.fromCodePoint(cp as number);
      if (`<${upper(c)}` !== u || `<${lower(c)}` !== l) wrong.push((cp as number).toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it("hunt 2026-12-05: CR LF is one cluster outside ASCII, utf8proc stops at NUL, chr refuses non-code points, BLOB || BLOB", async () => {
    // reverse/length_grapheme: all-ASCII text is split byte by byte, other text by utf8proc, which keeps CR LF whole.
    for (const s of ["日\r\n", "a\r\n", "é\r\nb", "\r\u1161\r\n", "\ra\r\n", "\r\r\n\u0301"]) {
      for (const f of ["reverse", "length_grapheme"]) await same(f, [s], ["VARCHAR"]);
    }
    // strip_accents and nfc_normalize of non-ASCII text end at its first NUL (ASCII text is kept whole).
    for (const s of ["é\u0000abc", "e\u0301\u0000x", "ab\u0000c", "abc\u0000", "\u3000\u0000", "\u0000é"]) {
      // A SQL literal cannot hold a NUL: the text goes in as its UTF-8 bytes.
      const text = `decode(unhex('${Buffer.from(s, "utf8").toString("hex")}'))`;
      for (const f of ["strip_accents", "nfc_normalize"]) await same(f, [s], ["VARCHAR"], () => `${f}(${text})`);
    }
    for (const n of [0, 65, 55295, 55296, 57343, 57344, 1114111, 1114112, -1]) await same("chr", [n], ["INTEGER"]);
    for (const b of ["/w==", "4pyT", "", "AA=="]) {
      const bytes = new Uint8Array(Buffer.from(b, "base64"));
      const r = await callBoth("||", [bytes, bytes], ["BLOB", "BLOB"], () => `from_base64('${b}') || from_base64('${b}')`);
      expect(r.ours.ok && r.ours.value instanceof Uint8Array, r.sql).toBe(true);
      expect(r.ours.ok && Buffer.from(r.ours.value as Uint8Array).toString("hex"), r.sql).toBe(r.theirs.ok && Buffer.from(r.theirs.value as Uint8Array).toString("hex"));
    }
  });

  it("trim spaces or given characters from either side", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), fc.option(messyString, { nil: undefined }), async (s, c) => {
      for (const f of ["trim", "ltrim", "rtrim"]) {
        if (c === undefined) await same(f, [s], ["VARCHAR"]);
        else await same(f, [s, c], ["VARCHAR", "VARCHAR"]);
      }
    }), { numRuns: 300 });
  });

  it("cut substrings by 1-based code point positions, negatives from the end", async () => {
    // The text comes from a column, as in a pipeline: DuckDB cuts text its statistics know to be
    // ASCII by another path (a constant argument always takes the general one).
    const fromColumn = (name: string) => (l: string[]) => `(SELECT ${name}(s${l.slice(1).map((x) => `, ${x}`).join("")}) FROM (SELECT ${l[0]} AS s))`;
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(smallInt), maybe(smallInt), async (s, o, l) => {
      await same("substring", [s, o, l], ["VARCHAR", "BIGINT", "BIGINT"], fromColumn("substring"));
      await same("substring", [s, o], ["VARCHAR", "BIGINT"], fromColumn("substring"));
      await same("left", [s, o], ["VARCHAR", "BIGINT"], fromColumn("left"));
      await same("right", [s, o], ["VARCHAR", "BIGINT"], fromColumn("right"));
    }), { numRuns: 300 });
  });

  it("search, split and replace text", async () => {
    const needle = fc.oneof(messyString, fc.constantFrom("", "a", " ", "é", "😀"));
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(needle), maybe(messyString), maybe(smallInt), async (s, n, r, i) => {
      for (const f of ["starts_with", "ends_with", "contains", "strpos", "string_split"]) await same(f, [s, n], ["VARCHAR", "VARCHAR"]);
      // `position(n IN s)` is serialised as position(s, n): the library takes the text first.
      await same("position", [s, n], ["VARCHAR", "VARCHAR"], ([text, needle]) => `position(${needle} IN ${text})`);
      await same("replace", [s, n, r], ["VARCHAR", "VARCHAR", "VARCHAR"]);
      await same("split_part", [s, n, i], ["VARCHAR", "VARCHAR", "BIGINT"]);
    }), { numRuns: 300 });
  });

  it("pad, repeat and concatenate", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(fc.integer({ min: -2, max: 12 })), maybe(messyString), async (s, n, f) => {
      await same("lpad", [s, n, f], ["VARCHAR", "INTEGER", "VARCHAR"]);
      await same("rpad", [s, n, f], ["VARCHAR", "INTEGER", "VARCHAR"]);
      await same("repeat", [s, n], ["VARCHAR", "BIGINT"]);
      await same("concat", [s, f, s], ["VARCHAR", "VARCHAR", "VARCHAR"]);
      await same("||", [s, f], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} || ${b}`);
    }), { numRuns: 300 });
  });

  it("concat and || print non-text arguments as CAST AS VARCHAR would, and || joins lists", async () => {
    await fc.assert(fc.asyncProperty(maybe(messyString), maybe(fc.integer()), maybe(fc.double()), maybe(fc.integer({ min: -10000, max: 40000 })), async (s, i, d, day) => {
      await same("concat", [s, i, d, day], ["VARCHAR", "INTEGER", "DOUBLE", "DATE"]);
      await same("||", [s, i], ["VARCHAR", "INTEGER"], ([a, b]) => `${a} || ${b}`);
      await same("||", [d, s], ["DOUBLE", "VARCHAR"], ([a, b]) => `${a} || ${b}`);
    }), { numRuns: 150 });
    await fc.assert(fc.asyncProperty(maybe(fc.array(maybe(messyString), { maxLength: 3 })), maybe(fc.array(maybe(messyString), { maxLength: 3 })), async (a, b) => {
      await same("||", [a, b], ["VARCHAR[]", "VARCHAR[]"], ([x, y]) => `${x} || ${y}`);
    }), { numRuns: 60 });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { messyString } from "./arbitraries.node.ts";
import { callBoth } from "./call.node.ts";
import { classDeleter, neverEmpty, patternScalars, suffixReplacer } from "./pattern.ts";

async function same(name: string, args: Value[], types: string[], sql?: (l: string[]) => string): Promise<void> {
  const r = await callBoth(name, args, types, sql);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 10 });
const likePattern = fc.array(fc.constantFrom("%", "_", "a", "B", "é", "😀", "\\", ".", "*", "(", "[", "^", "$", " ", "ß", "İ", "Σ"), { maxLength: 6 }).map((a) => a.join(""));
const subject = fc.oneof(messyString, fc.array(fc.constantFrom("a", "b", "B", "é", "😀", "\\", ".", " ", "ss", "ß", "i", "σ", "\n"), { maxLength: 6 }).map((a) => a.join("")));

describe("LIKE and regular expressions", () => {
  it("LIKE, NOT LIKE, ILIKE and NOT ILIKE match like DuckDB", async () => {
    await fc.assert(fc.asyncProperty(maybe(subject), maybe(likePattern), async (s, p) => {
      await same("~~", [s, p], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} LIKE ${b}`);
      await same("!~~", [s, p], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} NOT LIKE ${b}`);
      await same("~~*", [s, p], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} ILIKE ${b}`);
      await same("!~~*", [s, p], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} NOT ILIKE ${b}`);
    }), { numRuns: 400 });
  });

  it("LIKE of literal pieces and global regexp_replace with empty matches agree with DuckDB", async () => {
    for (const [s, p] of [["a", "a%a"], ["aa", "a%a"], ["aba", "a%b%a"], ["ab", "a%b%b"], ["", "%"], ["", ""], ["x", "%%"], ["a:b", "%:%"], ["ab", "%b%a%"], ["İx", "i%"], ["ΣA", "σ%"]] as [string, string][]) {
      await same("~~", [s, p], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} LIKE ${b}`);
      await same("~~*", [s, p], ["VARCHAR", "VARCHAR"], ([a, b]) => `${a} ILIKE ${b}`);
    }
    for (const [s, p, r] of [["abc", "x*", "-"], ["abc", "b*", "-"], ["a😀b", "", "-"], ["+49 (123) 456", "[^0-9]", ""], ["aaa", "a", "$0"], ["a.b", "\\.", "\\\\"], ["ab", "(a)", "\\1\\1"], ["ab", "(a)", "\\2"]] as [string, string, string][]) {
      await same("regexp_replace", [s, p, r, "g"], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
      await same("regexp_replace", [s, p, r], ["VARCHAR", "VARCHAR", "VARCHAR"]);
    }
  });

  it("RE2's POSIX bracket classes ([[:alpha:]] ...) match as in DuckDB", async () => {
    // A random batch found them unsupported (JS has no [:name:]).
    const subs = ["a éσié\ni", "Ab1_-!@[`{~ \t\u0001\u007f", "\\1:bé", "x Y z", ""];
    const pats = ["[[:alpha:]]+", "[[:digit:]]+", "[[:alnum:]_]+", "[[:punct:]]", "[[:space:]]+", "[[:upper:][:digit:]]+", "[^[:alpha:]]+", "[[:xdigit:]]+", "[[:cntrl:]]", "[[:word:]]+", "[[:blank:]]", "[[:graph:]]+", "[[:print:]]+", "[[:lower:]]+", "[[:ascii:]]+", "[a[:digit:]]"];
    for (const s of subs) for (const p of pats) {
      await same("regexp_replace", [s, p, "-", "g"], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
      await same("regexp_matches", [s, p], ["VARCHAR", "VARCHAR"]);
    }
  });

  it("RE2 syntax that JS spells differently or refuses (escaped punctuation, literal braces, \\p{Greek}, \\Q..\\E, inline flags) as DuckDB", async () => {
    // Found by a hunt: '\\d{3}\\-\\d', '{"a"', '\\p{Greek}' and '\\x{1F600}' failed every row ("Invalid escape"), (?m)/(?U) were ignored.
    const subs = ["héllo Wörld", "a.b{,3}-x #2 @3 :4 a]}", "aaa", "a\nb", "K \u017f \u212a", "日本 αβγ", "x-1 (2)", "", "\u{1F600}"];
    const patterns = ["\\d\\-\\d", "[\\w.\\-]+", "\\#|\\@|\\:|\\ ", '{"a"', "a{,3}", "a{", "a]", "}", "\\p{Greek}+", "\\p{Han}", "\\pL+", "\\p{^L}", "\\PL", "\\x{1F600}", "\\x41",
      "\\Qa.b\\E", "\\Q.", "[[:^alpha:]]+", "[^[:^alpha:]]", "[\\d-z]+", "[\\S]+", "\\s", "(?U)a+", "(?U)a+?", "(?m)^b", "(?m)a$", "(?s)a.b", "(?i)(?s)K", "(?i)k", "(?i)[[:^lower:]]+",
      "^(?i)k", "\\d|(?i)K", "^?a", "^*a", "a\\b+", "$?", "(?m)^?b", "(?P<first>\\w)(?P<second>\\w)", "(?P<1a>\\w)", "\\012|\\0", "a\\z", "\\A.", "x*", "$", "\\b"];
    // What RE2 refuses, with its words (regexp_extract answers '' for a pattern from a column, conformance text-hunt).
    const refused = ["(.)\\1", "l(?=o)", "(?<n>l)", "\\e", "\\pX", "[a", "a\\", "(?P=a)", "(?x)a", "a{2,1001}", "[z-a]", "[a-\\d]", "\\E"];
    for (const p of [...patterns, ...refused]) {
      for (const s of subs) {
        await same("regexp_matches", [s, p], ["VARCHAR", "VARCHAR"]);
        if (!refused.includes(p)) await same("regexp_extract", [s, p], ["VARCHAR", "VARCHAR"]);
        if (!refused.includes(p)) await same("regexp_extract_all", [s, p], ["VARCHAR", "VARCHAR"]);
      }
      await same("regexp_replace", [subs[1]!, p, "<\\0>", "g"], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
      if (!refused.includes(p)) await same("regexp_extract", [subs[4]!, p, 0, "i"], ["VARCHAR", "VARCHAR", "INTEGER", "VARCHAR"]);
    }
    // V8 reported an empty match between the halves of a surrogate pair for \z written as (?![^]).
    for (const p of ["\\z", "\\A", "\\z+", "\\A+?", "(?m)$", "(?m)^", "(?m)^$"]) {
      for (const s of ["a\u{1F600}", "\u{1F600}\n\u{1F600}b\n", "\u{1F600}"]) {
        await same("regexp_replace", [s, p, "<>", "g"], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
        await same("regexp_extract_all", [s, p], ["VARCHAR", "VARCHAR"]);
      }
    }
    // DuckDB's options m, n and p make '.' stop at \n again; they do not make ^ and $ match at line ends. 'l' is literal.
    for (const [s, p, o] of [["a\nb", "^b", "m"], ["a\nb", "a.b", "sm"], ["a\nb", "a.b", "ms"], ["a\nb", "a$", "n"], ["a.b", "a.b", "l"], ["axb", "a.b", "l"], ["A(B", "a(b", "li"]] as [string, string, string][]) {
      await same("regexp_matches", [s, p, o], ["VARCHAR", "VARCHAR", "VARCHAR"]);
    }
  });

  it("regexp_extract_all walks the text as DuckDB does: an empty match after a gap twice, an unmatched group NULL", async () => {
    for (const [s, p, g] of [["abc", "$", 0], ["", "$", 0], ["abc", "x*", 0], ["ab cd", "\\b", 0], ["abc", "c*", 0], ["abcc", "c?", 0], ["h\u{1F600}é", "x*", 0], ["ab", "(x)?b", 1], ["abab", "(a)|(b)", 2], ["ab", "b", 3], ["xx", "b", 3], ["ab", "b", -1]] as [string, string, number][]) {
      await same("regexp_extract_all", [s, p, g], ["VARCHAR", "VARCHAR", "INTEGER"]);
    }
  });

  it("LIKE ... ESCAPE treats the escaped wildcard literally", async () => {
    await fc.assert(fc.asyncProperty(subject, likePattern, fc.constantFrom("\\", "!", "a"), async (s, p, e) => {
      const r = await callBoth("like_escape", [s, p, e], ["VARCHAR", "VARCHAR", "VARCHAR"], ([a, b, c]) => `${a} LIKE ${b} ESCAPE ${c}`);
      // DuckDB reports a trailing escape as a Syntax Error; the contract has no such code.
      if (!r.theirs.ok && r.theirs.error.startsWith("Syntax Error")) expect(r.ours.ok, r.sql).toBe(false);
      else expect(r.ours, r.sql).toEqual(r.theirs);
    }), { numRuns: 300 });
  });

  it("regexp_matches, regexp_extract and regexp_replace agree with DuckDB's RE2", async () => {
    const patterns = fc.constantFrom("a", "^a", "b$", "a.b", "[a-z]+", "(\\w+)@(\\w+)", "\\d+", "é+", ".", "^$", "(a|b)*", "😀", "\\s", "(?i)b", "[^a]", "a{2}", "(a)(b)?", ".*", "[[:alpha:]]+", "[^[:digit:] ]");
    await fc.assert(fc.asyncProperty(maybe(subject), patterns, fc.constantFrom("x", "<\\1>", "\\0\\0", "$1", "\\\\"), fc.constantFrom(undefined, "g", "i", "gi", "c"), async (s, p, r, o) => {
      await same("regexp_matches", [s, p], ["VARCHAR", "VARCHAR"]);
      await same("regexp_full_match", [s, p], ["VARCHAR", "VARCHAR"]);
      await same("regexp_extract", [s, p], ["VARCHAR", "VARCHAR"]);
      await same("regexp_extract", [s, p, 1n], ["VARCHAR", "VARCHAR", "INTEGER"].map((t, i) => (i === 2 ? "INTEGER" : t)), ([a, b]) => `regexp_extract(${a}, ${b}, 1)`);
      if (o === undefined) await same("regexp_replace", [s, p, r], ["VARCHAR", "VARCHAR", "VARCHAR"]);
      else await same("regexp_replace", [s, p, r, o], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
    }), { numRuns: 300 });
  });

  it("regexp_replace specialised for a constant pattern answers as the general call, errors included", () => {
    const general = patternScalars.regexp_replace!;
    const patterns = ["a", "[a-z]+", "\\d+", "é+", ".", "[^0-9]", "\\.[0-9]+$", "(a|b)*", "^$", "x*", "a{2}", "[^a]+", "(unclosed"];
    for (const p of patterns) {
      for (const r of ["x", "$1", "$&", "<\\1>", "\\\\", ""]) {
        for (const o of [undefined, "g", "gi"]) {
          const types = o === undefined ? ["VARCHAR", "VARCHAR", "VARCHAR"] : ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"];
          const ctx = { argTypes: types, resultType: "VARCHAR" };
          const constants = [null, { value: p }, { value: r }, ...(o === undefined ? [] : [{ value: o }])];
          const special = general.specialize!(constants, ctx) ?? general;
          for (const s of [null, "", "abc 123", "a.1.22", "ééa😀b", "aab ba", "$1"]) {
            const args = o === undefined ? [s, p, r] : [s, p, r, o];
            let want: unknown, got: unknown;
            try { want = general(args, ctx); } catch (e) { want = `error: ${(e as Error).message}`; }
            try { got = special(args, ctx); } catch (e) { got = `error: ${(e as Error).message}`; }
            expect(got, `regexp_replace(${JSON.stringify(s)}, ${JSON.stringify(p)}, ${JSON.stringify(r)}, ${o})`).toEqual(want);
          }
        }
      }
    }
  });

  it("regexp_replace says it cannot fail only where no text makes it fail", () => {
    const general = patternScalars.regexp_replace!;
    const ctx3 = { argTypes: ["VARCHAR", "VARCHAR", "VARCHAR"], resultType: "VARCHAR" };
    const ctx4 = { argTypes: ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"], resultType: "VARCHAR" };
    // pii-staging's two calls are computed at first use (their column remembered as a whole).
    expect(general.cannotFail!([null, { value: "[^0-9]" }, { value: "" }, { value: "g" }], ctx4)).toBe(true);
    expect(general.cannotFail!([null, { value: "\\.[0-9]+$" }, { value: ".0" }], ctx3)).toBe(true);
    // A pattern that does not compile fails for every text; a varying pattern or options may.
    expect(general.cannotFail!([null, { value: "(unclosed" }, { value: "" }], ctx3)).toBe(false);
    expect(general.cannotFail!([null, null, { value: "" }], ctx3)).toBe(false);
    expect(general.cannotFail!([null, { value: "a" }, { value: "" }, null], ctx4)).toBe(false);
    expect(general.cannotFail!([null, { value: "a" }, { value: "" }, { value: "q" }], ctx4)).toBe(false);
    const patterns = ["a", "[a-z]+", "\\d+", "é+", ".", "[^0-9]", "\\.[0-9]+$", "(a|b)*", "^$", "x*", "a{2}", "[^a]+"];
    for (const p of patterns) {
      for (const r of ["x", "$1", "<\\1>", "\\\\", ""]) {
        for (const o of [undefined, "g", "gi"]) {
          const ctx = o === undefined ? ctx3 : ctx4;
          if (!general.cannotFail!([null, { value: p }, { value: r }, ...(o === undefined ? [] : [{ value: o }])], ctx)) continue;
          fc.assert(fc.property(messyString, (s) => {
            general(o === undefined ? [s, p, r] : [s, p, r, o], ctx);
          }), { numRuns: 50 });
        }
      }
    }
  });

  it("knows which patterns can never match the empty string", () => {
    for (const p of ["a", "[a-z]+", "\\d+", "[^0-9]", "\\.[0-9]+", "[]a]", "é+", "."]) expect(neverEmpty(p), p).toBe(true);
    for (const p of ["", "x*", "a?", "a{0,2}", "a|b", "(a)", "^a", "a$", "\\b", "\\ba", "+a", "[[:digit:]]", "[a", "a+?"]) expect(neverEmpty(p), p).toBe(false);
  });
});

describe("regexp_replace deleting one character class", () => {
  it("deletes as DuckDB does, with classes of ASCII characters and ranges, negated or not, and unicode text", async () => {
    const patterns = ["[^0-9]", "[^0-9]+", "[0-9]", "[-. ()]+", "[^a-zA-Z0-9_-]", "[]a]", "[a-]", "[^-]", "[aeiou]", "[^ ]+", "[\t\n]"];
    const texts = ["+49 (0) 123-456 789", "", "ééa😀b 12", "a]b-c", "line\none\ttab", "   ", "日本 123", "x\u007f\u0001"];
    for (const p of patterns) {
      for (const s of texts) await same("regexp_replace", [s, p, "", "g"], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
    }
  });

  it("is used only where it answers as the regular expression would", () => {
    expect(classDeleter("[^0-9]")!("+1 (555) 010-9999")).toBe("15550109999");
    expect(classDeleter("[^0-9]")!("😀7é")).toBe("7");
    expect(classDeleter("[a-c]+")!("abcdcba😀")).toBe("d😀");
    // Escapes, POSIX classes, non-ASCII members, several atoms and ambiguous dashes keep the regular path.
    for (const p of ["\\d", "[\\d]", "[[:digit:]]", "[é]", "[0-9]x", "[a-c-e]", "[]", "[z-a]", "[0-9]*"]) expect(classDeleter(p), p).toBeNull();
  });
});

describe("regexp_replace of a class run ending the text", () => {
  it("replaces as DuckDB does: the leftmost start, a member lead character, unicode, once or global", async () => {
    const patterns = ["\\.[0-9]+$", "\\.\\d+$", "a[^0-9]+$", "1[0-9]+$", ":[0-9a-f]+$", "\\.[^ ]+$", "@[^@]+$"];
    const texts = ["100.228.195.104", "10.0.0.", "1.2.x", "a.b", "", ".", ".5", "v1.2.3é", "ab😀", "a1a2", "x1111", "1", "2001:db8::ff", "a@b@c", "é.😀"];
    for (const p of patterns) {
      expect(suffixReplacer(p, ".0"), p).not.toBeNull();
      for (const s of texts) {
        await same("regexp_replace", [s, p, ".0"], ["VARCHAR", "VARCHAR", "VARCHAR"]);
        await same("regexp_replace", [s, p, "<\\\\>", "g"], ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"]);
      }
    }
  });

  it("is used only for that shape", () => {
    expect(suffixReplacer("\\.[0-9]+$", ".0")!("198.149.102.15")).toBe("198.149.102.0");
    expect(suffixReplacer("1[0-9]+$", "!")!("a1211")).toBe("a!");
    for (const p of ["\\.[0-9]*$", "[0-9]+$", "\\.[0-9]+", "^\\.[0-9]+$", "\\w[0-9]+$", "a[\\d]+$", "(a)[0-9]+$", ".[0-9]+$", "\\.[é]+$"]) expect(suffixReplacer(p, ""), p).toBeNull();
  });
});

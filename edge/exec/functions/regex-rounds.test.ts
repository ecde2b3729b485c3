import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { callBoth } from "./call.node.ts";
import { patternScalars, regexRefusal } from "./pattern.ts";

const ctx = { argTypes: ["VARCHAR", "VARCHAR", "INTEGER"], resultType: "VARCHAR" };
const constants = (...values: Value[]) => values.map((value) => ({ value }));

describe("capture groups inside repetitions", () => {
  it("DuckDB keeps a group's text from an earlier round of a repetition (the difference the refusal is for)", async () => {
    const r = await callBoth("regexp_extract", ["ab", "(?:(a)|b)+", 1], ["VARCHAR", "VARCHAR", "INTEGER"]);
    expect(r.theirs).toEqual({ ok: true, value: "a" });
  });

  it("taking a group that a repetition's last round can skip is refused with the pattern and what to write", () => {
    for (const [fn, args] of [
      ["regexp_extract", ["ab", "(?:(a)|b)+", 1]],
      ["regexp_extract_all", ["ab", "(?:(a)?b)+", 1]],
      ["regexp_extract", ["1x", "(?:x|(?P<d>\\d)){2,}", ["d"]]],
      ["regexp_replace", ["ab", "(a|(b))+", "[\\2]", "g"]],
    ] as [string, Value[]][]) {
      expect(() => patternScalars[fn]!(args, ctx), fn).toThrow(expect.objectContaining({ code: "not_implemented", message: expect.stringContaining("regexp_extract_all(text, ") }));
      expect(regexRefusal(fn, constants(null, ...args.slice(1))), fn).toMatch(/^capture group \d of the regular expression '.+' sits in a repetition whose last round can skip it/);
    }
  });

  it("groups every round sets, groups outside repetitions and the whole match are not refused", () => {
    expect(regexRefusal("regexp_extract", constants(null, "(?:(a*)b)+", 1))).toBeNull();
    expect(regexRefusal("regexp_extract", constants(null, "(a|b)+", 1))).toBeNull();
    expect(regexRefusal("regexp_extract", constants(null, "(?:(a)|b)+", 0))).toBeNull();
    expect(regexRefusal("regexp_extract", constants(null, "(?:(a)|b)", 1))).toBeNull();
    expect(regexRefusal("regexp_replace", constants(null, "(?:(a)|b)+", "<\\0>"))).toBeNull();
    expect(regexRefusal("regexp_matches", constants(null, "(?:(a)|b)+"))).toBeNull();
    expect(patternScalars.regexp_extract!(["ab", "(?:(a*)b)+", 1], ctx)).toBe("a");
  });

  it("the compiler's question also names the other patterns the executor refuses (a case-insensitive part, \\C)", () => {
    expect(regexRefusal("regexp_matches", constants(null, "a(?i)b"))).toMatch(/case-insensitive part/);
    expect(regexRefusal("regexp_extract", constants(null, "\\C", 0))).toMatch(/\\C \(any byte\)/);
    expect(regexRefusal("regexp_matches", constants(null, "a(b"))).toBeNull();
    expect(regexRefusal("regexp_matches", [undefined, undefined])).toBeNull();
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { callBoth } from "./call.node.ts";
import { compileRegex } from "./pattern.ts";
import { BITSTATE_CELLS, compileProgram, forcedLinearRegExp, runsLinearly } from "./pike.ts";

const strictLog = String.raw`^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$`;
const lazyLog = String.raw`^(\S+) (\S+) (\S+) \[(.*?)\] "(.*?)" (\d+) (\d+)`;
const looseLog = String.raw`^(\S+) (\S+) (\S+) \[(.*?)\] "(.*?)" (\d+) (\S+) "(.*?)" "(.*?)"$`;
const email = String.raw`^\S+@\S+\.\S+$`;
const lines = [
  `203.0.113.7 - alice [12/Oct/2025:13:55:36 +0000] "GET /api/v1/orders?id=12345&expand=items HTTP/1.1" 200 5120 "https://example.com/start" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"`,
  `10.0.0.1 - - [12/Oct/2025:13:55:37 +0000] "POST /login HTTP/1.1" 302 - "-" "curl/8.4.0"`,
  `10.0.0.1 - - [12/Oct/2025:13:55:37 +0000] "GET /a b" c" 200 12 "-" "say "hi" [x] é😀"`,
  `garbage line with [brackets] and "quotes" 200 300 but not a log`,
  `10.0.0.2 - bob [bad date] "GET / HTTP/1.0" 404 0 "" ""`,
];

async function same(name: string, args: Value[]): Promise<void> {
  const types = args.map((a, i) => (i === 2 && typeof a === "number" ? "INTEGER" : "VARCHAR"));
  const r = await callBoth(name, args, types);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

/** Every way a RegExp is run (exec with captures, test, a global walk), as plain data. */
function outcomes(re: RegExp, text: string): unknown {
  const all: unknown[] = [];
  re.lastIndex = 0;
  for (let k = 0; k < 40; k++) {
    const m = re.exec(text);
    if (m === null) break;
    all.push([m.index, ...m]);
    if (m[0] === "") re.lastIndex = m.index + 1;
  }
  const one = new RegExp(re.source, re.flags.replace("g", ""));
  return { all, test: forcedLinearRegExp(one.source, one.flags).test(text) };
}

describe("the linear regex engines are fast enough for log parsing", () => {
  it("the combined access-log regex, strict or with lazy .*? fields fenced by literals, stays on V8's engine", () => {
    // `\S+ ` or `" (\d+) "`: a repetition fenced by characters it cannot match ends where its run ends,
    // so it adds no degree to the backtracking's polynomial.
    for (const p of [strictLog, lazyLog, String.raw`^(\S+) (\S+) (\S+) \[(.*?)\] "(.*?)" (\d+) (\d+)$`, String.raw`(\w+)=(\d+)`]) {
      expect(runsLinearly(compileRegex(p, "")), p).toBe(false);
    }
    // Still cubic or worse for a backtracking engine: the repetitions can end at many places.
    for (const p of [email, looseLog, ".*a.*b.*c", String.raw`^\d+\d+\d+x`, String.raw`\S+@\S+\.\S+`, "^(a+)+$"]) {
      expect(runsLinearly(compileRegex(p, "")), p).toBe(true);
    }
  });

  it("log lines parsed by the linear engines (BitState for a line, the Pike VM for a long one) as DuckDB does", async () => {
    const long = lines[0]!.repeat(80);
    expect(compileProgram(compileRegex(looseLog, "").source, false).op.length * long.length).toBeGreaterThan(BITSTATE_CELLS);
    for (const text of [...lines, long, `${long} ${lines[1]}`]) {
      for (const p of [looseLog, String.raw`\[(.*?)\] "(\S+) (.*?)"`]) {
        await same("regexp_matches", [text, p]);
        for (const g of [0, 1, 3]) await same("regexp_extract", [text, p, g]);
        await same("regexp_extract_all", [text, p, 2]);
        await same("regexp_replace", [text, p, "<\\1|\\2>", "g"]);
      }
    }
    for (const text of ["john.doe+news@mail.example.co.uk", "not an e-mail @ all.", `a@b.c${" x@y.z".repeat(900)}`, `${"x@y.".repeat(900)}`, "é@😀.ü"]) {
      await same("regexp_full_match", [text, String.raw`\S+@\S+\.\S+`]);
      await same("regexp_matches", [text, email]);
      await same("regexp_extract_all", [text, String.raw`(\S+)@(\S+)\.(\S+)`, 2]);
    }
  }, 120_000);

  it("a loop's round that matches nothing keeps its groups as RE2 does, on the empty text too", async () => {
    // The empty text went to V8's engine, which drops such a round (group 1 was NULL, RE2 says '').
    for (const p of ["(?:((?:$)+)*)?", "(?:(?:(a|(a|($|a))))+)*", "((a?)+)*"]) {
      for (const t of ["", "a"]) {
        await same("regexp_extract_all", [t, p, 1]);
        await same("regexp_extract", [t, p, 1]);
      }
    }
  });

  it("BitState and the Pike VM find the same matches and submatches as V8 on realistic patterns", () => {
    for (const p of [strictLog, lazyLog, looseLog, email, String.raw`(\w+)=("[^"]*"|\S+)`, String.raw`\s+`, String.raw`\d+`, String.raw`(\w+\s?)*$`, String.raw`\b(\w+)@(\w+)\b`]) {
      const re = compileRegex(p, "g");
      for (const text of [...lines, "", "a", "ts=1 msg=\"x y\" n=22", "foo  bar\tbaz 12 😀 7"]) {
        const v8 = outcomes(new RegExp(re.source, re.flags), text);
        expect(outcomes(forcedLinearRegExp(re.source, re.flags, "bitstate"), text), `${p} on ${text}`).toEqual(v8);
        expect(outcomes(forcedLinearRegExp(re.source, re.flags, "pike"), text), `${p} on ${text}`).toEqual(v8);
      }
    }
  });

  it("BitState and the Pike VM agree on random nested repetitions, with captures, without, and walking a text", () => {
    const atom = fc.constantFrom("a", "b", "[ab]", "\\w", "\\s", ".", "é", "😀", "\\d", "x", "^", "$", "\\b", "\\B", "[^a]", "(?m:^)", "(?m:$)");
    const quant = fc.constantFrom("*", "+", "?", "{1,2}", "*?", "+?", "??", "{2}", "{0,}");
    const pattern: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
      p: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        atom,
        fc.tuple(tie("p"), tie("p")).map(([x, y]) => `${x}${y}`),
        fc.tuple(tie("p"), tie("p")).map(([x, y]) => `(${x}|${y})`),
        fc.tuple(tie("p"), quant, fc.boolean()).map(([x, q, cap]) => `(${cap ? "" : "?:"}${x})${q}`),
      ),
    })).p;
    const text = fc.array(fc.constantFrom("a", "b", " ", "é", "😀", "1", "x", "\n"), { maxLength: 12 }).map((a) => a.join(""));
    fc.assert(fc.property(fc.constantFrom("", "(?i)", "(?s)", "(?U)"), pattern, text, (f, p, t) => {
      let re: RegExp;
      try {
        re = compileRegex(f + p, "g");
      } catch {
        return;
      }
      expect(outcomes(forcedLinearRegExp(re.source, re.flags, "bitstate"), t)).toEqual(outcomes(forcedLinearRegExp(re.source, re.flags, "pike"), t));
    }), { numRuns: Number(process.env.REGEX13_RUNS ?? 1500), seed: Number(process.env.REGEX13_SEED ?? 13) });
  });
});

/**
 * The lazy DFA (dfa.ts) in front of pike.ts's engines: its answers (match or not, where the
 * leftmost-first match starts and ends, its submatches, walking a text) are the Pike VM's, on
 * random patterns and texts and on log lines; V8's where V8 agrees with RE2; DuckDB's on log
 * parsing; a pattern whose DFA would blow up stays bounded (the cache clears, then the DFA gives
 * way to the Pike VM with the same answers).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Value } from "../../plan/values.ts";
import { callBoth } from "./call.node.ts";
import { dfaSearch, GAVE_UP } from "./dfa.ts";
import { compileRegex } from "./pattern.ts";
import { compileProgram, forcedLinearRegExp, runProgram } from "./pike.ts";

/** Every search of `source` over `text` the engines are asked: test, exec from each position (sticky too), as plain data. */
function answers(source: string, flags: string, text: string, engine: "dfa" | "pike", step = 1): unknown[] {
  const p = compileProgram(source, flags.includes("i"));
  const out: unknown[] = [];
  const one = (from: number, sticky: boolean, captures: boolean | "span"): void => {
    let found: Int32Array | null | typeof GAVE_UP;
    if (engine === "dfa") {
      found = dfaSearch(p, text, from, sticky, captures);
      // The DFA itself answered: giving way to another engine is not what is tested here.
      expect(found, `${source} on ${JSON.stringify(text)} from ${from}`).not.toBe(GAVE_UP);
      if (found === GAVE_UP) return;
    } else found = runProgram(p, text, from, sticky, captures === "span" ? true : captures, "pike");
    if (found === null) out.push(null);
    else if (captures === false) out.push(true);
    else out.push([...(captures === "span" ? found.slice(0, 2) : found)]);
  };
  for (let from = 0; from <= text.length; from += from === text.length - 1 ? 1 : Math.min(step, Math.max(1, text.length - from - 1))) {
    // (Between a surrogate pair's halves the DFA gives way: tested below.)
    if (from > 0 && (text.charCodeAt(from) & 0xfc00) === 0xdc00 && (text.charCodeAt(from - 1) & 0xfc00) === 0xd800) continue;
    for (const sticky of [false, true]) {
      one(from, sticky, false);
      one(from, sticky, "span");
      one(from, sticky, true);
    }
  }
  return out;
}

/** A global walk as regexp_extract_all and the replace walks do it, with every group. */
function walkAll(re: RegExp, text: string): unknown[] {
  const all: unknown[] = [];
  re.lastIndex = 0;
  for (let k = 0; k < 60; k++) {
    const m = re.exec(text);
    if (m === null) break;
    all.push([m.index, ...m]);
    if (m[0] === "") re.lastIndex = m.index + 1;
  }
  return all;
}

const atom = fc.constantFrom("a", "b", "[ab]", "\\w", "\\s", ".", "é", "😀", "\\d", "x", "A", "^", "$", "\\b", "\\B", "[^a]", "\\pL", "(?m:^)", "(?m:$)");
const quant = fc.constantFrom("*", "+", "?", "{1,2}", "*?", "+?", "??", "{2}", "{0,}", "{1,3}?");
const pattern: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
  p: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc.tuple(tie("p"), tie("p")).map(([x, y]) => `${x}${y}`),
    fc.tuple(tie("p"), tie("p")).map(([x, y]) => `(${x}|${y})`),
    fc.tuple(tie("p"), quant, fc.boolean()).map(([x, q, cap]) => `(${cap ? "" : "?:"}${x})${q}`),
  ),
})).p;
const text = fc.array(fc.constantFrom("a", "b", "A", " ", "é", "😀", "1", "x", "\n", "\ud83d"), { maxLength: 10 }).map((a) => a.join(""));
const flagsPrefix = fc.constantFrom("", "", "(?i)", "(?s)", "(?U)", "(?m)");

const strictLog = String.raw`^(\S+) \S+ (\S+) \[([^\]]+)\] "(\w+) ([^"]*)" (\d{3}) (\d+|-)`;
const lazyLog = String.raw`^(\S+) (\S+) (\S+) \[(.*?)\] "(.*?)" (\d+) (\S+) "(.*?)" "(.*?)"$`;
const looseLog = String.raw`^(\S+) .* \[(.*)\] "(\S+) (.*) .*" (\d+) .*$`;
const lines = [
  `203.0.113.7 - alice [12/Oct/2025:13:55:36 +0000] "GET /api/v1/orders?id=12345&expand=items HTTP/1.1" 200 5120 "https://example.com/start" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"`,
  `10.0.0.1 - - [12/Oct/2025:13:55:37 +0000] "POST /login HTTP/1.1" 302 - "-" "curl/8.4.0"`,
  `10.0.0.1 - - [12/Oct/2025:13:55:37 +0000] "GET /a b" c" 200 12 "-" "say "hi" [x] é😀"`,
  `garbage line with [brackets] and "quotes" 200 300 but not a log`,
  `10.0.0.2 - bob [bad date] "GET /café/menü HTTP/1.0" 404 0 "" "Mözilla — “quoted” 😀"`,
  `2025-10-12T13:55:00Z ERROR [api] upstream connection refused by 10.0.0.7:5432 user=bob.smith+x@mail.co.uk ip=192.168.1.20`,
  `ts=2025-10-12T13:10:00Z level=warn msg="cache miss" user_id=42 path=/search?q=a+b latency_ms=87 status=500`,
  "",
];
const logPatterns = [
  strictLog, lazyLog, looseLog,
  String.raw`^\S+ \S+ \S+ \[.*?\] ".*?" 5\d\d`,
  String.raw`(error|fatal|critical).*(timeout|refused|reset)`,
  String.raw`([a-zA-Z0-9_.+-]+)@((?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,})`,
  String.raw`\b(\d{1,3}\.){3}\d{1,3}\b`,
  String.raw`(\w+)=("[^"]*"|\S+)`,
  String.raw`\s+`,
];
/** Patterns whose loop's last round RE2 and V8 answer differently: compared with the Pike VM only. */
const loopRounds = [String.raw`(\w+\s?)*$`, String.raw`^(?:(\w+)|(\d+))+`];
logPatterns.push(...loopRounds);

async function same(name: string, args: Value[]): Promise<void> {
  const types = args.map((a, i) => (i === 2 && typeof a === "number" ? "INTEGER" : "VARCHAR"));
  const r = await callBoth(name, args, types);
  expect(r.ours, r.sql).toEqual(r.theirs);
}

describe("the lazy DFA in front of the linear regex engines", () => {
  it("answers as the Pike VM does on random patterns and texts: match or not, the match's span, its submatches, from every position, sticky or not", () => {
    fc.assert(fc.property(flagsPrefix, pattern, text, (f, p, t) => {
      let re: RegExp;
      try {
        re = compileRegex(f + p, "");
      } catch {
        return;
      }
      expect(answers(re.source, re.flags, t, "dfa"), `${f + p} on ${JSON.stringify(t)}`).toEqual(answers(re.source, re.flags, t, "pike"));
    }), { numRuns: Number(process.env.DFA_RUNS ?? 1500), seed: Number(process.env.DFA_SEED ?? 14) });
  });

  it("walks a text (global exec, replace with a template or a function) as the Pike VM does on random patterns", () => {
    fc.assert(fc.property(flagsPrefix, pattern, text, (f, p, t) => {
      let re: RegExp;
      try {
        re = compileRegex(f + p, "g");
      } catch {
        return;
      }
      const dfa = forcedLinearRegExp(re.source, re.flags, "dfa"), pike = forcedLinearRegExp(re.source, re.flags, "pike");
      expect(walkAll(dfa, t)).toEqual(walkAll(pike, t));
      expect(t.replace(dfa, "<$&|$1>")).toEqual(t.replace(pike, "<$&|$1>"));
      expect(t.replace(dfa, "-")).toEqual(t.replace(pike, "-"));
      const calls = (re2: RegExp): unknown[] => {
        const seen: unknown[] = [];
        t.replace(re2, (...args: unknown[]) => (seen.push(args), "#"));
        return seen;
      };
      expect(calls(dfa)).toEqual(calls(pike));
    }), { numRuns: Number(process.env.DFA_RUNS ?? 700), seed: Number(process.env.DFA_SEED ?? 41) });
  });

  it("answers as the Pike VM and V8 do on log-parsing patterns over real-looking lines, long lines too", () => {
    const long = `${lines[0]} `.repeat(120) + lines[1];
    for (const p of logPatterns) {
      for (const flags of ["", "i"]) {
        const re = compileRegex(p, `${flags}g`);
        for (const t of [...lines, long]) {
          expect(answers(re.source, re.flags, t.slice(0, 300), "dfa", 13), `${p} on ${t.slice(0, 40)}`).toEqual(answers(re.source, re.flags, t.slice(0, 300), "pike", 13));
          const dfa = forcedLinearRegExp(re.source, re.flags, "dfa");
          const pike = forcedLinearRegExp(re.source, re.flags, "pike");
          const v8 = new RegExp(re.source, re.flags);
          const want = walkAll(pike, t);
          expect(walkAll(dfa, t), `${p} on ${t.slice(0, 40)}`).toEqual(want);
          // V8 agrees with RE2 here, except on a loop's last round (`(\w+\s?)*`, `(?:(\w+)|(\d+))+`).
          if (!loopRounds.includes(p)) expect(walkAll(v8, t), `${p} on ${t.slice(0, 40)}`).toEqual(want);
          for (const rewrite of ["<$1>", "x", "$$", "$'", "$`"]) {
            expect(t.replace(dfa, rewrite)).toEqual(t.replace(pike, rewrite));
            if (!loopRounds.includes(p)) expect(t.replace(dfa, rewrite), `${p} ${rewrite} on ${t.slice(0, 40)}`).toEqual(t.replace(v8, rewrite));
          }
        }
      }
    }
  });

  it("String#replace on a linear-engine RegExp is the specification's: templates, a function, empty matches, surrogate pairs, once or global", () => {
    const templates = ["[$&]", "$1|$2", "$$", "$`", "$'", "$0", "$00", "$01", "$10", "$11", "$3", "$<x>", "$", "a$", "$$1", "-"];
    const texts = ["", "abc", "a😀b😀", "x=1, y=22,z=", "😀", "aXbXXc"];
    for (const p of ["(\\w)(\\w)?", "x*", "(?:)", "(\\d+)|(,)", "[😀b]", "$", "X*?"]) {
      for (const g of ["", "g"]) {
        const re = compileRegex(p, g);
        const ours = forcedLinearRegExp(re.source, re.flags), v8 = new RegExp(re.source, re.flags);
        for (const t of texts) {
          for (const r of templates) expect(t.replace(ours, r), `${p}/${g} ${r} on ${t}`).toBe(t.replace(v8, r));
          const calls = (x: RegExp): unknown[] => {
            const seen: unknown[] = [];
            const out = t.replace(x, (...args: unknown[]) => (seen.push(args), `<${String(args[0])}>`));
            return [out, seen];
          };
          expect(calls(ours)).toEqual(calls(v8));
          if (g === "g") expect([ours.lastIndex, t.replaceAll(ours, "#")]).toEqual([0, t.replaceAll(v8, "#")]);
        }
      }
    }
  });

  it("the anchored one-pass walk remembers a match below the way it takes, and answers the three passes' way where two ways go on", () => {
    const cases: [string, string, (string | undefined)[] | null][] = [
      // `(\w+)` greedy, then ` x` fails: the match found below ('ab' with group 'ab') is the answer.
      [String.raw`^(\w+)(?: x)?`, "ab yz", ["ab", "ab"]],
      [String.raw`^(a+)(b)?`, "aac", ["aa", "aa", undefined]],
      [String.raw`^(a+?)(a*)$`, "aaa", ["aaa", "a", "aa"]],
      // Not one-pass: `.*?` and `\]` both take ']'.
      [String.raw`^\[(.*?)\](.*)`, "[a]b]c", ["[a]b]c", "a", "b]c"]],
      [String.raw`^(?:a|ab)(c?)`, "abc", ["a", ""]],
      [String.raw`^(\d+)-(\d+)$`, "12-345", ["12-345", "12", "345"]],
      [String.raw`^(\d+)-(\d+)$`, "12-34x", null],
    ];
    for (const [p, t, want] of cases) {
      const re = compileRegex(p, "");
      const m = forcedLinearRegExp(re.source, re.flags, "dfa").exec(t);
      expect(m === null ? null : [...m], `${p} on ${t}`).toEqual(want);
      expect(m === null ? null : [...m]).toEqual(((x) => (x === null ? null : [...x]))(forcedLinearRegExp(re.source, re.flags, "pike").exec(t)));
    }
  });

  it("stays bounded on a pattern whose DFA would need exponentially many states: the cache clears, then the Pike VM answers the same", () => {
    // `(a|b)*a(a|b){14}`: the DFA must remember the last 15 characters, 2^15 states.
    const re = compileRegex("(a|b)*a(a|b){14}(c)", "");
    const p = compileProgram(re.source, false);
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), (seed >>> 16) & 1);
    const t = `${Array.from({ length: 40_000 }, () => "ab"[rnd()]).join("")}a${"ab".repeat(7)}c`;
    let gaveUp = 0;
    for (let k = 0; k < 3; k++) if (dfaSearch(p, t, 0, false, true) === GAVE_UP) gaveUp++;
    expect(gaveUp).toBeGreaterThan(0);
    const pike = forcedLinearRegExp(re.source, re.flags, "pike").exec(t);
    const auto = forcedLinearRegExp(re.source, re.flags).exec(t);
    expect(auto && [auto.index, ...auto]).toEqual(pike && [pike.index, ...pike]);
    expect(auto?.[0]).toBe(t);
  });

  it("a search from between a surrogate pair's halves gives way to the other engines, which read the low half alone", () => {
    const re = compileRegex(".", "g");
    const p = compileProgram(re.source, false);
    expect(dfaSearch(p, "a😀b", 2, false, true)).toBe(GAVE_UP);
    const m = forcedLinearRegExp(re.source, re.flags, "dfa");
    m.lastIndex = 2;
    expect(m.exec("a😀b")?.[0]).toBe("\ude00");
  });

  it("log lines parsed through the DFA as DuckDB does: extract, matches, extract_all, a global replace", async () => {
    for (const p of [lazyLog, looseLog, String.raw`\b(\d{1,3}\.){3}\d{1,3}\b`, String.raw`([a-zA-Z0-9_.+-]+)@((?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,})`, String.raw`(\w+)=("[^"]*"|\S+)`]) {
      for (const t of lines) {
        await same("regexp_matches", [t, p]);
        await same("regexp_extract", [t, p, 2]);
        await same("regexp_extract_all", [t, p, 1]);
        await same("regexp_replace", [t, p, "<\\1>", "g"]);
      }
    }
    await same("regexp_replace", [lines[4]!, String.raw`\s+`, " ", "g"]);
    await same("regexp_full_match", ["bob.smith+x@mail.co.uk", String.raw`\S+@\S+\.\S+`]);
  }, 120_000);
});

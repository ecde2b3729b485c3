/**
 * LIKE / ILIKE (`~~`, `~~*`, `!~~`, `!~~*`, like_escape) and the regexp
 * family (RE2 syntax run as JS RegExp with the `u` flag): regexp_matches,
 * regexp_full_match, regexp_extract, regexp_replace with options.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { lower } from "./strings.ts";
import { memo, newMap } from "./memo.ts";
import { linearRegExp } from "./pike.ts";

const likeCache = new Map<string, RegExp>();

/** A character as itself in a `u` RegExp outside a class: only the syntax characters take a backslash (`\-` is an error there). */
function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** Compiles a LIKE pattern (with an optional escape character) to an anchored RegExp. */
export function likeRegex(pattern: string, escape: string | null): RegExp {
  const key = `${escape ?? ""}\u0000${pattern}`;
  let re = likeCache.get(key);
  if (re) return re;
  let src = "";
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (escape !== null && c === escape) {
      const next = cps[++i];
      // DuckDB rejects a pattern ending in the escape character once it
      // gets to compare it (an empty string fails to match before that).
      if (next === undefined) { src += "(?<trailing>)"; break; }
      src += escapeRegex(next);
    } else if (c === "%") src += "[^]*";
    else if (c === "_") src += "[^]";
    else src += escapeRegex(c);
  }
  // `x LIKE '%a_%a_%a_%b'` took 10 s on 400 characters on V8's backtracking: such a pattern runs on the linear engine.
  re = linearRegExp(`^${src}$`, "su");
  likeCache.set(key, re);
  return re;
}

/**
 * A LIKE pattern without '_' and without an escape character is literal text
 * between '%'s: a prefix, pieces found in order, a suffix. Null when the
 * pattern needs the RegExp.
 */
type LiteralLike = { parts: string[] };

const literalLikeCache = new Map<string, LiteralLike | null>();

function buildLiteralLike(pattern: string): LiteralLike | null {
  return pattern.includes("_") ? null : { parts: pattern.split("%") };
}

function literalLike(pattern: string): LiteralLike | null {
  return memo(literalLikeCache, pattern, buildLiteralLike, 1024);
}

function matchLiteralLike(s: string, parts: string[]): boolean {
  const n = parts.length;
  if (n === 1) return s === parts[0];
  const first = parts[0]!, last = parts[n - 1]!;
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let at = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const piece = parts[i]!;
    if (piece === "") continue;
    const k = s.indexOf(piece, at);
    if (k < 0 || k + piece.length > end) return false;
    at = k + piece.length;
  }
  return true;
}

function like(caseInsensitive: boolean, negate: boolean): ScalarFn {
  return (args) => {
    const s = args[0], p = args[1], e = args[2];
    if (s === null || p === null || e === null || s === undefined || p === undefined) return null;
    let escape: string | null = null;
    if (typeof e === "string") {
      // One byte at most: DuckDB refuses 'é' (two UTF-8 bytes) as it refuses 'ab'.
      if (e.length > 1 || e.charCodeAt(0) > 0x7f) throw new SqlError("syntax", "Invalid escape string. Escape string must be empty or one character.");
      escape = e === "" ? null : e;
    }
    const str = caseInsensitive ? lower(s as string) : (s as string);
    const pat = caseInsensitive ? lower(p as string) : (p as string);
    if (escape === null) {
      const lit = literalLike(pat);
      if (lit !== null) return matchLiteralLike(str, lit.parts) !== negate;
    }
    const re = likeRegex(pat, escape);
    if (re.source.endsWith("(?<trailing>)$")) {
      // DuckDB's matcher raises only when it reaches the trailing escape
      // with characters left to match; an earlier mismatch is just false.
      const prefix = new RegExp(`${re.source.slice(0, -"(?<trailing>)$".length)}[^]`, "su");
      if (!prefix.test(str)) return negate;
      throw new SqlError("syntax", "Like pattern must not end with escape character!");
    }
    const r = re.test(str);
    return negate ? !r : r;
  };
}

const regexCache = new Map<string, RegExp>();

/** A regexp options text as RegExp flags for `compileRegex`, and whether it asks for every match ('g'). */
export function optionFlags(options: Value | undefined): { flags: string; global: boolean } {
  // RE2's default: '.' does not match a newline; the 's' option makes it.
  let flags = "";
  let global = false;
  if (typeof options === "string") {
    for (const o of options) {
      if (o === "i") flags += flags.includes("i") ? "" : "i";
      else if (o === "c") flags = flags.replace("i", "");
      else if (o === "g") global = true;
      else if (o === "s") flags += flags.includes("s") ? "" : "s";
      // DuckDB's "newline sensitive" options: '.' stops at \n again (RE2's dot_nl off); ^ and $ stay the text's ends.
      else if (o === "m" || o === "n" || o === "p") flags = flags.replace("s", "");
      else if (o === "l") flags += flags.includes("l") ? "" : "l";
      else throw new SqlError("invalid_input", `Unrecognized Regex option ${o}`);
    }
  }
  return { flags, global };
}

/** RE2's POSIX bracket classes as code point ranges (ASCII only, as in RE2). */
const posixRanges: Record<string, [number, number][]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]], alpha: [[0x41, 0x5a], [0x61, 0x7a]], ascii: [[0, 0x7f]], blank: [[9, 9], [0x20, 0x20]],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]], digit: [[0x30, 0x39]], graph: [[0x21, 0x7e]], lower: [[0x61, 0x7a]], print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]], space: [[9, 13], [0x20, 0x20]], upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]], xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};
/** RE2's `\s`: [\t\n\f\r ] (no \v and no Unicode spaces, unlike JS's). */
const re2Space: [number, number][] = [[9, 10], [12, 13], [0x20, 0x20]];

function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

/** ASCII ranges with their letters' other case added, and ſ (U+017F) and the Kelvin sign (U+212A), which fold to s and k. */
function foldAscii(ranges: [number, number][]): [number, number][] {
  const set = new Set<number>();
  for (const [lo, hi] of ranges) for (let c = lo; c <= hi; c++) set.add(c);
  for (const c of [...set]) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z]/.test(ch)) set.add((ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()).charCodeAt(0));
  }
  if (set.has(0x73)) set.add(0x17f);
  if (set.has(0x6b)) set.add(0x212a);
  const sorted = [...set].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === c - 1) last[1] = c;
    else out.push([c, c]);
  }
  return out;
}

const codeUnit = (cp: number): string => `\\u{${cp.toString(16)}}`;
const rangesText = (ranges: [number, number][]): string => ranges.map(([lo, hi]) => (lo === hi ? codeUnit(lo) : `${codeUnit(lo)}-${codeUnit(hi)}`)).join("");

/** One character inside a JS class (`u` flag): the class's own syntax characters and controls as `\u{..}`. */
const classChar = (cp: number): string => (cp < 0x20 || cp === 0x7f || "\\]-^[".includes(String.fromCodePoint(cp)) ? codeUnit(cp) : String.fromCodePoint(cp));
/** One character as itself outside a class (`u` flag): syntax characters and controls as `\u{..}`. */
const literal = (cp: number): string => (cp < 0x20 || cp === 0x7f || "\\^$.*+?()[]{}|/".includes(String.fromCodePoint(cp)) ? codeUnit(cp) : String.fromCodePoint(cp));

/** Unicode general categories RE2 knows (it refuses `\p{Cn}`, `\p{LC}`, `\p{L&}`); any other name is taken for a script. */
const generalCategories = new Set(["C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs"]);

const re2Error = (what: string, arg: string): SqlError => new SqlError("invalid_input", `${what}: ${arg}`);

/** The flags RE2 scopes by group: `(?s)` dot matches \n, `(?m)` ^/$ at line ends, `(?U)` ungreedy, `(?i)`. */
interface Re2Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  U: boolean;
}

/**
 * An RE2 pattern (DuckDB's dialect: Perl classes, `(?P<name>`, `\Q..\E`,
 * `\x{..}`, `\pN`, `\p{Greek}`, `[[:alpha:]]`, inline flags) as the source
 * of a JS RegExp with the `u` flag and no `m` or `s` flag, matching the same
 * texts: '.' is `[^\n]` (anything with `s`), `^`/`$` are the text's ends
 * (after/before a `\n` too with `m`, and only `\n`), `\s` is [\t\n\f\r ],
 * an escaped punctuation character is itself, a `{` that starts no
 * repetition and a lone `}` or `]` are literal, `-` between a class escape
 * and a character is literal, named groups are plain groups (numbered the
 * same). What RE2 refuses is refused with its words (`invalid escape
 * sequence: \e`, `invalid perl operator: (?<`, `missing ]: [a`); lookaround
 * and backreferences are among them. Returns the source and whether the
 * whole pattern is case-insensitive; a case change inside the pattern is not
 * followed (Not implemented Error).
 */
function translateRe2(src: string, start: Re2Flags): { source: string; ignoreCase: boolean; loopCaptures: Set<number> } {
  let out = "";
  let flags: Re2Flags = { ...start };
  const stack: Re2Flags[] = [];
  // Per open group (the root first): the capture groups inside it, and those a pass through it
  // can leave unset (in a branch of a `|`, or under a repetition that may match nothing).
  const groups: GroupCaptures[] = [{ own: null, all: [], optional: [], alternation: false }];
  let captures = 0;
  const loopCaptures = new Set<number>();
  // Whether anything whose match depends on case (a cased letter, a class) came before: a later
  // top-level (?i) can then not be one flag for the whole pattern.
  let cased = false;
  const hasCase = (text: string): boolean => text.toLowerCase() !== text.toUpperCase();
  let i = 0;
  const n = src.length;
  const cpAt = (k: number): number => src.codePointAt(k)!;
  const width = (cp: number): number => (cp > 0xffff ? 2 : 1);

  /** An escape that stands for one character (at `i` is the backslash), or null for a class escape; moves `i` past it. */
  const escapeChar = (): number => {
    if (i + 1 >= n) throw new SqlError("invalid_input", "trailing \\");
    const c = cpAt(i + 1);
    const ch = String.fromCodePoint(c);
    const bad = (len: number): SqlError => re2Error("invalid escape sequence", src.slice(i, i + 1 + len));
    if (c >= 0x31 && c <= 0x37 && i + 2 < n && src[i + 2]! >= "0" && src[i + 2]! <= "7" || c === 0x30) {
      // Octal: \0 and up to two more digits, or \1-\7 followed by at least one more.
      let j = i + 1;
      let v = 0;
      while (j < n && j < i + 4 && src[j]! >= "0" && src[j]! <= "7") v = v * 8 + (src.charCodeAt(j++) - 48);
      i = j;
      return v;
    }
    if (c >= 0x30 && c <= 0x39) throw bad(1);
    if (ch === "x") {
      if (src[i + 2] === "{") {
        const close = src.indexOf("}", i + 3);
        const hex = close < 0 ? "" : src.slice(i + 3, close);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw bad(close < 0 ? n - i - 1 : close - i - 1);
        i = close + 1;
        return parseInt(hex, 16);
      }
      const hex = src.slice(i + 2, i + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw bad(1 + hex.length);
      i += 4;
      return parseInt(hex, 16);
    }
    const controls: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (controls[ch] !== undefined) {
      i += 2;
      return controls[ch]!;
    }
    // Punctuation and other ASCII that is not a letter or digit stands for itself.
    if (c < 0x80 && !/[A-Za-z0-9]/.test(ch)) {
      i += 2;
      return c;
    }
    throw bad(ch.length);
  };

  /** `\pN`, `\p{Name}`, `\p{^Name}`, `\PN` at `i`, as a JS property escape; moves `i` past it. */
  const unicodeClass = (): string => {
    let negated = src[i + 1] === "P";
    let name: string;
    let end: number;
    if (src[i + 2] === "{") {
      const close = src.indexOf("}", i + 3);
      if (close < 0) throw re2Error("missing closing }", src.slice(i));
      name = src.slice(i + 3, close);
      end = close + 1;
    } else {
      if (i + 2 >= n) throw re2Error("invalid character class range", src.slice(i));
      name = String.fromCodePoint(cpAt(i + 2));
      end = i + 2 + name.length;
    }
    const text = src.slice(i, end);
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    let property: string;
    if (name === "Any") property = "Any";
    else if (generalCategories.has(name)) property = name;
    else if (/^[A-Z][A-Za-z_]*$/.test(name)) property = `Script=${name}`;
    else throw re2Error("invalid character class range", text);
    const js = `\\${negated ? "P" : "p"}{${property}}`;
    try {
      new RegExp(js, "u");
    } catch {
      throw re2Error("invalid character class range", text);
    }
    i = end;
    return js;
  };

  /** A Perl class (`\d \D \w \W \s \S`) or Unicode class at `i` as JS class contents or an atom; null when `i` is at another escape. */
  const perlClass = (inClass: boolean): string | null => {
    const c = src[i + 1];
    if (c === "d" || c === "D" || c === "w" || c === "W") {
      i += 2;
      return `\\${c}`;
    }
    if (c === "s" || c === "S") {
      i += 2;
      const body = rangesText(c === "s" ? re2Space : complement(re2Space));
      return inClass ? body : `[${body}]`;
    }
    if (c === "p" || c === "P") return unicodeClass();
    return null;
  };


  const bracket = (): string => {
    const open = i;
    let body = "[";
    i++;
    if (src[i] === "^") {
      body += "^";
      i++;
    }
    let first = true;
    for (;;) {
      if (i >= n) throw re2Error("missing ]", src.slice(open));
      const c = src[i]!;
      if (c === "]" && !first) {
        i++;
        return `${body}]`;
      }
      first = false;
      if (c === "[" && src[i + 1] === ":") {
        const close = src.indexOf(":]", i + 2);
        if (close >= 0) {
          let name = src.slice(i + 2, close);
          const negated = name.startsWith("^");
          if (negated) name = name.slice(1);
          const ranges = posixRanges[name];
          if (!ranges) throw re2Error("invalid character class range", src.slice(i, close + 2));
          // RE2 folds a class's case before negating it: under (?i), [[:^lower:]] leaves out A-Z, ſ and K too.
          body += rangesText(negated ? complement(flags.i ? foldAscii(ranges) : ranges) : ranges);
          i = close + 2;
          continue;
        }
      }
      if (c === "\\") {
        const cls = perlClass(true);
        if (cls !== null) {
          body += cls;
          continue;
        }
      }
      // One character, perhaps the start of a range: `-` is a range only between two characters.
      const start = i;
      const lo = c === "\\" ? escapeChar() : ((i += width(cpAt(i))), cpAt(start));
      if (src[i] === "-" && i + 1 < n && src[i + 1] !== "]") {
        i++;
        const hiStart = i;
        const hi = src[i] === "\\" ? escapeChar() : ((i += width(cpAt(i))), cpAt(hiStart));
        if (hi < lo) throw re2Error("invalid character class range", src.slice(start, i));
        body += `${classChar(lo)}-${classChar(hi)}`;
        continue;
      }
      body += classChar(lo);
    }
  };

  /** A repetition operator at `i` (already emitted): a lazy `?` after it, turned round under (?U). */
  const greediness = (): string => {
    let lazy = false;
    if (src[i] === "?") {
      lazy = true;
      i++;
    }
    if (flags.U) lazy = !lazy;
    if (src[i] === "*" || src[i] === "+" || src[i] === "?") throw re2Error("bad repetition operator", src.slice(i - 1, i + 1));
    return lazy ? "?" : "";
  };

  const setFlags = (text: string, target: Re2Flags, whole: boolean): void => {
    let on = true;
    for (const f of text) {
      if (f === "-") on = false;
      else if (f === "i" || f === "s" || f === "m" || f === "U") {
        if (f === "i" && target.i !== on && !whole) throw new SqlError("not_implemented", `a case-insensitive part of a regular expression ((?${text})) is not supported by the edge executor; use the 'i' option for the whole pattern`);
        target[f] = on;
      }
    }
  };

  while (i < n) {
    const c = src[i]!;
    if (c === "\\") {
      const next = src[i + 1];
      // Assertions go inside a group: RE2 lets a repetition follow one (`^?`, `\\b+`), JS's `u` mode does not.
      // Without JS's m flag (never set), ^ and $ are exactly the text's ends. (A lookaround such as
      // (?![^]) would also match between the two halves of a surrogate pair in V8.)
      if (next === "A") { out += "(?:^)"; i += 2; continue; }
      if (next === "z") { out += "(?:$)"; i += 2; continue; }
      if (next === "b" || next === "B") { out += `(?:\\${next})`; i += 2; continue; }
      if (next === "C") throw new SqlError("not_implemented", "\\C (any byte) in a regular expression is not supported by the edge executor: it can split a character's UTF-8 bytes");
      if (next === "Q") {
        const end = src.indexOf("\\E", i + 2);
        const text = src.slice(i + 2, end < 0 ? n : end);
        for (const ch of text) out += literal(ch.codePointAt(0)!);
        if (hasCase(text)) cased = true;
        i = end < 0 ? n : end + 2;
      } else if (next === "d" || next === "D" || next === "s" || next === "S") {
        out += perlClass(false)!;
      } else {
        const cls = perlClass(false);
        if (cls !== null) {
          out += cls;
          cased = true;
        } else {
          const cp = escapeChar();
          out += literal(cp);
          if (hasCase(String.fromCodePoint(cp))) cased = true;
        }
      }
      continue;
    }
    if (c === "[") {
      out += bracket();
      cased = true;
      continue;
    }
    if (c === "(") {
      if (src[i + 1] !== "?") {
        stack.push(flags);
        flags = { ...flags };
        groups.push({ own: ++captures, all: [], optional: [], alternation: false });
        out += "(";
        i++;
        continue;
      }
      if (src[i + 2] === "P") {
        if (src[i + 3] !== "<") throw re2Error("invalid perl operator", src.slice(i, i + 3));
        const close = src.indexOf(">", i + 4);
        if (close < 0 || !/^[\p{L}\p{N}_]+$/u.test(src.slice(i + 4, close))) throw re2Error("invalid named capture group", close < 0 ? src.slice(i) : src.slice(i, close + 1));
        stack.push(flags);
        flags = { ...flags };
        groups.push({ own: ++captures, all: [], optional: [], alternation: false });
        out += "(";
        i = close + 1;
        continue;
      }
      const m = /^\(\?([imsU-]*)([:)])/.exec(src.slice(i, i + 12));
      if (!m || m[1]!.endsWith("-") || (m[1]!.match(/-/g)?.length ?? 0) > 1) {
        const bad = /^\(\?[imsU-]*/.exec(src.slice(i))![0];
        throw re2Error("invalid perl operator", src.slice(i, i + bad.length + 1));
      }
      if (m[2] === ")") {
        // At the top level with nothing case-sensitive before it, (?i) is the whole pattern's flag.
        setFlags(m[1]!, flags, !cased && stack.length === 0);
      } else {
        stack.push(flags);
        flags = { ...flags };
        setFlags(m[1]!, flags, false);
        groups.push({ own: null, all: [], optional: [], alternation: false });
        out += "(?:";
      }
      i += m[0].length;
      continue;
    }
    if (c === ")") {
      flags = stack.pop() ?? flags;
      if (groups.length > 1) closeGroup(groups.pop()!, groups[groups.length - 1]!, src.slice(i + 1, i + 25), loopCaptures);
      out += ")";
      i++;
      continue;
    }
    if (c === ".") { out += flags.s ? "[^]" : "[^\\n]"; i++; continue; }
    if (c === "^") { out += flags.m ? "(?:(?<=^|\\n))" : "(?:^)"; i++; continue; }
    if (c === "$") { out += flags.m ? "(?:(?=\\n|$))" : "(?:$)"; i++; continue; }
    if (c === "*" || c === "+" || c === "?") {
      i++;
      out += c + greediness();
      continue;
    }
    if (c === "{") {
      const rep = /^\{(\d+)(?:(,)(\d*))?\}/.exec(src.slice(i, i + 24));
      if (rep) {
        const lo = Number(rep[1]);
        const hi = rep[2] === undefined ? lo : rep[3] === "" ? -1 : Number(rep[3]);
        if (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo)) throw re2Error("invalid repetition size", rep[0]);
        i += rep[0].length;
        out += rep[0] + greediness();
        continue;
      }
      out += "\\{";
      i++;
      continue;
    }
    if (c === "}" || c === "]") { out += `\\${c}`; i++; continue; }
    const cp = cpAt(i);
    if (c === "|") groups[groups.length - 1]!.alternation = true;
    out += c === "|" ? "|" : literal(cp);
    if (hasCase(String.fromCodePoint(cp))) cased = true;
    i += width(cp);
  }
  return { source: out, ignoreCase: flags.i, loopCaptures };
}

/** What `translateRe2` knows of one open group's capture groups (see `closeGroup`). */
interface GroupCaptures {
  /** The group's own number when it captures. */
  own: number | null;
  /** Every capture group inside it. */
  all: number[];
  /** Those a pass through it can leave unset. */
  optional: number[];
  /** Whether a `|` splits its own level. */
  alternation: boolean;
}

/**
 * A group closed: `after` is the pattern's text after its `)`, where a repetition may follow. A
 * group repeated more than once that can leave a capture unset in its last round differs between
 * the engines: RE2 keeps the text the capture took in an earlier round, JS clears every capture of
 * the group when a round starts (`(?:(a)|b)+` on 'ab': RE2's group 1 is 'a', JS's is unset); such
 * captures go into `loopCaptures`. The group's captures pass on to `parent`.
 */
function closeGroup(group: GroupCaptures, parent: GroupCaptures, after: string, loopCaptures: Set<number>): void {
  let min = 1;
  let max = 1;
  const rep = /^(?:([*+?])|\{(\d+)(?:(,)(\d*))?\})/.exec(after);
  if (rep?.[1]) {
    min = rep[1] === "+" ? 1 : 0;
    max = rep[1] === "?" ? 1 : Infinity;
  } else if (rep) {
    min = Number(rep[2]);
    max = rep[3] === undefined ? min : rep[4] === "" ? Infinity : Number(rep[4]);
  }
  const optional = group.alternation ? group.all : group.optional;
  if (max > 1) for (const n of optional) loopCaptures.add(n);
  const all = group.own === null ? group.all : [...group.all, group.own];
  parent.all.push(...all);
  parent.optional.push(...(min === 0 ? all : optional));
}

/**
 * Compiles an RE2 pattern as a JS RegExp. `flags`: `i` case-insensitive, `s`
 * '.' matches \n, `l` the pattern is literal text, `g` global (JS's, for
 * the caller's walk over matches).
 */
export function compileRegex(pattern: string, flags: string, full = false): RegExp {
  const key = `${flags}\u0000${full ? "F" : "P"}${pattern}`;
  let re = regexCache.get(key);
  if (re) return re;
  let source: string;
  let loops: Set<number>;
  let ignoreCase = flags.includes("i");
  if (flags.includes("l")) {
    source = "";
    for (const ch of pattern) source += literal(ch.codePointAt(0)!);
    loops = new Set();
  } else ({ source, ignoreCase, loopCaptures: loops } = translateRe2(pattern, { i: ignoreCase, s: flags.includes("s"), m: false, U: false }));
  if (full) source = `^(?:${source})$`;
  try {
    // A pattern V8's backtracking could take exponential time on runs on a linear engine (pike.ts).
    re = linearRegExp(source, `${ignoreCase ? "i" : ""}${flags.includes("g") ? "g" : ""}u`);
  } catch (e) {
    if (e instanceof RangeError) throw new SqlError("not_implemented", `the regular expression '${pattern}' repeats a repetition too many times for the edge executor's linear-time regex engine; write the counted repetitions ({n,m}) smaller`, { cause: e });
    if (!(e instanceof SyntaxError)) throw e;
    throw new SqlError("invalid_input", `${e.message}`, { cause: e });
  }
  if (loops.size > 0) loopCapturesOf.set(re, loops);
  regexCache.set(key, re);
  return re;
}

/** Per compiled pattern, the capture groups JS and RE2 can answer differently (`closeGroup`). */
const loopCapturesOf = new WeakMap<RegExp, Set<number>>();

/**
 * Refuses to take capture group `group` of `re` where a repetition makes RE2's answer and JS's
 * differ (`closeGroup`): DuckDB keeps what the group took in an earlier round of the repetition.
 */
export function checkCaptureGroup(re: RegExp, group: number, pattern: string): void {
  if (loopCapturesOf.get(re)?.has(group)) {
    throw new SqlError("not_implemented", `capture group ${group} of the regular expression '${pattern}' sits in a repetition whose last round can skip it (as in (?:(a)|b)+); RE2 then keeps its text from an earlier round, which the edge executor cannot: capture the whole repetition, or take the group's last match with regexp_extract_all(text, '<the group's pattern>')[-1]`);
  }
}

const regexpMatches: ScalarFn = ([s, p, o]) => {
  if (s === null || p === null || o === null || s === undefined || p === undefined) return null;
  return compileRegex(p as string, optionFlags(o).flags).test(s as string);
};

const regexpFullMatch: ScalarFn = ([s, p, o]) => {
  if (s === null || p === null || o === null || s === undefined || p === undefined) return null;
  return compileRegex(p as string, optionFlags(o).flags, true).test(s as string);
};

const regexpExtract: ScalarFn = (args) => {
  const [s, p, g, o] = args;
  if (s === null || p === null || g === null || o === null || s === undefined || p === undefined) return null;
  const flags = optionFlags(o).flags;
  let re: RegExp;
  try {
    re = compileRegex(p as string, flags);
  } catch (error) {
    // DuckDB's regexp_extract does not check a pattern that is not a constant (a constant one is
    // refused when the query is bound): one RE2 cannot parse matches nothing, so the answer is ''.
    if (error instanceof SqlError && error.code === "invalid_input" && !Array.isArray(g)) return "";
    throw error;
  }
  const m = re.exec(s as string);
  // A list of names: a STRUCT whose i-th field is capture group i + 1 (by position, whatever the
  // pattern names its groups); no match or a group that took no part gives empty strings.
  if (Array.isArray(g)) {
    g.forEach((_, i) => checkCaptureGroup(re, i + 1, p as string));
    const out: Record<string, Value> = {};
    g.forEach((name, i) => (out[String(name)] = m?.[i + 1] ?? ""));
    return out;
  }
  const group = g === undefined ? 0 : Number(g);
  checkCaptureGroup(re, group, p as string);
  if (!m) return "";
  // A group the pattern does not have extracts the empty string.
  return m[group] ?? "";
};

/**
 * regexp_extract_all(s, pattern[, group[, options]]) as DuckDB walks the text: each search
 * starts where the last match ended; a match that ends where its search began (empty there)
 * moves the start on one character. So an empty match after a gap is found twice (`$` on
 * 'abc' is ['', '']), and a group that took no part is NULL. A negative group gives [].
 */
const regexpExtractAll: ScalarFn = (args) => {
  const [s, p, g, o] = args;
  if (s === null || p === null || g === null || o === null || s === undefined || p === undefined) return null;
  let re: RegExp;
  try {
    re = compileRegex(p as string, `${optionFlags(o).flags.replace("g", "")}g`);
  } catch (error) {
    if (error instanceof SqlError && error.code === "invalid_input") throw new SqlError("invalid_input", `Pattern failed to parse, error: '${error.message}'`, { cause: error });
    throw error;
  }
  const group = g === undefined ? 0 : Number(g);
  const text = s as string;
  const out: (string | null)[] = [];
  if (group < 0) return out;
  checkCaptureGroup(re, group, p as string);
  let start = 0;
  for (;;) {
    re.lastIndex = start;
    let m = re.exec(text);
    while (m && m[0].length === 0 && midPair(text, m.index)) {
      re.lastIndex = m.index + 1;
      m = re.exec(text);
    }
    if (!m) break;
    if (group >= m.length) throw new SqlError("invalid_input", `Pattern has ${m.length - 1} groups. Cannot access group ${group}`);
    out.push(m[group] ?? null);
    const end = m.index + m[0].length;
    start = end > start ? end : start + ((text.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
    if (start > text.length) break;
  }
  return out;
};

/**
 * RE2 rewrite strings: \0-\9 are groups, \\ a backslash; '$' is literal. A backslash before
 * anything else (or at the end) is an invalid rewrite: RE2's Rewrite stops there, so a global
 * replace keeps what it wrote before it (`x\y` writes `x`); see `rewriteIsValid`.
 */
function rewrite(template: string, m: string[]): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "\\") {
      const n = template[i + 1];
      if (n !== undefined && n >= "0" && n <= "9") { out += m[Number(n)] ?? ""; i++; continue; }
      if (n === "\\") { out += "\\"; i++; continue; }
      break;
    }
    out += c;
  }
  return out;
}

/** False when RE2's Rewrite fails on `template` (a backslash before neither a digit nor a backslash): a single replace then leaves the text as it is. */
function rewriteIsValid(template: string): boolean {
  return !template.replace(/\\[\d\\]/g, "").includes("\\");
}

/**
 * Everything regexp_replace needs for one (pattern, options, rewrite),
 * built once: the RegExp, whether RE2 would refuse the rewrite, and the
 * rewrite as text when it names no group.
 */
interface Replacer {
  re: RegExp;
  global: boolean;
  refused: boolean;
  /** The rewrite with '\\' undone, when it has no group reference; else null. */
  literal: string | null;
  rewrite: string;
  /**
   * The literal as a JS replacement string ('$' doubled) where JS's own
   * replace is RE2's: the first match only, or every match of a pattern that
   * never matches the empty string. Else null.
   */
  jsLiteral: string | null;
  /** Deletes every character of one bracket class (`classDeleter`), where that is the whole call; else null. */
  deleter: ((text: string) => string) | null;
  /** Replaces a class run ending the text (`suffixReplacer`), where that is the whole call; else null. */
  suffix: ((text: string) => string) | null;
}

/**
 * A global replace by '' of one bracket class of ASCII characters and
 * ranges, once or with `+` (`[^0-9]`, `[-. ()]+`: the usual clean-up of phone
 * numbers and ids), as a walk over the text with a table instead of a
 * regular expression; null for any other pattern. A character outside ASCII
 * is in a negated class and not in a positive one, as RE2 matches code
 * points (a surrogate pair's two units go together either way).
 */
export function classDeleter(pattern: string): ((text: string) => string) | null {
  const m = /^\[(\^?)(\]?[^\]]*)\](\+?)$/.exec(pattern);
  if (!m) return null;
  const negated = m[1] === "^";
  const deleted = asciiClass(m[2]!, negated);
  if (deleted === null) return null;
  return (text) => {
    let out = "";
    let kept = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 128 ? deleted[c] === 0 : !negated) continue;
      if (i > kept) out += text.slice(kept, i);
      kept = i + 1;
    }
    return kept === 0 ? text : kept === text.length ? out : out + text.slice(kept);
  };
}

/**
 * The members among ASCII of a bracket class's body of ASCII characters and ranges (`0-9`,
 * `-. ()`), negated or not; null for an empty body, an escape, a nested class or a character
 * past ASCII. A character past ASCII is a member of a negated class only.
 */
function asciiClass(body: string, negated: boolean): Uint8Array | null {
  if (body === "") return null;
  const inClass = new Uint8Array(128);
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    // Escapes, nested classes ([:alpha:]) and anything past ASCII take the regular path.
    if (c >= 128 || c === 92 || c === 91) return null;
    if (body[i + 1] === "-" && i + 2 < body.length) {
      const e = body.charCodeAt(i + 2);
      if (e >= 128 || e === 92 || e === 91 || e < c || body[i + 3] === "-") return null;
      for (let k = c; k <= e; k++) inClass[k] = 1;
      i += 2;
    } else inClass[c] = 1;
  }
  const members = new Uint8Array(128);
  for (let k = 0; k < 128; k++) members[k] = inClass[k]! ^ (negated ? 1 : 0);
  return members;
}

/**
 * A replace of `<character><class>+$` by a text without group references (`\.[0-9]+$` by
 * '.0': an IPv4 address's last octet), as a walk back from the end of the text instead of a
 * regular expression; null for any other pattern. The character is one ASCII character, plain
 * or escaped punctuation; the class is `\d` or a bracket class as `classDeleter` reads it. As
 * RE2 finds it: the match starts at the leftmost such character followed only by members of the
 * class, at least one, up to the end; once or global alike (the match ends the text).
 */
export function suffixReplacer(pattern: string, literal: string): ((text: string) => string) | null {
  const m = /^(\\[-.+*?()[\]{}|^$\\/]|[A-Za-z0-9 !"#%&',\/:;<=>@_`~])(\\d|\[(\^?)(\]?[^\]]*)\])\+\$$/.exec(pattern);
  if (!m) return null;
  const lead = m[1]!.charCodeAt(m[1]!.length - 1);
  const negated = m[3] === "^";
  const members = m[2] === "\\d" ? asciiClass("0-9", false) : asciiClass(m[4]!, negated);
  if (members === null) return null;
  const member = (c: number): boolean => (c < 128 ? members[c] === 1 : negated);
  const leadIsMember = members[lead] === 1;
  return (text) => {
    const n = text.length;
    // The longest run of members that ends the text starts at k.
    let k = n;
    while (k > 0 && member(text.charCodeAt(k - 1))) k--;
    if (k === n) return text;
    if (!leadIsMember) return k > 0 && text.charCodeAt(k - 1) === lead ? text.slice(0, k - 1) + literal : text;
    // The character is a member itself: the first one inside the run with a member after it.
    for (let p = k; p < n - 1; p++) if (text.charCodeAt(p) === lead) return text.slice(0, p) + literal;
    return text;
  };
}

const replacers = new Map<string, Map<string, Map<string, Replacer>>>();

function replacerFor(pattern: string, rewriteText: string, options: Value | undefined): Replacer {
  const optKey = typeof options === "string" ? options : "";
  const byRewrite = memo(memo(replacers, pattern, newMap<string, Map<string, Replacer>>), optKey, newMap<string, Replacer>);
  let rep = byRewrite.get(rewriteText);
  if (rep === undefined) {
    const { flags, global } = optionFlags(options);
    const re = compileRegex(pattern, flags + (global ? "g" : ""));
    // RE2 refuses a rewrite naming a group the pattern lacks: the text stays as it is.
    const groups = new RegExp(`${re.source}|`, re.flags.replace("g", "")).exec("")!.length - 1;
    // Pairs from the left, so the 1 of an escaped backslash before it (`\\1`) names no group.
    const wanted = [...rewriteText.matchAll(/\\([\d\\])/g)].filter((x) => x[1] !== "\\").map((x) => Number(x[1]));
    for (const g of wanted) if (g <= groups) checkCaptureGroup(re, g, pattern);
    const literal = wanted.length > 0 ? null : rewrite(rewriteText, []);
    const jsLiteral = literal !== null && (!global || neverEmpty(pattern)) ? literal.replaceAll("$", "$$$$") : null;
    const deleter = global && literal === "" && flags === "" ? classDeleter(pattern) : null;
    const suffix = literal !== null && flags === "" ? suffixReplacer(pattern, literal) : null;
    const built: Replacer = { re, global, refused: wanted.some((g) => g > groups) || (!global && !rewriteIsValid(rewriteText)), literal, rewrite: rewriteText, jsLiteral, deleter, suffix };
    rep = memo(byRewrite, rewriteText, () => built);
  }
  return rep;
}

/**
 * True when every match of the RE2 `pattern` is at least one character: it
 * is a non-empty sequence of atoms that each consume a character (a literal,
 * an escape such as `\.` or `\d`, a bracket class), each once or with `+`.
 * Anything else (`*`, `?`, `{`, `|`, groups, anchors, `\b`) answers false.
 */
export function neverEmpty(pattern: string): boolean {
  let atoms = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "[") {
      // A class consumes one character; skip to its closing bracket (a leading ']' is literal).
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") {
        if (pattern[j] === "[" || pattern[j] === "\\") return false;
        j++;
      }
      if (j >= pattern.length) return false;
      i = j;
      atoms++;
    } else if (c === "\\") {
      const n = pattern[i + 1];
      if (n === undefined || !".-+*?()[]{}|^$\\/dDwWsS".includes(n)) return false;
      i++;
      atoms++;
    } else if (c === "+") {
      if (atoms === 0 || pattern[i + 1] === "?" || pattern[i + 1] === "+") return false;
    } else if ("*?{}|()^$".includes(c)) {
      return false;
    } else {
      atoms++;
    }
  }
  return atoms > 0;
}

const regexpReplace: ScalarFn = (args) => {
  const s = args[0], p = args[1], r = args[2], o = args[3];
  if (s === null || p === null || r === null || o === null || s === undefined || p === undefined) return null;
  return replaceWith(replacerFor(p as string, r as string, o), s as string);
};

// A constant pattern, rewrite and options (the usual call): the replacer is built once.
regexpReplace.specialize = (constants, ctx) => {
  const [, p, r, o] = constants;
  if (!p || !r || (ctx.argTypes.length > 3 && !o)) return null;
  if (p.value === null || r.value === null || (o && o.value === null)) return null;
  let rep: Replacer;
  try {
    rep = replacerFor(p.value as string, r.value as string, o?.value);
  } catch (error) {
    // A pattern that does not compile fails per row (and only for a non-NULL text), as before.
    if (error instanceof SqlError) return null;
    throw error;
  }
  return (args) => {
    const s = args[0];
    return s === null || s === undefined ? null : replaceWith(rep, s as string);
  };
};

// A constant pattern done by one of the walks (no RegExp run at all) raises nothing for any text.
regexpReplace.cannotFail = (constants, ctx) => {
  const [, p, r, o] = constants;
  if (!p || !r || (ctx.argTypes.length > 3 && !o)) return false;
  if (typeof p.value !== "string" || typeof r.value !== "string" || (o && typeof o.value !== "string")) return false;
  let rep: Replacer;
  try {
    rep = replacerFor(p.value, r.value, o?.value);
  } catch (error) {
    if (error instanceof SqlError) return false;
    throw error;
  }
  return rep.refused || rep.deleter !== null || rep.suffix !== null;
};

function replaceWith(rep: Replacer, text: string): Value {
  if (rep.refused) return text;
  if (rep.deleter !== null) return rep.deleter(text);
  if (rep.suffix !== null) return rep.suffix(text);
  const re = rep.re;
  if (rep.jsLiteral !== null) {
    re.lastIndex = 0;
    return text.replace(re, rep.jsLiteral);
  }
  if (!rep.global) {
    const m = re.exec(text);
    if (!m) return text;
    const middle = rep.literal ?? rewrite(rep.rewrite, m.map((x) => x ?? ""));
    return text.slice(0, m.index) + middle + text.slice(m.index + m[0].length);
  }
  if (rep.literal !== null) {
    // JS and RE2 agree unless a match is empty; then the RE2 walk below decides.
    const lit = rep.literal;
    let empty = false;
    re.lastIndex = 0;
    const out = text.replace(re, (m0: string) => {
      if (m0.length === 0) empty = true;
      return lit;
    });
    if (!empty) return out;
  }
  return globalReplace(re, text, rep.rewrite);
}

/** True when `i` falls between the two halves of a surrogate pair (V8 can report an empty match there). */
function midPair(text: string, i: number): boolean {
  return i > 0 && (text.charCodeAt(i) & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800;
}

/** RE2's global replace: an empty match right after the previous match is skipped. */
function globalReplace(re: RegExp, text: string, template: string): string {
  let out = "";
  let at = 0;
  let lastEnd = -1;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(text);
    if (!m) break;
    if (m[0].length === 0 && midPair(text, m.index)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    if (m[0].length === 0 && m.index === lastEnd) {
      if (m.index >= text.length) break;
      re.lastIndex = m.index + (text.codePointAt(m.index)! > 0xffff ? 2 : 1);
      continue;
    }
    out += text.slice(at, m.index) + rewrite(template, m.map((x) => x ?? ""));
    at = m.index + m[0].length;
    lastEnd = at;
    if (m[0].length === 0) {
      if (m.index >= text.length) break;
      const step = text.codePointAt(m.index)! > 0xffff ? 2 : 1;
      out += text.slice(m.index, m.index + step);
      at = m.index + step;
      re.lastIndex = at;
    }
  }
  return out + text.slice(at);
}

/** Where each regexp function takes its pattern, options and the group or rewrite naming captures. */
const regexArgs: Record<string, { options: number; groups?: number; rewrite?: number }> = {
  regexp_matches: { options: 2 },
  regexp_full_match: { options: 2 },
  regexp_extract: { options: 3, groups: 2 },
  regexp_extract_all: { options: 3, groups: 2 },
  regexp_replace: { options: 3, rewrite: 2 },
  string_split_regex: { options: 2 },
  str_split_regex: { options: 2 },
  regexp_split_to_array: { options: 2 },
};

/**
 * For the compiler: why the edge executor cannot run a regexp call whose pattern (and options,
 * group or rewrite, where given) are the constants in `constants` (undefined where an argument is
 * not constant), or null when it can or cannot tell. A pattern RE2 refuses is left to DuckDB,
 * which refuses a constant one when it binds the query.
 */
export function regexRefusal(name: string, constants: readonly ({ value: Value } | undefined)[]): string | null {
  const at = regexArgs[name.toLowerCase()];
  const pattern = constants[1]?.value;
  if (!at || typeof pattern !== "string") return null;
  const options = constants[at.options];
  if (constants.length > at.options && (options === undefined || typeof options.value !== "string")) return null;
  let re: RegExp;
  try {
    re = compileRegex(pattern, optionFlags(options?.value).flags);
  } catch (error) {
    if (error instanceof SqlError) return error.code === "not_implemented" ? error.message : null;
    throw error;
  }
  const wanted: number[] = [];
  const g = at.groups === undefined ? undefined : constants[at.groups];
  if (g && Array.isArray(g.value)) g.value.forEach((_, i) => wanted.push(i + 1));
  else if (g && (typeof g.value === "number" || typeof g.value === "bigint")) wanted.push(Number(g.value));
  const r = at.rewrite === undefined ? undefined : constants[at.rewrite];
  if (r && typeof r.value === "string") for (const x of r.value.matchAll(/\\([\d\\])/g)) if (x[1] !== "\\") wanted.push(Number(x[1]));
  try {
    for (const n of wanted) checkCaptureGroup(re, n, pattern);
  } catch (error) {
    if (error instanceof SqlError) return error.message;
    throw error;
  }
  return null;
}

export const patternScalars: Record<string, ScalarFn> = {
  "~~": like(false, false),
  "!~~": like(false, true),
  "~~*": like(true, false),
  "!~~*": like(true, true),
  like_escape: like(false, false),
  not_like_escape: like(false, true),
  ilike_escape: like(true, false),
  not_ilike_escape: like(true, true),
  regexp_matches: regexpMatches,
  regexp_full_match: regexpFullMatch,
  regexp_extract: regexpExtract,
  regexp_extract_all: regexpExtractAll,
  regexp_replace: regexpReplace,
};

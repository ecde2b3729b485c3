/**
 * LIKE / ILIKE (`~~`, `~~*`, `!~~`, `!~~*`, like_escape) and the regexp
 * family (RE2 syntax run as JS RegExp with the `u` flag): regexp_matches,
 * regexp_full_match, regexp_extract, regexp_replace with options.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { lower } from "./strings.ts";
import { memo, newMap } from "./memo.ts";

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
    else if (c === "_") src += ".";
    else src += escapeRegex(c);
  }
  re = new RegExp(`^${src}$`, "su");
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
      if (e.length > 2 || (e.length === 2 && Array.from(e).length > 1)) throw new SqlError("invalid_input", "Like pattern escape must be a single character!");
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

function optionFlags(options: Value | undefined): { flags: string; global: boolean } {
  // RE2's default: '.' does not match a newline; the 's' option makes it.
  let flags = "";
  let global = false;
  if (typeof options === "string") {
    for (const o of options) {
      if (o === "i") flags += flags.includes("i") ? "" : "i";
      else if (o === "c") flags = flags.replace("i", "");
      else if (o === "g") global = true;
      else if (o === "s") flags += flags.includes("s") ? "" : "s";
      else if (o === "m" || o === "n" || o === "p") flags = flags.replace("s", "") + (flags.includes("m") ? "" : "m");
      else throw new SqlError("invalid_input", `Unrecognized Regex option ${o}`);
    }
  }
  return { flags, global };
}

/** RE2's POSIX bracket classes as JS class contents (ASCII only, as in RE2). */
const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z", alpha: "A-Za-z", ascii: "\\x00-\\x7f", blank: "\\t ", cntrl: "\\x00-\\x1f\\x7f", digit: "0-9",
  graph: "!-~", lower: "a-z", print: " -~", punct: "!-\\/:-@\\[-`{-~", space: "\\t\\n\\v\\f\\r ", upper: "A-Z",
  word: "0-9A-Za-z_", xdigit: "0-9A-Fa-f",
};

/**
 * RE2 meanings JS spells differently: '.' excludes only '\n' (nothing with
 * the s flag), and \s / \S are the ASCII spaces [\t\n\f\r ].
 */
function translateRe2(src: string, dotAll: boolean): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\" && i + 1 < src.length) {
      const n = src[i + 1]!;
      i++;
      // RE2's one-letter Unicode classes (\pL, \PN) are \p{L}, \P{N} in JS.
      if ((n === "p" || n === "P") && i + 1 < src.length && /^[A-Z]$/.test(src[i + 1]!)) {
        out += `\\${n}{${src[i + 1]}}`;
        i++;
        continue;
      }
      if (n === "s") out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
      else if (n === "S" && !inClass) out += "[^\\t\\n\\f\\r ]";
      else out += c + n;
      continue;
    }
    if (inClass) {
      if (c === "[" && src[i + 1] === ":") {
        // RE2's POSIX classes ([:alpha:] inside brackets) are ASCII ranges.
        const end = src.indexOf(":]", i + 2);
        const ranges = end < 0 ? undefined : posixClasses[src.slice(i + 2, end)];
        if (ranges !== undefined) {
          out += ranges;
          i = end + 1;
          continue;
        }
      }
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (src[i + 1] === "^") { out += "^"; i++; }
      if (src[i + 1] === "]") { out += "\\]"; i++; }
      continue;
    }
    out += c === "." ? (dotAll ? "[^]" : "[^\\n]") : c;
  }
  return out;
}

/** Translates the RE2 constructs JS lacks and compiles with the `u` flag. */
export function compileRegex(pattern: string, flags: string, full = false): RegExp {
  const key = `${flags}\u0000${full ? "F" : "P"}${pattern}`;
  let re = regexCache.get(key);
  if (re) return re;
  let src = pattern.replace(/\(\?P</g, "(?<").replace(/\\z/g, "$(?![^])").replace(/\\A/g, "^(?<![^])");
  const inline = /^\(\?([a-z]+)\)/.exec(src);
  if (inline) {
    if (inline[1]!.includes("i") && !flags.includes("i")) flags += "i";
    if (inline[1]!.includes("s") && !flags.includes("s")) flags += "s";
    src = src.slice(inline[0].length);
  }
  src = translateRe2(src, flags.includes("s"));
  if (full) src = `^(?:${src})$`;
  try {
    re = new RegExp(src, flags.replace("s", "") + "u");
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new SqlError("invalid_input", `${e.message}`, { cause: e });
  }
  regexCache.set(key, re);
  return re;
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
  const re = compileRegex(p as string, optionFlags(o).flags);
  const m = re.exec(s as string);
  // A list of names: a STRUCT whose i-th field is capture group i + 1 (by position, whatever the
  // pattern names its groups); no match or a group that took no part gives empty strings.
  if (Array.isArray(g)) {
    const out: Record<string, Value> = {};
    g.forEach((name, i) => (out[String(name)] = m?.[i + 1] ?? ""));
    return out;
  }
  const group = g === undefined ? 0 : Number(g);
  if (!m) return "";
  // A group the pattern does not have extracts the empty string.
  return m[group] ?? "";
};

/** regexp_extract_all(s, pattern[, group[, options]]): group `group` of every non-overlapping match; an empty match moves on one character. */
const regexpExtractAll: ScalarFn = (args) => {
  const [s, p, g, o] = args;
  if (s === null || p === null || g === null || o === null || s === undefined || p === undefined) return null;
  const re = compileRegex(p as string, `${optionFlags(o).flags.replace("g", "")}g`);
  const group = g === undefined ? 0 : Number(g);
  const text = s as string;
  const out: string[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (group >= m.length) throw new SqlError("invalid_input", "Pattern has fewer groups than specified group index");
    out.push(m[group] ?? "");
    if (m[0].length === 0) re.lastIndex = m.index + ((text.codePointAt(m.index) ?? 0) > 0xffff ? 2 : 1);
  }
  return out;
};

/** RE2 rewrite strings: \0-\9 are groups, \\ a backslash; '$' is literal. */
function rewrite(template: string, m: string[]): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "\\" && i + 1 < template.length) {
      const n = template[i + 1]!;
      if (n >= "0" && n <= "9") { out += m[Number(n)] ?? ""; i++; continue; }
      if (n === "\\") { out += "\\"; i++; continue; }
    }
    out += c;
  }
  return out;
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
  if (!m || m[2] === "") return null;
  const negated = m[1] === "^";
  const body = m[2]!;
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
  const deleted = new Uint8Array(128);
  for (let k = 0; k < 128; k++) deleted[k] = inClass[k]! ^ (negated ? 1 : 0);
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
    const wanted = [...rewriteText.matchAll(/\\(\d)/g)].map((x) => Number(x[1]));
    const literal = /\\\d/.test(rewriteText) ? null : rewrite(rewriteText, []);
    const jsLiteral = literal !== null && (!global || neverEmpty(pattern)) ? literal.replaceAll("$", "$$$$") : null;
    const deleter = global && literal === "" && flags === "" ? classDeleter(pattern) : null;
    const built: Replacer = { re, global, refused: wanted.some((g) => g > groups), literal, rewrite: rewriteText, jsLiteral, deleter };
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

function replaceWith(rep: Replacer, text: string): Value {
  if (rep.refused) return text;
  if (rep.deleter !== null) return rep.deleter(text);
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

/** RE2's global replace: an empty match right after the previous match is skipped. */
function globalReplace(re: RegExp, text: string, template: string): string {
  let out = "";
  let at = 0;
  let lastEnd = -1;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(text);
    if (!m) break;
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

/**
 * LIKE / ILIKE (`~~`, `~~*`, `!~~`, `!~~*`, like_escape) and the regexp
 * family (RE2 syntax run as JS RegExp with the `u` flag): regexp_matches,
 * regexp_full_match, regexp_extract, regexp_replace with options.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { lower } from "./strings.ts";

const likeCache = new Map<string, RegExp>();

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
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

function like(caseInsensitive: boolean, negate: boolean): ScalarFn {
  return (args) => {
    const [s, p, e] = args;
    if (s === null || p === null || e === null || s === undefined || p === undefined) return null;
    let escape: string | null = null;
    if (typeof e === "string") {
      if (Array.from(e).length > 1) throw new SqlError("invalid_input", "Like pattern escape must be a single character!");
      escape = e === "" ? null : e;
    }
    const str = caseInsensitive ? lower(s as string) : (s as string);
    const pat = caseInsensitive ? lower(p as string) : (p as string);
    const re = likeRegex(pat, escape);
    if (re.source.endsWith("(?<trailing>)$")) {
      // DuckDB's matcher raises only when it reaches the trailing escape
      // with characters left to match; an earlier mismatch is just false.
      const prefix = new RegExp(`${re.source.slice(0, -"(?<trailing>)$".length)}[^]`, "su");
      if (!prefix.test(str)) return negate;
      throw new SqlError("invalid_input", "Like pattern must not end with escape character!");
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
      if (n === "s") out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]";
      else if (n === "S" && !inClass) out += "[^\\t\\n\\f\\r ]";
      else out += c + n;
      continue;
    }
    if (inClass) {
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
  const group = g === undefined ? 0 : Number(g);
  const m = re.exec(s as string);
  if (!m) return "";
  // A group the pattern does not have extracts the empty string.
  return m[group] ?? "";
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

const regexpReplace: ScalarFn = (args) => {
  const [s, p, r, o] = args;
  if (s === null || p === null || r === null || o === null || s === undefined || p === undefined) return null;
  const { flags, global } = optionFlags(o);
  const re = compileRegex(p as string, flags + (global ? "g" : ""));
  // RE2 refuses a rewrite naming a group the pattern lacks: the text stays as it is.
  const groups = new RegExp(`${re.source}|`, re.flags.replace("g", "")).exec("")!.length - 1;
  const wanted = [...(r as string).matchAll(/\\(\d)/g)].map((x) => Number(x[1]));
  if (wanted.some((g) => g > groups)) return s;
  const text = s as string;
  if (!global) {
    const m = re.exec(text);
    if (!m) return text;
    return text.slice(0, m.index) + rewrite(r as string, m.map((x) => x ?? "")) + text.slice(m.index + m[0].length);
  }
  // RE2's global replace: an empty match right after the previous match is skipped.
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
    out += text.slice(at, m.index) + rewrite(r as string, m.map((x) => x ?? ""));
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
};

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
  regexp_replace: regexpReplace,
};

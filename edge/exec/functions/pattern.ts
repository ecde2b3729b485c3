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
      if (next === undefined) throw new SqlError("invalid_input", "Like pattern must not end with escape character!");
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
    const r = likeRegex(pat, escape).test(str);
    return negate ? !r : r;
  };
}

const regexCache = new Map<string, RegExp>();

function optionFlags(options: Value | undefined): { flags: string; global: boolean } {
  let flags = "s";
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

/** Translates the RE2 constructs JS lacks and compiles with the `u` flag. */
export function compileRegex(pattern: string, flags: string): RegExp {
  const key = `${flags}\u0000${pattern}`;
  let re = regexCache.get(key);
  if (re) return re;
  let src = pattern.replace(/\(\?P</g, "(?<").replace(/\\z/g, "$(?![^])").replace(/\\A/g, "^(?<![^])");
  const inline = /^\(\?([a-z]+)\)/.exec(src);
  if (inline) {
    if (inline[1]!.includes("i") && !flags.includes("i")) flags += "i";
    if (inline[1]!.includes("s") && !flags.includes("s")) flags += "s";
    src = src.slice(inline[0].length);
  }
  try {
    re = new RegExp(src, flags + "u");
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
  return compileRegex(`^(?:${p as string})$`, optionFlags(o).flags).test(s as string);
};

const regexpExtract: ScalarFn = (args) => {
  const [s, p, g, o] = args;
  if (s === null || p === null || g === null || o === null || s === undefined || p === undefined) return null;
  const re = compileRegex(p as string, optionFlags(o).flags);
  const group = g === undefined ? 0 : Number(g);
  const m = re.exec(s as string);
  if (!m) return "";
  if (group < 0 || group >= m.length) throw new SqlError("invalid_input", "Pattern has fewer than the requested number of capturing groups");
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
  return (s as string).replace(re, (...m: unknown[]) => {
    // The callback gets the match, the groups, then the offset (a number).
    const end = m.findIndex((x, i) => i > 0 && typeof x === "number");
    const groups = (m.slice(0, end) as (string | undefined)[]).map((x) => x ?? "");
    return rewrite(r as string, groups);
  });
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

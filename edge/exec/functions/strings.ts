/**
 * String functions over Unicode code points, as DuckDB computes them.
 * Every function returns NULL for a NULL argument unless it says otherwise.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type CallContext, type ScalarFn } from "./contract.ts";
import { lowerExceptions, upperExceptions } from "./case-table.ts";
import { md5Hex, sha256Hex } from "./digest.ts";
import { memo } from "./memo.ts";
import { MAX_REMEMBERED_TEXT, ownCopy, Recall } from "./recall.ts";
import { valueToText } from "./text.ts";
import { parseType } from "./types.ts";

const utf8 = new TextEncoder();

function cps(s: string): string[] {
  return Array.from(s);
}

// Whole-string scans as regular expressions: V8 compiles them to machine code
// that runs about twice as fast as a charCodeAt loop on short keys.
const surrogateUnit = /[\ud800-\udfff]/;
const nonAsciiUnit = /[^\x00-\x7f]/;

/** True when the string has no surrogate code units, so code points are UTF-16 units. */
function isBmp(s: string): boolean {
  return !surrogateUnit.test(s);
}

function isAscii(s: string): boolean {
  return !nonAsciiUnit.test(s);
}

/** Number of code points (a lone surrogate counts as one, as Array.from does). */
function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n++;
  }
  return n;
}

/** BIGINT results of small counts without a BigInt allocation each. */
const smallBigints = Array.from({ length: 1024 }, (_, i) => BigInt(i));

function bigCount(n: number): bigint {
  return n < 1024 ? smallBigints[n]! : BigInt(n);
}

/** Wraps a function of non-NULL arguments with NULL-in, NULL-out handling. */
export function strict(fn: (args: Value[], ctx: CallContext) => Value): ScalarFn {
  const f: ScalarFn = (args, ctx) => {
    for (let i = 0; i < args.length; i++) if (args[i] === null) return null;
    return fn(args, ctx);
  };
  f.strictBody = fn;
  return f;
}

function int(v: Value): number {
  return typeof v === "bigint" ? Number(v) : (v as number);
}

function exceptionMap(table: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const pair of table.split(" ")) {
    const [from, to] = pair.split(":");
    m.set(String.fromCodePoint(parseInt(from!, 16)), to ? String.fromCodePoint(parseInt(to, 16)) : "");
  }
  return m;
}

const upperMap = exceptionMap(upperExceptions);
const lowerMap = exceptionMap(lowerExceptions);

/** True when r is exactly one code point. */
function oneCodePoint(r: string): boolean {
  if (r.length === 1) return true;
  return r.length === 2 && (r.charCodeAt(0) & 0xfc00) === 0xd800 && (r.charCodeAt(1) & 0xfc00) === 0xdc00;
}

/** BMP code unit → its DuckDB case mapping as one code unit, or -1 when it is not one (then the code-point path runs). */
const lowerUnits = new Map<number, number>();
const upperUnits = new Map<number, number>();

function mapUnit(c: number, toUpper: boolean, exceptions: Map<string, string>): number {
  const cache = toUpper ? upperUnits : lowerUnits;
  let m = cache.get(c);
  if (m === undefined) {
    const ch = String.fromCharCode(c);
    const x = exceptions.get(ch);
    let r = x ?? (toUpper ? ch.toUpperCase() : ch.toLowerCase());
    if (x === undefined && !oneCodePoint(r)) r = ch;
    m = r.length === 1 ? r.charCodeAt(0) : -1;
    cache.set(c, m);
  }
  return m;
}

let unitScratch = new Uint16Array(256);

function mapCodePoints(s: string, toUpper: boolean, exceptions: Map<string, string>): string {
  // ASCII maps the same in DuckDB and JS, and JS's whole-string mapping has no context there.
  if (isAscii(s)) return toUpper ? s.toUpperCase() : s.toLowerCase();
  const n = s.length;
  if (n <= 4096) {
    // Unit by unit through the cached per-character mapping; any surrogate or
    // a mapping that is not one unit goes the code-point way below.
    if (unitScratch.length < n) unitScratch = new Uint16Array(n * 2);
    const out = unitScratch;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        out[i] = toUpper ? (c >= 97 && c <= 122 ? c - 32 : c) : (c >= 65 && c <= 90 ? c + 32 : c);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) break;
      const m = mapUnit(c, toUpper, exceptions);
      if (m < 0) break;
      out[i] = m;
    }
    if (i === n) return String.fromCharCode.apply(null, out.subarray(0, n) as unknown as number[]);
  }
  let out = "";
  for (const c of s) {
    const x = exceptions.get(c);
    if (x !== undefined) { out += x; continue; }
    const r = toUpper ? c.toUpperCase() : c.toLowerCase();
    // DuckDB maps one code point to one code point (simple case mapping).
    out += oneCodePoint(r) ? r : c;
  }
  return out;
}

export function lower(s: string): string {
  return mapCodePoints(s, false, lowerMap);
}

export function upper(s: string): string {
  return mapCodePoints(s, true, upperMap);
}

/** trim() without characters removes the Unicode space separators (Zs), not tabs or newlines. */
const spaceSeparators = codePointSet("\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000");

function codePointSet(chars: string): Set<number> {
  const set = new Set<number>();
  for (const c of chars) set.add(c.codePointAt(0)!);
  return set;
}

const trimSets = new Map<string, Set<number>>();

function trimSet(chars: string): Set<number> {
  return memo(trimSets, chars, codePointSet);
}

/** Trims code points of the set from either end, walking UTF-16 units (pairs as one code point). */
function trimWith(s: string, chars: string | undefined, left: boolean, right: boolean): string {
  const set = chars === undefined ? spaceSeparators : trimSet(chars);
  let i = 0, j = s.length;
  if (left) {
    while (i < j) {
      const cp = s.codePointAt(i)!;
      if (!set.has(cp)) break;
      i += cp > 0xffff ? 2 : 1;
    }
  }
  if (right) {
    while (j > i) {
      const lo = s.charCodeAt(j - 1);
      const pair = (lo & 0xfc00) === 0xdc00 && j - 2 >= i && (s.charCodeAt(j - 2) & 0xfc00) === 0xd800;
      const cp = pair ? s.codePointAt(j - 2)! : lo;
      if (!set.has(cp)) break;
      j -= pair ? 2 : 1;
    }
  }
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

/** DuckDB's substring start/length rules (1-based, 0 is one before the first, negatives from the end). */
/**
 * Marks in the Unicode of V8's ICU that DuckDB's utf8proc does not have yet (Unicode 16 and 17
 * additions): strip_accents keeps them, as DuckDB does. Found by comparing every code point.
 */
const MARKS_DUCKDB_KEEPS: [number, number][] = [
  [0x897, 0x897], [0x1acf, 0x1add], [0x1ae0, 0x1aeb], [0x10d69, 0x10d6d],
  [0x10efa, 0x10efc], [0x11383, 0x11383], [0x11385, 0x11385], [0x1138e, 0x1138e], [0x11391, 0x11391], [0x113b8, 0x113c0],
  [0x113c2, 0x113c2], [0x113c5, 0x113c5], [0x113c7, 0x113ca], [0x113cc, 0x113d0], [0x113d2, 0x113d2], [0x113e1, 0x113e2],
  [0x11b60, 0x11b67], [0x11f5a, 0x11f5a], [0x1611e, 0x1612f], [0x1e5ee, 0x1e5ef], [0x1e6e3, 0x1e6e3], [0x1e6e6, 0x1e6e6],
  [0x1e6ee, 0x1e6ef], [0x1e6f5, 0x1e6f5],
];
const MARK = /\p{M}/u;

/**
 * utf8proc reads a NUL-terminated string, so DuckDB's strip_accents and nfc_normalize of a text
 * that is not all ASCII stop at its first NUL (`nfc_normalize('é' || chr(0) || 'x')` is 'é');
 * all-ASCII text is returned whole before utf8proc sees it.
 */
function beforeNul(s: string): string {
  const nul = s.indexOf("\u0000");
  return nul < 0 ? s : s.slice(0, nul);
}

/** strip_accents as DuckDB (utf8proc): decompose, drop every mark, compose again. */
export function stripAccents(s: string): string {
  if (isAscii(s)) return s;
  s = beforeNul(s);
  // Two Todhri letters decompose only in V8's newer Unicode: DuckDB keeps them whole.
  if (/[\u{105c9}\u{105e4}]/u.test(s)) return s.split(/([\u{105c9}\u{105e4}])/u).map((part, i) => (i % 2 ? part : stripAccents(part))).join("");
  let out = "";
  for (const ch of s.normalize("NFD")) {
    if (MARK.test(ch)) {
      const cp = ch.codePointAt(0)!;
      if (!MARKS_DUCKDB_KEEPS.some(([a, b]) => cp >= a && cp <= b)) continue;
    }
    out += ch;
  }
  return out.normalize("NFC");
}

/** DuckDB's bounds on a substring's offset and length (32 bits each way), with its Out of Range texts. */
export function checkSubstringRange(offset: number | null, length: number | null): void {
  for (const [what, v] of [["offset", offset], ["length", length]] as const) {
    if (v === null) continue;
    if (v > 4294967295) throw new SqlError("out_of_range", `Substring ${what} outside of supported range (> 4294967295)`);
    if (v < -4294967296) throw new SqlError("out_of_range", `Substring ${what} outside of supported range (< -4294967296)`);
  }
}

/** substring(s, offset, length) as DuckDB, in code points, offset and length checked first. */
function substringChecked(s: string, offset: number, length: number | null, ctx: CallContext): string {
  checkSubstringRange(offset, length);
  // Without statistics (the text is a function's result or a constant) DuckDB takes its non-ASCII
  // path for every value: substr(regexp_replace(s, '[^a-z]', '_'), -2, 1) of a one-letter text is ''.
  // Without a length DuckDB takes 2^32 - 1, which a far negative offset does not reach past: substr(s, -2^32) of
  // an 8-character text (not known to be ASCII) ends one character before its end.
  const len = length ?? 4294967295;
  if (ctx.argStats?.[0] === false) return substringUnicode(s, offset, len);
  return substringCodePoints(s, offset, len);
}

/**
 * substring in code points. DuckDB has two paths, chosen by the column's statistics: text known to
 * be ASCII clamps the start before moving by a negative length (substring('v', 100, -1) is 'v'),
 * other text after (it is ''). The library takes the ASCII path for ASCII text, the other for the
 * rest, which is DuckDB's choice whenever a column's values are all of one kind.
 */
export function substringCodePoints(s: string, offset: number, length: number): string {
  if (isAscii(s)) return substringAscii(s, offset, length);
  return substringUnicode(s, offset, length);
}

/** DuckDB's substring over text not known to be ASCII: the start clamped only after a negative length moves it. */
function substringUnicode(s: string, offset: number, length: number): string {
  const bmp = isBmp(s);
  const a = bmp ? null : cps(s);
  const size = a === null ? s.length : a.length;
  if (length === 0) return "";
  let start: number;
  if (offset > 0) start = offset - 1;
  else if (offset < 0) start = size + offset;
  else {
    start = 0;
    length--;
    if (length <= 0) return "";
  }
  let end: number;
  if (length > 0) end = start + length;
  else {
    end = start;
    start = start + length;
  }
  // Clamp only after moving, as DuckDB does (a far start with a negative length is empty).
  start = Math.min(Math.max(start, 0), size);
  end = Math.min(Math.max(end, 0), size);
  if (start >= end) return "";
  return a === null ? s.slice(start, end) : a.slice(start, end).join("");
}

/**
 * DuckDB's SubstringStartEnd over a text of `size` units: [start, end) with the start clamped into the text
 * before a negative length moves it; null where DuckDB answers '' at once (length 0, or offset 0 with length ≤ 1).
 */
export function substringBounds(size: number, offset: number, length: number): [number, number] | null {
  if (length === 0) return null;
  let start: number;
  if (offset > 0) start = Math.min(size, offset - 1);
  else if (offset < 0) start = Math.max(size + offset, 0);
  else {
    start = 0;
    length--;
    if (length <= 0) return null;
  }
  if (length > 0) return [start, Math.min(size, start + length)];
  return [Math.max(0, start + length), start];
}

/** DuckDB's substring over ASCII text. */
function substringAscii(s: string, offset: number, length: number): string {
  const bounds = substringBounds(s.length, offset, length);
  return bounds === null || bounds[0] >= bounds[1] ? "" : s.slice(bounds[0], bounds[1]);
}

function asText(v: Value, type: string | undefined): string {
  if (typeof v === "string") return v;
  return valueToText(v, type ?? "VARCHAR");
}

function isListType(t: string | undefined): boolean {
  if (t === undefined) return false;
  const p = parseType(t);
  return p.kind === "list" || p.kind === "array";
}

function pad(s: string, count: number, fill: string, left: boolean): string {
  const a = cps(s);
  if (count <= a.length) return a.slice(0, Math.max(count, 0)).join("");
  const f = cps(fill);
  if (f.length === 0) {
    throw new SqlError("invalid_input", `Insufficient padding in ${left ? "LPAD" : "RPAD"}.`);
  }
  const need = count - a.length;
  let p = "";
  for (let i = 0; i < need; i++) p += f[i % f.length];
  return left ? p + s : s + p;
}

function splitBy(s: string, sep: string): string[] {
  if (sep.length === 0) return s.length === 0 ? [""] : cps(s);
  return s.split(sep);
}

function strpos(s: string, needle: string): bigint {
  const i = s.indexOf(needle);
  if (i < 0) return 0n;
  return bigCount(codePointLength(s.slice(0, i)) + 1);
}

/**
 * Extended grapheme clusters as DuckDB (utf8proc) splits them: no break
 * before Extend / ZWJ / SpacingMark or after Prepend, Hangul syllable
 * sequences, regional-indicator pairs, emoji ZWJ sequences and Indic
 * conjuncts (consonant, virama, consonant) stay together; controls stand
 * alone (DuckDB keeps CR and LF apart too).
 */
export function graphemes(s: string): string[] {
  const out: string[] = [];
  let prev: Gcb = "Control";
  let riOpen = false;
  let pict = 0; // 1: the cluster is an emoji with Extend*, 2: ... followed by ZWJ
  let conjunct = 0; // 1: an Indic consonant with Extend*, 2: ... and a virama
  // DuckDB splits all-ASCII text byte by byte; other text goes through utf8proc, which keeps CR LF together.
  const crlf = !isAscii(s);
  let cr = false;
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    const cls = gcbClass(c, cp);
    const isPict = EXT_PICT.test(c);
    const consonant = isConjunctConsonant(cp);
    const join: boolean = out.length > 0 && ((cr && cp === 10) || breakless(prev, cls, riOpen, pict === 2 && isPict, conjunct === 2 && consonant));
    cr = crlf && cp === 13;
    if (join) out[out.length - 1] += c;
    else out.push(c);
    riOpen = cls === "RI" && !(join && prev === "RI");
    if (isPict) pict = 1;
    else if (pict === 1 && cls === "ZWJ") pict = 2;
    else if (!(pict === 1 && cls === "Extend")) pict = 0;
    if (consonant) conjunct = 1;
    else if (conjunct > 0 && isConjunctLinker(cp)) conjunct = 2;
    else if (!(conjunct > 0 && (cls === "Extend" || cls === "ZWJ"))) conjunct = 0;
    prev = cls;
  }
  return out;
}

/** Grapheme_Cluster_Break classes (CR and LF count as Control; `graphemes` joins CR LF where utf8proc does). */
type Gcb = "Control" | "Extend" | "ZWJ" | "SpacingMark" | "Prepend" | "RI" | "L" | "V" | "T" | "LV" | "LVT" | "Other";

const EXT_PICT = /^\p{Extended_Pictographic}$/u;
const EXTEND = /^[\p{Grapheme_Extend}\p{Emoji_Modifier}\u200c]$/u;
const CONTROL = /^[\p{Cc}\p{Zl}\p{Zp}\p{Cf}]$/u;
const SPACING_MARK = /^[\p{Mc}\u0e33\u0eb3]$/u;
/** Spacing combining marks (Mc) that Unicode leaves out of SpacingMark: they start a cluster. */
const NOT_SPACING_MARK = new Set([0x102b, 0x102c, 0x1038, 0x1062, 0x1063, 0x1064, 0x1067, 0x1068, 0x1069, 0x106a, 0x106b, 0x106c, 0x106d, 0x1083, 0x1087, 0x1088, 0x1089, 0x108a, 0x108b, 0x108c, 0x108f, 0x109a, 0x109b, 0x109c, 0x1a61, 0x1a63, 0x1a64, 0xaa7b, 0xaa7d, 0x11720, 0x11721]);
const REGIONAL = /^\p{Regional_Indicator}$/u;
const PREPEND = new Set([0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06dd, 0x070f, 0x0890, 0x0891, 0x08e2, 0x0d4e, 0x110bd, 0x110cd, 0x111c2, 0x111c3, 0x1193f, 0x11941, 0x11a3a, 0x11a84, 0x11a85, 0x11a86, 0x11a87, 0x11a88, 0x11a89, 0x11d46, 0x11f02]);

/**
 * Marks JS's Unicode (17) has but DuckDB's utf8proc (Unicode 15.1) does not:
 * unassigned there, so they start a cluster. Pairs of first, last; found by
 * comparing reverse('a' || chr(cp) || 'b') with DuckDB over every code point.
 */
const NEWER_MARKS = [0x897, 0x897, 0x1acf, 0x1add, 0x1ae0, 0x1aeb, 0x10d69, 0x10d6d, 0x10efa, 0x10efc, 0x113b8, 0x113c0, 0x113c2, 0x113c2, 0x113c5, 0x113c5, 0x113c7, 0x113ca, 0x113cc, 0x113d0, 0x113d2, 0x113d2, 0x113e1, 0x113e2, 0x11b60, 0x11b67, 0x11f5a, 0x11f5a, 0x1611e, 0x1612f, 0x1e5ee, 0x1e5ef, 0x1e6e3, 0x1e6e3, 0x1e6e6, 0x1e6e6, 0x1e6ee, 0x1e6ef, 0x1e6f5, 0x1e6f5];

function isNewerMark(cp: number): boolean {
  if (cp < 0x897) return false;
  for (let i = 0; i < NEWER_MARKS.length; i += 2) if (cp >= NEWER_MARKS[i]! && cp <= NEWER_MARKS[i + 1]!) return true;
  return false;
}

function gcbClass(c: string, cp: number): Gcb {
  if (cp < 0x80) return cp < 0x20 || cp === 0x7f ? "Control" : "Other";
  if (isNewerMark(cp)) return "Other";
  if (cp === 0x200d) return "ZWJ";
  if (PREPEND.has(cp)) return "Prepend";
  if (EXTEND.test(c)) return "Extend";
  if (CONTROL.test(c)) return "Control";
  if (SPACING_MARK.test(c) && !NOT_SPACING_MARK.has(cp)) return "SpacingMark";
  if (REGIONAL.test(c)) return "RI";
  const h = hangulType(cp);
  return h === "" ? "Other" : h;
}

/** True when no cluster boundary falls between a character of class `prev` and one of class `next`. */
function breakless(prev: Gcb, next: Gcb, riOpen: boolean, emojiZwj: boolean, conjunct: boolean): boolean {
  if (prev === "Control" || next === "Control") return false;
  if (next === "Extend" || next === "ZWJ" || next === "SpacingMark" || prev === "Prepend") return true;
  if (hangulJoins(prev, next)) return true;
  if (prev === "RI" && next === "RI") return riOpen;
  return emojiZwj || conjunct;
}

/** Consonants of the six scripts with Indic conjunct breaking (InCB=Consonant). */
function isConjunctConsonant(cp: number): boolean {
  if (cp < 0x0915 || cp > 0x0d3a) return false;
  return (cp >= 0x0915 && cp <= 0x0939) || (cp >= 0x0958 && cp <= 0x095f) || (cp >= 0x0978 && cp <= 0x097f)
    || (cp >= 0x0995 && cp <= 0x09a8) || (cp >= 0x09aa && cp <= 0x09b0) || cp === 0x09b2 || (cp >= 0x09b6 && cp <= 0x09b9)
    || cp === 0x09dc || cp === 0x09dd || cp === 0x09df || cp === 0x09f0 || cp === 0x09f1
    || (cp >= 0x0a95 && cp <= 0x0aa8) || (cp >= 0x0aaa && cp <= 0x0ab0) || cp === 0x0ab2 || cp === 0x0ab3 || (cp >= 0x0ab5 && cp <= 0x0ab9) || cp === 0x0af9
    || (cp >= 0x0b15 && cp <= 0x0b28) || (cp >= 0x0b2a && cp <= 0x0b30) || cp === 0x0b32 || cp === 0x0b33 || (cp >= 0x0b35 && cp <= 0x0b39)
    || cp === 0x0b5c || cp === 0x0b5d || cp === 0x0b5f || cp === 0x0b71
    || (cp >= 0x0c15 && cp <= 0x0c28) || (cp >= 0x0c2a && cp <= 0x0c39) || (cp >= 0x0c58 && cp <= 0x0c5a)
    || (cp >= 0x0d15 && cp <= 0x0d3a);
}

/** The viramas that link conjuncts (InCB=Linker). */
function isConjunctLinker(cp: number): boolean {
  return cp === 0x094d || cp === 0x09cd || cp === 0x0acd || cp === 0x0b4d || cp === 0x0c4d || cp === 0x0d4d;
}

/** Hangul syllable types (Unicode's Hangul_Syllable_Type): leading, vowel, trailing jamo and precomposed syllables. */
type Hangul = "" | "L" | "V" | "T" | "LV" | "LVT";

function hangulType(cp: number): Hangul {
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0xa960 && cp <= 0xa97c)) return "L";
  if ((cp >= 0x1160 && cp <= 0x11a7) || (cp >= 0xd7b0 && cp <= 0xd7c6)) return "V";
  if ((cp >= 0x11a8 && cp <= 0x11ff) || (cp >= 0xd7cb && cp <= 0xd7fb)) return "T";
  if (cp >= 0xac00 && cp <= 0xd7a3) return (cp - 0xac00) % 28 === 0 ? "LV" : "LVT";
  return "";
}

/** The Hangul rules of extended grapheme clusters: L × (L|V|LV|LVT), (LV|V) × (V|T), (LVT|T) × T. */
function hangulJoins(prev: Gcb, next: Gcb): boolean {
  if (prev === "L") return next === "L" || next === "V" || next === "LV" || next === "LVT";
  if (prev === "LV" || prev === "V") return next === "V" || next === "T";
  if (prev === "LVT" || prev === "T") return next === "T";
  return false;
}

function reverseGraphemes(s: string): string {
  return graphemes(s).reverse().join("");
}

/** string_split: a NULL separator leaves the string whole. */
const splitFn: ScalarFn = ([s, d]) => (s === null || s === undefined ? null : d === null ? [s] : splitBy(s as string, d as string));

const concat: ScalarFn = (args, ctx) => {
  if (args.length > 0 && isListType(ctx.argTypes[0])) {
    const out: Value[] = [];
    for (const a of args) if (a !== null) for (const x of a as Value[]) out.push(x);
    return out;
  }
  let out = "";
  args.forEach((a, i) => { if (a !== null) out += asText(a, ctx.argTypes[i]); });
  return out;
};

const concatOp: ScalarFn = (args, ctx) => {
  if (args.some((a) => a === null)) return null;
  if (isListType(ctx.argTypes[0]) || isListType(ctx.argTypes[1])) return (args as Value[][]).flat() as Value;
  // BLOB || BLOB is DuckDB's byte concatenation, a BLOB (concat() of blobs is text).
  if (ctx.resultType === "BLOB" && args[0] instanceof Uint8Array && args[1] instanceof Uint8Array) {
    const out = new Uint8Array(args[0].length + args[1].length);
    out.set(args[0]);
    out.set(args[1], args[0].length);
    return out;
  }
  return args.map((a, i) => asText(a, ctx.argTypes[i])).join("");
};

const hashText = (f: (b: Uint8Array | string) => string): ScalarFn => {
  const digestOf = (remembered: (s: string) => string): ScalarFn =>
    strict(([v], ctx) => {
      if (v instanceof Uint8Array) return f(v);
      return remembered(asText(v!, ctx.argTypes[0]));
    });
  const general = digestOf(rememberedDigest(f));
  // Each call site remembers its own texts: one column's keys repeat (a device, a
  // name) while another's may not, and a shared memory would mix the two.
  // Inside a remembered sub-expression the executor's memory already answers repeats.
  general.specialize = (constants, ctx) => (constants[0] ? null : digestOf(ctx.remembered ? f : rememberedDigest(f)));
  return general;
};

/**
 * A digest of text that remembers its recent answers (texts of up to 256
 * characters; `Recall` decides when the memory pays).
 */
function rememberedDigest(f: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  const recall = new Recall();
  return (s) => {
    if (s.length > MAX_REMEMBERED_TEXT || !recall.use()) return f(s);
    const known = cache.get(s);
    if (known !== undefined) {
      recall.hit();
      return known;
    }
    const digest = f(s);
    if (recall.missed(cache.size)) cache.clear();
    cache.set(ownCopy(s), digest);
    return digest;
  };
}

export const stringScalars: Record<string, ScalarFn> = {
  length: strict(([s], ctx) => isListType(ctx.argTypes[0]) ? bigCount((s as Value[]).length) : bigCount(codePointLength(s as string))),
  char_length: strict(([s]) => bigCount(codePointLength(s as string))),
  character_length: strict(([s]) => bigCount(codePointLength(s as string))),
  strlen: strict(([s]) => bigCount(utf8.encode(s as string).length)),
  octet_length: strict(([s]) => bigCount(s instanceof Uint8Array ? s.length : utf8.encode(s as string).length)),
  lower: strict(([s]) => lower(s as string)),
  lcase: strict(([s]) => lower(s as string)),
  upper: strict(([s]) => upper(s as string)),
  ucase: strict(([s]) => upper(s as string)),
  trim: strict(([s, c]) => trimWith(s as string, c as string | undefined, true, true)),
  ltrim: strict(([s, c]) => trimWith(s as string, c as string | undefined, true, false)),
  rtrim: strict(([s, c]) => trimWith(s as string, c as string | undefined, false, true)),
  substring: strict(([s, o, l], ctx) => substringChecked(s as string, int(o!), l === undefined ? null : int(l), ctx)),
  substr: strict(([s, o, l], ctx) => substringChecked(s as string, int(o!), l === undefined ? null : int(l), ctx)),
  left: strict(([s, n]) => {
    const k = int(n!);
    if (k >= 0) checkSubstringRange(null, k);
    if (isBmp(s as string)) {
      const t = s as string;
      return k >= 0 ? t.slice(0, k) : t.slice(0, Math.max(0, t.length + k));
    }
    const a = cps(s as string);
    return (k >= 0 ? a.slice(0, k) : a.slice(0, Math.max(0, a.length + k))).join("");
  }),
  right: strict(([s, n]) => {
    const k = int(n!);
    if (isBmp(s as string)) {
      const t = s as string;
      return k >= 0 ? t.slice(Math.max(0, t.length - k)) : t.slice(Math.min(t.length, -k));
    }
    const a = cps(s as string);
    return (k >= 0 ? a.slice(Math.max(0, a.length - k)) : a.slice(Math.min(a.length, -k))).join("");
  }),
  concat,
  "||": concatOp,
  replace: strict(([s, f, t]) => (f as string).length === 0 ? (s as string) : (s as string).split(f as string).join(t as string)),
  split_part: strict(([s, d, i]) => {
    const parts = splitBy(s as string, d as string);
    let k = int(i!);
    if (k < 0) k = parts.length + k + 1;
    return k >= 1 && k <= parts.length ? parts[k - 1]! : "";
  }),
  starts_with: strict(([s, p]) => (s as string).startsWith(p as string)),
  "^@": strict(([s, p]) => (s as string).startsWith(p as string)),
  strip_accents: strict(([s]) => stripAccents(s as string)),
  nfc_normalize: strict(([s]) => (isAscii(s as string) ? (s as string) : beforeNul(s as string).normalize("NFC"))),
  prefix: strict(([s, p]) => (s as string).startsWith(p as string)),
  ends_with: strict(([s, p]) => (s as string).endsWith(p as string)),
  suffix: strict(([s, p]) => (s as string).endsWith(p as string)),
  contains: strict(([s, p]) => (s as string).includes(p as string)),
  strpos: strict(([s, p]) => strpos(s as string, p as string)),
  instr: strict(([s, p]) => strpos(s as string, p as string)),
  // `position(needle IN text)` reaches the library as position(text, needle), as strpos.
  position: strict(([s, p]) => strpos(s as string, p as string)),
  lpad: strict(([s, n, f]) => pad(s as string, int(n!), f as string, true)),
  rpad: strict(([s, n, f]) => pad(s as string, int(n!), f as string, false)),
  reverse: strict(([s]) => reverseGraphemes(s as string)),
  repeat: strict(([s, n], ctx) => {
    const times = int(n!);
    // repeat of a list: its elements n times over ([] for n ≤ 0).
    if (isListType(ctx.argTypes[0])) return Array.from({ length: Math.max(0, times) }, () => s as Value[]).flat() as Value;
    if (times <= 0) return "";
    const bytes = BigInt(utf8.encode(s as string).length) * BigInt(times);
    if (bytes > 4294967295n) throw new SqlError("out_of_range", `Cannot create a string of size: '${bytes}', the maximum supported string size is: '4294967295'`);
    return (s as string).repeat(times);
  }),
  string_split: splitFn,
  split: splitFn,
  // length_grapheme: extended grapheme clusters as utf8proc splits them (the same clusters reverse() keeps whole).
  length_grapheme: strict(([s]) => bigCount(graphemes(s as string).length)),
  str_split: splitFn,
  string_to_array: splitFn,
  ascii: strict(([s]) => (s as string).length === 0 ? 0 : (s as string).codePointAt(0)!),
  chr: strict(([n]) => {
    const cp = int(n!);
    // DuckDB's Utf8Proc::CodepointToUtf8 check: a surrogate or a value past U+10FFFF is no code point.
    if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new SqlError("invalid_input", `Invalid UTF8 Codepoint ${cp}`);
    return String.fromCodePoint(cp);
  }),
  md5: hashText(md5Hex),
  sha256: hashText(sha256Hex),
};

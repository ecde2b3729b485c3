/**
 * Functions over a text's UTF-8 bytes, as DuckDB computes them: hex,
 * unhex / from_hex, to_base64 / base64 / from_base64, url_encode / url_decode, regexp_escape, bit_length, levenshtein,
 * damerau_levenshtein, hamming, jaro_similarity and jaro_winkler_similarity (distances and similarities count bytes,
 * not characters), sha1; ord; and
 * list_unique, list_distinct.
 */
import type { Value } from "../../plan/values.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { valueKey } from "./compare.ts";
import { md5Number, sha1Hex } from "./digest.ts";
import { strict } from "./strings.ts";
import { elementOfList } from "./nested.ts";
import { bytesToBase64 } from "../../plan/base64.ts";

const utf8 = new TextEncoder();

function bytesOf(v: Value | undefined): Uint8Array {
  return v instanceof Uint8Array ? v : utf8.encode(v as string);
}

const HEX = "0123456789ABCDEF";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** hex(x): a text's or blob's bytes as upper-case hex; an integer's digits, negatives in two's complement (64 bits, 128 for HUGEINT). */
const hex: ScalarFn = strict(([v], ctx) => {
  if (typeof v === "number" || typeof v === "bigint") {
    let n = BigInt(v);
    if (n < 0n) n = BigInt.asUintN(ctx.argTypes[0] === "HUGEINT" ? 128 : 64, n);
    return n.toString(16).toUpperCase();
  }
  let out = "";
  for (const b of bytesOf(v)) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
});

/** to_base64(blob): standard Base64 with padding. */
const toBase64: ScalarFn = strict(([v]) => bytesToBase64(bytesOf(v)));

/** url_encode(s): every UTF-8 byte but A-Z a-z 0-9 - _ . ~ as %XX. */
const urlEncode: ScalarFn = strict(([v]) => {
  let out = "";
  for (const b of bytesOf(v)) {
    const unreserved = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
});

/**
 * url_decode(s): each `%XX` (hex digits of either case) is that byte; anything else, `+` and a
 * `%` not followed by two hex digits included, is kept. Bytes that do not make UTF-8 are
 * DuckDB's Invalid Input Error.
 */
const urlDecode: ScalarFn = strict(([v]) => {
  const s = v as string;
  if (!s.includes("%")) return s;
  const bytes = utf8.encode(s);
  const out = new Uint8Array(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const hi = i + 2 < bytes.length && bytes[i] === 0x25 ? hexDigit(bytes[i + 1]!) : -1;
    const lo = hi >= 0 ? hexDigit(bytes[i + 2]!) : -1;
    if (lo >= 0) {
      out[o++] = hi * 16 + lo;
      i += 2;
    } else {
      out[o++] = bytes[i]!;
    }
  }
  try {
    return strictUtf8.decode(out.subarray(0, o));
  } catch {
    throw new SqlError("invalid_input", `Failed to decode string "${s}" using URL decoding - decoded value is invalid UTF8`);
  }
});

function hexDigit(b: number): number {
  return b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 0x37 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1;
}

const BASE64_DIGITS = new Int8Array(256).fill(-1);
for (const [i, c] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].entries()) BASE64_DIGITS[c.charCodeAt(0)] = i;

/**
 * from_base64(s): DuckDB's decoder. The UTF-8 length must be a multiple of 4; `=` may stand
 * only in the last group's third and fourth places, and the padding is read from the last two
 * bytes alone (`ab=c` is one byte). Any other byte is an error naming it and its position.
 */
const fromBase64: ScalarFn = strict(([v]) => {
  const s = v as string;
  const bytes = utf8.encode(s);
  const n = bytes.length;
  const fail = (why: string): SqlError => new SqlError("conversion", `Could not decode string "${s}" as base64: ${why}`);
  if (n % 4 !== 0) throw fail("length must be a multiple of 4");
  if (n === 0) return new Uint8Array(0);
  const size = (n / 4) * 3 - (bytes[n - 2] === 0x3d ? 2 : bytes[n - 1] === 0x3d ? 1 : 0);
  const out = new Uint8Array(size);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    let group = 0;
    for (let j = 0; j < 4; j++) {
      const b = bytes[i + j]!;
      const d = last && j >= 2 && b === 0x3d ? 0 : BASE64_DIGITS[b]!;
      if (d < 0) throw fail(`invalid byte value '${b}' at position ${i + j}`);
      group = (group << 6) | d;
    }
    out[o++] = group >> 16;
    if (o < size) out[o++] = (group >> 8) & 255;
    if (o < size) out[o++] = group & 255;
  }
  return out;
});

/** regexp_escape(s): RE2's QuoteMeta — a backslash before every ASCII character but letters, digits and `_`; NUL as `\x00`. */
const regexpEscape: ScalarFn = strict(([v]) => {
  const s = v as string;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) out += s[i];
    else out += c === 0 ? "\\x00" : `\\${s[i]}`;
  }
  return out;
});

/** levenshtein(a, b): the edit distance between the two texts' bytes. */
const levenshtein: ScalarFn = strict(([a, b]) => {
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (x.length === 0) return BigInt(y.length);
  if (y.length === 0) return BigInt(x.length);
  let prev = new Uint32Array(y.length + 1);
  let cur = new Uint32Array(y.length + 1);
  for (let j = 0; j <= y.length; j++) prev[j] = j;
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return BigInt(prev[y.length]!);
});

/** hamming(a, b): the byte positions that differ; texts of unequal byte length, or empty ones, are DuckDB's error. */
const hamming: ScalarFn = strict(([a, b]) => {
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (x.length !== y.length) throw new SqlError("invalid_input", "Mismatch Function: Strings must be of equal length!");
  if (x.length === 0) throw new SqlError("invalid_input", "Mismatch Function: Strings must be of length > 0!");
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) n++;
  return BigInt(n);
});

/**
 * damerau_levenshtein(a, b): the edit distance between the texts' bytes where swapping two
 * adjacent bytes is one edit, with no restriction on later edits of them (Lowrance and Wagner's
 * distance, as DuckDB's: 'ca' to 'abc' is 2).
 */
const damerauLevenshtein: ScalarFn = strict(([a, b]) => {
  const x = bytesOf(a), y = bytesOf(b);
  const n = x.length, m = y.length;
  if (n === 0 || m === 0) return BigInt(n + m);
  const width = m + 2;
  const d = new Uint32Array((n + 2) * width);
  const max = n + m;
  d[0] = max;
  for (let i = 0; i <= n; i++) { d[(i + 1) * width] = max; d[(i + 1) * width + 1] = i; }
  for (let j = 0; j <= m; j++) { d[j + 1] = max; d[width + j + 1] = j; }
  const lastRow = new Uint32Array(256);
  for (let i = 1; i <= n; i++) {
    let lastMatchCol = 0;
    for (let j = 1; j <= m; j++) {
      const k = lastRow[y[j - 1]!]!, l = lastMatchCol;
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      if (cost === 0) lastMatchCol = j;
      d[(i + 1) * width + j + 1] = Math.min(
        d[i * width + j]! + cost,
        d[(i + 1) * width + j]! + 1,
        d[i * width + j + 1]! + 1,
        d[k * width + l]! + (i - k - 1) + 1 + (j - l - 1),
      );
    }
    lastRow[x[i - 1]!] = i;
  }
  return BigInt(d[(n + 1) * width + m + 1]!);
});

/** The Jaro similarity of two byte strings (0 when either is empty, as DuckDB's). */
function jaro(x: Uint8Array, y: Uint8Array): number {
  if (x.length === 0 || y.length === 0) return 0;
  const bound = Math.max(0, Math.floor(Math.max(x.length, y.length) / 2) - 1);
  const xMatched = new Uint8Array(x.length), yMatched = new Uint8Array(y.length);
  let matches = 0;
  for (let i = 0; i < x.length; i++) {
    const lo = Math.max(0, i - bound), hi = Math.min(y.length - 1, i + bound);
    for (let j = lo; j <= hi; j++) {
      if (!yMatched[j] && x[i] === y[j]) {
        xMatched[i] = 1;
        yMatched[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < x.length; i++) {
    if (!xMatched[i]) continue;
    while (!yMatched[j]) j++;
    if (x[i] !== y[j]) transpositions++;
    j++;
  }
  const t = Math.floor(transpositions / 2);
  return (matches / x.length + matches / y.length + (matches - t) / matches) / 3;
}

/** A similarity below the optional cutoff (third argument) is 0, as DuckDB's. */
function withCutoff(similarity: number, cutoff: Value | undefined): number {
  return typeof cutoff === "number" && similarity < cutoff ? 0 : similarity;
}

/** jaro_similarity(a, b[, cutoff]): over the texts' bytes, as DuckDB's. */
const jaroSimilarity: ScalarFn = strict(([a, b, cutoff]) => withCutoff(jaro(bytesOf(a), bytesOf(b)), cutoff));

/** jaro_winkler_similarity(a, b[, cutoff]): Jaro raised by a common prefix of up to 4 bytes (weight 0.1) when above 0.7. */
const jaroWinklerSimilarity: ScalarFn = strict(([a, b, cutoff]) => {
  const x = bytesOf(a), y = bytesOf(b);
  let sim = jaro(x, y);
  if (sim > 0.7) {
    let prefix = 0;
    while (prefix < 4 && prefix < x.length && prefix < y.length && x[prefix] === y[prefix]) prefix++;
    sim += prefix * 0.1 * (1 - sim);
  }
  return withCutoff(sim, cutoff);
});

/** unhex(s): hex digits (either case) as bytes; an odd count reads the first digit alone, anything else is DuckDB's error. */
const unhex: ScalarFn = strict(([v]) => {
  const s = v as string;
  const digit = (c: string): number => {
    const d = parseInt(c, 16);
    if (!/^[0-9a-fA-F]$/.test(c)) throw new SqlError("invalid_input", `Invalid input for hex digit: ${c}`);
    return d;
  };
  const out = new Uint8Array(Math.ceil(s.length / 2));
  let i = 0, o = 0;
  if (s.length % 2 === 1) out[o++] = digit(s[i++]!);
  for (; i < s.length; i += 2) out[o++] = digit(s[i]!) * 16 + digit(s[i + 1]!);
  return out;
});

/** ord(s): the first character's code point, -1 for the empty text (unicode()). */
const ord: ScalarFn = strict(([s]) => ((s as string).length === 0 ? -1 : (s as string).codePointAt(0)!));

/**
 * The distinct non-NULL elements of a list, in first-seen order (NULL for a NULL list). A NaN
 * element of a DOUBLE or FLOAT list is distinct from every other, as in DuckDB's hash set of raw
 * numbers (NaN ≠ NaN there; -0 = 0); inside a nested element NaN equals NaN, as there.
 */
function distinctElements(list: Value[], elementType: string): Value[] {
  const seen = new Set<string>();
  const out: Value[] = [];
  const floating = elementType === "DOUBLE" || elementType === "FLOAT";
  for (const v of list) {
    if (v === null) continue;
    if (floating && Number.isNaN(v)) {
      out.push(v);
      continue;
    }
    const k = valueKey(v, elementType);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

/** list_unique(l): how many distinct non-NULL elements. */
const listUnique: ScalarFn = strict(([l], ctx) => BigInt(distinctElements(l as Value[], elementOfList(ctx.argTypes[0])).length));

/**
 * list_distinct(l): the distinct non-NULL elements. DuckDB's order is its hash table's, which
 * the compiler lets through only where order cannot show (inside list_sort, a count).
 */
const listDistinct: ScalarFn = strict(([l], ctx) => distinctElements(l as Value[], elementOfList(ctx.argTypes[0])));

/** decode(blob): the bytes as UTF-8 text; bytes that are not UTF-8 are DuckDB's Conversion Error. */
const decode: ScalarFn = strict(([v]) => {
  try {
    return strictUtf8.decode(v as Uint8Array);
  } catch {
    throw new SqlError("conversion", "Failure in decode: could not convert blob to UTF8 string, the blob contained invalid UTF8 characters");
  }
});

export const bytesTextScalars: Record<string, ScalarFn> = {
  encode: strict(([s]) => bytesOf(s)),
  decode,
  hex,
  to_hex: hex,
  to_base64: toBase64,
  base64: toBase64,
  url_encode: urlEncode,
  url_decode: urlDecode,
  from_base64: fromBase64,
  regexp_escape: regexpEscape,
  bit_length: strict(([s]) => BigInt(bytesOf(s).length * 8)),
  levenshtein,
  editdist3: levenshtein,
  hamming,
  mismatches: hamming,
  damerau_levenshtein: damerauLevenshtein,
  jaro_similarity: jaroSimilarity,
  jaro_winkler_similarity: jaroWinklerSimilarity,
  unhex,
  from_hex: unhex,
  sha1: strict(([v]) => sha1Hex(v instanceof Uint8Array ? v : (v as string))),
  md5_number: strict(([v]) => md5Number(v as Uint8Array | string, "all")),
  md5_number_lower: strict(([v]) => md5Number(v as Uint8Array | string, "lower")),
  md5_number_upper: strict(([v]) => md5Number(v as Uint8Array | string, "upper")),
  ord,
  list_unique: listUnique,
  array_unique: listUnique,
  list_distinct: listDistinct,
  array_distinct: listDistinct,
};

/**
 * Numbers ↔ text the way DuckDB casts them: integer text with '_' digit
 * separators, 0x/0b prefixes, fractions and exponents rounded half away from
 * zero; DOUBLE printed in the shortest round-trip form with Python-style
 * exponents (1e+20, 1e-05), FLOAT in float32's shortest form.
 */
import { isDigit, isSpace } from "./datetime-parse.ts";

/** Digits with '_' allowed only between two digits; returns the digits and where they end. */
function digitRun(s: string, pos: number): { digits: string; pos: number } {
  let digits = "";
  while (pos < s.length) {
    const c = s[pos]!;
    if (isDigit(c)) { digits += c; pos++; continue; }
    if (c === "_" && digits.length > 0 && isDigit(s[pos + 1])) { pos++; continue; }
    break;
  }
  return { digits, pos };
}

export interface DecimalText {
  negative: boolean;
  /** All significant digits, integer part then fraction. */
  digits: string;
  /** Digits before the point in `digits`. */
  intDigits: number;
  exponent: number;
}

/** Parses [ws][sign]digits[.digits][e[sign]digits][ws]; null if the text is not such a number. */
export function parseDecimalText(s: string, bareExponent = false): DecimalText | null {
  let pos = 0;
  while (isSpace(s[pos])) pos++;
  let negative = false;
  if (s[pos] === "-" || s[pos] === "+") { negative = s[pos] === "-"; pos++; }
  const int = digitRun(s, pos);
  pos = int.pos;
  let frac = "";
  if (s[pos] === ".") {
    const f = digitRun(s, pos + 1);
    frac = f.digits;
    pos = f.pos;
  }
  if (int.digits.length === 0 && frac.length === 0) {
    // DuckDB's integer and DECIMAL parsers read a sign followed only by spaces as 0.
    const signOnly = bareExponent && pos > 0 && /[+-]/.test(s[pos - 1]!) && pos < s.length && /^[ \t\n\v\f\r]+$/.test(s.slice(pos));
    return signOnly ? { negative, digits: "0", intDigits: 1, exponent: 0 } : null;
  }
  let exponent = 0;
  if (s[pos] === "e" || s[pos] === "E") {
    pos++;
    let eneg = false;
    if (s[pos] === "-" || s[pos] === "+") { eneg = s[pos] === "-"; pos++; }
    // DuckDB's integer parser takes 'e' followed by spaces as exponent 0.
    if (!isDigit(s[pos]) && !(bareExponent && isSpace(s[pos]))) return null;
    let e = 0;
    // An exponent's digits take single '_' between them as a mantissa's do ('1e1_0' is 1e10).
    while (isDigit(s[pos]) || (s[pos] === "_" && isDigit(s[pos - 1]) && isDigit(s[pos + 1]))) {
      if (s[pos] !== "_") e = Math.min(e * 10 + s.charCodeAt(pos) - 48, 1e9);
      pos++;
    }
    exponent = eneg ? -e : e;
  }
  while (isSpace(s[pos])) pos++;
  if (pos !== s.length) return null;
  return { negative, digits: int.digits + frac, intDigits: int.digits.length, exponent };
}

/**
 * The value of `t` times 10^scale, rounded half away from zero, as a bigint;
 * null when the result leaves [min, max].
 */
export function scaledValue(t: DecimalText, scale: number, min: bigint, max: bigint): bigint | null {
  const digits = t.digits.replace(/^0+/, "");
  if (digits.length === 0) return 0n;
  // value = digits * 10^(exponent - fracDigits + scale)
  const shift = t.exponent - (t.digits.length - t.intDigits) + scale;
  let v: bigint;
  if (shift >= 0) {
    if (digits.length + shift > 80) return null;
    v = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const drop = -shift;
    if (drop > digits.length) {
      v = 0n;
    } else {
      const keep = digits.slice(0, digits.length - drop);
      v = keep.length ? BigInt(keep) : 0n;
      if (digits.charCodeAt(digits.length - drop) >= 53) v += 1n;
    }
  }
  if (t.negative) v = -v;
  return v < min || v > max ? null : v;
}

/** DuckDB's VARCHAR → integer cast; null if the text is not accepted or out of range. */
export function parseIntegerText(s: string, min: bigint, max: bigint): bigint | null {
  let pos = 0;
  while (isSpace(s[pos])) pos++;
  const signed = s[pos] === "-" || s[pos] === "+";
  const huge = max > 2n ** 64n;
  if (!signed && !huge && s[pos] === "0" && /[xXbB]/.test(s[pos + 1] ?? "")) {
    const hex = s[pos + 1] === "x" || s[pos + 1] === "X";
    // Digits with single '_' between them, then nothing: DuckDB takes no trailing space after a 0x/0b literal.
    const m = (hex ? /^[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*$/ : /^[01]+(?:_[01]+)*$/).exec(s.slice(pos + 2));
    if (!m) return null;
    const v = BigInt((hex ? "0x" : "0b") + m[0].replace(/_/g, ""));
    return v > max ? null : v;
  }
  const t = parseDecimalText(s, true);
  if (!t) return null;
  // DuckDB accumulates the digits before the point in a 64-bit integer
  // (128-bit for HUGEINT), so a longer mantissa fails before any exponent.
  // Only UBIGINT accumulates unsigned: UTINYINT..UINTEGER go through a signed
  // 64-bit value ('9223372036854775808e-400' is no UTINYINT).
  const intPart = t.intDigits === 0 ? 0n : BigInt(t.digits.slice(0, t.intDigits));
  const accMax = huge ? max : max === 2n ** 64n - 1n ? max : 2n ** 63n - 1n;
  if (intPart > (t.negative && min !== 0n ? accMax + 1n : accMax)) return null;
  // Unsigned targets reject a minus sign, except on zeros alone: '-0' and '  -00' are 0, but
  // '-0.0', '-0e5', '-0 ' and '-0_0' are not numbers (DuckDB 1.4).
  if (min === 0n && t.negative) return /^[ \t\n\v\f\r]*-0+$/.test(s) ? 0n : null;
  // HUGEINT's parser rounds exactly; the narrower ones follow DuckDB's integer parser step by step.
  if (huge) return scaledValue(t, 0, min, max);
  // An exponent as written, `e0` too (DuckDB handles it; without one the value is rounded on its first fraction digit).
  return /[eE]/.test(s) ? integerWithExponent(t, min, max, max === 2n ** 64n - 1n) : scaledValueLikeDuckDB(t, 0, min, max);
}

/**
 * An integer text with an exponent, read as DuckDB 1.4's integer parser reads it (its
 * `IntegerDecimalCastOperation`), which is not the exact value rounded:
 * - the fraction is kept as a number of its own (leading zeros lost), its digits counted, digits that would
 *   overflow the 64-bit store skipped;
 * - a negative exponent shifts only the integer part, keeping the last digit shifted out as the fraction
 *   ('15e-2' is 0, '5e-20' is 1); when the integer part is 0 the fraction stays as read, taken as one digit
 *   ('-0.5e-1' is -1, '-0.5000001e-1' is 0, '0.10e-1' is 1);
 * - a positive exponent multiplies the integer part (when not 0) and adds the fraction's digits it moves;
 * - then the fraction is cut to at most 10 by whole digits, and rounds away from zero only when one digit is
 *   left and it is 5 or more. The store is 64 bits, signed (UBIGINT's unsigned).
 */
function integerWithExponent(t: DecimalText, min: bigint, max: bigint, unsigned: boolean): bigint | null {
  const storeMax = unsigned ? 2n ** 64n - 1n : 2n ** 63n - 1n;
  const bound = t.negative && min !== 0n ? storeMax + 1n : storeMax;
  let r = t.intDigits === 0 ? 0n : BigInt(t.digits.slice(0, t.intDigits));
  let dec = 0n;
  let dd = 0;
  for (let i = t.intDigits; i < t.digits.length; i++) {
    const digit = BigInt(t.digits.charCodeAt(i) - 48);
    if (dec > (storeMax - digit) / 10n) continue;
    dd++;
    dec = dec * 10n + digit;
  }
  let e = t.exponent;
  if (e < 0) {
    while (r !== 0n && e++ < 0) {
      dec = r % 10n;
      r /= 10n;
    }
    dd = 1;
  } else {
    while (r !== 0n && e-- > 0) {
      r *= 10n;
      if (r > bound) return null;
    }
    if (dec !== 0n) {
      let moved = t.exponent - dd;
      let rest = 0n;
      if (moved < 0) {
        // DuckDB's power of ten is made in the store's type, up to its digit count (19, UBIGINT's 20), and wraps
        // past it: '0.1234567890123456789012e0' is 1 as a UBIGINT.
        if (-moved <= (unsigned ? 20 : 19)) {
          const power = unsigned ? BigInt.asUintN(64, 10n ** BigInt(-moved)) : BigInt.asIntN(64, 10n ** BigInt(-moved));
          rest = dec % power;
          dec /= power;
        } else dec = 0n;
      } else {
        while (moved-- > 0) {
          dec *= 10n;
          if (dec > storeMax) return null;
        }
      }
      dd -= t.exponent;
      r += dec;
      if (r > bound) return null;
      dec = rest;
    }
  }
  let v = t.negative ? -r : r;
  if (v < min || v > max) return null;
  while (dec > 10n) {
    dec /= 10n;
    dd--;
  }
  if (dd === 1 && dec >= 5n) v += t.negative ? -1n : 1n;
  return v < min || v > max ? null : v;
}

/**
 * `scaledValue`, except that with an exponent DuckDB drops surplus digits one
 * at a time until the value is zero and rounds on the last digit dropped (so
 * '5e-20' is 1 but '15e-2' is 0).
 */
export function scaledValueLikeDuckDB(t: DecimalText, scale: number, min: bigint, max: bigint): bigint | null {
  const shift = t.exponent - (t.digits.length - t.intDigits) + scale;
  if (t.exponent !== 0 && shift < 0) {
    let v = BigInt(t.digits.replace(/^0+/, "") || "0");
    let last = 0n;
    for (let i = 0; i < -shift && v !== 0n; i++) { last = v % 10n; v /= 10n; }
    if (last >= 5n) v += 1n;
    if (t.negative) v = -v;
    return v < min || v > max ? null : v;
  }
  return scaledValue(t, scale, min, max);
}

/** DuckDB's VARCHAR → DOUBLE cast; null if not accepted. */
export function parseDoubleText(s: string): number | null {
  // DuckDB skips one leading '+' and hands the rest to its float parser, which
  // takes its own '-': so '+-42' is -42 (but '++42' and '-+42' are not numbers).
  const special = /^[ \t\n\v\f\r]*(\+-|[+-]?)(nan|inf|infinity)[ \t\n\v\f\r]*$/i.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return NaN;
    return special[1]!.endsWith("-") ? -Infinity : Infinity;
  }
  const plusMinus = /^[ \t\n\v\f\r]*\+-(?=[0-9.])/.exec(s);
  const t = parseDecimalText(plusMinus ? `-${s.slice(plusMinus[0].length)}` : s);
  if (!t) return null;
  const text = `${t.negative ? "-" : ""}${t.digits.slice(0, t.intDigits) || "0"}.${t.digits.slice(t.intDigits) || "0"}e${t.exponent}`;
  return Number(text);
}

/**
 * DuckDB's VARCHAR → FLOAT cast: the text rounded once, straight to float32
 * (not through a double: '1.0000000596046448' is 1.0000001, where rounding
 * the double 1+2^-24 again would tie to 1.0); null if not accepted.
 */
export function parseFloatText(s: string): number | null {
  const d = parseDoubleText(s);
  if (d === null) return null;
  const a = Math.fround(d);
  if (a === d || Number.isNaN(d) || !Number.isFinite(d)) return a;
  // The float on d's other side, and the midpoint between the two (exact in a double).
  const b = floatToward(a, d);
  const mid = Number.isFinite(a) ? (a + b) / 2 : b + (b - floatToward(b, 0)) / 2;
  // d is the double nearest the text, so only a d exactly on the midpoint can round the wrong way.
  if (d !== mid) return a;
  const plusMinus = /^[ \t\n\v\f\r]*\+-(?=[0-9.])/.exec(s);
  const t = parseDecimalText(plusMinus ? `-${s.slice(plusMinus[0].length)}` : s)!;
  const c = compareDecimalToDouble(t, mid);
  if (c === 0) return a;
  const up = Math.max(a, b), down = Math.min(a, b);
  return c > 0 ? up : down;
}

/** The float32 next to float `a` in the direction of `toward`. */
function floatToward(a: number, toward: number): number {
  const view = new DataView(new ArrayBuffer(4));
  if (!Number.isFinite(a)) return a > 0 ? 3.4028234663852886e38 : -3.4028234663852886e38;
  view.setFloat32(0, a);
  const bits = view.getUint32(0);
  const away = (toward > a) === (a >= 0);
  view.setUint32(0, a === 0 ? 1 : away ? bits + 1 : bits - 1);
  const r = view.getFloat32(0);
  return a === 0 && toward < 0 ? -r : r;
}

/**
 * A finite double's magnitude as an integer significand and a binary exponent, |x| = f * 2^e
 * (fmt's fp::assign: subnormals with e = -1074, the hidden bit added to normal numbers).
 */
export function doubleParts(x: number): { f: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  let f = bits & ((1n << 52n) - 1n);
  let biased = Number((bits >> 52n) & 0x7ffn);
  if (biased !== 0) f += 1n << 52n;
  else biased = 1;
  return { f, e: biased - 1075 };
}

/** The sign of (decimal text's exact value − x) for a finite nonzero double x. */
function compareDecimalToDouble(t: DecimalText, x: number): number {
  const { f: mant, e: e2 } = doubleParts(x);
  const digits = BigInt(t.digits.replace(/^0+/, "") || "0");
  const k = t.exponent - (t.digits.length - t.intDigits);
  const left = digits * 10n ** BigInt(Math.max(k, 0)) * 2n ** BigInt(Math.max(-e2, 0));
  const right = mant * 2n ** BigInt(Math.max(e2, 0)) * 10n ** BigInt(Math.max(-k, 0));
  const sign = t.negative ? -1 : 1;
  const xs = x < 0 ? -1 : 1;
  if (sign !== xs) return sign;
  return left === right ? 0 : (left > right ? 1 : -1) * sign;
}

/**
 * Whether a double's sign bit is set, a NaN's too: x86 arithmetic makes `inf - inf` and `0 * inf` a NaN
 * with the sign set, which DuckDB prints `-nan` and signbit() sees, and V8 keeps the bit as DuckDB does.
 */
export function signBitSet(n: number): boolean {
  if (!Number.isNaN(n)) return n < 0 || Object.is(n, -0);
  signView.setFloat64(0, n);
  return signView.getUint8(0) >= 0x80;
}
const signView = new DataView(new ArrayBuffer(8));
/** x86's default NaN, sign set, made from its bits (a `-NaN` in the source is folded to NaN by the bundler). */
export const NEGATIVE_NAN = ((): number => {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, 0xfff80000);
  return v.getFloat64(0);
})();

/** Python-style shortest repr of a double, as DuckDB prints DOUBLE. */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return signBitSet(n) ? "-nan" : "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  return formatShortest(n.toExponential());
}

/** The float32 values next to a float32 (for its rounding interval). */
function floatNeighbours(n: number): [number, number] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, n);
  const bits = view.getUint32(0);
  view.setUint32(0, bits + 1);
  const away = view.getFloat32(0);
  view.setUint32(0, bits - 1);
  const toward = view.getFloat32(0);
  return [toward, away];
}

/** Shortest text that reads back as the same float32. */
export function formatFloat(n: number): string {
  if (!Number.isFinite(n) || n === 0) return formatDouble(n);
  const [a, b] = floatNeighbours(n);
  // Past FLOAT's largest value the next one up is infinity; the boundary is still half an ulp away.
  const mids = [(n + a) / 2, Number.isFinite(b) ? (n + b) / 2 : n + (n - a) / 2];
  for (let p = 1; p <= 9; p++) {
    const e = n.toExponential(p - 1);
    if (Math.fround(Number(e)) !== n) continue;
    // A candidate exactly halfway to a neighbour does not count (35621632, not 35621630).
    if (mids.includes(Number(e))) continue;
    // When a rounding boundary is itself a decimal this short, DuckDB's
    // formatter gives up on the shortest form and prints the exact value
    // (882047168.0, not 882047170.0).
    if (p > 1 && mids.some((m) => Number(m.toPrecision(p - 1)) === m)) return formatShortest(exactExponential(n));
    // When the float lies exactly halfway between two p-digit candidates
    // DuckDB prints one more digit (2424476.25, not 2424476.2 or .3).
    const longer = n.toExponential(p);
    if (/5e/.test(longer) && Number(longer) === n) continue;
    return formatShortest(e.replace(/\.?0+e/, "e"));
  }
  return formatShortest(n.toExponential(8));
}

/** The exact decimal value of a double in "d.ddde±x" form. */
function exactExponential(n: number): string {
  const { f: mant, e: e2 } = doubleParts(n);
  // n = mant * 2^e2 = digits * 10^-scale
  let digits: bigint, scale: number;
  if (e2 >= 0) { digits = mant << BigInt(e2); scale = 0; }
  else { digits = mant * 5n ** BigInt(-e2); scale = -e2; }
  let text = digits.toString();
  while (scale > 0 && text.endsWith("0")) { text = text.slice(0, -1); scale--; }
  const exp10 = text.length - 1 - scale;
  const trimmed = text.replace(/0+$/, "") || "0";
  const mantissa = trimmed.length > 1 ? `${trimmed[0]}.${trimmed.slice(1)}` : trimmed;
  return `${n < 0 ? "-" : ""}${mantissa}e${exp10 >= 0 ? "+" : ""}${exp10}`;
}

/** From "d.ddde±x" (exponential form) to fixed if -4 <= x < 16, else d.ddde±XX. */
function formatShortest(exp: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (!m) throw new Error(`functions: unexpected exponential form ${exp}`);
  const [, sign, lead, rest = "", ex] = m;
  const e = Number(ex);
  const digits = lead! + rest;
  if (e >= -4 && e < 16) {
    if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
    if (digits.length <= e + 1) return `${sign}${digits.padEnd(e + 1, "0")}.0`;
    return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  }
  const mant = rest ? `${lead}.${rest}` : lead!;
  const abs = Math.abs(e);
  return `${sign}${mant}e${e < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
}

/** DECIMAL's unscaled value as text with `scale` fraction digits. */
export function formatDecimal(v: bigint, scale: number, width = scale + 1): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString();
  if (scale === 0) return (neg ? "-" : "") + s;
  // DECIMAL(s,s) has no integer digit: DuckDB prints ".50", not "0.50".
  const padded = s.padStart(width > scale ? scale + 1 : scale, "0");
  return `${neg ? "-" : ""}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

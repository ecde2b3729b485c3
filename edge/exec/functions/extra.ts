/**
 * Scalars outside the first subset that notebooks reach for: concat_ws,
 * translate, regexp/string splitting, GLOB, iff, power and friends,
 * date_diff, dayname, monthname, last_day, typeof.
 */
import type { Value } from "../../plan/values.ts";
import { civilFromDays, daysFromCivil, daysInMonth, floorDiv, splitTimestamp, dateToMicros, isInfiniteTimestamp, dateOutsideTimestamps, formatDate } from "./calendar.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { isoYear, specifier } from "./datetime.ts";
import { compileRegex, optionFlags } from "./pattern.ts";
import { valueToText } from "./text.ts";
import { isIntegerType, parseType } from "./types.ts";
import { toDouble } from "./numeric.ts";
import { doubleParts } from "./number-text.ts";

const concatWs: ScalarFn = (args, ctx) => {
  const [sep, ...rest] = args;
  if (sep === null || sep === undefined) return null;
  const parts: string[] = [];
  rest.forEach((a, i) => {
    if (a === null || a === undefined) return;
    parts.push(typeof a === "string" ? a : valueToText(a, ctx.argTypes[i + 1] ?? "VARCHAR"));
  });
  return parts.join(sep as string);
};

const translate: ScalarFn = ([s, from, to]) => {
  if (s === null || from === null || to === null || s === undefined || from === undefined || to === undefined) return null;
  const f = Array.from(from as string), t = Array.from(to as string);
  const map = new Map<string, string>();
  f.forEach((c, i) => { if (!map.has(c)) map.set(c, t[i] ?? ""); });
  let out = "";
  for (const c of s as string) out += map.has(c) ? map.get(c)! : c;
  return out;
};

/**
 * string_split_regex / regexp_split_to_array as DuckDB splits: each search runs on the text left
 * after the last cut, as a text of its own (so `^` and `\b` see its start: '^a' cuts 'aaa' into
 * four empty pieces); an empty match at that start cuts after one character instead, and a
 * match anywhere else (empty or not) cuts where it stands. Whatever is left at the end, even
 * nothing, is the last piece.
 */
const splitRegex: ScalarFn = ([s, p, o]) => {
  if (s === null || p === null || s === undefined || p === undefined || o === null) return null;
  const re = compileRegex(p as string, optionFlags(o).flags);
  let rest = s as string;
  const out: string[] = [];
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) break;
    let at = m.index;
    if (m[0].length === 0 && at === 0) {
      at = (rest.codePointAt(0)! > 0xffff ? 2 : 1);
      if (at >= rest.length) break;
    }
    out.push(rest.slice(0, at));
    rest = rest.slice(at + m[0].length);
  }
  out.push(rest);
  return out;
};

/** The UTF-8 bytes of a string as a "binary string" (one char per byte). */
function byteString(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) out += String.fromCharCode(b);
  return out;
}

/**
 * GLOB: * any run, ? one byte, [...] byte classes, \ escapes; DuckDB matches
 * bytes, so '?' does not match a two-byte character.
 */
const globCache = new Map<string, RegExp>();
const glob: ScalarFn = ([s, p]) => {
  if (s === null || p === null || s === undefined || p === undefined) return null;
  let re = globCache.get(p as string);
  if (!re) {
    const special = /[\\^$.*+?()[\]{}|/-]/;
    const esc = (c: string) => (special.test(c) ? `\\${c}` : c);
    const bytes = byteString(p as string);
    let src = "";
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c === "*") src += "[^]*";
      else if (c === "?") src += "[^]";
      else if (c === "[") {
        const end = bytes.indexOf("]", i + 2);
        if (end < 0) { src += "\\["; continue; }
        let cls = bytes.slice(i + 1, end);
        const negate = cls.startsWith("!");
        if (negate) cls = cls.slice(1);
        src += `[${negate ? "^" : ""}${Array.from(cls, (x) => (x === "-" ? "-" : esc(x))).join("")}]`;
        i = end;
      } else if (c === "\\" && i + 1 < bytes.length) src += esc(bytes[++i]!);
      else src += esc(c);
    }
    re = new RegExp(`^${src}$`, "s");
    globCache.set(p as string, re);
  }
  return re.test(byteString(s as string));
};

const iff: ScalarFn = ([c, a, b]) => (c === true ? a ?? null : b ?? null);

function typeName(t: string | undefined): string {
  const p = parseType(t ?? "TIMESTAMP");
  return p.kind === "scalar" ? p.name : p.kind;
}

/** A DATE or TIMESTAMP argument as microseconds, or null for an infinity (where these functions answer NULL, as DuckDB's). */
function micros(v: Value, type: string | undefined): bigint | null {
  const m = typeName(type) === "DATE" ? dateToMicros(v as number) : (v as bigint);
  return isInfiniteTimestamp(m) ? null : m;
}

/** date_diff: the number of part boundaries between two instants (end minus start). */
const dateDiff: ScalarFn = (args, ctx) => {
  const [part, a, b] = args;
  // A DATE beside a TIMESTAMP is cast by DuckDB's binder, whatever the other side holds, which fails
  // past TIMESTAMP's range (ICU's cast beside a TIMESTAMPTZ: an Invalid Input Error).
  const ta = typeName(ctx.argTypes[1]), tb = typeName(ctx.argTypes[2]);
  for (const [v, t, other] of [[a, ta, tb], [b, tb, ta]] as const) {
    if (t === "DATE" && other !== "DATE" && typeof v === "number" && dateOutsideTimestamps(v)) {
      throw new SqlError(other === "TIMESTAMPTZ" ? "invalid_input" : "conversion", `Type INT32 with value ${formatDate(v)} can't be cast to the destination type INT64`);
    }
  }
  if (part === null || a === null || b === null || part === undefined || a === undefined || b === undefined) return null;
  const ma = micros(a, ctx.argTypes[1]), mb = micros(b, ctx.argTypes[2]);
  if (ma === null || mb === null) return null;
  if (ta === "DATE" && tb === "DATE") {
    // DuckDB's DATE overload: milliseconds and microseconds are Date::EpochMicroseconds of each day
    // (the end's first), which fails past TIMESTAMP's range; weeks are the days' difference in 32
    // bits (it wraps for dates more than 2^31 days apart), divided by 7.
    const p = specifier(part as string);
    if (p === "millisecond" || p === "microsecond") {
      for (const d of [b as number, a as number]) if (dateOutsideTimestamps(d)) throw new SqlError("conversion", `Could not convert DATE (${formatDate(d)}) to microseconds`);
    }
    if (p === "week" || p === "yearweek") return BigInt(Math.trunc((((b as number) - (a as number)) | 0) / 7));
  }
  const sa = splitTimestamp(ma), sb = splitTimestamp(mb);
  const ca = civilFromDays(sa.days), cb = civilFromDays(sb.days);
  // DuckDB's names and aliases (any case); the year-like parts truncate the year toward zero, as its DateDiff does.
  switch (specifier(part as string)) {
    case "year": return BigInt(cb.year - ca.year);
    case "decade": return BigInt(Math.trunc(cb.year / 10) - Math.trunc(ca.year / 10));
    case "century": return BigInt(Math.trunc(cb.year / 100) - Math.trunc(ca.year / 100));
    case "millennium": return BigInt(Math.trunc(cb.year / 1000) - Math.trunc(ca.year / 1000));
    case "isoyear": return BigInt(isoYear(sb.days) - isoYear(sa.days));
    case "quarter": return BigInt(Math.trunc((cb.year * 12 + cb.month - 1) / 3) - Math.trunc((ca.year * 12 + ca.month - 1) / 3));
    case "month": return BigInt(cb.year * 12 + cb.month - (ca.year * 12 + ca.month));
    case "week": case "yearweek": return BigInt(Math.trunc((sb.days - sa.days) / 7));
    case "day": case "doy": case "dow": case "isodow": case "julian": return BigInt(sb.days - sa.days);
    case "hour": return floorDiv(mb, 3_600_000_000n) - floorDiv(ma, 3_600_000_000n);
    case "minute": return floorDiv(mb, 60_000_000n) - floorDiv(ma, 60_000_000n);
    case "second": case "epoch": return floorDiv(mb, 1_000_000n) - floorDiv(ma, 1_000_000n);
    case "millisecond": return floorDiv(mb, 1000n) - floorDiv(ma, 1000n);
    case "microsecond": {
      // In 64 bits: TIMESTAMP's subtraction is checked; a DATE's (two DATEs) and ICU's (TIMESTAMPTZ) wrap.
      const d = mb - ma;
      if (BigInt.asIntN(64, d) === d) return d;
      if (ta === "TIMESTAMPTZ" || tb === "TIMESTAMPTZ" || (ta === "DATE" && tb === "DATE")) return BigInt.asIntN(64, d);
      throw new SqlError("out_of_range", `Overflow in subtraction of INT64 (${mb} - ${ma})!`);
    }
    default: throw new SqlError("not_implemented", "Specifier type not implemented for DATEDIFF");
  }
};

const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** The day number of a DATE or TIMESTAMP argument, or null for NULL and the infinities. */
function dayOf(v: Value | undefined, type: string | undefined): number | null {
  const m = v === null || v === undefined ? null : micros(v, type);
  return m === null ? null : splitTimestamp(m).days;
}

const dayname: ScalarFn = ([v], ctx) => {
  const days = dayOf(v, ctx.argTypes[0]);
  return days === null ? null : dayNames[((days + 4) % 7 + 7) % 7]!;
};

const monthname: ScalarFn = ([v], ctx) => {
  const days = dayOf(v, ctx.argTypes[0]);
  return days === null ? null : monthNames[civilFromDays(days).month - 1]!;
};

const lastDay: ScalarFn = ([v], ctx) => {
  const days = dayOf(v, ctx.argTypes[0]);
  if (days === null) return null;
  const c = civilFromDays(days);
  return daysFromCivil(c.year, c.month, daysInMonth(c.year, c.month));
};

// ---- Floating-point conversions as DuckDB's fmt (6.x) prints them ----
//
// fmt prints a double with a fixed precision by Grisu's digit generation over a 64-bit product
// with a cached power of ten. Where Grisu cannot decide the rounding (an exact tie, for one) it asks
// the C library's snprintf, which rounds the exact binary value half to even. Past the ~19 digits
// the 64-bit product holds, Grisu keeps generating digits from that product and its error bound,
// multiplied by 10 in 64-bit arithmetic, wraps around, so huge numbers print digits that are not
// their value (printf('%.2f', 1e300) is 1000000000000000052532413974...). Both paths are
// reproduced here step by step, in BigInt, so the pipeline prints the very same text.

const U64 = (n: bigint) => BigInt.asUintN(64, n);

/** fmt's cached powers of ten: the normalized 64-bit significand of 10^k rounded to nearest, and its binary exponent, for k = -348, -340, ..., 340. */
const POW10_CACHE: { f: bigint; e: number }[] = (() => {
  const out: { f: bigint; e: number }[] = [];
  for (let k = -348; k <= 340; k += 8) {
    // 10^k = num / den exactly; find e with 2^63 <= 10^k / 2^e < 2^64.
    const num = k >= 0 ? 10n ** BigInt(k) : 1n;
    const den = k >= 0 ? 1n : 10n ** BigInt(-k);
    let e = Math.floor(k * Math.log2(10)) - 63;
    const scaled = (ex: number) => {
      // round(num / den / 2^ex) half up
      const n2 = ex >= 0 ? num : num << BigInt(-ex);
      const d2 = ex >= 0 ? den << BigInt(ex) : den;
      const q = n2 / d2;
      const r = n2 - q * d2;
      return { q, r, d2 };
    };
    for (;;) {
      const { q } = scaled(e);
      if (q >= 1n << 64n) { e++; continue; }
      if (q < 1n << 63n) { e--; continue; }
      break;
    }
    const { q, r, d2 } = scaled(e);
    let f = 2n * r >= d2 ? q + 1n : q;
    if (f === 1n << 64n) { f >>= 1n; e++; }
    out.push({ f, e });
  }
  return out;
})();

const POW10_64: bigint[] = Array.from({ length: 20 }, (_, i) => 10n ** BigInt(i));

/** fmt's get_round_direction: 1 up, -1 down, 0 unknown. */
function roundDirection(divisor: bigint, remainder: bigint, error: bigint): number {
  if (remainder <= divisor - remainder && error * 2n <= divisor - remainder * 2n) return -1;
  if (remainder >= error && remainder - error >= divisor - (remainder - error)) return 1;
  return 0;
}

/**
 * Grisu's fixed-precision digit generation (fmt's format_float with a precision of at most 17):
 * `precision` digits after the point (fixed) or significant digits, as digits and the power of ten
 * of the last one; null where fmt falls back to snprintf.
 */
function grisuFixed(value: number, precision: number, fixed: boolean): { digits: string; exp: number } | null {
  let { f, e } = doubleParts(value);
  while ((f & (1n << 52n)) === 0n) { f <<= 1n; e--; }
  f <<= 11n;
  e -= 11;
  const minExponent = -60 - (e + 64);
  let index = Number((BigInt(minExponent + 63) * 0x4d104d42n + 0xffffffffn) >> 32n);
  index = Math.trunc((index + 348 - 1) / 8) + 1;
  const cachedExp10 = -348 + index * 8;
  const cached = POW10_CACHE[index]!;
  const product = f * cached.f;
  const vf = (product >> 64n) + ((product >> 63n) & 1n);
  const ve = e + cached.e + 64;
  // grisu_gen_digits with the fixed handler, error 1.
  const shift = BigInt(-ve);
  const oneF = 1n << shift;
  let integral = vf >> shift;
  let fractional = vf & (oneF - 1n);
  let exp = integral.toString().length;
  const buf: number[] = [];
  let want = precision;
  let error = 1n;
  // on_start
  if (fixed) {
    want += exp - cachedExp10;
    if (want < 0) return { digits: "", exp: exp - cachedExp10 };
    if (want === 0) {
      const dir = roundDirection(POW10_64[exp - 1]! << shift, vf / 10n, 10n);
      if (dir === 0) return null;
      return { digits: dir > 0 ? "1" : "0", exp: exp - cachedExp10 };
    }
  }
  const onDigit = (digit: number, divisor: bigint, remainder: bigint, isIntegral: boolean): "more" | "done" | "error" => {
    buf.push(digit);
    if (buf.length < want) return "more";
    if (!isIntegral && (error >= divisor || error >= divisor - error)) return "error";
    const dir = roundDirection(divisor, remainder, error);
    if (dir <= 0) return dir < 0 ? "done" : "error";
    let i = buf.length - 1;
    buf[i]!++;
    for (; i > 0 && buf[i]! > 9; i--) {
      buf[i] = 0;
      buf[i - 1]!++;
    }
    if (buf[0]! > 9) {
      buf[0] = 1;
      buf.push(0);
    }
    return "done";
  };
  let result: "more" | "done" | "error" = "more";
  do {
    const p = POW10_64[exp - 1]!;
    const digit = integral / p;
    integral %= p;
    exp--;
    result = onDigit(Number(digit), POW10_64[exp]! << shift, (integral << shift) + fractional, true);
  } while (result === "more" && exp > 0);
  while (result === "more") {
    fractional *= 10n;
    error = U64(error * 10n);
    const digit = Number(fractional >> shift);
    fractional &= oneF - 1n;
    exp--;
    result = onDigit(digit, oneF, fractional, false);
  }
  if (result === "error") return null;
  let n = buf.length;
  if (!fixed) {
    while (n > 0 && buf[n - 1] === 0) {
      n--;
      exp++;
    }
  }
  return { digits: buf.slice(0, n).join(""), exp: exp - cachedExp10 };
}

/** The exact value of a positive double as numerator / 2^shift. */
function exactRational(value: number): { num: bigint; shift: bigint } {
  const { f, e } = doubleParts(value);
  return e >= 0 ? { num: f << BigInt(e), shift: 0n } : { num: f, shift: BigInt(-e) };
}

/** round(num / den) half to even. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num - q * den) * 2n;
  return r2 > den || (r2 === den && (q & 1n) === 1n) ? q + 1n : q;
}

/**
 * fmt's snprintf_float: glibc's %.Nf / %.Ne of the exact binary value, rounded half to even,
 * turned into digits and an exponent the way fmt does (trailing zeros of %e dropped).
 */
function snprintfDigits(value: number, precision: number, format: "fixed" | "exp" | "general", alt: boolean): { digits: string; exp: number } {
  const { num, shift } = exactRational(value);
  if (format === "fixed") {
    const n = roundHalfEven(num * 10n ** BigInt(precision), 1n << shift);
    // glibc writes at least one integer digit; '#' with no decimals leaves its point, which fmt keeps as a digit.
    let text = n.toString().padStart(precision + 1, "0");
    if (precision === 0) return { digits: alt ? `${text}.` : text, exp: 0 };
    return { digits: text, exp: -precision };
  }
  const p = precision - 1;
  const sig = p >= 0 ? p + 1 : 7;
  // The decimal exponent: 10^d10 <= value < 10^(d10+1).
  let d10 = Math.floor(Math.log10(value));
  const ge = (k: number) => (k >= 0 ? num >= (10n ** BigInt(k)) << shift : num * 10n ** BigInt(-k) >= 1n << shift);
  while (!ge(d10)) d10--;
  while (ge(d10 + 1)) d10++;
  const k = sig - 1 - d10;
  let n = k >= 0 ? roundHalfEven(num * 10n ** BigInt(k), 1n << shift) : roundHalfEven(num, (10n ** BigInt(-k)) << shift);
  let e10 = d10;
  if (n >= 10n ** BigInt(sig)) {
    n /= 10n;
    e10++;
  }
  let digits = n.toString();
  if (digits.length > 1) digits = digits.replace(/0+$/, "") || "0";
  if (digits === "") digits = "0";
  return { digits, exp: e10 - (digits.length - 1) };
}

/** fmt's format_float: digits and the power of ten of the last one. A precision of -1 is the shortest form. */
function formatFloatDigits(value: number, precision: number, format: "fixed" | "exp" | "general", alt: boolean): { digits: string; exp: number } {
  const fixed = format === "fixed";
  if (value === 0) {
    if (precision <= 0 || !fixed) return { digits: "0", exp: 0 };
    return { digits: "0".repeat(precision), exp: -precision };
  }
  if (precision === -1) {
    // The shortest text that reads back as the double (Grisu, or fmt's exact fallback): JS's own.
    const [mant, ex] = value.toExponential().split("e");
    const digits = mant!.replace(".", "");
    return { digits, exp: Number(ex) - (digits.length - 1) };
  }
  if (precision > 17) return snprintfDigits(value, precision, format, alt);
  return grisuFixed(value, precision, fixed) ?? snprintfDigits(value, precision, format, alt);
}

/**
 * glibc's %a of a non-negative double, as fmt hands it to snprintf: `0x1.8p+0`, a subnormal as
 * `0x0.0000000000001p-1022`; a precision rounds the hexadecimal digits half to even, and a carry
 * leaves a leading 2 (`%.0a` of 1.5 is `0x2p+0`).
 */
function hexFloat(value: number, precision: number, alt: boolean, upper: boolean): string {
  let lead = 0n;
  let frac = 0n;
  let exp = 0;
  if (value !== 0) {
    const { f, e } = doubleParts(value);
    frac = f & ((1n << 52n) - 1n);
    lead = f >> 52n;
    exp = e + 52;
  }
  let hex: string;
  if (precision < 0) hex = frac.toString(16).padStart(13, "0").replace(/0+$/, "");
  else if (precision >= 13) hex = frac.toString(16).padStart(13, "0") + "0".repeat(precision - 13);
  else {
    const shift = BigInt(4 * (13 - precision));
    const full = (lead << 52n) | frac;
    let q = full >> shift;
    const r2 = (full & ((1n << shift) - 1n)) * 2n;
    if (r2 > 1n << shift || (r2 === 1n << shift && (q & 1n) === 1n)) q++;
    lead = q >> BigInt(4 * precision);
    hex = precision === 0 ? "" : (q & ((1n << BigInt(4 * precision)) - 1n)).toString(16).padStart(precision, "0");
  }
  const text = `0x${lead.toString(16)}${hex || alt ? "." : ""}${hex}p${exp < 0 ? "-" : "+"}${Math.abs(exp)}`;
  return upper ? text.toUpperCase() : text;
}

/** A conversion spec as fmt holds it, for printf and for format()'s `{:...}`. */
interface FmtSpecs {
  width: number;
  precision: number;
  type: string;
  align: "none" | "left" | "right" | "center" | "numeric";
  fill: string;
  sign: "none" | "minus" | "plus" | "space";
  alt: boolean;
  thousands: string;
}

const SIGN_CHAR = { none: "", minus: "-", plus: "+", space: " " } as const;

/** fmt's write_padded: width counts code points; no alignment pads on the right. */
function padded(specs: FmtSpecs, text: string): string {
  const n = Array.from(text).length;
  if (specs.width <= n) return text;
  const pad = specs.width - n;
  if (specs.align === "right") return specs.fill.repeat(pad) + text;
  if (specs.align === "center") return specs.fill.repeat(Math.floor(pad / 2)) + text + specs.fill.repeat(pad - Math.floor(pad / 2));
  return text + specs.fill.repeat(pad);
}

/** Digits in groups of three from the left of a `count`-digit integer part (fmt's float_writer loop). */
function groupedInteger(digits: string, count: number, sep: string): string {
  let out = "";
  let size = count % 3 === 0 ? 3 : count % 3;
  for (let i = 0; i < count; i += size, size = 3) {
    if (i > 0) out += sep;
    out += digits.slice(i, i + size).padEnd(size, "0");
  }
  return out;
}

/** fmt's basic_writer::write(double, specs): a DOUBLE under a float conversion, padding included. */
function fmtDouble(input: number, specsIn: FmtSpecs): string {
  const specs = { ...specsIn };
  let format: "fixed" | "exp" | "general" | "hex" = "general";
  let upper = false;
  let trailingZeros = specs.alt;
  switch (specs.type) {
    case "": format = "general"; trailingZeros ||= specs.precision !== 0; break;
    case "G": upper = true; format = "general"; break;
    case "g": format = "general"; break;
    case "E": upper = true; format = "exp"; trailingZeros ||= specs.precision !== 0; break;
    case "e": format = "exp"; trailingZeros ||= specs.precision !== 0; break;
    case "F": upper = true; format = "fixed"; trailingZeros ||= specs.precision !== 0; break;
    case "f": format = "fixed"; trailingZeros ||= specs.precision !== 0; break;
    case "n": case "l": case "L": break;
    case "A": upper = true; format = "hex"; break;
    case "a": format = "hex"; break;
    default:
      throw new SqlError("invalid_input", `Invalid type specifier "${specs.type}" for formatting a value of type float`);
  }
  let sign = specs.sign;
  let value = input;
  if (value < 0 || Object.is(value, -0)) {
    sign = "minus";
    value = -value;
  } else if (sign === "minus") sign = "none";
  if (!Number.isFinite(value)) {
    // A NaN's sign bit does not survive JavaScript's arithmetic; DuckDB's own NaN values are positive.
    const str = Number.isNaN(value) ? (upper ? "NAN" : "nan") : upper ? "INF" : "inf";
    return padded(specs, SIGN_CHAR[sign] + str);
  }
  let lead = "";
  if (specs.align === "none") specs.align = "right";
  else if (specs.align === "numeric") {
    if (sign !== "none") {
      lead = SIGN_CHAR[sign];
      sign = "none";
      if (specs.width !== 0) specs.width--;
    }
    specs.align = "right";
  }
  if (format === "hex") return lead + padded(specs, SIGN_CHAR[sign] + hexFloat(value, specs.precision, specs.alt, upper));
  let precision = specs.precision >= 0 || !specs.type ? specs.precision : 6;
  if (format === "exp") precision++;
  const { digits, exp } = formatFloatDigits(value, precision, format, trailingZeros);
  const point = specs.thousands === "." ? "," : ".";
  // float_writer
  const numDigits = digits.length;
  if (format === "general") {
    const fullExp = numDigits + exp - 1;
    const p = precision > 0 ? precision : 16;
    if (!(fullExp >= -4 && fullExp < p)) format = "exp";
  }
  const fullExp = numDigits + exp;
  let body = "";
  if (format === "exp") {
    body = digits[0]!;
    const numZeros = precision - numDigits;
    const tz = numZeros > 0 && trailingZeros;
    if (numDigits > 1 || tz) body += point;
    body += digits.slice(1);
    if (tz) body += "0".repeat(numZeros);
    body += upper ? "E" : "e";
    let x = fullExp - 1;
    body += x < 0 ? "-" : "+";
    x = Math.abs(x);
    body += x < 10 ? `0${x}` : String(x);
  } else if (numDigits <= fullExp) {
    body = specs.thousands && fullExp > 3 ? groupedInteger(digits, fullExp, specs.thousands) : digits + "0".repeat(fullExp - numDigits);
    if (trailingZeros) {
      body += point;
      const numZeros = precision - fullExp;
      if (numZeros <= 0) {
        if (format !== "fixed") body += "0";
      } else body += "0".repeat(numZeros);
    }
  } else if (fullExp > 0) {
    body = specs.thousands && fullExp > 3 ? groupedInteger(digits, fullExp, specs.thousands) : digits.slice(0, fullExp);
    if (!trailingZeros) {
      let n = numDigits;
      while (n > fullExp && digits[n - 1] === "0") n--;
      if (n !== fullExp) body += point;
      body += digits.slice(fullExp, n);
    } else {
      body += point + digits.slice(fullExp);
      if (precision > numDigits) body += "0".repeat(precision - numDigits);
    }
  } else {
    body = "0";
    let numZeros = -fullExp;
    if (numDigits === 0 && precision >= 0 && precision < numZeros) numZeros = precision;
    let n = numDigits;
    if (!trailingZeros) while (n > 0 && digits[n - 1] === "0") n--;
    if (numZeros !== 0 || n !== 0) body += point + "0".repeat(numZeros) + digits.slice(0, n);
  }
  return lead + padded(specs, SIGN_CHAR[sign] + body);
}

/**
 * format()'s standard spec after the ':' (fmt's parse_format_specs):
 * `[[fill]align][sign | , | _ | ' | t<c>][#][0][width][.precision][type]`, up to its '}'.
 */
function parseFormatSpec(fmt: string, start: number, check: (what: "numeric" | "sign" | "precision") => void = () => {}): { specs: FmtSpecs; end: number } {
  const specs: FmtSpecs = { width: 0, precision: -1, type: "", align: "none", fill: " ", sign: "none", alt: false, thousands: "" };
  let i = start;
  const aligns: Record<string, FmtSpecs["align"]> = { "<": "left", ">": "right", "=": "numeric", "^": "center" };
  const missing = () => new SqlError("invalid_input", "missing '}' in format string");
  if (i >= fmt.length) throw missing();
  if (fmt[i] !== "}") {
    const c0 = Array.from(fmt.slice(i, i + 2))[0]!;
    const next = fmt[i + c0.length];
    if (next !== undefined && aligns[next]) {
      if (c0 === "{") throw new SqlError("invalid_input", "invalid fill character '{'");
      specs.fill = c0;
      specs.align = aligns[next]!;
      i += c0.length + 1;
    } else if (aligns[fmt[i]!]) {
      specs.align = aligns[fmt[i]!]!;
      i++;
    }
    if (specs.align === "numeric") check("numeric");
    switch (fmt[i]) {
      case "+": check("sign"); specs.sign = "plus"; i++; break;
      case "-": check("sign"); specs.sign = "minus"; i++; break;
      case " ": check("sign"); specs.sign = "space"; i++; break;
      case ",": specs.thousands = ","; i++; break;
      case "_": specs.thousands = "_"; i++; break;
      case "'": specs.thousands = "'"; i++; break;
      case "t":
        i++;
        if (i < fmt.length) specs.thousands = fmt[i++]!;
        break;
    }
    if (fmt[i] === "#") { check("numeric"); specs.alt = true; i++; }
    if (fmt[i] === "0") { check("numeric"); specs.align = "numeric"; specs.fill = "0"; i++; }
    const readInt = (): number => {
      if (fmt[i] === "0") { i++; return 0; }
      let v = 0;
      while (i < fmt.length && fmt[i]! >= "0" && fmt[i]! <= "9") {
        v = v * 10 + Number(fmt[i]);
        if (v > 2147483647) throw new SqlError("invalid_input", "number is too big");
        i++;
      }
      return v;
    };
    const dynamic = () => new SqlError("not_implemented", "format()'s dynamic width or precision ({:{}}) is not supported by the pipeline");
    if (fmt[i]! >= "0" && fmt[i]! <= "9") specs.width = readInt();
    else if (fmt[i] === "{") throw dynamic();
    if (fmt[i] === ".") {
      i++;
      if (fmt[i]! >= "0" && fmt[i]! <= "9") specs.precision = readInt();
      else if (fmt[i] === "{") throw dynamic();
      else throw new SqlError("invalid_input", "missing precision specifier");
      check("precision");
    }
    if (i < fmt.length && fmt[i] !== "}") specs.type = fmt[i++]!;
  }
  if (fmt[i] !== "}") throw missing();
  return { specs, end: i };
}

/** How DuckDB hands a value of a type to fmt under a format spec. */
function formatArgKind(type: string): "float" | "signed" | "unsigned" | "bool" | "string" | "unsupported" {
  const t = parseType(type);
  if (t.kind === "decimal") return "float";
  if (t.kind !== "scalar") return "string";
  switch (t.name) {
    case "DOUBLE": case "FLOAT": return "float";
    case "TINYINT": case "SMALLINT": case "INTEGER": case "BIGINT": return "signed";
    case "UTINYINT": case "USMALLINT": case "UINTEGER": case "UBIGINT": return "unsigned";
    case "BOOLEAN": return "bool";
    // fmt's 128-bit integer path is not reproduced.
    case "HUGEINT": case "UHUGEINT": return "unsupported";
    default: return "string";
  }
}

/** fmt's int_writer: a sign or '-' prefix, '#' base prefixes, a separator groups decimal digits whatever the type; '=' / '0' pad between prefix and digits. */
function fmtInteger(n: bigint, specs: FmtSpecs): string {
  let prefix = n < 0n ? "-" : specs.sign === "plus" ? "+" : specs.sign === "space" ? " " : "";
  const abs = n < 0n ? -n : n;
  let digits: string;
  if (specs.thousands) digits = grouped(abs.toString(), specs.thousands);
  else {
    switch (specs.type) {
      case "": case "d": case "n": case "l": case "L": digits = abs.toString(); break;
      case "x": case "X":
        if (specs.alt) prefix += `0${specs.type}`;
        digits = abs.toString(16);
        if (specs.type === "X") digits = digits.toUpperCase();
        break;
      case "b": case "B":
        if (specs.alt) prefix += `0${specs.type}`;
        digits = abs.toString(2);
        break;
      case "o":
        digits = abs.toString(8);
        if (specs.alt && abs !== 0n) prefix += "0";
        break;
      default:
        throw new SqlError("invalid_input", `Invalid type specifier "${specs.type}" for formatting a value of type int`);
    }
  }
  const size = prefix.length + digits.length;
  if (specs.align === "numeric") return prefix + (specs.width > size ? specs.fill.repeat(specs.width - size) : "") + digits;
  return padded({ ...specs, align: specs.align === "none" ? "right" : specs.align }, prefix + digits);
}

/** fmt's string writer: a precision keeps that many code points; no alignment pads on the right. */
function fmtString(text: string, specs: FmtSpecs): string {
  if (specs.type !== "" && specs.type !== "s") throw new SqlError("invalid_input", `Invalid type specifier "${specs.type}" for formatting a value of type string`);
  const cut = specs.precision >= 0 ? Array.from(text).slice(0, specs.precision).join("") : text;
  return padded(specs, cut);
}

/**
 * format(fmt, args...): fmt's `{}` (the next argument), `{N}` (argument N) and `{{` / `}}`,
 * each argument as CAST(x AS VARCHAR) prints it (a DECIMAL as the DOUBLE it becomes); NULL when any argument is NULL, as DuckDB's.
 * A format spec (`{:.2f}`, `{:>12,.2f}`, `{:,}`, `{:08x}`, `{:>10}`) is applied as fmt does to a DOUBLE,
 * FLOAT or DECIMAL, an integer up to 64 bits, a BOOLEAN, or any other value as its text; of a HUGEINT or
 * UHUGEINT it is refused (not_implemented).
 */
const format: ScalarFn = (args, ctx) => {
  if (args.some((a) => a === null || a === undefined)) return null;
  const fmt = args[0] as string;
  const rest = args.slice(1);
  let out = "";
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === "}") {
      if (fmt[i + 1] !== "}") throw new SqlError("invalid_input", "unmatched '}' in format string");
      out += "}";
      i++;
      continue;
    }
    if (c !== "{") {
      out += c;
      continue;
    }
    if (fmt[i + 1] === "{") {
      out += "{";
      i++;
      continue;
    }
    const close = fmt.indexOf("}", i + 1);
    if (close < 0) throw new SqlError("invalid_input", /^\d*:/.test(fmt.slice(i + 1)) ? "missing '}' in format string" : "invalid format string");
    const colon = fmt.indexOf(":", i + 1);
    const hasSpec = colon >= 0 && colon < close;
    const field = fmt.slice(i + 1, hasSpec ? colon : close);
    const index = field === "" ? next++ : /^\d+$/.test(field) ? Number(field) : -1;
    if (index < 0) throw new SqlError("invalid_input", `invalid format field "{${field}}"`);
    if (index >= rest.length) throw new SqlError("invalid_input", `Argument index "${index}" out of range`);
    // DuckDB hands a DECIMAL to fmt as a DOUBLE: 2.50 prints 2.5, and a whole 99 prints 99.0.
    const type = ctx.argTypes[index + 1]!;
    // A FLOAT too, as the double it widens to: 0.1::FLOAT prints 0.10000000149011612.
    const t = parseType(type);
    if (hasSpec) {
      const kind = formatArgKind(type);
      if (kind === "unsupported") throw new SqlError("not_implemented", `format spec "${fmt.slice(i + 1, close)}" of a ${type} is not supported by the pipeline's format(); print it with {} or printf()`);
      // fmt checks a spec against the argument as it reads it: signs want a signed number, '#', '0' and '=' a number, a precision no integer.
      const parsed = parseFormatSpec(fmt, colon + 1, (what) => {
        if (kind === "string" && what !== "precision") throw new SqlError("invalid_input", "format specifier requires numeric argument");
        if (what === "sign" && (kind === "unsigned" || kind === "bool")) throw new SqlError("invalid_input", "format specifier requires signed argument");
        if (what === "precision" && (kind === "signed" || kind === "unsigned" || kind === "bool")) throw new SqlError("invalid_input", "precision not allowed for this argument type");
      });
      const v = rest[index]!;
      if (kind === "float") out += fmtDouble(t.kind === "decimal" ? toDouble(v, type) : (v as number), parsed.specs);
      else if (kind === "string") out += fmtString(valueToText(v, type), parsed.specs);
      // A BOOLEAN is its text without a type, and 1 or 0 with one.
      else if (kind === "bool") out += parsed.specs.type ? fmtInteger(v ? 1n : 0n, parsed.specs) : fmtString(String(v), parsed.specs);
      else out += fmtInteger(BigInt(v as number | bigint), parsed.specs);
      i = parsed.end;
      continue;
    }
    out += t.kind === "decimal" ? valueToText(toDouble(rest[index]!, type), "DOUBLE") : t.kind === "scalar" && t.name === "FLOAT" ? valueToText(rest[index]!, "DOUBLE") : valueToText(rest[index]!, type);
    i = close;
  }
  return out;
};

/**
 * One printf conversion after its '%': `[flags][width][.precision][length]type`, parsed the way
 * DuckDB's fmt printf reads it. A leading number is the width (a leading 0 is the zero flag, and
 * after a lone 0 more flags may follow: `%0,12d`); flags are `- + space 0 #` and DuckDB's thousands
 * separators `,` and `'`; `%12,d` takes ',' as the type.
 */
const PRINTF_SPEC = /(?:(0*)([1-9]\d*)|(0+)?([-+ 0#,']*)(\d*))(?:\.(\d*))?(hh|h|ll|l|j|z|t|L)?([^]?)/y;

/** Digits in groups of three joined by `sep`. */
function grouped(digits: string, sep: string): string {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += sep;
    out += digits[i];
  }
  return out;
}

/**
 * printf(fmt, args...): C-style conversions as DuckDB's fmt prints them, with its type rules:
 * `d i` signed and `u x X o b B` unsigned (negatives as 64-bit two's complement, 128-bit for
 * HUGEINT; `hh`/`h` narrow to 8/16 bits, `l`-family to 64), `c` a character, `s` text and every
 * other non-number type as CAST AS VARCHAR prints it, `%%` a percent; the `,` or `'` flag prints any
 * integer conversion but `c` as grouped decimal. NULL when any argument is NULL. Float conversions
 * (`%f %F %e %E %g %G %a %A`) of a DOUBLE, FLOAT or DECIMAL print as fmt does (fmtDouble).
 */
const printf: ScalarFn = (args, ctx) => {
  if (args.some((a) => a === null || a === undefined)) return null;
  const fmt = args[0] as string;
  let out = "";
  let next = 1;
  const spec = PRINTF_SPEC;
  for (let i = 0; i < fmt.length; ) {
    const at = fmt.indexOf("%", i);
    if (at < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, at);
    if (fmt[at + 1] === "%") {
      out += "%";
      i = at + 2;
      continue;
    }
    spec.lastIndex = at + 1;
    const m = spec.exec(fmt)!;
    i = spec.lastIndex;
    const [, lead0 = "", leadWidth, zeros = "", flagText = "", laterWidth = "", precisionText, length, type = ""] = m;
    const flags = (leadWidth !== undefined ? (lead0 ? "0" : "") : (zeros ? "0" : "") + flagText);
    const widthText = leadWidth ?? laterWidth;
    if (type === "$" || type === "*") {
      throw new SqlError("not_implemented", "printf's positional arguments (%1$d) and '*' widths are not supported by the pipeline");
    }
    if (next >= args.length) throw new SqlError("invalid_input", `Argument index "${next - 1}" out of range`);
    const v = args[next]!;
    const t = ctx.argTypes[next]!;
    next++;
    const kind = t === "BOOLEAN" ? "bool" : isIntegerType(t) ? "int" : t === "DOUBLE" || t === "FLOAT" || t.startsWith("DECIMAL") ? "float" : "string";
    // A conversion cut off by the end of the text names its last character as the type ('100%': "%").
    const bad = () => new SqlError("invalid_input", `Invalid type specifier "${type || fmt[i - 1]}" for formatting a value of type ${kind === "bool" ? "int" : kind}`);
    if (type === "") throw bad();
    const zero = flags.includes("0");
    const left = flags.includes("-");
    const sepFlag = [...flags].reverse().find((f) => f === "," || f === "'");
    const width = Number(widthText || 0);
    const precision = precisionText === undefined ? -1 : Number(precisionText || 0);
    let text: string;
    let prefix = "";
    let numeric = false;
    if (kind === "float") {
      if (!/^[fFeEgGaA]$/.test(type)) throw bad();
      // fmt's printf flags: '-' left, '0' a zero fill that wins over '-', the last of '+' and ' ' the sign.
      let sign: FmtSpecs["sign"] = "none";
      for (const f of flags) if (f === "+") sign = "plus"; else if (f === " ") sign = "space";
      const d = parseType(t).kind === "decimal" ? toDouble(v, t) : (v as number);
      out += fmtDouble(d, {
        width, precision: precisionText === undefined ? -1 : Number(precisionText || 0), type,
        align: zero ? "numeric" : left ? "left" : "right", fill: zero ? "0" : " ", sign,
        alt: flags.includes("#"), thousands: sepFlag ?? "",
      });
      continue;
    } else if (kind === "string" || (kind === "bool" && type === "s")) {
      if (type !== "s") throw bad();
      text = kind === "bool" ? String(v) : valueToText(v, t);
      if (precision >= 0) text = Array.from(text).slice(0, precision).join("");
    } else {
      let n = typeof v === "boolean" ? (v ? 1n : 0n) : BigInt(v as number | bigint);
      const huge = t === "HUGEINT" || t === "UHUGEINT";
      const signed = type === "d" || type === "i";
      // hh and h narrow every integer (an unsigned one stays unsigned: %hd of 65535::UBIGINT is 65535);
      // the l family narrows only a signed HUGEINT printed signed.
      const bits = length === "hh" ? 8 : length === "h" ? 16 : 0;
      if (bits) n = signed && !t.startsWith("U") ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n);
      else if (length !== undefined && signed && t === "HUGEINT") n = BigInt.asIntN(64, n);
      else if (!signed && n < 0n) n = BigInt.asUintN(huge ? 128 : 64, n);
      if (type === "c") {
        const code = Number(BigInt.asUintN(8, n));
        if (code === 0 || code >= 128) throw new SqlError("not_implemented", "printf's %c of 0 or of a value past 127 (not a whole UTF-8 character) is not supported by the pipeline");
        text = String.fromCharCode(code);
      } else {
        // DuckDB's fmt groups a decimal conversion with '.' when the precision is a bare '.' (%.d: 1.234.567).
        const sep = precisionText === "" && /^[diu]$/.test(type) ? "." : sepFlag;
        if (!sep && !/^[diuxXobB]$/.test(type)) throw bad();
        numeric = true;
        if (n < 0n) {
          prefix = "-";
          n = -n;
        } else if (flags.includes("+")) prefix = "+";
        else if (flags.includes(" ")) prefix = " ";
        if (sep) text = grouped(n.toString(), sep);
        else {
          const radix = type === "x" || type === "X" ? 16 : type === "o" ? 8 : type === "b" || type === "B" ? 2 : 10;
          text = n.toString(radix);
          if (type === "X") text = text.toUpperCase();
          if (flags.includes("#") && n !== 0n) {
            if (radix === 16 || radix === 2) prefix += `0${type}`;
            else if (radix === 8 && precision <= text.length) prefix += "0";
          }
        }
        if (!zero && precision > text.length) text = "0".repeat(precision - text.length) + text;
      }
    }
    const length2 = Array.from(text).length + prefix.length;
    if (length2 >= width) out += prefix + text;
    // fmt writes a boolean's text before a '0' fill: %08s of false is false000.
    else if (zero && kind === "bool" && type === "s") out += text + "0".repeat(width - length2);
    else if (zero && (numeric || type === "c")) out += prefix + "0".repeat(width - length2) + text;
    // DuckDB's fmt right-aligns a %c character even under '-'.
    else if (left && type !== "c") out += prefix + text + " ".repeat(width - length2);
    else out += " ".repeat(width - length2) + prefix + text;
  }
  return out;
};

/** typeof(x): the argument's type as DuckDB prints it (the bound type, so NULL too), e.g. to route payloads by shape. */
const typeOf: ScalarFn = (_args, ctx) => ctx.argTypes[0] ?? "NULL";

export const extraScalars: Record<string, ScalarFn> = {
  typeof: typeOf,
  format,
  printf,
  concat_ws: concatWs,
  translate,
  string_split_regex: splitRegex,
  str_split_regex: splitRegex,
  regexp_split_to_array: splitRegex,
  "~~~": glob,
  glob,
  iff,
  date_diff: dateDiff,
  datediff: dateDiff,
  dayname,
  monthname,
  last_day: lastDay,
};

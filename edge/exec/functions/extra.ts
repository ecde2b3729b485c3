/**
 * Scalars outside the first subset that notebooks reach for: concat_ws,
 * translate, regexp/string splitting, GLOB, iff, power and friends,
 * date_diff, dayname, monthname, last_day.
 */
import type { Value } from "../../plan/values.ts";
import { civilFromDays, daysFromCivil, daysInMonth, floorDiv, splitTimestamp, dateToMicros, isInfiniteTimestamp } from "./calendar.ts";
import { SqlError, type ScalarFn } from "./contract.ts";
import { isoYear, specifier } from "./datetime.ts";
import { compileRegex } from "./pattern.ts";
import { valueToText } from "./text.ts";
import { isIntegerType, parseType } from "./types.ts";
import { toDouble } from "./numeric.ts";

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

const splitRegex: ScalarFn = ([s, p, o]) => {
  if (s === null || p === null || s === undefined || p === undefined || o === null) return null;
  const re = compileRegex(p as string, typeof o === "string" && o.includes("i") ? "gi" : "g");
  const text = s as string;
  const out: string[] = [];
  let at = 0;
  let lastEnd = -1;
  for (const m of text.matchAll(re)) {
    // Empty matches split between characters, never at either end nor
    // right after a match (RE2's rule).
    if (m[0].length === 0 && (m.index === 0 || m.index >= text.length || m.index === lastEnd)) continue;
    out.push(text.slice(at, m.index));
    at = m.index + m[0].length;
    lastEnd = at;
  }
  out.push(text.slice(at));
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
  if (part === null || a === null || b === null || part === undefined || a === undefined || b === undefined) return null;
  const ma = micros(a, ctx.argTypes[1]), mb = micros(b, ctx.argTypes[2]);
  if (ma === null || mb === null) return null;
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
    case "microsecond": return mb - ma;
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

/**
 * format(fmt, args...): fmt's `{}` (the next argument), `{N}` (argument N) and `{{` / `}}`,
 * each argument as CAST(x AS VARCHAR) prints it (a DECIMAL as the DOUBLE it becomes); NULL when any argument is NULL, as DuckDB's.
 * Format specs (`{:.2f}`) are refused with DuckDB's error class rather than guessed.
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
    if (close < 0) throw new SqlError("invalid_input", "invalid format string");
    const field = fmt.slice(i + 1, close);
    if (field.includes(":")) throw new SqlError("not_implemented", `format spec "${field}" is not supported by the pipeline's format(); format the value with round(), lpad() or strftime() first`);
    const index = field === "" ? next++ : /^\d+$/.test(field) ? Number(field) : -1;
    if (index < 0) throw new SqlError("invalid_input", `invalid format field "{${field}}"`);
    if (index >= rest.length) throw new SqlError("invalid_input", `Argument index "${index}" out of range`);
    // DuckDB hands a DECIMAL to fmt as a DOUBLE: 2.50 prints 2.5, and a whole 99 prints 99.0.
    const type = ctx.argTypes[index + 1]!;
    // A FLOAT too, as the double it widens to: 0.1::FLOAT prints 0.10000000149011612.
    const t = parseType(type);
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
 * (`%f` ...) are not supported.
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
      // %f and the other float conversions: DuckDB's fmt prints digits past ~1e60 that are not the
      // double's exact value, which the pipeline cannot promise to repeat (the compiler refuses a constant format with them).
      throw new SqlError("not_implemented", `printf's %${type} is not supported by the pipeline; round the number first (round(x, 2)) and use %s on x::VARCHAR, or %d`);
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

export const extraScalars: Record<string, ScalarFn> = {
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

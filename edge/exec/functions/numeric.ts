/**
 * Arithmetic as DuckDB binds it: the result type (from the compiler) decides
 * the arithmetic. Integer results are checked for overflow with DuckDB's error
 * text; `/` on numbers is DOUBLE; `//` and `%` by zero give NULL; DECIMAL is
 * exact over unscaled bigints; DATE/TIMESTAMP/INTERVAL arithmetic for the
 * common forms.
 */
import type { Interval, Value } from "../../plan/values.ts";
import { DATE_INFINITY, DATE_NINFINITY, MICROS_PER_DAY, civilFromDays, daysFromCivil, daysInMonth, splitTimestamp, dateToMicros, dateOutsideTimestamps, formatDate, isInfiniteTimestamp, isInfiniteDate } from "./calendar.ts";
import { SqlError, type CallContext, type ScalarFn } from "./contract.ts";
import { roundScaled } from "./cast.ts";
import { formatDecimal, NEGATIVE_NAN } from "./number-text.ts";
import { duckDouble, duckFloat } from "./to-double.ts";
import { integerRanges, isBigintType, parseType, typeText, type SqlType } from "./types.ts";

type Op = "+" | "-" | "*" | "/" | "//" | "%";

const opNames: Record<Op, string> = {
  "+": "addition", "-": "subtraction", "*": "multiplication", "/": "division", "//": "division", "%": "modulo",
};

function scalarName(t: SqlType): string {
  return t.kind === "scalar" ? t.name : t.kind;
}

function toBig(v: Value): bigint {
  return typeof v === "bigint" ? v : BigInt(v as number);
}

function scaleOf(t: SqlType): number {
  return t.kind === "decimal" ? t.scale : 0;
}

function intResult(r: bigint, name: string): Value {
  return isBigintType(name) ? r : Number(r);
}

function integerOp(op: Op, a: Value, b: Value, resultName: string): Value {
  const range = integerRanges[resultName]!;
  const x = toBig(a), y = toBig(b);
  let r: bigint;
  switch (op) {
    case "+": r = x + y; break;
    case "-":
      r = x - y;
      // DuckDB's UHUGEINT subtraction checks overflow on the upper 64 bits only, after the borrow:
      // when the subtrahend's upper half plus the borrow wraps to 0 the result wraps instead of
      // failing (0 - 340282366920938463463374607431768211455 is 1).
      if (resultName === "UHUGEINT" && r < 0n) {
        const m = (1n << 64n) - 1n;
        const lower = (x & m) - (y & m);
        const upper = BigInt.asUintN(64, (x >> 64n) - (y >> 64n) - (BigInt.asUintN(64, lower) > (x & m) ? 1n : 0n));
        if (upper <= x >> 64n) return intResult((upper << 64n) | BigInt.asUintN(64, lower), resultName);
      }
      break;
    case "*":
      r = x * y;
      // DuckDB's HUGEINT multiplication multiplies magnitudes, which 2^127 overflows: only -2^127 × 1 gives -2^127.
      if (resultName === "HUGEINT" && r === range.min && x !== 1n && y !== 1n) {
        throw new SqlError("out_of_range", `Overflow in multiplication of ${range.physical} (${x} * ${y})!`);
      }
      break;
    case "//":
    case "/":
      if (y === 0n) return null;
      r = x / y;
      if (r > range.max || r < range.min) throw new SqlError("out_of_range", `Overflow in division of ${x} / ${y}`);
      return intResult(r, resultName);
    case "%":
      if (y === 0n) return null;
      if (y === -1n && x === range.min) throw new SqlError("out_of_range", `Overflow in division of ${x} / ${y}`);
      return intResult(x % y, resultName);
  }
  if (r > range.max || r < range.min) {
    throw new SqlError("out_of_range", `Overflow in ${opNames[op]} of ${range.physical} (${x} ${op} ${y})!`);
  }
  return intResult(r, resultName);
}

function floatOp(op: Op, x: number, y: number, float: boolean): Value {
  // A FLOAT result casts both operands to FLOAT first (FLOAT - 0.1 subtracts the float nearest 0.1).
  if (float) { x = Math.fround(x); y = Math.fround(y); }
  // x86 gives back the first NaN operand, its sign too (`-nan + nan` is `-nan`); V8 may add the other way round.
  if (Number.isNaN(x) || Number.isNaN(y)) return op === "//" && y === 0 ? null : Number.isNaN(x) ? x : y;
  let r: number;
  switch (op) {
    case "+": r = x + y; break;
    case "-": r = x - y; break;
    case "*": r = x * y; break;
    case "/": r = x / y; break;
    case "//": if (y === 0) return null; r = x / y; break;
    case "%":
      r = x % y;
      // C's fmod, which DuckDB calls, makes x86's default NaN of an infinite x or a zero y: its sign is set (`-nan`).
      if (Number.isNaN(r) && !Number.isNaN(x) && !Number.isNaN(y)) r = NEGATIVE_NAN;
      break;
  }
  return float ? Math.fround(r) : r;
}

const toNumber = duckDouble;

/** A numeric value as the DOUBLE DuckDB casts it to (`duckDouble`). */
export function toDouble(v: Value, type: string): number {
  return duckDouble(v, parseType(type));
}

function decimalOp(op: Op, a: Value, b: Value, ta: SqlType, tb: SqlType, tr: { width: number; scale: number }): Value {
  const sa = scaleOf(ta), sb = scaleOf(tb);
  const x = toBig(a), y = toBig(b);
  let r: bigint;
  if (op === "*") {
    r = x * y;
    const s = sa + sb;
    if (s > tr.scale) r = roundScaled(r, s - tr.scale);
    else r *= 10n ** BigInt(tr.scale - s);
  } else if (op === "+" || op === "-") {
    const xs = x * 10n ** BigInt(tr.scale - sa), ys = y * 10n ** BigInt(tr.scale - sb);
    // DuckDB casts each operand to the result's DECIMAL first: a HUGEINT past 10^37 fails there, as a cast.
    const limit = 10n ** BigInt(tr.width) - 1n;
    for (const [scaled, v, t] of [[xs, a, ta], [ys, b, tb]] as const) {
      if (scaled > limit || scaled < -limit) {
        throw new SqlError("conversion", t.kind === "decimal"
          ? `Casting value "${formatDecimal(v as bigint, t.scale)}" to type DECIMAL(${tr.width},${tr.scale}) failed: value is out of range!`
          : `Could not cast value ${String(v)} to DECIMAL(${tr.width},${tr.scale})`);
      }
    }
    r = op === "+" ? xs + ys : xs - ys;
  } else if (op === "%") {
    const s = Math.max(sa, sb);
    const xs = x * 10n ** BigInt(s - sa), ys = y * 10n ** BigInt(s - sb);
    if (ys === 0n) return null;
    r = (xs % ys) * 10n ** BigInt(tr.scale - s);
  } else {
    throw new SqlError("not_implemented", `DECIMAL ${op} is not supported by the edge executor`);
  }
  const max = 10n ** BigInt(tr.width) - 1n;
  if (r > max || r < -max) {
    // DuckDB's texts name the physical width (18 or 38) and the operands' unscaled values.
    const physical = tr.width <= 18 ? 18 : 38;
    if (op === "*") {
      throw new SqlError("out_of_range", `Overflow in multiplication of DECIMAL(${physical}) (${x} * ${y}). You might want to add an explicit cast to ${physical === 18 ? "a bigger decimal" : "a decimal with a smaller scale"}.`);
    }
    if (op === "+" || op === "-") {
      const xs = x * 10n ** BigInt(tr.scale - sa), ys = y * 10n ** BigInt(tr.scale - sb);
      throw new SqlError("out_of_range", `Overflow in ${op === "+" ? "addition" : "subtract"} of DECIMAL(${physical}) (${xs} ${op} ${ys});`);
    }
    throw new SqlError("out_of_range", `Overflow in ${opNames[op]} of DECIMAL(${tr.width},${tr.scale})`);
  }
  return r;
}

function addMonths(days: number, months: number): { days: number } {
  const c = civilFromDays(days);
  const total = c.year * 12 + (c.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(c.day, daysInMonth(year, month));
  return { days: daysFromCivil(year, month, day) };
}

/** DuckDB's finite TIMESTAMP range (microseconds) and DATE range (days); the infinities sit just outside. */
const TS_MIN = -9223372022400000000n;
const TS_MAX = 9223372036854775806n;
const DATE_MAX = 2147483646;

/** A TIMESTAMP plus or minus an interval; an infinity stays itself, and a result past the range is DuckDB's error. */
function addInterval(micros: bigint, i: Interval, sign: 1 | -1): bigint {
  if (isInfiniteTimestamp(micros)) return micros;
  const { days, time } = splitTimestamp(micros);
  const moved = i.months ? addMonths(days, sign * i.months).days : days;
  const r = BigInt(moved + sign * i.days) * MICROS_PER_DAY + time + BigInt(sign) * i.micros;
  if (r < TS_MIN || r > TS_MAX) throw new SqlError("conversion", "Date and time not in timestamp range");
  return r;
}

/** A DATE plus days; an infinity stays itself, and a result past the range is DuckDB's error. */
function addDays(days: number, n: number): number {
  if (isInfiniteDate(days)) return days;
  const r = days + n;
  if (r < -DATE_MAX || r > DATE_MAX) throw new SqlError("out_of_range", "Date out of range");
  return r;
}

const INT32 = { min: -2147483648n, max: 2147483647n };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/** One component of an interval sum or difference, with DuckDB's overflow texts (they differ by operator). */
function intervalPart(op: "+" | "-", x: bigint, y: bigint, range: { min: bigint; max: bigint }, part: string): bigint {
  const r = op === "+" ? x + y : x - y;
  if (r >= range.min && r <= range.max) return r;
  if (op === "+") throw new SqlError("out_of_range", `Overflow in addition of ${range === INT32 ? "INT32" : "INT64"} (${x} + ${y})!`);
  throw new SqlError("out_of_range", `Interval ${part} subtraction out of range`);
}

function intervalSum(op: "+" | "-", a: Interval, b: Interval): Interval {
  return {
    months: Number(intervalPart(op, BigInt(a.months), BigInt(b.months), INT32, "months")),
    days: Number(intervalPart(op, BigInt(a.days), BigInt(b.days), INT32, "days")),
    micros: intervalPart(op, a.micros, b.micros, INT64, "micros"),
  };
}

/** INTERVAL × integer: each component times the factor, checked in its own width. */
function intervalTimesInteger(i: Interval, factor: bigint): Interval {
  // DuckDB narrows the factor to INT32 for the months and days first, whatever the interval.
  if (factor < INT32.min || factor > INT32.max) {
    throw new SqlError("invalid_input", `Type INT64 with value ${factor} can't be cast because the value is out of range for the destination type INT32`);
  }
  const times = (x: bigint, range: { min: bigint; max: bigint }, name: string): bigint => {
    const r = x * factor;
    if (r < range.min || r > range.max) throw new SqlError("out_of_range", `Overflow in multiplication of ${name} (${x} * ${factor})!`);
    return r;
  };
  return { months: Number(times(BigInt(i.months), INT32, "INT32")), days: Number(times(BigInt(i.days), INT32, "INT32")), micros: times(i.micros, INT64, "INT64") };
}

/**
 * INTERVAL × DOUBLE as DuckDB computes it: the fraction of a month moves to days (30 a month),
 * the fraction of a day to microseconds, which round half to even.
 */
function intervalTimesDouble(i: Interval, factor: number): Interval {
  const overflow = (): never => {
    throw new SqlError("out_of_range", "Overflow in multiplication of INTERVAL.");
  };
  const months = i.months * factor;
  const wholeMonths = Math.trunc(months);
  const days = i.days * factor + (months - wholeMonths) * 30;
  const wholeDays = Math.trunc(days);
  const micros = Number(i.micros) * factor + (days - wholeDays) * 86400e6;
  if (!(Math.abs(wholeMonths) <= 2147483647 && Math.abs(wholeDays) <= 2147483647 && Math.abs(micros) < 9223372036854775807)) overflow();
  let rounded = Math.round(micros);
  if (rounded - micros === 0.5 && rounded % 2 !== 0) rounded -= 1;
  return { months: wholeMonths + 0, days: wholeDays + 0, micros: BigInt(rounded) };
}

function intervalOp(op: Op, a: Value, b: Value, ta: string, tb: string): Value | undefined {
  if ((op === "+" || op === "-") && ta === "INTERVAL" && tb === "INTERVAL") return intervalSum(op, a as Interval, b as Interval);
  if (op !== "*") return undefined;
  const [i, factor, tf] = ta === "INTERVAL" ? [a as Interval, b, tb] : tb === "INTERVAL" ? [b as Interval, a, ta] : [null, null, ""];
  if (i === null || factor === null) return undefined;
  if (integerRanges[tf]) return intervalTimesInteger(i, toBig(factor));
  if (tf === "DOUBLE" || tf === "FLOAT") return intervalTimesDouble(i, factor as number);
  return undefined;
}

function addToTime(time: bigint, micros: bigint, sign: bigint): bigint {
  const r = (time + sign * (micros % MICROS_PER_DAY)) % MICROS_PER_DAY;
  return r < 0n ? r + MICROS_PER_DAY : r;
}

function temporalOp(op: Op, a: Value, b: Value, ta: string, tb: string): Value | undefined {
  const interval = intervalOp(op, a, b, ta, tb);
  if (interval !== undefined) return interval;
  // A DATE plus or minus days: an infinity stays itself.
  if (op === "+" && ta === "DATE" && integerRanges[tb]) return addDays(a as number, Number(b));
  if (op === "+" && tb === "DATE" && integerRanges[ta]) return addDays(b as number, Number(a));
  if (op === "-" && ta === "DATE" && integerRanges[tb]) return addDays(a as number, -Number(b));
  if (op === "-" && ta === "DATE" && tb === "DATE") return BigInt((a as number) - (b as number));
  const isTs = (t: string) => t === "TIMESTAMP" || t === "TIMESTAMPTZ";
  if ((op === "+" || op === "-") && isTs(ta) && tb === "INTERVAL") return addInterval(a as bigint, b as Interval, op === "+" ? 1 : -1);
  if (op === "+" && ta === "INTERVAL" && isTs(tb)) return addInterval(b as bigint, a as Interval, 1);
  if (op === "+" && ta === "INTERVAL" && tb === "DATE") return addInterval(dateToMicros(b as number), a as Interval, 1);
  if ((op === "+" || op === "-") && ta === "DATE" && tb === "INTERVAL") return addInterval(dateToMicros(a as number), b as Interval, op === "+" ? 1 : -1);
  // TIME ± INTERVAL: the interval's microseconds only, around the clock (23:30 + 1 hour is 00:30; 24:00:00 + 0 is 00:00:00).
  if ((op === "+" || op === "-") && ta === "TIME" && tb === "INTERVAL") return addToTime(a as bigint, (b as Interval).micros, op === "+" ? 1n : -1n);
  if (op === "+" && ta === "INTERVAL" && tb === "TIME") return addToTime(b as bigint, (a as Interval).micros, 1n);
  // DATE + TIME is the TIMESTAMP of that day and time; an infinite day stays infinite.
  if (op === "+" && ((ta === "DATE" && tb === "TIME") || (ta === "TIME" && tb === "DATE"))) {
    const [day, time] = ta === "DATE" ? [a as number, b as bigint] : [b as number, a as bigint];
    if (day === DATE_INFINITY || day === DATE_NINFINITY) return dateToMicros(day);
    const r = BigInt(day) * MICROS_PER_DAY + time;
    if (r < TS_MIN || r > TS_MAX) throw new SqlError("out_of_range", "Timestamp out of range");
    return r;
  }
  // A DATE beside a TIMESTAMP is cast to one (its midnight), as DuckDB binds TIMESTAMP - TIMESTAMP.
  const at = ta === "DATE" && isTs(tb) ? dateAsTimestamp(a as number) : a;
  const bt = tb === "DATE" && isTs(ta) ? dateAsTimestamp(b as number) : b;
  if (op === "-" && (isTs(ta) || isTs(tb)) && (isTs(ta) || ta === "DATE") && (isTs(tb) || tb === "DATE")) {
    if (isInfiniteTimestamp(at as bigint) || isInfiniteTimestamp(bt as bigint)) throw new SqlError("invalid_input", "Cannot subtract infinite timestamps");
    const d = (at as bigint) - (bt as bigint);
    const days = d / MICROS_PER_DAY;
    return { months: 0, days: Number(days), micros: d - days * MICROS_PER_DAY };
  }
  return undefined;
}

function binary(op: Op): ScalarFn {
  return (args: Value[], ctx: CallContext) => {
    if (args.length === 1) {
      if (op === "-") return negate(args[0]!, ctx);
      return args[0]!;
    }
    const [a, b] = args;
    if (a === null || b === null || a === undefined || b === undefined) return null;
    const ta = parseType(ctx.argTypes[0]!), tb = parseType(ctx.argTypes[1]!), tr = parseType(ctx.resultType);
    const rn = scalarName(tr);
    if (integerRanges[rn] && !(op === "-" && scalarName(ta) === "DATE")) return integerOp(op, a, b, rn);
    // DECIMALs too wide to share a DECIMAL are taken % as DOUBLEs, by DuckDB's decimal modulo, where a zero divisor is NULL.
    if (op === "%" && rn === "DOUBLE" && !isFloating(ta) && !isFloating(tb) && toNumber(b, tb) === 0) return null;
    if (rn === "DOUBLE") return floatOp(op, toNumber(a, ta), toNumber(b, tb), false);
    if (rn === "FLOAT") return floatOp(op, duckFloat(a, ta), duckFloat(b, tb), true);
    if (tr.kind === "decimal") return decimalOp(op, a, b, ta, tb, tr);
    // INTERVAL × DECIMAL: DuckDB's overload takes a DOUBLE, so the DECIMAL is cast to one.
    const t =
      op === "*" && ta.kind === "decimal" && scalarName(tb) === "INTERVAL" ? temporalOp(op, toDouble(a, ctx.argTypes[0]!), b, "DOUBLE", "INTERVAL")
      : op === "*" && tb.kind === "decimal" && scalarName(ta) === "INTERVAL" ? temporalOp(op, a, toDouble(b, ctx.argTypes[1]!), "INTERVAL", "DOUBLE")
      : temporalOp(op, a, b, scalarName(ta), scalarName(tb));
    if (t !== undefined) return t;
    throw new SqlError("not_implemented", `${typeText(ta)} ${op} ${typeText(tb)} is not supported by the edge executor`);
  };
}

function isFloating(t: SqlType): boolean {
  return t.kind === "scalar" && (t.name === "DOUBLE" || t.name === "FLOAT");
}

function negate(v: Value, ctx: CallContext): Value {
  if (v === null) return null;
  const t = parseType(ctx.argTypes[0]!);
  const name = scalarName(t);
  const range = integerRanges[name];
  if (range) {
    // Unsigned types wrap around as C++ negates them: -(5::UTINYINT) is 251.
    if (range.min === 0n) return intResult(BigInt.asUintN(range.max.toString(2).length, -toBig(v)), name);
    const r = -toBig(v);
    if (r > range.max) throw new SqlError("out_of_range", "Overflow in negation of integer!");
    return intResult(r, name);
  }
  if (typeof v === "number") return -v;
  if (typeof v === "bigint") return -v;
  if (typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v) && "months" in v) {
    const i = v as Interval;
    return { months: -i.months, days: -i.days, micros: -i.micros };
  }
  throw new SqlError("not_implemented", `negation of ${typeText(t)} is not supported by the edge executor`);
}

function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** A DATE beside a TIMESTAMP, cast to one as DuckDB's binder casts it: a day past TIMESTAMP's range fails. */
function dateAsTimestamp(days: number): bigint {
  if (dateOutsideTimestamps(days)) throw new SqlError("conversion", `Type INT32 with value ${formatDate(days)} can't be cast to the destination type INT64`);
  return dateToMicros(days);
}

/**
 * 10^n as the double nearest to it, as libm's pow(10, n) gives it: `10 ** n` of a variable n is a
 * bit off for n = 23, 26, 29, 34, 36 … (round(1.2345e-20, 26) printed 1.2345000000000001e-20, and
 * trunc(1.2345e-20, 26) was 1.234499e-20).
 */
export function pow10(n: number): number {
  return Number(`1e${n}`);
}

/** DuckDB: round(x * 10^d) / 10^d, or round(x / 10^-d) * 10^-d for negative d; x when that overflows. */
export function roundDouble(x: number, digits: number): number {
  if (digits === 0) return roundAway(x);
  if (digits > 0) {
    const m = pow10(digits);
    const r = roundAway(x * m) / m;
    return Number.isFinite(r) ? r : x;
  }
  // Negative precision: DuckDB gives 0 where the result is not finite (inf, NaN).
  const m = pow10(-digits);
  const r = roundAway(x / m) * m;
  return Number.isFinite(r) ? r : 0;
}

/**
 * round(integer, -k) as DuckDB computes it: half of 10^k added away from zero in 64 bits (128 for
 * HUGEINT), wrapping as C++ does, truncated to a multiple of 10^k, then narrowed to the result type,
 * wrapping again (round(2147483647::INTEGER, -1) is -2147483646); 0 from k = 19 (39 for HUGEINT).
 */
export function roundInteger(x: bigint, k: number, name: string, result: string): bigint {
  const wide = name === "HUGEINT" || name === "UHUGEINT" ? 128 : 64;
  if (k >= (wide === 128 ? 39 : 19)) return 0n;
  const p = 10n ** BigInt(k);
  const sum = BigInt.asIntN(wide, x + (x < 0n ? -(p / 2n) : p / 2n));
  const r = (sum / p) * p;
  const range = integerRanges[result]!;
  return range.min < 0n ? BigInt.asIntN((range.max + 1n).toString(2).length, r) : BigInt.asUintN(range.max.toString(2).length, r);
}

const roundFn: ScalarFn = (args, ctx) => {
  const [x, d] = args;
  // DuckDB binds round(DECIMAL(w,s), d) with -d >= w - s to the constant 0: every row, NULL ones too.
  const t = parseType(ctx.argTypes[0]!);
  if (t.kind === "decimal" && d !== null && d !== undefined && -Number(d) >= t.width - t.scale) return 0n;
  if (x === null || x === undefined || d === null) return null;
  const digits = d === undefined ? 0 : Number(d);
  const rt = parseType(ctx.resultType);
  if (t.kind === "decimal") {
    const target = rt.kind === "decimal" ? rt.scale : Math.max(0, digits);
    const u = x as bigint;
    if (digits >= t.scale) return u * 10n ** BigInt(target - t.scale);
    const drop = t.scale - digits;
    // Negative digits round to tens, hundreds...: scale back up to the result scale.
    return roundScaled(u, drop) * 10n ** BigInt(target - digits);
  }
  const name = scalarName(t);
  const resultName = scalarName(rt);
  if (integerRanges[name] && integerRanges[resultName]) {
    // DuckDB has no unsigned overloads: UTINYINT..UINTEGER are rounded as BIGINT, UBIGINT as HUGEINT
    // (round(18446744073709551615::UBIGINT, -1) is 18446744073709551620).
    const as = name.startsWith("U") ? resultName : name;
    if (digits >= 0) return intResult(toBig(x), resultName);
    return intResult(roundInteger(toBig(x), -digits, as, resultName), resultName);
  }
  // FLOAT is rounded as a double and the result narrowed back to FLOAT; UHUGEINT as the DOUBLE it becomes.
  const r = roundDouble(typeof x === "bigint" ? Number(x) : (x as number), digits);
  return scalarName(rt) === "FLOAT" ? Math.fround(r) : r;
};

function floorCeil(up: boolean): ScalarFn {
  return ([x], ctx) => {
    if (x === null || x === undefined) return null;
    const t = parseType(ctx.argTypes[0]!);
    if (t.kind === "decimal") {
      const p = 10n ** BigInt(t.scale);
      const u = x as bigint;
      let q = u / p;
      if (u % p !== 0n && (up ? u > 0n : u < 0n)) q += up ? 1n : -1n;
      return q;
    }
    // An integer's floor and ceil are DOUBLE in DuckDB (floor(9223372036854775807) is 9.223372036854776e18).
    if (typeof x === "bigint") return ctx.resultType === "DOUBLE" ? Number(x) : x;
    if (typeof x === "number") return up ? Math.ceil(x) : Math.floor(x);
    return x;
  };
}

const absFn: ScalarFn = ([x], ctx) => {
  if (x === null || x === undefined) return null;
  const t = parseType(ctx.argTypes[0]!);
  const range = integerRanges[scalarName(t)];
  if (range) {
    const v = toBig(x);
    const r = v < 0n ? -v : v;
    if (r > range.max) throw new SqlError("out_of_range", `Overflow on abs(${v})`);
    return intResult(r, scalarName(t));
  }
  if (typeof x === "bigint") return x < 0n ? -x : x;
  return Math.abs(x as number);
};

function signFn(): ScalarFn {
  return ([x]) => {
    if (x === null || x === undefined) return null;
    if (typeof x === "bigint") return x > 0n ? 1 : x < 0n ? -1 : 0;
    const n = x as number;
    return Number.isNaN(n) ? 0 : n > 0 ? 1 : n < 0 ? -1 : 0;
  };
}

/**
 * trunc(x) and trunc(x, digits), toward zero. Doubles as DuckDB computes them
 * (x·10^d truncated, then divided back; a result that is not finite gives x
 * itself); decimals and integers exactly, an integer to tens, hundreds... when
 * digits is negative (0 once 10^-digits passes the value).
 */
const truncFn: ScalarFn = ([x, d], ctx) => {
  if (x === null || x === undefined || d === null) return null;
  const digits = d === undefined ? 0 : Number(d);
  const t = parseType(ctx.argTypes[0]!);
  if (t.kind === "decimal") {
    if (digits >= t.scale) return x;
    const rt = parseType(ctx.resultType);
    const drop = t.scale - digits;
    if (drop > 80) return 0n;
    const kept = (x as bigint) / 10n ** BigInt(drop);
    return kept * 10n ** BigInt((rt.kind === "decimal" ? rt.scale : 0) - digits);
  }
  if (typeof x === "number" && !integerRanges[scalarName(t)]) {
    let r: number;
    if (digits >= 0) {
      const m = pow10(digits);
      r = Math.trunc(x * m) / m;
    } else {
      const m = pow10(-digits);
      r = Math.trunc(x / m) * m;
    }
    if (!Number.isFinite(r)) r = x;
    return ctx.resultType === "FLOAT" ? Math.fround(r) : r;
  }
  if (digits >= 0) return x;
  if (-digits > 40) return intResult(0n, scalarName(t));
  const p = 10n ** BigInt(-digits);
  return intResult((toBig(x) / p) * p, scalarName(t));
};

/** The result's integer type and its width in bits (TINYINT 8 ... HUGEINT 128). */
function bitsOf(ctx: CallContext): { name: string; bits: bigint; signed: boolean } {
  const name = ctx.resultType;
  const range = integerRanges[name];
  if (!range) throw new SqlError("invalid_input", `bitwise operators need integers, not ${name}`);
  const signed = range.min < 0n;
  const bits = BigInt((range.max - range.min).toString(2).length);
  return { name, bits, signed };
}

/** `&`, `|` and xor(): bit by bit in the operands' common integer type. */
function bitwise(op: "&" | "|" | "^"): ScalarFn {
  return ([a, b], ctx) => {
    if (a === null || a === undefined || b === null || b === undefined) return null;
    const x = toBig(a), y = toBig(b);
    const r = op === "&" ? x & y : op === "|" ? x | y : x ^ y;
    return intResult(r, ctx.resultType);
  };
}

/** `~x`: every bit flipped within the type's width. */
const bitNot: ScalarFn = ([a], ctx) => {
  if (a === null || a === undefined) return null;
  const { name, bits, signed } = bitsOf(ctx);
  const n = Number(bits);
  return intResult(signed ? BigInt.asIntN(n, ~toBig(a)) : BigInt.asUintN(n, ~toBig(a)), name);
};

/**
 * `x << s` with DuckDB's checks: no negative x or s, s within the width
 * (0 shifts to 0 whatever s), and no bit shifted into or past the sign.
 */
const shiftLeft: ScalarFn = ([a, b], ctx) => {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const { name, bits, signed } = bitsOf(ctx);
  const x = toBig(a), s = toBig(b);
  if (x < 0n) throw new SqlError("out_of_range", `Cannot left-shift negative number ${x}`);
  if (s < 0n) throw new SqlError("out_of_range", `Cannot left-shift by negative number ${s}`);
  const maxShift = signed ? bits : bits + 1n;
  if (s >= maxShift) {
    if (x === 0n) return intResult(0n, name);
    throw new SqlError("out_of_range", `Left-shift value ${s} is out of range`);
  }
  if (s === 0n) return intResult(x, name);
  if (x >= 1n << (maxShift - s - 1n)) throw new SqlError("out_of_range", `Overflow in left shift (${x} << ${s})`);
  return intResult(x << s, name);
};

/** `x >> s`: arithmetic; a negative s or one past the width gives 0. */
const shiftRight: ScalarFn = ([a, b], ctx) => {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const { name, bits } = bitsOf(ctx);
  const s = toBig(b);
  if (s < 0n || s >= bits) return intResult(0n, name);
  return intResult(toBig(a) >> s, name);
};

export const numericScalars: Record<string, ScalarFn> = {
  "&": bitwise("&"),
  "|": bitwise("|"),
  xor: bitwise("^"),
  "~": bitNot,
  "<<": shiftLeft,
  ">>": shiftRight,
  "+": binary("+"),
  date_add: binary("+"),
  "-": binary("-"),
  "*": binary("*"),
  "/": binary("/"),
  "//": binary("//"),
  "%": binary("%"),
  add: binary("+"),
  subtract: binary("-"),
  multiply: binary("*"),
  divide: binary("//"),
  mod: binary("%"),
  abs: absFn,
  round: roundFn,
  floor: floorCeil(false),
  ceil: floorCeil(true),
  ceiling: floorCeil(true),
  sign: signFn(),
  trunc: truncFn,
};

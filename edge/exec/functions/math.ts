/**
 * DuckDB's math functions over DOUBLE: every argument is taken as the DOUBLE
 * DuckDB casts it to (a DECIMAL by its scale: sqrt(2.25) is 1.5, not 15),
 * with DuckDB's domain errors; and the integer ones (factorial, gcd, lcm,
 * bit_count) exactly.
 */
import { DATE_INFINITY, DATE_NINFINITY, TS_INFINITY, TS_NINFINITY } from "./calendar.ts";
import type { Value } from "../../plan/values.ts";
import { roundScaled } from "./cast.ts";
import { SqlError, type CallContext, type ScalarFn } from "./contract.ts";
import { roundDouble, roundInteger, toDouble } from "./numeric.ts";
import { integerRanges, isBigintType, parseType } from "./types.ts";
import { NEGATIVE_NAN, signBitSet } from "./number-text.ts";

function arg(v: Value, ctx: CallContext, i: number): number {
  return toDouble(v, ctx.argTypes[i] ?? "DOUBLE");
}

/** A one-argument DOUBLE function; `domain` names DuckDB's error for an argument outside it. */
function math1(f: (x: number) => number, domain?: (x: number) => string | null): ScalarFn {
  return ([x], ctx) => {
    if (x === null || x === undefined) return null;
    const n = arg(x, ctx, 0);
    const bad = domain?.(n);
    if (bad) throw new SqlError("out_of_range", bad);
    return keepNaN(f(n), n);
  };
}

/** C's math functions give back a NaN argument as it is, its sign too (`-nan`); V8's logarithms make a NaN of their own. */
function keepNaN(r: number, n: number): number {
  return Number.isNaN(r) && Number.isNaN(n) ? n : r;
}

function math2(f: (a: number, b: number) => number): ScalarFn {
  return ([a, b], ctx) => (a === null || b === null || a === undefined || b === undefined ? null : f(arg(a, ctx, 0), arg(b, ctx, 1)));
}

const logDomain = (x: number): string | null => (x < 0 ? "cannot take logarithm of a negative number" : x === 0 ? "cannot take logarithm of zero" : null);
/** sin, cos, tan, asin, acos refuse an infinity as DuckDB does (a NaN passes through). */
const finiteInput = (x: number): string | null => (x === Infinity || x === -Infinity ? `input value ${x > 0 ? "inf" : "-inf"} is out of range for numeric function` : null);
/** asin and acos: an infinity is out of range (as above), any other value outside [-1, 1] invalid input. */
function trigInverse(name: string, f: (x: number) => number): ScalarFn {
  return ([x], ctx) => {
    if (x === null || x === undefined) return null;
    const n = arg(x, ctx, 0);
    const inf = finiteInput(n);
    if (inf) throw new SqlError("out_of_range", inf);
    if (n < -1 || n > 1) throw new SqlError("invalid_input", `${name} is undefined outside [-1,1]`);
    return f(n);
  };
}

/** log(x) is base 10; log(b, x) divides by ln(b), with DuckDB's errors. */
const log: ScalarFn = (args, ctx) => {
  if (args.some((a) => a === null || a === undefined)) return null;
  if (args.length === 1) return math1(Math.log10, logDomain)(args, ctx);
  const b = arg(args[0]!, ctx, 0);
  const x = arg(args[1]!, ctx, 1);
  const bad = logDomain(b) ?? logDomain(x);
  if (bad) throw new SqlError("out_of_range", bad);
  const lb = Math.log(b);
  if (lb === 0) throw new SqlError("out_of_range", "divison by zero in based logarithm");
  return keepNaN(Math.log(x) / lb, Number.isNaN(x) ? x : b);
};

/** even(x): away from zero to the next even integer. */
const even = math1((x) => {
  let r = x >= 0 ? Math.ceil(x) : -Math.ceil(-x);
  if (r % 2 !== 0) r += x >= 0 ? 1 : -1;
  return r;
});

/**
 * round_even(x, n) is a macro in DuckDB, and it is computed as written:
 * CASE WHEN (abs(x) * power(10, n + 1)) % 10 = 5 THEN round(x / 2, n) * 2 ELSE round(x, n) END,
 * in DOUBLE (FLOAT for a FLOAT x). So 2.305 gives 2.3 (230.49999999999997 is no tie) and 1.35 gives
 * 1.4, abs() of an integer's minimum fails, and the ELSE branch rounds an integer in its own type.
 */
const roundEven: ScalarFn = ([x, n], ctx) => {
  if (x === null || n === null || x === undefined || n === undefined) return null;
  const type = parseType(ctx.argTypes[0] ?? "DOUBLE");
  const name = type.kind === "scalar" ? type.name : "";
  const range = integerRanges[name];
  if (range && range.min < 0n && BigInt(x as number | bigint) === range.min) throw new SqlError("out_of_range", `Overflow on abs(${String(x)})`);
  const digits = Number(n);
  const float = ctx.resultType === "FLOAT";
  const v = arg(x, ctx, 0);
  if ((Math.abs(v) * Number(`1e${digits + 1}`)) % 10 === 5) {
    if (float) return Math.fround(Math.fround(roundDouble(Math.fround(v / 2), digits)) * 2);
    return roundDouble(v / 2, digits) * 2;
  }
  if (type.kind === "decimal") {
    const u = x as bigint;
    if (digits >= type.scale) return v;
    const r = roundScaled(u, type.scale - digits);
    return digits >= 0 ? toDouble(r, `DECIMAL(38,${digits})`) : Number(r * 10n ** BigInt(-digits));
  }
  if (range) {
    if (digits >= 0 || name === "UHUGEINT") return name === "UHUGEINT" ? roundDouble(v, digits) : v;
    // DuckDB rounds an unsigned integer as BIGINT (UBIGINT as HUGEINT).
    const as = name === "UBIGINT" ? "HUGEINT" : name.startsWith("U") ? "BIGINT" : name;
    return Number(roundInteger(BigInt(x as number | bigint), -digits, as, as));
  }
  const r = roundDouble(v, digits);
  return float ? Math.fround(r) : r;
};

/** factorial(n) as HUGEINT: 1 for n ≤ 0, DuckDB's error past 33!. */
const factorial: ScalarFn = ([n]) => {
  if (n === null || n === undefined) return null;
  const k = Number(n);
  if (k > 33) throw new SqlError("out_of_range", "Value out of range");
  let r = 1n;
  for (let i = 2n; i <= BigInt(k); i++) r *= i;
  return r;
};

function intOut(r: bigint, ctx: CallContext): Value {
  return isBigintType(ctx.resultType) ? r : Number(r);
}

function absChecked(x: bigint, ctx: CallContext): bigint {
  const range = integerRanges[ctx.resultType];
  if (range && x === range.min) throw new SqlError("out_of_range", `Overflow on abs(${x})`);
  return x < 0n ? -x : x;
}

/**
 * DuckDB's GreatestCommonDivisor step for step: MIN and -1 answer 1, then
 * truncating remainders until one side is 0, and the abs of the other (so
 * gcd(MIN, 3) is 1, while gcd(MIN, 0) overflows in abs).
 */
function gcdOf(left: bigint, right: bigint, ctx: CallContext): bigint {
  const range = integerRanges[ctx.resultType];
  if (range && ((left === range.min && right === -1n) || (left === -1n && right === range.min))) return 1n;
  let a = left, b = right;
  for (;;) {
    if (a === 0n) return absChecked(b, ctx);
    b %= a;
    if (b === 0n) return absChecked(a, ctx);
    a %= b;
  }
}

const gcd: ScalarFn = ([a, b], ctx) => {
  if (a === null || b === null || a === undefined || b === undefined) return null;
  return intOut(gcdOf(BigInt(a as number | bigint), BigInt(b as number | bigint), ctx), ctx);
};

/** DuckDB's LeastCommonMultiple: left × (right / gcd) with its overflow error, then abs. */
const lcm: ScalarFn = ([a, b], ctx) => {
  if (a === null || b === null || a === undefined || b === undefined) return null;
  const x = BigInt(a as number | bigint);
  const y = BigInt(b as number | bigint);
  if (x === 0n || y === 0n) return intOut(0n, ctx);
  const r = x * (y / gcdOf(x, y, ctx));
  const range = integerRanges[ctx.resultType];
  if (range && (r > range.max || r < range.min)) throw new SqlError("out_of_range", "lcm value is out of range");
  return intOut(absChecked(r, ctx), ctx);
};

/** bit_count(x): the set bits of x in its type's width (two's complement). */
const bitCount: ScalarFn = ([x], ctx) => {
  if (x === null || x === undefined) return null;
  const range = integerRanges[ctx.argTypes[0] ?? ""];
  const bits = range ? (range.max - range.min).toString(2).length : 64;
  let v = BigInt.asUintN(bits, BigInt(x as number | bigint));
  let n = 0;
  while (v > 0n) {
    n += Number(v & 1n);
    v >>= 1n;
  }
  return n;
};

const isNan: ScalarFn = ([x], ctx) => (x === null || x === undefined ? null : Number.isNaN(arg(x, ctx, 0)));
/** A DATE or TIMESTAMP argument's infinity as ±Infinity, any other one as 0 (isinf/isfinite take those too). */
function temporal(x: Value, type: string | undefined): number | null {
  if (type === "DATE") return x === DATE_INFINITY ? Infinity : x === DATE_NINFINITY ? -Infinity : 0;
  if (type === "TIMESTAMP" || type === "TIMESTAMP WITH TIME ZONE" || type === "TIMESTAMPTZ") return x === TS_INFINITY ? Infinity : x === TS_NINFINITY ? -Infinity : 0;
  return null;
}
const isInf: ScalarFn = ([x], ctx) => {
  if (x === null || x === undefined) return null;
  const n = temporal(x, ctx.argTypes[0]) ?? arg(x, ctx, 0);
  return n === Infinity || n === -Infinity;
};
const isFinite: ScalarFn = ([x], ctx) => (x === null || x === undefined ? null : Number.isFinite(temporal(x, ctx.argTypes[0]) ?? arg(x, ctx, 0)));
const signbit: ScalarFn = ([x], ctx) => {
  if (x === null || x === undefined) return null;
  return signBitSet(arg(x, ctx, 0));
};

/**
 * C's pow (glibc's), which DuckDB calls: 1 to any power, and -1 to an infinite one, is 1 (JavaScript's
 * is NaN); and its NaNs' signs, which `signbit` and the text (`-nan`) show and V8's Math.pow does not
 * follow: a negative finite base to a finite non-integer power is x86's default NaN, sign set
 * (`(x - x) / (x - x)`); a NaN base to a finite power is `x * x`, negated when the base's sign is
 * set and the power an odd integer (as for a negative base), so `-nan` to the power 3 is `nan`; a NaN
 * exponent, or an infinite one with a NaN base, is `x + y`, the base's NaN when it is one, else the
 * exponent's.
 */
function cPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (y !== y) return x !== x ? x : y;
  if (x !== x) return signBitSet(x) && y !== Infinity && y !== -Infinity && oddInteger(y) ? flipSign(x) : x;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  if (x < 0 && x !== -Infinity && y !== Infinity && y !== -Infinity && !Number.isInteger(y)) return NEGATIVE_NAN;
  return Math.pow(x, y);
}
/** Whether `y` (finite) is an odd integer; above 2^53 every double is even. */
const oddInteger = (y: number): boolean => Number.isInteger(y) && Math.abs(y) < 2 ** 53 && Math.abs(y) % 2 === 1;
const bits = new DataView(new ArrayBuffer(8));
/** `n` with its sign bit flipped, a NaN's too (V8's negation need not flip a NaN's). */
function flipSign(n: number): number {
  bits.setFloat64(0, n);
  bits.setUint8(0, bits.getUint8(0) ^ 0x80);
  return bits.getFloat64(0);
}
const power = math2(cPow);
/** fmod(x, y) is DuckDB's floored remainder, x - floor(x / y) * y (its sign is y's), not C's fmod. */
const fmod = math2((x, y) => x - Math.floor(x / y) * y);

export const mathScalars: Record<string, ScalarFn> = {
  "^": power,
  "**": power,
  pow: power,
  power,
  sqrt: math1(Math.sqrt, (x) => (x < 0 ? "cannot take square root of a negative number" : null)),
  cbrt: math1(Math.cbrt),
  exp: math1(Math.exp),
  ln: math1(Math.log, logDomain),
  log10: math1(Math.log10, logDomain),
  log2: math1(Math.log2, logDomain),
  log,
  sin: math1(Math.sin, finiteInput),
  cos: math1(Math.cos, finiteInput),
  tan: math1(Math.tan, finiteInput),
  asin: trigInverse("ASIN", Math.asin),
  acos: trigInverse("ACOS", Math.acos),
  atan: math1(Math.atan),
  atan2: math2(Math.atan2),
  fdiv: math2((x, y) => Math.floor(x / y)),
  fmod,
  radians: math1((x) => x * (Math.PI / 180)),
  degrees: math1((x) => x * (180 / Math.PI)),
  even,
  round_even: roundEven,
  roundbankers: roundEven,
  factorial,
  gcd,
  greatest_common_divisor: gcd,
  lcm,
  least_common_multiple: lcm,
  bit_count: bitCount,
  isnan: isNan,
  isinf: isInf,
  isfinite: isFinite,
  signbit,
};

/**
 * A number as the DOUBLE (or FLOAT) DuckDB converts it to, which is not
 * always the nearest one: a 128-bit integer is converted half by half, and a
 * DECIMAL too wide for 2^53 (2^24 for FLOAT) is converted as its integer part
 * plus its fraction, in the target type. Every DOUBLE DuckDB computes from a
 * DECIMAL or a HUGEINT (a cast, `/`, arithmetic with a DOUBLE, sqrt, ln...)
 * starts here, so the last digit of the result agrees.
 */
import type { Value } from "../../plan/values.ts";
import type { SqlType } from "./types.ts";

const UINT64_MAX_AS_DOUBLE = 18446744073709551616; // double(2^64 - 1), as DuckDB's cast computes it
const MAX_EXACT = 2n ** 53n;
const powersOfTen = Array.from({ length: 39 }, (_, i) => Number(`1e${i}`));

/** DuckDB's HUGEINT and UHUGEINT → DOUBLE (CastBigintToFloating): low 64 bits + high 64 bits × 2^64, each rounded on its own; a high half of −1 as −(2^64 − 1 − low) − 1. */
export function hugeintToDouble(v: bigint): number {
  const lower = BigInt.asUintN(64, v), upper = v >> 64n;
  if (upper === -1n) return -Number(2n ** 64n - 1n - lower) - 1;
  return Number(lower) + Number(upper) * UINT64_MAX_AS_DOUBLE;
}

/**
 * DuckDB's DECIMAL(width, scale) → DOUBLE (TryCastDecimalToFloatingPoint): the
 * unscaled value over 10^scale when it converts exactly (|u| ≤ 2^53) or the
 * scale is 0; otherwise integer part + fraction / 10^scale, the parts truncated
 * toward zero and converted as the storage integer (int64 up to 18 digits,
 * HUGEINT past them).
 */
export function decimalToDouble(u: bigint, width: number, scale: number): number {
  const convert = width > 18 ? hugeintToDouble : Number;
  if (scale === 0 || (u <= MAX_EXACT && u >= -MAX_EXACT)) return convert(u) / powersOfTen[scale]!;
  const p = 10n ** BigInt(scale);
  return convert(u / p) + convert(u % p) / powersOfTen[scale]!;
}

/** Any numeric value (the executor's representation of `type`) as DuckDB's DOUBLE of it. */
export function duckDouble(v: Value, type: SqlType): number {
  if (type.kind === "decimal") return decimalToDouble(v as bigint, type.width, type.scale);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return type.kind === "scalar" && (type.name === "HUGEINT" || type.name === "UHUGEINT") ? hugeintToDouble(v) : Number(v);
  return v as number;
}

const f32 = Math.fround;
const MAX_EXACT_FLOAT = 2n ** 24n;

/** A 64-bit integer rounded once to the nearest FLOAT, ties to even (C++'s static_cast<float>); Math.fround(Number(x)) rounds twice past 2^53. */
export function bigintToFloat(x: bigint): number {
  const negative = x < 0n;
  const a = negative ? -x : x;
  const bits = a.toString(2).length;
  if (bits <= 53) return f32(Number(x));
  const shift = BigInt(bits - 24);
  let q = a >> shift;
  const rest = a - (q << shift), half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  const r = f32(Number(q) * 2 ** Number(shift));
  return negative ? -r : r;
}

/** DuckDB's HUGEINT and UHUGEINT → FLOAT: the DOUBLE of it (`hugeintToDouble`) rounded to FLOAT. */
function hugeintToFloat(v: bigint): number {
  return f32(hugeintToDouble(v));
}

/** DuckDB's DECIMAL → FLOAT: `decimalToDouble` in FLOAT, exact up to |u| ≤ 2^24. */
export function decimalToFloat(u: bigint, width: number, scale: number): number {
  const convert = width > 18 ? hugeintToFloat : bigintToFloat;
  const power = f32(powersOfTen[scale]!);
  if (scale === 0 || (u <= MAX_EXACT_FLOAT && u >= -MAX_EXACT_FLOAT)) return f32(convert(u) / power);
  const p = 10n ** BigInt(scale);
  return f32(convert(u / p) + f32(convert(u % p) / power));
}

/** Any numeric value as DuckDB's FLOAT of it (a DOUBLE is rounded once). */
export function duckFloat(v: Value, type: SqlType): number {
  if (type.kind === "decimal") return decimalToFloat(v as bigint, type.width, type.scale);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return type.kind === "scalar" && (type.name === "HUGEINT" || type.name === "UHUGEINT") ? hugeintToFloat(v) : bigintToFloat(v);
  return f32(v as number);
}

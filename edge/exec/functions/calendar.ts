/**
 * The proleptic Gregorian calendar DuckDB uses, over DATE (days since
 * 1970-01-01) and TIMESTAMP (microseconds since 1970-01-01 UTC), and the text
 * forms DuckDB prints for them. Year 0 is 1 BC, printed "0001-01-01 (BC)".
 */

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_MINUTE = 60_000_000n;
export const MICROS_PER_HOUR = 3_600_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;

/** DuckDB's special DATE values: 'infinity' and '-infinity'. */
export const DATE_INFINITY = 2147483647;
export const DATE_NINFINITY = -2147483647;
/** DuckDB's special TIMESTAMP values. */
export const TS_INFINITY = 9223372036854775807n;
export const TS_NINFINITY = -9223372036854775807n;

export const isInfiniteTimestamp = (micros: bigint): boolean => micros === TS_INFINITY || micros === TS_NINFINITY;
export const isInfiniteDate = (days: number): boolean => days === DATE_INFINITY || days === DATE_NINFINITY;

/** A DATE as a TIMESTAMP (its midnight), as DuckDB casts it: the infinities become the TIMESTAMP's. */
export function dateToMicros(days: number): bigint {
  if (days === DATE_INFINITY) return TS_INFINITY;
  if (days === DATE_NINFINITY) return TS_NINFINITY;
  return BigInt(days) * MICROS_PER_DAY;
}

/** The last day whose midnight a TIMESTAMP holds (294247-01-10; its negative, 290308-12-22 BC, the first). */
export const TIMESTAMP_LAST_DAY = 106751991;

/**
 * Whether DuckDB's cast of the DATE to TIMESTAMP fails (a day past TIMESTAMP's range): where its
 * binder casts a DATE to TIMESTAMP (DATE - TIMESTAMP, date_diff of a DATE and a TIMESTAMP), that
 * is a Conversion Error; functions of a DATE alone (epoch, strftime) answer for any day. Used by
 * casts, comparisons, coalesce and subtraction; date_diff, age, date_sub and time_bucket of such a
 * day beside a TIMESTAMP still answer here where DuckDB fails (ARCHITECTURE.md, known differences).
 */
export function dateOutsideTimestamps(days: number): boolean {
  return days !== DATE_INFINITY && days !== DATE_NINFINITY && (days > TIMESTAMP_LAST_DAY || days < -TIMESTAMP_LAST_DAY);
}

export interface Civil { year: number; month: number; day: number }

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number. */
export function civilFromDays(days: number): Civil {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return MONTH_DAYS[month - 1]!;
}

/** Floor division and modulo for bigint (JS `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

export function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

/** |micros| below this is exact as a double (2^53), which covers years 1685 to 2255. */
const SAFE_MICROS = 9_007_199_254_740_991;
const DAY = 86_400_000_000;

/** The day number of a TIMESTAMP (floor of micros / one day). */
export function timestampDays(micros: bigint): number {
  // One conversion, then doubles: below 2^53 it is exact, and a larger magnitude never
  // rounds below it, so the test sorts every value right (bigint comparisons cost more).
  const n = Number(micros);
  if (n < SAFE_MICROS && n > -SAFE_MICROS) {
    let d = Math.floor(n / DAY);
    // The quotient is a double: correct it by the exact product.
    if (d * DAY > n) d--;
    else if ((d + 1) * DAY <= n) d++;
    return d;
  }
  return Number(floorDiv(micros, MICROS_PER_DAY));
}

/** Splits a TIMESTAMP into its day number and microseconds within the day. */
export function splitTimestamp(micros: bigint): { days: number; time: bigint } {
  const days = timestampDays(micros);
  const n = Number(micros);
  if (n < SAFE_MICROS && n > -SAFE_MICROS) return { days, time: BigInt(n - days * DAY) };
  return { days, time: micros - BigInt(days) * MICROS_PER_DAY };
}

const twoDigits = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

export function pad(n: number | bigint, width: number): string {
  if (width === 2 && typeof n === "number" && n >= 0 && n < 100) return twoDigits[n]!;
  return n.toString().padStart(width, "0");
}

/** DATE as DuckDB prints it: 2024-01-02, 0001-01-01 (BC), infinity. */
export function formatDate(days: number): string {
  if (days === DATE_INFINITY) return "infinity";
  if (days === DATE_NINFINITY) return "-infinity";
  const c = civilFromDays(days);
  if (c.year <= 0) return `${pad(1 - c.year, 4)}-${twoDigits[c.month]!}-${twoDigits[c.day]!} (BC)`;
  const y = c.year >= 1000 && c.year <= 9999 ? String(c.year) : pad(c.year, 4);
  return `${y}-${twoDigits[c.month]!}-${twoDigits[c.day]!}`;
}

/** TIME of day (microseconds) as DuckDB prints it: 03:04:05, 03:04:05.5. */
export function formatTime(micros: bigint): string {
  // A time of day (at most 24:00:00) is exact as a double.
  return formatTimeOfDay(Number(micros));
}

function formatTimeOfDay(t: number): string {
  let f = t % 1_000_000;
  const secs = (t - f) / 1_000_000;
  const s = secs % 60;
  const m = ((secs - s) / 60) % 60;
  const h = (secs - s - m * 60) / 3600;
  const out = `${pad(h, 2)}:${twoDigits[m]!}:${twoDigits[s]!}`;
  if (f === 0) return out;
  // The fraction without its trailing zeros.
  let width = 6;
  while (f % 10 === 0) { f /= 10; width--; }
  return `${out}.${String(f).padStart(width, "0")}`;
}

/** TIMESTAMP as DuckDB prints it: 2024-01-02 03:04:05.123, 2025-01-02 (BC) 00:00:00. */
export function formatTimestamp(micros: bigint): string {
  if (micros === TS_INFINITY) return "infinity";
  if (micros === TS_NINFINITY) return "-infinity";
  const days = timestampDays(micros);
  const n = Number(micros);
  const time = n < SAFE_MICROS && n > -SAFE_MICROS ? n - days * DAY : Number(micros - BigInt(days) * MICROS_PER_DAY);
  const date = formatDate(days);
  if (date.endsWith(" (BC)")) return `${date.slice(0, -5)} (BC) ${formatTimeOfDay(time)}`;
  return `${date} ${formatTimeOfDay(time)}`;
}

/** TIMESTAMPTZ as DuckDB prints it with TimeZone = UTC: a "+00" suffix. */
export function formatTimestampTz(micros: bigint): string {
  if (micros === TS_INFINITY || micros === TS_NINFINITY) return formatTimestamp(micros);
  return `${formatTimestamp(micros)}+00`;
}

/** Smallest and largest finite TIMESTAMP DuckDB accepts. */
export const TS_MIN = BigInt(daysFromCivil(-290308, 12, 22)) * MICROS_PER_DAY;
export const TS_MAX = 9223372036854775806n;

export function timestampInRange(micros: bigint): boolean {
  return micros >= TS_MIN && micros <= TS_MAX;
}

/**
 * Date/time functions: date_trunc, time_bucket, date_part/extract,
 * epoch/epoch_ms/epoch_us, to_timestamp, make_date, make_timestamp,
 * strftime, strptime. TIMESTAMPTZ is computed in UTC (the pipeline's zone).
 */
import type { Interval, Value } from "../../plan/values.ts";
import { DATE_INFINITY, DATE_NINFINITY, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, TS_INFINITY, TS_NINFINITY, civilFromDays, daysFromCivil, formatDate, daysInMonth, floorDiv, splitTimestamp, dateToMicros, dateOutsideTimestamps, isInfiniteTimestamp, TS_MIN, TS_MAX } from "./calendar.ts";
import { SqlError, type CallContext, type ScalarFn } from "./contract.ts";
import { parseType } from "./types.ts";
import { StrptimeFailure, namesZone, strftimeText, strptimeText } from "./strtime.ts";
import { isoTimestamp, roundHalfEven } from "./cast.ts";
import { formatDouble } from "./number-text.ts";
import { timezone, zoneWalls } from "./timezone.ts";

function typeName(t: string | undefined): string {
  const p = parseType(t ?? "TIMESTAMP");
  return p.kind === "scalar" ? p.name : p.kind;
}

/** A DATE or TIMESTAMP argument as microseconds (infinities kept). */
function asMicros(v: Value, type: string | undefined): bigint {
  return typeName(type) === "DATE" ? dateToMicros(v as number) : (v as bigint);
}


/**
 * A DATE argument past TIMESTAMP's range (after 294247-01-10 or before 290309-12-22 BC), which
 * DuckDB answers only where it stays in days: date_trunc to a day or longer, time_bucket by months,
 * date_diff of two DATEs. Where it makes the DATE a TIMESTAMP (its binder's cast, or an epoch in
 * microseconds) it fails; `farDate` gives the day for the caller to raise DuckDB's error.
 */
function farDate(v: Value | undefined, type: string | undefined): number | null {
  return v !== null && v !== undefined && typeName(type) === "DATE" && dateOutsideTimestamps(v as number) ? (v as number) : null;
}

/** DuckDB's error for a DATE past TIMESTAMP's range made its microseconds (`Date::EpochMicroseconds`). */
function notInt64(days: number): string {
  return `Type INT32 with value ${formatDate(days)} can't be cast to the destination type INT64`;
}

/**
 * DuckDB's error where its binder casts a DATE past TIMESTAMP's range to the type of the argument
 * beside it: a Conversion Error into TIMESTAMP, an Invalid Input Error into TIMESTAMPTZ (ICU's cast).
 */
function farCast(days: number, to: string | undefined): SqlError {
  return new SqlError(typeName(to) === "TIMESTAMPTZ" ? "invalid_input" : "conversion", notInt64(days));
}

/** Returns micros as the call's result type (DATE gives days). */
function asResult(m: bigint, ctx: CallContext): Value {
  if (typeName(ctx.resultType) === "DATE") {
    if (m === TS_INFINITY) return DATE_INFINITY;
    if (m === TS_NINFINITY) return DATE_NINFINITY;
    return splitTimestamp(m).days;
  }
  return m;
}

function isoWeekStart(days: number): number {
  // 1970-01-01 was a Thursday; Monday-based weekday 0..6.
  const dow = ((days + 3) % 7 + 7) % 7;
  return days - dow;
}

export function isoYear(days: number): number {
  const thursday = isoWeekStart(days) + 3;
  return civilFromDays(thursday).year;
}

function isoWeek(days: number): number {
  const y = isoYear(days);
  const jan4 = daysFromCivil(y, 1, 4);
  return Math.floor((isoWeekStart(days) - isoWeekStart(jan4)) / 7) + 1;
}

/** DuckDB's date part specifiers (any case) and their aliases, by the name this file uses for each. */
const SPECIFIERS: Record<string, string> = {};
for (const [name, aliases] of Object.entries({
  year: ["y", "years", "yr", "yrs"], month: ["mon", "months", "mons"], day: ["days", "d", "dayofmonth"],
  decade: ["dec", "decades", "decs"], century: ["cent", "centuries", "c"], millennium: ["mil", "millenniums", "millennia", "mils", "millenium"],
  microsecond: ["microseconds", "us", "usec", "usecs", "usecond", "useconds"], millisecond: ["milliseconds", "ms", "msec", "msecs", "msecond", "mseconds"],
  second: ["sec", "seconds", "secs", "s"], minute: ["min", "minutes", "mins", "m"], hour: ["hr", "hours", "hrs", "h"], epoch: [],
  dow: ["dayofweek", "weekday"], isodow: [], week: ["weeks", "w", "weekofyear"], doy: ["dayofyear"], quarter: ["quarters"], yearweek: [],
  isoyear: [], era: [], timezone: [], timezone_hour: [], timezone_minute: [], julian: [],
})) for (const n of [name, ...aliases]) SPECIFIERS[n] = name;

/** The specifier a text names, or DuckDB's Conversion Error for one it does not know. */
export function specifier(part: string): string {
  const s = SPECIFIERS[part.toLowerCase()];
  if (s === undefined) throw new SqlError("conversion", `extract specifier "${part}" not recognized`);
  return s;
}

/** A year (0 is 1 BC) cut to a multiple of `unit`: of the number itself, or of the year of its era (ICU's, over a TIMESTAMPTZ). */
function truncYear(year: number, unit: number, zoned: boolean): number {
  if (!zoned || year > 0) return Math.trunc(year / unit) * unit;
  return 1 - Math.trunc((1 - year) / unit) * unit;
}

/** A year as DuckDB's ICU calendar names it over a TIMESTAMPTZ: the year of its era (44 BC, year -43, is 44). */
function eraYear(year: number): number {
  return year > 0 ? year : 1 - year;
}

function truncMicros(part: string, m: bigint, zoned = false): bigint {
  const { days, time } = splitTimestamp(m);
  const c = civilFromDays(days);
  const dayStart = BigInt(days) * MICROS_PER_DAY;
  const atDays = (d: number) => BigInt(d) * MICROS_PER_DAY;
  switch (part) {
    case "microsecond": case "microseconds": case "us": return m;
    case "millisecond": case "milliseconds": case "ms": return m - (((m % 1000n) + 1000n) % 1000n);
    case "second": case "seconds": case "s": return dayStart + (time / MICROS_PER_SECOND) * MICROS_PER_SECOND;
    case "minute": case "minutes": case "m": return dayStart + (time / MICROS_PER_MINUTE) * MICROS_PER_MINUTE;
    case "hour": case "hours": case "h": return dayStart + (time / MICROS_PER_HOUR) * MICROS_PER_HOUR;
    // The day's parts truncate to the day, epoch to the second, as DuckDB's DateTrunc does.
    case "day": case "days": case "d": case "dayofmonth": case "dow": case "isodow": case "doy": case "julian": return dayStart;
    case "epoch": return dayStart + (time / MICROS_PER_SECOND) * MICROS_PER_SECOND;
    case "week": case "weeks": case "w": case "yearweek": return atDays(isoWeekStart(days));
    case "isoyear": return atDays(isoWeekStart(daysFromCivil(isoYear(days), 1, 4)));
    case "month": case "months": case "mon": return atDays(daysFromCivil(c.year, c.month, 1));
    case "quarter": case "quarters": return atDays(daysFromCivil(c.year, Math.floor((c.month - 1) / 3) * 3 + 1, 1));
    case "year": case "years": case "y": case "yr": return atDays(daysFromCivil(c.year, 1, 1));
    // DuckDB truncates the year number itself: 1970 → 1900 (century), 1000 (millennium). Over a
    // TIMESTAMPTZ its ICU calendar truncates the year of the era instead (44 BC → 40 BC), and a year 0
    // of an era is the other era's first (1 BC → 1 AD, 5 AD → 1 BC).
    case "decade": case "decades": return atDays(daysFromCivil(truncYear(c.year, 10, zoned), 1, 1));
    case "century": case "centuries": return atDays(daysFromCivil(truncYear(c.year, 100, zoned), 1, 1));
    case "millennium": case "millennia": return atDays(daysFromCivil(truncYear(c.year, 1000, zoned), 1, 1));
    default:
      throw new SqlError("not_implemented", `Specifier type not implemented for DATETRUNC`);
  }
}

const dateTrunc: ScalarFn = (args, ctx) => {
  const [part, v] = args;
  if (part === null || v === null || part === undefined || v === undefined) return null;
  const spec = specifier(part as string);
  // A part shorter than a day (or a part not constant) makes DuckDB's answer a TIMESTAMP.
  if (farDate(v, ctx.argTypes[1]) !== null && typeName(ctx.resultType) !== "DATE") throw new SqlError("conversion", "Date and time not in timestamp range");
  const m = asMicros(v, ctx.argTypes[1]);
  if (isInfiniteTimestamp(m)) return asResult(m, ctx);
  return asResult(truncMicros(spec, m, typeName(ctx.argTypes[1]) === "TIMESTAMPTZ"), ctx);
};

const INT64_MIN = -(2n ** 63n);
const ORIGIN_DAYS_MICROS = BigInt(daysFromCivil(2000, 1, 3)) * MICROS_PER_DAY; // a Monday

const timeBucket: ScalarFn = (args, ctx) => {
  const third = args[2];
  const thirdType = typeName(ctx.argTypes[2]);
  // A DATE beside a TIMESTAMP (the bucketed one or the origin) is cast by DuckDB's binder, which
  // fails for a day past TIMESTAMP's range whatever the other arguments hold.
  if (thirdType === "DATE" && typeName(ctx.argTypes[1]) !== "DATE") {
    const far = farDate(third, ctx.argTypes[2]);
    if (far !== null) throw farCast(far, ctx.argTypes[1]);
  }
  if (typeName(ctx.argTypes[1]) === "DATE" && ctx.argTypes[2] !== undefined && (thirdType === "TIMESTAMP" || thirdType === "TIMESTAMPTZ")) {
    const far = farDate(args[1], ctx.argTypes[1]);
    if (far !== null) throw farCast(far, thirdType);
  }
  if (args.some((a) => a === null)) return null;
  // An infinite origin has no buckets: NULL, as DuckDB answers.
  if (third !== undefined && (thirdType === "TIMESTAMP" || thirdType === "TIMESTAMPTZ" || thirdType === "DATE") && isInfiniteTimestamp(asMicros(third, ctx.argTypes[2]))) return null;
  const width = args[0] as Interval;
  // Buckets of days and time count microseconds, which a DATE past TIMESTAMP's range has none of
  // (as the bucketed DATE or as the origin); month buckets count its months and answer.
  if (width.months === 0) {
    const far = farDate(args[1], ctx.argTypes[1]) ?? farDate(third, ctx.argTypes[2]);
    if (far !== null) throw new SqlError("invalid_input", notInt64(far));
  }
  const m = asMicros(args[1]!, ctx.argTypes[1]);
  if (isInfiniteTimestamp(m)) return asResult(m, ctx);
  if (third !== undefined && thirdType === "VARCHAR") return asResult(zonedBucket(width, m, third as string, ctx), ctx);
  // Over a TIMESTAMPTZ DuckDB's ICU time_bucket answers, which takes a width of days or of time, not both.
  if (width.months === 0 && /^TIMESTAMP(TZ| WITH TIME ZONE)$/.test(typeName(ctx.argTypes[1]))) zonedWidth(width);
  if (width.months !== 0 && (width.days !== 0 || width.micros !== 0n)) {
    throw new SqlError("not_implemented", "Month intervals cannot have day or time component");
  }
  const offset = third !== undefined && thirdType === "INTERVAL" ? (third as Interval) : null;
  if (width.months !== 0) {
    if (width.months < 0) throw new SqlError("not_implemented", "Period must be greater than 0");
    // Month buckets count whole months from the origin's month (its day and time are ignored).
    let originMonth = 2000 * 12;
    if (third !== undefined && !offset) {
      const oc = civilFromDays(splitTimestamp(asMicros(third, ctx.argTypes[2])).days);
      originMonth = oc.year * 12 + oc.month - 1;
    }
    const monthStart = (days: number): number => {
      const c = civilFromDays(days);
      const bucket = Math.floor((c.year * 12 + c.month - 1 - originMonth) / width.months) * width.months + originMonth;
      const y = Math.floor(bucket / 12);
      return daysFromCivil(y, bucket - y * 12 + 1, 1);
    };
    // An INTERVAL offset is taken off the instant and put back on its bucket as DuckDB's
    // Interval::Add does it: months first (the day cut to the month's end), then days, then time.
    // A DATE stays a DATE throughout, so the offset's time counts in whole days (toward zero):
    // 2024-01-05 with an offset of -1 hour is in January's bucket, 2024-01-01.
    if (typeName(ctx.argTypes[1]) === "DATE" && typeName(ctx.resultType) === "DATE") {
      const d = args[1] as number;
      return offset ? addToDate(monthStart(addToDate(d, offset, -1)), offset, 1) : monthStart(d);
    }
    const ts = offset ? addToTimestamp(m, offset, -1) : m;
    const start = monthStart(splitTimestamp(ts).days);
    // The first month of TIMESTAMP's range starts before it (290309-12-01 BC): DuckDB cannot make it a TIMESTAMP.
    if (dateOutsideTimestamps(start)) throw new SqlError("invalid_input", notInt64(start));
    const r = BigInt(start) * MICROS_PER_DAY;
    return asResult(offset ? addToTimestamp(r, offset, 1) : r, ctx);
  }
  const w = BigInt(width.days) * MICROS_PER_DAY + width.micros;
  if (w <= 0n) throw new SqlError("not_implemented", "Period must be greater than 0");
  const origin = third !== undefined && !offset ? asMicros(third, ctx.argTypes[2]) : ORIGIN_DAYS_MICROS;
  // An offset moves the instant and its bucket by calendar (a month is a month, not 30 days).
  const ts = offset ? addToTimestamp(m, offset, -1) : m;
  // DuckDB takes the origin modulo the width off the instant, and a bucket's width off a negative
  // quotient, each in 64 bits: within hours of TIMESTAMP's first instant either can overflow.
  // (ICU's, over a TIMESTAMPTZ, takes the whole origin off for a width of time; a width of days it
  // counts in days, which does not overflow.)
  const zoned = typeName(ctx.argTypes[1]) === "TIMESTAMPTZ";
  if (!zoned || width.days === 0) {
    const o = zoned ? origin : origin % w;
    if (ts - o < INT64_MIN) throw new SqlError("out_of_range", `Overflow in subtraction of INT64 (${ts} - ${o})!`);
    const t = ts - o;
    const q = (t / w) * w;
    if (t < 0n && t % w !== 0n && q - w < INT64_MIN) throw new SqlError("out_of_range", `Overflow in subtraction of INT64 (${q} - ${w})!`);
  }
  const r = origin + floorDiv(ts - origin, w) * w;
  return asResult(offset ? addToTimestamp(r, offset, 1) : r, ctx);
};

/** DuckDB's Interval::Add of a DATE: months (the day cut to the month's end), days, then the microseconds' whole days toward zero. */
function addToDate(days: number, iv: Interval, sign: 1 | -1): number {
  let d = days;
  if (iv.months !== 0) {
    const c = civilFromDays(d);
    const total = c.year * 12 + (c.month - 1) + sign * iv.months;
    const year = Math.floor(total / 12);
    const month = total - year * 12 + 1;
    d = daysFromCivil(year, month, Math.min(c.day, daysInMonth(year, month)));
  }
  return d + sign * iv.days + sign * Number(iv.micros / MICROS_PER_DAY);
}

/** DuckDB's Interval::Add of a TIMESTAMP: months (the day cut to the month's end), days, then microseconds; past the range its Conversion Error. */
function addToTimestamp(m: bigint, iv: Interval, sign: 1 | -1): bigint {
  const { days, time } = splitTimestamp(m);
  const moved = iv.months !== 0 ? addToDate(days, { months: iv.months, days: 0, micros: 0n }, sign) : days;
  const r = BigInt(moved + sign * iv.days) * MICROS_PER_DAY + time + BigInt(sign) * iv.micros;
  if (r < TS_MIN || r > TS_MAX) throw new SqlError("conversion", "Date and time not in timestamp range");
  return r;
}

/**
 * The widths DuckDB's ICU time_bucket refuses beyond the TIMESTAMP's: one mixing months, days and
 * time. (A zero width is "Period must be greater than 0" as computed; a constant one is DuckDB's
 * "Can't bucket using zero days", an error either way.)
 */
function zonedWidth(width: Interval): void {
  if (width.months !== 0 && (width.days !== 0 || width.micros !== 0n)) throw new SqlError("not_implemented", "Month intervals cannot have day or time component");
  if (width.days !== 0 && width.micros !== 0n) throw new SqlError("not_implemented", "Day intervals cannot have time component");
}

/**
 * time_bucket(width, TIMESTAMPTZ, zone) as DuckDB's ICU extension answers it. The origin is
 * 2000-01-03 00:00 (2000-01-01 for months) on the zone's clock, as an instant. A width of time
 * counts from that instant in real time (2-hour buckets in Berlin start at odd hours of summer
 * time); a width of days counts the whole days the zone's calendar steps from the origin without
 * passing the instant (in Havana 00:30 before the clock goes back to 00:00 is still the day
 * before, since that day's 00:00 is the later one); a width of months takes the month of the
 * zone's wall time. A wall time the zone skips is read with the offset before the change, one it
 * repeats as the later instant (ICU's rule).
 */
function zonedBucket(width: Interval, m: bigint, zoneName: string, ctx: CallContext): bigint {
  const zone = zoneWalls(zoneName);
  zonedWidth(width);
  if (width.months === 0 && width.days === 0) {
    if (width.micros <= 0n) throw new SqlError("not_implemented", "Period must be greater than 0");
    const origin = zone.fromWall(ORIGIN_DAYS_MICROS);
    return origin + floorDiv(m - origin, width.micros) * width.micros;
  }
  if (width.months === 0 && width.micros === 0n) {
    if (width.days <= 0) throw new SqlError("not_implemented", "Period must be greater than 0");
    let days = floorDiv(zone.toWall(m) - ORIGIN_DAYS_MICROS, MICROS_PER_DAY);
    if (zone.fromWall(ORIGIN_DAYS_MICROS + days * MICROS_PER_DAY) > m) days--;
    const w = BigInt(width.days);
    return zone.fromWall(ORIGIN_DAYS_MICROS + floorDiv(days, w) * w * MICROS_PER_DAY);
  }
  const wall = timeBucket([width, zone.toWall(m)], { ...ctx, argTypes: [ctx.argTypes[0]!, "TIMESTAMP"], resultType: "TIMESTAMP" }) as bigint;
  return zone.fromWall(wall);
}

/**
 * time_bucket(<constant width of days and time>, <TIMESTAMP>): the width
 * resolved once, and instants within ±2^52 µs (years 1827 to 2112) bucketed
 * in doubles, where every step is exact (the remainder of exact integers is
 * exact); anything else goes the general way.
 */
timeBucket.specialize = (constants, ctx) => {
  const k = constants[0];
  if (ctx.argTypes.length !== 2 || !k || k.value === null) return null;
  const arg = typeName(ctx.argTypes[1]);
  if ((arg !== "TIMESTAMP" && arg !== "TIMESTAMPTZ") || typeName(ctx.resultType) !== arg) return null;
  const width = k.value as Interval;
  if (width.months !== 0) return null;
  const w = BigInt(width.days) * MICROS_PER_DAY + width.micros;
  if (w <= 0n || w >= 2n ** 52n) return null;
  const wn = Number(w);
  const origin = Number(ORIGIN_DAYS_MICROS);
  // The last bucket's start, as a double and as the bigint answered, and its end: a stream's
  // consecutive events mostly share their bucket, so a time inside it is answered by two bigint
  // comparisons (~5 ns), before the bigint's conversion to a double (~27 ns) and the remainder
  // (~11 ns); making a bigint from a double is a runtime call (~30 ns).
  let lastStart = NaN;
  let lastStartBig = 1n;
  let lastEndBig = 0n;
  return (args) => {
    const m = args[1];
    if (m === null || m === undefined) return null;
    if ((m as bigint) >= lastStartBig && (m as bigint) < lastEndBig) return lastStartBig;
    const x = Number(m as bigint);
    if (!(x > -(2 ** 52) && x < 2 ** 52)) return timeBucket(args, ctx);
    let r = (x - origin) % wn;
    if (r < 0) r += wn;
    const start = x - r;
    if (start !== lastStart) {
      lastStart = start;
      lastStartBig = BigInt(start);
      lastEndBig = lastStartBig + w;
    }
    return lastStartBig;
  };
};

function partOf(part: string, m: bigint, type: string): Value {
  const { days, time } = splitTimestamp(m);
  const c = civilFromDays(days);
  const big = (n: number) => BigInt(n);
  switch (part) {
    case "year": case "years": case "y": case "yr": case "yrs": return big(type === "TIMESTAMPTZ" ? eraYear(c.year) : c.year);
    case "month": case "months": case "mon": return big(c.month);
    case "day": case "days": case "d": case "dayofmonth": return big(c.day);
    case "hour": case "hours": case "h": case "hr": return time / MICROS_PER_HOUR;
    case "minute": case "minutes": case "m": case "min": return (time / MICROS_PER_MINUTE) % 60n;
    case "second": case "seconds": case "s": case "sec": return (time / MICROS_PER_SECOND) % 60n;
    case "millisecond": case "milliseconds": case "ms": return ((time / 1000n) % 60000n);
    case "microsecond": case "microseconds": case "us": return time % 60_000_000n;
    case "nanosecond": case "nanoseconds": case "ns": return (time % 60_000_000n) * 1000n;
    case "dow": case "dayofweek": case "weekday": return big(((days + 4) % 7 + 7) % 7);
    case "isodow": return big(((days + 3) % 7 + 7) % 7 + 1);
    case "doy": case "dayofyear": return big(days - daysFromCivil(c.year, 1, 1) + 1);
    case "week": case "weeks": case "w": case "weekofyear": return big(isoWeek(days));
    case "isoyear": return big(isoYear(days));
    case "quarter": case "quarters": return big(Math.floor((c.month - 1) / 3) + 1);
    case "decade": case "decades": return big(Math.trunc((type === "TIMESTAMPTZ" ? eraYear(c.year) : c.year) / 10));
    case "century": case "centuries": return big(c.year > 0 ? Math.floor((c.year - 1) / 100) + 1 : -(Math.floor(-c.year / 100) + 1));
    case "millennium": case "millennia": return big(c.year > 0 ? Math.floor((c.year - 1) / 1000) + 1 : -(Math.floor(-c.year / 1000) + 1));
    case "era": return big(c.year > 0 ? 1 : 0);
    case "epoch":
      if (type === "DATE") return days * 86400;
      // TIMESTAMPTZ goes through ICU: milliseconds / 1000 plus the leftover microseconds, as doubles.
      if (type === "TIMESTAMPTZ") {
        const ms = floorDiv(m, 1000n);
        return Number(ms) / 1000 + Number(m - ms * 1000n) / 1e6;
      }
      return Number(m) / 1e6;
    // Pipelines and the check run in UTC: no offset.
    case "timezone": case "timezone_hour": case "timezone_minute":
      if (type === "DATE") throw new SqlError("not_implemented", `"date" units "${part}" not recognized`);
      return 0n;
    // The Julian Day: days since 4714-11-24 BC plus the fraction of the day, as a DOUBLE.
    case "julian": return (days + 2440588) + Number(time) / Number(MICROS_PER_DAY);
    case "yearweek": {
      const w = isoWeek(days);
      const y = isoYear(days);
      return big(y * 100 + (y <= 0 ? -w : w));
    }
    default:
      throw new SqlError("not_implemented", `date_part '${part}' is not supported by the edge executor`);
  }
}

/**
 * age(a, b) for TIMESTAMP and DATE, as DuckDB's Interval::GetAge: the calendar fields of a minus
 * those of b (as |a − b| with the sign put back), each negative field borrowing from the next
 * larger one (a day borrows the length of the later instant's month when a < b, else of b's);
 * NULL for an infinity. TIMESTAMPTZ goes through DuckDB's ICU calendar, which this does not repeat.
 */
const age: ScalarFn = (args, ctx) => {
  const [x, y] = args;
  // DuckDB's binder casts a DATE to TIMESTAMP (TIMESTAMPTZ beside one) for age, which fails past
  // TIMESTAMP's range whatever the other argument holds.
  const farX = farDate(x, ctx.argTypes[0]), farY = farDate(y, ctx.argTypes[1]);
  if (farX !== null) throw farCast(farX, ctx.argTypes[1]);
  if (farY !== null) throw farCast(farY, ctx.argTypes[0]);
  if (x === null || y === null || x === undefined || y === undefined) return null;
  if (args.length !== 2) throw new SqlError("not_implemented", "age(x) measures from the query's own time, which a pipeline does not have; write age(the event's time, x)");
  // TIMESTAMPTZ: DuckDB's ICU age in UTC equals GetAge (compared over 645,000 pairs, month ends included).
  const a = asMicros(x, ctx.argTypes[0]);
  const b = asMicros(y, ctx.argTypes[1]);
  if (ctx.argTypes.some((t) => typeName(t) === "TIMESTAMPTZ")) {
    // ICU's age knows no infinity: it measures to the instant the infinity's number is (294247-01-10
    // 04:00:54.775807 and its negative), in ICU's milliseconds, which are doubles.
    return ageOf(icuInstant(a), icuInstant(b));
  }
  if (isInfiniteTimestamp(a) || isInfiniteTimestamp(b)) return null;
  return ageOf(a, b);
};

/**
 * An instant as ICU's calendar holds it: whole milliseconds (toward -infinity) as a double, which
 * past 2^53 ms (the year 287396) rounds to an even count, and the leftover microseconds.
 */
function icuInstant(m: bigint): bigint {
  const ms = floorDiv(m, 1000n);
  return BigInt(Number(ms)) * 1000n + (m - ms * 1000n);
}

/** Interval::GetAge of two finite instants (microseconds). */
function ageOf(a: bigint, b: bigint): Interval {
  const ta = splitTimestamp(a), tb = splitTimestamp(b);
  const ca = civilFromDays(ta.days), cb = civilFromDays(tb.days);
  const before = a < b;
  const sign = before ? -1 : 1;
  let years = sign * (ca.year - cb.year);
  let months = sign * (ca.month - cb.month);
  let days = sign * (ca.day - cb.day);
  let micros = BigInt(sign) * (ta.time - tb.time);
  while (micros < 0n) {
    micros += MICROS_PER_DAY;
    days--;
  }
  while (days < 0) {
    days += before ? daysInMonth(ca.year, ca.month) : daysInMonth(cb.year, cb.month);
    months--;
  }
  while (months < 0) {
    months += 12;
    years--;
  }
  return { months: sign * (years * 12 + months), days: sign * days, micros: BigInt(sign) * micros };
}

/**
 * Complete months from `start` to `end` as DuckDB's date_sub counts them: when `end` is the last
 * day of its month, a later day-of-month in `start` counts as that last day (Jan 31 → Feb 29 is one
 * month); then the months of age(end, start). Negative when `end` is earlier.
 */
function completeMonths(start: bigint, end: bigint): number {
  if (start > end) return -completeMonths(end, start);
  const e = splitTimestamp(end);
  const ce = civilFromDays(e.days);
  const endDays = daysInMonth(ce.year, ce.month);
  if (ce.day === endDays) {
    const st = splitTimestamp(start);
    const cs = civilFromDays(st.days);
    if (cs.day > endDays || (cs.day === endDays && st.time < e.time)) start = BigInt(daysFromCivil(cs.year, cs.month, endDays)) * MICROS_PER_DAY + st.time;
  }
  return ageOf(end, start).months;
}

/**
 * Complete months (unit 1) or years (unit 12) from `start` to `end` as ICU's
 * Calendar::fieldDifference counts them in UTC, which DuckDB's date_sub of TIMESTAMPTZ uses: the
 * most n for which start plus n units (its day of month cut to the target month's last day) is
 * not after end; when end is earlier, counted back from start the same way (not minus the count
 * from end: Sep 30 back to Aug 31 is -12 months from 2000 to 1999, Aug 31 on to Sep 30 is 13). DuckDB's own count for TIMESTAMP differs at month
 * ends (Jan 30 10:00 to Feb 29 09:00 is 0 here, 1 there). DuckDB's ICU calendar is Gregorian
 * before 1582-10-15 too (proleptic: 1500-02-29 is no date), so the count holds there as well.
 */
function icuMonths(start: bigint, end: bigint, unit: 1 | 12): number {
  // ICU's calendar holds whole milliseconds: each instant is cut toward zero first.
  start = (start / 1000n) * 1000n;
  end = (end / 1000n) * 1000n;
  const s = splitTimestamp(start), e = splitTimestamp(end);
  const cs = civilFromDays(s.days), ce = civilFromDays(e.days);
  let n = unit === 12 ? ce.year - cs.year : (ce.year - cs.year) * 12 + (ce.month - cs.month);
  const plus = (k: number): bigint => {
    const m0 = cs.year * 12 + (cs.month - 1) + k * unit;
    const year = Math.floor(m0 / 12), month = m0 - year * 12 + 1;
    const day = Math.min(cs.day, daysInMonth(year, month));
    return BigInt(daysFromCivil(year, month, day)) * MICROS_PER_DAY + s.time;
  };
  if (n > 0 && plus(n) > end) n--;
  else if (n < 0 && plus(n) < end) n++;
  return n;
}

/** date_sub(part, start, end): the complete parts between two instants (days and smaller by elapsed time, truncated). */
const dateSub: ScalarFn = (args, ctx) => {
  const [part, x, y] = args;
  // DuckDB makes DATEs TIMESTAMPs for date_sub: a DATE beside a TIMESTAMP by the binder's cast
  // (whatever the other arguments hold), two DATEs by its own conversion (`Date and time not in
  // timestamp range`) when neither is NULL.
  const bothDates = typeName(ctx.argTypes[1]) === "DATE" && typeName(ctx.argTypes[2]) === "DATE";
  const farX = farDate(x, ctx.argTypes[1]), farY = farDate(y, ctx.argTypes[2]);
  if (!bothDates && (farX !== null || farY !== null)) throw farX !== null ? farCast(farX, ctx.argTypes[2]) : farCast(farY!, ctx.argTypes[1]);
  if (part === null || x === null || y === null || part === undefined || x === undefined || y === undefined) return null;
  if (farX !== null || farY !== null) throw new SqlError("conversion", "Date and time not in timestamp range");
  const a = asMicros(x, ctx.argTypes[1]);
  const b = asMicros(y, ctx.argTypes[2]);
  if (isInfiniteTimestamp(a) || isInfiniteTimestamp(b)) return null;
  const elapsed = b - a;
  // From one end of TIMESTAMP's range to the other is more microseconds than 64 bits hold (ICU's
  // calendar, over a TIMESTAMPTZ, counts its own way).
  const zonedSub = ctx.argTypes.slice(1).some((t) => typeName(t) === "TIMESTAMPTZ");
  if (!zonedSub && (elapsed < -(2n ** 63n) || elapsed >= 2n ** 63n)) throw new SqlError("out_of_range", `Overflow in subtraction of INT64 (${b} - ${a})!`);
  // TIMESTAMPTZ goes through DuckDB's ICU calendar in the session's zone (UTC): the same elapsed
  // parts, but months and years are ICU's field differences (see icuMonths).
  const zoned = ctx.argTypes.slice(1).some((t) => typeName(t) === "TIMESTAMPTZ");
  // ICU counts hours and longer between whole milliseconds (each instant cut toward zero).
  const calendarElapsed = zoned ? (b / 1000n - a / 1000n) * 1000n : elapsed;
  const months = (per: number) =>
    BigInt(zoned && per % 12 === 0 ? Math.trunc(icuMonths(a, b, 12) / (per / 12)) : Math.trunc((zoned ? icuMonths(a, b, 1) : completeMonths(a, b)) / per));
  switch ((part as string).toLowerCase()) {
    case "year": case "years": case "y": case "yr": case "yrs": return months(12);
    case "quarter": case "quarters": return months(3);
    case "month": case "months": case "mon": return months(1);
    case "decade": case "decades": return months(120);
    case "century": case "centuries": return months(1200);
    case "millennium": case "millennia": return months(12000);
    case "week": case "weeks": case "w": return calendarElapsed / (7n * MICROS_PER_DAY);
    case "day": case "days": case "d": case "dayofmonth": case "doy": case "dayofyear": case "dow": case "isodow": return calendarElapsed / MICROS_PER_DAY;
    case "hour": case "hours": case "h": case "hr": return calendarElapsed / MICROS_PER_HOUR;
    case "minute": case "minutes": case "m": case "min": return elapsed / MICROS_PER_MINUTE;
    case "second": case "seconds": case "s": case "sec": return elapsed / MICROS_PER_SECOND;
    case "millisecond": case "milliseconds": case "ms": return elapsed / 1000n;
    case "microsecond": case "microseconds": case "us": return elapsed;
    default:
      throw new SqlError("not_implemented", `date_sub '${String(part)}' is not supported by the edge executor`);
  }
};

/**
 * A part of an INTERVAL as DuckDB's DatePart takes it: years and the rest
 * from the months, days as they stand, hours and smaller from the
 * microseconds (each truncated toward zero, so a negative interval gives
 * negative parts), epoch with 365.25-day years and 30-day months.
 */
function intervalPartOf(part: string, iv: Interval): bigint | number {
  const years = Math.trunc(iv.months / 12);
  switch (part) {
    case "year": case "years": case "y": case "yr": case "yrs": return BigInt(years);
    case "month": case "months": case "mon": return BigInt(iv.months % 12);
    case "day": case "days": case "d": case "dayofmonth": return BigInt(iv.days);
    case "decade": case "decades": return BigInt(Math.trunc(years / 10));
    case "century": case "centuries": return BigInt(Math.trunc(years / 100));
    case "millennium": case "millennia": return BigInt(Math.trunc(years / 1000));
    case "quarter": case "quarters": return BigInt(Math.trunc((iv.months % 12) / 3) + 1);
    case "hour": case "hours": case "h": case "hr": return iv.micros / MICROS_PER_HOUR;
    case "minute": case "minutes": case "m": case "min": return (iv.micros % MICROS_PER_HOUR) / MICROS_PER_MINUTE;
    case "second": case "seconds": case "s": case "sec": return (iv.micros % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
    case "millisecond": case "milliseconds": case "ms": return (iv.micros % MICROS_PER_MINUTE) / 1000n;
    case "microsecond": case "microseconds": case "us": return iv.micros % MICROS_PER_MINUTE;
    // Only nanosecond() reaches this: date_part refuses the specifier when DuckDB binds it.
    case "nanosecond": return (iv.micros % MICROS_PER_MINUTE) * 1000n;
    case "epoch": {
      const days = 365n * BigInt(years) + 30n * BigInt(iv.months % 12) + BigInt(iv.days);
      const secs = days * 86400n + BigInt(years) * 21600n;
      return Number(secs) + Number(iv.micros) / 1e6;
    }
    case "timezone": case "timezone_hour": case "timezone_minute":
      throw new SqlError("not_implemented", `"interval" units "${part}" not recognized`);
    default:
      throw new SqlError("not_implemented", `interval units "${part === "yearweek" ? "week" : part}" not recognized`);
  }
}

/** A part of a TIME (microseconds since midnight), as DuckDB's DatePart takes it. */
function timePartOf(part: string, t: bigint): bigint | number {
  switch (part) {
    case "hour": case "hours": case "h": case "hr": return t / MICROS_PER_HOUR;
    case "minute": case "minutes": case "m": case "min": return (t % MICROS_PER_HOUR) / MICROS_PER_MINUTE;
    case "second": case "seconds": case "s": case "sec": return (t % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
    case "millisecond": case "milliseconds": case "ms": return (t % MICROS_PER_MINUTE) / 1000n;
    case "microsecond": case "microseconds": case "us": return t % MICROS_PER_MINUTE;
    case "nanosecond": return (t % MICROS_PER_MINUTE) * 1000n;
    case "epoch": return Number(t) / 1e6;
    case "timezone": case "timezone_hour": case "timezone_minute": return 0n;
    default:
      throw new SqlError("not_implemented", `"time" units "${part}" not recognized`);
  }
}

/** Interval::GetMicro: 30-day months, with DuckDB's errors past 64 bits. */
function intervalToMicros(iv: Interval): bigint {
  const lim = (x: bigint) => x >= -(2n ** 63n) && x < 2n ** 63n;
  const month = BigInt(iv.months) * 30n * MICROS_PER_DAY;
  if (!lim(month)) throw new SqlError("conversion", "Could not convert Month to Microseconds");
  const day = BigInt(iv.days) * MICROS_PER_DAY;
  if (!lim(day)) throw new SqlError("conversion", "Could not convert Day to Microseconds");
  if (!lim(iv.micros + month) || !lim(iv.micros + month + day)) throw new SqlError("conversion", "Could not convert Interval to Microseconds");
  return iv.micros + month + day;
}

/** One part as the result type asks: DOUBLE for epoch, BIGINT for the rest. */
function partAs(part: string, m: bigint, type: string, resultType: string): Value {
  const r = partOf(part.toLowerCase(), m, type);
  if (resultType === "DOUBLE") return typeof r === "bigint" ? Number(r) : r;
  return typeof r === "number" ? BigInt(Math.trunc(r)) : r;
}

/** date_part(part, v), or date_part([parts], v) as a STRUCT with a field per part. */
/** date_part as written: each part named by DuckDB's specifiers and aliases. */
const datePart: ScalarFn = (args, ctx) => {
  const [part, v] = args;
  if (part === null || v === null || part === undefined || v === undefined) return null;
  if (Array.isArray(part)) return datePartOf([part.map((p) => (p === null ? null : specifier(p as string))), v], ctx);
  const spec = specifier(part as string);
  // A part chosen per row is answered as BIGINT: the DOUBLE parts have no such answer.
  if ((spec === "epoch" || spec === "julian") && typeName(ctx.resultType) !== "DOUBLE") throw new SqlError("not_implemented", "Specifier type not implemented for DATEPART");
  return datePartOf([spec, v], ctx);
};

/** date_part of parts already resolved to this file's names (nanosecond too, which only nanosecond() asks for). */
const datePartOf: ScalarFn = (args, ctx) => {
  const [part, v] = args;
  if (part === null || v === null || part === undefined || v === undefined) return null;
  const type = typeName(ctx.argTypes[1]);
  if (type === "INTERVAL" || type === "TIME") {
    const one = (p: string, rt: string): Value => {
      const r = type === "INTERVAL" ? intervalPartOf(p.toLowerCase(), v as Interval) : timePartOf(p.toLowerCase(), v as bigint);
      return rt === "DOUBLE" ? (typeof r === "bigint" ? Number(r) : r) : typeof r === "number" ? BigInt(Math.trunc(r)) : r;
    };
    if (!Array.isArray(part)) return one(part as string, typeName(ctx.resultType));
    const rt = parseType(ctx.resultType);
    const out: Record<string, Value> = {};
    for (const [i, p] of part.entries()) {
      if (p === null) throw new SqlError("invalid_input", "date_part: the list of parts has a NULL");
      const field = rt.kind === "struct" ? rt.fields[i] : undefined;
      out[field?.name ?? String(p)] = one(p as string, field?.type.kind === "scalar" ? field.type.name : "BIGINT");
    }
    return out;
  }
  const m = asMicros(v, ctx.argTypes[1]);
  if (isInfiniteTimestamp(m)) {
    // An infinity has no parts: NULL, or a STRUCT whose every part is NULL.
    if (!Array.isArray(part)) return null;
    const rt = parseType(ctx.resultType);
    const out: Record<string, Value> = {};
    for (const [i, p] of part.entries()) out[(rt.kind === "struct" ? rt.fields[i]?.name : undefined) ?? String(p)] = null;
    return out;
  }
  if (!Array.isArray(part)) return partAs(part as string, m, type, typeName(ctx.resultType));
  const rt = parseType(ctx.resultType);
  const out: Record<string, Value> = {};
  for (const [i, p] of part.entries()) {
    if (p === null) throw new SqlError("invalid_input", "date_part: the list of parts has a NULL");
    const field = rt.kind === "struct" ? rt.fields[i] : undefined;
    out[field?.name ?? String(p)] = partAs(p as string, m, type, field?.type.kind === "scalar" ? field.type.name : "BIGINT");
  }
  return out;
};

function namedPart(part: string): ScalarFn {
  return (args, ctx) => datePartOf([part, args[0]!], { argTypes: ["VARCHAR", ctx.argTypes[0]!], resultType: ctx.resultType });
}

// epoch, epoch_ms and epoch_us of an infinity are NULL, as DuckDB's.
const epochMs: ScalarFn = ([v], ctx) => {
  if (v === null || v === undefined) return null;
  const t = typeName(ctx.argTypes[0]);
  if (t === "INTERVAL") {
    // DuckDB's Interval::GetMilli: each field in milliseconds on its own, the microseconds truncated
    // alone (1 day - 1 µs is 86400000), and summed (within 64 bits for any interval).
    const iv = v as Interval;
    return BigInt(iv.months) * 2_592_000_000n + BigInt(iv.days) * 86_400_000n + iv.micros / 1000n;
  }
  if (t === "TIME") return (v as bigint) / 1000n;
  if (t !== "TIMESTAMP" && t !== "TIMESTAMPTZ" && t !== "DATE") {
    // DuckDB multiplies by 1000 in 64 bits: past that its Conversion Error.
    const micros = BigInt(v as number | bigint) * 1000n;
    if (micros < -(2n ** 63n) || micros >= 2n ** 63n) throw new SqlError("conversion", "Could not convert Timestamp(MS) to Timestamp(US)");
    return micros;
  }
  const m = asMicros(v, ctx.argTypes[0]);
  // Truncating division: epoch_ms of one microsecond before 1970 is 0.
  return isInfiniteTimestamp(m) ? null : m / 1000n;
};

const epochFn: ScalarFn = ([v], ctx) => {
  if (v === null || v === undefined) return null;
  const t = typeName(ctx.argTypes[0]);
  if (t === "INTERVAL") return intervalPartOf("epoch", v as Interval);
  if (t === "TIME") return Number(v as bigint) / 1e6;
  if ((t === "TIMESTAMP" || t === "TIMESTAMPTZ" || t === "DATE") && isInfiniteTimestamp(asMicros(v, ctx.argTypes[0]))) return null;
  const r = partOf("epoch", asMicros(v, ctx.argTypes[0]), t);
  return typeof r === "bigint" ? Number(r) : r;
};

const epochUs: ScalarFn = ([v], ctx) => {
  if (v === null || v === undefined) return null;
  if (typeName(ctx.argTypes[0]) === "INTERVAL") return intervalToMicros(v as Interval);
  if (farDate(v, ctx.argTypes[0]) !== null) throw new SqlError("conversion", `Could not convert DATE (${formatDate(v as number)}) to microseconds`);
  const m = asMicros(v, ctx.argTypes[0]);
  return isInfiniteTimestamp(m) ? null : m;
};

/** Nanoseconds since the epoch: NULL for infinities, DuckDB's Conversion Error past 64 bits (before 1677, after 2262). */
const epochNs: ScalarFn = ([v], ctx) => {
  if (v === null || v === undefined) return null;
  if (typeName(ctx.argTypes[0]) === "INTERVAL") {
    const ns = intervalToMicros(v as Interval) * 1000n;
    if (ns < -(2n ** 63n) || ns >= 2n ** 63n) throw new SqlError("conversion", "Could not convert Interval to Nanoseconds");
    return ns;
  }
  const m = asMicros(v, ctx.argTypes[0]);
  if (isInfiniteTimestamp(m)) return null;
  const ns = m * 1000n;
  if (ns >= -(2n ** 63n) && ns < 2n ** 63n) return ns;
  if (typeName(ctx.argTypes[0]) === "DATE") throw new SqlError("conversion", `Could not convert DATE (${formatDate(v as number)}) to nanoseconds`);
  throw new SqlError("conversion", "Could not convert Timestamp(US) to Timestamp(NS)");
};

const toTimestamp: ScalarFn = ([v]) => {
  if (v === null || v === undefined) return null;
  const micros = Number(v) * 1e6;
  // DuckDB's bounds: the product, taken as a double, within [-2^63, 2^63) microseconds (NaN and infinities fail).
  if (!(micros >= -(2 ** 63) && micros < 2 ** 63)) throw new SqlError("conversion", "Epoch seconds out of range for TIMESTAMP WITH TIME ZONE");
  // The product rounded to the nearest microsecond, ties to even (DuckDB's nearbyint).
  return BigInt(roundHalfEven(micros));
};

const makeDate: ScalarFn = (args, ctx) => {
  if (args.some((a) => a === null)) return null;
  const [y, m, d] = args.map((a, i) => int32Part(a, ctx.argTypes[i]));
  return checkedDays(y!, m!, d!);
};

/** The day number of a calendar date, or DuckDB's Conversion Error for a date that does not exist. */
function checkedDays(y: number, m: number, d: number): number {
  // DuckDB's Date::IsValid: a real calendar day between 5877642 BC-06-25 and 5881580-07-10.
  const days = m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) ? NaN : daysFromCivil(y, m, d);
  if (!(Math.abs(days) <= 2147483646)) throw new SqlError("conversion", `Date out of range: ${y}-${m}-${d}`);
  return days;
}

/** DuckDB's Cast::Operation<T, int32_t> of a make_date/make_timestamp part: an Invalid Input Error outside INT32. */
function int32Part(v: Value, type: string | undefined): number {
  const n = Number(v);
  if (n >= -2147483648 && n <= 2147483647) return n;
  throw new SqlError("invalid_input", `Type ${typeName(type) === "DOUBLE" ? "DOUBLE" : "INT64"} with value ${String(v)} can't be cast because the value is out of range for the destination type INT32`);
}

const makeTimestamp: ScalarFn = (args, ctx) => {
  if (args.some((a) => a === null)) return null;
  if (args.length === 1) {
    // Microseconds since 1970: the infinities' values (±(2^63 − 1)) are DuckDB's Conversion Error.
    const us = args[0] as bigint;
    if (us === TS_INFINITY || us === TS_NINFINITY) throw new SqlError("conversion", `Timestamp microseconds out of range: ${us}`);
    return us;
  }
  const [y, mo, d, h, mi] = args.slice(0, 5).map((a, i) => int32Part(a, ctx.argTypes[i]));
  const sec = Number(args[5]);
  // The seconds go through INT32 too, rounded to the nearest (ties to even), before the time is checked.
  const wholeSec = roundHalfEven(sec);
  if (!Number.isNaN(sec) && !(wholeSec >= -2147483648 && wholeSec <= 2147483647)) {
    throw new SqlError("invalid_input", `Type DOUBLE with value ${formatDouble(sec)} can't be cast because the value is out of range for the destination type INT32`);
  }
  const days = checkedDays(y!, mo!, d!);
  // DuckDB's MakeTimeOperator: whole seconds truncated within 0..60 and rounded (ties to even) outside
  // it, the fraction's microseconds rounded half away from zero (std::round), so -0.0000005 is
  // 0 s and -1 µs; then the time of day is checked before it is added: hour 0-24 (24 only at
  // 24:00:00), minute 0-59, whole seconds 0-60, microseconds 0-1,000,000; else a Conversion Error.
  const whole = sec < 0 || sec > 60 ? wholeSec : Math.trunc(sec);
  const frac = (sec - whole) * 1e6;
  const micros = Math.sign(frac) * Math.round(Math.abs(frac)) + 0;
  const atMidnight = mi === 0 && whole === 0 && micros === 0;
  if (!Number.isFinite(sec) || h! < 0 || h! > 24 || (h === 24 && !atMidnight) || mi! < 0 || mi! > 59 || whole < 0 || whole > 60 || micros < 0 || micros > 1_000_000) {
    throw new SqlError("conversion", `Time out of range: ${h}:${mi}:${whole}.${micros}`);
  }
  // Timestamp::FromDatetime: the day's microseconds must fit 64 bits before the time is added, and the sum be finite.
  const dayMicros = BigInt(days) * MICROS_PER_DAY;
  const r = dayMicros + BigInt(h!) * MICROS_PER_HOUR + BigInt(mi!) * MICROS_PER_MINUTE + BigInt(whole) * MICROS_PER_SECOND + BigInt(micros);
  if (dayMicros < -(2n ** 63n) || dayMicros >= 2n ** 63n || r > TS_MAX_FINITE || r < -TS_MAX_FINITE) throw new SqlError("conversion", "Date and time not in timestamp range");
  return r;
};

const TS_MAX_FINITE = 2n ** 63n - 2n;

const strftime: ScalarFn = (args, ctx) => {
  if (args.some((a) => a === null)) return null;
  // strftime(format, ts) is accepted too.
  const [a, b] = args;
  const [v, fmt, vt] = typeof a === "string" ? [b!, a, ctx.argTypes[1]] : [a!, b as string, ctx.argTypes[0]];
  const m = asMicros(v, vt);
  return strftimeText(m, fmt, typeName(vt));
};

/** strptime over one format or a list (the first format that parses wins; else the first failure). */
function strptimeAny(s: string, f: Value, trying: boolean): bigint | StrptimeFailure {
  // try_strptime ignores 'infinity', '-infinity' and 'epoch' (1900-01-01), except where a format
  // names a zone: then DuckDB's ICU strptime answers, which keeps them.
  if (!Array.isArray(f)) return strptimeText(s, f as string, trying, !trying || namesZone(f as string));
  const specials = !trying || (f as (string | null)[]).some((x) => x !== null && namesZone(x));
  let first: StrptimeFailure | undefined;
  for (const fmt of f as string[]) {
    const r = strptimeText(s, fmt, trying, specials);
    if (typeof r === "bigint") return r;
    first ??= r;
  }
  if (first === undefined) throw new SqlError("invalid_input", "strptime format list must not be empty");
  return first;
}

const strptime: ScalarFn = (args) => {
  const s = args[0], f = args[1];
  if (s === null || f === null || s === undefined || f === undefined) return null;
  const r = strptimeAny(s as string, f, false);
  if (typeof r === "bigint") return r;
  throw r.error();
};

const tryStrptime: ScalarFn = (args) => {
  const s = args[0], f = args[1];
  if (s === null || f === null || s === undefined || f === undefined) return null;
  const r = strptimeAny(s as string, f, true);
  if (typeof r === "bigint") return r;
  // A text that does not parse and a date that does not exist (Feb 30) are both NULL.
  if (r.code === "invalid_input" || r.code === "conversion") return null;
  throw r.error();
};

/**
 * ISO 8601 layouts common in feeds, as the exact shape of a text that fits
 * them: `d` a digit, any other character itself. A text of that shape is an
 * ISO timestamp that `isoTimestamp` reads (and range-checks) directly.
 */
const isoLayouts: Record<string, string> = {
  "%Y-%m-%dT%H:%M:%S.%gZ": "dddd-dd-ddTdd:dd:dd.dddZ",
  "%Y-%m-%dT%H:%M:%S.%fZ": "dddd-dd-ddTdd:dd:dd.ddddddZ",
  "%Y-%m-%dT%H:%M:%SZ": "dddd-dd-ddTdd:dd:ddZ",
  "%Y-%m-%dT%H:%M:%S": "dddd-dd-ddTdd:dd:dd",
  "%Y-%m-%d %H:%M:%S": "dddd-dd-dd dd:dd:dd",
  "%Y-%m-%d %H:%M:%S.%f": "dddd-dd-dd dd:dd:dd.dddddd",
};

/**
 * Whether a text has the layout's shape as far as `isoTimestamp` does not check it: the
 * length, a year not starting with 0, and the layout's punctuation in place. isoTimestamp
 * reads every digit of the date, the time and the fraction and refuses a non-digit there,
 * except a `Z` in the last place, which a layout ending in a digit refuses here.
 */
function layoutShape(layout: string): (s: string) => boolean {
  const n = layout.length;
  const at: number[] = [];
  const codes: number[] = [];
  for (let i = 0; i < n; i++) {
    if (layout[i] === "d") continue;
    at.push(i);
    codes.push(layout.charCodeAt(i));
  }
  const k = at.length;
  const endsInDigit = layout[n - 1] === "d";
  return (s) => {
    if (s.length !== n || s.charCodeAt(0) === 48) return false;
    for (let i = 0; i < k; i++) if (s.charCodeAt(at[i]!) !== codes[i]) return false;
    if (endsInDigit) {
      const c = s.charCodeAt(n - 1);
      if (c < 48 || c > 57) return false;
    }
    return true;
  };
}

/**
 * strptime / try_strptime with one of `isoLayouts` as a constant format: a
 * text of exactly that shape with valid fields is read directly; anything
 * else (spaces, other widths, Feb 30, hour 24, a year starting with 0) goes
 * through the general parser, which decides the answer or the error.
 */
function isoStrptime(general: ScalarFn): ScalarFn["specialize"] {
  return (constants, ctx) => {
    const f = constants[1];
    if (ctx.argTypes.length !== 2 || !f || typeof f.value !== "string") return null;
    const layout = isoLayouts[f.value];
    if (layout === undefined) return null;
    const fits = layoutShape(layout);
    return (args) => {
      const s = args[0];
      if (typeof s === "string" && fits(s)) {
        const m = isoTimestamp(s);
        if (m !== null) return m;
      }
      return general(args, ctx);
    };
  };
}

strptime.specialize = isoStrptime(strptime);
tryStrptime.specialize = isoStrptime(tryStrptime);

/** C's printf %f of a double: six decimals, nan/inf spelled as glibc does. */
function printfF(x: number): string {
  if (Number.isNaN(x)) return x < 0 ? "-nan" : "nan";
  if (!Number.isFinite(x)) return x < 0 ? "-inf" : "inf";
  if (Math.abs(x) < 1e21) return x.toFixed(6);
  return `${BigInt(x)}.000000`;
}

/**
 * to_years ... to_microseconds as DuckDB builds them: a BIGINT count of months, weeks or days
 * must fit INT32 first (its Invalid Input Error), the product must fit the interval's field
 * (`Interval value N years out of range`); seconds and milliseconds arrive as DOUBLE, are
 * multiplied as doubles and rounded to the nearest microsecond, ties to even.
 */
function toInterval(unit: "months" | "days" | "micros", per: number, name: string): ScalarFn {
  // to_seconds and to_milliseconds take a DOUBLE: a BIGINT count is multiplied as one (1772359200123 seconds is ...000064 µs).
  const double = name === "seconds" || name === "milliseconds";
  return ([arg], ctx) => {
    if (arg === null || arg === undefined) return null;
    const n = double ? Number(arg) : arg;
    const outOfRange = () => new SqlError("out_of_range", `Interval value ${double ? printfF(n as number) : String(n)} ${name} out of range`);
    if (unit === "months" || unit === "days") {
      const count = Number(n);
      if (count < -2147483648 || count > 2147483647) {
        throw new SqlError("invalid_input", `Type INT64 with value ${String(n)} can't be cast because the value is out of range for the destination type INT32`);
      }
      const r = count * per;
      if (r < -2147483648 || r > 2147483647) throw outOfRange();
      return unit === "months" ? { months: r, days: 0, micros: 0n } : { months: 0, days: r, micros: 0n };
    }
    if (typeof n === "bigint") {
      const micros = n * BigInt(per);
      if (micros < -(2n ** 63n) || micros >= 2n ** 63n) throw outOfRange();
      return { months: 0, days: 0, micros };
    }
    const x = (n as number) * per;
    if (!(x >= -(2 ** 63) && x < 2 ** 63)) throw outOfRange();
    return { months: 0, days: 0, micros: BigInt(roundHalfEven(x)) };
  };
}

export const datetimeScalars: Record<string, ScalarFn> = {
  timezone,
  date_trunc: dateTrunc,
  datetrunc: dateTrunc,
  time_bucket: timeBucket,
  date_part: datePart,
  datepart: datePart,
  year: namedPart("year"),
  month: namedPart("month"),
  day: namedPart("day"),
  hour: namedPart("hour"),
  minute: namedPart("minute"),
  second: namedPart("second"),
  dayofweek: namedPart("dow"),
  dayofyear: namedPart("doy"),
  week: namedPart("week"),
  quarter: namedPart("quarter"),
  dayofmonth: namedPart("day"),
  weekday: namedPart("dow"),
  isodow: namedPart("isodow"),
  weekofyear: namedPart("week"),
  yearweek: namedPart("yearweek"),
  isoyear: namedPart("isoyear"),
  millisecond: namedPart("millisecond"),
  microsecond: namedPart("microsecond"),
  nanosecond: namedPart("nanosecond"),
  era: namedPart("era"),
  julian: namedPart("julian"),
  decade: namedPart("decade"),
  century: namedPart("century"),
  millennium: namedPart("millennium"),
  epoch_ms: epochMs,
  epoch: epochFn,
  epoch_us: epochUs,
  epoch_ns: epochNs,
  age,
  date_sub: dateSub,
  datesub: dateSub,
  to_timestamp: toTimestamp,
  make_date: makeDate,
  make_timestamp: makeTimestamp,
  strftime,
  strptime,
  to_millennia: toInterval("months", 12000, "millennia"),
  to_centuries: toInterval("months", 1200, "centuries"),
  to_decades: toInterval("months", 120, "decades"),
  to_years: toInterval("months", 12, "years"),
  to_quarters: toInterval("months", 3, "quarters"),
  to_months: toInterval("months", 1, "months"),
  to_weeks: toInterval("days", 7, "weeks"),
  to_days: toInterval("days", 1, "days"),
  to_hours: toInterval("micros", 3_600_000_000, "hours"),
  to_minutes: toInterval("micros", 60_000_000, "minutes"),
  to_seconds: toInterval("micros", 1_000_000, "seconds"),
  to_milliseconds: toInterval("micros", 1_000, "milliseconds"),
  to_microseconds: toInterval("micros", 1, "microseconds"),
  try_strptime: tryStrptime,
};


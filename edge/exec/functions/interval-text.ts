/**
 * Text → INTERVAL as DuckDB's cast reads it: a sequence of "<number> <unit>"
 * (fractions allowed, units abbreviated or plural, any case, no space needed)
 * and "[-]HH:MM[:SS[.f]]" times, optionally followed by "ago".
 */
import type { Interval } from "../../plan/values.ts";
import { SqlError } from "./contract.ts";
import { isDigit, isSpace } from "./datetime-parse.ts";
import { keepInTryCast } from "./nested-text.ts";

const INT32_MIN = -2147483648n, INT32_MAX = 2147483647n;
const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n;

/**
 * DuckDB's IntervalTryAddition: `number × multiplier` in 64 bits, made the field's type (a
 * month or day count is 32 bits), added to the field, then the fraction's share (millionths ×
 * multiplier / 10^6). Its errors are thrown, not a failed cast, so TRY_CAST raises them too.
 */
function addTo(target: bigint, bits: 32 | 64, number: bigint, multiplier: bigint, fraction: bigint): bigint {
  const outOfRange = () => keepInTryCast(new SqlError("out_of_range", "interval value is out of range"));
  const [min, max] = bits === 32 ? [INT32_MIN, INT32_MAX] : [INT64_MIN, INT64_MAX];
  const addition = number * multiplier;
  if (addition < INT64_MIN || addition > INT64_MAX) throw outOfRange();
  if (addition < min || addition > max) throw keepInTryCast(new SqlError("invalid_input", `Type INT64 with value ${addition} can't be cast because the value is out of range for the destination type INT32`));
  let r = target + addition;
  if (r < min || r > max) throw outOfRange();
  if (fraction !== 0n) {
    r += (fraction * multiplier) / 1_000_000n;
    if (r < min || r > max) throw outOfRange();
  }
  return r;
}

type Unit = { months: number } | { days: number } | { micros: number };

const units: Record<string, Unit> = {};
function unit(names: string[], u: Unit): void {
  for (const n of names) units[n] = u;
}
unit(["microsecond", "microseconds", "us", "usec", "usecs", "usecond", "useconds"], { micros: 1 });
unit(["millisecond", "milliseconds", "ms", "msec", "msecs", "msecond", "mseconds"], { micros: 1_000 });
unit(["second", "seconds", "s", "sec", "secs"], { micros: 1_000_000 });
unit(["minute", "minutes", "m", "min", "mins"], { micros: 60_000_000 });
unit(["hour", "hours", "h", "hr", "hrs"], { micros: 3_600_000_000 });
unit(["day", "days", "d", "dayofmonth"], { days: 1 });
unit(["week", "weeks", "w", "weekofyear"], { days: 7 });
unit(["month", "months", "mon", "mons"], { months: 1 });
unit(["quarter", "quarters"], { months: 3 });
unit(["year", "years", "y", "yr", "yrs"], { months: 12 });
unit(["decade", "decades", "dec", "decs"], { months: 120 });
unit(["century", "centuries", "c", "cent"], { months: 1200 });
unit(["millennium", "millennia", "millenium", "mil", "mils"], { months: 12000 });

/** Parses DuckDB interval text; throws SqlError("conversion") like DuckDB (and, past a field's range, its errors TRY_CAST keeps). */
export function parseIntervalText(s: string): Interval {
  const fail = (): never => { throw new SqlError("conversion", `Could not convert string '${s}' to INTERVAL`); };
  let months = 0n, days = 0n;
  let micros = 0n;
  // A leading '@' (PostgreSQL's verbose form, '@ 1 day') is skipped, as DuckDB does; only as the very first character.
  let pos = s[0] === "@" ? 1 : 0;
  let any = false;
  const len = s.length;
  for (;;) {
    while (isSpace(s[pos])) pos++;
    if (pos >= len) break;
    if (/^ago$/i.test(s.slice(pos).trimEnd())) {
      if (!any) fail();
      // Negated in the fields' own widths: -(-2147483648) months stays -2147483648.
      months = BigInt.asIntN(32, -months); days = BigInt.asIntN(32, -days); micros = BigInt.asIntN(64, -micros);
      break;
    }
    let neg = false;
    if (s[pos] === "-") {
      neg = true;
      pos++;
      // A '-' that ends the text ends the interval ('1 day -' is 1 day; '-' alone is none).
      if (pos >= len) break;
    }
    const time = /^(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?/.exec(s.slice(pos));
    if (time) {
      // Minutes and seconds past 59 are not a time ('00:00:60' is no interval); hours may be any
      // number of at most nine digits.
      if (time[1]!.length > 9 || Number(time[2]) > 59 || Number(time[3] ?? "0") > 59) fail();
      const frac = (time[4] ?? "").slice(0, 6).padEnd(6, "0");
      const t = BigInt(time[1]!) * 3_600_000_000n + BigInt(time[2]!) * 60_000_000n + BigInt(time[3] ?? "0") * 1_000_000n + BigInt(frac);
      // DuckDB stops at a time: what follows (even "ago") is ignored, and a negative time negates
      // the microseconds read so far along with itself (in 64 bits, unchecked).
      micros = BigInt.asIntN(64, neg ? -(micros + t) : micros + t);
      any = true;
      pos += time[0].length;
      // Without seconds (HH:MM) nothing may follow, not even a space.
      if (time[3] === undefined && pos < len) fail();
      break;
    }
    const num = /^(\d+)(?:\.(\d*))?/.exec(s.slice(pos));
    if (!num || !isDigit(s[pos])) fail();
    pos += num![0].length;
    const afterNumber = pos;
    while (isSpace(s[pos])) pos++;
    const word = /^[A-Za-z]+/.exec(s.slice(pos));
    // The digits (without the sign) are read as a BIGINT once something follows them, and a number
    // past it is DuckDB's cast error (digits that end the text are no interval, read or not).
    const digits = BigInt(num![1]!);
    if (digits > INT64_MAX && afterNumber - num![0].length + num![1]!.length < len) throw keepInTryCast(new SqlError("invalid_input", `Could not convert string '${num![1]}' to INT64`));
    // DuckDB keeps six digits of a fraction (millionths, the rest dropped) and scales them by the unit in integers.
    const f = BigInt((num![2] ?? "").slice(0, 6).padEnd(6, "0"));
    const n = neg ? -digits : digits;
    const fr = neg ? -f : f;
    if (!word) {
      // A bare integer right at the end is ignored after a part; a bare fraction alone is seconds.
      if (!num![2] && any && afterNumber >= len) break;
      // After a part, a number without a unit is an empty unit name.
      if (any) throw new SqlError("conversion", 'extract specifier "" not recognized');
      // A bare number alone is seconds, an integer only when whitespace follows it ('2 ', not
      // '2'); nothing else may follow ('2 3', '2 1:00:00' and '-12 -1days' are no intervals).
      if (num![2] === undefined && afterNumber >= len) fail();
      // The seconds are added (past 64 bits of microseconds, DuckDB's error) before what follows is looked at.
      micros = addTo(addTo(micros, 64, n, 1_000_000n, 0n), 64, fr, 1n, 0n);
      if (pos < len) fail();
      any = true;
      continue;
    }
    pos += word[0].length;
    const u = units[word[0].toLowerCase()];
    if (!u) throw new SqlError("conversion", `extract specifier "${word[0]}" not recognized`);
    if ("months" in u) {
      // The fraction in whole months; months and quarters pass what is left on as 30-day days, years and longer drop it.
      const m = BigInt(u.months);
      if (u.months === 1) {
        months = addTo(months, 32, n, 1n, 0n);
        days = addTo(days, 32, 0n, 30n, fr);
      } else {
        months = addTo(months, 32, n, m, fr);
        if (u.months === 3) days = addTo(days, 32, 0n, 30n, (fr * m) % 1_000_000n);
      }
    } else if ("days" in u) {
      // The fraction in whole days, the rest as microseconds (0.5 weeks is 3 days 12:00:00).
      const d = BigInt(u.days);
      days = addTo(days, 32, n, d, fr);
      micros = addTo(micros, 64, 0n, 86_400_000_000n, (fr * d) % 1_000_000n);
    } else if (u.micros === 1) {
      // A fraction of a microsecond rounds half away from zero.
      micros = addTo(micros, 64, n + (fr * 2n) / 1_000_000n, 1n, 0n);
    } else {
      // Truncated to whole microseconds.
      micros = addTo(micros, 64, n, BigInt(u.micros), fr);
    }
    any = true;
  }
  if (!any) fail();
  return { months: Number(months), days: Number(days), micros };
}

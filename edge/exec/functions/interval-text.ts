/**
 * Text → INTERVAL as DuckDB's cast reads it: a sequence of "<number> <unit>"
 * (fractions allowed, units abbreviated or plural, any case, no space needed)
 * and "[-]HH:MM[:SS[.f]]" times, optionally followed by "ago".
 */
import type { Interval } from "../../plan/values.ts";
import { SqlError } from "./contract.ts";
import { isDigit, isSpace } from "./datetime-parse.ts";

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

/** Parses DuckDB interval text; throws SqlError("conversion") like DuckDB. */
export function parseIntervalText(s: string): Interval {
  const fail = (): never => { throw new SqlError("conversion", `Could not convert string '${s}' to INTERVAL`); };
  let months = 0, days = 0;
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
      months = 0 - months; days = 0 - days; micros = -micros;
      break;
    }
    let neg = false;
    if (s[pos] === "-") { neg = true; pos++; }
    const time = /^(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?/.exec(s.slice(pos));
    if (time) {
      // Minutes and seconds past 59 are not a time ('00:00:60' is no interval); hours may be any number.
      if (Number(time[2]) > 59 || Number(time[3] ?? "0") > 59) fail();
      const frac = (time[4] ?? "").slice(0, 6).padEnd(6, "0");
      const t = BigInt(time[1]!) * 3_600_000_000n + BigInt(time[2]!) * 60_000_000n + BigInt(time[3] ?? "0") * 1_000_000n + BigInt(frac);
      // DuckDB stops at a time: what follows (even "ago") is ignored, and a
      // negative time negates the microseconds read so far along with itself.
      micros = neg ? -(micros + t) : micros + t;
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
    const whole = Number(num![1]);
    // DuckDB keeps six digits of a fraction (millionths, the rest dropped) and scales them by the unit in integers.
    const f = BigInt((num![2] ?? "").slice(0, 6).padEnd(6, "0"));
    const sign = neg ? -1 : 1;
    const bigSign = neg ? -1n : 1n;
    if (!word) {
      // A bare integer right at the end is ignored after a part; a bare fraction alone is seconds.
      if (!num![2] && any && afterNumber >= len) break;
      // After a part, a number without a unit is an empty unit name.
      if (any) throw new SqlError("conversion", 'extract specifier "" not recognized');
      // A bare number alone is seconds, an integer only when whitespace follows it ('2 ', not
      // '2'); nothing else may follow ('2 3', '2 1:00:00' and '-12 -1days' are no intervals).
      if (num![2] === undefined && afterNumber >= len) fail();
      if (pos < len) fail();
      micros += bigSign * (BigInt(num![1]!) * 1_000_000n + f);
      any = true;
      continue;
    }
    pos += word[0].length;
    const u = units[word[0].toLowerCase()];
    if (!u) throw new SqlError("conversion", `extract specifier "${word[0]}" not recognized`);
    if ("months" in u) {
      // The fraction in whole months; months and quarters pass what is left on as 30-day days, years and longer drop it.
      months += sign * whole * u.months;
      const fm = f * BigInt(u.months);
      months += sign * Number(fm / 1_000_000n);
      if (u.months <= 3) days += sign * Number(((fm % 1_000_000n) * 30n) / 1_000_000n);
    } else if ("days" in u) {
      // The fraction in whole days, the rest as microseconds (0.5 weeks is 3 days 12:00:00).
      days += sign * whole * u.days;
      const fd = f * BigInt(u.days);
      days += sign * Number(fd / 1_000_000n);
      micros += bigSign * (fd % 1_000_000n) * 86_400n;
    } else {
      // Truncated to whole microseconds; a fraction of a microsecond rounds half away from zero.
      const part = u.micros === 1 ? (f >= 500_000n ? 1n : 0n) : (f * BigInt(u.micros)) / 1_000_000n;
      micros += bigSign * (BigInt(num![1]!) * BigInt(u.micros) + part);
    }
    if (Math.abs(days) > 2147483647 || Math.abs(months) > 2147483647) {
      throw new SqlError("invalid_input", `Type INT64 with value ${Math.abs(days) > 2147483647 ? days : months} can't be cast because the value is out of range for the destination type INT32`);
    }
    any = true;
  }
  if (!any) fail();
  // No negative zeros: they would not equal DuckDB's 0.
  return { months: months + 0, days: days + 0, micros };
}

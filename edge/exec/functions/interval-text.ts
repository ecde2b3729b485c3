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
  let pos = 0;
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
    const fraction = num![2] ? Number(`0.${num![2]}`) : 0;
    const sign = neg ? -1 : 1;
    if (!word) {
      // A bare integer right at the end is ignored after a part; a bare fraction alone is seconds.
      if (!num![2] && any && afterNumber >= len) break;
      // After a part, a number without a unit is an empty unit name.
      if (any) throw new SqlError("conversion", 'extract specifier "" not recognized');
      if (!num![2]) fail();
      micros += BigInt(Math.round(sign * (whole + fraction) * 1_000_000));
      any = true;
      continue;
    }
    pos += word[0].length;
    const u = units[word[0].toLowerCase()];
    if (!u) throw new SqlError("conversion", `extract specifier "${word[0]}" not recognized`);
    if ("months" in u) {
      months += sign * whole * u.months;
      const fm = fraction * u.months;
      months += sign * Math.trunc(fm);
      days += sign * Math.round((fm - Math.trunc(fm)) * 30);
    } else if ("days" in u) {
      days += sign * whole * u.days;
      micros += BigInt(sign * Math.round(fraction * u.days * 86_400_000_000));
    } else {
      micros += BigInt(sign * whole) * BigInt(u.micros) + BigInt(sign * Math.round(fraction * u.micros));
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

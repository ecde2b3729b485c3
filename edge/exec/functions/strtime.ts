/**
 * strftime / strptime with DuckDB's format specifiers (%Y %m %d %H %M %S %f
 * %g %j %b %B %a %A %p %I %y %z %Z %w %u %U %W %V %G %c %x %X %%, '-' for
 * no padding). strptime skips whitespace where the format has a space and
 * before numbers; %z gives a UTC instant.
 */
import {
  MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, TS_INFINITY, TS_NINFINITY,
  civilFromDays, daysFromCivil, daysInMonth, formatTimestamp, pad, splitTimestamp,
} from "./calendar.ts";
import { SqlError } from "./contract.ts";
import { isDigit, isSpace } from "./datetime-parse.ts";

const monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type Spec = { lit: string } | { spec: string; nopad: boolean };

const known = new Set("aAwudbBhmyYHIpMSfgnjUWVGzZcxX%".split(""));

function tokenize(fmt: string): Spec[] {
  const out: Spec[] = [];
  let lit = "";
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== "%") { lit += c; continue; }
    let nopad = false;
    let s = fmt[++i];
    if (s === "-") { nopad = true; s = fmt[++i]; }
    if (s === undefined || !known.has(s)) {
      throw new SqlError("invalid_input", `Failed to parse format specifier ${fmt}: Unrecognized format for strftime/strptime: %${nopad ? "-" : ""}${s ?? ""}`);
    }
    if (s === "%") { lit += "%"; continue; }
    if (lit) { out.push({ lit }); lit = ""; }
    if (s === "c") out.push(...tokenize("%Y-%m-%d %H:%M:%S"));
    else if (s === "x") out.push(...tokenize("%Y-%m-%d"));
    else if (s === "X") out.push(...tokenize("%H:%M:%S"));
    else out.push({ spec: s, nopad });
  }
  if (lit) out.push({ lit });
  return out;
}

function weekOfYear(days: number, year: number, mondayFirst: boolean): number {
  const jan1 = daysFromCivil(year, 1, 1);
  const dowJan1 = ((jan1 + 4) % 7 + 7) % 7; // Sunday = 0
  const first = mondayFirst ? (8 - dowJan1) % 7 : (7 - dowJan1) % 7; // offset of first Monday/Sunday
  const doy = days - jan1;
  return doy < first ? 0 : Math.floor((doy - first) / 7) + 1;
}

function isoParts(days: number): { year: number; week: number } {
  const dow = ((days + 3) % 7 + 7) % 7;
  const thursday = days - dow + 3;
  const year = civilFromDays(thursday).year;
  const jan4 = daysFromCivil(year, 1, 4);
  const week1 = jan4 - (((jan4 + 3) % 7 + 7) % 7);
  return { year, week: Math.floor((days - dow - week1) / 7) + 1 };
}

/** strftime over microseconds since the epoch. */
export function strftimeText(m: bigint, fmt: string, type: string): string {
  const specs = tokenize(fmt);
  if (m === TS_INFINITY || m === TS_NINFINITY) return formatTimestamp(m);
  const { days, time } = splitTimestamp(m);
  const c = civilFromDays(days);
  const h = Number(time / MICROS_PER_HOUR);
  const mi = Number((time / MICROS_PER_MINUTE) % 60n);
  const s = Number((time / MICROS_PER_SECOND) % 60n);
  const us = Number(time % MICROS_PER_SECOND);
  const dow = ((days + 4) % 7 + 7) % 7;
  let out = "";
  for (const t of specs) {
    if ("lit" in t) { out += t.lit; continue; }
    const n = (v: number, w: number) => (t.nopad ? String(v) : pad(v, w));
    switch (t.spec) {
      case "a": out += dayNames[dow]!.slice(0, 3); break;
      case "A": out += dayNames[dow]; break;
      case "w": out += String(dow); break;
      case "u": out += String(dow === 0 ? 7 : dow); break;
      case "d": out += n(c.day, 2); break;
      case "b": case "h": out += monthNames[c.month - 1]!.slice(0, 3); break;
      case "B": out += monthNames[c.month - 1]; break;
      case "m": out += n(c.month, 2); break;
      case "y": out += n(((c.year % 100) + 100) % 100, 2); break;
      case "Y": out += c.year < 0 ? `-${pad(-c.year, 4)}` : n(c.year, 4); break;
      case "H": out += n(h, 2); break;
      case "I": out += n(h % 12 === 0 ? 12 : h % 12, 2); break;
      case "p": out += h < 12 ? "AM" : "PM"; break;
      case "M": out += n(mi, 2); break;
      case "S": out += n(s, 2); break;
      case "f": out += pad(us, 6); break;
      case "g": out += pad(Math.floor(us / 1000), 3); break;
      case "j": out += n(days - daysFromCivil(c.year, 1, 1) + 1, 3); break;
      case "U": out += n(weekOfYear(days, c.year, false), 2); break;
      case "W": out += n(weekOfYear(days, c.year, true), 2); break;
      case "V": out += n(isoParts(days).week, 2); break;
      case "G": out += n(isoParts(days).year, 4); break;
      case "z": out += "+00"; break;
      case "Z": out += type === "TIMESTAMPTZ" ? "UTC" : ""; break;
      default: throw new SqlError("not_implemented", `strftime %${t.spec} is not supported by the edge executor`);
    }
  }
  return out;
}

type Parsed = { ok: true; micros: bigint } | { ok: false; error: SqlError };

/** strptime: the instant `s` names under `fmt`, or DuckDB's parse error. */
export function strptimeText(s: string, fmt: string): Parsed {
  const specs = tokenize(fmt);
  const fail = (why: string): Parsed => ({
    ok: false,
    error: new SqlError("invalid_input", `Could not parse string "${s}" according to format specifier "${fmt}"\n${why}`),
  });
  let pos = 0;
  let year = 1900, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
  let doy: number | null = null;
  let pm: boolean | null = null;
  let offset = 0n;
  let twelveHour = false;
  const num = (maxDigits: number): number | null => {
    while (isSpace(s[pos])) pos++;
    const start = pos;
    let v = 0;
    while (pos < s.length && isDigit(s[pos]) && pos - start < maxDigits) { v = v * 10 + s.charCodeAt(pos) - 48; pos++; }
    return pos === start ? null : v;
  };
  const name = (list: string[]): number | null => {
    const rest = s.slice(pos).toLowerCase();
    for (let i = 0; i < list.length; i++) {
      const full = list[i]!.toLowerCase();
      if (rest.startsWith(full)) { pos += full.length; return i; }
    }
    for (let i = 0; i < list.length; i++) {
      const short = list[i]!.slice(0, 3).toLowerCase();
      if (rest.startsWith(short)) { pos += 3; return i; }
    }
    return null;
  };
  for (const t of specs) {
    if ("lit" in t) {
      for (const ch of t.lit) {
        if (isSpace(ch)) {
          if (pos < s.length && !isSpace(s[pos])) return fail("Error: Space does not match, expected  ");
          while (isSpace(s[pos])) pos++;
          continue;
        }
        if (s[pos] !== ch) return fail(`Error: Literal does not match, expected ${t.lit}`);
        pos++;
      }
      continue;
    }
    let v: number | null;
    switch (t.spec) {
      case "Y":
        // DuckDB's %Y reads at most four digits and no sign.
        v = num(4);
        if (v === null) return fail("Error: Expected a number");
        year = v;
        break;
      case "y":
        v = num(2);
        if (v === null) return fail("Error: Expected a number");
        year = v <= 68 ? 2000 + v : 1900 + v;
        break;
      case "m": v = num(2); if (v === null || v < 1 || v > 12) return fail("Error: Month out of range, expected a value between 1 and 12"); month = v; break;
      case "d": v = num(2); if (v === null || v < 1 || v > 31) return fail("Error: Day out of range, expected a value between 1 and 31"); day = v; break;
      case "H": v = num(2); if (v === null || v > 23) return fail("Error: Hour out of range, expected a value between 0 and 23"); hour = v; break;
      case "I": v = num(2); if (v === null || v < 1 || v > 12) return fail("Error: Hour12 out of range, expected a value between 1 and 12"); hour = v; twelveHour = true; break;
      case "M": v = num(2); if (v === null || v > 59) return fail("Error: Minutes out of range, expected a value between 0 and 59"); minute = v; break;
      case "S": v = num(2); if (v === null || v > 59) return fail("Error: Seconds out of range, expected a value between 0 and 59"); second = v; break;
      case "f": case "g": {
        const max = t.spec === "f" ? 6 : 3;
        const start = pos;
        v = num(max);
        if (v === null) return fail("Error: Expected a number");
        const digits = pos - start;
        micros = v * 10 ** ((t.spec === "f" ? 6 : 3) - digits) * (t.spec === "g" ? 1000 : 1);
        break;
      }
      case "j": v = num(3); if (v === null || v < 1 || v > 366) return fail("Error: Day of the year out of range"); doy = v; break;
      case "b": case "h": case "B": v = name(monthNames); if (v === null) return fail("Error: Expected a month name"); month = v + 1; break;
      case "a": case "A": if (name(dayNames) === null) return fail("Error: Expected a weekday name"); break;
      case "w": case "u": if (num(1) === null) return fail("Error: Expected a number"); break;
      case "U": case "W": case "V": if (num(2) === null) return fail("Error: Expected a number"); break;
      case "G": if (num(9) === null) return fail("Error: Expected a number"); break;
      case "p": {
        const r = s.slice(pos, pos + 2).toUpperCase();
        if (r !== "AM" && r !== "PM") return fail("Error: Expected AM/PM");
        pm = r === "PM";
        pos += 2;
        break;
      }
      case "z": {
        while (isSpace(s[pos])) pos++;
        if (s[pos] === "Z") { pos++; break; }
        const m = /^([+-])(\d\d):?(\d\d)?/.exec(s.slice(pos));
        if (!m) return fail("Error: Expected +HH[MM] or -HH[MM]");
        const abs = BigInt(Number(m[2])) * MICROS_PER_HOUR + BigInt(Number(m[3] ?? 0)) * MICROS_PER_MINUTE;
        offset = m[1] === "-" ? -abs : abs;
        pos += m[0].length;
        break;
      }
      case "Z": {
        const m = /^[A-Za-z0-9/_+-]+/.exec(s.slice(pos));
        if (!m || m[0].toUpperCase() !== "UTC") {
          return { ok: false, error: new SqlError("not_implemented", `strptime %Z time zone '${m?.[0] ?? ""}' is not supported by the edge executor`) };
        }
        pos += m[0].length;
        break;
      }
      default:
        return { ok: false, error: new SqlError("not_implemented", `strptime %${t.spec} is not supported by the edge executor`) };
    }
  }
  if (pos < s.length) return fail("Error: Full specifier did not match: trailing characters");
  if (twelveHour && pm !== null) hour = (hour % 12) + (pm ? 12 : 0);
  else if (pm !== null) hour = (hour % 12) + (pm ? 12 : 0);
  let days: number;
  if (doy !== null) {
    days = daysFromCivil(year, 1, 1) + doy - 1;
  } else {
    if (day > daysInMonth(year, month)) {
      return { ok: false, error: new SqlError("conversion", `Date out of range: ${year}-${month}-${day}`) };
    }
    days = daysFromCivil(year, month, day);
  }
  const micro = BigInt(days) * MICROS_PER_DAY + BigInt(hour) * MICROS_PER_HOUR + BigInt(minute) * MICROS_PER_MINUTE
    + BigInt(second) * MICROS_PER_SECOND + BigInt(micros);
  return { ok: true, micros: micro - offset };
}

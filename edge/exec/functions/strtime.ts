/**
 * strftime / strptime with DuckDB's format specifiers (%Y %m %d %H %M %S %f
 * %g %j %b %B %a %A %p %I %y %z %Z %w %u %U %W %V %G %c %x %X %T %%, '-' for
 * no padding). strptime skips whitespace where the format has a space and
 * before numbers; %z gives a UTC instant, %Z a zone's name (the wall time in
 * that zone, unless %z gave an offset).
 */
import {
  MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, TS_INFINITY, TS_NINFINITY,
  civilFromDays, daysFromCivil, daysInMonth, formatTimestamp, pad, splitTimestamp,
} from "./calendar.ts";
import { SqlError } from "./contract.ts";
import { isSpace, parseUtcOffset } from "./datetime-parse.ts";
import { memo } from "./memo.ts";
import { instantInZone } from "./timezone.ts";

const monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type Spec = { lit: string } | { spec: string; nopad: boolean };

const known = new Set("aAwudbBhmyYHIpMSfgnjUWVGzZcxXT%".split(""));

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
    else if (s === "X" || s === "T") out.push(...tokenize("%H:%M:%S"));
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
  const specs = tokenizeCached(fmt);
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
      // %y is the year's last two digits without its sign; %G its last four as DuckDB writes them (an
      // unsigned 32-bit year: 44 BC, ISO year -43, prints 7253).
      case "y": out += n(Math.abs(c.year) % 100, 2); break;
      case "Y": out += c.year < 0 ? String(c.year) : n(c.year, 4); break;
      case "H": out += n(h, 2); break;
      case "I": out += n(h % 12 === 0 ? 12 : h % 12, 2); break;
      case "p": out += h < 12 ? "AM" : "PM"; break;
      case "M": out += n(mi, 2); break;
      case "S": out += n(s, 2); break;
      case "f": out += pad(us, 6); break;
      case "g": out += pad(Math.floor(us / 1000), 3); break;
      // Nanoseconds: DuckDB 1.4.3 writes the six digits of the microseconds where it made room for
      // nine and leaves three bytes of whatever memory held at the end of the text (NULs, or stale
      // characters: 'a%nb' is 'a123456b00\0'), which no pipeline can repeat.
      case "n": throw new SqlError("not_implemented", "strftime %n (DuckDB writes six digits and three stray bytes) is not supported by the edge executor; use %f for the microseconds");
      case "j": out += n(days - daysFromCivil(c.year, 1, 1) + 1, 3); break;
      case "U": out += n(weekOfYear(days, c.year, false), 2); break;
      case "W": out += n(weekOfYear(days, c.year, true), 2); break;
      case "V": out += n(isoParts(days).week, 2); break;
      case "G": out += n((((isoParts(days).year % 10000) + 2 ** 32) % 2 ** 32) % 10000, 4); break;
      case "z": out += "+00"; break;
      case "Z": out += type === "TIMESTAMPTZ" ? "UTC" : ""; break;
      default: throw new SqlError("not_implemented", `strftime %${t.spec} is not supported by the edge executor`);
    }
  }
  return out;
}

/** Why strptime failed; `error()` builds the SqlError only when it is raised. */
export class StrptimeFailure {
  constructor(readonly code: "invalid_input" | "conversion" | "not_implemented", readonly message: string) {}
  error(): SqlError {
    return new SqlError(this.code, this.message);
  }
}

function parseFailure(s: string, fmt: string, why: string): StrptimeFailure {
  return new StrptimeFailure("invalid_input", `Could not parse string "${s}" according to format specifier "${fmt}"\n${why}`);
}

/** How many digits each numeric strptime specifier reads (DuckDB reads no sign and skips no spaces). */
const numericWidth: Record<string, number> = {
  w: 1, u: 1, d: 2, m: 2, y: 2, H: 2, I: 2, M: 2, S: 2, U: 2, W: 2, V: 2, g: 3, j: 3, Y: 4, G: 4, f: 6,
};

const abbreviatedMonths = monthNames.map((m) => m.slice(0, 3));
const abbreviatedDays = dayNames.map((d) => d.slice(0, 3));

function asciiLower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Case-insensitive (ASCII) match of `word` at pos. */
function matchesAt(s: string, pos: number, word: string): boolean {
  if (pos + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (asciiLower(s.charCodeAt(pos + i)) !== asciiLower(word.charCodeAt(i))) return false;
  }
  return true;
}

/** The first entry of the list that the text continues with, as DuckDB tries them in order. */
function nameAt(s: string, pos: number, list: string[]): number {
  for (let i = 0; i < list.length; i++) if (matchesAt(s, pos, list[i]!)) return i;
  return -1;
}

/** Monday on or before the day (days since the epoch). */
function mondayOf(days: number): number {
  return days - (((days + 3) % 7) + 7) % 7;
}

/** A strptime step in one shape: a literal (spec "") or a specifier with its digit width (0 if not numeric). */
interface Step { lit: string; spec: string; width: number }

function compileSteps(fmt: string): Step[] {
  return tokenize(fmt).map((t) => ("lit" in t ? { lit: t.lit, spec: "", width: 0 } : { lit: "", spec: t.spec, width: numericWidth[t.spec] ?? 0 }));
}

const stepCache = new Map<string, Step[]>();

const tokenCache = new Map<string, Spec[]>();

function tokenizeCached(fmt: string): Spec[] {
  return memo(tokenCache, fmt, tokenize);
}

/**
 * strptime: the instant `s` names under `fmt`, or DuckDB's parse error.
 * DuckDB's order: leading spaces are skipped; "infinity", "-infinity" and
 * "epoch" are read whatever the format; a space in the format matches a run
 * of at least one space; numbers have fixed maximum widths and no sign;
 * names match the abbreviated or the full list only; trailing spaces are
 * allowed. %U/%W (+%w), %G/%V/%u and %j move the date unless %m or %d said it.
 */
/** 1900-01-01 00:00:00, where strptime's fields start. */
const DEFAULT_INSTANT = -2208988800000000n;

/**
 * `trying` is try_strptime: DuckDB's try path reads the fields and ignores a
 * special, so 'infinity' / 'epoch' come out as 1900-01-01 there; `specials` keeps them
 * anyway, as try_strptime does when a format names a zone (%Z: ICU's strptime answers).
 */
export function strptimeText(s: string, fmt: string, trying = false, specials = !trying): bigint | StrptimeFailure {
  const steps = memo(stepCache, fmt, compileSteps);
  const len = s.length;
  let pos = 0;
  while (pos < len && isSpace(s[pos])) pos++;
  if (len - pos > 4) {
    let special: bigint | null = null;
    let end = pos;
    if (s[pos] === "-") {
      if (matchesAt(s, pos, "-infinity")) { special = TS_NINFINITY; end = pos + 9; }
    } else if (matchesAt(s, pos, "infinity")) { special = TS_INFINITY; end = pos + 8; }
    else if (matchesAt(s, pos, "epoch")) { special = 0n; end = pos + 5; }
    if (special !== null) {
      while (end < len && isSpace(s[end])) end++;
      if (end !== len) return parseFailure(s, fmt, "Error: Special timestamp did not match: trailing characters");
      return specials ? special : DEFAULT_INSTANT;
    }
  }
  let year = 1900, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
  let offset = 0n;
  let hasOffset = false;
  let zoneName: string | null = null;
  let ampm: "AM" | "PM" | null = null;
  // Which specifier decides the date: "" (y/m/d as read), or U, W, V, G, j.
  let dateBy = "";
  let weekno = 0, weekday = 0, hasWeekday = false, yearday = 0;
  let isoYear = -1, isoWeek = -1, isoWeekday = -1;
  for (let k = 0; k < steps.length; k++) {
    const t = steps[k]!;
    if (t.spec === "") {
      const lit = t.lit;
      for (let l = 0; l < lit.length;) {
        if (isSpace(lit[l])) {
          if (!isSpace(s[pos])) return parseFailure(s, fmt, `Error: Space does not match, expected ${lit}`);
          while (pos < len && isSpace(s[pos])) pos++;
          while (l < lit.length && isSpace(lit[l])) l++;
          continue;
        }
        if (s[pos] !== lit[l]) return parseFailure(s, fmt, `Error: Literal does not match, expected ${lit}`);
        pos++;
        l++;
      }
      continue;
    }
    const width = t.width;
    if (width > 0) {
      const start = pos;
      let v = 0;
      while (pos < len && pos - start < width) {
        const c = s.charCodeAt(pos);
        if (c < 48 || c > 57) break;
        v = v * 10 + c - 48;
        pos++;
      }
      if (pos === start) return parseFailure(s, fmt, "Error: Expected a number");
      switch (t.spec) {
        case "d": if (v < 1 || v > 31) return parseFailure(s, fmt, "Error: Day out of range, expected a value between 1 and 31"); day = v; dateBy = "d"; break;
        case "m": if (v < 1 || v > 12) return parseFailure(s, fmt, "Error: Month out of range, expected a value between 1 and 12"); month = v; dateBy = "m"; break;
        case "y": if (dateBy === "" || dateBy === "G" || dateBy === "V") dateBy = "y"; year = v >= 69 ? 1900 + v : 2000 + v; break;
        case "Y": if (dateBy === "" || dateBy === "G" || dateBy === "V") dateBy = "Y"; year = v; break;
        case "G":
          if (dateBy === "") dateBy = "G";
          else if (dateBy === "G" || dateBy === "V") { if (isoYear >= 0) return parseFailure(s, fmt, "Error: Multiple ISO year offsets specified"); }
          else if (dateBy !== "d" && dateBy !== "m" && dateBy !== "y" && dateBy !== "Y") return parseFailure(s, fmt, "Error: Incompatible ISO year offset specified");
          isoYear = v;
          break;
        case "H": if (v > 23) return parseFailure(s, fmt, "Error: Hour out of range, expected a value between 0 and 23"); hour = v; break;
        case "I": if (v < 1 || v > 12) return parseFailure(s, fmt, "Error: Hour12 out of range, expected a value between 1 and 12"); hour = v; break;
        case "M": if (v > 59) return parseFailure(s, fmt, "Error: Minutes out of range, expected a value between 0 and 59"); minute = v; break;
        case "S": if (v > 59) return parseFailure(s, fmt, "Error: Seconds out of range, expected a value between 0 and 59"); second = v; break;
        case "f": micros = v * 10 ** (6 - (pos - start)); break;
        case "g": micros = v * 10 ** (3 - (pos - start)) * 1000; break;
        case "U": case "W":
          if (dateBy === "" || dateBy === "y" || dateBy === "Y") dateBy = t.spec;
          else if (dateBy !== "d" && dateBy !== "m") return parseFailure(s, fmt, "Error: Multiple week offsets specified");
          if (v > 53) return parseFailure(s, fmt, "Error: Week out of range, expected a value between 0 and 53");
          weekno = v;
          break;
        case "w": if (v > 6) return parseFailure(s, fmt, "Error: Weekday out of range, expected a value between 0 and 6"); hasWeekday = true; weekday = v; break;
        case "V":
          if (dateBy === "") dateBy = "V";
          else if (dateBy === "V" || dateBy === "G") { if (isoWeek >= 0) return parseFailure(s, fmt, "Error: Multiple ISO week offsets specified"); }
          else if (dateBy !== "d" && dateBy !== "m") return parseFailure(s, fmt, "Error: Incompatible ISO week offset specified");
          if (v < 1 || v > 53) return parseFailure(s, fmt, "Error: ISO week offset out of range, expected a value between 1 and 53");
          isoWeek = v;
          break;
        case "u":
          if (isoWeekday >= 0) return parseFailure(s, fmt, "Error: Multiple ISO weekday offsets specified");
          if (v < 1 || v > 7) return parseFailure(s, fmt, "Error: ISO weekday offset out of range, expected a value between 1 and 7");
          isoWeekday = v;
          break;
        case "j":
          if (dateBy === "" || dateBy === "y" || dateBy === "Y") dateBy = "j";
          else if (dateBy !== "d" && dateBy !== "m") return parseFailure(s, fmt, "Error: Multiple year offsets specified");
          if (v < 1 || v > 366) return parseFailure(s, fmt, "Error: Year day out of range, expected a value between 1 and 366");
          yearday = v;
          break;
        default: break;
      }
      continue;
    }
    switch (t.spec) {
      case "b": case "h": case "B": {
        const list = t.spec === "B" ? monthNames : abbreviatedMonths;
        const i = nameAt(s, pos, list);
        if (i < 0) return parseFailure(s, fmt, "Error: Expected a month name");
        pos += list[i]!.length;
        month = i + 1;
        break;
      }
      case "a": case "A": {
        const list = t.spec === "A" ? dayNames : abbreviatedDays;
        const i = nameAt(s, pos, list);
        if (i < 0) return parseFailure(s, fmt, "Error: Expected a weekday name");
        pos += list[i]!.length;
        break;
      }
      case "p": {
        if (pos + 2 > len || asciiLower(s.charCodeAt(pos + 1)) !== 109) return parseFailure(s, fmt, "Error: Expected AM/PM");
        const c = asciiLower(s.charCodeAt(pos));
        if (c === 112) ampm = "PM";
        else if (c === 97) ampm = "AM";
        else return parseFailure(s, fmt, "Error: Expected AM/PM");
        pos += 2;
        break;
      }
      case "z": {
        const off = parseUtcOffset(s, pos);
        if (off === null) return parseFailure(s, fmt, "Error: Expected +HH[MM] or -HH[MM]");
        offset = off.micros;
        hasOffset = true;
        pos = off.pos;
        break;
      }
      case "Z": {
        while (pos < len && isSpace(s[pos])) pos++;
        const m = /^[A-Za-z0-9/_+-]+/.exec(s.slice(pos));
        if (!m) return parseFailure(s, fmt, "Error: Empty Time Zone name");
        // A zone name other than UTC names the zone the wall time is in (unless %z gave an offset).
        if (m[0].toUpperCase() !== "UTC") zoneName = m[0];
        pos += m[0].length;
        break;
      }
      default:
        return new StrptimeFailure("not_implemented", `strptime %${t.spec} is not supported by the edge executor`);
    }
  }
  while (pos < len && isSpace(s[pos])) pos++;
  if (pos < len) return parseFailure(s, fmt, "Error: Full specifier did not match: trailing characters");
  if (ampm !== null) {
    if (hour > 12) return parseFailure(s, fmt, `Error: Invalid hour: ${hour} AM/PM, expected an hour within the range [0..12]`);
    if (ampm === "AM" && hour === 12) hour = 0;
    else if (ampm === "PM" && hour !== 12) hour += 12;
  }
  let days: number;
  if (dateBy === "G" || dateBy === "V") {
    const week1 = mondayOf(daysFromCivil(isoYear < 0 ? 1900 : isoYear, 1, 4));
    days = week1 + ((isoWeek < 0 ? 1 : isoWeek) - 1) * 7 + ((isoWeekday < 0 ? 1 : isoWeekday) - 1);
  } else if (dateBy === "U" || dateBy === "W") {
    if (hasWeekday) weekday = (weekday + 7 - (dateBy === "W" ? 1 : 0)) % 7;
    const jan1 = daysFromCivil(year, 1, 1);
    let start = mondayOf(jan1) - (dateBy === "U" ? 1 : 0);
    if (start >= jan1) start -= 7;
    days = start + weekno * 7 + weekday;
  } else if (dateBy === "j") {
    days = daysFromCivil(year, 1, 1) + yearday - 1;
  } else {
    if (day > daysInMonth(year, month)) {
      return new StrptimeFailure("conversion", `Date out of range: ${year}-${month}-${day}`);
    }
    days = daysFromCivil(year, month, day);
  }
  const seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  // Exact in a double while below 2^53 microseconds (years 1685 to 2255).
  const micro = Math.abs(seconds) < 9_000_000_000 ? BigInt(seconds * 1_000_000 + micros) : BigInt(seconds) * MICROS_PER_SECOND + BigInt(micros);
  if (zoneName !== null && !hasOffset) {
    // DuckDB looks the name up in ICU: an unknown one fails strptime (a Not implemented Error) and is NULL under try_strptime.
    try {
      return instantInZone(zoneName, micro);
    } catch {
      return new StrptimeFailure(trying ? "conversion" : "not_implemented", `Unknown TimeZone '${zoneName}'!`);
    }
  }
  return offset === 0n ? micro : micro - offset;
}

/** Whether a format has %Z (a zone name), which makes DuckDB's strptime ICU's. */
export function namesZone(fmt: string): boolean {
  for (let i = 0; i < fmt.length - 1; i++) {
    if (fmt[i] !== "%") continue;
    if (fmt[i + 1] === "Z") return true;
    i++;
  }
  return false;
}

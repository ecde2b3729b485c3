/**
 * DuckDB's text → DATE / TIME / TIMESTAMP parsing rules (the ones CAST uses):
 * optional leading spaces, a year of any length with an optional leading '-',
 * '-' '/' ' ' or '\' as the (repeated) date separator, 1–2 digit month and
 * day, an optional " (BC)", then for timestamps a ' ' or 'T', a time with
 * 1–9 digit hours (24:00:00 allowed), an optional fraction truncated to
 * microseconds, and 'Z', a ±HH[[:]MM[[:]SS]] offset or " ZONE".
 */
import {
  DATE_INFINITY, DATE_NINFINITY, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND,
  TS_INFINITY, TS_NINFINITY, daysFromCivil, daysInMonth, timestampInRange,
} from "./calendar.ts";

export function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

type DateParse =
  | { ok: true; days: number; pos: number; special: boolean }
  | { ok: false; range: boolean; zoneNotUtc?: boolean };

/** Parses 1 or 2 digits at pos. */
function twoDigits(s: string, pos: number): { value: number; pos: number } | null {
  if (!isDigit(s[pos])) return null;
  let value = s.charCodeAt(pos) - 48;
  pos++;
  if (isDigit(s[pos])) { value = value * 10 + s.charCodeAt(pos) - 48; pos++; }
  return { value, pos };
}

function matchWord(s: string, pos: number, word: string): boolean {
  return s.slice(pos, pos + word.length).toLowerCase() === word;
}

/**
 * Parses a date at the start of s. In strict mode only spaces may follow;
 * otherwise anything but a digit may follow and `pos` says where it ends.
 */
export function parseDatePrefix(s: string, strict: boolean): DateParse {
  let pos = 0;
  const len = s.length;
  if (len === 0) return { ok: false, range: false };
  while (isSpace(s[pos])) pos++;
  if (pos >= len) return { ok: false, range: false };
  let negative = false;
  if (s[pos] === "-") {
    negative = true;
    pos++;
    if (pos >= len) return { ok: false, range: false };
  }
  if (!isDigit(s[pos])) {
    let days: number;
    if (matchWord(s, pos, "infinity")) { days = negative ? DATE_NINFINITY : DATE_INFINITY; pos += 8; }
    else if (matchWord(s, pos, "epoch")) { days = 0; pos += 5; }
    // DuckDB also takes 'inf' (any case), but only as the whole rest of the text: no space may follow.
    else if (len - pos === 3 && matchWord(s, pos, "inf")) { days = negative ? DATE_NINFINITY : DATE_INFINITY; pos += 3; }
    else return { ok: false, range: false };
    while (pos < len && isSpace(s[pos])) pos++;
    if (pos !== len) return { ok: false, range: false };
    return { ok: true, days, pos, special: true };
  }
  let year = 0;
  for (; pos < len && isDigit(s[pos]); pos++) {
    if (year >= 100000000) return { ok: false, range: false };
    year = year * 10 + s.charCodeAt(pos) - 48;
  }
  if (negative) year = -year;
  if (pos >= len) return { ok: false, range: false };
  const sep = s[pos++];
  if (sep !== " " && sep !== "-" && sep !== "/" && sep !== "\\") return { ok: false, range: false };
  const m = twoDigits(s, pos);
  if (!m) return { ok: false, range: false };
  pos = m.pos;
  if (pos >= len || s[pos++] !== sep) return { ok: false, range: false };
  if (pos >= len) return { ok: false, range: false };
  const d = twoDigits(s, pos);
  if (!d) return { ok: false, range: false };
  pos = d.pos;
  if (len - pos >= 5 && isSpace(s[pos]) && s[pos + 1] === "(" && matchWord(s, pos + 2, "bc") && s[pos + 4] === ")") {
    if (negative || year === 0) return { ok: false, range: false };
    year = -year + 1;
    pos += 5;
  }
  if (strict) {
    while (pos < len && isSpace(s[pos])) pos++;
    if (pos < len) return { ok: false, range: false };
  } else if (pos < len && isDigit(s[pos])) {
    return { ok: false, range: false };
  }
  if (m.value < 1 || m.value > 12 || d.value < 1 || d.value > daysInMonth(year, m.value)) return { ok: false, range: true };
  if (year < -5877641 || year > 5881580) return { ok: false, range: true };
  const days = daysFromCivil(year, m.value, d.value);
  if (days <= DATE_NINFINITY || days >= DATE_INFINITY) return { ok: false, range: true };
  return { ok: true, days, pos, special: false };
}

/** Parses a time of day at the start of s; hours may exceed 23 (the caller bounds them). */
export function parseTimePrefix(s: string): { micros: bigint; pos: number; seconds: boolean } | null {
  let pos = 0;
  const len = s.length;
  while (isSpace(s[pos])) pos++;
  if (!isDigit(s[pos])) return null;
  let hour = 0;
  let digits = 0;
  for (; pos < len && isDigit(s[pos]); pos++) {
    if (++digits > 9) return null;
    hour = hour * 10 + s.charCodeAt(pos) - 48;
  }
  if (pos >= len || s[pos++] !== ":") return null;
  // A separator that ends the text ends the time there: DuckDB reads '10:' as 10:00 and
  // '10:05:' as 10:05 (while '10: ' or '10:05: ' is no time).
  if (pos >= len) return { micros: BigInt(hour) * MICROS_PER_HOUR, pos, seconds: false };
  const m = twoDigits(s, pos);
  if (!m || m.value >= 60) return null;
  pos = m.pos;
  let sec = 0;
  let micros = 0;
  let hadSeconds = false;
  if (pos < len && s[pos] === ":" && pos + 1 === len) pos++;
  else if (pos < len && s[pos] === ":") {
    hadSeconds = true;
    pos++;
    const sv = twoDigits(s, pos);
    if (!sv || sv.value >= 60) return null;
    sec = sv.value;
    pos = sv.pos;
    if (pos < len && s[pos] === ".") {
      pos++;
      let mult = 100000;
      for (; pos < len && isDigit(s[pos]); pos++) {
        micros += (s.charCodeAt(pos) - 48) * mult;
        mult = Math.floor(mult / 10);
      }
    }
  }
  const total = BigInt(hour) * MICROS_PER_HOUR + BigInt(m.value) * MICROS_PER_MINUTE + BigInt(sec) * MICROS_PER_SECOND + BigInt(micros);
  return { micros: total, pos, seconds: sec !== 0 || hadSeconds };
}

/** ±HH, ±HH:MM, ±HHMM, ±HH:MM:SS at pos; returns the offset in microseconds east of UTC. */
export function parseUtcOffset(s: string, pos: number): { micros: bigint; pos: number } | null {
  if (pos + 3 > s.length) return null;
  const sign = s[pos];
  if (sign !== "+" && sign !== "-") return null;
  let cur = pos + 1;
  if (!isDigit(s[cur]) || !isDigit(s[cur + 1])) return null;
  const hh = Number(s.slice(cur, cur + 2));
  cur += 2;
  let mm = 0, ss = 0;
  const part = (): number | null => {
    let at = cur;
    if (s[at] === ":") at++;
    if (at + 2 > s.length || !isDigit(s[at]) || !isDigit(s[at + 1])) { cur = at; return null; }
    cur = at + 2;
    return Number(s.slice(at, at + 2));
  };
  if (cur < s.length) {
    // Seconds follow only minutes written after a colon, and only after a colon of their own, which
    // is taken even with no digits after it: '+05:30:15' and '+05:30:' are offsets, '+053015' is
    // +05:30 and then '15', '+0530:15' is +05:30 and then ':15' (DuckDB's TryParseUTCOffset).
    const colon = s[cur] === ":";
    const m = part();
    if (m !== null) {
      mm = m;
      if (colon && s[cur] === ":") {
        cur++;
        if (isDigit(s[cur]) && isDigit(s[cur + 1])) {
          ss = Number(s.slice(cur, cur + 2));
          cur += 2;
        }
      }
    }
  }
  const abs = BigInt(hh) * MICROS_PER_HOUR + BigInt(mm) * MICROS_PER_MINUTE + BigInt(ss) * MICROS_PER_SECOND;
  return { micros: sign === "-" ? -abs : abs, pos: cur };
}

function isZoneChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9/_+\-]/.test(c);
}

export type TimestampParse =
  | { ok: true; micros: bigint; offset: bigint | null; zone: string | null }
  | { ok: false; range: boolean; zoneNotUtc?: boolean };

/** Parses a timestamp; `micros` is the wall-clock value before applying `offset`. */
export function parseTimestamp(s: string): TimestampParse {
  const date = parseDatePrefix(s, false);
  if (!date.ok) return date;
  let pos = date.pos;
  const len = s.length;
  if (pos === len) {
    if (date.days === DATE_INFINITY) return { ok: true, micros: TS_INFINITY, offset: null, zone: null };
    if (date.days === DATE_NINFINITY) return { ok: true, micros: TS_NINFINITY, offset: null, zone: null };
    const micros = BigInt(date.days) * MICROS_PER_DAY;
    if (!timestampInRange(micros)) return { ok: false, range: true };
    return { ok: true, micros, offset: null, zone: null };
  }
  if (s[pos] === " " || s[pos] === "T") pos++;
  const time = parseTimePrefix(s.slice(pos));
  if (!time) return { ok: false, range: false };
  if (time.micros > MICROS_PER_DAY) return { ok: false, range: true };
  pos += time.pos;
  // Without seconds (HH:MM) DuckDB accepts nothing after the time.
  if (!time.seconds && pos < len) return { ok: false, range: false };
  const micros = BigInt(date.days) * MICROS_PER_DAY + time.micros;
  if (!timestampInRange(micros)) return { ok: false, range: true };
  let offset: bigint | null = null;
  let zone: string | null = null;
  if (pos < len) {
    const off = s[pos] === "Z" ? null : parseUtcOffset(s, pos);
    if (s[pos] === "Z") { pos++; offset = 0n; }
    else if (off) { offset = off.micros; pos = off.pos; }
    else if (s[pos] === " " && isZoneChar(s[pos + 1])) {
      const start = ++pos;
      while (pos < len && isZoneChar(s[pos])) pos++;
      zone = s.slice(start, pos);
    } else if (isZoneChar(s[pos]) || (isSpace(s[pos]) && isZoneChar(s[pos + 1]))) {
      // DuckDB reads a zone name only after exactly one space. A name right after the time or
      // after a tab is no timestamp with a time zone, and a TIMESTAMP's cast calls it not UTC.
      return { ok: false, range: false, zoneNotUtc: true };
    }
    while (pos < len && isSpace(s[pos])) pos++;
    if (pos < len) return { ok: false, range: false };
  }
  return { ok: true, micros, offset, zone };
}

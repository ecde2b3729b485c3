/**
 * `x AT TIME ZONE 'zone'` (DuckDB's `timezone(zone, x)`), with the IANA
 * database the runtime's Intl carries (Node, workerd and browsers all ship
 * ICU's):
 *
 *   TIMESTAMPTZ → TIMESTAMP    the wall time in the zone at that instant
 *   TIMESTAMP / DATE → TIMESTAMPTZ   the instant that wall time names in the zone
 *
 * A wall time the zone skips (spring forward) is read with the offset before
 * the change; one it repeats (fall back) names the later instant — both as
 * DuckDB (ICU's "last" wall-time rule) answers. Zone names are IANA's, in any
 * case; an unknown one is DuckDB's "Unknown TimeZone" error. Offsets are
 * cached per quarter hour that holds no change of offset.
 */
import type { Value } from "../../plan/values.ts";
import { MICROS_PER_SECOND, TS_MAX, TS_MIN, dateOutsideTimestamps, floorDiv, formatDate, dateToMicros, isInfiniteTimestamp } from "./calendar.ts";
import { SqlError, type ScalarFn } from "./contract.ts";

const BUCKET_SECONDS = 900;

interface Zone {
  format: Intl.DateTimeFormat;
  /** Offset in seconds per quarter hour (UTC seconds / 900) with no change inside it. */
  buckets: Map<number, number>;
}

const zones = new Map<string, Zone>();

function zoneOf(name: string): Zone {
  let zone = zones.get(name);
  if (zone) return zone;
  // Offsets written as names ('+05:30') are not zones to DuckDB, though newer Intl takes them.
  if (!/^[A-Za-z]/.test(name)) throw unknownZone(name);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      // Zones of DuckDB's ICU that Intl does not name, both UTC: 'Factory' (in any case, it is in
      // ICU's list) and ICU's own 'Etc/Unknown' (spelled so only).
      timeZone: name.toLowerCase() === "factory" || name === "Etc/Unknown" ? "UTC" : name, hourCycle: "h23", era: "short", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
  } catch {
    throw unknownZone(name);
  }
  zone = { format, buckets: new Map() };
  zones.set(name, zone);
  return zone;
}

const unknownZone = (name: string) => new SqlError("not_implemented", `Unknown TimeZone '${name}'!`);

/**
 * 20,000 Gregorian years in seconds: the calendar repeats every 400 years, so a zone's offset at a
 * time past a JS Date's range (±100,000,000 days, about year 275760) is its offset 20,000 years
 * nearer: far ahead its last rule repeats every year, far back it keeps its local mean time. (DuckDB's
 * timestamps reach years 294247 and 290308 BC, and ICU answers there.)
 */
const CALENDAR_SHIFT = 146_097 * 50 * 86_400;
const DATE_LIMIT_SECONDS = 8.5e12;

/** The zone's offset from UTC, in seconds, at a whole UTC second. */
function offsetAtSecond(zone: Zone, at: number): number {
  const utc = at > DATE_LIMIT_SECONDS ? at - CALENDAR_SHIFT : at < -DATE_LIMIT_SECONDS ? at + CALENDAR_SHIFT : at;
  const parts = zone.format.formatToParts(new Date(utc * 1000));
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, bc = false;
  for (const p of parts) {
    switch (p.type) {
      case "year": year = Number(p.value); break;
      case "month": month = Number(p.value); break;
      case "day": day = Number(p.value); break;
      case "hour": hour = Number(p.value); break;
      case "minute": minute = Number(p.value); break;
      case "second": second = Number(p.value); break;
      case "era": bc = p.value === "BC" || p.value === "B"; break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return Math.round(wall.getTime() / 1000) - utc;
}

function offsetAt(zone: Zone, utc: number): number {
  const bucket = Math.floor(utc / BUCKET_SECONDS);
  const known = zone.buckets.get(bucket);
  if (known !== undefined) return known;
  const start = bucket * BUCKET_SECONDS;
  const a = offsetAtSecond(zone, start);
  const b = offsetAtSecond(zone, start + BUCKET_SECONDS - 1);
  if (a !== b) return offsetAtSecond(zone, utc);
  if (zone.buckets.size > 100_000) zone.buckets.clear();
  zone.buckets.set(bucket, a);
  return a;
}

/** Splits micros into whole seconds (floored) and the microseconds left. */
function split(micros: bigint): { seconds: number; rest: bigint } {
  const s = floorDiv(micros, MICROS_PER_SECOND);
  return { seconds: Number(s), rest: micros - s * MICROS_PER_SECOND };
}

/**
 * An instant as ICU's calendar holds it: whole milliseconds as a double, which past 2^53 ms (the
 * year 287396) rounds to an even count, and the microseconds left.
 */
function icuInstant(m: bigint): bigint {
  const ms = floorDiv(m, 1000n);
  return BigInt(Number(ms)) * 1000n + (m - ms * 1000n);
}

/** TIMESTAMPTZ → the wall time in the zone. */
function toWallTime(zone: Zone, instant: bigint): bigint {
  const { seconds, rest } = split(icuInstant(instant));
  return BigInt(seconds + offsetAt(zone, seconds)) * MICROS_PER_SECOND + rest;
}

/** A wall time in the zone → the instant it names (skipped: offset before the change; repeated: the later instant). */
function fromWallTime(zone: Zone, wall: bigint): bigint {
  const { seconds: local, rest } = split(wall);
  const before = offsetAt(zone, local - 86_400);
  const candidates = new Set([before, offsetAt(zone, local), offsetAt(zone, local + 86_400)]);
  let best: number | null = null;
  for (const offset of candidates) {
    const utc = local - offset;
    if (offsetAt(zone, utc) === offset && (best === null || utc > best)) best = utc;
  }
  return icuInstant(BigInt(best ?? local - before) * MICROS_PER_SECOND + rest);
}

/**
 * The conversion `x AT TIME ZONE zone` makes for a value of type `argType` (NULL passes; an infinity
 * stays itself, as DuckDB's). Near the ends of TIMESTAMP's range the answer can fall outside it,
 * DuckDB's Conversion Errors both ways; a DATE past the range fails as DuckDB's cast of it to
 * TIMESTAMP does.
 */
function converter(zone: Zone, argType: string): (x: Value) => Value {
  const wall = (m: bigint): bigint => {
    if (isInfiniteTimestamp(m)) return m;
    const r = fromWallTime(zone, m);
    if (r < TS_MIN || r > TS_MAX) throw new SqlError("conversion", "ICU date overflows timestamp range");
    return r;
  };
  if (argType === "TIMESTAMP WITH TIME ZONE" || argType === "TIMESTAMPTZ") {
    return (x) => {
      if (x === null || isInfiniteTimestamp(x as bigint)) return x;
      const r = toWallTime(zone, x as bigint);
      if (r < TS_MIN || r > TS_MAX) throw new SqlError("conversion", "Unable to convert TIMESTAMPTZ to local TIMESTAMP");
      return r;
    };
  }
  if (argType === "DATE") {
    return (x) => {
      if (x === null) return null;
      if (dateOutsideTimestamps(x as number)) throw new SqlError("conversion", `Type INT32 with value ${formatDate(x as number)} can't be cast to the destination type INT64`);
      return wall(dateToMicros(x as number));
    };
  }
  return (x) => (x === null ? null : wall(x as bigint));
}

/**
 * The instant a wall time names in a zone written after a timestamp's text
 * (`'2026-07-01 10:00:00 Europe/Berlin'::TIMESTAMPTZ`), as DuckDB's ICU cast
 * reads it; an unknown name is its Conversion Error `Unknown TimeZone 'x'!`
 * (NULL under TRY_CAST).
 */
export function instantInZone(name: string, wall: bigint): bigint {
  let zone: Zone;
  try {
    zone = zoneOf(name);
  } catch {
    throw new SqlError("conversion", `Unknown TimeZone '${name}'!`);
  }
  return isInfiniteTimestamp(wall) ? wall : fromWallTime(zone, wall);
}

/** The wall-time conversions of a named zone (DuckDB's Conversion Error for an unknown name). */
export function zoneWalls(name: string): ZoneWalls {
  let walls = wallsByName.get(name);
  if (walls) return walls;
  let zone: Zone;
  try {
    zone = zoneOf(name);
  } catch {
    throw new SqlError("conversion", `Unknown TimeZone '${name}'!`);
  }
  walls = { toWall: (instant) => toWallTime(zone, instant), fromWall: (wall) => fromWallTime(zone, wall) };
  wallsByName.set(name, walls);
  return walls;
}

interface ZoneWalls {
  toWall(instant: bigint): bigint;
  fromWall(wall: bigint): bigint;
}

/** Per zone name, built once (time_bucket asks for every row). */
const wallsByName = new Map<string, ZoneWalls>();

export const timezone: ScalarFn = (args, ctx) => {
  const name = args[0] ?? null;
  const x = args[1] ?? null;
  if (name === null || x === null) return null;
  return converter(zoneOf(name as string), ctx.argTypes[1]!)(x);
};
timezone.specialize = (constants, ctx) => {
  const name = constants[0]?.value;
  if (typeof name !== "string") return null;
  // A constant zone is looked up once; an unknown one still fails per row, as DuckDB fails the query.
  let zone: Zone;
  try {
    zone = zoneOf(name);
  } catch {
    return null;
  }
  const convert = converter(zone, ctx.argTypes[1]!);
  return (args) => convert(args[1] ?? null);
};

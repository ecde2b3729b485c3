/**
 * Where a zone's wall time meets real time, for windows keyed by a local
 * time (`date_trunc('hour', ts AT TIME ZONE 'Europe/Berlin')`). The clock
 * jumps forward in spring (02:00 → 03:00: no instant reads 02:30) and back in
 * autumn (03:00 → 02:00: two instants read 02:30), so a wall time is not one
 * instant. A window over wall times [start, end) holds every event whose
 * clock reads within it; it is complete once the clock can no longer read
 * before `end` (`endsAt`), and its first event cannot be earlier than the
 * first instant the clock reads `start` (`startsAt`).
 */
import { zoneWalls } from "./functions/timezone.ts";

export interface WallClock {
  /** The instant from which the zone's clock never again reads earlier than `wall` (after the second pass of a repeated hour; at the jump over a skipped one). */
  endsAt(wall: bigint): bigint;
  /** The first instant the zone's clock reads `wall` or later (the first pass of a repeated hour; the jump over a skipped one). */
  startsAt(wall: bigint): bigint;
}

const MICROS_PER_HOUR = 3_600_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;
/** Past ±(2^63 − 1) a timestamp is DuckDB's ±infinity, which no clock reads. */
const INFINITY = 2n ** 63n - 1n;

const clocks = new Map<string, WallClock>();

/** The wall clock of a named zone (DuckDB's `Unknown TimeZone` error for a name it does not know). */
export function wallClock(zone: string): WallClock {
  let clock = clocks.get(zone);
  if (clock) return clock;
  const { toWall, fromWall } = zoneWalls(zone);

  /** The instants whose wall time is `wall`, oldest first: one, two in a repeated hour, none in a skipped one. */
  const instantsAt = (wall: bigint): bigint[] => {
    // Offsets a day either side cover the change of offset a wall time can sit next to.
    const offsets = new Set([wall - MICROS_PER_DAY, wall, wall + MICROS_PER_DAY].map((t) => toWall(t) - t));
    const out: bigint[] = [];
    for (const offset of offsets) {
      const t = wall - offset;
      if (toWall(t) === wall && !out.includes(t)) out.push(t);
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  };

  /** The jump over a skipped wall time: the first instant whose clock reads past it. */
  const jumpOver = (wall: bigint): bigint => {
    let hi = fromWall(wall);
    if (toWall(hi) < wall) throw new Error(`exec: the clock of ${zone} never reads ${wall} µs of wall time`);
    let step = MICROS_PER_HOUR;
    let lo = hi - step;
    while (toWall(lo) >= wall) {
      if (step > 4n * MICROS_PER_DAY) throw new Error(`exec: no change of offset in ${zone} explains the wall time ${wall} µs`);
      step *= 2n;
      lo = hi - step;
    }
    // The clock reads before `wall` at lo and at or past it at hi, with one jump between.
    while (hi - lo > 1n) {
      const mid = lo + (hi - lo) / 2n;
      if (toWall(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  };

  clock = {
    endsAt(wall) {
      if (wall >= INFINITY || wall <= -INFINITY) return wall;
      const at = instantsAt(wall);
      // Newest first: the clock reads `wall` there coming from earlier times, not falling back onto it.
      for (let i = at.length - 1; i >= 0; i--) if (toWall(at[i]! - 1n) < wall) return at[i]!;
      return jumpOver(wall);
    },
    startsAt(wall) {
      if (wall >= INFINITY || wall <= -INFINITY) return wall;
      return instantsAt(wall)[0] ?? jumpOver(wall);
    },
  };
  clocks.set(zone, clock);
  return clock;
}

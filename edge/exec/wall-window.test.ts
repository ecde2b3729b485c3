/**
 * Windows keyed by a zone's wall time (`date_trunc('hour', ts AT TIME ZONE 'Europe/Berlin')`): the
 * key jumps when the clocks change, but lateness is real time and a window closes only when the
 * zone's clock can no longer read inside it. Times below are UTC; the comments give the wall time.
 */
import { describe, expect, test } from "vitest";
import type { AggregateOp, Expr } from "../plan/types.ts";
import { defaultLibrary } from "./library.ts";
import { decodeState, encodeState } from "./snapshot.ts";
import { wallClock } from "./wall-clock.ts";
import { WindowState } from "./window.ts";

const at = (iso: string): bigint => BigInt(Date.parse(`${iso}Z`)) * 1000n;
const MINUTE = 60_000_000n;
const TZ = "TIMESTAMP WITH TIME ZONE";

/**
 * GROUP BY <bucket of ts AT TIME ZONE zone> with count(*), over rows [ts TIMESTAMPTZ], as the compiler
 * plans it: `wall` names the zone and the instant. `part` is a date_trunc part, or a width in minutes
 * for time_bucket.
 */
function wallWindows(zone: string, part: "hour" | "day" | number, latenessMinutes: number): WindowState {
  const ts: Expr = { kind: "column", index: 0, type: TZ };
  const local: Expr = { kind: "function", name: "timezone", args: [{ kind: "constant", value: zone, type: "VARCHAR" }, ts], type: "TIMESTAMP" };
  const bucket: Expr = typeof part === "number"
    ? { kind: "function", name: "time_bucket", args: [{ kind: "constant", value: { months: 0, days: 0, micros: String(BigInt(part) * MINUTE) }, type: "INTERVAL" }, local], type: "TIMESTAMP" }
    : { kind: "function", name: "date_trunc", args: [{ kind: "constant", value: part, type: "VARCHAR" }, local], type: part === "day" ? "DATE" : "TIMESTAMP" };
  const width = part === "day" ? { months: 0, days: 1, micros: "0" } : { months: 0, days: 0, micros: String(BigInt(part === "hour" ? 60 : part) * MINUTE) };
  const op: AggregateOp = {
    op: "aggregate",
    origin: { cell: "w", file: "nb.md", line: 1 },
    schema: [{ name: "b", type: bucket.type }, { name: "n", type: "BIGINT" }],
    keys: [{ name: "b", expr: bucket }],
    aggregates: [{ name: "n", call: { fn: "count_star", args: [], distinct: false, filter: null, type: "BIGINT" } }],
    emit: "window",
    window: { key: 0, eventTime: local, width, latenessMicros: String(BigInt(latenessMinutes) * MINUTE), wall: { zone, eventTime: ts } },
  };
  return new WindowState(op, defaultLibrary);
}

/** Adds each event in turn, emitting whatever the watermark closes (as the executor does); returns rows and late reasons. */
function stream(w: WindowState, times: string[]): { rows: [string, bigint][]; late: string[] } {
  const rows: [string, bigint][] = [];
  const late: string[] = [];
  const show = (k: unknown): string => (typeof k === "number" ? new Date(k * 86_400_000).toISOString().slice(0, 10) : new Date(Number((k as bigint) / 1000n)).toISOString().slice(0, 16).replace("T", " "));
  const take = (out: unknown[][]) => out.forEach((r) => rows.push([show(r[0]), r[1] as bigint]));
  for (const t of times) {
    const reason = w.addRow([at(t)]);
    if (reason !== null) late.push(reason);
    if (w.due()) take(w.emitUpTo(w.watermark()!));
  }
  take(w.emitAll());
  return { rows, late };
}

describe("wallClock", () => {
  test("a wall time ends where the zone's clock last passes it: at the jump over a skipped hour, after the second pass of a repeated one", () => {
    const berlin = wallClock("Europe/Berlin");
    // Spring: 02:00 CET jumps to 03:00 CEST at 01:00 UTC; 02:00 and 02:30 are never read.
    expect(berlin.endsAt(at("2026-03-29T02:00:00"))).toBe(at("2026-03-29T01:00:00"));
    expect(berlin.endsAt(at("2026-03-29T02:30:00"))).toBe(at("2026-03-29T01:00:00"));
    expect(berlin.endsAt(at("2026-03-29T03:00:00"))).toBe(at("2026-03-29T01:00:00"));
    expect(berlin.startsAt(at("2026-03-29T02:30:00"))).toBe(at("2026-03-29T01:00:00"));
    // Autumn: 03:00 CEST falls back to 02:00 CET at 01:00 UTC; 02:30 is read at 00:30 and at 01:30.
    expect(berlin.startsAt(at("2026-10-25T02:30:00"))).toBe(at("2026-10-25T00:30:00"));
    expect(berlin.endsAt(at("2026-10-25T02:30:00"))).toBe(at("2026-10-25T01:30:00"));
    // 02:00 is read twice too, but after 00:00 UTC the clock never reads earlier than 02:00 again.
    expect(berlin.endsAt(at("2026-10-25T02:00:00"))).toBe(at("2026-10-25T00:00:00"));
    expect(berlin.endsAt(at("2026-10-25T03:00:00"))).toBe(at("2026-10-25T02:00:00"));
    expect(berlin.endsAt(at("2026-07-01T12:00:00"))).toBe(at("2026-07-01T10:00:00"));
  });

  test("half-hour offsets and a 30-minute change (Asia/Kolkata, Australia/Lord_Howe)", () => {
    expect(wallClock("Asia/Kolkata").endsAt(at("2026-03-08T03:00:00"))).toBe(at("2026-03-07T21:30:00"));
    const howe = wallClock("Australia/Lord_Howe");
    // 2026-10-04 02:00 +10:30 jumps to 02:30 +11 at 2026-10-03 15:30 UTC.
    expect(howe.endsAt(at("2026-10-04T02:00:00"))).toBe(at("2026-10-03T15:30:00"));
    expect(howe.endsAt(at("2026-10-04T03:00:00"))).toBe(at("2026-10-03T16:00:00"));
    // 2026-04-05 02:00 +11 falls back to 01:30 +10:30 at 2026-04-04 15:00 UTC: 01:30–02:00 is read twice.
    expect(howe.endsAt(at("2026-04-05T02:00:00"))).toBe(at("2026-04-04T15:30:00"));
    expect(howe.startsAt(at("2026-04-05T01:45:00"))).toBe(at("2026-04-04T14:45:00"));
  });
});

describe("WindowState over a zone's wall time", () => {
  test("an hourly window in Berlin keeps an event 3 s before the spring change that arrives after one 1 s past it", () => {
    const w = wallWindows("Europe/Berlin", "hour", 5);
    // 01:59:57 and 03:00:01 in Berlin are 4 real seconds apart.
    const { rows, late } = stream(w, ["2026-03-29T00:30:00", "2026-03-29T01:00:01", "2026-03-29T00:59:57", "2026-03-29T01:30:00", "2026-03-29T02:10:00"]);
    expect(late).toEqual([]);
    expect(rows).toEqual([["2026-03-29 01:00", 2n], ["2026-03-29 03:00", 2n], ["2026-03-29 04:00", 1n]]);
  });

  test("lateness is real time: an event 31 minutes behind is late, and its reason names its bucket and the real times of its window", () => {
    const w = wallWindows("Europe/Berlin", "hour", 5);
    const { rows, late } = stream(w, ["2026-03-29T00:30:00", "2026-03-29T01:30:00", "2026-03-29T00:59:00"]);
    expect(late).toEqual([
      "late event: for its bucket 2026-03-29 01:00:00 in Europe/Berlin, the window [2026-03-29 00:00:00+00, 2026-03-29 01:00:00+00) is closed: the watermark (newest event time minus lateness) has reached 2026-03-29 01:25:00+00",
    ]);
    expect(rows).toEqual([["2026-03-29 01:00", 1n], ["2026-03-29 03:00", 1n]]);
  });

  test("a 15-minute window in the hour New York repeats gets events from both passes, and is emitted once, after the second", () => {
    const w = wallWindows("America/New_York", 15, 5);
    // 2026-11-01: 01:00–02:00 EDT (05:00–06:00 UTC), then 01:00–02:00 EST again (06:00–07:00 UTC).
    const times: string[] = [];
    for (let m = 0; m < 180; m += 10) times.push(new Date(Date.parse("2026-11-01T04:30:00Z") + m * 60_000).toISOString().slice(0, 19));
    const { rows, late } = stream(w, times);
    expect(late).toEqual([]);
    // 01:00 has 05:00, 05:10, 06:00, 06:10 UTC; 01:15 has 05:20, 06:20; each key once.
    expect(rows.filter(([k]) => k.startsWith("2026-11-01 01:"))).toEqual([["2026-11-01 01:00", 4n], ["2026-11-01 01:15", 2n], ["2026-11-01 01:30", 4n], ["2026-11-01 01:45", 2n]]);
    expect(new Set(rows.map(([k]) => k)).size).toBe(rows.length);
  });

  test("a Berlin day is a window of 23 hours in spring and 25 in autumn, emitted when its local midnight passes", () => {
    for (const [day, lastHour, midnight] of [["2026-03-29", "2026-03-29T21:59:59", "2026-03-29T22:00:00"], ["2026-10-25", "2026-10-25T22:59:59", "2026-10-25T23:00:00"]] as const) {
      const w = wallWindows("Europe/Berlin", "day", 0);
      expect(w.addRow([at(`${day}T01:30:00`)])).toBeNull();
      expect(w.addRow([at(lastHour)])).toBeNull();
      // Nothing ends by the watermark yet: moving the mark emits no window.
      expect(w.emitUpTo(w.watermark()!)).toEqual([]);
      expect(w.addRow([at(midnight)])).toBeNull();
      expect(w.due()).toBe(true);
      const d = Date.parse(`${day}T00:00:00Z`) / 86_400_000;
      expect(w.emitUpTo(w.watermark()!)).toEqual([[d, 2n]]);
    }
  });

  test("a day in Santiago, whose clocks jump from midnight to 01:00, keeps an event 2 s before midnight that arrives after one 1 s past it", () => {
    const w = wallWindows("America/Santiago", "day", 5);
    // 2026-09-06 00:00 -04 is 01:00 -03 (04:00 UTC): 2026-09-05 23:59:58 and 2026-09-06 01:00:01 are 3 real seconds apart.
    const { rows, late } = stream(w, ["2026-09-05T12:00:00", "2026-09-06T04:00:01", "2026-09-06T03:59:58", "2026-09-06T12:00:00"]);
    expect(late).toEqual([]);
    expect(rows).toEqual([["2026-09-05", 2n], ["2026-09-06", 2n]]);
  });

  test("an hourly window in Lord Howe, whose clocks go forward 30 minutes, keeps an event just before the change", () => {
    const w = wallWindows("Australia/Lord_Howe", "hour", 2);
    // 2026-10-03 15:29:58 UTC is 01:59:58 +10:30; 15:30:01 is 02:30:01 +11.
    const { rows, late } = stream(w, ["2026-10-03T15:00:00", "2026-10-03T15:30:01", "2026-10-03T15:29:58", "2026-10-03T16:05:00"]);
    expect(late).toEqual([]);
    expect(rows).toEqual([["2026-10-04 01:00", 2n], ["2026-10-04 02:00", 1n], ["2026-10-04 03:00", 1n]]);
  });

  test("a snapshot keeps the watermark in real time, and one taken with it in wall time is moved to real time", () => {
    const w = wallWindows("Europe/Berlin", "hour", 5);
    w.addRow([at("2026-03-29T00:30:00")]);
    w.addRow([at("2026-03-29T01:10:00")]);
    w.emitUpTo(w.watermark()!);
    const text = JSON.stringify(encodeState(w.snapshot()));
    const saved = decodeState(JSON.parse(text)) as Record<string, unknown>;
    expect(saved.clock).toBe("instant");
    const again = wallWindows("Europe/Berlin", "hour", 5);
    again.restore(saved);
    expect(again.addRow([at("2026-03-29T00:59:59")])).toMatch(/^late event: for its bucket 2026-03-29 01:00:00/);
    expect(again.addRow([at("2026-03-29T01:07:00")])).toBeNull();
    expect(again.watermark()).toBe(at("2026-03-29T01:05:00"));

    // Before 2026-12-06 the same state held wall times: newest 03:10, windows up to 02:00 emitted.
    const old: Record<string, unknown> = { ...(decodeState(JSON.parse(text)) as Record<string, unknown>), maxEventTime: at("2026-03-29T03:10:00"), emittedUpTo: at("2026-03-29T03:05:00") };
    delete old.clock;
    const moved = wallWindows("Europe/Berlin", "hour", 5);
    moved.restore(old);
    expect(moved.watermark()).toBe(at("2026-03-29T01:05:00"));
    expect(moved.addRow([at("2026-03-29T00:59:59")])).toMatch(/^late event/);
    expect(moved.addRow([at("2026-03-29T01:20:00")])).toBeNull();
    expect(moved.emitAll()).toEqual([[at("2026-03-29T03:00:00"), 2n]]);
  });

  test("a wall-time bucket computed upstream is its own event time, taken at the first instant the clock reads it", () => {
    // The key and the event time are the bucket column itself (`hour` from a cleaning cell), a TIMESTAMP.
    const hour: Expr = { kind: "column", index: 0, type: "TIMESTAMP" };
    const op: AggregateOp = {
      op: "aggregate",
      origin: { cell: "w", file: "nb.md", line: 1 },
      schema: [{ name: "b", type: "TIMESTAMP" }, { name: "n", type: "BIGINT" }],
      keys: [{ name: "b", expr: hour }],
      aggregates: [{ name: "n", call: { fn: "count_star", args: [], distinct: false, filter: null, type: "BIGINT" } }],
      emit: "window",
      window: { key: 0, eventTime: hour, width: { months: 0, days: 0, micros: String(60n * MINUTE) }, latenessMicros: "0", wall: { zone: "Europe/Berlin", eventTime: hour } },
    };
    const w = new WindowState(op, defaultLibrary);
    // Autumn: the 02:00 bucket holds both passes; the 03:00 bucket's first reading (02:00 UTC) closes it.
    expect(w.addRow([at("2026-10-25T02:00:00")])).toBeNull();
    expect(w.watermark()).toBe(at("2026-10-25T00:00:00"));
    expect(w.addRow([at("2026-10-25T02:00:00")])).toBeNull();
    // Nothing ends by the watermark yet: moving the mark emits no window.
    expect(w.emitUpTo(w.watermark()!)).toEqual([]);
    expect(w.addRow([at("2026-10-25T03:00:00")])).toBeNull();
    expect(w.due()).toBe(true);
    expect(w.emitUpTo(w.watermark()!)).toEqual([[at("2026-10-25T02:00:00"), 2n]]);
  });
});

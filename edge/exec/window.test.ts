import { describe, expect, test } from "vitest";
import type { AggregateOp } from "../plan/types.ts";
import { defaultLibrary } from "./library.ts";
import { WindowState } from "./window.ts";

/** GROUP BY time_bucket(INTERVAL 1 minute, ts) with count(*), over rows [ts], with a lateness. */
function dayWindows(): WindowState {
  // DuckDB 1.4 types date_trunc('day', <TIMESTAMP>) as a DATE: the key holds days, the event time microseconds.
  const ts = { kind: "column" as const, index: 0, type: "TIMESTAMP" };
  const day = { kind: "function" as const, name: "date_trunc", args: [{ kind: "constant" as const, value: "day", type: "VARCHAR" }, ts], type: "DATE" };
  const op: AggregateOp = {
    op: "aggregate",
    origin: { cell: "w", file: "nb.md", line: 1 },
    schema: [{ name: "d", type: "DATE" }, { name: "n", type: "BIGINT" }],
    keys: [{ name: "d", expr: day }],
    aggregates: [{ name: "n", call: { fn: "count_star", args: [], distinct: false, filter: null, type: "BIGINT" } }],
    emit: "window",
    window: { key: 0, eventTime: ts, width: { months: 0, days: 1, micros: "0" }, latenessMicros: "0" },
  };
  return new WindowState(op, defaultLibrary);
}

function minuteWindows(tsType: string, latenessMicros: string): WindowState {
  const ts = { kind: "column" as const, index: 0, type: tsType };
  const bucket = { kind: "function" as const, name: "time_bucket", args: [{ kind: "constant" as const, value: { months: 0, days: 0, micros: "60000000" } as never, type: "INTERVAL" }, ts], type: tsType };
  const op: AggregateOp = {
    op: "aggregate",
    origin: { cell: "w", file: "nb.md", line: 1 },
    schema: [{ name: "m", type: tsType }, { name: "n", type: "BIGINT" }],
    keys: [{ name: "m", expr: bucket }],
    aggregates: [{ name: "n", call: { fn: "count_star", args: [], distinct: false, filter: null, type: "BIGINT" } }],
    emit: "window",
    window: { key: 0, eventTime: ts, width: { months: 0, days: 0, micros: "60000000" }, latenessMicros },
  };
  return new WindowState(op, defaultLibrary);
}

/** GROUP BY time_bucket(<width>, ts, '<zone>') with count(*), over rows [ts] of TIMESTAMPTZ. */
function zonedWindows(width: { months: number; days: number; micros: string }, zone: string): WindowState {
  const ts = { kind: "column" as const, index: 0, type: "TIMESTAMP WITH TIME ZONE" };
  const bucket = {
    kind: "function" as const,
    name: "time_bucket",
    args: [{ kind: "constant" as const, value: width as never, type: "INTERVAL" }, ts, { kind: "constant" as const, value: zone, type: "VARCHAR" }],
    type: "TIMESTAMP WITH TIME ZONE",
  };
  const op: AggregateOp = {
    op: "aggregate",
    origin: { cell: "w", file: "nb.md", line: 1 },
    schema: [{ name: "d", type: "TIMESTAMP WITH TIME ZONE" }, { name: "n", type: "BIGINT" }],
    keys: [{ name: "d", expr: bucket }],
    aggregates: [{ name: "n", call: { fn: "count_star", args: [], distinct: false, filter: null, type: "BIGINT" } }],
    emit: "window",
    window: { key: 0, eventTime: ts, width, latenessMicros: "0", zone },
  };
  return new WindowState(op, defaultLibrary);
}

const at = (iso: string): bigint => BigInt(Date.parse(`${iso}Z`)) * 1000n;

describe("WindowState", () => {
  test("a late event's reason names its window and the watermark as times, in the bucket's type", () => {
    for (const [type, suffix] of [["TIMESTAMP", ""], ["TIMESTAMP WITH TIME ZONE", "+00"]] as const) {
      const w = minuteWindows(type, "30000000");
      expect(w.addRow([at("2026-03-01T10:00:10")])).toBeNull();
      expect(w.addRow([at("2026-03-01T10:01:40")])).toBeNull();
      expect(w.due()).toBe(true);
      expect(w.emitUpTo(w.watermark()!)).toEqual([[at("2026-03-01T10:00:00"), 1n]]);
      // 10:00:59 is 41 s behind the newest event: beyond the 30 s lateness, and its window was written.
      expect(w.addRow([at("2026-03-01T10:00:59")])).toBe(
        `late event: its window [2026-03-01 10:00:00${suffix}, 2026-03-01 10:01:00${suffix}) is closed: the watermark (newest event time minus lateness) has reached 2026-03-01 10:01:10${suffix}`,
      );
      // 10:01:10 is 30 s behind: within the lateness, counted in the open window.
      expect(w.addRow([at("2026-03-01T10:01:10")])).toBeNull();
      expect(w.emitAll()).toEqual([[at("2026-03-01T10:01:00"), 2n]]);
    }
  });

  test("a DATE-typed bucket (date_trunc('day', TIMESTAMP) in DuckDB 1.4) is a window: its day closes at the next midnight, once", () => {
    const w = dayWindows();
    const day = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
    expect(w.addRow([at("2026-03-01T10:00:00")])).toBeNull();
    expect(w.addRow([at("2026-03-01T23:59:59")])).toBeNull();
    // Nothing ends by the watermark yet: moving the mark emits no window.
    expect(w.emitUpTo(w.watermark()!)).toEqual([]);
    expect(w.addRow([at("2026-03-02T00:00:00")])).toBeNull();
    expect(w.due()).toBe(true);
    expect(w.emitUpTo(w.watermark()!)).toEqual([[day("2026-03-01"), 2n]]);
    expect(w.addRow([at("2026-03-01T12:00:00")])).toMatch(/^late event: its window \[2026-03-01 00:00:00, 2026-03-02 00:00:00\)/);
    expect(w.addRow([null])).toBeNull();
    expect(w.emitAll()).toEqual([[day("2026-03-02"), 1n], [null, 1n]]);
  });

  test("a day in a time zone is a window from local midnight to local midnight: 23 hours when the clocks go forward, 25 when they go back", () => {
    const day = { months: 0, days: 1, micros: "0" };
    const spring = zonedWindows(day, "Europe/Berlin");
    // 2026-03-29 in Berlin runs from 2026-03-28 23:00 UTC to 2026-03-29 22:00 UTC.
    expect(spring.addRow([at("2026-03-28T23:00:00")])).toBeNull();
    expect(spring.addRow([at("2026-03-29T21:59:59")])).toBeNull();
    // Nothing ends by the watermark yet: moving the mark emits no window.
    expect(spring.emitUpTo(spring.watermark()!)).toEqual([]);
    expect(spring.addRow([at("2026-03-29T22:00:00")])).toBeNull();
    expect(spring.due()).toBe(true);
    expect(spring.emitUpTo(spring.watermark()!)).toEqual([[at("2026-03-28T23:00:00"), 2n]]);
    expect(spring.addRow([at("2026-03-29T12:00:00")])).toMatch(/^late event: its window \[2026-03-28 23:00:00\+00, 2026-03-29 22:00:00\+00\)/);

    // 2026-10-25 in Berlin runs from 2026-10-24 22:00 UTC to 2026-10-25 23:00 UTC.
    const autumn = zonedWindows(day, "Europe/Berlin");
    expect(autumn.addRow([at("2026-10-24T22:00:00")])).toBeNull();
    expect(autumn.addRow([at("2026-10-25T22:59:59")])).toBeNull();
    // Nothing ends by the watermark yet: moving the mark emits no window.
    expect(autumn.emitUpTo(autumn.watermark()!)).toEqual([]);
    expect(autumn.addRow([at("2026-10-25T23:00:00")])).toBeNull();
    expect(autumn.emitUpTo(autumn.watermark()!)).toEqual([[at("2026-10-24T22:00:00"), 2n]]);
    expect(autumn.emitAll()).toEqual([[at("2026-10-25T23:00:00"), 1n]]);
  });

  test("an hour in a time zone whose clocks go back: each of the two 02:00 hours is its own window, emitted once the watermark passes it", () => {
    const w = zonedWindows({ months: 0, days: 0, micros: "3600000000" }, "Europe/Berlin");
    // 00:30 and 01:30 UTC on 2026-10-25 are 02:30 summer time and 02:30 winter time in Berlin.
    expect(w.addRow([at("2026-10-25T00:30:00")])).toBeNull();
    expect(w.addRow([at("2026-10-25T01:30:00")])).toBeNull();
    expect(w.addRow([at("2026-10-25T03:00:00")])).toBeNull();
    const emitted = w.emitUpTo(w.watermark()!);
    expect(emitted).toEqual([[at("2026-10-25T00:00:00"), 1n], [at("2026-10-25T01:00:00"), 1n]]);
    expect(w.addRow([at("2026-10-25T01:59:59")])).toMatch(/^late event: its window \[2026-10-25 01:00:00\+00, 2026-10-25 02:00:00\+00\)/);
  });
});

describe("many groups", () => {
  // A flush or window of more groups than a call's arguments can hold: each group's row was spread into the
  // output as an argument, and ~120,000 of them overflowed the call stack at every retry of the flush.
  test("a per-flush GROUP BY of 300,000 keys emits a row for each", () => {
    const op: AggregateOp = {
      op: "aggregate",
      origin: { cell: "g", file: "nb.md", line: 1 },
      schema: [{ name: "k", type: "BIGINT" }, { name: "n", type: "BIGINT" }],
      keys: [{ name: "k", expr: { kind: "column", index: 0, type: "BIGINT" } }],
      aggregates: [{ name: "n", call: { fn: "count_star", args: [], distinct: false, filter: null, type: "BIGINT" } }],
      emit: "per-flush",
      window: null,
    };
    const state = new WindowState(op, defaultLibrary);
    for (let i = 0; i < 300_000; i++) state.addRow([BigInt(i % 150_000) * 7n]);
    const rows = state.emitAll();
    expect(rows).toHaveLength(150_000);
    expect(rows[0]).toEqual([0n, 2n]);
    expect(rows.at(-1)).toEqual([149_999n * 7n, 2n]);
  });
});

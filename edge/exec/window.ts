/**
 * GROUP BY state. With a window, groups live in tumbling windows keyed by
 * the time-bucket key; the watermark is the largest event time seen minus
 * the allowed lateness, and a window is emitted once the watermark reaches
 * its end. A key over a zone's wall time (`window.wall`) keeps its windows
 * by that key while the watermark and each window's end are instants, so a
 * clock change (an hour skipped or repeated) makes nothing look late or
 * closes nothing early. An event time more than the sink's `max_ahead` ahead
 * of the pipeline's clock (`clock`, set by the caller) enters no window and
 * moves no watermark: it is refused with its reason, as a late event is.
 * Without a window, all groups are emitted together (per flush).
 */
import type { AggregateOp } from "../plan/types.ts";
import type { Value } from "../plan/values.ts";
import type { AggregateFn, CallContext, FunctionLibrary } from "./functions/contract.ts";
import { compileExpr, type Eval, type Memo } from "./expr.ts";
import { civilFromDays, daysFromCivil, formatTimestamp, formatTimestampTz } from "./functions/calendar.ts";
import { zoneWalls } from "./functions/timezone.ts";
import { wallClock } from "./wall-clock.ts";

interface Group {
  keys: Value[];
  states: unknown[];
  seen: (Set<string> | null)[];
}

interface Window {
  start: bigint | null;
  end: bigint | null;
  /** Groups in first-seen order (the order they are emitted in). */
  groups: Group[];
  /** The same groups found by their key values, one Map level per key (see `lookup`). */
  index: Map<unknown, unknown>;
}

interface BuiltAggregate {
  fn: AggregateFn;
  ctx: CallContext;
  args: Eval[];
  argTypes: string[];
  distinct: boolean;
  filter: Eval | null;
  /** Reused for every row: an aggregate's step reads its arguments and keeps none of them. */
  argBuffer: Value[];
}

export class WindowState {
  private readonly keys: Eval[];
  private readonly keyTypes: string[];
  /** Reused for every row: a group copies its keys when it is created. */
  private readonly keyBuffer: Value[];
  /** Without DISTINCT aggregates every group shares one `seen` of NULLs (nothing writes to it). */
  private readonly anyDistinct: boolean;
  private readonly noSeen: null[];
  private readonly aggs: BuiltAggregate[];
  /**
   * Every aggregate's inputs read from a row, then every aggregate's step over them, when none has a
   * FILTER or DISTINCT (see `unrolledSteps`); else null. Reading all first keeps a row that fails
   * (a cast in an argument) out of every aggregate, not only those after the one that failed.
   */
  private readonly readAll: ((row: Value[]) => void) | null;
  private readonly stepAll: ((states: unknown[]) => void) | null;
  /** Reused for every row: whether each aggregate's FILTER passed (the general path). */
  private readonly passBuffer: boolean[];
  /** The event time as an instant (microseconds), from the row; null without a window. */
  private readonly eventTime: ((row: Value[]) => bigint | null) | null;
  /**
   * How far before the emitted watermark a window's start may lie and the window still be open:
   * none when starts are instants; a day when they are wall times, which run up to 14 hours
   * ahead of (or 12 behind) real time.
   */
  private readonly startSlack: bigint;
  /** The position of the time-bucket key among the keys (-1 without a window). */
  private readonly windowKey: number;
  private readonly lateness: bigint;
  /** How far ahead of `clock` an event time may be and still enter a window (`window.maxAheadMicros`); null: no limit. */
  private readonly maxAhead: bigint | null;
  private now: bigint | null = null;
  /** `now + maxAhead`: an event time after it is refused (`aheadReason`); null without a clock or a limit. */
  private aheadAfter: bigint | null = null;
  /** The end of the window starting at a time (`windowEnd`). */
  private readonly endOf: (start: bigint) => bigint;
  /** Keyed by window start (bigint values compare by value in a Map); null for a NULL bucket or no window. */
  private readonly windows = new Map<bigint | null, Window>();
  private maxEventTime: bigint | null = null;
  /** `maxEventTime - lateness` (the watermark), kept as the newest time moves: asked after every event. */
  private wm: bigint | null = null;
  /** The earliest end of an open window: the watermark reaching it closes one. */
  private dueEnd: bigint | null = null;
  /** The window the last row went to; null after windows were emitted or restored. */
  private lastWindow: Window | null = null;
  /** Windows ending at or before this were emitted; a row for them is late. */
  private emittedUpTo: bigint | null = null;
  /** `emittedUpTo` + `startSlack`: a window starting at or after it cannot have been emitted. */
  private lateBefore: bigint | null = null;
  /** Late reasons by window start, valid while `emittedUpTo` is `lateFor` (late rows come in runs). */
  private readonly lateReasons = new Map<bigint, string | null>();
  private lateFor: bigint | null = null;
  /**
   * The text of an ahead event's reason after its time, for the clock it names (`aheadReason`), and the
   * last reason made: a producer with a broken clock sends every event ahead, many at one time.
   */
  private aheadTail: { clock: bigint; text: string } | null = null;
  private lastAhead: { t: bigint; clock: bigint; reason: string } | null = null;
  /** Whether the bucket is a TIMESTAMPTZ (`timeText`), told once. */
  private zonedBucket: boolean | null = null;

  /**
   * Where a group whose aggregate fails as it finishes goes (e.g. stddev over an infinity): with
   * a handler, the group is handed over and left out of the rows; without one, the error is thrown.
   */
  onGroupError: ((keys: Value[], error: unknown) => void) | null = null;

  constructor(private readonly op: AggregateOp, private readonly lib: FunctionLibrary, memo?: Memo) {
    this.keys = op.keys.map((k) => compileExpr(k.expr, lib, memo));
    this.keyTypes = op.keys.map((k) => k.expr.type);
    this.keyBuffer = new Array<Value>(op.keys.length).fill(null);
    this.anyDistinct = op.aggregates.some((a) => a.call.distinct);
    this.noSeen = op.aggregates.map(() => null);
    this.aggs = op.aggregates.map(({ call }) => {
      const fn = lib.aggregates[call.fn];
      if (!fn) throw new Error(`exec: the function library has no aggregate ${call.fn}() (cell ${op.origin.cell})`);
      const argTypes = call.args.map((a) => a.type);
      return {
        fn,
        ctx: { argTypes, resultType: call.type },
        args: call.args.map((a) => compileExpr(a, lib, memo)),
        argTypes,
        distinct: call.distinct,
        filter: call.filter ? compileExpr(call.filter, lib, memo, true) : null,
        argBuffer: new Array<Value>(call.args.length).fill(null),
      };
    });
    const unrolled = this.aggs.every((a) => a.filter === null && !a.distinct) ? unrolledSteps(this.aggs.map(rowStep)) : null;
    this.readAll = unrolled?.read ?? null;
    this.stepAll = unrolled?.step ?? null;
    this.passBuffer = this.aggs.map(() => false);
    this.eventTime = op.window ? eventInstant(op.window, lib, memo) : null;
    this.startSlack = op.window?.wall ? MICROS_PER_DAY : 0n;
    this.lateness = op.window ? BigInt(op.window.latenessMicros) : 0n;
    this.maxAhead = op.window ? maxAheadOf(op.window) : null;
    this.endOf = op.window ? windowEnd(op.window) : () => 0n;
    this.windowKey = op.window ? op.window.key : -1;
  }

  /**
   * The pipeline's clock (microseconds since the epoch) for the events being added, set by the
   * caller (the Worker's, the runner's, the run's `now`); null: not known, no event is refused as ahead.
   */
  set clock(now: bigint | null) {
    this.now = now;
    this.aheadAfter = now === null || this.maxAhead === null ? null : now + this.maxAhead;
    // A watermark moved past max_ahead before the limit existed (a checkpoint or a Durable Object's rows from an
    // older version, or a sink that had max_ahead off) would keep every later event late for good: it starts
    // again from the clock, as one moved to +infinity does (`restore`). Windows that ended by the clock stay
    // emitted (no window is written twice); the far-future event's own window stays open.
    if (this.aheadAfter !== null && this.maxEventTime !== null && this.maxEventTime > this.aheadAfter) {
      const floor = now! - this.lateness;
      this.maxEventTime = null;
      this.wm = null;
      if (this.emittedUpTo !== null && this.emittedUpTo > floor) {
        this.emittedUpTo = floor;
        this.lateBefore = floor + this.startSlack;
        this.lateReasons.clear();
        this.lateFor = null;
      }
      this.recomputeDue();
    }
  }

  /** Windows ending at or before this were emitted (null: none yet); the Durable Object keeps it in its storage. */
  get emittedBoundary(): bigint | null {
    return this.emittedUpTo;
  }

  get clock(): bigint | null {
    return this.now;
  }

  /** Whether any of the rows belongs to a window already emitted, or is too far ahead of the clock (`aheadReason`). */
  anyLate(rows: Value[][]): boolean {
    const w = this.op.window;
    if (!w) return false;
    if (this.aheadAfter !== null) {
      for (const row of rows) if (this.aheadReason(this.eventTime!(row)) !== null) return true;
    }
    if (this.emittedUpTo === null) return false;
    const bucket = this.keys[w.key]!;
    for (const row of rows) {
      const s = windowStart(bucket(row));
      if (s !== null && this.endOf(s) <= this.emittedUpTo) return true;
    }
    return false;
  }

  /** Adds rows, skipping late ones (for an emitted window) and ones too far ahead of the clock; returns why each skipped row was. */
  add(rows: Value[][]): { index: number; reason: string }[] {
    const late: { index: number; reason: string }[] = [];
    for (let r = 0; r < rows.length; r++) {
      const reason = this.addRow(rows[r]!);
      if (reason !== null) late.push({ index: r, reason });
    }
    return late;
  }

  /**
   * Evaluates everything a row's aggregation reads (its keys, event time, FILTERs and arguments)
   * without changing any state, and throws what that throws: an event whose rows come from an
   * unnest is checked whole before any of its rows is added, so a failing row leaves no trace.
   */
  checkRow(row: Value[]): void {
    for (let i = 0; i < this.keys.length; i++) this.keys[i]!(row);
    if (this.eventTime) this.eventTime(row);
    for (const a of this.aggs) {
      if (a.filter && a.filter(row) !== true) continue;
      for (let j = 0; j < a.args.length; j++) a.args[j]!(row);
    }
  }

  /**
   * Adds one row; returns why it is skipped — late (its window was emitted) or too far ahead of the clock — or null.
   * Everything the row is read for is read before any state changes: a row that fails (a dead letter) counts
   * in no aggregate, makes no group and moves no watermark.
   */
  addRow(row: Value[]): string | null {
    const w = this.op.window;
    const keys = this.keyBuffer;
    for (let i = 0; i < keys.length; i++) keys[i] = this.keys[i]!(row);
    let start: bigint | null = null;
    let t: bigint | null = null;
    if (w) {
      start = windowStart(keys[w.key]!);
      // A window starting after the emitted watermark cannot have been emitted; only older ones need their end.
      if (start !== null && this.lateBefore !== null && start < this.lateBefore) {
        const late = this.lateReason(start, this.emittedUpTo!);
        if (late !== null) return late;
      }
      t = this.eventTime!(row);
      if (this.aheadAfter !== null && t !== null && t > this.aheadAfter) {
        const ahead = this.aheadReason(t);
        if (ahead !== null) return ahead;
      }
    }
    if (this.readAll !== null) this.readAll(row);
    else {
      for (let i = 0; i < this.aggs.length; i++) {
        const a = this.aggs[i]!;
        const pass = a.filter === null || a.filter(row) === true;
        this.passBuffer[i] = pass;
        if (!pass) continue;
        const args = a.argBuffer;
        for (let j = 0; j < a.args.length; j++) args[j] = a.args[j]!(row);
      }
    }
    // An infinite event time is no time on a clock: it would move the watermark past every window for good.
    if (t !== null && t < TIMESTAMP_INFINITY && t > TIMESTAMP_NEG_INFINITY && (this.maxEventTime === null || t > this.maxEventTime)) {
      this.maxEventTime = t;
      this.wm = t - this.lateness;
    }
    // Rows come mostly in time order: the window of the previous row is the likeliest one.
    let win = this.lastWindow !== null && this.lastWindow.start === start ? this.lastWindow : this.windows.get(start);
    if (!win) {
      win = { start, end: start === null || !w ? null : this.endOf(start), groups: [], index: new Map() };
      this.windows.set(start, win);
      if (win.end !== null) {
        if (this.dueEnd === null || win.end < this.dueEnd) this.dueEnd = win.end;
      }
    }
    this.lastWindow = win;
    const g = this.lookup(win, keys);
    if (this.stepAll !== null) {
      this.stepAll(g.states);
      return null;
    }
    for (let i = 0; i < this.aggs.length; i++) {
      if (!this.passBuffer[i]) continue;
      const a = this.aggs[i]!;
      const args = a.argBuffer;
      const seen = g.seen[i];
      if (seen) {
        let k = "";
        for (let j = 0; j < args.length; j++) k += this.keyOf(args[j]!, a.argTypes[j]!);
        if (seen.has(k)) continue;
        seen.add(k);
      }
      g.states[i] = a.fn.step(g.states[i], args, a.ctx);
    }
    return null;
  }

  /** Why a row of the window starting at `start` is late, or null when that window is still open; one text per window. */
  private lateReason(start: bigint, emittedUpTo: bigint): string | null {
    // The mark moves after nearly every event: an open window is told by its end, before the texts' memory.
    if (this.endOf(start) > emittedUpTo) return null;
    if (this.lateFor !== emittedUpTo) {
      this.lateReasons.clear();
      this.lateFor = emittedUpTo;
    }
    let reason = this.lateReasons.get(start);
    if (reason === undefined) {
      const end = this.endOf(start);
      const wall = this.op.window!.wall;
      // A wall-time window is named by its key and by the real times it spans, which the watermark is compared with.
      reason = end > emittedUpTo ? null : wall
        ? `late event: for its bucket ${this.timeText(start)} in ${wall.zone}, the window [${formatTimestampTz(wallClock(wall.zone).startsAt(start))}, ${formatTimestampTz(end)}) is closed: the watermark (newest event time minus lateness) has reached ${formatTimestampTz(emittedUpTo)}`
        : `late event: its window [${this.timeText(start)}, ${this.timeText(end)}) is closed: the watermark (newest event time minus lateness) has reached ${this.timeText(emittedUpTo)}`;
      this.lateReasons.set(start, reason);
    }
    return reason;
  }

  /**
   * Why an event time (an instant) is refused, or null: more than `maxAhead` ahead of the clock it would
   * move the watermark there (a device with a broken clock writing 9999-12-31), and every later event of
   * the sink would be late. An infinite time moves no watermark (see `windowStart`) and is not refused.
   */
  private aheadReason(t: bigint | null): string | null {
    const clock = this.now;
    const max = this.maxAhead;
    if (t === null || clock === null || max === null || this.aheadAfter === null || t <= this.aheadAfter || t >= TIMESTAMP_INFINITY) return null;
    const last = this.lastAhead;
    if (last !== null && last.t === t && last.clock === clock) return last.reason;
    if (this.aheadTail === null || this.aheadTail.clock !== clock) {
      this.aheadTail = { clock, text: ` is more than ${showDuration(max)} ahead of the pipeline's clock (${formatTimestamp(clock)} UTC; max_ahead ${showDuration(max)}); taken into the window it would make every later event late: fix the producer's clock, filter such times out in the cell, or raise the sink's max_ahead` };
    }
    const shown = this.op.window!.wall ? formatTimestampTz(t) : this.timeText(t);
    const reason = `event time ${shown}${this.aheadTail.text}`;
    this.lastAhead = { t, clock, reason };
    return reason;
  }

  /** A window bound or watermark as the bucket's type prints it (`2026-03-01 10:05:00`, `…+00` for TIMESTAMPTZ). */
  private timeText(micros: bigint): string {
    this.zonedBucket ??= /WITH TIME ZONE|TIMESTAMPTZ/.test(this.keyTypes[this.windowKey] ?? "");
    return this.zonedBucket ? formatTimestampTz(micros) : formatTimestamp(micros);
  }

  /**
   * The group of `keys` in `win`, created when new. Keys held as primitives
   * index a Map directly: its SameValueZero equality is GROUP BY's (NaN = NaN,
   * -0 = 0, bigint by value, NULL its own key); other values go by `keyOf`.
   */
  private lookup(win: Window, keys: Value[]): Group {
    let level: Map<unknown, unknown> = win.index;
    const last = keys.length - 1;
    // In a window keyed by its start, every row's bucket is that start: the level would hold one entry.
    const skip = win.start !== null ? this.windowKey : -1;
    for (let i = 0; i < last; i++) {
      if (i === skip) continue;
      const k = this.indexKey(keys[i]!, i);
      let next = level.get(k) as Map<unknown, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(k, next);
      }
      level = next;
    }
    const k = last >= 0 && last !== skip ? this.indexKey(keys[last]!, last) : null;
    let g = level.get(k) as Group | undefined;
    if (!g) {
      g = { keys: keys.slice(), states: this.initStates(), seen: this.anyDistinct ? this.aggs.map((a) => (a.distinct ? new Set<string>() : null)) : this.noSeen };
      level.set(k, g);
      win.groups.push(g);
    }
    return g;
  }

  /** A new group's states, one per aggregate. */
  private initStates(): unknown[] {
    const aggs = this.aggs;
    const states = new Array<unknown>(aggs.length);
    for (let i = 0; i < aggs.length; i++) states[i] = aggs[i]!.fn.init(aggs[i]!.ctx);
    return states;
  }

  private indexKey(v: Value, i: number): unknown {
    return v === null || typeof v !== "object" ? v : this.keyOf(v, this.keyTypes[i]!);
  }

  private groupKey(keys: Value[]): string {
    let gkey = "";
    for (let i = 0; i < keys.length; i++) gkey += this.keyOf(keys[i]!, this.keyTypes[i]!);
    return gkey;
  }

  /**
   * A self-delimiting key: values equal as GROUP BY keys (NaN = NaN, -0 = 0)
   * get equal keys. Strings, numbers and bigints are keyed here directly;
   * everything else by the library's `valueKey`.
   */
  private keyOf(v: Value, type: string): string {
    if (v === null) return "n;";
    switch (typeof v) {
      case "string":
        return `s${v.length}:${v}`;
      case "number":
        return `d${v === 0 ? 0 : v};`;
      case "bigint":
        return `b${v};`;
      case "boolean":
        return v ? "T;" : "F;";
    }
    const k = this.lib.valueKey(v, type);
    return `o${k.length}:${k}`;
  }

  /**
   * The whole state as plain data (see snapshot.ts), for a runner to store beside its output.
   * `clock: "instant"` marks a wall-time window's watermark as real time (see `restore`).
   */
  snapshot(): unknown {
    return {
      windows: [...this.windows].map(([key, w]) => [key, w.start, w.end, w.groups.map((g) => [this.groupKey(g.keys), g.keys, g.states, g.seen])]),
      maxEventTime: this.maxEventTime,
      emittedUpTo: this.emittedUpTo,
      ...(this.op.window?.wall ? { clock: "instant" } : {}),
    };
  }

  /**
   * Replaces the state with one `snapshot()` returned (after a decode). A wall-time window's
   * snapshot without `clock` was taken before 2026-12-06, with the watermark in wall time: its
   * times are moved to real time, never later than they were (nothing emitted early) and its
   * window ends recomputed.
   */
  restore(data: unknown): void {
    const s = data as { windows: [bigint | null, bigint | null, bigint | null, [string, Value[], unknown[], (Set<string> | null)[]][]][]; maxEventTime: bigint | null; emittedUpTo: bigint | null; clock?: string };
    const wall = this.op.window?.wall;
    const fromWall = wall !== undefined && s.clock !== "instant" ? wallClock(wall.zone) : null;
    this.windows.clear();
    for (const [storedKey, storedStart, stored, groups] of s.windows) {
      // A snapshot from before 2026-12-06 keeps an infinite bucket as a window of its own: it joins the NULL bucket's.
      const infinite = storedStart !== null && windowStart(storedStart) === null;
      const key = infinite ? null : storedKey;
      const start = infinite ? null : storedStart;
      const end = infinite ? null : fromWall !== null && start !== null ? this.endOf(start) : stored;
      const win: Window = this.windows.get(key) ?? { start, end, groups: [], index: new Map() };
      for (const [, keys, states, seen] of groups) {
        const g = this.lookup(win, keys);
        g.states = states;
        g.seen = seen;
      }
      this.windows.set(key, win);
    }
    // A watermark an event at +infinity moved (before 2026-12-06) made every later event late: it starts again.
    const poisoned = s.maxEventTime !== null && s.maxEventTime >= TIMESTAMP_INFINITY;
    if (poisoned) {
      s.maxEventTime = null;
      s.emittedUpTo = null;
    }
    this.maxEventTime = fromWall !== null && s.maxEventTime !== null ? fromWall.startsAt(s.maxEventTime) : s.maxEventTime;
    this.wm = this.maxEventTime === null ? null : this.maxEventTime - this.lateness;
    // Windows whose wall end was at or before the old watermark were emitted: they end by its real end.
    this.emittedUpTo = fromWall !== null && s.emittedUpTo !== null ? fromWall.endsAt(s.emittedUpTo) : s.emittedUpTo;
    this.lateBefore = this.emittedUpTo === null ? null : this.emittedUpTo + this.startSlack;
    this.recomputeDue();
  }

  /**
   * Whether the watermark has moved past where windows were last emitted up to: asked at the end of
   * every event (never between the rows of one), the caller then calls `emitUpTo(watermark())`, which
   * emits the windows it closed (often none) and makes a later row late when its window ends by it.
   * So which events are late follows from the event sequence alone, however it was cut into batches
   * or requests. (Until 2026-12-06 this was true only when an open window closed, while the end of
   * every `run` moved the mark anyway: an event older than the watermark, for a window no event had
   * opened, was late when a batch ended between it and the newer event and counted when one did not.)
   */
  due(): boolean {
    const wm = this.wm;
    if (!this.op.window || wm === null) return false;
    return this.emittedUpTo === null || wm > this.emittedUpTo;
  }

  /**
   * `due()` and the move of the late mark in one call, for the end of every event: when the
   * watermark moved but closed no open window, the late mark moves here and false is returned;
   * true when windows are due, which the caller emits with `emitUpTo(watermark())`.
   */
  advance(): boolean {
    const wm = this.wm;
    if (wm === null || (this.emittedUpTo !== null && wm <= this.emittedUpTo)) return false;
    if (this.dueEnd !== null && this.dueEnd <= wm) return true;
    this.emittedUpTo = wm;
    this.lateBefore = this.startSlack === 0n ? wm : wm + this.startSlack;
    return false;
  }

  private recomputeDue(): void {
    this.lastWindow = null;
    let end: bigint | null = null;
    for (const w of this.windows.values()) if (w.end !== null && (end === null || w.end < end)) end = w.end;
    this.dueEnd = end;
  }

  watermark(): bigint | null {
    return this.op.window ? this.wm : null;
  }

  /** Emits windows whose end is at or before `watermark`, oldest first. */
  emitUpTo(watermark: bigint): Value[][] {
    if (!this.op.window) return [];
    // Asked after nearly every event: without an open window ending by the watermark, only the mark moves.
    if (this.dueEnd === null || this.dueEnd > watermark) {
      this.advanceEmitted(watermark);
      return NOTHING;
    }
    const due = [...this.windows.values()].filter((w) => w.end !== null && w.end <= watermark);
    due.sort((a, b) => (a.start! < b.start! ? -1 : a.start! > b.start! ? 1 : 0));
    const out: Value[][] = [];
    for (const w of due) {
      this.finishWindow(w, out);
      this.windows.delete(w.start);
    }
    this.advanceEmitted(watermark);
    if (due.length > 0) this.recomputeDue();
    return out;
  }

  private advanceEmitted(watermark: bigint): void {
    if (this.emittedUpTo === null || watermark > this.emittedUpTo) {
      this.emittedUpTo = watermark;
      this.lateBefore = this.startSlack === 0n ? watermark : watermark + this.startSlack;
    }
  }

  /**
   * Emits the groups of rows whose time bucket is NULL (a NULL or unreadable
   * event time): no watermark ever closes that window, so a windowed sink
   * writes it with every flush, as a GROUP BY without a time bucket does, and
   * starts it afresh. Empty without a window or without such rows.
   */
  emitUnbucketed(): Value[][] {
    if (!this.op.window) return [];
    const w = this.windows.get(null);
    if (!w) return [];
    this.windows.delete(null);
    if (this.lastWindow === w) this.lastWindow = null;
    return this.finishWindow(w);
  }

  /** Whether rows with a NULL time bucket are waiting (see `emitUnbucketed`). */
  hasUnbucketed(): boolean {
    return Boolean(this.op.window) && this.windows.has(null);
  }

  /** Emits every group (end of input, or a per-flush aggregate's flush). */
  emitAll(): Value[][] {
    const all = [...this.windows.values()];
    all.sort((a, b) => (a.start === null ? 1 : b.start === null ? -1 : a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const out: Value[][] = [];
    for (const w of all) this.finishWindow(w, out);
    this.windows.clear();
    this.dueEnd = null;
    this.lastWindow = null;
    if (this.op.keys.length === 0 && all.length === 0 && !this.op.window) {
      // SELECT count(*) FROM t with no GROUP BY answers one row even over no input, as DuckDB does.
      out.push(this.aggs.map((a) => a.fn.finish(a.fn.init(a.ctx), a.ctx)));
    }
    return out;
  }

  /**
   * A window's group rows, added to `out` one by one: spread as arguments (`out.push(...rows)`), a
   * window or flush of ~120,000 groups overflowed the call stack, and the run stopped at every retry.
   */
  private finishWindow(w: Window, out: Value[][] = []): Value[][] {
    const nk = this.keys.length;
    const aggs = this.aggs;
    for (const g of w.groups) {
      try {
        // Written out rather than spread: a minute's window of turnstile readings holds a group for every ~6 events.
        const row = new Array<Value>(nk + aggs.length);
        for (let i = 0; i < nk; i++) row[i] = g.keys[i]!;
        for (let i = 0; i < aggs.length; i++) row[nk + i] = aggs[i]!.fn.finish(g.states[i], aggs[i]!.ctx);
        out.push(row);
      } catch (error) {
        if (!this.onGroupError) throw error;
        this.onGroupError(g.keys, error);
      }
    }
    return out;
  }
}

/** One aggregate's inputs read from a row (`read`), then its step over them (`step`): without an array where the aggregate allows (`stepOne`). */
interface RowStep {
  read: (row: Value[]) => void;
  step: (state: unknown) => unknown;
}

function rowStep(a: BuiltAggregate): RowStep {
  const { fn, ctx, args, argBuffer } = a;
  const one = fn.stepOne;
  if (one && args.length === 1) {
    const arg = args[0]!;
    let v: Value = null;
    return { read: (row) => { v = arg(row); }, step: (s) => one(s, v, ctx) };
  }
  const n = args.length;
  return {
    read: (row) => {
      for (let j = 0; j < n; j++) argBuffer[j] = args[j]!(row);
    },
    step: (s) => fn.step(s, argBuffer, ctx),
  };
}

/**
 * All the aggregates' reads for a row, and all their steps, each called from a call site of its
 * own (as `unrolledArrayProjection` does for a projection's columns): one site in a loop sees every
 * aggregate's step and calls each generically. Up to 8 aggregates; more go round a loop.
 */
function unrolledSteps(steps: RowStep[]): { read: (row: Value[]) => void; step: (states: unknown[]) => void } {
  const n = steps.length;
  if (n > 8) {
    return {
      read: (row) => {
        for (let i = 0; i < n; i++) steps[i]!.read(row);
      },
      step: (st) => {
        for (let i = 0; i < n; i++) st[i] = steps[i]!.step(st[i]);
      },
    };
  }
  const none: RowStep = { read: () => {}, step: (s) => s };
  const [s0 = none, s1 = none, s2 = none, s3 = none, s4 = none, s5 = none, s6 = none, s7 = none] = steps;
  const [r0, r1, r2, r3, r4, r5, r6, r7] = [s0.read, s1.read, s2.read, s3.read, s4.read, s5.read, s6.read, s7.read];
  const [f0, f1, f2, f3, f4, f5, f6, f7] = [s0.step, s1.step, s2.step, s3.step, s4.step, s5.step, s6.step, s7.step];
  return {
    read: (row) => {
      if (n > 0) r0(row);
      if (n > 1) r1(row);
      if (n > 2) r2(row);
      if (n > 3) r3(row);
      if (n > 4) r4(row);
      if (n > 5) r5(row);
      if (n > 6) r6(row);
      if (n > 7) r7(row);
    },
    step: (st) => {
      if (n > 0) st[0] = f0(st[0]);
      if (n > 1) st[1] = f1(st[1]);
      if (n > 2) st[2] = f2(st[2]);
      if (n > 3) st[3] = f3(st[3]);
      if (n > 4) st[4] = f4(st[4]);
      if (n > 5) st[5] = f5(st[5]);
      if (n > 6) st[6] = f6(st[6]);
      if (n > 7) st[7] = f7(st[7]);
    },
  };
}

/** The reason of the dead letter a group becomes when its aggregate, HAVING or SELECT list fails as it is emitted. */
export function groupError(error: unknown): string {
  return `a group's aggregate row failed: ${error instanceof Error ? error.message : String(error)}`;
}

const MICROS_PER_DAY = 86_400_000_000n;
/** `max_ahead` when a plan does not say (published before 2026-12-06, or with the default): a day. */
const DEFAULT_MAX_AHEAD_MICROS = MICROS_PER_DAY;

/** A window's `max_ahead` in microseconds: the plan's, the default when absent, null when `off`. */
function maxAheadOf(window: NonNullable<AggregateOp["window"]>): bigint | null {
  const m = window.maxAheadMicros;
  return m === undefined ? DEFAULT_MAX_AHEAD_MICROS : m === null ? null : BigInt(m);
}

/** Microseconds as a person writes a duration: `1 day`, `6 hours`, `90 minutes`, `1.5 seconds`. */
export function showDuration(us: bigint): string {
  const units: [bigint, string][] = [[MICROS_PER_DAY, "day"], [3_600_000_000n, "hour"], [60_000_000n, "minute"], [1_000_000n, "second"]];
  for (const [size, name] of units) if (us >= size && us % size === 0n) return `${us / size} ${name}${us === size ? "" : "s"}`;
  return `${Number(us) / 1e6} seconds`;
}
/** What `emitUpTo` answers when no window closed (asked after nearly every event; the caller may skip its emit): never written to. */
export const NOTHING: Value[][] = Object.freeze([]) as unknown as Value[][];
const TIMESTAMP_INFINITY = 2n ** 63n - 1n;
/** `-infinity` held once: a unary minus on a bigint makes a new one at every use. */
const TIMESTAMP_NEG_INFINITY = -TIMESTAMP_INFINITY;
const DATE_INFINITY = 2147483647;

/**
 * A bucket or event time as microseconds: TIMESTAMP[TZ] values are already;
 * a DATE (days, a number; DuckDB 1.4's date_trunc('day' | 'week' | 'month' |
 * 'quarter' | 'year', TIMESTAMP) is a DATE) is its midnight, its infinities
 * TIMESTAMP's. Anything else (NULL) is no time. The window keys its windows
 * by it, and the Durable Object stores a row's window start so.
 */
export function bucketMicros(v: Value): bigint | null {
  if (typeof v === "bigint") return v;
  if (typeof v !== "number" || !Number.isInteger(v)) return null;
  if (v >= DATE_INFINITY) return TIMESTAMP_INFINITY;
  if (v <= -DATE_INFINITY) return TIMESTAMP_NEG_INFINITY;
  return BigInt(v) * MICROS_PER_DAY;
}

/**
 * The start of the window a bucket value keys: its microseconds (`bucketMicros`), or null — the
 * window no watermark closes, written with every flush — for a NULL bucket and for an infinite one
 * (`'infinity'`, `'-infinity'`, a TIMESTAMP or DATE): DuckDB shows such a bucket as a group of its
 * own, and a window there would never close (+infinity) or be closed before it opened (-infinity,
 * every event a late dead letter). (Until 2026-12-06 an event at +infinity moved the watermark to
 * the end of time: every later event of the sink was a late dead letter, after a restart too.)
 */
export function windowStart(v: Value): bigint | null {
  const s = bucketMicros(v);
  return s === null || s >= TIMESTAMP_INFINITY || s <= TIMESTAMP_NEG_INFINITY ? null : s;
}

/**
 * A window's event time as an instant: the event time itself, or for a wall-time window
 * (`window.wall`) the instant it was read from — or, when that is a wall time too (a bucket computed
 * upstream), the first instant the zone's clock reads it, so the watermark never runs ahead.
 */
function eventInstant(window: NonNullable<AggregateOp["window"]>, lib: FunctionLibrary, memo?: Memo): (row: Value[]) => bigint | null {
  const { wall } = window;
  if (!wall) {
    const time = compileExpr(window.eventTime, lib, memo);
    return (row) => bucketMicros(time(row));
  }
  const time = compileExpr(wall.eventTime, lib, memo);
  if (isInstantType(wall.eventTime.type)) return (row) => bucketMicros(time(row));
  const clock = wallClock(wall.zone);
  // Rows come mostly in time order, many in one bucket: remember the last one.
  let lastWall: bigint | null = null;
  let lastInstant = 0n;
  return (row) => {
    const t = bucketMicros(time(row));
    if (t === null || t >= TIMESTAMP_INFINITY || t <= TIMESTAMP_NEG_INFINITY) return null;
    if (t !== lastWall) {
      lastInstant = clock.startsAt(t);
      lastWall = t;
    }
    return lastInstant;
  };
}

function isInstantType(type: string): boolean {
  return /WITH TIME ZONE|TIMESTAMPTZ/.test(type);
}

/**
 * The end of a window from its start: start + width, or with a zone the next bucket's start there —
 * the wall time plus the width, at the start's own offset when that names it (as time_bucket picks
 * a start in an hour the clocks repeat), else as the zone reads that wall time. A wall-time window
 * (`window.wall`) starts at a wall time and ends, as an instant, when the zone's clock last passes
 * start + width: after the second pass of a repeated hour, at the jump over a skipped one.
 */
export function windowEnd(window: NonNullable<AggregateOp["window"]>): (start: bigint) => bigint {
  const { width } = window;
  if (window.wall) {
    const clock = wallClock(window.wall.zone);
    return lastRemembered((start) => clock.endsAt(addInterval(start, width)));
  }
  if (window.zone === undefined) return (start) => addInterval(start, width);
  // time_bucket in a zone (see zonedBucket): a width of time counts real time from the start; one of
  // days or months ends when the zone's clock has passed the next bucket's first day for good.
  if (width.months === 0 && width.days === 0) {
    const micros = BigInt(width.micros);
    return (start) => start + micros;
  }
  const zone = zoneWalls(window.zone);
  const clock = wallClock(window.zone);
  return lastRemembered((start) => {
    const wall = zone.toWall(start);
    // The bucket's first day at 00:00 on the zone's calendar (a start in a skipped midnight reads 01:00).
    const day = wall - (((wall % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY);
    return clock.endsAt(addInterval(width.months === 0 ? day : monthStart(day), width));
  });
}

/** `end` answering the last window's start from memory: a window's end is asked per row when a batch is checked for late rows. */
function lastRemembered(end: (start: bigint) => bigint): (start: bigint) => bigint {
  let lastStart: bigint | null = null;
  let lastEnd = 0n;
  return (start) => {
    if (start !== lastStart) {
      lastEnd = end(start);
      lastStart = start;
    }
    return lastEnd;
  };
}

/** The first day of the month of a midnight, in microseconds. */
function monthStart(day: bigint): bigint {
  const c = civilFromDays(Number(day / MICROS_PER_DAY));
  return BigInt(daysFromCivil(c.year, c.month, 1)) * MICROS_PER_DAY;
}

/** `ts + interval` for a timestamp in microseconds, months by the calendar (day clamped), as DuckDB. */
export function addInterval(ts: bigint, width: { months: number; days: number; micros: string }): bigint {
  let t = ts;
  if (width.months !== 0) {
    const days = ts >= 0n ? ts / MICROS_PER_DAY : -((-ts + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
    const rest = ts - days * MICROS_PER_DAY;
    const d = new Date(Number(days) * 86_400_000);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + width.months;
    const day = d.getUTCDate();
    const ny = y + Math.floor(m / 12);
    const nm = ((m % 12) + 12) % 12;
    const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
    const nd = Date.UTC(ny, nm, Math.min(day, last)) / 86_400_000;
    t = BigInt(nd) * MICROS_PER_DAY + rest;
  }
  return t + BigInt(width.days) * MICROS_PER_DAY + BigInt(width.micros);
}

import { type Schema, tableFromIPC } from "apache-arrow";
import { counted } from "../../format/counted.ts";
import type { Connection } from "./duckdb.ts";
import { eventsToArrow, findMisfits, parseTailJson } from "./events-to-arrow.ts";
import { retypeSampleTable } from "./retype.ts";
import { judgeRepeats, parseTailJsonKeepingRepeats } from "./tail-repeats.ts";
import { quoteIdent } from "./sql.ts";

export interface SourceStats {
  name: string;
  rows: number;
  eventsPerSecond: number;
  received: number;
  /** Events appended to the table since the sample. */
  appended: number;
  /** Events received and waiting for the next append. */
  pending: number;
  /** Events the gateway skipped for this tab (a slow client) or that a batch gap implies. */
  skipped: number;
  /** Tail batches whose sequence numbers never arrived. */
  missingBatches: number;
  paused: boolean;
  live: boolean;
  error: string | null;
  /** Set while the source has no events at all (a webhook nobody posted to yet): what the card says instead. */
  waiting: string | null;
  /** Events the gateway received but could not decode (not JSON, a bad CSV record); the table never sees them. */
  undecodable: number;
  /** The newest such event's reason, as the gateway gave it. */
  lastUndecodable: string | null;
  /** Tail events appended with a value their column cannot hold (NULL in the table), since the sample. */
  misfits: number;
  /** The newest such value, `column: <JSON> into <type>`. */
  lastMisfit: string | null;
  /** Keys tail events had that the table has no column for (dropped), since the sample. */
  newKeys: string[];
  /** Said in place of "live" while the stream goes on but the table misses something (the gateway restarted). */
  notice: string | null;
  /** The browser gave up on the live stream (the gateway answered its reconnect with an error): only a reload follows it again. */
  tailClosed: boolean;
}

/**
 * What a source's card says while its live stream is down. It said "tail reconnecting" / "tail closed":
 * a person whose gateway stopped learnt neither that nor what to do.
 */
export const TAIL_RECONNECTING = "live stream stopped: the gateway does not answer (stopped or restarting?); reconnecting by itself, the table keeps its rows";
/** After the gateway restarted: live again, its tail starting anew (it said "gateway skipped events (restarted)" in red, for good). */
export const TAIL_RESTARTED = "live again after the gateway restarted: events that reached it in between may be missing from this table; reload the page to read its sample again";
export const TAIL_CLOSED = "live stream ended: the gateway refused to go on with it (restarted with another token, or the source changed); Reload to follow it again";

export interface SourceTableOptions {
  conn: Connection;
  name: string;
  /** How many of the newest events the table keeps. */
  windowSize: number;
  /** The initial rows: Arrow IPC stream bytes. Called again when a source without events gets its first ones. */
  loadSample: () => Promise<Uint8Array>;
  /** What the card says while the source has no events yet (say, where to post them). */
  waitingNote?: string;
  /** The tail's server-sent events URL, or null for a frozen snapshot (share links). */
  tailUrl: string | null;
  /** How often buffered tail events are appended, in ms. */
  flushMs?: number;
  /** Called after the table changed (sample loaded, batch appended, window trimmed). */
  onChange: (table: SourceTable) => void;
  /** Called whenever counters change (also while paused). */
  onStats: (stats: SourceStats) => void;
}

/**
 * One source as a DuckDB table holding a bounded window of its newest events:
 * the sample first, then the live tail appended in small Arrow batches, the
 * oldest rows deleted beyond the window. Pausing stops appending (the table
 * freezes) while the events/s counter keeps counting what arrives.
 */
export class SourceTable {
  readonly name: string;
  schema: Schema | null = null;
  rows = 0;
  private paused = false;
  private buffer: unknown[] = [];
  private arrivals: { at: number; n: number }[] = [];
  private received = 0;
  private appended = 0;
  private skipped = 0;
  private lastSeq: number | null = null;
  private skippedBatches = 0;
  private inFlight = 0;
  private events: EventSource | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> | null = null;
  private error: string | null = null;
  private waiting: string | null = null;
  private reloading: Promise<void> | null = null;
  private undecodable = 0;
  private lastUndecodable: string | null = null;
  private misfits = 0;
  private lastMisfit: string | null = null;
  private newKeys: string[] = [];
  private tailClosed = false;
  private notice: string | null = null;
  /** Closed (its source edited or removed on the page): a sample or batch still on its way is not written. */
  private closed = false;

  constructor(private readonly options: SourceTableOptions) {
    this.name = options.name;
  }

  async load(): Promise<void> {
    const { conn } = this.options;
    const bytes = await this.options.loadSample();
    // The source's entry changed while its old sample was on its way: the table is the new entry's now.
    if (this.closed) return;
    const schema = tableFromIPC(bytes).schema;
    // The gateway lists the sample's events it could not decode in the schema's metadata. They are counted from
    // here on (a reload after the first events starts over: the new sample holds what the tail counted).
    const errors = readSampleErrors(schema.metadata.get("runnel.errors"));
    this.undecodable = errors.length;
    this.lastUndecodable = errors.length === 0 ? null : errors[errors.length - 1]!;
    // The sample is typed from every event it holds: what the tail could not fit is read again.
    this.misfits = 0;
    this.lastMisfit = null;
    this.newKeys = [];
    if (schema.fields.length === 0) {
      // No events yet. A live source waits for its first ones on the tail (which then loads the sample again);
      // a frozen snapshot has none to wait for, and says so the same way: its readers wait, none fails on a missing table.
      this.waiting = this.options.waitingNote ?? (this.options.tailUrl === null ? "no events: the source had none when this snapshot was shared" : "no events yet: waiting for the first one");
      this.report();
      return;
    }
    this.schema = schema;
    this.waiting = null;
    await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(this.name)}`);
    try {
      await conn.insertArrowFromIPCStream(bytes, { name: this.name, create: true });
    } catch (cause) {
      throw new Error(`source ${this.name}: DuckDB could not load the sample (${bytes.length} bytes of Arrow IPC)`, { cause });
    }
    await this.retype();
    await this.trim();
    this.options.onChange(this);
    this.report();
  }

  /** The columns get the types the gateway's DuckDB read (`retypeSampleTable`), nested ones too. */
  private async retype(): Promise<void> {
    if (this.schema) await retypeSampleTable(this.options.conn, this.name, this.schema);
  }

  /** Starts following the live tail; events are appended every `flushMs`. */
  follow(): void {
    if (this.options.tailUrl === null || this.events !== null || this.closed) return;
    const events = new EventSource(this.options.tailUrl);
    this.events = events;
    events.onmessage = (message: MessageEvent<string>) => {
      type TailBatch = { seq?: number; events?: unknown[]; errors?: { error?: string }[]; repeats?: number; added?: string[] };
      let batch = parseTailJson(message.data) as TailBatch;
      // Events with a key written twice: read again keeping every member, and judged against the table as the sample judges them.
      const repeats = typeof batch.repeats === "number" && batch.repeats > 0;
      if (repeats) batch = parseTailJsonKeepingRepeats(message.data) as TailBatch;
      let list = batch.events ?? [];
      const reasons = (batch.errors ?? []).map((e) => e.error ?? "unreadable event");
      if (repeats && this.schema !== null) {
        const judged = judgeRepeats(this.schema, list, batch.added);
        list = judged.rows;
        reasons.push(...judged.refused);
      }
      if (reasons.length > 0) {
        this.undecodable += reasons.length;
        this.lastUndecodable = reasons[reasons.length - 1]!;
        this.report();
      }
      if (typeof batch.seq === "number") {
        if (this.lastSeq !== null && batch.seq > this.lastSeq + 1) this.skippedBatches += batch.seq - this.lastSeq - 1;
        this.lastSeq = batch.seq;
      }
      this.received += list.length;
      this.arrivals.push({ at: performance.now(), n: list.length });
      if (this.schema === null) {
        // The first events of a source that had none: the gateway's sample now holds them and types them.
        if (list.length > 0) this.reloadSample();
        return;
      }
      if (!this.paused) for (const event of list) this.buffer.push(event);
    };
    events.addEventListener("gap", (message: MessageEvent<string>) => {
      const gap = JSON.parse(message.data) as { skippedEvents?: number; reason?: string };
      this.skipped += gap.skippedEvents ?? 0;
      if (gap.reason === "restarted") this.notice = TAIL_RESTARTED;
      else this.error = `gateway skipped events (${gap.reason ?? "gap"})`;
      this.report();
    });
    events.onerror = () => {
      this.tailClosed = events.readyState === EventSource.CLOSED;
      this.error = this.tailClosed ? TAIL_CLOSED : TAIL_RECONNECTING;
      this.report();
    };
    events.onopen = () => {
      this.error = null;
      this.report();
    };
    this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? 200);
  }

  /** Loads the sample again (the first events arrived); events the tail brings meanwhile are in it or follow it. */
  private reloadSample(): void {
    this.reloading ??= this.load()
      .catch((cause: unknown) => {
        this.error = `sample failed: ${cause instanceof Error ? cause.message : String(cause)}`;
        console.error(cause);
      })
      .finally(() => {
        this.reloading = null;
        this.report();
      });
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.buffer = [];
    this.report();
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** Appends buffered events now; resolves when DuckDB has them. */
  flush(): Promise<void> {
    if (this.flushing !== null) return this.flushing;
    if (this.closed) return Promise.resolve();
    if (this.buffer.length === 0 || this.schema === null) {
      this.report();
      return Promise.resolve();
    }
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight = batch.length;
    const schema = this.schema;
    this.flushing = (async () => {
      try {
        await this.options.conn.insertArrowFromIPCStream(eventsToArrow(schema, batch), { name: this.name, create: false });
        this.appended += batch.length;
        const misfits = findMisfits(schema, batch);
        this.misfits += misfits.events;
        this.lastMisfit = misfits.last ?? this.lastMisfit;
        for (const key of misfits.newKeys) if (!this.newKeys.includes(key)) this.newKeys.push(key);
        await this.trim();
        this.options.onChange(this);
      } catch (cause) {
        this.error = `append failed: ${cause instanceof Error ? cause.message : String(cause)}`;
        console.error(new Error(`source ${this.name}: could not append ${counted(batch.length, "event")}`, { cause }));
      } finally {
        this.inFlight = 0;
        this.flushing = null;
        this.report();
      }
    })();
    return this.flushing;
  }

  private async trim(): Promise<void> {
    const { conn, windowSize } = this.options;
    const table = quoteIdent(this.name);
    const count = Number((await conn.query(`SELECT count(*)::DOUBLE AS n FROM ${table}`)).getChildAt(0)?.get(0) ?? 0);
    if (count > windowSize) {
      // rowid grows with every append, so the smallest rowids are the oldest events.
      await conn.query(`DELETE FROM ${table} WHERE rowid < (SELECT rowid FROM ${table} ORDER BY rowid LIMIT 1 OFFSET ${count - windowSize})`);
      this.rows = windowSize;
    } else {
      this.rows = count;
    }
  }

  stats(): SourceStats {
    const now = performance.now();
    this.arrivals = this.arrivals.filter((a) => now - a.at <= 2000);
    const recent = this.arrivals.reduce((sum, a) => sum + a.n, 0);
    return {
      name: this.name,
      rows: this.rows,
      eventsPerSecond: Math.round(recent / 2),
      received: this.received,
      appended: this.appended,
      pending: this.buffer.length + this.inFlight,
      skipped: this.skipped,
      missingBatches: this.skippedBatches,
      paused: this.paused,
      live: this.events !== null,
      error: this.error,
      waiting: this.waiting,
      undecodable: this.undecodable,
      lastUndecodable: this.lastUndecodable,
      misfits: this.misfits,
      lastMisfit: this.lastMisfit,
      newKeys: this.newKeys,
      tailClosed: this.tailClosed,
      notice: this.notice,
    };
  }

  private report(): void {
    this.options.onStats(this.stats());
  }

  /** Stops the tail and the appends; resolves once an append already under way has finished, so the table can be dropped. */
  close(): Promise<void> {
    this.closed = true;
    this.buffer = [];
    this.events?.close();
    this.events = null;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    return (this.flushing ?? Promise.resolve()).catch(() => undefined);
  }
}

/** The reasons in the sample's `runnel.errors` metadata (a JSON array of `{ error, raw, … }`); none if absent or unreadable. */
function readSampleErrors(json: string | undefined): string[] {
  if (json === undefined) return [];
  try {
    const rows = JSON.parse(json) as unknown;
    return Array.isArray(rows) ? rows.map((row) => String((row as { error?: unknown }).error ?? "unreadable event")) : [];
  } catch {
    return [];
  }
}

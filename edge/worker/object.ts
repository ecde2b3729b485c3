import { compileExpr, type Eval } from "../exec/expr.ts";
import type { FunctionLibrary } from "../exec/functions/contract.ts";
import { WindowState, groupError, windowEnd, windowStart } from "../exec/window.ts";
import { wallClock } from "../exec/wall-clock.ts";
import type { ParquetWriter } from "../parquet/writer.ts";
import type { JsonValue, Operator } from "../plan/types.ts";
import { rowFactory, type Row, type Value } from "../plan/values.ts";
import { stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import { deadLetterKey, encodeDeadLetters, type DeadLetter } from "../sinks/dead-letter.ts";
import { r2Sink, type R2BucketLike } from "../sinks/r2.ts";
import { s3Sink } from "../sinks/s3.ts";
import type { Sink } from "../sinks/sink.ts";
import { batchFiles, putEncoded, type EncodedFile, type WrittenFile } from "../sinks/write-batch.ts";
import type { SinkSpec } from "../../notebook/format/model.ts";
import { BINDINGS, type WorkerConfig } from "./config.ts";
import type { DurableObjectBase, DurableObjectStateLike, PipelineEnv, SqlStorageLike } from "./platform.ts";
import { operatorLimits } from "./operator-limits.ts";
import { CONTROL_OBJECT, decodeBatch, type BatchHead } from "./router.ts";
import { rowCodec, sinkPlans, type SinkPlan } from "./sink-plan.ts";
import { arrayElementTexts } from "./parse.ts";

/**
 * The longest rows text stored as one `batches` row: a SQLite value in a Durable Object may not pass
 * 2 MB, and a UTF-16 unit takes at most 3 bytes of UTF-8 (a pair, 4 bytes for 2 units).
 */
export const MAX_BATCH_CHARS = 600_000;

/**
 * A batch's rows text (a JSON array of `count` row arrays) cut at row boundaries into arrays of at most
 * `maxChars` each (a longer row alone), or the text whole when it cannot be cut.
 */
export function splitRowsText(json: string, count: number, maxChars: number): { json: string; count: number }[] {
  const rows = arrayElementTexts(json, count);
  if (!rows) return [{ json, count }];
  const out: { json: string; count: number }[] = [];
  let part: string[] = [];
  let size = 2;
  for (const row of rows) {
    if (part.length && size + row.length + 1 > maxChars) {
      out.push({ json: `[${part.join(",")}]`, count: part.length });
      part = [];
      size = 2;
    }
    part.push(row);
    size += row.length + 1;
  }
  if (part.length) out.push({ json: `[${part.join(",")}]`, count: part.length });
  return out;
}

/**
 * `text` cut into pieces of at most `maxChars` UTF-16 units, never between the two halves of a
 * surrogate pair (stored alone, each half would be read back as U+FFFD).
 */
export function textParts(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + maxChars, text.length);
    const unit = text.charCodeAt(end - 1);
    if (end < text.length && unit >= 0xd800 && unit <= 0xdbff && end - 1 > at) end--;
    parts.push(text.slice(at, end));
    at = end;
  }
  return parts;
}

/** One Durable Object's counters and buffer, as `GET /metrics` reports them. */
export interface ObjectMetrics {
  object: string;
  eventsIn: number;
  rowsIn: number;
  rowsOut: number;
  files: number;
  bytes: number;
  deadLetters: number;
  lateEvents: number;
  bufferRows: number;
  bufferBytes: number;
  windowRows: number;
  oldestBufferedMs: number | null;
  lastFlush: string | null;
  lastError: string | null;
}

const COUNTERS = ["eventsIn", "rowsIn", "rowsOut", "files", "bytes", "deadLetters", "lateEvents"] as const;
type Counter = (typeof COUNTERS)[number];

export interface ObjectDeps {
  library: FunctionLibrary;
  parquet: ParquetWriter;
  now?: () => number;
  /** `DurableObject` from `cloudflare:workers`: the Worker then commits batches over JS RPC (`commit`). */
  objectBase?: DurableObjectBase;
}

/**
 * The Durable Object class of a pipeline: `limits.shards` instances per plain
 * sink, one per sink for aggregates, and `_control` (registry of instances,
 * dead letters the Worker found). Each request's rows are committed to SQLite
 * as one batch before the Worker acknowledges; a flush writes one Parquet
 * object per partition under a key made of the flushed sequence range (whole
 * batches), then deletes exactly those batches. The range is recorded before
 * the write, so a crash anywhere repeats the same write.
 */
export function pipelineObjectClass(config: WorkerConfig, deps: ObjectDeps) {
  const plans = new Map(sinkPlans(config.plan).map((p) => [p.sink, p]));
  const now = deps.now ?? (() => Date.now());
  const Base: DurableObjectBase =
    deps.objectBase ??
    class {
      constructor(_ctx: DurableObjectStateLike, _env: PipelineEnv) {}
    };

  return class PipelineObject extends Base {
    private readonly sql: SqlStorageLike;
    private name: string | null = null;
    private plan: SinkPlan | null = null;
    private window: OpenWindows | null = null;
    /** When the oldest waiting row of the NULL time bucket arrived (ms), or null when there is none. */
    private unbucketedSince: number | null = null;
    private flushing: Promise<boolean> | null = null;
    private alarmAt: number | null = null;
    /** Objects this invocation's flush may still store (`WorkerLimits.putsPerInvocation`). */
    private puts = 0;
    private writer = "";
    /** Counters and the next sequence number, kept in memory and written as one meta row per transaction. */
    private counters: Record<Counter | "nextSeq", number> = { eventsIn: 0, rowsIn: 0, rowsOut: 0, files: 0, bytes: 0, deadLetters: 0, lateEvents: 0, nextSeq: 1 };
    /** Buffer depth per table, kept in memory so an ingest does not scan the buffer. */
    private depth = { rows: { n: 0, bytes: 0, oldest: null as number | null }, dead: { n: 0, bytes: 0, oldest: null as number | null } };

    constructor(
      private readonly ctx: DurableObjectStateLike,
      private readonly env: PipelineEnv,
    ) {
      super(ctx, env);
      this.sql = ctx.storage.sql;
      void ctx.blockConcurrencyWhile(async () => {
        this.migrate();
        this.alarmAt = await ctx.storage.getAlarm();
        const name = this.meta("name");
        if (name !== null) this.bind(name);
      });
    }

    private migrate(): void {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      // One row per ingested batch: `rows` is its JSON array of encoded rows, sequence numbers first..last.
      // `rows` is the last column: SQLite reads the columns before it without walking the text's overflow pages.
      this.sql.exec(`CREATE TABLE IF NOT EXISTS batches (first INTEGER PRIMARY KEY, last INTEGER NOT NULL, bytes INTEGER NOT NULL, at INTEGER NOT NULL, rows TEXT NOT NULL)`);
      this.migrateRowTable();
      this.sql.exec(`CREATE TABLE IF NOT EXISTS win (seq INTEGER PRIMARY KEY, start TEXT, row TEXT NOT NULL)`);
      this.sql.exec(`CREATE TABLE IF NOT EXISTS dead (seq INTEGER PRIMARY KEY, letter TEXT NOT NULL, at INTEGER NOT NULL)`);
      // A letter longer than one value may hold: its `dead` row's letter is '' and its text these parts, in order.
      this.sql.exec(`CREATE TABLE IF NOT EXISTS dead_parts (seq INTEGER NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (seq, part))`);
      this.sql.exec(`CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`);
      this.sql.exec(`CREATE TABLE IF NOT EXISTS objects (name TEXT PRIMARY KEY)`);
      if (this.meta("writer") === null) {
        const random = crypto.getRandomValues(new Uint8Array(4));
        this.setMeta("writer", `edge-${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
      }
      this.writer = this.meta("writer")!;
      const saved = this.meta("counters");
      if (saved !== null) this.counters = { ...this.counters, ...(JSON.parse(saved) as Partial<typeof this.counters>) };
      this.measure();
    }

    /**
     * Objects created before batches were stored whole kept one row per
     * event in `rows`: each becomes a batch of one under its own sequence
     * number, so a range recorded before the upgrade still names whole batches.
     */
    private migrateRowTable(): void {
      if (this.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rows'`).toArray().length === 0) return;
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(`INSERT INTO batches (first, last, bytes, at, rows) SELECT seq, seq, length(row), at, '[' || row || ']' FROM rows`);
        this.sql.exec(`DROP TABLE rows`);
      });
    }

    /** Buffer depth from storage (at start-up and after a flush deleted rows). */
    private measure(): void {
      const b = this.sql.exec<{ n: number | null; bytes: number | null; oldest: number | null }>(`SELECT sum(last - first + 1) AS n, sum(bytes) AS bytes, min(at) AS oldest FROM batches`).one();
      this.depth.rows = { n: b.n ?? 0, bytes: b.bytes ?? 0, oldest: b.oldest };
      const d = this.sql.exec<{ n: number; bytes: number | null; oldest: number | null }>(`SELECT count(*) AS n, sum(length(letter)) + coalesce((SELECT sum(length(text)) FROM dead_parts), 0) AS bytes, min(at) AS oldest FROM dead`).one();
      this.depth.dead = { n: d.n, bytes: d.bytes ?? 0, oldest: d.oldest };
    }

    /** Runs `fn` as one transaction with the counters; on failure memory goes back to what storage holds. */
    private transact<T>(fn: () => T): T {
      const counters = { ...this.counters };
      const depth = { rows: { ...this.depth.rows }, dead: { ...this.depth.dead } };
      try {
        return this.ctx.storage.transactionSync(() => {
          const result = fn();
          this.setMeta("counters", JSON.stringify(this.counters));
          return result;
        });
      } catch (error) {
        this.counters = counters;
        this.depth = depth;
        throw error;
      }
    }

    private meta(key: string): string | null {
      const rows = this.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key).toArray();
      return rows[0]?.value ?? null;
    }

    private setMeta(key: string, value: string | null): void {
      if (value === null) this.sql.exec(`DELETE FROM meta WHERE key = ?`, key);
      else this.sql.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value);
    }

    private add(counter: Counter, n: number): void {
      this.counters[counter] += n;
    }

    private nextSeq(count: number): number {
      const first = this.counters.nextSeq;
      this.counters.nextSeq += count;
      return first;
    }

    /** Learns which object this is (from its first batch) and rebuilds window state from storage. */
    private bind(name: string): void {
      this.name = name;
      if (name === CONTROL_OBJECT) return;
      const sink = name.slice(0, name.indexOf("/"));
      const plan = plans.get(sink);
      if (!plan) throw new Error(`worker: object ${name} names sink ${sink}, which the plan does not have`);
      this.plan = plan;
      if (plan.kind === "window") {
        this.window = new OpenWindows(plan, deps.library);
        const codec = rowCodec(plan.buffered);
        const stored = this.sql.exec<{ seq: number; start: string | null; row: string }>(`SELECT seq, start, row FROM win ORDER BY seq`).toArray();
        let emittedUpTo = this.meta("emittedUpTo");
        // A wall-time window's watermark is stored in real time, marked so; one stored unmarked (by a
        // version before 2026-12-06) is the wall time and is moved to real time once, before any write.
        if (this.window.wallTime && this.meta("emittedClock") !== "instant") {
          emittedUpTo = this.window.emittedFromWall(emittedUpTo);
          this.ctx.storage.transactionSync(() => {
            this.setMeta("emittedUpTo", emittedUpTo);
            this.setMeta("emittedClock", "instant");
          });
        }
        const rows = stored.map((r) => codec.decode(r.row));
        // Before 2026-12-06 an infinite bucket was stored with its start and an event at +infinity moved
        // the watermark to the end of time (every later event late). Its rows now wait with the NULL
        // bucket's, and such a watermark is dropped: windows it emitted may be written again by later events.
        const infinite = stored.flatMap((r, i) => (r.start !== null && this.window!.startText(rows[i]!) === null ? [r.seq] : []));
        const poisoned = emittedUpTo !== null && BigInt(emittedUpTo) + BigInt(plan.aggregate!.window!.latenessMicros) >= TIMESTAMP_INFINITY;
        if (infinite.length || poisoned) {
          this.ctx.storage.transactionSync(() => {
            for (const seq of infinite) this.sql.exec(`UPDATE win SET start = NULL WHERE seq = ?`, seq);
            if (poisoned) this.setMeta("emittedUpTo", null);
          });
          if (poisoned) emittedUpTo = null;
        }
        // Before 2026-12-06 a DATE bucket (`date_trunc('day', ts)`) was stored with no start, as if NULL: its
        // rows were never deleted when the day was emitted. Those are dropped; an open day's get their start.
        const unstarted = stored.flatMap((r, i) => (r.start === null && this.window!.startText(rows[i]!) !== null ? [i] : []));
        if (unstarted.length) {
          const gone = new Set<number>();
          this.ctx.storage.transactionSync(() => {
            for (const i of unstarted) {
              const start = this.window!.startText(rows[i]!)!;
              if (emittedUpTo !== null && this.window!.endOfText(start) <= BigInt(emittedUpTo)) {
                this.sql.exec(`DELETE FROM win WHERE seq = ?`, stored[i]!.seq);
                gone.add(i);
              } else {
                this.sql.exec(`UPDATE win SET start = ? WHERE seq = ?`, start, stored[i]!.seq);
              }
            }
          });
          this.window.restore(rows.filter((_, i) => !gone.has(i)), emittedUpTo);
        } else {
          this.window.restore(rows, emittedUpTo);
        }
        this.unbucketedSince = this.window.hasUnbucketed() ? now() : null;
      }
    }

    async fetch(request: Request): Promise<Response> {
      const path = new URL(request.url).pathname;
      try {
        if (request.method === "POST" && path === "/ingest") return new Response(null, { status: (await this.ingest(decodeBatch(await request.text()))) ? 200 : 201 });
        if (request.method === "GET" && path === "/metrics") return Response.json(this.metrics());
        if (request.method === "POST" && path === "/flush") {
          if (!(await this.flush())) this.again();
          return Response.json(this.metrics());
        }
        if (request.method === "POST" && path === "/register") {
          const object = await request.text();
          this.transact(() => {
            this.sql.exec(`INSERT OR IGNORE INTO objects (name) VALUES (?)`, object);
            if (this.name === null) this.setMeta("name", CONTROL_OBJECT);
          });
          this.name ??= CONTROL_OBJECT;
          return new Response(null, { status: 204 });
        }
        if (request.method === "GET" && path === "/objects") {
          return Response.json(this.sql.exec<{ name: string }>(`SELECT name FROM objects ORDER BY name`).toArray().map((r) => r.name));
        }
        return new Response(`worker object: no route ${request.method} ${path}`, { status: 404 });
      } catch (error) {
        return Response.json({ error: this.failure(error) }, { status: 500 });
      }
    }

    /**
     * One request's batch (`encodeBatch`'s text), over JS RPC: true when its
     * delivery was seen before (nothing changed), false once its rows are
     * committed. workerd holds the answer until the write is durable, as it
     * does a fetch's response.
     */
    async commit(batch: string): Promise<boolean> {
      try {
        return await this.ingest(decodeBatch(batch));
      } catch (error) {
        throw new Error(this.failure(error));
      }
    }

    private failure(error: unknown): string {
      const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (cause: ${error.cause.message})` : ""}` : String(error);
      return `worker object ${this.name ?? "?"}: ${message}`;
    }

    /** Commits one batch; true when its delivery was seen before (then nothing changes). */
    private async ingest({ head: batch, rows }: { head: BatchHead; rows: string }): Promise<boolean> {
      if (this.name === null) {
        if (batch.object !== CONTROL_OBJECT) await this.register(batch.object);
        this.ctx.storage.transactionSync(() => this.setMeta("name", batch.object));
        this.bind(batch.object);
      } else if (this.name !== batch.object) {
        throw new Error(`worker: batch for ${batch.object} reached object ${this.name}`);
      }
      const at = now();
      let duplicate = false;
      try {
        this.transact(() => {
          if (batch.delivery !== null) {
            if (this.sql.exec(`SELECT 1 FROM deliveries WHERE id = ?`, batch.delivery).toArray().length) {
              duplicate = true;
              return;
            }
            this.sql.exec(`INSERT INTO deliveries (id, at) VALUES (?, ?)`, batch.delivery, at);
          }
          this.add("eventsIn", batch.events);
          const letters = [...batch.deadLetters];
          if (this.window) {
            const { keep, late, emitted } = this.window.add(JSON.parse(rows) as JsonValue[][], batch.raws ?? [], batch.ends, at);
            if (keep.length) this.insertKept(keep);
            for (const l of late) letters.push({ reason: `sink ${this.plan!.sink}: ${l.reason}`, raw: l.raw, source: this.plan!.source, at: new Date(at).toISOString() });
            for (const l of this.window.takeFailed()) letters.push({ reason: `sink ${this.plan!.sink}: ${l.reason}`, raw: l.raw, source: this.plan!.source, at: new Date(at).toISOString(), kind: l.kind });
            this.add("lateEvents", late.length);
            this.insertRows(emitted, at);
            if (emitted.length || this.window.emittedUpTo !== null) {
              for (const start of this.window.closedStarts()) this.sql.exec(`DELETE FROM win WHERE start = ?`, start);
              this.setMeta("emittedUpTo", this.window.emittedUpTo === null ? null : this.window.emittedUpTo.toString());
            }
            if (this.unbucketedSince === null && this.window.hasUnbucketed()) this.unbucketedSince = at;
            this.add("rowsIn", batch.count - late.length);
          } else {
            this.insertBatch(rows, batch.count, at);
            this.add("rowsIn", batch.count);
          }
          this.insertDead(letters.map((l) => JSON.stringify(l)), at);
          this.add("deadLetters", letters.length);
          this.schedule(at);
        });
      } catch (error) {
        // The in-memory window state may be ahead of the rolled-back storage: rebuild it.
        if (this.name) this.bind(this.name);
        throw error;
      }
      return duplicate;
    }

    private async register(object: string): Promise<void> {
      const stub = this.env.PIPELINE.get(this.env.PIPELINE.idFromName(CONTROL_OBJECT) as never);
      const response = await stub.fetch("https://object/register", { method: "POST", body: object });
      if (response.status !== 204) throw new Error(`worker: registering ${object} with ${CONTROL_OBJECT} answered ${response.status}: ${await response.text()}`);
    }

    private insertRows(rows: string[], at: number): void {
      if (rows.length) this.insertBatch(`[${rows.join(",")}]`, rows.length, at);
    }

    /**
     * A batch of `count` encoded rows (`json`, one JSON array of row arrays,
     * as the Worker sent it) is stored as one SQLite row under the sequence
     * numbers first..last: an ingest writes one row whatever its size, and
     * nothing parses the rows until they are flushed.
     */
    private insertBatch(json: string, count: number, at: number): void {
      if (count === 0) return;
      // A Durable Object's SQLite refuses a value over 2 MB: a large request's rows are stored as several batches.
      if (json.length > MAX_BATCH_CHARS && count > 1) {
        const parts = splitRowsText(json, count, MAX_BATCH_CHARS);
        if (parts.length > 1) {
          for (const part of parts) this.insertBatch(part.json, part.count, at);
          return;
        }
      }
      const first = this.nextSeq(count);
      // Byte bounds are approximate by design: the array's text less its brackets and commas.
      const bytes = json.length - count - 1;
      this.sql.exec(`INSERT INTO batches (first, last, bytes, at, rows) VALUES (?, ?, ?, ?, ?)`, first, first + count - 1, bytes, at, json);
      const d = this.depth.rows;
      d.n += count;
      d.bytes += bytes;
      d.oldest ??= at;
    }

    /**
     * A window's rows, one `win` row each: through json_each, in statements whose array stays within what
     * one value holds (as one array, a request of many readings, or of rows full of quotes escaped once
     * more inside it, passed 2 MB: SQLITE_TOOBIG, a 503 on every retry); a longer row alone, as it is.
     */
    private insertKept(keep: { start: string | null; row: string }[]): void {
      let seq = this.nextSeq(keep.length);
      let part: string[] = [];
      let size = 2;
      const put = () => {
        this.sql.exec(`INSERT INTO win (seq, start, row) SELECT ? + key, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`, seq, `[${part.join(",")}]`);
        seq += part.length;
        part = [];
        size = 2;
      };
      for (const k of keep) {
        const item = JSON.stringify([k.start, k.row]);
        if (part.length && size + item.length + 1 > MAX_BATCH_CHARS) put();
        if (item.length > MAX_BATCH_CHARS) {
          this.sql.exec(`INSERT INTO win (seq, start, row) VALUES (?, ?, ?)`, seq, k.start, k.row);
          seq++;
          continue;
        }
        part.push(item);
        size += item.length + 1;
      }
      if (part.length) put();
    }

    /** Dead letters (rare) keep one row each: one statement through json_each (a bound parameter per row would pass workerd's limit of 100). */
    /** Groups that failed as they were emitted, as dead letters of this sink (inside the caller's transaction). */
    private insertFailed(failed: FailedGroup[], at: number): void {
      if (failed.length === 0) return;
      const when = new Date(at).toISOString();
      this.insertDead(failed.map((f) => JSON.stringify({ reason: `sink ${this.plan!.sink}: ${f.reason}`, raw: f.raw, source: this.plan!.source, at: when, kind: f.kind })), at);
      this.add("deadLetters", failed.length);
    }

    private insertDead(texts: string[], at: number): void {
      if (texts.length === 0) return;
      let seq = this.nextSeq(texts.length);
      // Several statements when the letters' array passes what one SQLite value may hold (2 MB in a Durable
      // Object): a request of many bad NDJSON lines was one parameter too big (SQLITE_TOOBIG), answered 503
      // on every retry, and never stored.
      let part: string[] = [];
      let size = 2;
      let bytes = 0;
      const put = () => {
        this.sql.exec(`INSERT INTO dead (seq, letter, at) SELECT ? + key, value, ? FROM json_each(?)`, seq, at, `[${part.join(",")}]`);
        seq += part.length;
        part = [];
        size = 2;
      };
      for (const text of texts) {
        const quoted = JSON.stringify(text);
        bytes += text.length;
        if (part.length && size + quoted.length + 1 > MAX_BATCH_CHARS) put();
        if (quoted.length > MAX_BATCH_CHARS) {
          // A large letter alone, as it is: inside the array its quotes and backslashes would be escaped once more.
          // One past what a value holds (a late reading carries its whole event, a failed group its keys: the
          // Worker's 413 never saw them) is stored in parts; as one value it failed the commit, SQLITE_TOOBIG,
          // a 503 on every retry of the delivery, and nothing of it was stored.
          const parts = textParts(text, MAX_BATCH_CHARS);
          this.sql.exec(`INSERT INTO dead (seq, letter, at) VALUES (?, ?, ?)`, seq, parts.length === 1 ? text : "", at);
          if (parts.length > 1) parts.forEach((p, i) => this.sql.exec(`INSERT INTO dead_parts (seq, part, text) VALUES (?, ?, ?)`, seq, i, p));
          seq++;
          continue;
        }
        part.push(quoted);
        size += quoted.length + 1;
      }
      if (part.length) put();
      const d = this.depth.dead;
      d.n += texts.length;
      d.bytes += bytes;
      d.oldest ??= at;
    }

    private spec(): SinkSpec {
      const sink = this.plan?.sink ?? Object.keys(config.sinks).sort()[0];
      const spec = sink === undefined ? undefined : config.sinks[sink];
      if (!spec) throw new Error(`worker: object ${this.name} has no sink to write to`);
      return spec;
    }

    /** Sets the alarm for the earliest due flush: now when a bound is reached, else the oldest row's age limit. */
    private schedule(at: number): void {
      const { n, bytes, oldest } = this.buffer();
      // Rows of the NULL time bucket wait in the window state; they age like buffered rows.
      const since = this.unbucketedSince;
      if (n === 0 && since === null) return;
      const flush = this.spec().flush;
      const first = oldest === null ? since : since === null ? oldest : Math.min(oldest, since);
      const due = n >= flush.rows || bytes >= flush.bytes ? at : (first ?? at) + flush.seconds * 1000;
      if (this.alarmAt === null || due < this.alarmAt) {
        this.alarmAt = due;
        void this.ctx.storage.setAlarm(due);
      }
    }

    private buffer(): { n: number; bytes: number; oldest: number | null } {
      const r = this.depth.rows;
      const d = this.depth.dead;
      const oldest = r.oldest === null ? d.oldest : d.oldest === null ? r.oldest : Math.min(r.oldest, d.oldest);
      return { n: r.n + d.n, bytes: r.bytes + d.bytes, oldest };
    }

    async alarm(): Promise<void> {
      this.alarmAt = null;
      const complete = await this.flush();
      // A var the Worker cannot read keeps every id (its ingest refuses deliveries saying why): forgetting one early would write a retry twice.
      const limits = operatorLimits(this.env, config.limits);
      if (limits.ok) this.sql.exec(`DELETE FROM deliveries WHERE at < ?`, now() - limits.limits.dedupSeconds * 1000);
      if (complete) this.schedule(now());
      else this.again();
    }

    /**
     * Writes every buffered row and dead letter, or as many objects as one invocation may store
     * (false: the rest waits for the next alarm, see `again`); one flush at a time (an R2/S3 await
     * lets other requests in).
     */
    flush(): Promise<boolean> {
      this.flushing ??= this.flushAll().finally(() => {
        this.flushing = null;
      });
      return this.flushing;
    }

    /** The budget of objects one invocation stores (a method, so a test can make it small). */
    private putBudget(): number {
      return config.limits.putsPerInvocation ?? 40;
    }

    /** A flush stopped at its budget: the next invocation goes on with it at once. */
    private again(): void {
      const at = now();
      if (this.alarmAt === null || at < this.alarmAt) {
        this.alarmAt = at;
        void this.ctx.storage.setAlarm(at);
      }
    }

    /** Moves the NULL time bucket's groups into the buffered output, in one transaction with deleting their rows. */
    private emitUnbucketed(): void {
      const window = this.window;
      if (!window?.hasUnbucketed()) return;
      const at = now();
      try {
        this.transact(() => {
          this.insertRows(window.emitUnbucketed(), at);
          this.sql.exec(`DELETE FROM win WHERE start IS NULL`);
          this.insertFailed(window.takeFailed(), at);
        });
        this.unbucketedSince = null;
      } catch (error) {
        // The in-memory window state is ahead of the rolled-back storage: rebuild it.
        if (this.name) this.bind(this.name);
        throw error;
      }
    }

    private async flushAll(): Promise<boolean> {
      if (this.name === null) return true;
      this.puts = this.putBudget();
      try {
        this.emitUnbucketed();
        const limit = this.sql.exec<{ last: number | null }>(`SELECT max(last) AS last FROM batches`).one().last ?? 0;
        let more: boolean | null;
        while ((more = await this.flushRows(limit)));
        if (more === null) return false;
        const deadLimit = this.sql.exec<{ last: number | null }>(`SELECT max(seq) AS last FROM dead`).one().last ?? 0;
        while ((more = await this.flushDead(deadLimit)));
        if (more === null) return false;
        this.setMeta("lastError", null);
        return true;
      } catch (error) {
        this.setMeta("lastError", `${new Date(now()).toISOString()} ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
    }

    /**
     * The range to flush next: the one recorded before a crash, else whole
     * batches (rows) or letters (dead) from the oldest on, up to the flush
     * bounds (a batch larger than a bound goes alone, whole).
     */
    private nextRange(table: "batches" | "dead", pendingKey: string, limit: number): { first: number; last: number } | null {
      const pending = this.meta(pendingKey);
      if (pending !== null) return JSON.parse(pending) as { first: number; last: number };
      const flush = this.spec().flush;
      const query =
        table === "batches"
          ? `SELECT first, last, bytes FROM batches WHERE first <= ? ORDER BY first LIMIT ?`
          : `SELECT seq AS first, seq AS last, CASE WHEN letter = '' THEN (SELECT sum(length(text)) FROM dead_parts p WHERE p.seq = dead.seq) ELSE length(letter) END AS bytes FROM dead WHERE seq <= ? ORDER BY seq LIMIT ?`;
      const units = this.sql.exec<{ first: number; last: number; bytes: number }>(query, limit, flush.rows).toArray();
      if (units.length === 0) return null;
      let rows = 0;
      let bytes = 0;
      let last = units[0]!.last;
      for (const u of units) {
        const n = u.last - u.first + 1;
        if (rows > 0 && (rows + n > flush.rows || bytes + u.bytes > flush.bytes)) break;
        rows += n;
        bytes += u.bytes;
        last = u.last;
      }
      const range = { first: units[0]!.first, last };
      this.setMeta(pendingKey, JSON.stringify(range));
      return range;
    }

    /**
     * Stores the objects of the pending range after the `doneKey` first ones, up to the budget:
     * true when every one is stored, false when the budget ran out first (how many are stored is
     * recorded, so the next invocation goes on from there; a crash before the record repeats the
     * same objects with the same bytes).
     */
    private async putWithin(files: { key: string; rows: number; encode(): Uint8Array }[], doneKey: string, contentType: string, written: WrittenFile[]): Promise<boolean> {
      const done = Number(this.meta(doneKey) ?? 0);
      const sink = this.sink(this.spec());
      // The budget counts requests: an S3 object past its multipart threshold takes one per part.
      // An invocation's first object goes whatever it costs (it cannot be split); the others only within the budget.
      const fresh = this.puts === this.putBudget();
      const now_: EncodedFile[] = [];
      let cost = 0;
      for (let i = done; i < files.length && this.puts - cost > 0; i++) {
        const f = files[i]!;
        const body = f.encode();
        const requests = sink.requestsFor?.(body.length) ?? 1;
        if (cost + requests > this.puts && !(fresh && now_.length === 0)) break;
        now_.push({ key: f.key, rows: f.rows, body });
        cost += requests;
      }
      const stored = await putEncoded(sink, now_, contentType);
      this.puts -= cost;
      written.push(...stored);
      if (done + stored.length >= files.length) return true;
      this.transact(() => {
        this.setMeta(doneKey, String(done + stored.length));
        this.add("files", stored.length);
        this.add("bytes", stored.reduce((s, f) => s + f.bytes, 0));
      });
      return false;
    }

    /** Flushes the next range of rows: true when there may be another, null when this invocation's budget ran out first. */
    private async flushRows(limit: number): Promise<boolean | null> {
      const plan = this.plan;
      if (!plan) return false;
      const range = this.nextRange("batches", "pendingRows", limit);
      if (!range) return false;
      const batches = this.sql.exec<{ rows: string }>(`SELECT rows FROM batches WHERE first BETWEEN ? AND ? ORDER BY first`, range.first, range.last).toArray();
      const codec = rowCodec(plan.kind === "window" ? plan.output : plan.buffered);
      const texts = batches.map((b) => JSON.parse(b.rows) as JsonValue[][]);
      let rows: Row[] = [];
      const failed: FailedGroup[] = [];
      if (plan.kind === "per-flush") {
        const state = new WindowState(plan.aggregate!, deps.library);
        state.onGroupError = (keys, error) => failed.push(failedGroup(error, keys));
        // A row whose aggregate input fails (a CAST inside sum(), computed here) is a dead letter counted
        // nowhere (`addRow` changes nothing when it throws); it failed every flush before, and nothing more was written.
        for (const json of texts) {
          for (const j of json) {
            try {
              state.addRow(codec.decodeJson(j));
            } catch (error) {
              failed.push({ reason: error instanceof Error ? error.message : String(error), raw: stringifyJsonLossless(j), kind: "row" });
            }
          }
        }
        const names = plan.output.map((c) => c.name);
        const newRow = rowFactory(names);
        rows = tailStage(plan.tail, deps.library, plan.aggregate!.keys.length)(state.emitAll(), failed).map((v) => {
          const row = newRow();
          for (let i = 0; i < names.length; i++) row[names[i]!] = v[i] ?? null;
          return row;
        });
      } else {
        // Buffered rows are the sink's output rows (plain: the Worker's; window: emitted ones).
        for (const json of texts) for (const j of json) rows.push(codec.decodeRow(j));
      }
      // A row no object key or file can hold (a partition value past 255 bytes, a HUGEINT past 38 digits) is a dead letter, written with the rest.
      let rejected = 0;
      const onUnwritable = (row: Row, reason: string): void => {
        rejected++;
        failed.push({ reason, raw: stringifyJsonLossless(row), kind: "row" });
      };
      const files: WrittenFile[] = [];
      if (rows.length) {
        const all = batchFiles({ parquet: deps.parquet, schema: plan.output, rows, partitionBy: plan.partitionBy, sinkName: plan.sink, writer: this.writer, first: range.first, last: range.last, layout: { onUnwritable } });
        if (!(await this.putWithin(all, "pendingRowsDone", "application/vnd.apache.parquet", files))) return null;
      }
      this.transact(() => {
        this.sql.exec(`DELETE FROM batches WHERE first BETWEEN ? AND ?`, range.first, range.last);
        this.insertFailed(failed, now());
        this.measure();
        this.setMeta("pendingRows", null);
        this.setMeta("pendingRowsDone", null);
        this.add("rowsOut", rows.length - rejected);
        this.add("files", files.length);
        this.add("bytes", files.reduce((s, f) => s + f.bytes, 0));
        this.setMeta("lastFlush", new Date(now()).toISOString());
      });
      return true;
    }

    /** The text of a letter stored in parts (`insertDead`). */
    private letterParts(seq: number): string {
      const parts = this.sql.exec<{ text: string }>(`SELECT text FROM dead_parts WHERE seq = ? ORDER BY part`, seq).toArray();
      if (parts.length === 0) throw new Error(`worker: dead letter ${seq} is stored in parts, but none are left`);
      return parts.map((p) => p.text).join("");
    }

    /** Flushes the next range of dead letters: true when there may be another, null when the budget ran out first. */
    private async flushDead(limit: number): Promise<boolean | null> {
      const range = this.nextRange("dead", "pendingDead", limit);
      if (!range) return false;
      const letters = this.sql
        .exec<{ seq: number; letter: string }>(`SELECT seq, letter FROM dead WHERE seq BETWEEN ? AND ? ORDER BY seq`, range.first, range.last)
        .toArray()
        .map((r) => JSON.parse(r.letter === "" ? this.letterParts(r.seq) : r.letter) as DeadLetter);
      const groups = new Map<string, DeadLetter[]>();
      for (const letter of letters) {
        const key = `${letter.source}\u0000${letter.at.slice(0, 10)}`;
        const list = groups.get(key);
        if (list) list.push(letter);
        else groups.set(key, [letter]);
      }
      const files = [...groups].map(([key, list]) => {
        const [source, day] = key.split("\u0000") as [string, string];
        return { key: deadLetterKey({ source, day, writer: this.writer, first: range.first, last: range.last }), rows: list.length, encode: () => encodeDeadLetters(list) };
      });
      const written: WrittenFile[] = [];
      if (!(await this.putWithin(files, "pendingDeadDone", "application/x-ndjson", written))) return null;
      this.transact(() => {
        this.sql.exec(`DELETE FROM dead WHERE seq BETWEEN ? AND ?`, range.first, range.last);
        this.sql.exec(`DELETE FROM dead_parts WHERE seq BETWEEN ? AND ?`, range.first, range.last);
        this.measure();
        this.setMeta("pendingDead", null);
        this.setMeta("pendingDeadDone", null);
        this.add("files", written.length);
        this.add("bytes", written.reduce((s, f) => s + f.bytes, 0));
        this.setMeta("lastFlush", new Date(now()).toISOString());
      });
      return true;
    }

    private sink(spec: SinkSpec): Sink {
      const target = spec.target;
      switch (target.kind) {
        case "r2": {
          const bucket = this.env[target.binding];
          if (!bucket) throw new Error(`worker: sink ${spec.name} writes to R2 binding ${target.binding}, which the Worker does not have`);
          return r2Sink(bucket as R2BucketLike, { prefix: target.prefix, name: target.binding });
        }
        case "s3": {
          const accessKeyId = this.env[BINDINGS.s3AccessKeyId];
          const secretAccessKey = this.env[BINDINGS.s3SecretAccessKey];
          if (typeof accessKeyId !== "string" || typeof secretAccessKey !== "string") {
            throw new Error(`worker: sink ${spec.name} writes to S3 and needs the secrets ${BINDINGS.s3AccessKeyId} and ${BINDINGS.s3SecretAccessKey}`);
          }
          return s3Sink({
            endpoint: target.endpoint ?? (typeof this.env[BINDINGS.s3Endpoint] === "string" && this.env[BINDINGS.s3Endpoint] !== "" ? (this.env[BINDINGS.s3Endpoint] as string) : `https://s3.${target.region}.amazonaws.com`),
            bucket: target.bucket,
            prefix: target.prefix,
            region: target.region,
            accessKeyId,
            secretAccessKey,
          });
        }
        case "fs":
          throw new Error(`worker: sink ${spec.name} writes to a local folder (fs), which a Worker cannot; publish it to s3 or r2`);
      }
    }

    metrics(): ObjectMetrics {
      const counter = (c: Counter) => this.counters[c];
      const r = this.depth.rows;
      const w = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM win`).one();
      const oldest = [r.oldest, this.depth.dead.oldest].filter((x): x is number => x !== null);
      return {
        object: this.name ?? "?",
        eventsIn: counter("eventsIn"),
        rowsIn: counter("rowsIn"),
        rowsOut: counter("rowsOut"),
        files: counter("files"),
        bytes: counter("bytes"),
        deadLetters: counter("deadLetters"),
        lateEvents: counter("lateEvents"),
        bufferRows: r.n,
        bufferBytes: r.bytes,
        windowRows: w.n,
        oldestBufferedMs: oldest.length ? now() - Math.min(...oldest) : null,
        lastFlush: this.meta("lastFlush"),
        lastError: this.meta("lastError"),
      };
    }
  };
}

/** TIMESTAMP 'infinity' in microseconds. */
const TIMESTAMP_INFINITY = 2n ** 63n - 1n;

/**
 * Not an event but the pipeline's own output that could not be written: a group that failed as it
 * was emitted (its keys as JSON text) or an output row no file can hold. A dead letter of its `kind`.
 */
interface FailedGroup {
  reason: string;
  raw: string;
  kind: "group" | "row";
}

function failedGroup(error: unknown, keys: Value[]): FailedGroup {
  return { reason: groupError(error), raw: stringifyJsonLossless(keys), kind: "group" };
}

/**
 * Filters and projections after an aggregate, as closures. Given `failed`, each group row runs
 * alone and one that fails (a HAVING or SELECT-list error) goes there instead of failing the rest.
 */
function tailStage(ops: Operator[], lib: FunctionLibrary, keys: number): (rows: Value[][], failed?: FailedGroup[]) => Value[][] {
  const stages = ops.map((op): ((rows: Value[][]) => Value[][]) => {
    if (op.op === "filter") {
      const pred = compileExpr(op.predicate, lib);
      return (rows) => rows.filter((r) => pred(r) === true);
    }
    if (op.op === "project") {
      const exprs: Eval[] = op.exprs.map((e) => compileExpr(e.expr, lib));
      return (rows) => rows.map((r) => exprs.map((f) => f(r)));
    }
    throw new Error(`worker: ${op.op} after an aggregate is outside the plan's shape (cell ${op.origin.cell})`);
  });
  return (rows, failed) => {
    if (!failed) return stages.reduce((rs, s) => s(rs), rows);
    const out: Value[][] = [];
    for (const row of rows) {
      try {
        out.push(...stages.reduce((rs, s) => s(rs), [row]));
      } catch (error) {
        failed.push(failedGroup(error, row.slice(0, keys)));
      }
    }
    return out;
  };
}

/**
 * A window sink's state: WindowState (the executor's own) plus which
 * buffered rows belong to which window, so emitted windows' rows can be
 * deleted and the rest replayed after a restart.
 */
class OpenWindows {
  private state: WindowState;
  private readonly bucket: Eval;
  /** A window's end from its start. */
  private readonly endOf: (start: bigint) => bigint;
  private readonly codec;
  private readonly outputCodec;
  private readonly tail;
  /** Open window starts (decimal text) and their ends. */
  private readonly open = new Map<string, bigint>();
  private readonly failed: FailedGroup[] = [];
  emittedUpTo: bigint | null = null;
  /** Whether the window's key is a zone's wall time, its watermark and `emittedUpTo` real time (`window.wall`). */
  readonly wallTime: boolean;

  constructor(
    private readonly plan: SinkPlan,
    private readonly lib: FunctionLibrary,
  ) {
    const op = plan.aggregate!;
    this.state = this.fresh();
    this.bucket = compileExpr(op.keys[op.window!.key]!.expr, lib);
    this.endOf = windowEnd(op.window!);
    this.wallTime = op.window!.wall !== undefined;
    this.codec = rowCodec(plan.buffered);
    this.outputCodec = rowCodec(plan.output);
    this.tail = tailStage(plan.tail, lib, op.keys.length);
  }

  /** Groups that failed as they were emitted since the last call, for dead letters. */
  takeFailed(): FailedGroup[] {
    return this.failed.splice(0);
  }

  private fresh(): WindowState {
    const state = new WindowState(this.plan.aggregate!, this.lib);
    state.onGroupError = (keys, error) => this.failed.push(failedGroup(error, keys));
    return state;
  }

  private startOf(row: Value[]): string | null {
    const text = this.startText(row);
    if (text !== null && !this.open.has(text)) this.open.set(text, this.endOfText(text));
    return text;
  }

  /** A row's window start as stored in `win` (microseconds, a DATE bucket's midnight), null for a NULL or infinite bucket (`windowStart`). */
  startText(row: Value[]): string | null {
    const s = windowStart(this.bucket(row));
    return s === null ? null : s.toString();
  }

  /** The end of the window starting at a stored start. */
  endOfText(start: string): bigint {
    return this.endOf(BigInt(start));
  }

  /**
   * A wall-time watermark (windows whose wall end was at or before it were emitted) as the instant
   * those windows end by, for `emittedUpTo` stored before it was kept in real time.
   */
  emittedFromWall(stored: string | null): string | null {
    const wall = this.plan.aggregate!.window!.wall;
    return stored === null || !wall ? stored : wallClock(wall.zone).endsAt(BigInt(stored)).toString();
  }

  /** Rebuilds the state from the rows of open windows, in arrival order. */
  restore(rows: Value[][], emittedUpTo: string | null): void {
    this.state = this.fresh();
    this.open.clear();
    for (const row of rows) this.startOf(row);
    this.state.add(rows);
    if (emittedUpTo !== null) {
      this.emittedUpTo = BigInt(emittedUpTo);
      const again = this.state.emitUpTo(this.emittedUpTo);
      if (again.length) throw new Error(`worker: ${again.length} rows of windows already emitted were still stored (sink ${this.plan.sink})`);
    }
  }

  /** Adds encoded rows; returns the rows to keep (with their window start), the late ones, and the encoded output of windows the watermark closed. */
  /**
   * Windows are emitted as the executor emits them: after each event (`ends`: the index of each event's
   * last row; without it every row is an event), as soon as the watermark passes an open window. So a
   * row later in the same request whose window that closed is late, as it is in the Kafka runner and the
   * check's stream order; the request's cut does not change what is written. (Until 2026-12-05 the
   * windows were emitted once per request: an event older than the lateness counted when it came in
   * the same request as the newer one.)
   */
  add(json: JsonValue[][], raws: string[], ends: number[] | null | undefined, now: number): { keep: { start: string | null; row: string }[]; late: { reason: string; raw: string }[]; emitted: string[] } {
    // The Worker's clock (ms): an event more than the sink's max_ahead ahead of it is a dead letter, not a watermark (window.ts).
    this.state.clock = BigInt(Math.floor(now)) * 1000n;
    // Setting the clock drops a watermark past max_ahead that an older version stored (window.ts): so does the
    // object's own mark, or `closedStarts` would delete the rows of windows still open, lost at the next restart.
    const boundary = this.state.emittedBoundary;
    if (this.emittedUpTo !== null && (boundary === null || boundary < this.emittedUpTo)) this.emittedUpTo = boundary;
    const rows = json.map((j) => this.codec.decodeJson(j));
    const texts = json.map((j) => JSON.stringify(j));
    const eventEnds = ends ? new Set(ends) : null;
    const late: { index: number; reason: string }[] = [];
    const emitted: string[] = [];
    // Rows of an event whose aggregate input failed: its dead letter is at its first row, and none of them is kept.
    const dropped = new Set<number>();
    for (let i = 0; i < rows.length; i++) {
      if (i === 0 || eventEnds === null || eventEnds.has(i - 1)) {
        // An aggregate's argument is computed here (a CAST inside sum()), and may fail on an event's value: the
        // event's rows are read whole before any is added, so it is a dead letter counted nowhere, as in the
        // runner. The error escaped before, and the delivery answered 503 on every retry.
        let last = i;
        while (eventEnds !== null && !eventEnds.has(last) && last < rows.length - 1) last++;
        // A one-row event needs no read ahead: addRow reads everything before it changes any state.
        const failure = last > i ? this.unreadable(rows, i, last) : null;
        if (failure !== null) {
          late.push({ index: i, reason: failure });
          for (let j = i; j <= last; j++) dropped.add(j);
          i = last;
          continue;
        }
      }
      let reason: string | null;
      try {
        reason = this.state.addRow(rows[i]!);
      } catch (error) {
        // A read that fails changes nothing; a step that fails (a HUGEINT sum past its range) is the row's dead letter too.
        reason = error instanceof Error ? error.message : String(error);
        dropped.add(i);
      }
      if (reason !== null) late.push({ index: i, reason });
      if ((eventEnds === null || eventEnds.has(i) || i === rows.length - 1) && this.state.due()) {
        const wm = this.state.watermark()!;
        for (const v of this.tail(this.state.emitUpTo(wm), this.failed)) emitted.push(this.outputCodec.encode(v));
        if (this.emittedUpTo === null || wm > this.emittedUpTo) this.emittedUpTo = wm;
      }
    }
    const lateAt = new Set(late.map((l) => l.index));
    const keep = texts.flatMap((row, i) => (lateAt.has(i) || dropped.has(i) ? [] : [{ start: this.startOf(rows[i]!), row }]));
    return { keep, late: late.map((l) => ({ reason: l.reason, raw: raws[l.index] ?? "" })), emitted };
  }

  /** Why rows `from`..`to` (one event's) cannot be aggregated (an argument or key fails on them), or null. */
  private unreadable(rows: Value[][], from: number, to: number): string | null {
    try {
      for (let j = from; j <= to; j++) this.state.checkRow(rows[j]!);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * The encoded output of the groups whose time bucket is NULL, which no
   * watermark closes: they go out with every flush (`WindowState.emitUnbucketed`);
   * their stored rows can go then.
   */
  emitUnbucketed(): string[] {
    return this.tail(this.state.emitUnbucketed(), this.failed).map((v) => this.outputCodec.encode(v));
  }

  hasUnbucketed(): boolean {
    return this.state.hasUnbucketed();
  }

  /** Window starts whose windows were emitted; their rows can go. */
  closedStarts(): string[] {
    const out: string[] = [];
    if (this.emittedUpTo === null) return out;
    for (const [start, end] of this.open) {
      if (end <= this.emittedUpTo) {
        out.push(start);
        this.open.delete(start);
      }
    }
    return out;
  }
}

/**
 * The work of the Kafka runner that is not Kafka: per partition, decode the
 * messages' values, run the plan's executor, buffer the rows, and write
 * sealed flushes' Parquet objects and dead letters (the caller stores each
 * flush's checkpoint first, from the snapshot the seal's answer carries).
 * `kafka.ts` keeps the consumer group, the offsets and the commits on the
 * main thread and drives one `EngineHost` per worker thread
 * (`partition-worker.ts`), or one in its own thread when `workers` is 0.
 *
 * Per partition the host keeps two queues: `run`/`seal` (CPU work on the
 * current buffers) and `write` (the oldest sealed flush, waiting for S3).
 * A seal moves the current buffers and the executor's snapshot into a
 * sealed flush covering offsets [first, last] and starts new buffers, so the
 * partition keeps transforming while an earlier flush is uploaded; a write
 * that fails leaves its sealed flush in place to be written again, the same
 * keys with the same bytes.
 */
import type { AvroSpec, KafkaMetadataField, SinkSpec, SourceFormat } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import { jsonKey } from "../plan/values.ts";
import { buildPipeline, sinksFlushingAggregates, type Executor, type RunResult } from "../exec/pipeline.ts";
import { defaultLibrary } from "../exec/library.ts";
import { integersAtText } from "../exec/convert.ts";
import type { ParquetWriter } from "../parquet/writer.ts";
import { decodePayload, MessageEvents, readJsonMessage, tombstoneReason } from "../../gateway/sources/decode.ts";
import { decodeAvroValue, loadWriterSchemas, segmentValues, valueReader, type ValueReader } from "../../gateway/sources/avro.ts";
import { arrayElementTexts } from "../worker/parse.ts";
import { executorLetter, type DeadLetter, type LetterOrigin } from "../sinks/dead-letter.ts";
import type { WrittenFile } from "../sinks/write-batch.ts";
import { SinkWriter, type SinkTarget } from "./sink-writer.ts";
import { addMetadata, eventText, kafkaOrigin, METADATA_COLUMNS, metadataColumns, type MetadataColumns } from "./kafka-metadata.ts";

/** What an engine needs to know of the pipeline; plain data, so it crosses to a worker thread. */
export interface EngineConfig {
  plan: Plan;
  topic: string;
  /** `metadata`: the record's fields each event gets as columns (`_key`, ...; kafka-metadata.ts). */
  source: { name: string; format: SourceFormat; metadata?: KafkaMetadataField[]; avro?: AvroSpec };
}

/** A message's headers, as kafkajs decodes them (a repeated name's values in a list), values copied. */
export type SegmentHeaders = Record<string, Uint8Array | null | (Uint8Array | null)[]>;

/**
 * Consecutive messages of one partition, packed for a worker: the values
 * back to back in `values` (`lengths[i]` bytes each, -1 for a tombstone),
 * with their offsets and timestamps (ms).
 */
export interface Segment {
  values: Uint8Array;
  lengths: Int32Array;
  offsets: BigInt64Array;
  timestamps: Float64Array;
  /** Tombstones' keys (their bytes), by message index: a CDC topic's delete names its row by its key. */
  tombstoneKeys?: Record<number, Uint8Array>;
  /** With `metadata: [key]`: the keys back to back, `keyLengths[i]` bytes each (-1: a null key). */
  keys?: Uint8Array;
  keyLengths?: Int32Array;
  /** With `metadata: [timestamp]`: the timestamps as the records have them (`timestamps` stands in a time for one that is no date). */
  recordTimes?: Float64Array;
  /** With `metadata: [headers]`: each message's headers. */
  headers?: SegmentHeaders[];
}

/** A partition's buffers after a request; `rows` and `deadLetters` count what this request added. */
export interface EngineStatus {
  /** Events this request read: a message may hold several (a JSON array, NDJSON lines) or be one dead letter. */
  events: number;
  rows: number;
  deadLetters: number;
  depth: number;
  oldest: number | null;
  /** Counts this engine's statuses: the caller keeps `depth` and `oldest` of the highest it has seen. */
  seq: number;
  /** The seals this request made, oldest first; each needs its checkpoint stored, then a `write`. */
  sealed: SealedRange[];
}

/** A sealed flush as the caller sees it: offsets [first, last] and the checkpoint to store before its objects (null: none). */
export interface SealedRange {
  first: string;
  last: string;
  /** `Executor.snapshot()` after `last`; null when the flush covers no new offset (a backfill's end windows). */
  snapshot: string | null;
  /**
   * The record at `last` as the checkpoint remembers it: its time (ms, as handed in `timestamps`) and its
   * value's length (-1: a tombstone). A replay of the flush checks it is reading the same record, not a
   * topic created again under the name (state-store.ts, `Recovery.record`).
   */
  record?: { time: number; length: number };
}

export interface WriteResult {
  first: string;
  last: string;
  files: WrittenFile[];
  status: EngineStatus;
}

export type EngineRequest =
  | { op: "open"; id: number; partition: number; writerName: string; snapshot: string | null }
  /** `autoSeal`: seal whenever a sink reaches its flush bound (off while replaying a flush up to a fixed offset). */
  | { op: "run"; id: number; segment: Segment; autoSeal: boolean }
  /** Seal what is buffered: always, or only when a bound (rows, bytes, age) is reached; `final` first emits every open window. */
  | { op: "seal"; id: number; final: boolean; ifDue: boolean }
  | { op: "write"; id: number }
  | { op: "drop"; id: number };

/**
 * A `json` message value decoded with one `JSON.parse`, exactly as `decodePayload` decodes it
 * (a top-level array is its elements), or undefined when only `decodePayload` can say: the bytes
 * are not UTF-8 or not JSON (its dead letter), or an integer is beyond 2^53 (its exact parser).
 * The engine reads messages with `readJsonMessage`, which also gives those events.
 */
export function parseJsonOnce(bytes: Uint8Array, realsMatter?: (value: unknown) => boolean): unknown {
  const read = readJsonMessage(bytes, 0, realsMatter);
  return read instanceof MessageEvents ? undefined : read;
}

const utf8Text = new TextDecoder("utf-8");

/**
 * A dead event's text as its message carried it: the whole message for a `json` message of one
 * event, the element's own text for a message holding an array of events (null for anything else,
 * e.g. a value that is not an object or array, or a CSV / NDJSON message's record, which the caller
 * writes back out). Only called for dead letters, so the walk over the chunk's lengths costs nothing
 * on the usual path.
 */
function rawTextOf(event: unknown, events: unknown[], messages: number[], values: Uint8Array, lengths: ArrayLike<number>, first: number, from: number, format: SourceFormat, places: ChunkPlaces): string | null {
  if (format !== "json" || event === null || typeof event !== "object") return null;
  const index = places.indexOf(event, events);
  if (index < 0) return null;
  const message = messages[index]!;
  const at = places.startOf(message, lengths, first, from);
  let text = utf8Text.decode(values.subarray(at, at + lengths[message]!));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let n = 0;
  for (let k = index - 1; k >= 0 && messages[k] === message; k--) n++;
  let count = n;
  for (let k = index; k < messages.length && messages[k] === message; k++) count++;
  const trimmed = text.trim();
  if (count === 1 && !trimmed.startsWith("[")) return trimmed;
  return arrayElementTexts(text, count)?.[n] ?? null;
}

/**
 * Where a chunk's events and messages are, found on its first dead letter: each letter then finds its
 * event and its message's bytes at once (a walk over the chunk per letter made a chunk of only bad
 * events quadratic, ~9 % of the runner's time for them).
 */
class ChunkPlaces {
  private index: Map<unknown, number> | null = null;
  private starts: number[] | null = null;

  indexOf(event: unknown, events: unknown[]): number {
    if (this.index === null) {
      this.index = new Map();
      for (let i = events.length - 1; i >= 0; i--) this.index.set(events[i], i);
    }
    return this.index.get(event) ?? -1;
  }

  /** Where message `message` starts in `values` (messages from `first` on start at `from`). */
  startOf(message: number, lengths: ArrayLike<number>, first: number, from: number): number {
    if (this.starts === null) this.starts = [from];
    const starts = this.starts;
    for (let m = first + starts.length - 1; m < message; m++) starts.push(starts[starts.length - 1]! + Math.max(0, lengths[m]!));
    return starts[message - first]!;
  }
}

interface Sealed {
  first: bigint;
  last: bigint;
  writer: SinkWriter;
  writerName: string;
}

class PartitionEngine {
  executor: Executor;
  writer: SinkWriter;
  first: bigint | null = null;
  last: bigint | null = null;
  /** The time and value length of the message at `last` (see `SealedRange.record`); two numbers, not an object per message. */
  lastTime = 0;
  lastLength = -1;
  readonly sealed: Sealed[] = [];
  events = 0;
  rows = 0;
  deadLetters = 0;
  newSeals: SealedRange[] = [];
  statusSeq = 0;
  dropped = false;
  cpu: Promise<unknown> = Promise.resolve();
  io: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: EngineHost,
    readonly partition: number,
    readonly writerName: string,
    snapshot: string | null,
  ) {
    this.executor = buildPipeline(host.config.plan, { library: defaultLibrary, mode: "dead-letter" });
    if (snapshot !== null) this.executor.restore(snapshot);
    this.writer = host.newWriter(writerName);
  }

  status(): EngineStatus {
    // Sealed flushes are still buffered until written. Dead letters count: a partition whose every
    // event is one must be sealed by the clock too (the runner seals a partition with a depth).
    let depth = this.writer.depth + this.writer.deadLetterDepth;
    let oldest = this.writer.oldest;
    for (const { writer } of this.sealed) {
      depth += writer.depth + writer.deadLetterDepth;
      const o = writer.oldest;
      if (o !== null && (oldest === null || o < oldest)) oldest = o;
    }
    const s: EngineStatus = { events: this.events, rows: this.rows, deadLetters: this.deadLetters, depth, oldest, seq: ++this.statusSeq, sealed: this.newSeals };
    this.events = 0;
    this.rows = 0;
    this.deadLetters = 0;
    this.newSeals = [];
    return s;
  }

  /**
   * Buffers what the executor gave; `ts` (ms) dates its dead letters. `rawText`, when given, finds an
   * event's own text in its message (the payload as sent: its spacing, `10.0`, NaN), else the event is
   * written back out as JSON.
   */
  private take(result: RunResult, ts: number, rawText?: (event: unknown) => string | null, originOf?: (event: unknown) => LetterOrigin | undefined): void {
    for (const [sink, rows] of Object.entries(result.rows)) {
      // A row no file can hold is one of the partition's dead letters (the sink writer wrote it so), not a row.
      const rejected = this.writer.add(sink, rows);
      this.rows += rows.length - rejected;
      this.deadLetters += rejected;
    }
    if (result.deadLetters.length) {
      const source = this.host.config.source.name;
      const at = new Date(ts).toISOString();
      this.writer.addDeadLetters(
        result.deadLetters.map((d) => {
          if (d.kind || !originOf) return executorLetter(d, source, at, d.kind ? null : rawText?.(d.raw));
          const letter = executorLetter(d, source, at, rawText?.(d.raw) ?? this.withoutColumns(d.raw));
          const origin = originOf(d.raw);
          if (origin) letter.origin = origin;
          return letter;
        }),
      );
      this.deadLetters += result.deadLetters.length;
    }
  }

  /**
   * An event's text without the record's columns the engine added (the executor refused it after
   * they were added): the letter keeps the event as sent and the columns in its `origin`, so a
   * replay adds them once. An event with a field of a column's name was refused before any was
   * added, so every such field here is the engine's.
   */
  private withoutColumns(event: unknown): string | null {
    if (event === null || typeof event !== "object" || Array.isArray(event)) return null;
    const names = new Set((this.host.config.source.metadata ?? []).map((f) => METADATA_COLUMNS[f].name));
    return eventText(Object.fromEntries(Object.entries(event).filter(([name]) => !names.has(name))));
  }

  run(segment: Segment, autoSeal: boolean): void {
    const { name, format, metadata } = this.host.config.source;
    const { values, lengths, offsets, timestamps } = segment;
    const withMetadata = metadata !== undefined && metadata.length > 0;
    let keyAt = 0;
    let events: unknown[] = [];
    // Per event, the index of its message (for a dead letter's raw text); the chunk's first message and its byte offset.
    let eventMessage: number[] = [];
    let chunkFirst = 0;
    let chunkAt = 0;
    // The time of the newest message, dating the executor's dead letters (as text only when there are some).
    let eventsTs = 0;
    let at = 0;
    // Where each message's key starts in `segment.keys`, for the origin of its dead letters.
    const keyStarts = withMetadata ? new Int32Array(lengths.length) : null;
    /** What a dead letter of message i keeps of its record, so a replay gives it the same columns (dead-letter.ts `origin`). */
    const originOf = (i: number): LetterOrigin | undefined => {
      if (!withMetadata || lengths[i]! < 0) return undefined;
      const keyLength = segment.keyLengths?.[i] ?? -1;
      return kafkaOrigin(metadata ?? [], {
        key: keyLength < 0 ? null : segment.keys!.subarray(keyStarts![i]!, keyStarts![i]! + keyLength),
        timestamp: segment.recordTimes?.[i] ?? timestamps[i]!,
        partition: this.partition,
        offset: offsets[i]!,
        topic: this.host.config.topic,
        headers: segment.headers?.[i],
      });
    };
    // A letter's time as text, made once for the messages of one time (a producer's bad release dead-letters them all).
    let letterTs = NaN;
    let letterAt = "";
    const deadLetter = (reason: string, raw: string, ts: number): void => {
      const origin = originOf(message);
      if (ts !== letterTs) {
        letterTs = ts;
        letterAt = new Date(ts).toISOString();
      }
      const letter: DeadLetter = { reason, raw, source: name, at: letterAt };
      if (origin) letter.origin = origin;
      this.writer.addDeadLetters([letter]);
      this.deadLetters++;
      this.events++;
    };
    // The message being read, and its record's columns, made once for all the events of the message.
    let message = 0;
    let messageTs = 0;
    let columns: MetadataColumns | null = null;
    /** An event goes to the executor with its record's columns, or is a dead letter saying why it cannot have them. */
    const take = (event: unknown): void => {
      if (columns !== null) {
        const added = columns.ok ? addMetadata(event, columns.columns) : columns;
        if (!added.ok) {
          deadLetter(added.error, eventText(event), messageTs);
          return;
        }
      }
      events.push(event);
      eventMessage.push(message);
    };
    for (let i = 0; i < lengths.length; i++) {
      const offset = offsets[i]!;
      const length = lengths[i]!;
      const ts = timestamps[i]!;
      eventsTs = ts;
      if (this.first === null) this.first = offset;
      columns = null;
      if (withMetadata) {
        const keyLength = segment.keyLengths?.[i] ?? -1;
        const key = keyLength < 0 ? null : segment.keys!.subarray(keyAt, keyAt + keyLength);
        keyStarts![i] = keyAt;
        if (keyLength > 0) keyAt += keyLength;
        if (length >= 0) {
          columns = metadataColumns(metadata, {
            key,
            timestamp: segment.recordTimes?.[i] ?? ts,
            partition: this.partition,
            offset,
            topic: this.host.config.topic,
            headers: segment.headers?.[i],
          });
        }
      }
      message = i;
      messageTs = ts;
      if (length < 0) {
        deadLetter(tombstoneReason(offset, segment.tombstoneKeys?.[i]), "", ts);
      }
      else {
        const bytes = values.subarray(at, at + length);
        at += length;
        const avro = this.host.avro;
        if (avro !== null) {
          // `format: avro`: decoded as the notebook's sample decodes it (gateway/sources/avro.ts), then a JSON event.
          for (const d of decodeAvroValue(bytes, avro, ts)) {
            if (d.ok) take(d.value);
            else deadLetter(d.error, d.raw, ts);
          }
        } else if (length === 0 && format === "json") {
          deadLetter("kafka: message value is empty (0 bytes)", "", ts);
        } else if (format === "json") {
          // Parsed once: a value that is not UTF-8 or not JSON is a dead letter with the first failure's reason.
          const read = readJsonMessage(bytes, ts, this.host.realsMatter);
          if (read instanceof MessageEvents) {
            for (const d of read.events) {
              if (d.ok) take(d.value);
              else deadLetter(d.error, d.raw, ts);
            }
          } else if (Array.isArray(read)) for (const v of read) take(v);
          else take(read);
        } else {
          for (const d of decodePayload(bytes, format, ts, undefined, this.host.csvHeader, true, "keep")) {
            if (d.ok) take(d.value);
            else deadLetter(d.error, d.raw, ts);
          }
        }
      }
      this.last = offset;
      this.lastTime = ts;
      this.lastLength = length;
      if (events.length >= 1000 || i === lengths.length - 1) {
        if (events.length > 0) {
          const chunk = events;
          const messages = eventMessage;
          const first = chunkFirst;
          const from = chunkAt;
          this.events += chunk.length;
          const places = new ChunkPlaces();
          const eventOrigin = withMetadata
            ? (event: unknown): LetterOrigin | undefined => {
              const index = places.indexOf(event, chunk);
              return index < 0 ? undefined : originOf(messages[index]!);
            }
            : undefined;
          // An Avro message holds no event text: a refused event is written back out as JSON.
          const rawText = this.host.avro === null ? (event: unknown) => rawTextOf(event, chunk, messages, values, lengths, first, from, format, places) : undefined;
          this.take(this.executor.run({ source: name, events: chunk, now: this.host.now() }), eventsTs, rawText, eventOrigin);
        }
        events = [];
        eventMessage = [];
        chunkFirst = i + 1;
        chunkAt = at;
        if (autoSeal && this.writer.due()) this.seal(false);
      }
    }
  }

  /** Moves what is buffered into a sealed flush (nothing when nothing is buffered). */
  seal(final: boolean): void {
    if (this.last === null) return;
    const at = this.host.now();
    for (const sink of this.host.perFlush) this.take(this.executor.flushAggregates(sink), at);
    // The end of a backfill emits every open window; when nothing new was read since the
    // last flush, those rows go to an object of their own so no earlier object is replaced.
    if (final) this.take(this.executor.finish(), at);
    if (this.first === null && this.writer.depth === 0 && this.writer.deadLetterDepth === 0) return;
    const first = this.first ?? this.last;
    this.sealed.push({ first, last: this.last, writer: this.writer, writerName: this.first === null ? `${this.writerName}.end` : this.writerName });
    this.newSeals.push({ first: first.toString(), last: this.last.toString(), snapshot: this.first === null ? null : this.executor.snapshot(), record: { time: this.lastTime, length: this.lastLength } });
    this.writer = this.host.newWriter(this.writerName);
    this.first = null;
  }

  /** Writes the oldest sealed flush's objects (the caller has stored its checkpoint). It stays sealed until all are written. */
  async write(): Promise<WriteResult> {
    const s = this.sealed[0];
    if (!s) throw new Error(`runner: partition ${this.partition} has no sealed flush to write`);
    const written = await s.writer.flush(s.first, s.last, s.writerName);
    this.sealed.shift();
    return { first: s.first.toString(), last: s.last.toString(), files: written.files, status: this.status() };
  }
}

/** The partitions of one thread. Requests of one partition run in order (writes in their own queue). */
export class EngineHost {
  private readonly engines = new Map<number, PartitionEngine>();
  readonly perFlush: string[];
  /** Whether a parsed message has an integer in a text column, where `10.0` and `10` differ (see `integersAtText`). */
  readonly realsMatter: (value: unknown) => boolean;
  /** The field names of a CSV message, in order (undefined for other formats). */
  readonly csvHeader: string[] | undefined;
  /** `format: avro`: the values' schema, or their registry's (null for a JSON, NDJSON or CSV topic). */
  readonly avro: ValueReader | null;

  constructor(
    readonly config: EngineConfig,
    private readonly targets: Record<string, SinkTarget>,
    private readonly parquet: ParquetWriter,
    readonly now: () => number = Date.now,
  ) {
    const first = Object.values(targets)[0];
    if (!first) throw new Error("runner: the plan has no sink");
    this.perFlush = sinksFlushingAggregates(config.plan);
    this.realsMatter = integersAtText(config.plan.sources[config.source.name]?.schema ?? []);
    this.avro = config.source.avro ? valueReader(config.source.avro, config.source.name) : null;
    // A Kafka CSV message is a record without a header line: its fields are the source's columns in
    // order (a first line spelling those names is a header and is skipped). Read with a header of its
    // own, a one-line message was taken for a header and lost, with no dead letter.
    if (config.source.format === "csv") this.csvHeader = (config.plan.sources[config.source.name]?.schema ?? []).map(jsonKey);
  }


  newWriter(name: string): SinkWriter {
    return new SinkWriter(this.config.plan, this.targets, this.parquet, name, this.now);
  }

  private engine(id: number): PartitionEngine {
    const engine = this.engines.get(id);
    if (!engine) throw new Error(`runner: no partition engine ${id} (dropped, or never opened)`);
    return engine;
  }

  /**
   * Answers one request. A request for an engine dropped meanwhile (a rebalance took its partition while
   * a seal or write of it was on its way) is a rejected answer, never a throw: thrown out of the worker's
   * message handler it ended the whole thread, and with it every partition of the runner.
   */
  handle(request: EngineRequest): Promise<unknown> {
    try {
      return this.answer(request);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private answer(request: EngineRequest): Promise<unknown> {
    switch (request.op) {
      case "open": {
        this.engines.set(request.id, new PartitionEngine(this, request.partition, request.writerName, request.snapshot));
        return Promise.resolve(null);
      }
      case "drop": {
        const engine = this.engines.get(request.id);
        if (engine) engine.dropped = true;
        this.engines.delete(request.id);
        return Promise.resolve(null);
      }
      case "run":
      case "seal": {
        const engine = this.engine(request.id);
        const next = engine.cpu.then(async () => {
          if (engine.dropped) throw new Error(`runner: partition ${engine.partition} was dropped`);
          // `avro.registry`: the writer schemas of the segment's values are looked up first (a registry that
          // cannot be asked fails the run, and the partition is read again from its checkpoint).
          if (request.op === "run") await loadWriterSchemas(this.avro, segmentValues(request.segment.values, request.segment.lengths));
          if (request.op === "run") engine.run(request.segment, request.autoSeal);
          else if (!request.ifDue || engine.writer.due()) engine.seal(request.final);
          return engine.status();
        });
        engine.cpu = next.catch(() => undefined);
        return next;
      }
      case "write": {
        const engine = this.engine(request.id);
        // The caller asks only for seals it was told of; writes of one partition go one after another.
        const next = engine.io.then(() => {
          if (engine.dropped) throw new Error(`runner: partition ${engine.partition} was dropped`);
          return engine.write();
        });
        engine.io = next.catch(() => undefined);
        return next;
      }
    }
  }
}

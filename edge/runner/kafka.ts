/**
 * The Node runner of a published Kafka pipeline: a kafkajs consumer group on
 * the source topic; each partition has its own executor and buffers; a flush
 * writes a checkpoint, then the partition's Parquet objects (named by topic,
 * partition and offset range), then commits the offsets. Exactly-once files
 * without a coordinator: see state-store.ts for how a restart resumes.
 *
 * Window aggregates run per partition, so a window's groups must not span
 * partitions: produce with a message key that the GROUP BY keys determine
 * (Kafka Streams' co-partitioning rule).
 */
import { stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig, type SASLOptions } from "kafkajs";
import type { SinkSpec, SourceSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import { buildPipeline, type Executor, type RunResult } from "../exec/pipeline.ts";
import { defaultLibrary } from "../exec/library.ts";
import type { ParquetWriter } from "../parquet/writer.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { SinkWriter, type SinkTarget } from "./sink-writer.ts";
import { StateStore } from "./state-store.ts";
import { RunnerMetrics } from "./metrics.ts";

type KafkaSource = Extract<SourceSpec, { kind: "kafka" }>;

export type StartPosition = { kind: "earliest" } | { kind: "latest" } | { kind: "timestamp"; ms: number };

export interface KafkaRunnerOptions {
  plan: Plan;
  source: KafkaSource;
  sinks: Record<string, SinkSpec>;
  targets: Record<string, SinkTarget>;
  parquet: ParquetWriter;
  /** Consumer group; runners sharing it split the topic's partitions. */
  groupId: string;
  brokers?: string[];
  ssl?: boolean;
  sasl?: SASLOptions;
  start?: StartPosition;
  /** Overrides the notebook's topic. */
  topic?: string;
  /**
   * Exit once every partition has reached the end the topic had when this
   * runner started — written by this runner, or committed by others of its
   * group — emitting every open window first (a backfill's end).
   */
  untilCaughtUp?: boolean;
  /** How long to wait before retrying a failed flush; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  metrics?: RunnerMetrics;
  log?: (line: string) => void;
  now?: () => number;
}

interface PartitionState {
  partition: number;
  executor: Executor;
  writer: SinkWriter;
  /** First offset of the unflushed range, or null when nothing is buffered. */
  first: bigint | null;
  /** The offset the next message must have. */
  next: bigint;
  /** The last offset processed. */
  last: bigint | null;
  replayUntil: bigint | null;
  /** The offset this runner last sought to, so a batch starting past `next` is a gap only once the broker confirms it. */
  soughtTo: bigint | null;
  /** Set when a rebalance gave the partition to another runner: nothing more of it is written or committed here. */
  revoked: boolean;
}

/** Thrown out of a flush of a partition this runner no longer owns (or may not); its state is dropped and rebuilt from the checkpoints. */
class PartitionLost extends Error {
  override name = "PartitionLost";
}

/** kafkajs error types that mean the group is rebalancing or this member is no longer in it. */
const REBALANCE_ERRORS = new Set(["REBALANCE_IN_PROGRESS", "NOT_COORDINATOR_FOR_GROUP", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID", "FENCED_INSTANCE_ID"]);

function isRebalance(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const type = (error as { type?: unknown }).type;
  return typeof type === "string" && REBALANCE_ERRORS.has(type);
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface KafkaRunner {
  /** Resolves when the runner stopped (SIGTERM via `stop`, or caught up with `untilCaughtUp`). */
  done: Promise<void>;
  /** Flushes every partition, commits, and leaves the group. */
  stop(): Promise<void>;
  metrics: RunnerMetrics;
}

export async function startKafkaRunner(options: KafkaRunnerOptions): Promise<KafkaRunner> {
  const { plan } = options;
  const source: KafkaSource = options.topic ? { ...options.source, topic: options.topic } : options.source;
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const metrics = options.metrics ?? new RunnerMetrics();
  const firstTarget = Object.values(options.targets)[0];
  if (!firstTarget) throw new Error("runner: the plan has no sink");
  const store = new StateStore(firstTarget.opened.sink, firstTarget.opened.prefix);
  const config: KafkaConfig = {
    clientId: `runnel-runner-${options.groupId}`,
    brokers: options.brokers ?? source.brokers,
    logLevel: logLevel.NOTHING,
    ssl: options.ssl,
    sasl: options.sasl,
    retry: { retries: 8 },
  };
  const kafka = new Kafka(config);
  const admin = kafka.admin();
  await admin.connect();
  let caughtUpAt: Map<number, bigint> | null = null;
  try {
    const offsets = await admin.fetchTopicOffsets(source.topic);
    if (options.untilCaughtUp) caughtUpAt = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } catch (error) {
    await admin.disconnect();
    throw new Error(`runner: cannot read topic ${source.topic} on ${config.brokers}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let startOffsets: Map<number, string> | null = null;
  if (options.start?.kind === "timestamp") {
    const byTime = await admin.fetchTopicOffsetsByTimestamp(source.topic, options.start.ms);
    startOffsets = new Map(byTime.map((o) => [o.partition, o.offset]));
  }
  // The admin client stays connected: a partition that arrives reads the group's committed offset through it.

  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 1 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [source.topic], fromBeginning: options.start?.kind !== "latest" });

  const partitions = new Map<number, PartitionState>();
  let stopping = false;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  const fresh = (partition: number, next: bigint): PartitionState => ({
    partition,
    executor: buildPipeline(plan, { library: defaultLibrary, mode: "dead-letter" }),
    writer: new SinkWriter(plan, options.targets, options.parquet, `${source.topic}.${partition}`.replace(/[^A-Za-z0-9._-]/g, "_"), now),
    first: null,
    next,
    last: null,
    replayUntil: null,
    soughtTo: null,
    revoked: false,
  });

  /** The group's committed offset of a partition, or -1 when it has none. */
  async function committedOffset(partition: number): Promise<bigint> {
    const topics = await admin.fetchOffsets({ groupId: options.groupId, topics: [source.topic] });
    const found = topics.find((t) => t.topic === source.topic)?.partitions.find((p) => p.partition === partition);
    return found ? BigInt(found.offset) : -1n;
  }

  /** Where a partition starts: its checkpoints and the group's committed offset, else where the first batch starts. */
  async function open(partition: number, batchFirst: bigint): Promise<PartitionState> {
    const committed = await committedOffset(partition);
    const recovery = await store.recover(source.topic, partition, committed);
    if (!recovery) {
      if (committed >= 0n) return fresh(partition, committed);
      const at = startOffsets?.get(partition);
      const next = at !== undefined && Number(at) >= 0 && BigInt(at) > batchFirst ? BigInt(at) : batchFirst;
      return fresh(partition, next);
    }
    const state = fresh(partition, recovery.next);
    if (recovery.snapshot) state.executor.restore(recovery.snapshot);
    state.replayUntil = recovery.replayUntil;
    log(recovery.replayUntil === null
      ? `partition ${partition}: resuming at offset ${recovery.next} with the state of its last flush`
      : `partition ${partition}: resuming at offset ${recovery.next} from its checkpoint, replaying the flush up to ${recovery.replayUntil}`);
    return state;
  }

  const take = (state: PartitionState, result: RunResult, at: string): void => {
    for (const [sink, rows] of Object.entries(result.rows)) {
      state.writer.add(sink, rows);
      metrics.rowsOut += rows.length;
    }
    if (result.deadLetters.length) {
      state.writer.addDeadLetters(result.deadLetters.map((d) => ({
        reason: d.sink ? `${d.sink}: ${d.reason}` : d.reason,
        raw: stringifyJsonLossless(d.raw),
        source: source.name,
        at,
      })));
      metrics.deadLetters += result.deadLetters.length;
    }
  };

  const perFlush = plan.pipelines.filter((p) => p.ops.some((o) => o.op === "aggregate" && o.emit === "per-flush")).map((p) => p.sink);

  // The newest heartbeat kafkajs handed to eachBatch; it stays valid for the group's generation, so
  // a flush that waits for S3 outside a batch (timed, final) keeps the membership alive too.
  let lastHeartbeat: (() => Promise<void>) | null = null;
  async function beat(state: PartitionState): Promise<void> {
    if (!lastHeartbeat) return;
    try {
      await lastHeartbeat();
    } catch (error) {
      if (!isRebalance(error)) throw error;
      // The partition may be handed to another runner: stop writing it now, so two runners never write one range.
      throw new PartitionLost(`partition ${state.partition}: the group is rebalancing (${message(error)}); dropping its buffered rows, they are replayed from the committed offset`, { cause: error });
    }
  }

  const ensureOwned = (state: PartitionState): void => {
    if (state.revoked || partitions.get(state.partition) !== state) throw new PartitionLost(`partition ${state.partition}: assigned to another runner; its flush is abandoned`);
  };

  /**
   * Checkpoint, objects, commit. The writes are retried with backoff until the store answers
   * (heartbeating meanwhile), so a slow or absent S3 pauses consumption instead of growing memory.
   * A flush that cannot finish (the partition moved, the commit failed) drops the partition's state:
   * the next batch rebuilds it from the checkpoints, exactly as after a crash.
   */
  async function flush(state: PartitionState, final = false): Promise<void> {
    try {
      await flushOwned(state, final);
    } catch (error) {
      if (partitions.get(state.partition) === state) partitions.delete(state.partition);
      state.revoked = true;
      updateGauges();
      throw error;
    }
  }

  async function flushOwned(state: PartitionState, final: boolean): Promise<void> {
    if (state.last === null) return;
    const at = new Date(now()).toISOString();
    for (const sink of perFlush) take(state, state.executor.flushAggregates(sink), at);
    // The end of a backfill emits every open window; when nothing new was read since the
    // last flush, those rows go to an object of their own so no earlier object is replaced.
    if (final) take(state, state.executor.finish(), at);
    if (state.first === null && state.writer.depth === 0 && state.writer.deadLetterDepth === 0) return;
    const writerName = state.first === null ? `${state.writer.name}.end` : state.writer.name;
    const first = state.first ?? state.last;
    const last = state.last;
    const snapshot = state.executor.snapshot();
    let backoff = options.backoffMs ?? 500;
    for (;;) {
      ensureOwned(state);
      try {
        // A flush of only the windows a backfill's end emits covers no new offset: nothing to replay, no checkpoint.
        if (state.first !== null) await store.save({ topic: source.topic, partition: state.partition, first: first.toString(), last: last.toString(), snapshot });
        const written = await state.writer.flush(first, last, writerName);
        for (const f of written.files) {
          metrics.filesWritten++;
          metrics.bytesWritten += f.bytes;
        }
        break;
      } catch (error) {
        metrics.flushFailures++;
        log(`partition ${state.partition}: flush of offsets ${first}-${last} failed (${message(error)}); retrying in ${backoff} ms`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 5_000);
        await beat(state);
      }
    }
    ensureOwned(state);
    await consumer.commitOffsets([{ topic: source.topic, partition: state.partition, offset: (last + 1n).toString() }]);
    metrics.lastFlush = now();
    state.first = null;
    state.replayUntil = null;
    updateGauges();
    await store.prune(source.topic, state.partition);
  }

  function updateGauges(): void {
    let depth = 0;
    let oldest: number | null = null;
    for (const s of partitions.values()) {
      depth += s.writer.depth;
      const o = s.writer.oldest;
      if (o !== null && (oldest === null || o < oldest)) oldest = o;
    }
    metrics.bufferDepth = depth;
    metrics.oldestBuffered = oldest;
  }

  // Batches, timed flushes and the final flush run one at a time, so a flush never races a batch.
  let chain: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };

  function eachBatch(payload: EachBatchPayload): Promise<void> {
    return serial(async () => {
      if (stopping) return;
      try {
        await processBatch(payload);
      } catch (error) {
        if (!(error instanceof PartitionLost)) throw error;
        log(error.message);
        // Let kafkajs rejoin the group when that is why the partition was lost.
        if (isRebalance(error.cause)) throw error.cause;
      }
    });
  }

  async function processBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    lastHeartbeat = heartbeat;
    if (batch.messages.length === 0) return;
    if (!assigned.has(p)) return;
    let state = partitions.get(p);
    if (!state) {
      state = await open(p, BigInt(batch.firstOffset() ?? batch.messages[0]!.offset));
      partitions.set(p, state);
    }
    const firstOffset = BigInt(batch.messages[0]!.offset);
    if (firstOffset > state.next && state.first === null && state.last === null && state.replayUntil === null) {
      // Nothing processed yet and the broker starts later (retention, compaction): begin there.
      state.next = firstOffset;
    }
    if (firstOffset !== state.next && !batch.messages.some((m) => BigInt(m.offset) === state!.next)) {
      if (firstOffset < state.next || state.soughtTo !== state.next) {
        // kafkajs fetches from where it thinks the partition is (the committed offset after a
        // rebalance, a retried batch); go to where this partition's state is.
        state.soughtTo = state.next;
        consumer.seek({ topic: source.topic, partition: p, offset: state.next.toString() });
        return;
      }
      // Sought there and the broker still starts later: offsets skip (retention, compaction, transaction markers).
      log(`partition ${p}: offsets ${state.next}-${firstOffset - 1n} are not on the broker; continuing at ${firstOffset}`);
      if (state.replayUntil !== null && state.replayUntil < firstOffset) state.replayUntil = null;
      state.next = firstOffset;
    }
    metrics.partitionHigh.set(p, BigInt(batch.highWatermark));
    let events: unknown[] = [];
    let eventsAt = "";
    const runEvents = (): void => {
      if (events.length === 0) return;
      take(state!, state!.executor.run({ source: source.name, events }), eventsAt);
      events = [];
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const offset = BigInt(message.offset);
      if (offset < state.next) {
        resolveOffset(message.offset);
        continue;
      }
      const at = new Date(Number(message.timestamp)).toISOString();
      eventsAt = at;
      if (state.first === null) state.first = offset;
      const decoded = message.value === null
        ? [{ ok: false as const, raw: "", error: "kafka: message has no value (a tombstone)", receivedAt: 0 }]
        : decodePayload(message.value, source.format, Number(message.timestamp));
      for (const d of decoded) {
        if (d.ok) events.push(d.value);
        else {
          state.writer.addDeadLetters([{ reason: d.error, raw: d.raw, source: source.name, at }]);
          metrics.deadLetters++;
        }
      }
      metrics.eventsIn++;
      state.last = offset;
      state.next = offset + 1n;
      resolveOffset(message.offset);
      if (state.replayUntil !== null && offset === state.replayUntil) {
        runEvents();
        await flush(state);
      } else if (state.replayUntil === null && events.length >= 1000) {
        runEvents();
        if (state.writer.due()) await flush(state);
      }
    }
    runEvents();
    if (state.replayUntil === null && state.writer.due()) await flush(state);
    metrics.partitionNext.set(p, state.next);
    updateGauges();
    await heartbeat();
    if (caughtUpAt && [...caughtUpAt].every(([part, high]) => (partitions.get(part)?.next ?? (high === 0n ? 0n : -1n)) >= high)) {
      finishing = true;
      void stop();
    } else if (caughtUpAt && state.first !== null && state.replayUntil === null && state.next >= (caughtUpAt.get(p) ?? 0n)) {
      // This partition reached the end: write it now, so the group's committed offsets show it to
      // runners that hold the other partitions (see groupCaughtUp).
      await flush(state);
    }
  }

  /**
   * With several runners in one group, each holds some partitions: the backfill is done when the
   * group's committed offsets reach the end everywhere and this runner holds nothing unwritten.
   */
  async function groupCaughtUp(ends: Map<number, bigint>): Promise<boolean> {
    for (const p of assigned) {
      const state = partitions.get(p);
      if (state && (state.first !== null || state.replayUntil !== null || state.next < (ends.get(p) ?? 0n))) return false;
    }
    const [offsets] = await admin.fetchOffsets({ groupId: options.groupId, topics: [source.topic] });
    const committed = new Map((offsets?.partitions ?? []).map((o) => [o.partition, BigInt(o.offset)]));
    return [...ends].every(([p, high]) => high === 0n || (committed.get(p) ?? -1n) >= high);
  }
  let checkingGroup = false;

  // Time-based flushes when a partition goes quiet.
  const timer = setInterval(() => {
    if (stopping) return;
    // Only a member can tell: before its first join a runner holds nothing and would stop at once,
    // leaving kafkajs half-way through joining the group (and the process alive).
    if (caughtUpAt && !checkingGroup && joined) {
      checkingGroup = true;
      groupCaughtUp(caughtUpAt)
        .then(
          (done) => {
            if (done && !stopping) {
              log("every partition of the topic is written up to where it ended at start; stopping");
              finishing = true;
              void stop();
            }
          },
          (error: unknown) => log(`until-caught-up: cannot read the group's committed offsets: ${message(error)}`),
        )
        .finally(() => {
          checkingGroup = false;
        });
    }
    for (const state of partitions.values()) {
      if (state.replayUntil === null && state.writer.due()) {
        serial(() => (stopping || partitions.get(state.partition) !== state ? Promise.resolve() : flush(state))).catch((error: unknown) =>
          log(`partition ${state.partition}: timed flush failed: ${message(error)}`),
        );
      }
    }
  }, 1000);

  // The partitions the group gave this runner in its latest generation.
  let assigned = new Set<number>();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const mine = new Set((e.payload.memberAssignment[source.topic] ?? []) as number[]);
    assigned = mine;
    joined = true;
    for (const [p, state] of [...partitions]) {
      if (!mine.has(p)) {
        // Another runner owns it now and resumes from the checkpoints and the committed offset; drop
        // what is buffered here. A flush of it in flight sees `revoked` and stops before its next write.
        state.revoked = true;
        partitions.delete(p);
        metrics.partitionNext.delete(p);
        metrics.partitionHigh.delete(p);
        log(`partition ${p}: moved to another runner`);
      }
    }
    updateGauges();
    log(`joined group ${options.groupId}: partitions ${[...mine].sort((a, b) => a - b).join(", ") || "(none)"}`);
  });
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) rejectDone(e.payload.error);
  });

  let stopped: Promise<void> | null = null;
  let finishing = false;
  async function stop(): Promise<void> {
    if (stopped) return stopped;
    stopped = (async () => {
      // Let the batch in progress finish before refusing new ones.
      await serial(async () => {
        stopping = true;
      });
      clearInterval(timer);
      consumer.pause([{ topic: source.topic }]);
      // Flush and commit while still a group member; then leave.
      await serial(async () => {
        for (const state of partitions.values()) {
          if (state.replayUntil !== null) continue;
          try {
            await flush(state, finishing);
          } catch (error) {
            if (!(error instanceof PartitionLost)) throw error;
            log(error.message);
          }
        }
      });
      await consumer.stop();
      await consumer.disconnect();
      await admin.disconnect();
      resolveDone();
    })();
    stopped.catch(rejectDone);
    return stopped;
  }

  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
  return { done, stop, metrics };
}

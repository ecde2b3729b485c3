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
import { availableParallelism } from "node:os";
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaConfig, type SASLOptions } from "kafkajs";
import { KafkaCodecError, MAX_BATCH_BYTES, MAX_BATCH_BYTES_LIMIT, readBatchesApart, registerKafkaCodecs, type UnreadableBatch } from "./kafka-codecs.ts";
import { deadLetterKey, encodeDeadLetters } from "../sinks/dead-letter.ts";
import { abortedRecords, clusterFactory, type AbortedTransaction, type FetchedRecord } from "./kafka-transactions.ts";
import type { SinkSpec, SourceSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import type { ParquetWriter } from "../parquet/writer.ts";
import type { SinkTarget } from "./sink-writer.ts";
import { StateStore, type Recovery } from "./state-store.ts";
import { escapePathSegment } from "../sinks/layout.ts";
import { RunnerMetrics } from "./metrics.ts";
import { brokerUnreachable } from "./broker-lost.ts";
import { kafkaConnectHint } from "./kafka-hint.ts";
import type { EngineRequest, EngineStatus, SealedRange, Segment, SegmentHeaders, WriteResult } from "./partition-engine.ts";
import { EngineFailed, localEngines, workerEngines, type EngineClient } from "./engine-client.ts";

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
  ssl?: boolean | { ca: string[] };
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
  /**
   * Worker threads that decode, transform, encode and upload (partition p on thread p % threads),
   * while this thread fetches, tracks offsets and commits; 0 does everything on this thread.
   * Default: `RUNNEL_RUNNER_THREADS`, else one per core but one (at least 1, at most the partitions).
   */
  threads?: number;
  /**
   * How often the consumer reads the topic's metadata again, so a partition added to the topic joins
   * the group's assignment (kafkajs's `metadataMaxAge`). Default 30 s (Kafka's Java client: 5 min).
   */
  metadataMaxAgeMs?: number;
  /**
   * The most one record batch may decompress to (`runnel run --max-batch-mib`); a batch past it
   * stops the runner. Default MAX_BATCH_BYTES (64 MiB).
   */
  maxBatchBytes?: number;
  metrics?: RunnerMetrics;
  log?: (line: string) => void;
  now?: () => number;
}

interface PartitionState {
  partition: number;
  /** The engine (in a worker thread) holding this partition's executor and buffers. */
  id: number;
  /** The offset the next message must have. */
  next: bigint;
  /** Some message of the partition was handed to the engine since it was opened. */
  started: boolean;
  /** Starts at the group's committed offset or a checkpoint's (not where the first batch happened to start). */
  anchored: boolean;
  /**
   * Opened at the partition's earliest offset (a partition added after the group began, under
   * `--start latest`): a first batch that starts later is sought back to it, not taken for where the broker starts.
   */
  fromEarliest: boolean;
  replayUntil: bigint | null;
  /** With `replayUntil`: the record its checkpoint saw there (`Recovery.record`), checked when the replay reaches it. */
  replayRecord: { time: number; length: number } | null;
  /** The offset this runner last sought to, so a batch starting past `next` is a gap only once the broker confirms it. */
  soughtTo: bigint | null;
  /** Set when a rebalance gave the partition to another runner (or a flush failed): nothing more of it is written or committed here. */
  revoked: boolean;
  /** Requests to the engine not answered yet. */
  pending: number;
  /** Messages in `run` requests not answered yet. */
  inflight: number;
  /** Sealed flushes not yet written and committed; `lane` writes them one after another. */
  writes: number;
  lane: Promise<void>;
  /** A write is failing and being retried: fetching waits. */
  failing: boolean;
  /** The engine's buffers as of its last answer. */
  depth: number;
  oldest: number | null;
  /** The `seq` of the engine status `depth` and `oldest` come from: an older one arriving later is stale. */
  statusSeq: number;
  /** A timed seal is in flight. */
  timedSeal: boolean;
  /**
   * Every offset before this one is read and written (committed, or durable by the checkpoints): where
   * the partition opened, then each commit. Offsets past it are committed only when they follow it.
   */
  durable: bigint;
  /**
   * Offsets after the last message handed to the engine (`after`) up to `end` (exclusive) that hold only
   * records kafkajs filters out: transaction markers and aborted transactions' messages. A flush that
   * ends at `after` commits `end`, so the group's offset (its lag, a restart, `--until-caught-up`)
   * passes them; when nothing is buffered, they are committed on their own.
   */
  skipped: { after: bigint; end: bigint } | null;
}

/** Thrown out of a flush of a partition this runner no longer owns (or may not); its state is dropped and rebuilt from the checkpoints. */
class PartitionLost extends Error {
  override name = "PartitionLost";
}

/** The topic the runner reads is not the one it read (deleted, created again, cut short): the runner stops. */
class TopicChanged extends Error {
  override name = "TopicChanged";
}

/** Whether kafkajs's error (or one it wraps) is the broker's UNKNOWN_TOPIC_OR_PARTITION. */
function unknownTopic(error: unknown): boolean {
  for (let at = error, depth = 0; typeof at === "object" && at !== null && depth < 8; depth++) {
    if ((at as { type?: unknown }).type === "UNKNOWN_TOPIC_OR_PARTITION") return true;
    at = (at as { originalError?: unknown; cause?: unknown }).originalError ?? (at as { cause?: unknown }).cause;
  }
  return false;
}

/** kafkajs error types that mean the group is rebalancing or this member is no longer in it. */
const REBALANCE_ERRORS = new Set(["REBALANCE_IN_PROGRESS", "NOT_COORDINATOR_FOR_GROUP", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID", "FENCED_INSTANCE_ID"]);

/**
 * The broker's rebalance-class answer in `error`, down its chain of causes: kafkajs wraps one, e.g. a
 * commit answered ILLEGAL_GENERATION comes out of `consumer.commitOffsets` as a KafkaJSNonRetriableError
 * whose `cause` holds it. kafkajs's fetch loop rejoins the group only for the protocol error itself (by
 * its `type`); handed the wrapper, its consumer crashed with `restart: false`.
 */
function rebalanceError(error: unknown): Error | null {
  for (let at = error, depth = 0; typeof at === "object" && at !== null && depth < 8; depth++) {
    const type = (at as { type?: unknown }).type;
    if (typeof type === "string" && REBALANCE_ERRORS.has(type) && at instanceof Error) return at;
    at = (at as { originalError?: unknown }).originalError ?? (at as { cause?: unknown }).cause;
  }
  return null;
}

const isRebalance = (error: unknown): boolean => rebalanceError(error) !== null;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));


/** A Fetch request as kafkajs's consumer makes it: each partition with the offset it reads from. */
interface FetchRequest {
  maxWaitTime?: number;
  topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  [option: string]: unknown;
}
interface FetchAnswer {
  responses: { topicName: string; partitions: { partition: number; errorCode: number; highWatermark: string; abortedTransactions?: AbortedTransaction[]; messages: FetchedRecord[] }[] }[];
}
/** A Fetch of the runner, its batches read apart (`readBatchesApart`), aborted transactions' messages marked. */
type RunnerFetch = (request: FetchRequest) => Promise<{ answer: FetchAnswer; unreadable: UnreadableBatch[] }>;

/**
 * Hooks the consumer's Fetches, through the client's private cluster factory (the one `consumer()`
 * uses, as gateway/sources/kafka-source.ts does):
 * - aborted transactions' messages are left out by this module's reading (kafka-transactions.ts), not
 *   kafkajs's: each is marked as a control record, which kafkajs's Batch drops (still counting its
 *   offset, so a batch of only those moves on), and the list of aborted transactions is emptied so
 *   kafkajs's own filter, which can take an aborted message for a committed one (and the reverse),
 *   has nothing to do;
 * - record batches are read apart (`readBatchesApart`): a batch no codec reads ends its partition's
 *   records in the answer, and `unreadable` is told of it with the Fetch and a way to fetch again;
 * - a Fetch that fails is told to `failed` before kafkajs sees its error (a topic deleted under the
 *   runner shows first as one: `checkTopic`).
 */
function hookFetches(
  kafka: Kafka,
  maxBatchBytes: number,
  unreadable: (request: FetchRequest, answer: FetchAnswer, batches: UnreadableBatch[], fetch: RunnerFetch) => Promise<void>,
  failed: (error: unknown) => void,
): void {
  type Broker = { fetch(request: FetchRequest): Promise<FetchAnswer>; [wrapped]?: true };
  type Cluster = { findBroker(node: unknown): Promise<Broker> };
  const { slot, create } = clusterFactory<Cluster>(kafka);
  (kafka as unknown as Record<symbol, unknown>)[slot] = (options: unknown): Cluster => {
    const cluster = create(options);
    const findBroker = cluster.findBroker.bind(cluster);
    cluster.findBroker = async (node) => {
      const broker = await findBroker(node);
      if (!broker[wrapped]) {
        const plain = broker.fetch.bind(broker);
        const fetch: RunnerFetch = async (request) => {
          const read = await readBatchesApart(() => plain(request), maxBatchBytes);
          for (const topic of read.answer.responses) {
            for (const partition of topic.partitions) {
              if (!partition.abortedTransactions?.length) continue;
              for (const record of abortedRecords(partition.messages, partition.abortedTransactions)) record.isControlRecord = true;
              partition.abortedTransactions = [];
            }
          }
          return read;
        };
        broker.fetch = async (request) => {
          let read: Awaited<ReturnType<RunnerFetch>>;
          try {
            read = await fetch(request);
          } catch (error) {
            failed(error);
            throw error;
          }
          if (read.unreadable.length > 0) await unreadable(request, read.answer, read.unreadable, fetch);
          return read.answer;
        };
        broker[wrapped] = true;
      }
      return broker;
    };
    return cluster;
  };
}
const wrapped = Symbol("runnel:abortedFiltered");

/**
 * One quick connection before the runner's own (which retries eight times, about a minute): a broker
 * that is not there, TLS against a plaintext listener or a login the broker does not take says so in
 * seconds, with what to check, instead of a minute of "0 events" and then kafkajs's words.
 */
async function reachBrokers(config: KafkaConfig): Promise<void> {
  const probe = new Kafka({ ...config, clientId: `${config.clientId}-probe`, retry: { retries: 2 }, connectionTimeout: 5_000, authenticationTimeout: 5_000 }).admin();
  try {
    await probe.connect();
    // A listener that wants TLS or a SASL login answers the connect's handshake and closes at the first real request.
    await probe.listTopics();
  } catch (error) {
    const said = message(error);
    const hint = kafkaConnectHint(said, config, config.ssl ? "--brokers" : "--brokers (or the notebook's brokers)");
    throw new Error(`runner: cannot reach the Kafka brokers ${(config.brokers as string[]).join(", ")}: ${said}; ${hint}`, { cause: error });
  } finally {
    await probe.disconnect().catch(() => undefined);
  }
}

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
  const maxBatchBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES;
  if (!Number.isInteger(maxBatchBytes) || maxBatchBytes < 1 || maxBatchBytes > MAX_BATCH_BYTES_LIMIT) {
    throw new Error(`runner: the batch limit must be a whole number of bytes from 1 to ${MAX_BATCH_BYTES_LIMIT} (2047 MiB), got ${maxBatchBytes}`);
  }
  // The group's session timeout (kafkajs's default 30 s): how long a runner that stops answering (a frozen
  // process, a long GC pause) keeps its partitions before the group hands them to another. The broker
  // takes 6 s to 30 min (group.min/max.session.timeout.ms).
  const sessionTimeout = process.env.RUNNEL_KAFKA_SESSION_TIMEOUT_MS ? Number(process.env.RUNNEL_KAFKA_SESSION_TIMEOUT_MS) : 30_000;
  if (!Number.isInteger(sessionTimeout) || sessionTimeout < 1) throw new Error(`runner: RUNNEL_KAFKA_SESSION_TIMEOUT_MS must be a whole number of milliseconds, got ${process.env.RUNNEL_KAFKA_SESSION_TIMEOUT_MS}`);
  registerKafkaCodecs();
  const kafka = new Kafka(config);
  hookFetches(
    kafka,
    maxBatchBytes,
    (request, answer, batches, fetch) => skipUnreadable(request, answer, batches, fetch),
    (error) => {
      if (unknownTopic(error)) checkTopic();
    },
  );
  await reachBrokers(config);
  const admin = kafka.admin();
  await admin.connect();
  let caughtUpAt: Map<number, bigint> | null = null;
  let partitionCount: number;
  /** The topic's partitions when the runner started: one added since is read from its earliest offset (see `open`). */
  let startedWith = new Set<number>();
  try {
    // Asked first: for a topic that does not exist kafkajs's offsets request retries for over a minute.
    if (!(await admin.listTopics()).includes(source.topic)) {
      throw new Error(`the topic does not exist (create it, or name another with --topic); runners do not create topics`);
    }
    const offsets = await admin.fetchTopicOffsets(source.topic);
    partitionCount = offsets.length;
    startedWith = new Set(offsets.map((o) => o.partition));
    // A partition with nothing to read (never written, or emptied by retention) is at its end already.
    if (options.untilCaughtUp) caughtUpAt = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } catch (error) {
    await admin.disconnect();
    throw new Error(`runner: cannot read topic ${source.topic} on ${config.brokers}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let startOffsets: Map<number, string> | null = null;
  if (options.start?.kind === "timestamp") {
    const byTime = await admin.fetchTopicOffsetsByTimestamp(source.topic, options.start.ms);
    startOffsets = new Map(byTime.map((o) => [o.partition, o.offset]));
  }
  // One worker per core but the one the consumer keeps busy (at least one; no more than partitions). On 2 cores
  // a second worker only competed with the consumer: 7% more wall time and 20% more CPU for 200,000 events
  // (ARCHITECTURE.md, Kafka runner); the S3-outage test has run clean with one worker since its stall was fixed.
  const threads = options.threads ?? (process.env.RUNNEL_RUNNER_THREADS ? Number(process.env.RUNNEL_RUNNER_THREADS) : Math.max(1, Math.min(availableParallelism() - 1, partitionCount)));
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`runner: threads (RUNNEL_RUNNER_THREADS) must be a whole number ≥ 0, got ${threads}`);
  // Started before the group join, so the workers load the executor meanwhile.
  const engineConfig = { plan, topic: source.topic, source: { name: source.name, format: source.format, ...(source.metadata?.length ? { metadata: source.metadata } : {}), ...(source.avro ? { avro: source.avro } : {}) } };
  const engines: EngineClient = threads === 0 ? localEngines(engineConfig, options.targets, options.parquet, now) : workerEngines(engineConfig, options.targets, threads);
  // The admin client stays connected: a partition that arrives reads the group's committed offset through it.

  // A backfill stops once caught up; a long poll at the end of the topic (kafkajs waits maxWaitTime, also
  // while every partition is paused) would hold its exit, so it polls briefly. Live runners keep kafkajs's default.
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    // kafkajs heartbeats at most every 3 s; a session shorter than ~3 beats would lapse between them.
    heartbeatInterval: Math.min(3_000, Math.max(100, Math.floor(sessionTimeout / 3))),
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 1 << 20,
    metadataMaxAge: options.metadataMaxAgeMs ?? 30_000,
    // kafkajs's default retries for a consumer; no restart for a batch no codec can read (and skipUnreadable could not place).
    retry: { retries: 5, restartOnFailure: async (error) => codecErrorIn(error) === null },
    ...(options.untilCaughtUp ? { maxWaitTimeInMs: 20 } : {}),
  });

  /**
   * Record batches of a Fetch that no codec reads (`readBatchesApart`): a batch that is the first its
   * partition's answer holds is a dead letter under `_errors/` (topic, partition, offsets, record count,
   * why; no payload, none was read), stored before the answer goes on; then the answer holds, for
   * that partition, two control records (at the fetch offset and the batch's last), which kafkajs
   * passes over as it passes over transaction markers, so the partition reads on after the batch and
   * its offsets are committed as `skipFiltered` commits those (after everything before them is
   * durable). A batch after readable ones waits: kafkajs hands on the records before it, and the next
   * Fetch starts at it. A Fetch does not say which partition a batch is of, so with several
   * partitions each that might hold it is fetched again alone. Stored again after a crash, the dead
   * letter has the same key and content.
   */
  async function skipUnreadable(request: FetchRequest, answer: FetchAnswer, batches: UnreadableBatch[], fetch: RunnerFetch): Promise<void> {
    const wanted = request.topics.find((t) => t.topic === source.topic)?.partitions ?? [];
    const got = answer.responses.find((r) => r.topicName === source.topic)?.partitions ?? [];
    const answered = (p: number) => got.find((g) => g.partition === p);
    // Partitions whose answer holds no record though the broker has some from the fetch offset on, as a batch read apart leaves one.
    const stopped = wanted.filter((w) => {
      const a = answered(w.partition);
      return a !== undefined && a.errorCode === 0 && a.messages.length === 0 && BigInt(a.highWatermark) > BigInt(w.fetchOffset);
    });
    const first = new Map<number, UnreadableBatch>();
    if (wanted.length === 1) {
      if (stopped.length === 1 && batches.length === 1 && batches[0]!.lastOffset >= BigInt(stopped[0]!.fetchOffset)) first.set(stopped[0]!.partition, batches[0]!);
    } else {
      for (const w of stopped) {
        if (!batches.some((b) => b.lastOffset >= BigInt(w.fetchOffset))) continue;
        const alone = await fetch({ ...request, maxWaitTime: 0, topics: [{ topic: source.topic, partitions: [w] }] });
        const a = alone.answer.responses.find((r) => r.topicName === source.topic)?.partitions.find((g) => g.partition === w.partition);
        const batch = alone.unreadable[0];
        if (a !== undefined && a.messages.length === 0 && alone.unreadable.length === 1 && batch!.lastOffset >= BigInt(w.fetchOffset)) first.set(w.partition, batch!);
      }
    }
    for (const [p, batch] of first) {
      const from = wanted.find((w) => w.partition === p)!.fetchOffset;
      await deadLetterBatch(p, batch);
      const skipped = (offset: string): FetchedRecord => ({ offset, key: null, isControlRecord: true });
      answered(p)!.messages = from === String(batch.lastOffset) ? [skipped(from)] : [skipped(from), skipped(String(batch.lastOffset))];
    }
  }

  /** The dead letter of a record batch no codec reads, stored under `_errors/` of the first sink's target. */
  async function deadLetterBatch(p: number, batch: UnreadableBatch): Promise<void> {
    const { firstOffset, lastOffset, records } = batch;
    // Dated by the batch's own time, so a dead letter stored again (a crash before the commit) is the same
    // object; a batch with no time of its own is dated 1970-01-01, never by the clock, for the same reason.
    const time = batch.firstTimestamp > 0 && batch.firstTimestamp < 253_402_300_800_000 ? batch.firstTimestamp : 0;
    const at = new Date(time).toISOString();
    const reason = `kafka: the record batch of topic ${source.topic}, partition ${p}, offsets ${firstOffset}-${lastOffset} (${records} ${records === 1 ? "record" : "records"}) cannot be read: ${batch.reason}; it is skipped`;
    const key = deadLetterKey({ prefix: firstTarget!.opened.prefix, source: source.name, day: at.slice(0, 10), writer: `${writerName(p)}.batch`, first: firstOffset, last: lastOffset });
    await firstTarget!.opened.sink.put(key, encodeDeadLetters([{ reason, raw: "", source: source.name, at }]), { contentType: "application/x-ndjson" });
    metrics.deadLetters++;
    log(`partition ${p}: offsets ${firstOffset}-${lastOffset} are one record batch no codec reads (${batch.reason}); dead letter ${key}, continuing at ${lastOffset + 1n}`);
  }
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [source.topic], fromBeginning: options.start?.kind !== "latest" });
  } catch (error) {
    await engines.close();
    throw error;
  }

  const partitions = new Map<number, PartitionState>();
  let stopping = false;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const writerName = (partition: number) => `${source.topic}.${partition}`.replace(/[^A-Za-z0-9._-]/g, "_");

  /**
   * Set once the topic is found deleted (or created again, or cut short): what was read is still
   * written, but no offset is committed from then on — a topic created again under the name starts
   * its offsets over, and the group's offsets would name its records as read.
   */
  let topicChanged: TopicChanged | null = null;
  const stateFolder = `${firstTarget.opened.sink.describe}${firstTarget.opened.prefix}_state/${escapePathSegment(source.topic)}/`;
  const startOver = `a topic created again under the name is another topic whose offsets start over at 0: before reading it, move ${stateFolder} and the files written so far aside (or name another --sink) and start a new --group, or its records are taken for the old topic's (the files are named by offset)`;

  /** Stops the runner for `error`: the buffered rows are written (nothing committed), then `done` rejects with it. */
  function halt(error: TopicChanged): void {
    if (topicChanged !== null) return;
    topicChanged = error;
    fatal = error;
    log(error.message);
    // `done` rejects with the error once the buffered rows are written.
    stop().catch(() => undefined);
  }

  /**
   * A Fetch said the broker does not host the topic: deleted, created again, or only metadata that is
   * out of date (a partition moved). The admin client tells which: a topic that is gone, or one whose
   * partitions end before offsets this runner has read (created again since), stops the runner.
   */
  let checkingTopic = false;
  function checkTopic(): void {
    if (checkingTopic || stopping || topicChanged !== null) return;
    checkingTopic = true;
    void (async () => {
      if (!(await admin.listTopics()).includes(source.topic)) {
        halt(new TopicChanged(`runner: topic ${source.topic} was deleted while the runner read it; what was read is written, no offset is committed from here on; ${startOver}`));
        return;
      }
      const ends = new Map((await admin.fetchTopicOffsets(source.topic)).map((o) => [o.partition, BigInt(o.high)]));
      for (const state of partitions.values()) {
        const end = ends.get(state.partition);
        if (end === undefined || end < state.next) {
          const now = end === undefined ? "has no such partition" : `ends at offset ${end}`;
          halt(new TopicChanged(`runner: topic ${source.topic} was deleted and created again while the runner read it: partition ${state.partition} now ${now}, and this runner had read up to offset ${state.next}; what was read is written, no offset is committed from here on; ${startOver}`));
          return;
        }
      }
    })()
      .catch((error: unknown) => log(`cannot check whether topic ${source.topic} still exists: ${message(error)}`))
      .finally(() => {
        checkingTopic = false;
      });
  }

  // Wakes whoever waits for an engine's answer or a write (back-pressure, draining).
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const changed = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      const previous = wake;
      wake = () => {
        clearTimeout(timer);
        previous?.();
        resolve();
      };
    });

  /** An error of a flush or an engine that the next batch throws to kafkajs (which restarts the consumer). */
  let batchError: { error: unknown; generation: number } | null = null;
  /** Group joins so far: a rebalance error from an older generation is stale once kafkajs has joined again. */
  let generation = 0;
  /** Keeps the first error of this generation; one of an older generation is stale and gives way. */
  const noteBatchError = (error: unknown): void => {
    if (batchError === null || batchError.generation !== generation) batchError = { error, generation };
  };
  /** The same, for a failure that also fails `stop` (not a lost partition). */
  let fatal: unknown = null;

  let nextId = 0;
  const fresh = (partition: number, next: bigint, snapshot: string | null): PartitionState => {
    const state: PartitionState = {
      partition,
      id: ++nextId,
      next,
      started: false,
      anchored: false,
      fromEarliest: false,
      replayUntil: null,
      replayRecord: null,
      soughtTo: null,
      revoked: false,
      pending: 0,
      inflight: 0,
      writes: 0,
      lane: Promise.resolve(),
      failing: false,
      depth: 0,
      oldest: null,
      statusSeq: 0,
      timedSeal: false,
      durable: next,
      skipped: null,
    };
    void post(state, { op: "open", id: state.id, partition, writerName: writerName(partition), snapshot });
    return state;
  };

  /** The group's committed offset of a partition, or -1 when it has none. */
  async function committedOffset(partition: number): Promise<bigint> {
    const topics = await admin.fetchOffsets({ groupId: options.groupId, topics: [source.topic] });
    const found = topics.find((t) => t.topic === source.topic)?.partitions.find((p) => p.partition === partition);
    return found ? BigInt(found.offset) : -1n;
  }

  /** Whether the group has committed an offset of any partition of the topic (it began before). */
  async function groupHasOffsets(): Promise<boolean> {
    const topics = await admin.fetchOffsets({ groupId: options.groupId, topics: [source.topic] });
    return (topics.find((t) => t.topic === source.topic)?.partitions ?? []).some((p) => BigInt(p.offset) >= 0n);
  }

  /** A partition's committed offset and what its checkpoints say about it. */
  async function readStart(partition: number, committed?: Promise<Map<number, bigint>>): Promise<{ committed: bigint; recovery: Recovery | null }> {
    const offset = committed ? ((await committed).get(partition) ?? -1n) : await committedOffset(partition);
    return { committed: offset, recovery: await store.recover(source.topic, partition, offset) };
  }

  /**
   * Each newly assigned partition's start, read as soon as the group assigns it, while kafkajs's
   * first fetch is on its way (one offsets request for all, the checkpoint listings side by side);
   * `open` takes it once. Read at each partition's first batch instead, one after another, they
   * held the first four batches of a backfill ~70 ms.
   */
  let prepared = new Map<number, Promise<{ committed: bigint; recovery: Recovery | null }>>();
  function prepare(mine: Set<number>): void {
    const fresh = [...mine].filter((p) => !partitions.has(p));
    const committed =
      fresh.length === 0
        ? Promise.resolve(new Map<number, bigint>())
        : admin.fetchOffsets({ groupId: options.groupId, topics: [source.topic] }).then((topics) => new Map((topics.find((t) => t.topic === source.topic)?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)])));
    prepared = new Map(fresh.map((p) => [p, readStart(p, committed)]));
    // A failed read is read again by `open`, which reports its error.
    for (const ready of prepared.values()) ready.catch(() => undefined);
    if (fresh.length > 0) void seekPastRetention(new Map(prepared));
  }

  /**
   * Partitions whose start (the group's committed offset, or the checkpoint's) is before the partition's
   * earliest offset are sought to that earliest offset as soon as they are assigned. The Fetch at the old
   * offset answers OFFSET_OUT_OF_RANGE and kafkajs moves the partition to its default — its end under
   * `--start latest` — where no batch comes until a record is produced, and one produced meanwhile is
   * passed over; `open` then says which offsets were never read (`behindRetention`).
   */
  async function seekPastRetention(starts: Map<number, Promise<{ committed: bigint; recovery: Recovery | null }>>): Promise<void> {
    try {
      const lows = new Map((await admin.fetchTopicOffsets(source.topic)).map((o) => [o.partition, BigInt(o.low)]));
      for (const [p, ready] of starts) {
        const { committed, recovery } = await ready;
        const next = recovery?.next ?? committed;
        const low = lows.get(p);
        if (next < 0n || low === undefined || next >= low || partitions.has(p) || !assigned.has(p) || stopping) continue;
        consumer.seek({ topic: source.topic, partition: p, offset: low.toString() });
      }
    } catch {
      // Only a shortcut: `open` still finds the gap at the partition's first batch.
    }
  }

  /** Where a partition starts: its checkpoints and the group's committed offset, else where the first batch starts. */
  async function open(partition: number, batchFirst: bigint): Promise<PartitionState> {
    const ready = prepared.get(partition);
    prepared.delete(partition);
    const { committed, recovery } = (ready ? await ready.catch(() => null) : null) ?? (await readStart(partition));
    if (!recovery) {
      if (committed >= 0n) {
        const state = fresh(partition, committed, null);
        state.anchored = true;
        return behindRetention(state, null);
      }
      if (options.start?.kind === "latest" && (!startedWith.has(partition) || (await groupHasOffsets()))) {
        // `--start latest` says where the group begins, not a partition added since: kafkajs would start it at
        // its end too, skipping what was produced to it before the group noticed it (metadataMaxAgeMs).
        const low = (await admin.fetchTopicOffsets(source.topic)).find((o) => o.partition === partition)?.low;
        if (low !== undefined && BigInt(low) < batchFirst) {
          log(`partition ${partition}: added to the topic after the group began; reading it from its earliest offset ${low}`);
          const state = fresh(partition, BigInt(low), null);
          state.fromEarliest = true;
          return state;
        }
      }
      const at = startOffsets?.get(partition);
      const next = at !== undefined && Number(at) >= 0 && BigInt(at) > batchFirst ? BigInt(at) : batchFirst;
      return fresh(partition, next, null);
    }
    // Checkpoints of offsets the partition does not reach are of a topic deleted since (or cut short):
    // replaying them over the new topic's records would rewrite the old topic's files with them.
    const written = recovery.replayUntil ?? recovery.next - 1n;
    const end = (await admin.fetchTopicOffsets(source.topic)).find((o) => o.partition === partition);
    if (end === undefined || BigInt(end.high) <= written) {
      throw new TopicChanged(`runner: partition ${partition} of topic ${source.topic} ends at offset ${end?.high ?? 0}, but the checkpoints under ${stateFolder}${partition}/ (and the group's offsets) say offsets up to ${written} were read and written: the topic was deleted and created again (or cut short) since; nothing is read; ${startOver}`);
    }
    const state = fresh(partition, recovery.next, recovery.snapshot);
    state.anchored = true;
    state.replayUntil = recovery.replayUntil;
    state.replayRecord = recovery.record ?? null;
    log(recovery.replayUntil === null
      ? `partition ${partition}: resuming at offset ${recovery.next} with the state of its last flush`
      : `partition ${partition}: resuming at offset ${recovery.next} from its checkpoint, replaying the flush up to ${recovery.replayUntil}`);
    return behindRetention(state, end ?? null);
  }

  /**
   * A partition resuming (at the group's committed offset or its checkpoint's) before the partition's
   * earliest offset: records were deleted (retention, deleteRecords) while no runner of the group read
   * them. It reads on from the earliest record left, saying which offsets it never read — under
   * `--start latest` too, which kafkajs would follow to the partition's end when the Fetch answers
   * OFFSET_OUT_OF_RANGE (as Kafka's auto.offset.reset does), skipping every record left unread;
   * `--start` says where a new group begins. Before, the first batch started later and the partition
   * began there without a word (kafkajs resets the offset silently).
   */
  async function behindRetention(state: PartitionState, known: { low: string } | null): Promise<PartitionState> {
    const low = BigInt((known ?? (await admin.fetchTopicOffsets(source.topic)).find((o) => o.partition === state.partition))?.low ?? -1);
    if (low <= state.next) return state;
    log(`partition ${state.partition}: offsets ${state.next}-${low - 1n} were deleted from the broker (retention, or records deleted) before the group read them; reading on from offset ${low}, the partition's earliest`);
    if (state.replayUntil !== null && state.replayUntil < low) state.replayUntil = null;
    state.next = low;
    state.durable = low;
    state.fromEarliest = true;
    return state;
  }

  /**
   * Drops a partition's state here and in its engine (what it buffered is replayed from the committed
   * offset and the checkpoints by whoever owns the partition next, this runner included).
   */
  function drop(state: PartitionState): void {
    if (state.revoked) return;
    state.revoked = true;
    if (partitions.get(state.partition) === state) partitions.delete(state.partition);
    engines.call(state.partition, { op: "drop", id: state.id }).catch((error: unknown) => log(`partition ${state.partition}: ${message(error)}`));
    updateGauges();
    notify();
  }

  /** A flush or an engine request failed: the partition's state goes, and kafkajs hears of it at the next batch. */
  function fail(state: PartitionState, error: unknown): void {
    const first = !state.revoked;
    drop(state);
    if (error instanceof PartitionLost) {
      if (first) log(error.message);
      // Let kafkajs rejoin the group when that is why the partition was lost.
      const cause = rebalanceError(error.cause);
      if (cause !== null) noteBatchError(cause);
      return;
    }
    const rebalance = rebalanceError(error);
    if (rebalance !== null && !stopping) {
      // A commit (or a heartbeat) the group refused: it rebalanced, or dropped this runner. What is written
      // is not committed; whoever owns the partition next replays it from the checkpoint, rewriting the same files.
      if (first) log(`partition ${state.partition}: the group rebalanced under its flush (${message(rebalance)}); its state is dropped and rebuilt from the committed offset and the checkpoints`);
      noteBatchError(rebalance);
      return;
    }
    if (error instanceof EngineFailed) {
      // A worker thread is gone: its partitions cannot be rebuilt in this process. The consumer leaves the
      // group, so other runners take the partitions (it stayed, holding every partition it rejoined for and
      // failing each, and the group's consumption stopped).
      if (stopping) {
        rejectDone(error);
        return;
      }
      log(`partition ${state.partition}: ${message(error)}; stopping`);
      stopping = true;
      clearInterval(timer);
      void Promise.allSettled([consumer.disconnect(), admin.disconnect(), engines.close()]).then(() => rejectDone(error));
      return;
    }
    // The answer to a request for a partition dropped meanwhile (a rebalance): nothing is left to rebuild.
    if (!first) return;
    log(`partition ${state.partition}: ${message(error)}; its state is dropped and rebuilt from the checkpoints`);
    noteBatchError(error);
    // While running, kafkajs restarts on it and the partition is rebuilt; during the final flush nothing will.
    if (stopping) fatal ??= error;
  }

  /** Sends a request to the partition's engine; its answer updates the gauges and queues the writes of new seals. */
  function post(state: PartitionState, request: EngineRequest, messages = 0): Promise<void> {
    state.pending++;
    state.inflight += messages;
    return engines.call(state.partition, request).then(
      (answer) => {
        state.pending--;
        state.inflight -= messages;
        // Counted once transformed, so events_in and rows_out in one /metrics answer agree; a message
        // holding several events (a JSON array, NDJSON) counts each.
        metrics.eventsIn += answer ? (answer as EngineStatus).events : messages;
        if (answer) apply(state, answer as EngineStatus);
        notify();
      },
      (error: unknown) => {
        state.pending--;
        state.inflight -= messages;
        fail(state, error);
        notify();
      },
    );
  }

  /**
   * Takes the engine's buffer depth and age from `status` unless a newer status was taken already:
   * a write's answer is applied after its offset commit, by when answers to later runs may have
   * come (taking its older depth then left a partition's last rows unsealed for good).
   */
  function buffered(state: PartitionState, status: EngineStatus): void {
    if (status.seq <= state.statusSeq) return;
    state.statusSeq = status.seq;
    state.depth = status.depth;
    state.oldest = status.oldest;
  }

  function apply(state: PartitionState, status: EngineStatus): void {
    if (state.revoked) return;
    metrics.rowsOut += status.rows;
    metrics.deadLetters += status.deadLetters;
    buffered(state, status);
    for (const range of status.sealed) queueWrite(state, range);
    updateGauges();
  }

  /** This runner's member id in the group, from its latest join. */
  let memberId: string | null = null;
  /** The broker's latest answer to a heartbeat: the member id it was sent for, and when (kafkajs's HEARTBEAT event). */
  let confirmed: { memberId: string; at: number } | null = null;
  /**
   * Why kafkajs stopped its consumer and left the group (a failure it restarts after, the broker answering):
   * until it joins again its old heartbeat sends nothing and its commits are dropped without a word.
   */
  let left: string | null = null;

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

  /**
   * Before a flush's checkpoint and objects are stored: the partition is still this runner's, as far as
   * the group says. A runner frozen past its session (a stopped process, a long pause) wakes up with
   * flushes due on partitions the group has handed to another runner meanwhile, which writes them from
   * the committed offset: storing them too would put the same offsets in two objects of other ranges.
   * kafkajs asks the broker at most once per heartbeat interval; after a pause that long it asks.
   */
  async function member(state: PartitionState): Promise<void> {
    ensureOwned(state);
    try {
      await beat(state);
    } catch (error) {
      // A broker that does not answer now fails the commit after the write; what the group answered last
      // still decides below: a runner cut off from the brokers past its session (S3 still reachable) has
      // been dropped from the group, which hands its partitions to another runner.
      if (error instanceof PartitionLost) throw error;
    }
    ensureOwned(state);
    // kafkajs's heartbeat speaks for whatever membership its consumer holds now, and says nothing when it
    // holds none: a runner thawed after the group dropped it heard UNKNOWN_MEMBER_ID on kafkajs's own
    // heartbeat, and kafkajs forgot its member id (this heartbeat then sends nothing and succeeds) or had
    // joined again as a new member (this heartbeat is answered for that one) before GROUP_JOIN dropped the
    // old states here: their flushes wrote offsets the group's committed offset had moved past. So the
    // broker must have answered a heartbeat of the member this runner joined as, within a session, and no
    // rejoin may be under way (between kafkajs's JoinGroup and SyncGroup a heartbeat of the new generation
    // is answered, while the partition may be going to another member).
    const stale =
      left !== null ? `the consumer left the group after a failure (${left}) and is joining it again`
      : metrics.joining ? "the group is rebalancing"
      : confirmed === null || confirmed.memberId !== memberId ? "the group has not answered a heartbeat of this runner's membership"
      : Date.now() - confirmed.at >= sessionTimeout ? `the group has answered no heartbeat of this runner for ${Math.round((Date.now() - confirmed.at) / 1000)} s, past its session`
      : null;
    if (stale !== null) throw new PartitionLost(`partition ${state.partition}: ${stale}; its buffered rows are dropped and replayed from the committed offset`);
  }

  const ensureOwned = (state: PartitionState): void => {
    if (state.revoked || partitions.get(state.partition) !== state) throw new PartitionLost(`partition ${state.partition}: assigned to another runner; its flush is abandoned`);
  };

  const saveCheckpoint = (state: PartitionState, range: SealedRange): Promise<void> =>
    store.save({ topic: source.topic, partition: state.partition, first: range.first, last: range.last, snapshot: range.snapshot!, ...(range.record ? { record: range.record } : {}) });

  function queueWrite(state: PartitionState, range: SealedRange): void {
    // A checkpoint may be stored only once every earlier flush of the partition is committed (state-store.ts). When
    // none is waiting, this one's is stored now, while the engine goes on transforming, so its write need not wait for it.
    let saving: Promise<void> | null = null;
    if (state.writes === 0 && !state.revoked && range.snapshot !== null) {
      saving = member(state).then(() => saveCheckpoint(state, range));
      saving.catch(() => undefined);
    }
    state.writes++;
    state.lane = state.lane
      .then(() => writeAndCommit(state, range, saving))
      .catch((error: unknown) => fail(state, error))
      .finally(() => {
        state.writes--;
        notify();
      });
  }

  /**
   * One sealed flush of offsets [first, last]: its checkpoint and objects (written by the engine,
   * retried with backoff until the store answers, heartbeating meanwhile, while fetching waits),
   * then the offset commit. A flush that cannot finish (the partition moved, the commit failed)
   * drops the partition's state: the next batch rebuilds it from the checkpoints, exactly as after a crash.
   */
  async function writeAndCommit(state: PartitionState, range: SealedRange, saving: Promise<void> | null): Promise<void> {
    let backoff = options.backoffMs ?? 500;
    let written: WriteResult;
    for (;;) {
      ensureOwned(state);
      try {
        // The checkpoint first (state-store.ts), then the objects: a checkpoint stored when the flush was
        // sealed is used once, and after a failure the next attempt stores it again.
        const checkpoint = range.snapshot === null ? null : (saving ?? member(state).then(() => saveCheckpoint(state, range)));
        saving = null;
        await checkpoint;
        if (range.snapshot === null) await member(state);
        // The group may have moved the partition while the checkpoint was stored.
        ensureOwned(state);
        written = (await engines.call(state.partition, { op: "write", id: state.id })) as WriteResult;
        break;
      } catch (error) {
        if (error instanceof EngineFailed || error instanceof PartitionLost || state.revoked) throw error;
        metrics.flushFailures++;
        state.failing = true;
        log(`partition ${state.partition}: flush of offsets ${range.first}-${range.last} failed (${message(error)}); retrying in ${backoff} ms`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 5_000);
        await beat(state);
      }
    }
    state.failing = false;
    for (const f of written.files) {
      metrics.filesWritten++;
      metrics.bytesWritten += f.bytes;
    }
    ensureOwned(state);
    let offset = BigInt(written.last) + 1n;
    // Transaction markers (or aborted messages) right after the flush's last message: commit past them.
    const skipped = state.skipped;
    if (skipped !== null && skipped.after === BigInt(written.last)) offset = skipped.end;
    // A flush of a backfill's end windows carries the last offset again: never commit less than before.
    if (offset < state.durable) offset = state.durable;
    if (topicChanged !== null) throw new PartitionLost(`partition ${state.partition}: offsets ${range.first}-${range.last} are written, not committed (the topic changed)`);
    ensureCommits(state, `offsets ${range.first}-${range.last}`);
    await consumer.commitOffsets([{ topic: source.topic, partition: state.partition, offset: offset.toString() }]);
    state.durable = offset;
    if (state.skipped === skipped && skipped !== null && offset >= skipped.end) state.skipped = null;
    metrics.lastFlush = now();
    buffered(state, written.status);
    updateGauges();
    await store.prune(source.topic, state.partition);
  }

  /**
   * Throws when a commit now would not happen: kafkajs's `commitOffsets` returns without a word while its
   * consumer is not running, as while it restarts after losing the broker. The runner counted such a commit
   * as made: a SIGTERM during a broker outage exited 0, "every offset committed", with none committed.
   * The flush is written; the partition is rebuilt from its checkpoint, which rewrites the same files.
   */
  function ensureCommits(state: PartitionState, what: string): void {
    if (left !== null) throw new PartitionLost(`partition ${state.partition}: ${what} are written, not committed: the consumer left the group after a failure (${left}) and is joining it again`);
    if (metrics.brokerLost === null) return;
    throw new Error(`${what} of partition ${state.partition} are written but not committed: the broker does not answer (${metrics.brokerLost.reason}); they are read again from the checkpoint, rewriting the same files`);
  }

  /**
   * Commits offsets that hold only filtered records (see `skipped`) when nothing before them waits to be
   * written: queued behind the partition's writes, so commits stay in order.
   */
  function queueSkippedCommit(state: PartitionState): void {
    if (state.revoked || state.skipped === null || !settled(state)) return;
    state.writes++;
    state.lane = state.lane
      .then(async () => {
        const skipped = state.skipped;
        if (skipped === null || state.durable !== skipped.after + 1n || topicChanged !== null) return;
        ensureOwned(state);
        ensureCommits(state, `offsets ${skipped.after + 1n}-${skipped.end - 1n} (markers or aborted records)`);
        await consumer.commitOffsets([{ topic: source.topic, partition: state.partition, offset: skipped.end.toString() }]);
        state.durable = skipped.end;
        if (state.skipped === skipped) state.skipped = null;
      })
      .catch((error: unknown) => fail(state, error))
      .finally(() => {
        state.writes--;
        notify();
      });
  }

  /**
   * Offsets from `state.next` up to `end` (exclusive) hold only records kafkajs filtered out (transaction
   * markers, aborted transactions' messages): the partition reads on at `end`, and they are committed
   * with the flush that ends just before them, or on their own when nothing is buffered.
   */
  function skipFiltered(state: PartitionState, end: bigint): void {
    if (end <= state.next) return;
    if (state.replayUntil !== null && state.replayUntil < end) state.replayUntil = null;
    const after = state.skipped !== null && state.skipped.end === state.next ? state.skipped.after : state.next - 1n;
    state.skipped = { after, end };
    state.next = end;
  }

  function updateGauges(): void {
    let depth = 0;
    let oldest: number | null = null;
    for (const s of partitions.values()) {
      depth += s.depth;
      if (s.oldest !== null && (oldest === null || s.oldest < oldest)) oldest = s.oldest;
    }
    metrics.bufferDepth = depth;
    metrics.oldestBuffered = oldest;
  }

  /** Nothing of the partition is in flight: every request answered, every sealed flush written and committed. */
  const settled = (state: PartitionState): boolean => state.revoked || (state.pending === 0 && state.writes === 0);

  async function drain(state: PartitionState): Promise<void> {
    while (!settled(state)) await changed(1000);
  }

  // Messages handed to the engines and not yet transformed: fetching waits above this.
  const MAX_INFLIGHT = 20_000;
  let inflight = 0;
  const runnerInflight = (): number => {
    inflight = 0;
    for (const s of partitions.values()) inflight += s.inflight;
    return inflight;
  };
  /**
   * Back-pressure: fetching (this batch's return to kafkajs) waits while the engines hold too many
   * untransformed messages, while a partition has a flush written and another sealed behind it, and
   * while a write is failing — so a slow or absent S3 pauses consumption instead of growing memory.
   */
  async function backPressure(state: PartitionState): Promise<void> {
    while (!state.revoked && (state.failing || state.writes >= 2 || runnerInflight() > MAX_INFLIGHT)) {
      await changed(1000);
      try {
        await beat(state);
      } catch (error) {
        fail(state, error);
        throw error;
      }
    }
  }

  // Batches and the stop run one at a time, so a stop never cuts a batch in half.
  let chain: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };

  function eachBatch(payload: EachBatchPayload): Promise<void> {
    return serial(async () => {
      if (stopping) return;
      if (batchError !== null) {
        const { error, generation: at } = batchError;
        batchError = null;
        // An error of an older generation is stale: the group has been joined again since (kafkajs restarted
        // the consumer, or it rejoined), and the failed partition is rebuilt at its next batch. Thrown
        // anyway, a kafkajs error that is not retriable (a commit refused while the consumer restarted:
        // "Consumer group was not initialized") stopped the consumer for good.
        if (at === generation) throw rebalanceError(error) ?? error;
      }
      try {
        await processBatch(payload);
      } catch (error) {
        const rebalance = rebalanceError(error);
        // kafkajs rejoins the group for the broker's own error only (not one wrapping it, nor a PartitionLost).
        if (!(error instanceof PartitionLost)) throw rebalance ?? error;
        log(error.message);
        // Let kafkajs rejoin the group when that is why the partition was lost.
        if (rebalance !== null) throw rebalance;
      }
    });
  }

  /**
   * A record's timestamp (ms), which dates its dead letters. A producer may set any int64 (nanoseconds by
   * mistake, on a topic that accepts them; -1 for none): one that is no date is the time it was read, or
   * the dead letter's `new Date(ms).toISOString()` threw and the partition failed on that message forever.
   */
  const recordTime = (timestamp: string): number => {
    const ms = Number(timestamp);
    return ms >= 0 && ms <= 8.64e15 ? ms : now();
  };

  // What the source's `metadata:` needs of each record beyond its value, offset and time (kafka-metadata.ts).
  const wanted = new Set(source.metadata ?? []);
  const [wantKeys, wantTimes, wantHeaders] = [wanted.has("key"), wanted.has("timestamp"), wanted.has("headers")];

  /** Packs messages into one buffer and typed arrays, handed to a worker without copying again. */
  class SegmentBuilder {
    values: (Buffer | null)[] = [];
    offsets: bigint[] = [];
    timestamps: number[] = [];
    /** A tombstone's key (a CDC delete names its row by it), by the message's index in the segment. */
    tombstoneKeys: Record<number, Uint8Array> = {};
    /** With `metadata: [key]`: every message's key (null: none). */
    keys: (Buffer | null)[] = [];
    keyBytes = 0;
    /** With `metadata: [timestamp]`: the timestamps as the records have them (`timestamps` has a stand-in for one that is no date). */
    recordTimes: number[] = [];
    /** With `metadata: [headers]`: each message's headers, their values copied out of the fetch's buffer. */
    headers: SegmentHeaders[] = [];
    bytes = 0;
    add(offset: bigint, value: Buffer | null, timestamp: number, key?: Buffer | null, recordTime?: string, headers?: KafkaMessageHeaders): void {
      if (value === null && key) this.tombstoneKeys[this.values.length] = new Uint8Array(key);
      this.values.push(value);
      this.offsets.push(offset);
      this.timestamps.push(timestamp);
      if (value) this.bytes += value.length;
      if (wantKeys) {
        this.keys.push(key ?? null);
        if (key) this.keyBytes += key.length;
      }
      if (wantTimes) this.recordTimes.push(Number(recordTime));
      if (wantHeaders) this.headers.push(copyHeaders(headers));
    }
    get length(): number {
      return this.values.length;
    }
    take(): Segment {
      const n = this.values.length;
      const values = new Uint8Array(this.bytes);
      const lengths = new Int32Array(n);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const v = this.values[i]!;
        if (v === null) lengths[i] = -1;
        else {
          values.set(v, at);
          at += v.length;
          lengths[i] = v.length;
        }
      }
      const segment: Segment = { values, lengths, offsets: BigInt64Array.from(this.offsets), timestamps: Float64Array.from(this.timestamps), tombstoneKeys: this.tombstoneKeys };
      if (wantKeys) {
        const keys = new Uint8Array(this.keyBytes);
        const keyLengths = new Int32Array(n);
        let k = 0;
        for (let i = 0; i < n; i++) {
          const key = this.keys[i]!;
          if (key === null) keyLengths[i] = -1;
          else {
            keys.set(key, k);
            k += key.length;
            keyLengths[i] = key.length;
          }
        }
        segment.keys = keys;
        segment.keyLengths = keyLengths;
      }
      if (wantTimes) segment.recordTimes = Float64Array.from(this.recordTimes);
      if (wantHeaders) segment.headers = this.headers;
      this.tombstoneKeys = {};
      this.values = [];
      this.offsets = [];
      this.timestamps = [];
      this.keys = [];
      this.keyBytes = 0;
      this.recordTimes = [];
      this.headers = [];
      this.bytes = 0;
      return segment;
    }
  }

  function run(state: PartitionState, segment: SegmentBuilder, autoSeal: boolean): void {
    const n = segment.length;
    void post(state, { op: "run", id: state.id, segment: segment.take(), autoSeal }, n);
  }
  const seal = (state: PartitionState, final: boolean, ifDue = false): Promise<void> => post(state, { op: "seal", id: state.id, final, ifDue });

  async function processBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    lastHeartbeat = heartbeat;
    if (batch.messages.length === 0) return;
    if (!assigned.has(p)) return;
    let state = partitions.get(p);
    if (!state) {
      try {
        state = await open(p, BigInt(batch.firstOffset() ?? batch.messages[0]!.offset));
      } catch (error) {
        if (error instanceof TopicChanged) {
          halt(error);
          return;
        }
        // Said here: kafkajs restarts the consumer on it without a word, so a store that is down at start looked like an idle topic.
        log(`partition ${p}: cannot read where to start (the group's committed offset and the checkpoints): ${message(error)}; trying again`);
        throw error;
      }
      partitions.set(p, state);
    }
    const firstOffset = BigInt(batch.messages[0]!.offset);
    // Only where nothing anchors the start: from the group's committed offset or a checkpoint, a later first
    // message is kafkajs fetching from elsewhere (a seek of a state dropped since, which kafkajs keeps across
    // rebalances), sought back below; beginning there skipped the offsets between.
    if (firstOffset > state.next && !state.started && !state.fromEarliest && state.replayUntil === null && !state.anchored) {
      // Nothing processed yet and the broker starts later (retention, compaction): begin there.
      state.next = firstOffset;
      state.durable = firstOffset;
    }
    // The fetch starts at or before state.next but its first message later: what lies between are records
    // kafkajs filtered out (a transaction's marker, an aborted transaction), not a gap to seek over.
    const fetchedFirst = batch.firstOffset();
    if (firstOffset > state.next && fetchedFirst !== null && BigInt(fetchedFirst) <= state.next) skipFiltered(state, firstOffset);
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
    const segment = new SegmentBuilder();
    // kafkajs keeps one resolved offset per partition (the next fetch starts after it), so the
    // last message handled is resolved once, after the loop: per message, its Long arithmetic
    // and key building were a tenth of this thread's CPU.
    let resolved: string | null = null;
    const messages = batch.messages;
    let whole = true;
    for (let i = 0; i < messages.length; i++) {
      // kafkajs builds a key string for each isStale(): asked every 64 messages. Messages taken
      // after a seek or a stop are still in offset order after state.next, so they are safe.
      if ((i & 63) === 0 && (!isRunning() || isStale())) {
        whole = false;
        break;
      }
      const message = messages[i]!;
      const offset = BigInt(message.offset);
      resolved = message.offset;
      if (offset < state.next) continue;
      segment.add(offset, message.value, recordTime(message.timestamp), message.key, message.timestamp, message.headers);
      state.started = true;
      state.next = offset + 1n;
      if (state.replayUntil !== null && offset === state.replayUntil) {
        const other = otherRecord(state.replayRecord, message.value, message.timestamp);
        if (other !== null) {
          // Not the record the checkpoint saw: the topic was deleted and created again while no runner ran.
          // Nothing of the replay is written (it would replace the old topic's files with the new one's records).
          drop(state);
          halt(new TopicChanged(`runner: partition ${p} of topic ${source.topic} holds another record at offset ${offset} than the one its checkpoint under ${stateFolder}${p}/ was written after (${other}): the topic was deleted and created again since (the broker drops the group's committed offsets with it); nothing is read; ${startOver}`));
          return;
        }
        // The flush a crash may have left half-written ends exactly here: seal it at the same offset.
        run(state, segment, false);
        void seal(state, false);
        state.replayUntil = null;
      }
    }
    if (resolved !== null) resolveOffset(resolved);
    if (segment.length > 0) run(state, segment, state.replayUntil === null);
    // A transactional producer's batch ends with its commit marker, which kafkajs leaves out (and resolves
    // with the last message): read on after it rather than seek back to it.
    if (whole) skipFiltered(state, BigInt(batch.lastOffset()) + 1n);
    metrics.partitionNext.set(p, state.next);
    updateGauges();
    await heartbeat();
    reached(state);
    await backPressure(state);
  }

  /** With `untilCaughtUp`: the partition reached the end the topic had at start; when all have, stop. */
  function reached(state: PartitionState): void {
    if (!caughtUpAt) return;
    if ([...caughtUpAt].every(([part, high]) => (partitions.get(part)?.next ?? -1n) >= high)) {
      // The last partition to reach its end is written now too, beside the others, not after stop() has drained them.
      if (state.replayUntil === null) void seal(state, false);
      finishing = true;
      void stop();
    } else if (state.replayUntil === null && state.next >= (caughtUpAt.get(state.partition) ?? 0n)) {
      // This partition reached the end: write it now, so the group's committed offsets show it to
      // runners that hold the other partitions (see groupCaughtUp).
      void seal(state, false);
    }
  }

  /**
   * A fetch of only records kafkajs filters out (transaction markers, aborted transactions): kafkajs moves
   * on without calling eachBatch, so the partition learns of it here, or a backfill would wait for
   * offsets it never gets (and the group's lag would never reach 0).
   */
  function filteredBatch(p: number, first: bigint, last: bigint): Promise<void> {
    return serial(async () => {
      if (stopping || !assigned.has(p)) return;
      let state = partitions.get(p);
      if (!state) {
        try {
          state = await open(p, first);
        } catch (error) {
          if (error instanceof TopicChanged) {
            halt(error);
            return;
          }
          // kafkajs has moved past these offsets: fetch them again, so the partition still opens (and a backfill still ends).
          log(`partition ${p}: cannot read where to start (the group's committed offset and the checkpoints): ${message(error)}; trying again`);
          consumer.seek({ topic: source.topic, partition: p, offset: first.toString() });
          return;
        }
        partitions.set(p, state);
      }
      if (first > state.next) {
        // As in processBatch: go to where the partition's state is; if the broker still starts later, skip the gap.
        if (state.soughtTo !== state.next) {
          state.soughtTo = state.next;
          consumer.seek({ topic: source.topic, partition: p, offset: state.next.toString() });
          return;
        }
        log(`partition ${p}: offsets ${state.next}-${first - 1n} are not on the broker; continuing at ${first}`);
      }
      skipFiltered(state, last + 1n);
      metrics.partitionNext.set(p, state.next);
      queueSkippedCommit(state);
      reached(state);
    });
  }

  /**
   * With several runners in one group, each holds some partitions: the backfill is done when the
   * group's committed offsets reach the end everywhere and this runner holds nothing unwritten.
   */
  async function groupCaughtUp(ends: Map<number, bigint>): Promise<boolean> {
    for (const p of assigned) {
      const state = partitions.get(p);
      if (state && (state.depth > 0 || !settled(state) || state.replayUntil !== null || state.next < (ends.get(p) ?? 0n))) return false;
    }
    const [offsets] = await admin.fetchOffsets({ groupId: options.groupId, topics: [source.topic] });
    const committed = new Map((offsets?.partitions ?? []).map((o) => [o.partition, BigInt(o.offset)]));
    for (const p of assigned) {
      // Read, settled and nothing buffered, yet not committed to the end: dead letters or skipped offsets wait in the engine.
      const state = partitions.get(p);
      if (state && (committed.get(p) ?? -1n) < state.next) return false;
    }
    return [...ends].every(([p, high]) => (committed.get(p) ?? -1n) >= high);
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
      if (state.replayUntil === null && !state.timedSeal && state.depth > 0) {
        state.timedSeal = true;
        void seal(state, false, true).finally(() => {
          state.timedSeal = false;
        });
      }
      queueSkippedCommit(state);
    }
  }, 1000);

  // The partitions the group gave this runner in its latest generation.
  let assigned = new Set<number>();
  let joined = false;
  consumer.on(consumer.events.REBALANCING, () => {
    metrics.joining = true;
  });
  consumer.on(consumer.events.HEARTBEAT, (e) => {
    confirmed = { memberId: e.payload.memberId, at: Date.now() };
  });
  /** The last failure kafkajs restarted the consumer after, so a repeated one is logged once. */
  let lastRestart: string | null = null;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    metrics.joining = false;
    lastRestart = null;
    left = null;
    if (metrics.brokerLost !== null) {
      log(`the broker answers again after ${Math.round((now() - metrics.brokerLost.since) / 1000)} s; reading on`);
      metrics.brokerLost = null;
    }
    const mine = new Set((e.payload.memberAssignment[source.topic] ?? []) as number[]);
    // Joined as another member than before: the group had dropped this runner (a session that lapsed, a
    // consumer restarted after a crash), and its partitions may have been read, written and committed
    // by another runner meanwhile. What this runner holds of them is behind that: rebuilt from the
    // committed offset and the checkpoints, as after a restart, or it would write those offsets again.
    const rejoined = memberId !== null && e.payload.memberId !== memberId;
    memberId = e.payload.memberId;
    // Joined and synced: the broker has just taken this runner as a member of the new generation.
    confirmed = { memberId, at: Date.now() };
    if (rejoined) {
      // The heartbeat of the old membership answers UNKNOWN_MEMBER_ID; the next batch brings the new one.
      lastHeartbeat = null;
      if (partitions.size > 0) log(`rejoined group ${options.groupId} as a new member (the group had dropped this runner); partitions ${[...partitions.keys()].sort((a, b) => a - b).join(", ")} are rebuilt from the committed offsets and the checkpoints`);
      for (const state of [...partitions.values()]) drop(state);
    }
    assigned = mine;
    prepare(mine);
    joined = true;
    generation++;
    for (const [p, state] of [...partitions]) {
      if (!mine.has(p)) {
        // Another runner owns it now and resumes from the checkpoints and the committed offset; drop
        // what is buffered here. A flush of it in flight sees `revoked` and stops before its next write.
        drop(state);
        metrics.partitionNext.delete(p);
        metrics.partitionHigh.delete(p);
        log(`partition ${p}: moved to another runner`);
      }
    }
    updateGauges();
    log(`joined group ${options.groupId}: partitions ${[...mine].sort((a, b) => a - b).join(", ") || "(none)"}`);
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const { topic, partition, batchSize, firstOffset, lastOffset } = e.payload;
    if (batchSize !== 0 || topic !== source.topic || firstOffset === null) return;
    filteredBatch(partition, BigInt(firstOffset), BigInt(lastOffset)).catch((error: unknown) => log(`partition ${partition}: ${message(error)}`));
  });
  consumer.on(consumer.events.CRASH, (e) => {
    // A batch no codec can read (damaged, or past MAX_BATCH_BYTES) fails the same way after every
    // restart: kafkajs would retry it forever while the runner showed 0 events. Stop and say why;
    // nothing from it on is written or committed, so a fixed runner starts there again.
    const unreadable = codecErrorIn(e.payload.error);
    // The runner is stopping for a changed topic, and says so.
    if (topicChanged !== null) return;
    if (unreadable) {
      // kafkajs has left the group already (restartOnFailure said no); end the rest of the runner.
      // A batch past the bound is data (a large record, a high compression ratio): say which setting reads it.
      const raise = unreadable.tooLarge ? `; to read it, run again with --max-batch-mib above ${maxBatchBytes / 1024 / 1024} (the memory one batch may take)` : "";
      const error = new Error(`runner: a record batch of topic ${source.topic} cannot be read: ${unreadable.message}; nothing from it on is written or committed${raise}`, { cause: e.payload.error });
      stopping = true;
      clearInterval(timer);
      void Promise.allSettled([admin.disconnect(), engines.close()]).then(() => rejectDone(error));
    } else if (e.payload.restart) {
      // kafkajs restarts the consumer, every few seconds while the failure lasts; the runner used to say
      // nothing meanwhile, its progress line showing a lag of 0 for a broker that was gone. Said once.
      const reason = message(e.payload.error);
      if (brokerUnreachable(e.payload.error)) {
        if (metrics.brokerLost === null) {
          metrics.brokerLost = { since: now(), reason };
          log(`lost the broker (${reason}); waiting for it to answer — what was read is kept, and reading goes on from there`);
        }
      } else {
        // kafkajs's disconnect sent LeaveGroup, which a broker that answers takes: the partitions may go to
        // another runner before this one joins again, and no flush of them may be stored here meanwhile.
        left = reason;
        if (reason !== lastRestart) log(`the consumer failed (${reason}); kafkajs restarts it`);
      }
      lastRestart = reason;
    } else if (isRebalance(e.payload.error) && !stopping) {
      // kafkajs gives up on some of the group's answers during a rebalance (ILLEGAL_GENERATION,
      // REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID while joining or syncing, after its retries): its consumer
      // has left the group and stays stopped. A rebalance is no reason for a runner to end: it starts the
      // consumer again and rejoins; its partitions are rebuilt from the committed offsets (GROUP_JOIN).
      log(`the group rebalanced under the consumer and kafkajs stopped it (${message(e.payload.error)}); restarting it and rejoining group ${options.groupId}`);
      void restartConsumer();
    } else rejectDone(e.payload.error);
  });

  /** Starts the consumer again after kafkajs stopped it for good; tried again with backoff while the broker refuses. */
  let restarting = false;
  async function restartConsumer(): Promise<void> {
    if (restarting) return;
    restarting = true;
    metrics.joining = true;
    for (let backoff = 1_000; ; backoff = Math.min(backoff * 2, 30_000)) {
      if (stopping) {
        restarting = false;
        return;
      }
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [source.topic], fromBeginning: options.start?.kind !== "latest" });
        break;
      } catch (error) {
        log(`cannot restart the consumer (${message(error)}); trying again in ${backoff / 1000} s`);
        // A topic deleted meanwhile (which rebalanced the group too) is no reason to try again every 30 s
        // for ever: the check stops the runner with the topic-changed message, which ends this loop.
        checkTopic();
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
    // Cleared first: joining fails inside `run` as a crash of its own, which restarts again.
    restarting = false;
    if (stopping) {
      // `stop` ran while the consumer connected again, and disconnected it before: the sockets would stay open.
      await consumer.disconnect().catch(() => undefined);
      return;
    }
    await consumer.run(running).catch((error: unknown) => rejectDone(error));
  }

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
      try {
        consumer.pause([{ topic: source.topic }]);
      } catch {
        // Not running (kafkajs restarts it after a crash): nothing is fetched.
      }
      // Flush and commit while still a group member; then leave.
      await serial(async () => {
        for (const state of [...partitions.values()]) await drain(state);
        for (const state of [...partitions.values()]) if (state.replayUntil === null) void seal(state, finishing);
        for (const state of [...partitions.values()]) await drain(state);
        for (const state of [...partitions.values()]) queueSkippedCommit(state);
        for (const state of [...partitions.values()]) await drain(state);
      });
      await consumer.stop();
      // Nothing is left to write: leave the group, close the admin client and end the workers at once.
      await Promise.all([consumer.disconnect(), admin.disconnect(), engines.close()]);
      if (fatal !== null) throw fatal;
      resolveDone();
    })();
    stopped.catch(rejectDone);
    return stopped;
  }

  metrics.joining = true;
  const running = { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch };
  await consumer.run(running);
  return { done, stop, metrics };
}

/**
 * How the record at a replayed flush's last offset differs from the one its checkpoint saw (null: it does
 * not, or the checkpoint does not say). The time is compared only when the record has one (the checkpoint
 * holds the time it was read for a record without).
 */
function otherRecord(seen: { time: number; length: number } | null, value: Buffer | null, timestamp: string): string | null {
  if (seen === null) return null;
  const length = value === null ? -1 : value.length;
  const describe = (l: number) => (l < 0 ? "a tombstone" : `${l} bytes`);
  if (length !== seen.length) return `its value is ${describe(length)}, the checkpoint's was ${describe(seen.length)}`;
  const ms = Number(timestamp);
  if (ms >= 0 && ms <= 8.64e15 && ms !== seen.time) return `its time is ${new Date(ms).toISOString()}, the checkpoint's was ${Number.isFinite(seen.time) && Math.abs(seen.time) <= 8.64e15 ? new Date(seen.time).toISOString() : seen.time}`;
  return null;
}

/** The KafkaCodecError an error from kafkajs carries (itself, or as its cause or originalError), if any. */
function codecErrorIn(error: unknown): KafkaCodecError | null {
  for (let at = error, depth = 0; at instanceof Error && depth < 8; depth++) {
    if (at instanceof KafkaCodecError) return at;
    at = (at as { originalError?: unknown }).originalError ?? at.cause;
  }
  return null;
}

const headerText = new TextEncoder();

/** A message's headers as kafkajs decodes them: a name's values in a list when it repeats. */
type KafkaMessageHeaders = Record<string, Buffer | string | undefined | (Buffer | string)[]> | undefined;

/**
 * Headers to send to a worker: each value copied, since a Buffer kafkajs gives is a view of the
 * whole fetch response, which a worker message would otherwise copy for every header.
 */
function copyHeaders(headers: KafkaMessageHeaders): SegmentHeaders {
  // No prototype: a header named __proto__ is a header like any other.
  const copy: SegmentHeaders = Object.create(null) as SegmentHeaders;
  if (!headers) return copy;
  const one = (value: Buffer | string | null | undefined): Uint8Array | null =>
    value === null || value === undefined ? null : typeof value === "string" ? headerText.encode(value) : new Uint8Array(value);
  for (const [name, value] of Object.entries(headers)) copy[name] = Array.isArray(value) ? value.map(one) : one(value);
  return copy;
}

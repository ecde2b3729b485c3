import { Kafka, type Admin, logLevel } from "kafkajs";
import { registerKafkaCodecs, withFetchBudget } from "../../edge/runner/kafka-codecs.ts";
import { abortedRecords, clusterFactory, type AbortedTransaction } from "../../edge/runner/kafka-transactions.ts";
import { kafkaSecurityFromEnv, type KafkaSecurity } from "../../edge/runner/kafka-auth.ts";
import { kafkaConnectHint } from "../../edge/runner/kafka-hint.ts";
import { addMetadata, metadataColumns, withRecordMetadata } from "../../edge/runner/kafka-metadata.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { decodeAvroValue, loadWriterSchemas, valueReader } from "./avro.ts";
import { decodePayload, tombstoneReason } from "./decode.ts";
import { keepRepeats } from "./kept-repeats.ts";
import type { Source, SourceEvent } from "./source.ts";

type KafkaSpec = Extract<SourceSpec, { kind: "kafka" }>;

/** A fetched record, as kafkajs's Fetch decoder gives it. */
interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  /** As kafkajs decodes them: a name's values in a list when it repeats. */
  headers?: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord?: boolean;
  /** The record batch it came in (magic v2 batches only). */
  batchContext?: { producerId: string; inTransaction: boolean };
  /** Set here: a message of a transaction its producer aborted. */
  aborted?: boolean;
}

/** The slice of kafkajs's internal Cluster and Broker this source speaks to. */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(node: { nodeId: string }): Promise<Broker>;
}
interface Broker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: { partition: number; highWatermark: string; abortedTransactions?: AbortedTransaction[]; messages: RawMessage[] }[] }[] }>;
}

const READ_COMMITTED = 1;
/** replica id -1: an ordinary client, not a follower broker. */
const CONSUMER_REPLICA = -1;

/**
 * kafkajs consumers always join a group, and the sample must not. Its
 * Cluster speaks the Fetch API without one: it is built by the client's
 * private factory, the same one `kafka.consumer()` uses.
 */
function createCluster(kafka: Kafka): Cluster {
  return clusterFactory<Cluster>(kafka).create({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, maxInFlightRequests: null, isolationLevel: READ_COMMITTED });
}

/**
 * A Kafka topic read without a consumer group: the sample is the newest `n`
 * messages across partitions (by record timestamp; records of one time take
 * turns across partitions, each's in offset order), read from `high - n` of each partition; the tail fetches from the
 * high watermarks at the time it opened, and a partition added to the topic
 * since from its first record. Nothing joins a group, nothing commits an offset.
 */
export function openKafkaSource(spec: KafkaSpec, clientId = "runnel-gateway", security: KafkaSecurity = kafkaSecurityFromEnv()): Source {
  registerKafkaCodecs();
  // `format: avro`: the values are decoded with the schema loaded beside the notebook, or their writers' schemas
  // from the registry (looked up before each batch's values are decoded), as the runner decodes them.
  const avro = spec.avro ? valueReader(spec.avro, spec.name) : null;
  const kafka = new Kafka({ clientId, brokers: spec.brokers, ...security, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  let connected: Promise<{ admin: Admin; cluster: Cluster }> | null = null;
  const connect = () => {
    connected ??= (async () => {
      const admin = kafka.admin();
      const cluster = createCluster(kafka);
      try {
        await Promise.all([admin.connect(), cluster.connect()]);
        await cluster.addTargetTopic(spec.topic);
      } catch (err) {
        connected = null;
        await Promise.allSettled([admin.disconnect(), cluster.disconnect()]);
        const entry = `sources.${spec.name}.kafka`;
        if (unknownTopic(err)) {
          throw new Error(`kafka: topic ${spec.topic} does not exist on ${spec.brokers.join(",")}; create it, or name another in ${entry}.topic (the notebook does not create topics)`, { cause: err });
        }
        const said = (err as Error).message;
        throw new Error(`kafka: cannot reach topic ${spec.topic} on ${spec.brokers.join(",")}: ${said}; ${kafkaConnectHint(said, security, `${entry}.brokers`)}`, { cause: err });
      }
      return { admin, cluster };
    })();
    return connected;
  };

  const toEvents = (partition: number, message: RawMessage): SourceEvent[] => {
    const receivedAt = Number(message.timestamp);
    const meta: Record<string, string | number> = { partition, offset: message.offset };
    if (message.key) meta.key = message.key.toString("utf8");
    if (message.value === null) return [{ ok: false, raw: "", error: tombstoneReason(message.offset, message.key ?? undefined), receivedAt, meta }];
    // The runner's words for it (partition-engine.ts): an empty JSON text is no value, not broken JSON.
    if (message.value.length === 0 && spec.format === "json" && !avro) return [{ ok: false, raw: "", error: "kafka: message value is empty (0 bytes)", receivedAt, meta }];
    const events = avro ? decodeAvroValue(message.value, avro, receivedAt, meta) : decodePayload(message.value, spec.format, receivedAt, meta, spec.format === "csv" ? "positional" : undefined, true);
    if (!spec.metadata?.length) return events;
    const record = { key: message.key, timestamp: receivedAt, partition, offset: BigInt(message.offset), topic: spec.topic, headers: message.headers };
    const made = metadataColumns(spec.metadata, record);
    // An event refused for a repeated key keeps the record read again with its columns, for the sample and tail (kept-repeats.ts).
    return keepRepeats(withRecordMetadata(events, spec.metadata, record), (value) => (made.ok ? addMetadata(value, made.columns) : made));
  };

  return {
    spec,
    async sample(n) {
      const { admin, cluster } = await connect();
      const offsets = await retrying(cluster, `read the offsets of ${spec.topic}`, () => admin.fetchTopicOffsets(spec.topic));
      const ranges = offsets
        .map((o) => ({ partition: o.partition, from: BigInt(o.high) - BigInt(n), low: BigInt(o.low), high: BigInt(o.high) }))
        .map((r) => ({ ...r, from: r.from > r.low ? r.from : r.low }))
        .filter((r) => r.from < r.high);
      /** `fromEnd`: how many of the partition's kept messages follow this one. */
      const collected: { partition: number; message: RawMessage; fromEnd: number }[] = [];
      await Promise.all(ranges.map(async (range) => {
        // Transaction markers and aborted messages take offsets too: while the window holds fewer than n
        // messages, the offsets before it are read as well (a few times at most, then the sample is short).
        let kept: RawMessage[] = [];
        let { from, high: until } = range;
        for (let round = 0; round < 8; round++) {
          const window: RawMessage[] = [];
          let next = from;
          while (next < until) {
            const messages = await fetchPartition(cluster, spec.topic, range.partition, next, 100);
            const inRange = messages.filter((m) => BigInt(m.offset) >= next && BigInt(m.offset) < until);
            if (messages.length === 0) break;
            for (const message of inRange) if (!skipped(message)) window.push(message);
            next = BigInt(messages[messages.length - 1]!.offset) + 1n;
          }
          kept = [...window, ...kept];
          if (kept.length >= n || from <= range.low) break;
          until = from;
          from = from - BigInt(n - kept.length) > range.low ? from - BigInt(n - kept.length) : range.low;
        }
        for (const [i, message] of kept.entries()) collected.push({ partition: range.partition, message, fromEnd: kept.length - 1 - i });
      }));
      // Records of one time (a bulk write gives them all one) take turns across partitions, newest last in
      // each, so the newest n of a topic written in bulk hold every partition's newest, not one partition's.
      collected.sort((a, b) =>
        Number(a.message.timestamp) - Number(b.message.timestamp) || b.fromEnd - a.fromEnd || a.partition - b.partition,
      );
      const newest = collected.slice(-n);
      await loadWriterSchemas(avro, newest.map(({ message }) => message.value));
      return newest.flatMap(({ partition, message }) => toEvents(partition, message)).slice(-n);
    },
    async *tail(signal) {
      const { admin, cluster } = await connect();
      const offsets = await retrying(cluster, `read the offsets of ${spec.topic}`, () => admin.fetchTopicOffsets(spec.topic));
      const next = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      for (let round = 1; !signal.aborted; round++) {
        // Every 20th round (about 10 s while the topic is quiet): a partition added to the topic since the tail
        // opened is tailed from its first record, all of it written after the tail began.
        if (round % 20 === 0) {
          await cluster.refreshMetadata();
          const now = await retrying(cluster, `read the offsets of ${spec.topic}`, () => admin.fetchTopicOffsets(spec.topic));
          for (const o of now) if (!next.has(o.partition)) next.set(o.partition, BigInt(o.low));
        }
        const fetched = await Promise.all([...next].map(async ([partition, from]) => {
          const messages = await fetchPartition(cluster, spec.topic, partition, from, 500, signal);
          return { partition, messages: messages.filter((m) => BigInt(m.offset) >= from) };
        }));
        await loadWriterSchemas(avro, fetched.flatMap(({ messages }) => messages.filter((m) => !skipped(m)).map((m) => m.value)));
        for (const { partition, messages } of fetched) {
          if (messages.length === 0) continue;
          next.set(partition, BigInt(messages[messages.length - 1]!.offset) + 1n);
          for (const message of messages) {
            if (skipped(message)) continue;
            for (const event of toEvents(partition, message)) yield event;
          }
        }
      }
    },
    async close() {
      const open = connected;
      connected = null;
      if (!open) return;
      const { admin, cluster } = await open;
      await Promise.all([admin.disconnect(), cluster.disconnect()]);
    },
  };
}

/** Whether kafkajs's error (or one it wraps) is the broker's UNKNOWN_TOPIC_OR_PARTITION. */
function unknownTopic(error: unknown): boolean {
  for (let e = error; typeof e === "object" && e !== null; e = (e as { cause?: unknown }).cause) {
    if ((e as { type?: unknown }).type === "UNKNOWN_TOPIC_OR_PARTITION") return true;
  }
  return false;
}

/**
 * Runs `work`, retrying Kafka's retriable errors (a leader that moved or is not
 * elected yet: a topic just created, a broker restarting) for about ten
 * seconds, with fresh metadata before each retry. When `signal` aborted
 * meanwhile, gives `whenAborted` instead of the error.
 */
async function retrying<T>(cluster: Cluster, what: string, work: () => Promise<T>, signal?: AbortSignal, whenAborted?: T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (signal?.aborted && whenAborted !== undefined) return whenAborted;
      if (!(err as { retriable?: boolean }).retriable || attempt >= 20) {
        throw new Error(`kafka: cannot ${what}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 1000)));
      await cluster.refreshMetadata();
    }
  }
}

/** One Fetch of one partition from its leader, retried while the leader is unknown. */
function fetchPartition(cluster: Cluster, topic: string, partition: number, from: bigint, maxWaitTime: number, signal?: AbortSignal): Promise<RawMessage[]> {
  return retrying(cluster, `fetch ${topic}/${partition} from offset ${from}`, () => fetchFromLeader(cluster, topic, partition, from, maxWaitTime), signal, []);
}

/** Per cluster and broker, its first Fetch (see fetchFromLeader). */
const firstFetches = new WeakMap<Cluster, Map<string, Promise<unknown>>>();

async function fetchFromLeader(cluster: Cluster, topic: string, partition: number, from: bigint, maxWaitTime: number): Promise<RawMessage[]> {
  const leaders = cluster.findLeaderForPartitions(topic, [partition]);
  const nodeId = Object.keys(leaders)[0];
  if (nodeId === undefined) throw new Error(`kafka: no leader for ${topic}/${partition}`);
  const broker = await cluster.findBroker({ nodeId });
  // kafkajs opens a broker's fetch connection on its first Fetch, and each Fetch sent before that one is
  // connected opens a socket of its own, of which it keeps the last: the others outlived close() and kept
  // the process alive (`runnel check` of a three-partition topic never exited). The first Fetch goes alone.
  let byNode = firstFetches.get(cluster);
  if (!byNode) firstFetches.set(cluster, (byNode = new Map()));
  const first = byNode.get(nodeId);
  if (first) await first.catch(() => undefined);
  // The batches of this one fetch share a decompression budget (kafkajs decodes them all before answering).
  const fetched = withFetchBudget(() => broker.fetch({
    replicaId: CONSUMER_REPLICA,
    isolationLevel: READ_COMMITTED,
    maxWaitTime,
    minBytes: 1,
    maxBytes: 16 * 1024 * 1024,
    topics: [{ topic, partitions: [{ partition, fetchOffset: from.toString(), maxBytes: 8 * 1024 * 1024 }] }],
  }));
  if (!first) {
    byNode.set(nodeId, fetched);
    // A first Fetch that failed connected nothing: the next one goes alone again.
    fetched.catch(() => {
      if (byNode.get(nodeId) === fetched) byNode.delete(nodeId);
    });
  }
  const response = await fetched;
  return response.responses
    .flatMap((r) => r.partitions)
    .filter((p) => p.partition === partition)
    .flatMap((p) => markAborted(p.messages, p.abortedTransactions ?? []));
}

/** Records that are not events: transaction markers, and messages of aborted transactions. */
const skipped = (message: RawMessage): boolean => message.isControlRecord === true || message.aborted === true;

/** Marks the messages of aborted transactions (see kafka-transactions.ts). */
function markAborted(messages: RawMessage[], aborted: AbortedTransaction[]): RawMessage[] {
  for (const message of abortedRecords(messages, aborted)) message.aborted = true;
  return messages;
}

/**
 * Where each readable event of a Kafka sample was read, in the order of its values (`ok` events):
 * the check's stream order step runs each partition in offset order with its own watermark, as the
 * runner does (CheckOptions.arrival). Undefined when an event does not say (a webhook's, a demo's).
 */
export function sampleArrival(events: readonly SourceEvent[]): { partition: number; offset: string }[] | undefined {
  const arrival: { partition: number; offset: string }[] = [];
  for (const e of events) {
    if (!e.ok) continue;
    if (typeof e.meta?.partition !== "number" || e.meta.offset === undefined) return undefined;
    arrival.push({ partition: e.meta.partition, offset: String(e.meta.offset) });
  }
  return arrival;
}

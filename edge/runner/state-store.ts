/**
 * Checkpoints a Kafka runner keeps beside its output, one object per flush
 * of one topic-partition:
 *
 *   <prefix>_state/<topic>/<partition>/<first>-<last>.json
 *
 * holding the executor's snapshot after offset `last`. It is written before
 * the flush's Parquet objects, so on restart the newest checkpoint names the
 * last flush that may be incomplete. When the group's committed offset is
 * past it, it completed: resume there with its state. Otherwise the runner
 * restores the checkpoint before it, seeks to that flush's first offset, and
 * flushes again exactly at its last offset — rewriting the same objects with
 * the same bytes.
 */
import { escapePathSegment, rangeName } from "../sinks/layout.ts";
import type { Sink } from "../sinks/sink.ts";

export interface Checkpoint {
  topic: string;
  partition: number;
  first: string;
  last: string;
  /** `Executor.snapshot()` after `last`. */
  snapshot: string;
  /** The record at `last`: its time (ms) and value length (-1: a tombstone). Absent in checkpoints written before 2026-12-07. */
  record?: { time: number; length: number };
}

export interface Recovery {
  /** The offset to resume at. */
  next: bigint;
  /** The executor state to restore there, or null for a fresh one. */
  snapshot: string | null;
  /** Flush exactly at this offset first (the newest, possibly incomplete, flush), or null. */
  replayUntil: bigint | null;
  /**
   * With `replayUntil`: the record the checkpoint saw at that offset. A replay that reads another there
   * is over a topic deleted and created again (the broker drops the group's offsets with the topic, so
   * the runner finds no committed offset and replays the last flush): it must not rewrite the old topic's files.
   */
  record?: { time: number; length: number };
}

const utf8 = new TextEncoder();
const KEEP = 3;

export class StateStore {
  constructor(private readonly sink: Sink, private readonly prefix: string) {}

  private folder(topic: string, partition: number): string {
    return `${this.prefix}_state/${escapePathSegment(topic)}/${partition}/`;
  }

  async save(c: Checkpoint): Promise<void> {
    const key = `${this.folder(c.topic, c.partition)}${rangeName(BigInt(c.first), BigInt(c.last))}.json`;
    await this.sink.put(key, utf8.encode(JSON.stringify(c)), { contentType: "application/json" });
  }

  /**
   * Where a partition resumes, or null when it has never flushed.
   * `committed` is the group's committed offset (-1 when none): past the
   * newest checkpoint's last offset, that flush finished and was committed,
   * so the partition resumes after it with its state; otherwise the newest
   * flush may be incomplete and is replayed from the checkpoint before it.
   */
  async recover(topic: string, partition: number, committed: bigint): Promise<Recovery | null> {
    const keys = (await this.sink.list(this.folder(topic, partition))).filter((k) => k.endsWith(".json"));
    if (keys.length === 0) return null;
    const newest = await this.read(keys.at(-1)!);
    if (committed > BigInt(newest.last)) return { next: committed, snapshot: newest.snapshot, replayUntil: null };
    const before = keys.length > 1 ? await this.read(keys.at(-2)!) : null;
    return { next: BigInt(newest.first), snapshot: before?.snapshot ?? null, replayUntil: BigInt(newest.last), ...(newest.record ? { record: newest.record } : {}) };
  }

  /** Drops all but the newest few checkpoints of a partition. */
  async prune(topic: string, partition: number): Promise<void> {
    const keys = await this.sink.list(this.folder(topic, partition));
    for (const key of keys.slice(0, Math.max(0, keys.length - KEEP))) await this.sink.delete(key);
  }

  private async read(key: string): Promise<Checkpoint> {
    const bytes = await this.sink.get(key);
    if (!bytes) throw new Error(`runner: checkpoint ${key} vanished while it was read`);
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as Checkpoint;
    } catch (error) {
      throw new Error(`runner: checkpoint ${key} is not JSON`, { cause: error });
    }
  }
}

import { randomBytes } from "node:crypto";
import type { Source, SourceEvent } from "../sources/source.ts";

/** One SSE batch: the events a source delivered in one flush window. */
export interface Batch {
  seq: number;
  events: SourceEvent[];
}

/** What a tail client receives: batches, and gaps where it lost some. */
export type TailMessage =
  | { kind: "batch"; batch: Batch }
  | { kind: "gap"; skippedEvents: number; skippedBatches: number; reason: "slow-client" | "resume-too-old" | "restarted" };

export interface HubOptions {
  /** Batches kept for resuming with Last-Event-ID. */
  ringSize?: number;
  /** Batches queued per client before the oldest is dropped. */
  clientQueue?: number;
  /** How long events gather into one batch, in ms. */
  flushMs?: number;
  /** Most events in one batch. */
  maxBatch?: number;
  /** How long the source tail stays open after the last client left, so a reconnect resumes. */
  lingerMs?: number;
  onError?: (err: Error) => void;
}

interface Client {
  queue: TailMessage[];
  wake: (() => void) | null;
  droppedEvents: number;
  droppedBatches: number;
}

/**
 * The live tail of one source shared by every browser tab reading it: one
 * reader of `source.tail`, events grouped into numbered batches, the last
 * `ringSize` batches kept for resume, and a bounded queue per client that
 * drops its oldest batches (reported as a gap) when the client reads too
 * slowly. Memory is bounded by ring + clients × queue, never by a slow reader.
 * Batch ids are `<epoch>-<seq>`: after a gateway restart an old id is
 * recognised as from another epoch and answered with a gap.
 */
export class TailHub {
  readonly epoch = randomBytes(4).toString("hex");
  private readonly source: Source;
  private readonly options: Required<Omit<HubOptions, "onError">> & Pick<HubOptions, "onError">;
  private readonly ring: Batch[] = [];
  private readonly clients = new Set<Client>();
  private seq = 0;
  private reader: AbortController | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;

  constructor(source: Source, options: HubOptions = {}) {
    this.source = source;
    this.options = { ringSize: 256, clientQueue: 64, flushMs: 250, maxBatch: 1000, lingerMs: 30_000, ...options };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Messages for one client until `signal` aborts: first the batches after
   * `lastEventId` still in the ring (or a gap when they are gone), then live ones.
   */
  async *follow(signal: AbortSignal, lastEventId: string | null): AsyncIterable<TailMessage> {
    const client: Client = { queue: this.replay(lastEventId), wake: null, droppedEvents: 0, droppedBatches: 0 };
    this.clients.add(client);
    this.start();
    const onAbort = () => client.wake?.();
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        if (client.droppedBatches > 0) {
          yield { kind: "gap", skippedEvents: client.droppedEvents, skippedBatches: client.droppedBatches, reason: "slow-client" };
          client.droppedBatches = 0;
          client.droppedEvents = 0;
        }
        const message = client.queue.shift();
        if (message) {
          yield message;
          continue;
        }
        await new Promise<void>((resolve) => { client.wake = resolve; });
        client.wake = null;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.clients.delete(client);
      if (this.clients.size === 0) this.linger();
    }
  }

  /** The id a batch is sent with. */
  idOf(batch: Batch): string {
    return `${this.epoch}-${batch.seq}`;
  }

  stop(): void {
    this.reader?.abort();
    this.reader = null;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
  }

  private replay(lastEventId: string | null): TailMessage[] {
    if (lastEventId === null) return [];
    const match = /^([0-9a-f]+)-(\d+)$/.exec(lastEventId);
    if (!match || match[1] !== this.epoch) return [{ kind: "gap", skippedEvents: 0, skippedBatches: 0, reason: "restarted" }];
    const after = Number(match[2]);
    const kept = this.ring.filter((b) => b.seq > after);
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    const messages: TailMessage[] = [];
    if (after + 1 < oldest) messages.push({ kind: "gap", skippedEvents: 0, skippedBatches: oldest - after - 1, reason: "resume-too-old" });
    for (const batch of kept) messages.push({ kind: "batch", batch });
    return messages;
  }

  private start(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (this.reader) return;
    const reader = new AbortController();
    this.reader = reader;
    this.read(reader.signal).catch((err: Error) => {
      this.options.onError?.(err);
      if (this.reader === reader) this.reader = null;
    });
  }

  private linger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => this.stop(), this.options.lingerMs);
    this.lingerTimer.unref();
  }

  private async read(signal: AbortSignal): Promise<void> {
    let pending: SourceEvent[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (pending.length > 0) this.emit(pending);
      pending = [];
    };
    try {
      for await (const event of this.source.tail(signal)) {
        pending.push(event);
        if (pending.length >= this.options.maxBatch) flush();
        else timer ??= setTimeout(flush, this.options.flushMs);
      }
    } finally {
      flush();
    }
  }

  private emit(events: SourceEvent[]): void {
    const batch: Batch = { seq: ++this.seq, events };
    this.ring.push(batch);
    if (this.ring.length > this.options.ringSize) this.ring.shift();
    for (const client of this.clients) {
      client.queue.push({ kind: "batch", batch });
      while (client.queue.length > this.options.clientQueue) {
        const dropped = client.queue.shift()!;
        if (dropped.kind === "batch") {
          client.droppedBatches++;
          client.droppedEvents += dropped.batch.events.length;
        }
      }
      client.wake?.();
    }
  }
}

import type { SourceEvent } from "./source.ts";

/**
 * Fan-out of live events to every open tail of one source. Each tail has its
 * own bounded queue: a tail that stops reading loses its oldest events rather
 * than growing the process's memory (the SSE layer above reports the gap).
 */
export class EventChannel {
  private readonly tails = new Set<{ queue: SourceEvent[]; wake: (() => void) | null }>();
  private readonly maxQueued: number;

  constructor(maxQueued = 10_000) {
    this.maxQueued = maxQueued;
  }

  get size(): number {
    return this.tails.size;
  }

  publish(events: readonly SourceEvent[]): void {
    if (events.length === 0) return;
    for (const tail of this.tails) {
      for (const e of events) tail.queue.push(e);
      if (tail.queue.length > this.maxQueued) tail.queue.splice(0, tail.queue.length - this.maxQueued);
      tail.wake?.();
    }
  }

  /** Events published after the call, until `signal` aborts. */
  async *subscribe(signal: AbortSignal): AsyncIterable<SourceEvent> {
    const tail = { queue: [] as SourceEvent[], wake: null as (() => void) | null };
    this.tails.add(tail);
    const onAbort = () => tail.wake?.();
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        if (tail.queue.length === 0) {
          await new Promise<void>((resolve) => { tail.wake = resolve; });
          tail.wake = null;
          continue;
        }
        const batch = tail.queue.splice(0, tail.queue.length);
        for (const event of batch) yield event;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.tails.delete(tail);
    }
  }
}

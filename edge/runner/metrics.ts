/**
 * What a running pipeline counts, with the Worker's names, served as JSON at
 * `GET /metrics` and summed up in the progress line.
 */
export class RunnerMetrics {
  eventsIn = 0;
  rowsOut = 0;
  filesWritten = 0;
  bytesWritten = 0;
  deadLetters = 0;
  bufferDepth = 0;
  flushFailures = 0;
  lastFlush: number | null = null;
  /** Whether the runner waits for its group to assign it partitions (at start, and in a rebalance). */
  joining = false;
  /** Since when (ms) and why the consumer cannot reach its broker while kafkajs reconnects; null while it can. */
  brokerLost: { since: number; reason: string } | null = null;
  /** When the oldest row still in a buffer arrived (ms), or null when every buffer is empty. */
  oldestBuffered: number | null = null;
  /** Per partition: the next offset to process and the broker's high watermark. */
  readonly partitionNext = new Map<number, bigint>();
  readonly partitionHigh = new Map<number, bigint>();

  lag(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [p, high] of this.partitionHigh) out[p] = Number(high - (this.partitionNext.get(p) ?? 0n));
    return out;
  }

  /** What `JSON.stringify` serves at `GET /metrics` (it passes a key, not a time, so the clock is read here). */
  toJSON(): Record<string, unknown> {
    return this.snapshot(Date.now());
  }

  /** The metrics as `GET /metrics` serves them; `now` dates the buffer age. */
  snapshot(now: number): Record<string, unknown> {
    return {
      events_in: this.eventsIn,
      rows_out: this.rowsOut,
      files_written: this.filesWritten,
      bytes_written: this.bytesWritten,
      dead_letters: this.deadLetters,
      buffer_depth: this.bufferDepth,
      oldest_buffered_age_seconds: this.oldestBuffered === null ? 0 : Math.max(0, (now - this.oldestBuffered) / 1000),
      flush_failures: this.flushFailures,
      broker_unreachable_seconds: this.brokerLost === null ? 0 : Math.max(0, (now - this.brokerLost.since) / 1000),
      last_flush_time: this.lastFlush === null ? null : new Date(this.lastFlush).toISOString(),
      lag: this.lag(),
    };
  }
}

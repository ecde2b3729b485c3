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
  /** Per partition: the next offset to process and the broker's high watermark. */
  readonly partitionNext = new Map<number, bigint>();
  readonly partitionHigh = new Map<number, bigint>();

  lag(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [p, high] of this.partitionHigh) out[p] = Number(high - (this.partitionNext.get(p) ?? 0n));
    return out;
  }

  toJSON(): Record<string, unknown> {
    return {
      events_in: this.eventsIn,
      rows_out: this.rowsOut,
      files_written: this.filesWritten,
      bytes_written: this.bytesWritten,
      dead_letters: this.deadLetters,
      buffer_depth: this.bufferDepth,
      flush_failures: this.flushFailures,
      last_flush_time: this.lastFlush === null ? null : new Date(this.lastFlush).toISOString(),
      lag: this.lag(),
    };
  }
}

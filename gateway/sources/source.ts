import type { SourceSpec } from "../../notebook/format/model.ts";

/** One event as a source delivers it: the decoded value, or the raw bytes and why they did not decode. */
export type SourceEvent =
  | { ok: true; value: unknown; receivedAt: number; meta?: Record<string, string | number> }
  | { ok: false; raw: string; error: string; receivedAt: number; meta?: Record<string, string | number> };

/**
 * The contract every source kind (demo, kafka, webhook, http) fulfils; each
 * implementation passes the shared suite in `source.case.ts`.
 */
export interface Source {
  readonly spec: SourceSpec;
  /** The newest `n` events, oldest first. Never joins a consumer group or commits anything. */
  sample(n: number): Promise<SourceEvent[]>;
  /** Events that arrive after the call, until `signal` aborts. */
  tail(signal: AbortSignal): AsyncIterable<SourceEvent>;
  close(): Promise<void>;
}

/**
 * The contract every sink (fs, s3, r2) fulfils. A sink stores whole objects
 * under keys; it knows nothing of rows. Keys are relative to the sink's
 * prefix and always use `/`.
 */
export interface Sink {
  /** Stores `body` under `key`, replacing whatever was there. */
  put(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<void>;
  /**
   * Stores `body` under `key` only if nothing is there yet. Returns false,
   * and changes nothing, when the key exists.
   */
  putIfAbsent(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<boolean>;
  /** The object's bytes, or null when there is none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Every key under `prefix`, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** A URL-ish description for logs and READMEs, e.g. `s3://lake/turnstile/`. */
  readonly describe: string;
  /**
   * The requests a `put` of this many bytes makes at least (a multipart upload: one per part and
   * two more), where that is more than one: a Worker counts them against its subrequest limit.
   */
  requestsFor?(bytes: number): number;
}

import type { SignatureScheme, SinkSpec, SourceFormat, WebhookMetadataField } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";

/** A webhook source as the Worker needs it: how to verify and read a delivery. */
export interface WorkerSource {
  signature: SignatureScheme;
  /** The name of the secret binding (an environment variable name), never its value. */
  secret: string | null;
  deliveryHeader: string | null;
  format: SourceFormat;
  /** `_received_at`, `_delivery_id` and `_headers` columns (webhook-metadata.ts); absent when none. */
  metadata?: WebhookMetadataField[];
  headers?: string[];
}

/**
 * Everything a published Worker is built with, fixed at bundle time and
 * embedded in `worker.js` (and written beside it as `config.json`).
 */
export interface WorkerConfig {
  /** The pipeline's name (the bundle's folder name). */
  name: string;
  plan: Plan;
  sources: Record<string, WorkerSource>;
  sinks: Record<string, SinkSpec>;
  limits: WorkerLimits;
}

export interface WorkerLimits {
  /** Bodies larger than this are refused with 413 before they are read whole. */
  maxBodyBytes: number;
  /** How long a delivery id is remembered: a retry within it adds nothing. */
  dedupSeconds: number;
  /** Durable Objects per plain sink; a request's rows go to one, picked by delivery id. */
  shards: number;
  /**
   * Objects (Parquet files and dead-letter files) one invocation of a Durable Object stores at
   * most. Cloudflare counts every R2 call and every fetch as a subrequest and stops an invocation
   * past its plan's limit (Workers Free: 50 fetches to other hosts, an S3 endpoint among them, and
   * 1,000 calls to Cloudflare's services; Paid: 10,000). A flush with more partitions than this
   * stores them over several alarms, one after the other, and deletes its rows after the last.
   */
  putsPerInvocation: number;
}

export const DEFAULT_LIMITS: WorkerLimits = { maxBodyBytes: 1024 * 1024, dedupSeconds: 24 * 3600, shards: 1, putsPerInvocation: 40 };

/** The binding names the Worker reads besides R2 buckets and webhook secrets. */
export const BINDINGS = {
  objects: "PIPELINE",
  s3AccessKeyId: "RUNNEL_S3_ACCESS_KEY_ID",
  s3SecretAccessKey: "RUNNEL_S3_SECRET_ACCESS_KEY",
  /** A var: the S3 endpoint of sinks whose notebook names none (MinIO, R2's S3 API, a local server); AWS otherwise. */
  s3Endpoint: "RUNNEL_S3_ENDPOINT",
  /**
   * The operator's token: `GET /metrics`, `POST /flush` and deliveries to
   * `signature: none` sources need `Authorization: Bearer <it>`. Unset, they are
   * refused; `runnel dev-edge` makes one for a local run.
   */
  adminToken: "RUNNEL_ADMIN_TOKEN",
  /** A var: the largest body taken, in bytes (`limits.maxBodyBytes` when unset; operator-limits.ts). */
  maxBodyBytes: "RUNNEL_MAX_BODY_BYTES",
  /** A var: how long a delivery id is remembered, in seconds (`limits.dedupSeconds` when unset). */
  dedupSeconds: "RUNNEL_DEDUP_SECONDS",
} as const;

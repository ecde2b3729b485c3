/**
 * The notebook model: what a notebook file means once parsed and validated.
 * Defaults are applied once, in the parser; nothing downstream re-defaults.
 */

/** A position in the notebook file; line and column are 1-based. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export type SourceFormat = "json" | "ndjson" | "csv";

/**
 * `format: avro` of a Kafka source: each message value is Avro binary (bare, or after Confluent's
 * Schema Registry header) decoded with this schema into the JSON event the source's `format: json`
 * then reads (gateway/sources/avro.ts). The writer's schema is the file's (`schema`), or each value's own,
 * looked up by the id in its header in a Schema Registry (`registry`). With both, `schema` is the reader
 * schema every writer schema is resolved into (Avro's schema resolution); an Avro file given to
 * `runnel run --input` is resolved into `schema` too.
 */
export interface AvroSpec {
  /** The `.avsc` file as written under `avro.schema`: a relative path inside the notebook's folder. */
  schema?: string;
  /**
   * `avro.registry`: a Schema Registry's base URL (Confluent's API), or the name of the environment
   * variable holding it, credentials and all (`https://KEY:SECRET@host`). Every value carries
   * Confluent's header and is read with the schema registered under its id (gateway/sources/avro-registry.ts),
   * resolved into `schema` when one is set.
   */
  registry?: string;
  /**
   * `avro.schema_id`: the Schema Registry id the file's schema is registered under. Every value must
   * then carry Confluent's header with this id; without it, a header is read when there is one and a
   * value without one is read as bare Avro.
   */
  schemaId?: number;
  /**
   * `avro.framing`: `confluent`, every value carries the Schema Registry header; `none`, every value is
   * bare Avro. Absent: a value starting with a zero byte is read after a header when it decodes so, and
   * one that decodes whole both ways is a dead letter (a bare value of a null first field starts with 0).
   */
  framing?: "confluent" | "none";
  /**
   * The schema file's parsed JSON, filled in where the notebook's folder is known
   * (gateway/sources/avro-schema.ts `loadAvroSchemas`) before a source opens or a bundle is written.
   */
  definition?: unknown;
}

export type SignatureScheme = "github" | "stripe" | "sha256" | "bearer" | "shopify" | "slack" | "standard" | "none";

/**
 * A built-in generator standing in for a source while prototyping. `runnel
 * start` uses it for every source that names one, so a notebook whose real
 * stream is Kafka or webhooks still runs with nothing else installed.
 */
export interface DemoSpec {
  /** Which built-in generator: turnstile, shop, cloudtrail, cart-cdc, github, pii. */
  generator: string;
  /** Events per second of the live tail. */
  rate: number;
  seed: number;
}

/** A Kafka record's metadata a source adds to its events as `_key`, `_timestamp`, ... (edge/runner/kafka-metadata.ts). */
export type KafkaMetadataField = "key" | "timestamp" | "partition" | "offset" | "topic" | "headers";

/** A webhook delivery's metadata a source adds to its events as `_received_at`, `_delivery_id` (edge/worker/webhook-metadata.ts). */
export type WebhookMetadataField = "received_at" | "delivery_id";

export type SourceSpec =
  | {
      kind: "kafka";
      name: string;
      topic: string;
      brokers: string[];
      /** The record's metadata added to each event, in this order; absent when none (a bundle published before it). */
      metadata?: KafkaMetadataField[];
      /** `json` for `format: avro`: the decoded Avro value is a JSON event. */
      format: SourceFormat;
      /** `format: avro`: how values are decoded into JSON events; absent for a JSON, NDJSON or CSV topic. */
      avro?: AvroSpec;
      sampleSize: number;
      demo: DemoSpec | null;
    }
  | {
      kind: "webhook";
      name: string;
      path: string;
      /** How deliveries are verified; `secret` names an environment variable, never a value. */
      signature: SignatureScheme;
      secret: string | null;
      /** Header carrying a delivery id that makes retries idempotent, e.g. X-GitHub-Delivery. */
      deliveryHeader: string | null;
      /** The delivery's metadata added to each event, in this order; absent when none. */
      metadata?: WebhookMetadataField[];
      /** Lower-case names of the headers added to each event as `_headers`; absent when none. */
      headers?: string[];
      format: SourceFormat;
      sampleSize: number;
      demo: DemoSpec | null;
    }
  | { kind: "demo"; name: string; format: SourceFormat; sampleSize: number; demo: DemoSpec }
  | { kind: "http"; name: string; url: string; intervalSeconds: number; format: SourceFormat; sampleSize: number; demo: DemoSpec | null };

export type SinkTarget =
  | { kind: "s3"; bucket: string; prefix: string; endpoint: string | null; region: string }
  | { kind: "r2"; binding: string; prefix: string }
  | { kind: "fs"; dir: string; prefix: string };

export interface SinkSpec {
  name: string;
  target: SinkTarget;
  partitionBy: string[];
  flush: { rows: number; bytes: number; seconds: number };
  /** Allowed lateness of event time for tumbling windows, in seconds. */
  lateness: number;
  /**
   * How far ahead of the pipeline's clock an event time may be and still enter a tumbling window, in
   * seconds; null for `max_ahead: off`. Absent: the default, a day (a notebook without the key keeps
   * the model, and the bundle, it always had).
   */
  maxAhead?: number | null;
}

export type CellLanguage = "sql" | "js";

export interface Cell {
  /** 0-based index among the notebook's cells. */
  index: number;
  language: CellLanguage;
  /** The name the cell binds (`id=`), or null for an anonymous cell. */
  id: string | null;
  /** The sink this cell feeds (`sink=`), or null. */
  sink: string | null;
  /** The cell's code, without the fences. */
  code: string;
  /** Where the code's first line starts in the file (the line after the opening fence). */
  start: Position;
  /** The fence's info string as written, kept so an unedited file serializes byte-identically. */
  info: string;
  /** Where the info string starts (the `s` of `sql id=...`); attributes' positions derive from it. */
  infoStart?: Position;
  /** Spaces before the fence (0–3); code lines are stored without them. */
  indent?: number;
}

export interface Notebook {
  /** Where the notebook came from, used in error messages. */
  file: string;
  title: string;
  sources: Record<string, SourceSpec>;
  sinks: Record<string, SinkSpec>;
  cells: Cell[];
  /** The file split into front matter, prose and cell blocks, for byte-identical serialization. */
  blocks: Block[];
  /**
   * Every name written under `sources:` and `sinks:`, including entries too
   * broken to be in `sources`/`sinks`, so one bad entry does not also make
   * every cell that reads it an unknown-name error.
   */
  declared?: { sources: string[]; sinks: string[] };
}

export type Block =
  | { kind: "frontmatter"; raw: string }
  | { kind: "prose"; raw: string }
  | { kind: "cell"; cell: number; raw: string };

/** A problem found in a notebook, with its place. */
export interface NotebookIssue {
  file: string;
  line: number;
  column: number;
  message: string;
  /** The cell the issue is about, when there is one. */
  cell?: string | number;
  /** Which part found it, the prefix of the printed message: "format" (the default) or "graph". */
  subsystem?: "format" | "graph";
}

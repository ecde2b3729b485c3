/**
 * The front matter's shape, as zod schemas over the YAML data. Defaults are
 * applied here, once; `toSource`/`toSink` turn the parsed entries into the model.
 */
import { z } from "zod";
import type { DemoSpec, KafkaMetadataField, SinkSpec, SourceSpec } from "./model.ts";
import { parseBytes, parseDuration } from "./units.ts";
import { webhookHeaders, webhookMetadata, webhookMetadataIssues, webhookMetadataModel } from "./webhook-metadata.ts";

/** A name SQL and JavaScript can both use unquoted. */
export const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An environment variable's name: where a secret lives, since the file never holds one. */
export const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

export const DEFAULTS = {
  format: "json",
  sampleSize: 1000,
  flush: { rows: 100_000, bytes: 64 * 1024 * 1024, seconds: 60 },
  lateness: 0,
  /** Seconds an event time may be ahead of the pipeline's clock (`max_ahead`): a day. */
  maxAhead: 86400,
  region: "us-east-1",
  demo: { rate: 20, seed: 1 },
  httpInterval: 60,
  fsDir: "data",
} as const;

function shown(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/** Seconds: a number, or text like "30 seconds" / "5 minutes". */
const duration = z.unknown().transform((value, ctx) => {
  const seconds = typeof value === "number" ? value : typeof value === "string" ? parseDuration(value) : null;
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) {
    ctx.issues.push({ code: "custom", input: value, message: `expected seconds or a duration such as "30 seconds" or "5 minutes", found ${shown(value)}` });
    return z.NEVER;
  }
  return seconds;
});

/** `max_ahead`: seconds or a duration, or `off` (no limit, null). */
const maxAhead = z.unknown().transform((value, ctx): number | null => {
  if (value === "off" || value === false) return null;
  const seconds = typeof value === "number" ? value : typeof value === "string" ? parseDuration(value) : null;
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) {
    ctx.issues.push({ code: "custom", input: value, message: `expected a duration such as "1 day" or "6 hours" (how far ahead of the pipeline's clock an event time may be), or off, found ${shown(value)}` });
    return z.NEVER;
  }
  return seconds;
});

/** Bytes: a number, or text like "64 MiB". */
const size = z.unknown().transform((value, ctx) => {
  const bytes = typeof value === "number" ? value : typeof value === "string" ? parseBytes(value) : null;
  if (bytes === null || !Number.isInteger(bytes) || bytes <= 0) {
    ctx.issues.push({ code: "custom", input: value, message: `expected a size in bytes or such as "64 MiB", found ${shown(value)}` });
    return z.NEVER;
  }
  return bytes;
});

/** A secret's name. A value that is not an ENV_NAME is taken for the secret itself and refused. */
const secretName = z.string().regex(ENV_NAME, {
  error: "expected the name of an environment variable holding the secret (like GITHUB_WEBHOOK_SECRET), not the secret itself: secrets are never written in the notebook",
});

/** A URL the gateway may fetch; credentials in it would be a secret in the file. */
const url = z.string().check((ctx) => {
  let parsed: URL;
  try {
    parsed = new URL(ctx.value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    ctx.issues.push({ code: "custom", input: ctx.value, message: `expected an http:// or https:// URL, found ${shown(ctx.value)}` });
    return;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    ctx.issues.push({ code: "custom", input: ctx.value, message: `expected an http:// or https:// URL, found ${shown(ctx.value)}` });
  } else if (parsed.username || parsed.password) {
    ctx.issues.push({ code: "custom", input: ctx.value, message: "a URL must not carry credentials: secrets are never written in the notebook; name an environment variable instead" });
  }
});

const nonEmpty = z.string().min(1);

/** The built-in generators (`gateway/sources/demo/`); a test keeps this list and theirs equal. */
export const DEMO_GENERATORS = ["turnstile", "shop", "cloudtrail", "cart-cdc", "github", "pii"] as const;

const demoObject = z.strictObject({
  generator: z.enum(DEMO_GENERATORS),
  rate: z.number().positive().default(DEFAULTS.demo.rate),
  seed: z.number().int().default(DEFAULTS.demo.seed),
});

/** `demo: turnstile` is short for `demo: { generator: turnstile }`. */
const demo = z.preprocess((value) => (typeof value === "string" ? { generator: value } : value), demoObject);

/** A Kafka record's metadata a source can add as columns, in the order `metadata: true` adds them. */
export const KAFKA_METADATA = ["key", "timestamp", "partition", "offset", "topic", "headers"] as const satisfies readonly KafkaMetadataField[];

/** `metadata: true` (all), `false` or `[]` (none), or the fields to add, in their order (`"key, timestamp"` too). */
const metadata = z.unknown().transform((value, ctx): KafkaMetadataField[] => {
  if (value === true) return [...KAFKA_METADATA];
  if (value === false) return [];
  const list = typeof value === "string" ? value.split(",").map((field) => field.trim()) : value;
  if (!Array.isArray(list)) {
    ctx.issues.push({ code: "custom", input: value, message: `expected true or a list of ${KAFKA_METADATA.join(", ")}, found ${shown(value)}` });
    return z.NEVER;
  }
  const fields: KafkaMetadataField[] = [];
  list.forEach((item: unknown, i) => {
    const at = typeof value === "string" ? [] : [i];
    if (typeof item !== "string" || !(KAFKA_METADATA as readonly string[]).includes(item)) {
      ctx.issues.push({ code: "invalid_value", values: [...KAFKA_METADATA], input: item, path: at });
    } else if (fields.includes(item as KafkaMetadataField)) {
      ctx.issues.push({ code: "custom", input: item, path: at, message: `${item} is listed twice` });
    } else {
      fields.push(item as KafkaMetadataField);
    }
  });
  return fields;
});

const kafka = z.strictObject({
  topic: nonEmpty,
  brokers: z.preprocess(
    (value) => (typeof value === "string" ? value.split(",").map((broker) => broker.trim()) : value),
    z.array(nonEmpty).min(1),
  ),
  metadata: metadata.optional(),
});

const webhook = z.strictObject({
  path: nonEmpty.optional(),
  signature: z.enum(["github", "stripe", "sha256", "bearer", "shopify", "slack", "standard", "none"]),
  secret: secretName.optional(),
  delivery_header: nonEmpty.optional(),
  metadata: webhookMetadata.optional(),
  headers: webhookHeaders.optional(),
});

const http = z.strictObject({
  url,
  interval: duration.optional(),
});

/**
 * `avro.schema`: the `.avsc` file, a relative path that stays inside the notebook's folder (a
 * published bundle and a shared notebook carry the folder, never the rest of the disk).
 */
const avroSchemaPath = z.string().check((ctx) => {
  const path = ctx.value;
  const problem = (message: string): void => {
    ctx.issues.push({ code: "custom", input: path, message });
  };
  if (path.trim() === "") return problem("expected the path of an Avro schema file beside the notebook, such as schemas/orders.avsc");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return problem(`expected the path of an Avro schema file beside the notebook, found the URL ${shown(path)}; save the schema as a .avsc file next to the notebook, or name a Schema Registry with registry: <url> instead of schema:`);
  if (/^([\\/]|[A-Za-z]:)/.test(path)) return problem(`expected a path relative to the notebook's folder, such as schemas/orders.avsc, found the absolute path ${shown(path)}`);
  let depth = 0;
  for (const part of path.split(/[\\/]/)) {
    if (part === "..") depth--;
    else if (part !== "." && part !== "") depth++;
    if (depth < 0) return problem(`${shown(path)} is outside the notebook's folder; keep the schema file in the folder (or a folder under it), such as schemas/orders.avsc`);
  }
});

/**
 * `avro.registry`: a Schema Registry's base URL, or the name of the environment variable holding it
 * (a URL with credentials is a secret, so only the variable may hold one).
 */
const avroRegistry = z.string().check((ctx) => {
  if (ENV_NAME.test(ctx.value)) return;
  const refused = `expected a Schema Registry's URL (such as http://localhost:8081) or the name of an environment variable holding it (like SCHEMA_REGISTRY_URL), found ${shown(ctx.value)}`;
  let parsed: URL;
  try {
    parsed = new URL(ctx.value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    ctx.issues.push({ code: "custom", input: ctx.value, message: refused });
    return;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") ctx.issues.push({ code: "custom", input: ctx.value, message: refused });
  else if (parsed.username || parsed.password) {
    ctx.issues.push({ code: "custom", input: ctx.value, message: "a URL must not carry credentials: secrets are never written in the notebook; put the URL with its credentials in an environment variable and name that here (registry: SCHEMA_REGISTRY_URL)" });
  }
});

const avroOptions = z
  .strictObject({ schema: avroSchemaPath.optional(), registry: avroRegistry.optional(), schema_id: z.number().int().nonnegative().max(0xffffffff).optional(), framing: z.enum(["confluent", "none"]).optional() })
  .superRefine((o, ctx) => {
    if (o.schema === undefined && o.registry === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "expected schema: (a .avsc file beside the notebook) or registry: (a Schema Registry's URL) to say which schema the values are read with" });
    }
    if (o.registry !== undefined && o.schema_id !== undefined) {
      ctx.addIssue({ code: "custom", path: ["schema_id"], message: "with registry:, each value is read with the schema its header's id names; schema_id: pins the id of a schema file; leave schema_id: out" });
    }
    if (o.registry !== undefined && o.framing === "none") {
      ctx.addIssue({ code: "custom", path: ["framing"], message: "registry: reads the schema id in each value's Schema Registry header, and framing: none says the values carry none; leave one of them out" });
    }
    if (o.framing === "none" && o.schema_id !== undefined) {
      ctx.addIssue({ code: "custom", path: ["schema_id"], message: "a schema id is read from the Schema Registry header, and framing: none says the values carry none; leave one of them out" });
    }
  });

export const SOURCE_KINDS = ["kafka", "webhook", "http", "demo"] as const;

export const sourceEntry = z
  .strictObject({
    kafka: kafka.optional(),
    webhook: webhook.optional(),
    http: http.optional(),
    demo: demo.optional(),
    format: z.enum(["json", "ndjson", "csv", "avro"]).default(DEFAULTS.format),
    avro: avroOptions.optional(),
    sample_size: z.number().int().positive().default(DEFAULTS.sampleSize),
  })
  .superRefine((entry, ctx) => {
    if (entry.format === "avro" && entry.kafka === undefined) {
      ctx.addIssue({ code: "custom", path: ["format"], message: "avro is read from Kafka message values; a webhook, HTTP or demo source reads json, ndjson or csv" });
    } else if (entry.format === "avro" && entry.avro === undefined) {
      ctx.addIssue({ code: "custom", path: ["format"], message: "avro needs the schema to decode the values with: add avro: { schema: schemas/<name>.avsc }, a file beside the notebook, or avro: { registry: <a Schema Registry's URL> }" });
    } else if (entry.avro !== undefined && entry.format !== "avro") {
      ctx.addIssue({ code: "custom", path: ["avro"], message: `is read only with format: avro, and this source reads ${entry.format}; set format: avro, or leave avro: out` });
    }
    const streams = (["kafka", "webhook", "http"] as const).filter((kind) => entry[kind] !== undefined);
    if (streams.length === 0 && entry.demo === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "expected one of kafka:, webhook:, http: or demo: to say where the events come from" });
    } else if (streams.length > 1) {
      ctx.addIssue({ code: "custom", path: [streams[1]!], message: `a source reads one stream, but this one has both ${streams[0]}: and ${streams[1]}:; declare a second source` });
    }
    if (entry.kafka?.metadata?.length && entry.format === "csv") {
      ctx.addIssue({
        code: "custom",
        path: ["kafka", "metadata"],
        message: "adds columns to JSON events, and a CSV record is a row of text fields; use format: json or ndjson, or leave metadata: out",
      });
    }
    const hook = entry.webhook;
    if (hook && hook.signature !== "none" && hook.secret === undefined) {
      ctx.addIssue({ code: "custom", path: ["webhook", "signature"], message: `signature: ${hook.signature} needs secret: naming the environment variable that holds the secret` });
    }
    if (hook) {
      for (const issue of webhookMetadataIssues(hook, entry.format === "avro" ? "json" : entry.format, hook.delivery_header ?? DELIVERY_HEADERS[hook.signature] ?? null)) ctx.addIssue({ code: "custom", ...issue });
    }
    if (hook && hook.signature === "none" && hook.secret !== undefined) {
      ctx.addIssue({ code: "custom", path: ["webhook", "secret"], message: "secret: is unused with signature: none; choose github, stripe, sha256, bearer, shopify, slack or standard" });
    }
  });

const prefix = z
  .string()
  .default("")
  .transform((value) => (value === "" || value.endsWith("/") ? value : `${value}/`));

const s3 = z.strictObject({
  bucket: nonEmpty,
  prefix,
  endpoint: url.nullable().default(null),
  region: nonEmpty.default(DEFAULTS.region),
});

const r2 = z.strictObject({ binding: z.string().regex(NAME, { error: "expected a binding name such as LAKE (letters, digits and _)" }), prefix });

const fs = z.strictObject({ dir: nonEmpty.default(DEFAULTS.fsDir), prefix });

export const SINK_KINDS = ["s3", "r2", "fs"] as const;

export const sinkEntry = z
  .strictObject({
    s3: s3.optional(),
    r2: r2.optional(),
    fs: fs.optional(),
    partition_by: z.array(z.string().regex(NAME, { error: "expected a column name (letters, digits and _)" })).default([]),
    flush: z
      .strictObject({
        rows: z.number().int().positive().default(DEFAULTS.flush.rows),
        bytes: size.default(DEFAULTS.flush.bytes),
        seconds: duration.default(DEFAULTS.flush.seconds),
      })
      .default({ rows: DEFAULTS.flush.rows, bytes: DEFAULTS.flush.bytes, seconds: DEFAULTS.flush.seconds }),
    lateness: duration.default(DEFAULTS.lateness),
    max_ahead: maxAhead.default(DEFAULTS.maxAhead),
  })
  .superRefine((entry, ctx) => {
    const targets = SINK_KINDS.filter((kind) => entry[kind] !== undefined);
    if (targets.length === 0) {
      ctx.addIssue({ code: "custom", path: [], message: "expected one of s3:, r2: or fs: to say where the files go" });
    } else if (targets.length > 1) {
      ctx.addIssue({ code: "custom", path: [targets[1]!], message: `a sink writes to one place, but this one has both ${targets[0]}: and ${targets[1]}:; declare a second sink` });
    }
  });

type SourceEntry = z.output<typeof sourceEntry>;
type SinkEntry = z.output<typeof sinkEntry>;

function toDemo(entry: z.output<typeof demoObject> | undefined): DemoSpec | null {
  return entry === undefined ? null : { generator: entry.generator, rate: entry.rate, seed: entry.seed };
}

/**
 * The header that names a delivery, for the schemes whose senders send one: a
 * retry or a redelivery carries the same id, so it is stored once.
 * `delivery_header:` overrides it (e.g. `svix-id` for Svix's header names).
 */
const DELIVERY_HEADERS: Partial<Record<string, string>> = {
  github: "X-GitHub-Delivery",
  shopify: "X-Shopify-Webhook-Id",
  standard: "webhook-id",
};

/** The model of a validated source entry. */
export function toSource(name: string, entry: SourceEntry): SourceSpec {
  // An Avro value is decoded into the JSON event a json source reads: downstream of the decoder it is JSON.
  const common = { name, format: entry.format === "avro" ? ("json" as const) : entry.format, sampleSize: entry.sample_size, demo: toDemo(entry.demo) };
  if (entry.kafka) {
    const { topic, brokers, metadata } = entry.kafka;
    // No metadata is no key at all, so a notebook without it has the model (and bundle) it always had.
    return { kind: "kafka", ...common, topic, brokers, ...(metadata?.length ? { metadata } : {}), ...(entry.avro ? { avro: { ...(entry.avro.schema === undefined ? {} : { schema: entry.avro.schema }), ...(entry.avro.registry === undefined ? {} : { registry: entry.avro.registry }), ...(entry.avro.schema_id === undefined ? {} : { schemaId: entry.avro.schema_id }), ...(entry.avro.framing === undefined ? {} : { framing: entry.avro.framing }) } } : {}) };
  }
  if (entry.webhook) {
    const hook = entry.webhook;
    return {
      kind: "webhook",
      ...common,
      path: hook.path ?? `/${name}`,
      signature: hook.signature,
      secret: hook.secret ?? null,
      deliveryHeader: hook.delivery_header ?? DELIVERY_HEADERS[hook.signature] ?? null,
      ...webhookMetadataModel(hook),
    };
  }
  if (entry.http) return { kind: "http", ...common, url: entry.http.url, intervalSeconds: entry.http.interval ?? DEFAULTS.httpInterval };
  return { kind: "demo", ...common, demo: toDemo(entry.demo)! };
}

/** The model of a validated sink entry. */
export function toSink(name: string, entry: SinkEntry): SinkSpec {
  const target: SinkSpec["target"] = entry.s3
    ? { kind: "s3", ...entry.s3 }
    : entry.r2
      ? { kind: "r2", ...entry.r2 }
      : { kind: "fs", ...entry.fs! };
  return { name, target, partitionBy: entry.partition_by, flush: entry.flush, lateness: entry.lateness, ...(entry.max_ahead !== DEFAULTS.maxAhead ? { maxAhead: entry.max_ahead } : {}) };
}

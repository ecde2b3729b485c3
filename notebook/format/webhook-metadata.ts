/**
 * A webhook delivery's metadata as columns of its events, in the front matter:
 *
 *   webhook: { signature: github, secret: S, metadata: [received_at, delivery_id], headers: [X-GitHub-Event] }
 *
 * `metadata:` adds `_received_at` (when the gateway or the Worker received the delivery) and
 * `_delivery_id` (the id the source's delivery header carries); `headers:` adds `_headers`, a
 * STRUCT of exactly the named headers (lower-case names). The columns are made by
 * edge/worker/webhook-metadata.ts; this module only reads and checks what the notebook asks for.
 */
import { z } from "zod";
import type { SourceFormat, SourceSpec, WebhookMetadataField } from "./model.ts";

/** The delivery's fields a source can add as columns, in the order `metadata: true` adds them. */
export const WEBHOOK_METADATA = ["received_at", "delivery_id"] as const satisfies readonly WebhookMetadataField[];

/**
 * Headers that carry a secret or a signature made with one: written into the lake they would
 * give it away (a bearer token, a session) or let anyone test guesses of the secret offline.
 * Every scheme's signature header is refused, whichever scheme the source uses.
 */
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-hub-signature",
  "x-hub-signature-256",
  "stripe-signature",
  "x-signature",
  "x-signature-256",
  "x-shopify-hmac-sha256",
  "x-slack-signature",
  "webhook-signature",
  "svix-signature",
]);

/**
 * Names that say they hold a credential, beyond the list above: GitLab sends its secret as
 * `X-Gitlab-Token` in plain text, others send `X-Api-Key`, `X-Webhook-Secret`, `X-Auth-Token`.
 */
const SECRET_WORDS = /token|secret|signature|hmac|password|passwd|api-?key|auth|cookie|session|credential/i;

/** Whether header `name` (any case) may carry a secret or a signature. */
function secretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_WORDS.test(name);
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function shown(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : (JSON.stringify(value) ?? String(value));
}

/** Items of a YAML list, or of text separated by commas (`"a, b"`); null when `value` is neither. */
function items(value: unknown): unknown[] | null {
  if (typeof value === "string") return value.split(",").map((item) => item.trim());
  return Array.isArray(value) ? value : null;
}

/** `metadata: true` (both), `false` or `[]` (none), or the fields to add in their order. */
export const webhookMetadata = z.unknown().transform((value, ctx): WebhookMetadataField[] => {
  if (value === true) return [...WEBHOOK_METADATA];
  if (value === false) return [];
  const list = items(value);
  if (list === null) {
    ctx.issues.push({ code: "custom", input: value, message: `expected true or a list of ${WEBHOOK_METADATA.join(", ")}, found ${shown(value)}` });
    return z.NEVER;
  }
  const fields: WebhookMetadataField[] = [];
  list.forEach((item, i) => {
    const path = typeof value === "string" ? [] : [i];
    if (typeof item !== "string" || !(WEBHOOK_METADATA as readonly string[]).includes(item)) {
      ctx.issues.push({ code: "invalid_value", values: [...WEBHOOK_METADATA], input: item, path });
    } else if (fields.includes(item as WebhookMetadataField)) {
      ctx.issues.push({ code: "custom", input: item, path, message: `${item} is listed twice` });
    } else {
      fields.push(item as WebhookMetadataField);
    }
  });
  return fields;
});

/** `headers: [X-GitHub-Event, ...]` (or `"a, b"`): the header names, lower-case, in their order. */
export const webhookHeaders = z.unknown().transform((value, ctx): string[] => {
  const list = items(value);
  if (list === null) {
    ctx.issues.push({ code: "custom", input: value, message: `expected a list of header names such as [X-GitHub-Event], found ${shown(value)}` });
    return z.NEVER;
  }
  const names: string[] = [];
  list.forEach((item, i) => {
    const path = typeof value === "string" ? [] : [i];
    const refuse = (message: string) => ctx.issues.push({ code: "custom", input: item, path, message });
    if (typeof item !== "string" || !HEADER_NAME.test(item)) {
      refuse(`expected a header name such as X-GitHub-Event (letters, digits and - _ . ! # $ % & ' * + ^ \` | ~), found ${shown(item)}`);
      return;
    }
    const name = item.toLowerCase();
    if (secretHeader(name)) {
      refuse(`${item} carries a secret or a signature, which would be written into the lake with every event; leave it out of headers:`);
    } else if (names.includes(name)) {
      refuse(`${item} is listed twice (header names ignore case)`);
    } else {
      names.push(name);
    }
  });
  return names;
});

/** What the front matter's `webhook:` entry says about metadata, once parsed by the two schemas above. */
export interface WebhookMetadataEntry {
  metadata?: WebhookMetadataField[];
  headers?: string[];
}

/**
 * Problems with a webhook entry's metadata that need the rest of the entry: a CSV record is a row
 * of text fields, and `delivery_id` needs a header to read it from, one that carries no secret. `deliveryHeader` is the
 * source's delivery header after defaults (`delivery_header:`, else the scheme's).
 */
export function webhookMetadataIssues(hook: WebhookMetadataEntry & { signature: string }, format: SourceFormat, deliveryHeader: string | null): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (format === "csv") {
    for (const key of ["metadata", "headers"] as const) {
      if (hook[key]?.length) {
        issues.push({ path: ["webhook", key], message: `adds columns to JSON events, and a CSV record is a row of text fields; use format: json or ndjson, or leave ${key}: out` });
      }
    }
  }
  if (hook.metadata?.includes("delivery_id") && deliveryHeader !== null && secretHeader(deliveryHeader)) {
    // The column holds the header's value: `delivery_header: Authorization` would write every bearer token into the lake.
    issues.push({
      path: ["webhook", "delivery_header"],
      message: `${deliveryHeader} carries a secret or a signature, which metadata: delivery_id would write into the lake with every event as _delivery_id; name a header that identifies the delivery (e.g. X-Request-Id), or leave delivery_id out`,
    });
  }
  if (hook.metadata?.includes("delivery_id") && deliveryHeader === null) {
    issues.push({
      path: ["webhook", "metadata"],
      message: `delivery_id needs a header naming each delivery, and signature: ${hook.signature} has none by default; name it with delivery_header: (e.g. X-Request-Id), or leave delivery_id out`,
    });
  }
  return issues;
}

/** The model's fields for an entry's metadata: no key at all when none, so older models and bundles stay as they were. */
export function webhookMetadataModel(hook: WebhookMetadataEntry): Pick<Extract<SourceSpec, { kind: "webhook" }>, "metadata" | "headers"> {
  return { ...(hook.metadata?.length ? { metadata: hook.metadata } : {}), ...(hook.headers?.length ? { headers: hook.headers } : {}) };
}

/** The front matter's keys for a webhook source's metadata, as `sourceToYaml` writes them (`true` for both fields in order). */
export function webhookMetadataYaml(source: Extract<SourceSpec, { kind: "webhook" }>): Record<string, unknown> {
  const all = source.metadata?.length === WEBHOOK_METADATA.length && source.metadata.every((field, i) => field === WEBHOOK_METADATA[i]);
  return { ...(source.metadata?.length ? { metadata: all ? true : source.metadata } : {}), ...(source.headers?.length ? { headers: source.headers } : {}) };
}

/**
 * A webhook delivery's metadata as columns of its events (`webhook: { metadata: ..., headers: ... }`):
 * `_received_at`, `_delivery_id`, `_headers`. The Worker (app.ts), the gateway's webhook source
 * (the notebook's sample, `runnel check`, `publish`, "Run locally") and its demo stand-in all add
 * them here, so the sample DuckDB types and the rows the pipeline writes hold the same values.
 *
 * Each value is JSON DuckDB's `read_json` infers one type for:
 * - `_received_at`: `YYYY-MM-DD HH:MM:SS.mmm`, UTC (TIMESTAMP): when the receiver got the delivery.
 * - `_delivery_id`: the source's delivery header (`deliveryIdOf`) as text, NULL when the
 *   delivery has none (VARCHAR; UUID when every id of the sample is a GUID, as GitHub's are).
 * - `_headers`: `{"x-github-event": "push", ...}`, exactly the named headers under their
 *   lower-case names, NULL for one a delivery lacks (STRUCT of VARCHAR), so
 *   `_headers['x-github-event']` reads one. Repeated headers are one value joined by ", ", as
 *   `Headers.get` joins them.
 * An event that already has a field of a column's name is not an event: the caller makes it a
 * dead letter with the reason, never overwriting the event's own field.
 */
import type { WebhookMetadataField } from "../../notebook/format/model.ts";
import { deliveryIdOf } from "../verify/verify.ts";
import { metadataTime } from "../runner/kafka-metadata.ts";
import type { ParsedBody } from "./parse.ts";

/** What the columns need of a webhook source: a notebook's `SourceSpec` or the Worker's `WorkerSource`. */
export interface DeliveryColumnsSpec {
  signature: string;
  deliveryHeader: string | null;
  metadata?: readonly WebhookMetadataField[];
  /** Lower-case header names. */
  headers?: readonly string[];
}

/** One delivery as the columns need it. */
export interface DeliveryFacts {
  /** Milliseconds since 1970: when the gateway or the Worker received the delivery. */
  receivedAt: number;
  headers: { get(name: string): string | null };
}

/** Whether `spec` adds any column. */
export function wantsDeliveryColumns(spec: DeliveryColumnsSpec): boolean {
  return (spec.metadata?.length ?? 0) > 0 || (spec.headers?.length ?? 0) > 0;
}

/**
 * The headers a receiver must keep beside a body to make the columns later: the named ones
 * and those the delivery id is read from. Lower-case.
 */
export function headersForColumns(spec: DeliveryColumnsSpec): string[] {
  const names = new Set(spec.headers ?? []);
  if (spec.metadata?.includes("delivery_id") && spec.deliveryHeader) {
    names.add(spec.deliveryHeader.toLowerCase());
    // deliveryIdOf reads Svix's name for a Standard Webhooks id too.
    if (spec.signature === "standard") names.add("svix-id");
  }
  return [...names];
}

/** The columns `spec` gives a delivery, in order: the `metadata:` fields, then `_headers`. */
export function deliveryColumns(spec: DeliveryColumnsSpec, delivery: DeliveryFacts): [string, unknown][] {
  const columns: [string, unknown][] = [];
  for (const field of spec.metadata ?? []) {
    if (field === "received_at") columns.push(["_received_at", metadataTime(delivery.receivedAt)]);
    else columns.push(["_delivery_id", deliveryIdOf(spec, delivery.headers)]);
  }
  if (spec.headers?.length) {
    const struct: Record<string, string | null> = {};
    for (const name of spec.headers) struct[name] = delivery.headers.get(name);
    columns.push(["_headers", struct]);
  }
  return columns;
}

/** The front matter's key that adds a column, for the advice in a clash. */
function keyOf(column: string): string {
  return column === "_headers" ? "headers: out" : `${column.slice(1)} out of metadata:`;
}

/**
 * `event` with the columns added after its own fields, or why not: an event that already has a
 * field of a column's name (DuckDB's names ignore case, so `_Headers` too) keeps it and is
 * refused, never overwritten. A JSON null (a row of NULLs to DuckDB) gets the columns alone; any
 * other event that is not an object is given back as it is: the pipeline refuses it as it does
 * without metadata ("event is a number, not a JSON object").
 */
export function addDeliveryColumns(event: unknown, columns: readonly [string, unknown][]): { ok: true; value: unknown } | { ok: false; error: string } {
  if (columns.length === 0) return { ok: true, value: event };
  // A delivery that is JSON null is a row of NULLs to DuckDB: its delivery's columns are still known.
  if (event === null) return { ok: true, value: Object.fromEntries(columns) };
  if (typeof event !== "object" || Array.isArray(event)) return { ok: true, value: event };
  const target = event as Record<string, unknown>;
  for (const name in target) {
    if (name.charCodeAt(0) !== 0x5f || !Object.hasOwn(target, name)) continue;
    const clash = columns.find(([column]) => column === name.toLowerCase());
    if (clash) {
      const column = clash[0];
      return {
        ok: false,
        error: `webhook: the event already has a field ${name}, and the source adds the column ${column}; rename the field at the sender, or leave ${keyOf(column)}`,
      };
    }
  }
  for (const [name, value] of columns) target[name] = value;
  return { ok: true, value: target };
}

/** A parsed body (parse.ts) with the columns added to each event; an event that cannot take them becomes a bad one saying why, its text as sent. */
export function withDeliveryColumnsParsed(parsed: ParsedBody, columns: readonly [string, unknown][]): ParsedBody {
  const out: ParsedBody = { events: [], raws: [], bad: [...parsed.bad] };
  parsed.events.forEach((event, i) => {
    const added = addDeliveryColumns(event, columns);
    if (added.ok) {
      out.events.push(added.value);
      out.raws.push(parsed.raws[i]!);
    } else {
      out.bad.push({ reason: added.error, raw: parsed.raws[i]! });
    }
  });
  return out;
}

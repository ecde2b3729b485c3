import type { SourceSpec } from "../../notebook/format/model.ts";
import { deliveryKey } from "../../edge/worker/delivery-key.ts";
import { type Delivery, DeliveryLog, deliveryBytes } from "../webhooks/deliveries.ts";
import type { HeaderReader } from "../webhooks/verify.ts";
import { EventChannel } from "./channel.ts";
import { decodePayload, undecodable } from "./decode.ts";
import { formPayload } from "../../edge/worker/form-body.ts";
import type { Source, SourceEvent } from "./source.ts";
import { headersForColumns, wantsDeliveryColumns } from "../../edge/worker/webhook-metadata.ts";
import { withDeliveryColumns } from "./webhook-columns.ts";

type WebhookSpec = Extract<SourceSpec, { kind: "webhook" }>;

/** A webhook source: what `POST /hooks/<notebook>/<source>` captured, kept on disk. */
/**
 * The id a capture dedupes a delivery by, the Worker's (`deliveryKey`): Stripe's or Slack's event id
 * in the signed body (a retry signed anew is the same delivery), else their signed digest, else the
 * source's `delivery_header`; without one, GitHub's; null when there is none.
 */
export async function captureIdOf(spec: Extract<SourceSpec, { kind: "webhook" }>, headers: HeaderReader, body: Uint8Array): Promise<string | null> {
  const id = await deliveryKey(spec, headers, body);
  if (id !== null || spec.deliveryHeader) return id;
  // A blank X-GitHub-Delivery is no id, as a blank delivery header is none (taken as "", every later one was a duplicate, never stored).
  const github = headers.get("x-github-delivery");
  return github === null || github.trim() === "" ? null : github;
}

export interface WebhookSource extends Source {
  readonly spec: WebhookSpec;
  /**
   * Stores a verified delivery and hands its events to open tails. Returns
   * null when the delivery id was seen before (a retry): nothing is stored twice.
   */
  receive(body: Uint8Array, headers: HeaderReader, receivedAt: number): Promise<Delivery | null>;
}

/** Headers worth keeping beside a body: ids and event types of the common senders (and those `headers:` names). */
const keptHeaders = ["content-type", "x-github-event", "x-github-delivery", "x-github-hook-id", "user-agent"];

/** Reads kept headers by name as `Headers.get` does (any case); a header not kept reads as absent. */
function keptReader(kept: Record<string, string>): { get(name: string): string | null } {
  return { get: (name) => kept[name.toLowerCase()] ?? null };
}

/** Opens the webhook source whose deliveries live in folder `dir` (the last `spec.sampleSize` are kept). */
export async function openWebhookSource(spec: WebhookSpec, dir: string): Promise<WebhookSource> {
  const log = await DeliveryLog.open(dir, spec.sampleSize);
  const channel = new EventChannel();
  // `metadata:` and `headers:` columns, made from the headers kept with each delivery (the Worker makes them from the request's).
  const withColumns = wantsDeliveryColumns(spec);
  const keep = [...new Set([...keptHeaders, ...headersForColumns(spec)])];
  const eventsOf = (delivery: Delivery): SourceEvent[] => {
    const meta: Record<string, string | number> = { delivery: delivery.id };
    const event = delivery.headers["x-github-event"];
    if (event !== undefined) meta.event = event;
    // GitHub's default content type sends the JSON as a form field, `payload=<json>`.
    const bytes = deliveryBytes(delivery);
    const form = spec.format === "csv" ? null : formPayload(bytes, delivery.headers["content-type"]);
    if (form !== null && !form.ok) return [undecodable(bytes, form.reason, delivery.receivedAt, meta)];
    const events = decodePayload(form?.body ?? bytes, spec.format, delivery.receivedAt, meta);
    return withColumns ? withDeliveryColumns(events, spec, { receivedAt: delivery.receivedAt, headers: keptReader(delivery.headers) }) : events;
  };
  return {
    spec,
    async receive(body, headers, receivedAt) {
      const kept: Record<string, string> = {};
      for (const name of keep) {
        const value = headers.get(name);
        if (value !== null) kept[name] = value;
      }
      const id = await captureIdOf(spec, headers, body);
      const delivery = await log.append(body, kept, id, receivedAt);
      // Decoding is paid for only when a tail is open; the sample decodes on demand.
      if (delivery && channel.size > 0) channel.publish(eventsOf(delivery));
      return delivery;
    },
    async sample(n) {
      // One delivery can hold several events (a JSON array, NDJSON), so read back until n are found.
      // Newest first, then put in order once: unshifting each delivery's events moved the whole sample every
      // time (quadratic in deliveries), and spread a large delivery's events as arguments.
      const newestFirst: SourceEvent[][] = [];
      let count = 0;
      for (const delivery of log.latest(n).reverse()) {
        const some = eventsOf(delivery);
        newestFirst.push(some);
        count += some.length;
        if (count >= n) break;
      }
      const events: SourceEvent[] = [];
      for (let i = newestFirst.length - 1; i >= 0; i--) for (const e of newestFirst[i]!) events.push(e);
      return events.slice(-n);
    },
    tail(signal) {
      return channel.subscribe(signal);
    },
    close() {
      return log.close();
    },
  };
}

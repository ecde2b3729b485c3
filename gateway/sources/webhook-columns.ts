/**
 * A webhook source's delivery columns (`metadata:`, `headers:`; edge/worker/webhook-metadata.ts)
 * on the gateway's side: added to a captured delivery's decoded events, and to the events of
 * the demo stand-in, which delivers each generated payload as a sender would, with headers.
 */
import type { DemoSpec, SourceSpec } from "../../notebook/format/model.ts";
import { addDeliveryColumns, deliveryColumns, type DeliveryColumnsSpec, type DeliveryFacts } from "../../edge/worker/webhook-metadata.ts";
import { eventText } from "../../edge/runner/kafka-metadata.ts";
import { demoGenerators, demoTime, randomFor } from "./demo/index.ts";
import { uuid } from "./demo/messy.ts";
import { keepRepeats } from "./kept-repeats.ts";
import type { SourceEvent } from "./source.ts";

type WebhookSpec = Extract<SourceSpec, { kind: "webhook" }>;

/**
 * The decoded events of one delivery with its columns added: an event that already has a field
 * of a column's name becomes an error event saying why; error events stay as they are, one
 * refused for a repeated key keeping the event with its columns for the sample and tail to judge
 * (`keepRepeats`).
 */
export function withDeliveryColumns(events: SourceEvent[], spec: DeliveryColumnsSpec, delivery: DeliveryFacts): SourceEvent[] {
  const columns = deliveryColumns(spec, delivery);
  return keepRepeats(events, (value) => addDeliveryColumns(value, columns)).map((event) => {
    if (!event.ok) return event;
    const added = addDeliveryColumns(event.value, columns);
    if (added.ok) return { ...event, value: added.value };
    return { ok: false, raw: eventText(event.value), error: added.error, receivedAt: event.receivedAt, ...(event.meta ? { meta: event.meta } : {}) };
  });
}

/** A generator that knows the headers its sender puts on payload i (github: `X-GitHub-Event`). */
interface SendsHeaders {
  describe: string;
  headers?: (seed: number, i: number) => Record<string, string>;
}

/**
 * The delivery demo payload i of `demo` stands for: received at the event's time, with the
 * headers the generator gives for it, and, when the source reads a delivery id that the
 * generator does not give, a GUID made from (seed, i) under the source's delivery header.
 */
export function demoDelivery(spec: DeliveryColumnsSpec, demo: DemoSpec, i: number): DeliveryFacts {
  const generator: SendsHeaders | undefined = demoGenerators[demo.generator];
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(generator?.headers?.(demo.seed, i) ?? {})) headers.set(name.toLowerCase(), value);
  const idHeader = spec.deliveryHeader?.toLowerCase();
  if (idHeader !== undefined && !headers.has(idHeader)) headers.set(idHeader, uuid(randomFor(demo.seed, i, 0x1d)));
  return { receivedAt: demoTime(i, demo.rate), headers: { get: (name) => headers.get(name.toLowerCase()) ?? null } };
}

/** Demo event i of a webhook source's stand-in, with the source's delivery columns. */
export function withDemoDeliveryColumns(spec: WebhookSpec, demo: DemoSpec, event: SourceEvent, i: number): SourceEvent[] {
  return withDeliveryColumns([event], spec, demoDelivery(spec, demo, i));
}

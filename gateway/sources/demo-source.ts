import type { DemoSpec, SourceSpec } from "../../notebook/format/model.ts";
import { withRecordMetadata } from "../../edge/runner/kafka-metadata.ts";
import { demoIndexAt, demoTime } from "./demo/clock.ts";
import { demoEvents } from "./demo/index.ts";
import type { Source, SourceEvent } from "./source.ts";
import { withDemoDeliveryColumns } from "./webhook-columns.ts";
import { wantsDeliveryColumns } from "../../edge/worker/webhook-metadata.ts";

export interface DemoSourceOptions {
  /** The wall clock; demo event i happens at `demoTime(i, rate)`. */
  now?: () => number;
  /** How often the tail looks for newly due events, in milliseconds. */
  tickMs?: number;
}

/**
 * A built-in generator as a source. Event i is a pure function of (generator,
 * seed, i) and happens at `demoTime(i, rate)`, so the sample is the `n` events
 * due before now and the tail emits each event as the clock passes its time:
 * a live stream at `rate` events per second with nothing else running.
 */
export function openDemoSource(spec: SourceSpec, demo: DemoSpec, options: DemoSourceOptions = {}): Source {
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? Math.max(50, Math.min(500, 1000 / demo.rate));
  const events = (from: number, to: number): SourceEvent[] => demoSourceEvents(spec, demo, from, to);

  return {
    spec,
    async sample(n) {
      const due = demoIndexAt(demo, now());
      return events(Math.max(0, due - n), due);
    },
    async *tail(signal) {
      let next = demoIndexAt(demo, now());
      while (!signal.aborted) {
        await sleep(tickMs, signal);
        const due = demoIndexAt(demo, now());
        // A stalled reader is not flooded on wake-up: at most ten seconds' worth is caught up.
        const from = Math.max(next, due - Math.ceil(demo.rate * 10));
        for (const event of events(from, due)) yield event;
        next = due;
      }
    },
    async close() {},
  };
}

/** Demo events [from, to) as the stand-in of `spec` delivers them: a Kafka source's with its metadata columns, a webhook source's with its delivery's. */
function demoSourceEvents(spec: SourceSpec, demo: DemoSpec, from: number, to: number): SourceEvent[] {
  if (to <= from) return [];
  const kafka = spec.kind === "kafka" && spec.metadata?.length ? { topic: spec.topic, metadata: spec.metadata } : null;
  const hook = spec.kind === "webhook" && wantsDeliveryColumns(spec) ? spec : null;
  return demoEvents(demo, from, to - from).flatMap((value, k) => {
    const event: SourceEvent = { ok: true as const, value, receivedAt: demoTime(from + k, demo.rate), meta: { index: from + k } };
    if (hook) return withDemoDeliveryColumns(hook, demo, event, from + k);
    return kafka ? withRecordMetadata([event], kafka.metadata, demoRecord(kafka.topic, demo, value, from + k)) : [event];
  });
}

/**
 * The first `n` events of the demo stand-in, as its sample delivers them (with a Kafka source's
 * metadata columns): the sample `runnel check` and `publish` read when given no file.
 */
export function demoSample(spec: SourceSpec, demo: DemoSpec, n: number): unknown[] {
  return demoSourceEvents(spec, demo, 0, n).flatMap((event) => (event.ok ? [event.value] : []));
}

const encoder = new TextEncoder();

/**
 * The Kafka record a demo event stands in for, so a notebook using `_key` or `_offset` runs
 * without a broker: one partition, offset i, the event's time, the event's id (its first field
 * named `id`, `…_id` or `eventID`) as the key, else i, and one header naming the generator.
 */
function demoRecord(topic: string, demo: DemoSpec, value: unknown, i: number) {
  const fields = value !== null && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : [];
  const id = fields.find(([name, v]) => /^id$|_id$|^eventid$/i.test(name) && (typeof v === "string" || typeof v === "number"));
  return {
    key: encoder.encode(id ? String(id[1]) : String(i)),
    timestamp: demoTime(i, demo.rate),
    partition: 0,
    offset: BigInt(i),
    topic,
    headers: { "runnel-demo": encoder.encode(demo.generator) },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

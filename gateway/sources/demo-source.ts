import type { DemoSpec, SourceSpec } from "../../notebook/format/model.ts";
import { demoIndexAt, demoTime } from "./demo/clock.ts";
import { demoEvents } from "./demo/index.ts";
import type { Source, SourceEvent } from "./source.ts";

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
  const events = (from: number, to: number): SourceEvent[] =>
    to <= from ? [] : demoEvents(demo, from, to - from).map((value, k) => ({ ok: true as const, value, receivedAt: demoTime(from + k, demo.rate), meta: { index: from + k } }));

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

import type { SourceSpec } from "../../notebook/format/model.ts";
import type { Source, SourceEvent } from "./source.ts";

/**
 * Two sources read as one: the sample is the newest `n` of both by arrival
 * time, the tail interleaves both. `runnel start` uses it for a webhook source
 * in demo mode, so the notebook is live at once and real deliveries posted to
 * `/hooks/...` still show up in the same sample. `closeFirst: false` leaves
 * `a` open when it is shared (the webhook capture outlives the merged view).
 */
export function mergeSources(spec: SourceSpec, a: Source, b: Source, options: { closeFirst: boolean } = { closeFirst: true }): Source {
  return {
    spec,
    async sample(n) {
      const [x, y] = await Promise.all([a.sample(n), b.sample(n)]);
      return [...x, ...y].sort((p, q) => p.receivedAt - q.receivedAt).slice(-n);
    },
    tail(signal) {
      return interleave([a.tail(signal), b.tail(signal)], signal);
    },
    async close() {
      await Promise.all([options.closeFirst ? a.close() : undefined, b.close()]);
    },
  };
}

async function* interleave(sources: AsyncIterable<SourceEvent>[], signal: AbortSignal): AsyncIterable<SourceEvent> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map(iterators.map((it, i) => [i, it.next().then((r) => ({ i, r }))]));
  const aborted = new Promise<null>((resolve) => signal.addEventListener("abort", () => resolve(null), { once: true }));
  try {
    while (pending.size > 0 && !signal.aborted) {
      const next = await Promise.race([...pending.values(), aborted]);
      if (next === null) break;
      if (next.r.done) {
        pending.delete(next.i);
        continue;
      }
      pending.set(next.i, iterators[next.i]!.next().then((r) => ({ i: next.i, r })));
      yield next.r.value;
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}

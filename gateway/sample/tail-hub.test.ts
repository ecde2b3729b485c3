import { expect, test } from "vitest";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { EventChannel } from "../sources/channel.ts";
import type { Source, SourceEvent } from "../sources/source.ts";
import { TailHub, type TailMessage } from "./tail-hub.ts";

/** A source whose events the test pushes by hand. */
function manualSource() {
  const channel = new EventChannel();
  const spec: SourceSpec = { kind: "demo", name: "m", format: "json", sampleSize: 10, demo: { generator: "shop", rate: 1, seed: 1 } };
  const source: Source = { spec, sample: async () => [], tail: (signal) => channel.subscribe(signal), close: async () => undefined };
  const push = (values: unknown[]) => channel.publish(values.map((value): SourceEvent => ({ ok: true, value, receivedAt: 1 })));
  return { source, push, channel };
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

async function take(iterator: AsyncIterator<TailMessage>, count: number): Promise<TailMessage[]> {
  const out: TailMessage[] = [];
  while (out.length < count) out.push((await iterator.next()).value as TailMessage);
  return out;
}

test("a client that stops reading loses its oldest batches, then hears how many it missed", async () => {
  const { source, push } = manualSource();
  const hub = new TailHub(source, { flushMs: 1, clientQueue: 3, maxBatch: 2 });
  const abort = new AbortController();
  const iterator = hub.follow(abort.signal, null)[Symbol.asyncIterator]();
  const first = iterator.next();
  await tick();
  for (let i = 0; i < 20; i++) push([i, i + 100]);
  await tick();
  const messages = [(await first).value as TailMessage, ...(await take(iterator, 4))];
  abort.abort();
  hub.stop();
  expect(messages[0]).toMatchObject({ kind: "batch", batch: { seq: 1 } });
  expect(messages[1]).toEqual({ kind: "gap", skippedEvents: 32, skippedBatches: 16, reason: "slow-client" });
  expect(messages.slice(2).map((m) => (m.kind === "batch" ? m.batch.seq : null))).toEqual([18, 19, 20]);
});

test("resuming after a batch the ring no longer holds reports the batches that are gone", async () => {
  const { source, push } = manualSource();
  const hub = new TailHub(source, { flushMs: 1, ringSize: 4, maxBatch: 1 });
  const abort = new AbortController();
  const reader = hub.follow(abort.signal, null)[Symbol.asyncIterator]();
  const pending = reader.next();
  await tick();
  for (let i = 0; i < 10; i++) push([i]);
  await tick();
  await pending;
  const resume = new AbortController();
  const resumed = hub.follow(resume.signal, `${hub.epoch}-2`)[Symbol.asyncIterator]();
  const messages = await take(resumed, 5);
  abort.abort();
  resume.abort();
  hub.stop();
  expect(messages[0]).toEqual({ kind: "gap", skippedEvents: 0, skippedBatches: 4, reason: "resume-too-old" });
  expect(messages.slice(1).map((m) => (m.kind === "batch" ? m.batch.seq : null))).toEqual([7, 8, 9, 10]);
});

test("one source tail serves every client, and it closes after the last client has gone", async () => {
  const { source, push, channel } = manualSource();
  const hub = new TailHub(source, { flushMs: 1, lingerMs: 20 });
  const a = new AbortController();
  const b = new AbortController();
  const ia = hub.follow(a.signal, null)[Symbol.asyncIterator]();
  const ib = hub.follow(b.signal, null)[Symbol.asyncIterator]();
  const [pa, pb] = [ia.next(), ib.next()];
  await tick();
  expect(channel.size).toBe(1);
  push(["hello"]);
  const [ma, mb] = await Promise.all([pa, pb]);
  expect(ma.value).toEqual(mb.value);
  a.abort();
  b.abort();
  await Promise.all([ia.next(), ib.next()]);
  await tick(80);
  expect(channel.size).toBe(0);
});

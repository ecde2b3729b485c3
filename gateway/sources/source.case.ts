import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Source, SourceEvent } from "./source.ts";

/**
 * What the shared suite needs from one source kind: a fresh source over a
 * fresh stream, and a way to put events on that stream. Every kind (demo,
 * kafka, webhook, http) runs `describeSource` against its real backend.
 */
export interface SourceHarness {
  source: Source;
  /**
   * Puts `count` new events on the stream and resolves once the source can
   * see them; returns their decoded values, oldest first.
   */
  produce(count: number): Promise<unknown[]>;
  /** Puts one payload that does not decode as the source's format; null when the kind cannot carry one (demo). */
  produceUndecodable: ((raw: string) => Promise<void>) | null;
  close(): Promise<void>;
}

/** Collects `count` events from a tail, or fails after `timeoutMs`. */
export async function takeFromTail(tail: AsyncIterable<SourceEvent>, count: number, abort: AbortController, timeoutMs = 10_000): Promise<SourceEvent[]> {
  const got: SourceEvent[] = [];
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    for await (const event of tail) {
      got.push(event);
      if (got.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}

const sortedJson = (items: unknown[]) => items.map((v) => JSON.stringify(v)).sort();
const values = (events: SourceEvent[]) => events.map((e) => (e.ok ? e.value : { error: e.error }));

/** The Source contract, as every kind must honour it. */
export function describeSource(kind: string, open: () => Promise<SourceHarness>): void {
  describe(`${kind} source (shared Source suite)`, () => {
    let h: SourceHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    test("sample(n) returns the newest n events, oldest first", async () => {
      const produced = await h.produce(30);
      const sample = await h.source.sample(10);
      expect(values(sample)).toEqual(produced.slice(-10));
    });

    test("sample(n) returns fewer than n when the stream holds fewer", async () => {
      const before = (await h.source.sample(1000)).length;
      const produced = await h.produce(3);
      const sample = await h.source.sample(before + 50);
      expect(sample.length).toBeLessThan(before + 50);
      expect(values(sample).slice(-3)).toEqual(produced);
    });

    test("sample stamps every event with the time it arrived", async () => {
      await h.produce(5);
      const sample = await h.source.sample(5);
      for (const event of sample) expect(Number.isFinite(event.receivedAt) && event.receivedAt > 0).toBe(true);
      const times = sample.map((e) => e.receivedAt);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });

    test("an undecodable payload becomes an error row with its raw text, and the rest still decode", async (ctx) => {
      if (!h.produceUndecodable) return ctx.skip();
      const before = await h.produce(2);
      await h.produceUndecodable("{not json");
      const after = await h.produce(2);
      const sample = await h.source.sample(5);
      const bad = sample.filter((e) => !e.ok);
      expect(bad).toHaveLength(1);
      expect(bad[0]).toMatchObject({ ok: false, raw: "{not json" });
      expect((bad[0] as { error: string }).error).toMatch(/^decode: not JSON/);
      expect(values(sample.filter((e) => e.ok))).toEqual([...before, ...after].slice(-4));
    });

    // Order across Kafka partitions is not defined, so the tail is compared as a multiset.
    test("tail delivers events that arrive after it opened, and none from before", async () => {
      const old = await h.produce(5);
      const abort = new AbortController();
      const tail = h.source.tail(abort.signal);
      const taking = takeFromTail(tail, 4, abort);
      await new Promise((r) => setTimeout(r, 700));
      const fresh = await h.produce(4);
      const got = await taking;
      abort.abort();
      expect(sortedJson(values(got))).toEqual(sortedJson(fresh));
      for (const value of values(got)) expect(old).not.toContainEqual(value);
    });

    test("tail ends when its signal aborts", async () => {
      const abort = new AbortController();
      const iterator = h.source.tail(abort.signal)[Symbol.asyncIterator]();
      const next = iterator.next();
      setTimeout(() => abort.abort(), 200);
      const result = await Promise.race([next, new Promise((r) => setTimeout(() => r("still open"), 5000))]);
      expect(result).toMatchObject({ done: true });
    });
  });
}

import { expect, test } from "vitest";
import type { DemoSpec, SourceSpec } from "../../notebook/format/model.ts";
import { DEMO_EPOCH_MS, demoEvents, demoIndexAt, demoTime } from "./demo/index.ts";
import { openDemoSource } from "./demo-source.ts";
import { describeSource, takeFromTail } from "./source.case.ts";

const demo: DemoSpec = { generator: "shop", rate: 20, seed: 7 };
const spec: SourceSpec = { kind: "demo", name: "shop", format: "json", sampleSize: 100, demo };

function harness() {
  let now = DEMO_EPOCH_MS + 500;
  const source = openDemoSource(spec, demo, { now: () => now, tickMs: 20 });
  return {
    source,
    async produce(count: number) {
      const from = demoIndexAt(demo, now);
      now = demoTime(from + count - 1, demo.rate) + 1;
      return demoEvents(demo, from, count);
    },
    produceUndecodable: null,
    close: () => source.close(),
  };
}

describeSource("demo", async () => harness());

test("a demo source's sample is the generator's events due by the clock", async () => {
  const source = openDemoSource(spec, demo, { now: () => demoTime(1000, demo.rate) });
  const sample = await source.sample(50);
  expect(sample.map((e) => (e.ok ? e.value : null))).toEqual(demoEvents(demo, 950, 50));
  expect(sample[0]!.receivedAt).toBe(demoTime(950, demo.rate));
});

test("a demo tail keeps pace with the wall clock at the configured rate", async () => {
  const fast: DemoSpec = { ...demo, rate: 200 };
  const source = openDemoSource({ ...spec, demo: fast }, fast);
  const abort = new AbortController();
  const started = Date.now();
  const got = await takeFromTail(source.tail(abort.signal), 100, abort);
  abort.abort();
  expect(got).toHaveLength(100);
  const seconds = (Date.now() - started) / 1000;
  expect(seconds).toBeGreaterThan(0.3);
  expect(seconds).toBeLessThan(2);
});

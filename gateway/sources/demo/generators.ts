import type { DemoSpec } from "../../../notebook/format/model.ts";
import { cartCdcEvent } from "./cart-cdc.ts";
import { cloudtrailEvent } from "./cloudtrail.ts";
import { githubEvent, githubHeaders } from "./github.ts";
import { piiEvent } from "./pii.ts";
import { shopEvent } from "./shop.ts";
import { turnstileEvent } from "./turnstile.ts";

/** A built-in stream: event i is a pure function of (seed, i, rate), plain JSON data. */
export interface DemoGenerator {
  /** One line for people choosing a generator. */
  describe: string;
  /** Event `i` (0-based); its time is `demoTime(i, rate)`. `rate` defaults to 20 events per second. */
  event(seed: number, i: number, rate?: number): unknown;
  /**
   * The headers a webhook sender sends with event i, for a generator standing in for one
   * (github: `X-GitHub-Event`): a webhook source's `headers:` columns read them.
   */
  headers?(seed: number, i: number): Record<string, string>;
}

const DEFAULT_RATE = 20;

function generator(describe: string, make: (seed: number, i: number, rate: number) => unknown): DemoGenerator {
  return {
    describe,
    event(seed, i, rate = DEFAULT_RATE) {
      if (!Number.isSafeInteger(i) || i < 0) throw new RangeError(`demo: event index must be a non-negative integer, got ${i}`);
      if (!Number.isSafeInteger(seed)) throw new RangeError(`demo: seed must be an integer, got ${seed}`);
      if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`demo: rate must be a positive number of events per second, got ${rate}`);
      return make(seed, i, rate);
    },
  };
}

export const demoGenerators: Record<string, DemoGenerator> = {
  turnstile: generator("Subway turnstile readings: station, device (ca, unit, scp), cumulative entries and exits", turnstileEvent),
  shop: generator("In-game shop events: action, player, item, price, and a nested payload whose keys depend on the action", shopEvent),
  cloudtrail: generator("AWS CloudTrail files: a Records array of nested audit events", cloudtrailEvent),
  "cart-cdc": generator("Change events of a carts table: op I/U/D, seq, cart id, items", cartCdcEvent),
  github: { ...generator("GitHub webhook payloads: push, issues and pull_request", githubEvent), headers: githubHeaders },
  pii: generator("Account events with personal data: email, name, phone, IP", piiEvent),
};

/** Events `from` .. `from + count - 1` of the generator a demo spec names. */
export function demoEvents(spec: DemoSpec, from: number, count: number): unknown[] {
  const gen = demoGenerators[spec.generator];
  if (gen === undefined) {
    throw new Error(`demo: no generator named "${spec.generator}"; the generators are ${Object.keys(demoGenerators).join(", ")}`);
  }
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`demo: count must be a non-negative integer, got ${count}`);
  return Array.from({ length: count }, (_, k) => gen.event(spec.seed, from + k, spec.rate));
}

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { DEMO_EPOCH_MS, demoIndexAt, demoIso, demoTime } from "./clock.ts";
import { demoEvents, demoGenerators } from "./generators.ts";
import { githubEventName } from "./github.ts";

const NAMES = ["turnstile", "shop", "cloudtrail", "cart-cdc", "github", "pii"];
type Obj = Record<string, unknown>;
const spec = (generator: string, seed = 1, rate = 20) => ({ generator, seed, rate });

describe("demo generators", () => {
  test("there is one per sample use case", () => {
    expect(Object.keys(demoGenerators).sort()).toEqual([...NAMES].sort());
  });

  test.each(NAMES)("%s: event i depends on (seed, i) alone", (name) => {
    const all = demoEvents(spec(name), 0, 300);
    expect(demoEvents(spec(name), 250, 50)).toEqual(all.slice(250));
    expect(demoGenerators[name]!.event(1, 123)).toEqual(all[123]);
    expect(demoEvents(spec(name, 2), 0, 300)).not.toEqual(all);
  });

  test.each(NAMES)("%s: events are plain JSON data", (name) => {
    for (const event of demoEvents(spec(name), 0, 2000)) expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  test("event times follow the rate from a fixed epoch", () => {
    expect(demoTime(0, 20)).toBe(DEMO_EPOCH_MS);
    expect(demoIso(40, 20)).toBe("2026-11-22T00:00:02.000Z");
    const ts = demoEvents(spec("pii", 1, 4), 0, 2000).map((e) => (e as Obj).ts);
    const wellFormed = ts.filter((t, i) => t === demoIso(i, 4));
    expect(wellFormed.length).toBeGreaterThan(1950);
    expect(wellFormed.length).toBeLessThan(2000);
    for (const [i, t] of [0, 1, 999, 1_000_000].map((n) => [n, demoTime(n, 7)] as const)) expect(demoIndexAt({ rate: 7 }, t)).toBe(i);
    expect(demoIndexAt({ rate: 7 }, DEMO_EPOCH_MS - 1)).toBe(0);
  });

  test("an unknown generator is named in the error", () => {
    expect(() => demoEvents(spec("nope"), 0, 1)).toThrow('demo: no generator named "nope"; the generators are turnstile, shop, cloudtrail, cart-cdc, github, pii');
    expect(() => demoGenerators.shop!.event(1, -1)).toThrow("demo: event index must be a non-negative integer, got -1");
  });

  test("the folder stays isomorphic: no node: imports outside tests", () => {
    const dir = new URL(".", import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      expect(readFileSync(new URL(file, dir), "utf8"), file).not.toMatch(/from "node:/);
    }
  });
});

describe("turnstile", () => {
  const events = demoEvents(spec("turnstile"), 0, 10_000) as Obj[];

  test("each device's cumulative counters never go down, except the glitches", () => {
    const last = new Map<string, number>();
    let drops = 0;
    for (const e of events) {
      const device = `${e.ca}/${e.unit}/${e.scp}`;
      const entries = e.entries as number;
      if (entries < 0 || entries > 2 ** 40) continue;
      if ((last.get(device) ?? 0) > entries) drops++;
      last.set(device, entries);
    }
    expect(last.size).toBe(40);
    expect(drops).toBe(0);
  });

  test("carries the messy shares: negative counts, 2^53 and beyond, malformed ts, missing exits, null station", () => {
    expect(events.some((e) => (e.entries as number) < 0)).toBe(true);
    expect(events.some((e) => (e.entries as number) >= 2 ** 53)).toBe(true);
    expect(events.some((e) => !/^2026-11-22T/.test(e.ts as string))).toBe(true);
    expect(events.some((e) => !("exits" in e))).toBe(true);
    expect(events.some((e) => e.station === null)).toBe(true);
    expect(events.filter((e) => (e.entries as number) < 0).length).toBeLessThan(100);
  });
});

describe("cart-cdc", () => {
  test("seq has no gaps and every cart goes insert, updates, delete", () => {
    const events = demoEvents(spec("cart-cdc"), 0, 3000) as Obj[];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const ops = new Map<string, string>();
    for (const e of events) ops.set(e.cart_id as string, (ops.get(e.cart_id as string) ?? "") + (e.op as string).toUpperCase());
    const complete = [...ops.values()].filter((o) => o.endsWith("D"));
    expect(complete.length).toBeGreaterThan(50);
    for (const o of complete) expect(o).toBe("IUUUUD");
    const byCart = events.filter((e) => e.cart_id === events[0]!.cart_id && e.customer !== null).map((e) => e.customer);
    expect(new Set(byCart.map((c) => JSON.stringify(c))).size).toBe(1);
  });
});

describe("pii, shop, cloudtrail, github", () => {
  test("pii has names in other scripts, null and missing phones, empty emails", () => {
    const events = demoEvents(spec("pii"), 0, 5000) as Obj[];
    expect(events.some((e) => /[^\u0000-\u024f ]/.test(e.name as string))).toBe(true);
    expect(events.some((e) => e.phone === null)).toBe(true);
    expect(events.some((e) => !("phone" in e))).toBe(true);
    expect(events.some((e) => e.email === "")).toBe(true);
  });

  test("a pii user keeps one email and name across events", () => {
    const events = demoEvents(spec("pii"), 0, 5000) as Obj[];
    const byUser = new Map<string, Set<string>>();
    for (const e of events) byUser.set(e.user_id as string, (byUser.get(e.user_id as string) ?? new Set()).add(e.name as string));
    for (const names of byUser.values()) expect(names.size).toBe(1);
  });

  test("shop payloads are nested objects whose keys depend on the action", () => {
    const events = demoEvents(spec("shop"), 0, 1000) as Obj[];
    const entrances = events.filter((e) => e.action === "enter_shop");
    expect(entrances.length).toBeGreaterThan(80);
    for (const e of entrances) expect(e.payload).toHaveProperty("entrance");
    for (const e of events.filter((e) => e.action === "purchase")) expect(e.payload).toHaveProperty("receipt");
    expect(events.some((e) => typeof e.session_id === "number" && e.session_id >= 2 ** 53)).toBe(true);
  });

  test("cloudtrail files hold 0 to 4 records with nested identities", () => {
    const events = demoEvents(spec("cloudtrail"), 0, 1000) as Array<{ Records: Obj[] }>;
    const sizes = new Set(events.map((e) => e.Records.length));
    expect([...sizes].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(events.flatMap((e) => e.Records).some((r) => (r.userIdentity as Obj).type === "AssumedRole")).toBe(true);
  });

  test("github payloads match their X-GitHub-Event", () => {
    for (let i = 0; i < 300; i++) {
      const payload = demoGenerators.github!.event(1, i) as Obj;
      const name = githubEventName(1, i);
      if (name === "push") expect(payload).toHaveProperty("commits");
      if (name === "issues") expect(payload).toHaveProperty("issue");
      if (name === "pull_request") expect(payload).toHaveProperty("pull_request");
    }
  });
});

import { describe, expect, test } from "vitest";
import { Recall } from "./recall.ts";

/** Drives a Recall with a Map the way its users do; `key(i)` is call i's key. Returns how many calls the memory answered. */
function drive(recall: Recall, memory: Map<string, number>, calls: number, key: (i: number) => string): { answered: number; computed: number } {
  let answered = 0, computed = 0;
  for (let i = 0; i < calls; i++) {
    const k = key(i);
    if (!recall.use()) {
      computed++;
      continue;
    }
    if (memory.has(k)) {
      recall.hit();
      answered++;
      continue;
    }
    computed++;
    if (recall.missed(memory.size)) memory.clear();
    memory.set(k, i);
  }
  return { answered, computed };
}

describe("Recall", () => {
  test("repeating keys are answered from memory; the memory never holds more than 16,384 answers", () => {
    const recall = new Recall();
    const memory = new Map<string, number>();
    expect(drive(recall, memory, 100_000, (i) => `k${i % 50}`)).toEqual({ answered: 99_950, computed: 50 });
    const wide = new Recall();
    const big = new Map<string, number>();
    let most = 0;
    // Half the calls repeat one key (worth remembering), half bring a new one.
    for (let i = 0; i < 40_000; i++) {
      drive(wide, big, 1, () => (i % 2 === 0 ? "hot" : `k${i}`));
      most = Math.max(most, big.size);
    }
    expect(most).toBe(16_384);
  });

  test("unique keys switch the memory off and clear it; it is tried again after 65,536 calls", () => {
    const recall = new Recall();
    const memory = new Map<string, number>();
    // 1,024 calls with no hit: off, and cleared (an id or a timestamp is told early).
    drive(recall, memory, 1_024, (i) => `u${i}`);
    expect(memory.size).toBeLessThanOrEqual(1);
    // Off: repeating keys are not answered until 65,536 calls have passed.
    expect(drive(recall, memory, 65_535, (i) => `k${i % 10}`).answered).toBe(0);
    const after = drive(recall, memory, 10_000, (i) => `k${i % 10}`);
    expect(after.answered).toBeGreaterThan(9_900);
  });

  test("keys that repeat a little stay remembered past 1,024 calls and are judged at 4,096", () => {
    // One call in ten repeats a key (10 % of the first 1,024): kept on until 4,096 calls, then off (under a quarter).
    const rare = new Recall();
    const some = new Map<string, number>();
    const key = (i: number): string => (i % 10 === 0 ? "again" : `u${i}`);
    drive(rare, some, 4_000, key);
    expect(some.size).toBeGreaterThan(3_000);
    drive(rare, some, 200, (i) => key(4_000 + i));
    expect(some.size).toBeLessThanOrEqual(1);
    // Addresses of a few thousand people: few repeats at first, most calls later; never switched off.
    const people = new Recall();
    const addresses = new Map<string, number>();
    let x = 1;
    const person = (): string => `p${(x = (x * 48271) % 2147483647) % 5_000}`;
    const { answered } = drive(people, addresses, 100_000, person);
    expect(answered).toBeGreaterThan(90_000);
  });
});

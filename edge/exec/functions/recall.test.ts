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
    // 4,096 calls with no hit: off, and cleared.
    drive(recall, memory, 4_096, (i) => `u${i}`);
    expect(memory.size).toBeLessThanOrEqual(1);
    // Off: repeating keys are not answered until 65,536 calls have passed.
    expect(drive(recall, memory, 65_535, (i) => `k${i % 10}`).answered).toBe(0);
    const after = drive(recall, memory, 10_000, (i) => `k${i % 10}`);
    expect(after.answered).toBeGreaterThan(9_900);
  });
});

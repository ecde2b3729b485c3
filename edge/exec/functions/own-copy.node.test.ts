import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import { ownCopy } from "./recall.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** The heap after two full collections. */
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe("ownCopy", () => {
  test("a remembered key cut from a large text does not keep the text alive", () => {
    // 200 bodies of 200 KB (40 MB); a key of 20 characters cut from each (a view of its body in V8).
    const before = heapAfterGc();
    const kept: string[] = [];
    for (let i = 0; i < 200; i++) {
      const body = `${"x".repeat(200_000)}user.${String(i).padStart(5, "0")}@example.org${"y".repeat(100)}`;
      kept.push(ownCopy(body.slice(200_000, 200_020)));
    }
    const grown = heapAfterGc() - before;
    expect(kept[7]).toBe("user.00007@example.o");
    // The copies are a few KB; the bodies they were cut from are gone.
    expect(grown).toBeLessThan(4_000_000);
  });

  test("the copy is the same text, whatever its length and characters", () => {
    const samples: string[] = ["", "a", "twelve chars", "thirteen char", "ada.7@example.com", "例え.jp の住所 ada@例え.jp", "😀".repeat(7), "x😀".repeat(9)];
    // Halves that cut a surrogate pair, lone surrogates, two-byte and one-byte texts up to 300 units.
    for (let n = 0; n <= 300; n += 7) {
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(i % 5 === 0 ? 0xd800 + (i % 3) : i % 7 === 0 ? 0xdc00 + i : i % 3 === 0 ? 0x4e00 + i : 0x61 + (i % 26));
      samples.push(s, s.toUpperCase(), `"\\${s}\n`);
    }
    for (const s of samples) {
      const copy = ownCopy(s);
      expect(copy.length).toBe(s.length);
      expect(copy === s).toBe(true);
    }
  });
});

/**
 * review14: what linear-engine programs' lazy DFAs keep. The regex cache holds 256 programs (a pattern
 * taken from a column makes one per distinct pattern), and each program kept its DFA's caches for
 * good: the one-pass walk's whole table, made at the first anchored search ((instructions + 1) ×
 * classes × 8 cells: 332 KB for a 195-instruction log pattern, up to 4 MB), and the guided walk's rows
 * (300 KB after one line). 256 log patterns searched once each on one access-log line held 215 MB,
 * more than a Worker's 128 MB.
 */
import { describe, expect, it } from "vitest";
import { compileRegex } from "./pattern.ts";
import { compileProgram, runProgram, type Program } from "./pike.ts";

/** The bytes of every typed array reachable from `root`. */
function typedBytes(root: unknown, seen = new Set<unknown>()): number {
  if (root === null || typeof root !== "object" || seen.has(root)) return 0;
  seen.add(root);
  if (ArrayBuffer.isView(root)) return root.byteLength;
  let bytes = 0;
  if (root instanceof Map) for (const [k, v] of root) bytes += typedBytes(k, seen) + typedBytes(v, seen);
  else for (const v of Object.values(root)) bytes += typedBytes(v, seen);
  return bytes;
}

const line = `203.0.113.7 - alice [12/Oct/2025:13:55:36 +0000] "GET /api/v1/orders?id=12345 HTTP/1.1" 200 5120 "https://example.com/" "Mozilla/5.0"`;

describe("review14: the lazy DFAs' memory over many patterns", () => {
  it("256 log patterns (a column of patterns) searched once each keep a few MB of DFA caches in all, not hundreds", () => {
    const programs: Program[] = [];
    for (let k = 0; k < 256; k++) {
      const alts = Array.from({ length: 12 }, (_, i) => `(\\w+\\s?)*w${k}x${i}`).join("|");
      const re = compileRegex(`^(\\S+) \\S+ (?:${alts}|(\\S+)) \\[([^\\]]+)\\] "(\\w+) ([^"]*)" (\\d{3}) (\\d+|-)\\b`, "");
      const p = compileProgram(re.source, false);
      const caps = runProgram(p, line, 0, false, true);
      expect(caps && line.slice(caps[2]!, caps[3]!)).toBe("203.0.113.7");
      programs.push(p);
    }
    const kept = programs.reduce((n, p) => n + typedBytes(p.dfa), 0);
    expect(kept / 2 ** 20).toBeLessThan(24);
  });
});

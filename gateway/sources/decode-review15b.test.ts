/**
 * review15b: the runner's `json` message path after d8d2b97 (`readJsonMessage`) against the path before it
 * (JSON.parse fast path, else `decodePayload`), over generated damaged messages. The old path is rebuilt here
 * from `decodePayload` (unchanged for these calls) and `parseJsonFast`.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { decodePayload, MessageEvents, readJsonMessage } from "./decode.ts";
import { parseJsonFast } from "../../edge/duckdb/lossless-json.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function oldEvents(bytes: Uint8Array, realsMatter?: (v: unknown) => boolean): unknown[] {
  let fast: unknown;
  try {
    fast = parseJsonFast(utf8.decode(bytes), realsMatter);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    fast = undefined;
  }
  if (fast !== undefined) return (Array.isArray(fast) ? fast : [fast]).map((value) => ({ ok: true, value, receivedAt: 7 }));
  return decodePayload(bytes, "json", 7, undefined, undefined, true, "keep");
}

function newEvents(bytes: Uint8Array, realsMatter?: (v: unknown) => boolean): unknown[] {
  const read = readJsonMessage(bytes, 7, realsMatter, "keep");
  if (read instanceof MessageEvents) return read.events;
  return (Array.isArray(read) ? read : [read]).map((value) => ({ ok: true, value, receivedAt: 7 }));
}

const pieces = ["{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "d83d", "dc00", "0000", "\\u0000", "\u0000", "\ufeff", " ", "\n", "\t", "\r", "\f", "\u00a0",
  "NaN", "nan", "-inf", "Infinity", "-Infinity", "1", "-0", "0.0", "10.0", "1e999", "9007199254740993", "18446744073709551616", "-9223372036854775809",
  "true", "null", "nul", "\"a\"", "\"a\":", "\"a\":1", "\"\\ud83d\"", "\"\\udc00\"", "\"é\"", "\"😀\"", "//", "/*", "'", "+1", ".5", "01", "1.", "x"];

const messy = fc.oneof(
  fc.array(fc.constantFrom(...pieces), { maxLength: 24 }).map((p) => p.join("")),
  fc.json().chain((j) => fc.tuple(fc.constant(j), fc.nat(j.length), fc.nat(j.length), fc.constantFrom(...pieces)).map(([t, a, b, p]) => t.slice(0, a) + p + t.slice(Math.min(a + (b % 3), t.length)))),
  fc.json(),
  fc.string({ unit: "binary", maxLength: 30 }),
);

const reals = [undefined, () => true, () => false];

test("review15b: readJsonMessage gives the events and letters the runner gave before (text)", () => {
  fc.assert(
    fc.property(messy, fc.constantFrom(0, 1, 2), (text, r) => {
      const bytes = new TextEncoder().encode(text);
      if (bytes.length === 0) return;
      expect(newEvents(bytes, reals[r])).toEqual(oldEvents(bytes, reals[r]));
    }),
    { numRuns: 30000 },
  );
});

test("review15b: readJsonMessage gives the events and letters the runner gave before (bytes, not UTF-8 among them)", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 12 }), messy.map((t) => new TextEncoder().encode(t))), { minLength: 1, maxLength: 4 }), (parts) => {
      // several messages one after another (the not-UTF-8 memory between calls)
      for (const part of parts) {
        if (part.length === 0) continue;
        expect(newEvents(part)).toEqual(oldEvents(part));
      }
    }),
    { numRuns: 20000 },
  );
});

test("review15b: deep nesting, broken, with strings and brackets around it", () => {
  const deep = (n: number) => "[".repeat(n);
  const cases = [deep(1001), `${deep(1001)}1`, `"${deep(1001)}`, `["${deep(1001)}"`, `["\\"${deep(1001)}`, `{"a":${deep(1000)}}`, `{"a":${deep(999)}NaN`, `[${"{\"k\":".repeat(1001)}1`, `]${deep(1002)}`, `[1,${deep(1001)},]`, `${deep(500)}"x\\\\"${deep(600)}`];
  for (const text of cases) {
    const bytes = new TextEncoder().encode(text);
    expect(newEvents(bytes)).toEqual(oldEvents(bytes));
  }
});

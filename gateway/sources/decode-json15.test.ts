/**
 * The Kafka runner reads a `json` message value with `readJsonMessage`, which parses it once and, for a
 * value that is not UTF-8 or not JSON, carries that first failure to the dead letter. Its events and
 * error events (reasons and raw text) must be `decodePayload`'s, which parses again to say why, for every
 * kind of damage a producer's bad release sends: cut short, not JSON, bytes that are not UTF-8, a comma
 * or NaN the event parser takes, nesting past its limit, several values, pretty-printed text, framing.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { decodePayload, MessageEvents, readJsonMessage } from "./decode.ts";

const enc = new TextEncoder();

/** `readJsonMessage`'s answer as events, as the runner takes them (a top-level array is its elements). */
function events(bytes: Uint8Array): unknown[] {
  const read = readJsonMessage(bytes, 7, undefined, "keep");
  if (read instanceof MessageEvents) return read.events;
  return (Array.isArray(read) ? read : [read]).map((value) => ({ ok: true, value, receivedAt: 7 }));
}

const same = (bytes: Uint8Array) => expect(events(bytes), Buffer.from(bytes).toString("latin1").slice(0, 200)).toEqual(decodePayload(bytes, "json", 7, undefined, undefined, true, "keep"));

const documents = [
  '{"station":"59 ST","ca":"A002","ts":"2026-11-22T00:00:00.000Z","entries":7915297,"exits":3955516,"ok":true,"note":null}',
  '[{"id":1,"v":10.0},{"id":2,"v":[1,2,{"k":"x, ]"}]},{"id":12345678901234567890}]',
  '{\n  "id": "evt_1",\n  "data": {"object": {"amount": 2500, "tags": ["a", "b"]}}\n}',
  '{"a":"esc \\" \\\\ \\u00e9 \\ud83d\\ude00","b":-0.5e-3,"c":[],"d":{}}',
];

test("every prefix of a JSON value (a message cut short) decodes as decodePayload decodes it", () => {
  for (const doc of documents) for (let n = 0; n <= doc.length; n++) same(enc.encode(doc.slice(0, n)));
});

test("values damaged by a byte replaced, a comma, NaN, or text that is not JSON decode as decodePayload decodes them", () => {
  const insertions = [",", ",]", ",}", "NaN", "-Infinity", "inf", " nan", "]", "}", "{", "[", '"', "\\", "\u0001", "x", "\n", "\n{}\n"];
  for (const doc of documents) {
    for (let at = 0; at <= doc.length; at += 3) {
      for (const piece of insertions) {
        same(enc.encode(doc.slice(0, at) + piece + doc.slice(at)));
        same(enc.encode(doc.slice(0, at) + piece + doc.slice(at + 1)));
      }
    }
  }
  const texts = [
    "station=59 ST ca=A002 entries=7915297",
    "<html><body>502 Bad Gateway</body></html>",
    "",
    " ",
    "null",
    "7915297",
    '"just text"',
    "[1,2,]",
    '{"a":1,}',
    '[{"a":NaN},{"a":-inf}]',
    '{"a":nan,"b":[Infinity,]}',
    '{"a":1}\n{"a":2}\n',
    '{"a":1}\n{"a":2}\n{oops\n',
    '{"a":1} {"a":2}',
    "{'a': 1}",
    '{"a": "cut \\ud83d"}',
    '{"id": 1, "id": 2}',
    '[{"id": 1, "id": 2}, {"id": 3}',
    '{"text":"INFO: inf nan, ]"',
    "\ufeff{\"a\":1}",
    "\ufeff\ufeff{\"a\":1}",
  ];
  for (const text of texts) same(enc.encode(text));
});

test("a value nested past the event parser's limit, whole or cut short, decodes as decodePayload decodes it", () => {
  const nest = (levels: number, inner = "1") => `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`;
  for (const text of [nest(1000), nest(1001), nest(5000), nest(5000).slice(0, 6000), `[${nest(1200)},{"a":1}]`, `[${nest(1200)},{"a":1},]`, `{"a":${nest(1200).slice(0, 1500)}`, `{"s":"${"[".repeat(2000)}"`, `${"[".repeat(999)}{"a":"x"`]) {
    same(enc.encode(text));
  }
});

test("bytes that are not UTF-8, one value after another and between good ones, decode as decodePayload decodes them (their bytes kept)", () => {
  const bad = [
    new Uint8Array([0x7b, 0xff, 0x7d]),
    Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from("")]),
    new Uint8Array([0x80]),
  ];
  for (const round of [0, 1]) {
    for (const bytes of bad) {
      same(bytes);
      if (round === 1) same(enc.encode('{"good":1}'));
    }
  }
  const [letter] = events(bad[1]!) as { raw: string }[];
  expect(Buffer.from(letter!.raw, "latin1")).toEqual(bad[1]);
});

test("any bytes, JSON with pieces of JSON, brackets, NaN and bytes that are not UTF-8 spliced in, decode as decodePayload decodes them", () => {
  const piece = fc.oneof(
    fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "\\", " ", "\n", "NaN", "-inf", "1.0", "12345678901234567890", "null", '"k"', '"\\ud83d"', "\ufeff"),
    fc.string({ maxLength: 4 }),
  );
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.tuple(fc.constantFrom(...documents), fc.nat(), fc.array(piece, { maxLength: 4 }), fc.uint8Array({ maxLength: 2 })).map(([doc, at, pieces, raw]) => {
      const cut = at % (doc.length + 1);
      return Buffer.concat([Buffer.from(doc.slice(0, cut)), Buffer.from(pieces.join("")), Buffer.from(raw.map((b) => b | 0x80)), Buffer.from(doc.slice(cut))]);
    }),
  );
  fc.assert(fc.property(fc.array(bytes, { minLength: 1, maxLength: 4 }), (values) => values.forEach(same)), { numRuns: 1500 });
});

test("a value in Schema Registry framing decodes as decodePayload decodes it", () => {
  for (const rest of ['{"id": 1}', "[1,2]", '"abc"', "42 43", "{", ""]) same(Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), Buffer.from(rest)]));
  same(new Uint8Array([0, 1, 2, 3, 4, 0x02, 0x06, 0x66, 0x6f, 0x6f]));
  same(new Uint8Array([0, 0x7b]));
});

test("a value that is not JSON is parsed once: one JSON.parse, no second parser, no other decode", () => {
  const parse = JSON.parse;
  let calls = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    calls++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  try {
    const messages = ['{"station":"59 ST","entries":79152', "station=59 ST entries=7915297", '{"a":"x","b":[1,2', "<html>"];
    for (const text of messages) {
      calls = 0;
      const [letter] = events(enc.encode(text)) as { ok: boolean; error: string }[];
      expect(letter).toMatchObject({ ok: false, error: expect.stringMatching(/^decode: not JSON \(/) });
      expect(calls, text).toBe(1);
    }
  } finally {
    JSON.parse = parse;
  }
});

/**
 * A producer's bad release through the Kafka runner's engine: each value is parsed once. A value that is
 * not JSON was parsed up to four times on its way to its dead letter (JSON.parse, then JSON.parse and the
 * exact parser again in the decoder, then JSON.parse once more for the reason's words), and a value that
 * is not UTF-8 was decoded twice: ~17k dead letters a second where good events run at several hundred
 * thousand. The letters are the same as before, one per bad value, with the decoder's reasons.
 */
import { expect, test } from "vitest";
import { decodePayload } from "../../gateway/sources/decode.ts";

const utf8 = new TextEncoder();

test("a bad release's values are each parsed once on the way to their dead letters, which say what the decoder says", async () => {
  const { default: config } = await import("../worker/fixtures/turnstile.config.json");
  const { runnelWriter } = await import("../parquet/runnel.ts");
  const { EngineHost } = await import("./partition-engine.ts");
  const store = new Map<string, Uint8Array>();
  const sink = {
    describe: "memory",
    put: async (key: string, body: Uint8Array) => void store.set(key, body),
    putIfAbsent: async (key: string, body: Uint8Array) => (store.has(key) ? false : (store.set(key, body), true)),
    get: async (key: string) => store.get(key) ?? null,
    list: async (prefix: string) => [...store.keys()].filter((k) => k.startsWith(prefix)).sort(),
    delete: async (key: string) => void store.delete(key),
  };
  const spec = { ...config.sinks.lake, flush: { rows: 1_000_000, bytes: 1 << 30, seconds: 3600 } } as never;
  const host = new EngineHost({ plan: config.plan as never, topic: "t", source: { name: "turnstile", format: "json" } }, { lake: { spec, opened: { sink, prefix: "" } as never } }, runnelWriter, () => Date.UTC(2026, 11, 6));
  const good = (i: number) => utf8.encode(JSON.stringify({ station: "59 ST", ca: "A002", unit: "R051", scp: "02-00-00", linename: "NQR456W", division: "IRT", ts: `2026-11-22T10:00:${String(i % 60).padStart(2, "0")}.000Z`, desc: "REGULAR", entries: 100 + i, exits: 50 }));
  const kinds = [
    (i: number) => good(i).subarray(0, 60),
    (i: number) => utf8.encode(`station=59 ST entries=${i}`),
    (i: number) => Buffer.concat([utf8.encode(`{"station":"caf`), Buffer.from([0xe9]), utf8.encode(`","entries":${i}}`)]),
    (i: number) => utf8.encode(`{"station":"A","entries":${i},"note":"${"x".repeat(5000)}`),
  ];
  const bad: Uint8Array[] = [];
  const messages: Uint8Array[] = [];
  for (let i = 0; i < 400; i++) {
    const value = i % 5 === 4 ? good(i) : kinds[i % kinds.length]!(i);
    if (i % 5 !== 4) bad.push(value);
    messages.push(value);
  }
  const values = Buffer.concat(messages);
  const segment = {
    values,
    lengths: Int32Array.from(messages.map((m) => m.length)),
    offsets: BigInt64Array.from(messages.map((_, i) => BigInt(i))),
    timestamps: Float64Array.from(messages.map(() => Date.UTC(2026, 11, 6))),
  };
  await host.handle({ op: "open", id: 1, partition: 0, writerName: "w", snapshot: null });
  const parse = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    parses++;
    return parse(text, reviver);
  }) as typeof JSON.parse;
  try {
    await host.handle({ op: "run", id: 1, segment, autoSeal: false });
  } finally {
    JSON.parse = parse;
  }
  // One parse a value that is UTF-8; none for one that is not (it cannot be JSON).
  const text = messages.filter((m) => Buffer.from(m).toString("utf8") === new TextDecoder().decode(m) && !Buffer.from(m).includes(0xe9));
  expect(parses).toBe(text.length);

  await host.handle({ op: "seal", id: 1, final: true, ifDue: false });
  await host.handle({ op: "write", id: 1 });
  const keys = [...store.keys()].filter((k) => k.includes("_errors/"));
  const letters = keys.flatMap((k) => new TextDecoder().decode(store.get(k)!).trim().split("\n").map((l) => JSON.parse(l) as { reason: string; raw: string }));
  const expected = bad.map((value) => {
    const [event] = decodePayload(value, "json", 0, undefined, undefined, true, "keep");
    return { reason: event && !event.ok ? event.error : "", raw: Buffer.from(value).toString(Buffer.from(value).includes(0xe9) ? "latin1" : "utf8") };
  });
  expect(letters.map((l) => l.reason)).toEqual(expected.map((e) => e.reason));
  expect(letters.map((l) => l.raw)).toEqual(expected.map((e) => e.raw));
  expect(letters.filter((l) => l.reason === "decode: payload is not valid UTF-8 (The encoded data was not valid for encoding utf-8)")).toHaveLength(80);
});

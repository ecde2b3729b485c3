import { describe, expect, test } from "vitest";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { parseJsonOnce } from "./partition-engine.ts";

const utf8 = new TextEncoder();

describe("parseJsonOnce", () => {
  const texts = [
    `{"a":1,"b":"x","c":[1,2,{"d":null}],"e":true}`,
    `[{"a":1},{"a":2}]`,
    `[]`,
    `null`,
    `"just text"`,
    `{"id":9007199254740991}`,
    `{"id":9007199254740992}`,
    `{"id":-12345678901234567890}`,
    `{"card":"1234567812345678","n":1234567812345678}`,
    `{"big":1e300,"small":0.12345678901234567890,"neg":-0}`,
    `{"__proto__":{"x":1}}`,
    `{"nested":[[[12345678901234567890]]]}`,
    ` {"padded": 1} `,
    `{"price":10.0,"note":"v1.0"}`,
  ];
  for (const text of texts) {
    test(`decodes ${text} as decodePayload does, or leaves it to decodePayload`, () => {
      const bytes = utf8.encode(text);
      const expected = decodePayload(bytes, "json", 0).map((d) => (d.ok ? d.value : d));
      const fast = parseJsonOnce(bytes);
      if (fast === undefined) {
        // Left to decodePayload: only for integers beyond 2^53 and reals with an integral value.
        expect(text).toMatch(/\d{16}|10\.0/);
        return;
      }
      expect(Array.isArray(fast) ? fast : [fast]).toEqual(expected);
    });
  }

  test("leaves what is not JSON or not UTF-8 to decodePayload (its dead letter)", () => {
    expect(parseJsonOnce(utf8.encode("{not json"))).toBeUndefined();
    expect(parseJsonOnce(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeUndefined();
  });
});

/**
 * The Kafka runner's engine over the turnstile plan (its source read as `format`), one partition fed
 * `messages` (null: a message without a value), sealed and written; answers the memory sink's objects.
 */
async function runMessages(format: "json" | "csv", messages: (string | null)[]): Promise<Map<string, Uint8Array>> {
  const { default: config } = await import("../worker/fixtures/turnstile.config.json");
  const { runnelWriter } = await import("../parquet/runnel.ts");
  const { EngineHost } = await import("./partition-engine.ts");
  // With CSV, text fields are cast as read_csv casts them.
  const plan = JSON.parse(JSON.stringify(config.plan).replace('"format":"json"', `"format":"${format}"`));
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
  const host = new EngineHost({ plan, topic: "t", source: { name: "turnstile", format } }, { lake: { spec, opened: { sink, prefix: "" } as never } }, runnelWriter, () => Date.UTC(2026, 11, 6));
  const bytes = messages.map((m) => (m === null ? new Uint8Array(0) : utf8.encode(m)));
  const values = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) values.set(b, (at += b.length) - b.length);
  const segment = {
    values,
    lengths: Int32Array.from(messages.map((m, i) => (m === null ? -1 : bytes[i]!.length))),
    offsets: BigInt64Array.from(messages.map((_, i) => BigInt(i))),
    timestamps: Float64Array.from(messages.map(() => 0)),
  };
  await host.handle({ op: "open", id: 1, partition: 0, writerName: "w", snapshot: null });
  await host.handle({ op: "run", id: 1, segment, autoSeal: false });
  await host.handle({ op: "seal", id: 1, final: true, ifDue: false });
  await host.handle({ op: "write", id: 1 });
  return store;
}

describe("EngineHost's dead letters", () => {
  test("a dead event's raw is its text as the message carried it (spacing, 10.0, big integers, an array's element); an empty value says so", async () => {
    const store = await runMessages("json", [
      `{"station": "A",  "entries": "x", "exits": 10.0}`,
      null,
      "",
      `[ {"station": "B", "entries": 12345678901234567890} , {"station":"C","entries":"y,]}\\"","exits":1.0} ]`,
      `\ufeff {"station": "D", "entries": "z"} `,
    ]);
    const keys = [...store.keys()].filter((k) => k.includes("_errors/"));
    expect(keys).toHaveLength(1);
    const letters = new TextDecoder().decode(store.get(keys[0]!)!).trim().split("\n").map((l) => JSON.parse(l) as { reason: string; raw: string });
    expect(letters.map((l) => l.raw)).toEqual([
      "",
      "",
      `{"station": "A",  "entries": "x", "exits": 10.0}`,
      `{"station": "B", "entries": 12345678901234567890}`,
      `{"station":"C","entries":"y,]}\\"","exits":1.0}`,
      `{"station": "D", "entries": "z"}`,
    ]);
    expect(letters[1]!.reason).toBe("kafka: message value is empty (0 bytes)");
  });
});

describe("EngineHost and CSV messages", () => {
  test("a CSV message is a record without a header line, read under the source's columns; a first line spelling them is skipped", async () => {
    const { queryJson, sqlString, withDuckDB } = await import("../parquet/duckdb-oracle.node.ts");
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const line = (second: number, entries: number) => `59 ST,A002,R051,02-00-00,NQR456W,BMT,2026-11-22T10:00:0${second}.000Z,REGULAR,${entries},50`;
    const store = await runMessages("csv", [
      line(1, 100),
      line(2, 101),
      `station,ca,unit,scp,linename,division,ts,desc,entries,exits\n${line(3, 102)}`,
      "59 ST;A002;R051;02-00-00;NQR456W;BMT;2026-11-22T10:00:04.000Z;REGULAR;103;50",
    ]);
    const files = [...store.keys()].filter((k) => k.endsWith(".parquet"));
    expect(files).toHaveLength(1);
    expect([...store.keys()].some((k) => k.includes("_errors/"))).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), "runnel-csv-kafka-"));
    try {
      writeFileSync(join(dir, "f.parquet"), store.get(files[0]!)!);
      await withDuckDB(async (db) => {
        const rows = await queryJson(db, `SELECT readings, entries_first, entries_last FROM read_parquet(${sqlString(join(dir, "f.parquet"))})`);
        expect(rows).toEqual([{ readings: "4", entries_first: "100", entries_last: "103" }]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

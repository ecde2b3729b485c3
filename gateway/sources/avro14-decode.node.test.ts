/**
 * The JSON an Avro value becomes (avro-json.ts): for each Avro type, the event equals the one the JSON
 * path (`decodePayload`) gives for the same event written as JSON text, and DuckDB reads that JSON as
 * the type a user expects. Values that do not decode are error events saying where.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { stringifyJsonLossless } from "../../edge/duckdb/lossless-json.ts";
import { avroReader, avroType, decodeAvroValue } from "./avro.ts";
import { decodePayload } from "./decode.ts";

const readerOf = (schema: unknown, schemaId?: number) => avroReader({ schema: "schemas/ev.avsc", definition: schema, ...(schemaId === undefined ? {} : { schemaId }) }, "ev");
function read(schema: unknown, value: unknown): unknown[] {
  return decodeAvroValue(avroType(schema).toBuffer(value), readerOf(schema), 0).map((e) => (e.ok ? e.value : e.error));
}
const asJson = (text: string) => decodePayload(text, "json", 0).map((e) => (e.ok ? e.value : e.error));
const record = (fields: { name: string; type: unknown }[]) => ({ type: "record", name: "R", fields });

describe("an Avro value as the JSON event it equals", () => {
  const cases: [string, unknown, unknown, string][] = [
    ["doubles: integral, NaN, ±Infinity, -0 as DuckDB's JSON reader reads them (DOUBLE)", record([{ name: "a", type: "double" }, { name: "b", type: "double" }, { name: "c", type: "double" }, { name: "d", type: "double" }, { name: "e", type: "double" }]), { a: 3, b: NaN, c: Infinity, d: -Infinity, e: -0 }, `{"a": 3.0, "b": NaN, "c": Infinity, "d": -Infinity, "e": -0.0}`],
    ["floats as their shortest decimal (0.1f is 0.1, 16777217 is not a float)", record([{ name: "a", type: "float" }, { name: "b", type: "float" }, { name: "c", type: "float" }, { name: "d", type: "float" }]), { a: 0.1, b: 16777217, c: NaN, d: 1.5e-45 }, `{"a": 0.1, "b": 16777216.0, "c": NaN, "d": 1e-45}`],
    ["ints and longs at their limits, exact past 2^53", record([{ name: "i", type: "int" }, { name: "j", type: "int" }, { name: "l", type: "long" }, { name: "m", type: "long" }]), { i: -2147483648, j: 2147483647, l: 2n ** 63n - 1n, m: -(2n ** 53n) - 1n }, `{"i": -2147483648, "j": 2147483647, "l": 9223372036854775807, "m": -9007199254740993}`],
    ["fixed bytes and a uuid on fixed(16)", record([{ name: "f", type: { type: "fixed", name: "F", size: 3 } }, { name: "u", type: { type: "fixed", name: "U", size: 16, logicalType: "uuid" } }]), { f: Buffer.from([0x7e, 0x7f, 0x20]), u: Buffer.from("123e4567e89b12d3a456426614174000", "hex") }, String.raw`{"f": "~\\x7F ", "u": "123e4567-e89b-12d3-a456-426614174000"}`],
    ["times, local timestamps and nanosecond timestamps with every fraction digit", record([{ name: "t", type: { type: "int", logicalType: "time-millis" } }, { name: "tu", type: { type: "long", logicalType: "time-micros" } }, { name: "lt", type: { type: "long", logicalType: "local-timestamp-millis" } }, { name: "n", type: { type: "long", logicalType: "timestamp-nanos" } }]), { t: 45296789, tu: 86399999999, lt: 1000, n: 1704164645123456789n }, `{"t": "12:34:56.789", "tu": "23:59:59.999999", "lt": "1970-01-01 00:00:01.000", "n": "2024-01-02 03:04:05.123456789"}`],
    ["dates before year 1 as DuckDB writes them, and a decimal on fixed with scale 0", record([{ name: "d", type: { type: "int", logicalType: "date" } }, { name: "x", type: { type: "fixed", name: "X", size: 2, logicalType: "decimal", precision: 4 } }]), { d: -719163, x: Buffer.from([0xff, 0xff]) }, `{"d": "0001-12-31 (BC)", "x": "-1"}`],
    ["an annotation the spec says to ignore (date on a string, decimal whose scale is past its precision) is the underlying value", record([{ name: "s", type: { type: "string", logicalType: "date" } }, { name: "b", type: { type: "bytes", logicalType: "decimal", precision: 2, scale: 3 } }]), { s: "soon", b: Buffer.from("ab") }, `{"s": "soon", "b": "ab"}`],
    ["unions of several branches give the branch's value; maps and nested arrays their JSON", record([{ name: "u", type: ["null", "int", "string", { type: "array", items: ["null", "double"] }] }, { name: "m", type: { type: "map", values: { type: "map", values: "boolean" } } }]), { u: { array: [null, { double: 2 }, { double: 0.5 }] }, m: { a: { b: true }, "": {} } }, `{"u": [null, 2.0, 0.5], "m": {"a": {"b": true}, "": {}}}`],
    ["a top-level array is one event per element, as a JSON array is", { type: "array", items: record([{ name: "a", type: "int" }]) }, [{ a: 1 }, { a: 2 }], `[{"a": 1}, {"a": 2}]`],
    ["a top-level string is the scalar event the JSON string is", "string", "héllo", `"héllo"`],
  ];
  for (const [what, schema, value, json] of cases) {
    test(what, () => {
      expect(read(schema, value)).toEqual(asJson(json));
    });
  }

  test("DuckDB reads the events' JSON as the types the Avro schema means", async () => {
    const events = [
      ...read(record([{ name: "ts", type: { type: "long", logicalType: "timestamp-micros" } }, { name: "d", type: { type: "int", logicalType: "date" } }, { name: "t", type: { type: "int", logicalType: "time-millis" } }, { name: "x", type: "double" }, { name: "b", type: "bytes" }]), { ts: 0n, d: 0, t: 0, x: NaN, b: Buffer.from([0, 0x27, 0x5c]) }),
      ...read(record([{ name: "ts", type: { type: "long", logicalType: "timestamp-micros" } }, { name: "d", type: { type: "int", logicalType: "date" } }, { name: "t", type: { type: "int", logicalType: "time-millis" } }, { name: "x", type: "double" }, { name: "b", type: "bytes" }]), { ts: 1704164645123456n, d: 19724, t: 45296789, x: 2, b: Buffer.from("ok") }),
    ];
    const db = await openDuckDB({ threads: 1 });
    try {
      const text = events.map((e) => stringifyJsonLossless(e, { duckdb: true })).join("\n");
      const file = join(await mkdtemp(join(tmpdir(), "runnel-avro14-")), "events.ndjson");
      await writeFile(file, text + "\n");
      const typed = (await db.read(`SELECT typeof(ts), typeof(d), typeof(t), typeof(x), ts::VARCHAR, isnan(x), b::BLOB FROM read_json('${file}') ORDER BY ts`)).getRows();
      expect(typed.map((r) => r.slice(0, 6))).toEqual([
        ["TIMESTAMP", "DATE", "TIME", "DOUBLE", "1970-01-01 00:00:00", true],
        ["TIMESTAMP", "DATE", "TIME", "DOUBLE", "2024-01-02 03:04:05.123456", false],
      ]);
      // The bytes come back exact from their text.
      expect([...(typed[0]![6] as { bytes: Uint8Array }).bytes]).toEqual([0, 0x27, 0x5c]);
    } finally {
      db.close();
    }
  });
});

describe("an Avro value that does not decode", () => {
  const schema = record([{ name: "id", type: "int" }, { name: "who", type: { type: "record", name: "Who", fields: [{ name: "name", type: "string" }, { name: "kind", type: { type: "enum", name: "K", symbols: ["A"] } }] } }]);
  const type = avroType(schema);
  const reader = readerOf(schema);
  const good = type.toBuffer({ id: 1, who: { name: "ab", kind: "A" } });
  const errors = (bytes: Uint8Array) => decodeAvroValue(bytes, reader, 0).map((e) => (e.ok ? e.value : e.error));

  test("truncated inside a nested record's field is named by its path", () => {
    expect(errors(good.subarray(0, 3))).toEqual(["decode: Avro value of 3 bytes is not a R: the value is truncated: it ends inside field who.name, which starts at byte 1 of 3"]);
  });

  test("an enum index past the symbols names the field and where it starts", () => {
    const bad = Buffer.from(good);
    bad[bad.length - 1] = 0x08;
    expect(errors(bad)).toEqual([expect.stringMatching(/^decode: Avro value of 5 bytes is not a R: .* in field who\.kind, which starts at byte 4$/)]);
  });

  test("a recursive schema's value nested past 1,000 levels is refused as the same JSON is, and one nested past the stack is a dead letter, not a crash", () => {
    const list = { type: "record", name: "Node", fields: [{ name: "next", type: ["null", "Node"] }] };
    const listType = avroType(list);
    const listReader = readerOf(list);
    const nested = (levels: number) => {
      let value: unknown = null;
      for (let i = 0; i < levels; i++) value = { next: value === null ? null : { Node: value } };
      return value;
    };
    const jsonOf = (levels: number) => `${'{"next": '.repeat(levels - 1)}{"next": null}${"}".repeat(levels - 1)}`;
    const decode = (levels: number) => decodeAvroValue(listType.toBuffer(nested(levels)), listReader, 0).map((e) => (e.ok ? e.value : e.error));
    expect(decode(1000)).toEqual(asJson(jsonOf(1000)));
    expect(asJson(jsonOf(1001))).toEqual(["decode: the value is nested more than 1000 levels deep, which runnel does not read (DuckDB's read_json does)"]);
    expect(decode(1001)).toEqual(["decode: Avro value of 1001 bytes is not a Node: the value is nested more than 1000 levels deep, which runnel does not read (DuckDB's read_json does)"]);
    // 200,000 levels, a byte each (the union's branch 1), written by hand: avsc's writer recurses too.
    const deep = Buffer.alloc(200_001, 0x02);
    deep[200_000] = 0x00;
    expect(decodeAvroValue(deep, listReader, 0).map((e) => (e.ok ? "ok" : e.error.replace(/\(.*\)$/, "(…)")))).toEqual(["decode: Avro value of 200001 bytes is not a Node: the value is nested too deep to read (…)"]);
  });

  test("with avro.schema_id, a value without the header or with another schema id is a dead letter naming both ids, and the header is never skipped by guess", () => {
    const pinned = readerOf(schema, 7);
    const framedAs = (id: number, body: Uint8Array) => Buffer.concat([Buffer.from([0, 0, 0, 0, id]), body]);
    const decode = (bytes: Uint8Array) => decodeAvroValue(bytes, pinned, 0).map((e) => (e.ok ? e.value : e.error));
    expect(decode(framedAs(7, good))).toEqual([{ id: 1, who: { name: "ab", kind: "A" } }]);
    expect(decode(framedAs(9, good))).toEqual(["decode: Avro value of 10 bytes is not a R: the value's Schema Registry header names schema id 9, and sources.ev.avro.schema_id reads only id 7 (with schemas/ev.avsc); a value of another schema is not read with it"]);
    expect(decode(good)).toEqual(["decode: Avro value of 5 bytes is not a R: the value has no Schema Registry header (a zero byte, then the schema id), and sources.ev.avro.schema_id says every value carries one with id 7"]);
    // Without schema_id, the same framed value of id 9 is read: the file's schema is taken for every id.
    expect(decodeAvroValue(framedAs(9, good), reader, 0).map((e) => e.ok)).toEqual([true]);
  });

  test("a value that decodes whole both after a header and bare is a dead letter unless avro.framing says which (review14: about 1 in 2,000 bare values were read as framed, wrong events)", () => {
    const reading = { type: "record", name: "Reading", fields: [{ name: "note", type: ["null", "string"] }, { name: "sensor", type: "string" }, { name: "value", type: "double" }, { name: "ts", type: "long" }] };
    const type = avroType(reading);
    const bareReader = avroReader({ schema: "schemas/ev.avsc", definition: reading, framing: "none" }, "ev");
    // The first bare value (of a null first field, so starting with 0) that also decodes whole after 5 bytes.
    let ambiguous: { value: Record<string, unknown>; bytes: Buffer } | null = null;
    for (let k = 0; k < 20_000 && ambiguous === null; k++) {
      const value = { note: null, sensor: `s-${k % 997}`, value: (k * 7919) % 100000 / 100, ts: 1_700_000_000_000 + k * 104_729 };
      const bytes = type.toBuffer(value);
      if (bytes.length >= 5 && decodeAvroValue(bytes.subarray(5), bareReader, 0)[0]!.ok) ambiguous = { value, bytes };
    }
    expect(ambiguous).not.toBeNull();
    const { value, bytes } = ambiguous!;
    const [auto] = decodeAvroValue(bytes, readerOf(reading), 0);
    expect(auto!.ok).toBe(false);
    expect(auto!.ok ? "" : auto!.error).toMatch(/it decodes whole both after a Schema Registry header \(schema id \d+\) and as bare Avro, so which the producer wrote cannot be told; say it in the notebook: sources\.ev\.avro\.framing: confluent \(or schema_id: <id>\) when values carry the header, framing: none when they are bare$/);
    // framing: none reads it as written; framing: confluent reads the header (and refuses a value without one).
    const [bare] = decodeAvroValue(bytes, bareReader, 0);
    expect(bare!.ok && (bare!.value as { sensor: string }).sensor).toBe(value.sensor);
    const framedReader = avroReader({ schema: "schemas/ev.avsc", definition: reading, framing: "confluent" }, "ev");
    expect(decodeAvroValue(bytes, framedReader, 0)[0]!.ok).toBe(true);
    const plain = type.toBuffer({ note: { string: "n" }, sensor: "s", value: 1.5, ts: 1 });
    expect(decodeAvroValue(plain, framedReader, 0).map((e) => (e.ok ? "ok" : e.error))).toEqual([
      `decode: Avro value of ${plain.length} bytes is not a Reading: the value has no Schema Registry header (a zero byte, then the schema id), and sources.ev.avro.framing: confluent says every value carries one`,
    ]);
  });

  test("an empty value of a record with fields is a truncated value, not a crash", () => {
    expect(errors(new Uint8Array(0))).toEqual(["decode: Avro value of 0 bytes is not a R: the value is truncated: it ends inside field id, which starts at byte 0 of 0"]);
  });
});

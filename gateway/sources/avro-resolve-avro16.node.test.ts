/**
 * Avro schema resolution (`resolveInto`): values written with one schema read as a reader schema's
 * shape, as the Avro spec, Confluent's deserializer with a reader schema and Spark's from_avro have
 * it; a writer schema that does not resolve says which field and why.
 */
import { describe, expect, test } from "vitest";
import { avroReader, avroType, decodeAvroValue, readerSchema, resolveInto } from "./avro.ts";
import { decodePayload } from "./decode.ts";

const asJson = (text: string) => decodePayload(text, "json", 0).map((e) => (e.ok ? e.value : e.error));

/** `value` written with `writer`, read as `reader`'s shape: its events' values, or their errors. */
function readAs(reader: unknown, writer: unknown, value: unknown): unknown[] {
  const into = readerSchema(reader, "schemas/now.avsc", "ev");
  const writerType = avroType(writer);
  const resolver = resolveInto(into, writerType);
  if (typeof resolver === "string") throw new Error(resolver);
  const bytes = writerType.toBuffer(value);
  const values = avroReader({ schema: "old.avro", definition: writer, framing: "none" }, "ev");
  return decodeAvroValue(bytes, { ...values, into: { type: into.type, resolver } }, 0).map((e) => (e.ok ? e.value : e.error));
}
const why = (reader: unknown, writer: unknown) => resolveInto(readerSchema(reader, "schemas/now.avsc", "ev"), avroType(writer));
const rec = (fields: unknown[], extra: object = {}) => ({ type: "record", name: "Order", namespace: "shop", fields, ...extra });

describe("a writer's values read as the reader schema's shape", () => {
  test("a field the writer lacks takes the reader's default (a null union's null, a string, a record); a field the reader lacks is dropped", () => {
    const writer = rec([{ name: "id", type: "long" }, { name: "gone", type: "string" }]);
    const reader = rec([
      { name: "id", type: "long" },
      { name: "note", type: ["null", "string"], default: null },
      { name: "region", type: "string", default: "eu" },
      { name: "tags", type: { type: "array", items: "string" }, default: ["new"] },
      { name: "at", type: { type: "record", name: "At", fields: [{ name: "x", type: "int" }] }, default: { x: 3 } },
    ]);
    expect(readAs(reader, writer, { id: 7, gone: "x" })).toEqual(asJson(`{"id": 7, "note": null, "region": "eu", "tags": ["new"], "at": {"x": 3}}`));
  });

  test("a field renamed with an alias, and a record renamed with one", () => {
    const writer = { type: "record", name: "OldOrder", fields: [{ name: "qty", type: "int" }] };
    const reader = { type: "record", name: "Order", aliases: ["OldOrder"], fields: [{ name: "quantity", type: "int", aliases: ["qty"] }] };
    expect(readAs(reader, writer, { qty: 4 })).toEqual(asJson(`{"quantity": 4}`));
  });

  test("records and enums match by their names without namespaces, as Java's Avro matches them", () => {
    const writer = { type: "record", name: "com.acme.Order", fields: [{ name: "id", type: "int" }, { name: "s", type: { type: "enum", name: "com.acme.S", symbols: ["A"] } }] };
    const reader = rec([{ name: "id", type: "long" }, { name: "s", type: { type: "enum", name: "S", symbols: ["A", "B"] } }]);
    expect(readAs(reader, writer, { id: 1, s: "A" })).toEqual(asJson(`{"id": 1, "s": "A"}`));
  });

  test("promotions: int to long, float and double; long to float and double (exact past 2^53 as long); float to double; string and bytes into each other", () => {
    const writer = rec([{ name: "a", type: "int" }, { name: "b", type: "int" }, { name: "c", type: "int" }, { name: "d", type: "long" }, { name: "e", type: "float" }, { name: "f", type: "string" }, { name: "g", type: "bytes" }, { name: "h", type: "long" }]);
    const reader = rec([{ name: "a", type: "long" }, { name: "b", type: "float" }, { name: "c", type: "double" }, { name: "d", type: "double" }, { name: "e", type: "double" }, { name: "f", type: "bytes" }, { name: "g", type: "string" }, { name: "h", type: "long" }]);
    const got = readAs(reader, writer, { a: -5, b: 2, c: 3, d: 2n ** 40n, e: 0.5, f: "hé", g: Buffer.from("ok"), h: 2n ** 62n + 1n });
    // A string read as bytes is the reader's bytes, as any Avro bytes are (non-ASCII bytes escaped as DuckDB shows a BLOB).
    expect(got).toEqual(asJson(String.raw`{"a": -5, "b": 2.0, "c": 3.0, "d": 1099511627776.0, "e": 0.5, "f": "h\\xC3\\xA9", "g": "ok", "h": 4611686018427387905}`));
  });

  test("an enum symbol the reader lacks reads as the reader's default; a writer union's branch reads into the reader's union", () => {
    const writer = rec([{ name: "s", type: { type: "enum", name: "S", symbols: ["NEW", "PAID", "REFUNDED"] } }, { name: "u", type: ["null", "int"] }, { name: "v", type: "int" }]);
    const reader = rec([{ name: "s", type: { type: "enum", name: "S", symbols: ["NEW", "PAID", "OTHER"], default: "OTHER" } }, { name: "u", type: ["null", "long", "string"] }, { name: "v", type: ["null", "long"] }]);
    expect(readAs(reader, writer, { s: "REFUNDED", u: { int: 9 }, v: 1 })).toEqual(asJson(`{"s": "OTHER", "u": 9, "v": 1}`));
    expect(readAs(reader, writer, { s: "PAID", u: null, v: 2 })).toEqual(asJson(`{"s": "PAID", "u": null, "v": 2}`));
  });

  test("arrays and maps of records resolve item by item; their items' bounds are counted in the writer's bytes", () => {
    const item = (fields: unknown[]) => ({ type: "record", name: "Line", fields });
    const writer = rec([{ name: "lines", type: { type: "array", items: item([{ name: "n", type: "null" }]) } }, { name: "m", type: { type: "map", values: "int" } }]);
    const reader = rec([{ name: "lines", type: { type: "array", items: item([{ name: "sku", type: "string", default: "?" }]) } }, { name: "m", type: { type: "map", values: "double" } }]);
    // Writer items of 0 bytes each: more than one item per byte left is fine (they take none).
    const lines = Array.from({ length: 40 }, () => ({ n: null }));
    expect(readAs(reader, writer, { lines, m: { a: 1 } })).toEqual(asJson(`{"lines": [${lines.map(() => `{"sku": "?"}`).join(", ")}], "m": {"a": 1.0}}`));
  });

  test("a resolved array or map declaring more items than its bytes hold is refused before it is read (the bound holds under resolution)", () => {
    const writer = rec([{ name: "xs", type: { type: "array", items: "int" } }, { name: "m", type: { type: "map", values: "int" } }]);
    const reader = rec([{ name: "xs", type: { type: "array", items: "long" } }, { name: "m", type: { type: "map", values: "double" } }]);
    const into = readerSchema(reader, "schemas/now.avsc", "ev");
    const w = avroType(writer);
    const resolver = resolveInto(into, w) as never;
    const values = avroReader({ schema: "old.avro", definition: writer, framing: "none" }, "ev");
    const decode = (bytes: Buffer) => decodeAvroValue(bytes, { ...values, into: { type: into.type, resolver } }, 0).map((e) => (e.ok ? e.value : e.error));
    // A block count of 2^31 items (zig-zag 0x80 0x80 0x80 0x80 0x10) in a 6-byte value.
    expect(decode(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10, 0x02]))).toEqual([expect.stringContaining("an array declares a block of 2147483648 items, and 1 bytes are left for them (at least 1 each)")]);
    expect(decode(Buffer.from([0x00, 0x80, 0x80, 0x80, 0x80, 0x10, 0x02]))).toEqual([expect.stringContaining("a map declares a block of 2147483648 items, and 1 bytes are left for them (at least 2 each)")]);
  });

  test("a resolved value that is cut short says where, in the writer's fields", () => {
    const writer = rec([{ name: "id", type: "long" }, { name: "name", type: "string" }]);
    const reader = rec([{ name: "name", type: "string" }]);
    const into = readerSchema(reader, "schemas/now.avsc", "ev");
    const w = avroType(writer);
    const resolver = resolveInto(into, w) as never;
    const bytes = w.toBuffer({ id: 1, name: "abcdef" }).subarray(0, 4);
    const [event] = decodeAvroValue(bytes, { ...avroReader({ schema: "old.avro", definition: writer, framing: "none" }, "ev"), into: { type: into.type, resolver } }, 0);
    expect(event).toMatchObject({ ok: false, error: "decode: Avro value of 4 bytes is not a shop.Order: the value is truncated: it ends inside field name, which starts at byte 1 of 4" });
  });
});

describe("a writer schema that does not resolve names the field and why", () => {
  const cases: [string, unknown, unknown, string][] = [
    ["a reader field without a default the writer lacks", rec([{ name: "id", type: "long" }, { name: "qty", type: "int", aliases: ["n"] }]), rec([{ name: "id", type: "long" }]), `field qty: the writer schema has no field qty (nor n, its aliases), and the reader schema gives it no default; add a "default" to the reader's field`],
    ["a narrowing (long into int), nested", rec([{ name: "addr", type: { type: "record", name: "Addr", fields: [{ name: "zip", type: "int" }] } }]), rec([{ name: "addr", type: { type: "record", name: "Addr", fields: [{ name: "zip", type: "long" }] } }]), `field addr.zip: the writer's long cannot be read as the reader's int (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other)`],
    // A union some of whose branches the reader reads resolves, its other branches refused value by value (avro-per-value-avr16).
    ["a writer's union no branch of which the reader's field reads", rec([{ name: "note", type: "int" }]), rec([{ name: "note", type: ["null", "string"] }]), `field note: the writer's union [null, string] has a branch null, which the reader's int cannot read (make the reader's field a union with null)`],
    ["a renamed enum without an alias", rec([{ name: "s", type: { type: "enum", name: "S", symbols: ["A"] } }]), rec([{ name: "s", type: { type: "enum", name: "T", symbols: ["A", "B"] } }]), `field s: the writer's enum shop.T is not the reader's shop.S; add "aliases": ["shop.T"] to the reader's enum`],
    ["a renamed record without an alias", { type: "record", name: "Order", fields: [] }, { type: "record", name: "Purchase", fields: [] }, `the value: the writer's record Purchase is not the reader's Order; add "aliases": ["Purchase"] to the reader's record`],
    ["array items", rec([{ name: "xs", type: { type: "array", items: "int" } }]), rec([{ name: "xs", type: { type: "array", items: "string" } }]), `field xs[]: the writer's string cannot be read as the reader's int (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other)`],
    ["no branch of a reader's union", rec([{ name: "u", type: ["null", "int"] }]), rec([{ name: "u", type: "string" }]), `field u: no branch of the reader's union [null, int] reads the writer's string`],
  ];
  for (const [what, reader, writer, expected] of cases) {
    test(what, () => {
      expect(why(reader, writer)).toBe(expected);
    });
  }

  test("a recursive schema: the field that fails is named, past the recursion", () => {
    const node = (x: string) => ({ type: "record", name: "Node", fields: [{ name: "children", type: { type: "array", items: "Node" } }, { name: "x", type: x }] });
    expect(why(node("long"), node("string"))).toBe(`field x: the writer's string cannot be read as the reader's long (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other)`);
    expect(readAs(node("long"), node("int"), { children: [{ children: [], x: 2 }], x: 1 })).toEqual(asJson(`{"children": [{"children": [], "x": 2}], "x": 1}`));
  });

  test("one resolver per writer schema", () => {
    const into = readerSchema(rec([{ name: "id", type: "long" }]), "schemas/now.avsc", "ev");
    const writer = avroType(rec([{ name: "id", type: "int" }]));
    expect(resolveInto(into, writer)).toBe(resolveInto(into, writer));
  });
});

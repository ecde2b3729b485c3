/**
 * review14: an Avro value's declared array and map counts are checked against the bytes it has.
 * avsc reads a block count and then that many items whatever is left of the value (past its end it
 * reads on), so a 6-byte message declaring 2^31 ints took the runner and the gateway down (heap out
 * of memory, a poison pill the runner met again at every restart). A map key `__proto__` is a key,
 * as it is in the same event written as JSON.
 */
import { describe, expect, test } from "vitest";
import { avroReader, avroType, decodeAvroValue } from "./avro.ts";
import { decodePayload } from "./decode.ts";

const readerOf = (schema: unknown) => avroReader({ schema: "schemas/ev.avsc", definition: schema }, "ev");
const record = (fields: { name: string; type: unknown }[]) => ({ type: "record", name: "R", fields });
/** Avro's zigzag varint of `n`. */
function varint(n: bigint): number[] {
  let v = (n << 1n) ^ (n >> 63n);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const events = (schema: unknown, bytes: number[] | Buffer) => decodeAvroValue(Uint8Array.from(bytes), readerOf(schema), 0).map((e) => (e.ok ? { value: e.value } : { error: e.error }));

describe("review14: Avro counts bounded by the value's bytes", () => {
  test("an array declaring 2^33 ints in a 6-byte value is a dead letter naming the count and the field", () => {
    const [event] = events(record([{ name: "tags", type: { type: "array", items: "int" } }]), [...varint(2n ** 33n), 0]);
    expect(event).toEqual({ error: expect.stringContaining("declares a block of 8589934592 items") });
    expect(event!.error).toContain("field tags");
  });

  test("a map declaring a million entries in 5 bytes is a dead letter", () => {
    const [event] = events(record([{ name: "attrs", type: { type: "map", values: "string" } }]), [...varint(1_000_000n), 0]);
    expect(event).toEqual({ error: expect.stringContaining("declares a block of 1000000 items") });
  });

  test("an array of nulls declaring 2^21 items in 4 bytes is a dead letter, not an event of two million nulls", () => {
    const [event] = events(record([{ name: "gaps", type: { type: "array", items: "null" } }]), [...varint(2n ** 21n), 0]);
    // (Its keys only: a diff of two million nulls is no message.)
    expect(Object.keys(event!)).toEqual(["error"]);
    expect(event!.error).toContain("items that take no bytes");
  });

  test("arrays and maps that fit their bytes still decode, blocks with sizes too; a map key __proto__ is a key, as in JSON", () => {
    const schema = record([{ name: "a", type: { type: "array", items: ["null", "long"] } }, { name: "m", type: { type: "map", values: { type: "array", items: "null" } } }]);
    const value = { a: [null, { long: 5 }], m: { __proto__: [null, null], b: [] } };
    // (An object literal's __proto__ sets its prototype: the map is written from entries.)
    const m = Object.create(null) as Record<string, unknown>;
    m["__proto__"] = [null, null];
    m["b"] = [];
    const bytes = avroType(schema).toBuffer({ a: value.a, m });
    expect(events(schema, bytes)).toEqual(decodePayload(`{"a": [null, 5], "m": {"__proto__": [null, null], "b": []}}`, "json", 0).map((e) => (e.ok ? { value: e.value } : e)));
    // A block written with its byte size (a negative count), as Java's writer may.
    const sized = [...varint(-2n), ...varint(2n), ...varint(3n), ...varint(4n), 0, 0];
    expect(events(record([{ name: "a", type: { type: "array", items: "int" } }, { name: "m", type: { type: "map", values: "int" } }]), sized)).toEqual([{ value: { a: [3, 4], m: {} } }]);
  });
});

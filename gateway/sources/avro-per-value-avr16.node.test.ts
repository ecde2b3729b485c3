/**
 * avr16: Avro's schema resolution refuses per value, not per schema (the case not fixed yet is a `test.fails`). A v2
 * producer schema that added an enum symbol the notebook's reader schema lacks (and gives no default), or
 * made a field nullable that the reader has as required, still has values the reader reads: Java's Avro
 * and fastavro read every value of the old symbols and the non-null values, and refuse only the others
 * (`PAID not found in reader symbol list`). runnel refuses the whole writer schema, so every v2 value is a
 * dead letter. And a `long` default of Long.MAX_VALUE (a common "no end" sentinel) makes the .avsc
 * "not an Avro schema" (JSON.parse rounds 9223372036854775807 to 2^63, which avsc cannot write).
 */
import { describe, expect, test } from "vitest";
import { avroReader, avroType, decodeAvroValue, readerSchema, resolveInto } from "./avro.ts";

function readAs(reader: unknown, writer: unknown, value: unknown): unknown[] | string {
  const into = readerSchema(reader, "schemas/now.avsc", "ev");
  const writerType = avroType(writer);
  const resolver = resolveInto(into, writerType);
  if (typeof resolver === "string") return resolver;
  const values = avroReader({ schema: "old.avro", definition: writer, framing: "none" }, "ev");
  return decodeAvroValue(writerType.toBuffer(value), { ...values, into: { type: into.type, resolver } }, 0).map((e) => (e.ok ? e.value : e.error));
}
const one = (type: unknown) => ({ type: "record", name: "Order", fields: [{ name: "x", type }] });
const status = (symbols: string[]) => ({ type: "enum", name: "Status", symbols });

describe("a writer schema some of whose values the reader cannot read: those values are dead letters, the others read", () => {
  test("a symbol the writer added: its old symbols read (fastavro: {'x': 'NEW'}); a value of the new one is a dead letter saying which", () => {
    expect(readAs(one(status(["NEW"])), one(status(["NEW", "PAID"])), { x: "NEW" })).toEqual([{ x: "NEW" }]);
    expect(readAs(one(["null", status(["NEW"])]), one(["null", status(["NEW", "PAID"])]), { x: { Status: "PAID" } })).toEqual([
      "decode: Avro value of 2 bytes is not a Order: it cannot be read as the reader schema: the writer's symbol PAID of enum Status is not one of the reader's (NEW), and the reader's enum has no default to read it as",
    ]);
  });
  test("a field the writer made nullable: its non-null values read (fastavro: {'x': 'a'}); a null is a dead letter saying what to change", () => {
    expect(readAs(one("string"), one(["null", "string"]), { x: { string: "a" } })).toEqual([{ x: "a" }]);
    expect(readAs(one("string"), one(["null", "string"]), { x: null })).toEqual([
      "decode: Avro value of 1 bytes is not a Order: it cannot be read as the reader schema: the writer's null (a branch of its union [null, string]) cannot be read as the reader's string; make the reader's field a union with null",
    ]);
  });
  test.fails("a long default of Long.MAX_VALUE, as the .avsc's text says it", () => {
    const reader = JSON.parse(`{"type": "record", "name": "Order", "fields": [{"name": "x", "type": "int"}, {"name": "until", "type": "long", "default": 9223372036854775807}]}`);
    expect(readAs(reader, one("int"), { x: 1 })).toEqual([{ x: 1, until: 9223372036854775807n }]);
  });
});

/**
 * avr16: schema resolution of logical types and the messages of nested unions. A topic whose `price`
 * went from decimal scale 2 to scale 4, or whose `at` went from timestamp-millis to -micros, reads its
 * old values as the same amounts and instants in the reader's shape (as fastavro reads them: the
 * writer's annotation says what the number is), not 100 times smaller, and not dead letters; a writer
 * with more digits than the reader holds is refused saying so. A nullable nested record (`["null",
 * Address]`) that does not resolve names the nested field, as a plain nested record does.
 */
import { describe, expect, test } from "vitest";
import { avroReader, avroType, decodeAvroValue, readerSchema, resolveInto } from "./avro.ts";
import { decodePayload } from "./decode.ts";

const asJson = (text: string) => decodePayload(text, "json", 0).map((e) => (e.ok ? e.value : e.error));

/** `value` written with `writer`, read as `reader`'s shape: its events' values (or errors), or why the writer does not resolve. */
function readAs(reader: unknown, writer: unknown, value: unknown): unknown[] | string {
  const into = readerSchema(reader, "schemas/now.avsc", "ev");
  const writerType = avroType(writer);
  const resolver = resolveInto(into, writerType);
  if (typeof resolver === "string") return resolver;
  const values = avroReader({ schema: "old.avro", definition: writer, framing: "none" }, "ev");
  return decodeAvroValue(writerType.toBuffer(value), { ...values, into: { type: into.type, resolver } }, 0).map((e) => (e.ok ? e.value : e.error));
}
const rec = (fields: unknown[], name = "Order") => ({ type: "record", name, namespace: "shop", fields });
const one = (type: unknown) => rec([{ name: "x", type }]);
const decimal = (scale: number, base: object = { type: "bytes" }) => ({ ...base, logicalType: "decimal", precision: 12, scale });
const unit = (logicalType: string, type = "long") => ({ type, logicalType });

describe("a decimal's scale and a time's unit that evolved read as the same amounts and instants", () => {
  test("decimal scale 2 read as scale 4: 12.34 is 12.3400, not 0.1234 (bytes and fixed, negative too)", () => {
    expect(readAs(one(decimal(4)), one(decimal(2)), { x: Buffer.from([0x04, 0xd2]) })).toEqual(asJson(`{"x": "12.3400"}`));
    expect(readAs(one(decimal(4)), one(decimal(2)), { x: Buffer.from([0xfb, 0x2e]) })).toEqual(asJson(`{"x": "-12.3400"}`));
    const fixed = decimal(3, { type: "fixed", name: "Money", size: 4 });
    expect(readAs(one(fixed), one(decimal(1)), { x: Buffer.from([0x7f]) })).toEqual(asJson(`{"x": "12.700"}`));
    expect(readAs(one(["null", decimal(3)]), one(decimal(0)), { x: Buffer.from([0x00, 0x80]) })).toEqual(asJson(`{"x": "128.000"}`));
  });

  test("timestamp-millis read as -micros or -nanos, time-millis as time-micros: the same instant, in the reader's digits", () => {
    expect(readAs(one(unit("timestamp-micros")), one(unit("timestamp-millis")), { x: 1700000000123 })).toEqual(asJson(`{"x": "2023-11-14 22:13:20.123000"}`));
    expect(readAs(one(["null", unit("timestamp-nanos")]), one(unit("timestamp-millis")), { x: -1 })).toEqual(asJson(`{"x": "1969-12-31 23:59:59.999000000"}`));
    expect(readAs(one(unit("local-timestamp-micros")), one(unit("local-timestamp-millis")), { x: 5 })).toEqual(asJson(`{"x": "1970-01-01 00:00:00.005000"}`));
    expect(readAs(one(unit("time-micros")), one(unit("time-millis", "int")), { x: 3_723_004 })).toEqual(asJson(`{"x": "01:02:03.004000"}`));
  });

  test("a writer with more digits than the reader holds is refused, saying which and what to do", () => {
    expect(readAs(one(decimal(2)), one(decimal(4)), { x: Buffer.from([0x01]) })).toBe(
      `field x: the writer's bytes (decimal, scale 4) has scale 4, which the reader's bytes (decimal, scale 2) cannot hold without dropping digits; give the reader's field the writer's scale (or a finer one)`,
    );
    expect(readAs(one(unit("timestamp-millis")), one(unit("timestamp-micros")), { x: 1 })).toBe(
      `field x: the writer's long (timestamp-micros) counts microseconds, which the reader's long (timestamp-millis) cannot hold without dropping digits; give the reader's field the writer's unit (or a finer one)`,
    );
  });
});

describe("a nullable nested record or enum that does not resolve names the field inside it", () => {
  const address = (fields: unknown[]) => ({ type: "record", name: "Address", fields });
  const reader = rec([{ name: "address", type: ["null", address([{ name: "city", type: "string" }, { name: "zip", type: "string" }])], default: null }]);
  const noZip = `field address.zip: the writer schema has no field zip, and the reader schema gives it no default; add a "default" to the reader's field`;
  test("the writer's record, or its [null, record], into the reader's [null, record]", () => {
    expect(readAs(reader, rec([{ name: "address", type: address([{ name: "city", type: "string" }]) }]), { address: { city: "Oslo" } })).toBe(noZip);
    expect(readAs(reader, rec([{ name: "address", type: ["null", address([{ name: "city", type: "string" }])] }]), { address: null })).toBe(noZip);
  });
  test("array items of [null, record]; a renamed enum, in a union and not; a union branch no reader branch reads", () => {
    const items = (fields: unknown[]) => rec([{ name: "lines", type: { type: "array", items: ["null", address(fields)] } }]);
    expect(readAs(items([{ name: "zip", type: "long" }]), items([{ name: "zip", type: "string" }]), { lines: [] })).toBe(
      `field lines[].zip: the writer's string cannot be read as the reader's long (Avro promotes int to long, float or double, long to float or double, float to double, and reads string and bytes as each other)`,
    );
    const status = (name: string) => ({ type: "enum", name, symbols: ["NEW"] });
    expect(readAs(rec([{ name: "s", type: ["null", status("Status")] }]), rec([{ name: "s", type: status("State") }]), { s: "NEW" })).toBe(
      `field s: no branch of the reader's union [null, enum shop.Status] reads the writer's enum shop.State`,
    );
    expect(readAs(rec([{ name: "s", type: status("Status") }]), rec([{ name: "s", type: status("State") }]), { s: "NEW" })).toBe(
      `field s: the writer's enum shop.State is not the reader's shop.Status; add "aliases": ["shop.State"] to the reader's enum`,
    );
    expect(readAs(rec([{ name: "u", type: ["null", "int"] }]), rec([{ name: "u", type: ["null", "string"] }]), { u: null })).toBe(`field u: no branch of the reader's union [null, int] reads the writer's string`);
  });
});

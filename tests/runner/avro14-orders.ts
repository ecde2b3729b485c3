/**
 * The Avro topic the avro14 tests share: an order schema with every kind of Avro type, four messy
 * events each as avsc writes it and as the same event in JSON text written by hand, and a notebook
 * reading the topic with `format: avro` and the schema file beside it.
 */
import { kafka as kafkaConfig } from "../servers/config.ts";

export const SCHEMA = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "note", type: ["null", "string"], default: null },
    { name: "price", type: "double" },
    { name: "ratio", type: "float" },
    { name: "raw", type: "bytes" },
    { name: "ts", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "tsu", type: { type: "long", logicalType: "timestamp-micros" } },
    { name: "day", type: { type: "int", logicalType: "date" } },
    { name: "amount", type: { type: "bytes", logicalType: "decimal", precision: 10, scale: 2 } },
    { name: "uid", type: { type: "string", logicalType: "uuid" } },
    { name: "kind", type: { type: "enum", name: "Kind", symbols: ["NEW", "PAID", "SHIPPED"] } },
    { name: "tags", type: { type: "array", items: "string" } },
    { name: "qty", type: { type: "map", values: "long" } },
    { name: "addr", type: ["null", { type: "record", name: "Addr", fields: [{ name: "city", type: "string" }, { name: "zip", type: ["null", "int"] }] }], default: null },
  ],
};

/** Each event as avsc writes it (a union branch named), and the same event as JSON text, written by hand. */
export const EVENTS: { avro: Record<string, unknown>; json: string }[] = [
  {
    avro: { id: 2n ** 60n + 1n, name: "Zürich 🚀", note: null, price: 10, ratio: 0.1, raw: Buffer.from([0, 0x61, 0x5c, 0x27, 0xff]), ts: 1704164645123, tsu: 1704164645123456n, day: 19724, amount: Buffer.from([0xfb, 0x2e]), uid: "123e4567-e89b-12d3-a456-426614174000", kind: "PAID", tags: ["a", "b"], qty: { apple: 2, "🍐": 2n ** 62n }, addr: { "shop.Addr": { city: "Köln", zip: null } } },
    json: String.raw`{"id": 1152921504606846977, "name": "Zürich 🚀", "note": null, "price": 10.0, "ratio": 0.1, "raw": "\\x00a\\x5C\\x27\\xFF", "ts": "2024-01-02 03:04:05.123", "tsu": "2024-01-02 03:04:05.123456", "day": "2024-01-02", "amount": "-12.34", "uid": "123e4567-e89b-12d3-a456-426614174000", "kind": "PAID", "tags": ["a", "b"], "qty": {"apple": 2, "🍐": 4611686018427387904}, "addr": {"city": "Köln", "zip": null}}`,
  },
  {
    avro: { id: -(2n ** 63n), name: "", note: { string: "l'été \"chaud\"" }, price: 1.5, ratio: -2.5, raw: Buffer.alloc(0), ts: -1, tsu: -1n, day: -1, amount: Buffer.from([0x05]), uid: "00000000-0000-0000-0000-000000000000", kind: "NEW", tags: [], qty: {}, addr: null },
    json: String.raw`{"id": -9223372036854775808, "name": "", "note": "l'été \"chaud\"", "price": 1.5, "ratio": -2.5, "raw": "", "ts": "1969-12-31 23:59:59.999", "tsu": "1969-12-31 23:59:59.999999", "day": "1969-12-31", "amount": "0.05", "uid": "00000000-0000-0000-0000-000000000000", "kind": "NEW", "tags": [], "qty": {}, "addr": null}`,
  },
  {
    // id 0 is a zero byte first: a bare value that looks framed at first sight.
    avro: { id: 0, name: "日本語", note: { string: "" }, price: -0.25, ratio: 3.4028234663852886e38, raw: Buffer.from("plain"), ts: 0, tsu: 0n, day: 0, amount: Buffer.from([0x00, 0x98, 0x96, 0x7f]), uid: "ffffffff-ffff-ffff-ffff-ffffffffffff", kind: "SHIPPED", tags: ["ü", "", "x y"], qty: { n: -5 }, addr: { "shop.Addr": { city: "São Paulo", zip: { int: 1310 } } } },
    json: String.raw`{"id": 0, "name": "日本語", "note": "", "price": -0.25, "ratio": 3.4028235e38, "raw": "plain", "ts": "1970-01-01 00:00:00.000", "tsu": "1970-01-01 00:00:00.000000", "day": "1970-01-01", "amount": "99999.99", "uid": "ffffffff-ffff-ffff-ffff-ffffffffffff", "kind": "SHIPPED", "tags": ["ü", "", "x y"], "qty": {"n": -5}, "addr": {"city": "São Paulo", "zip": 1310}}`,
  },
  {
    avro: { id: 9007199254740993n, name: "tab\there", note: null, price: 123456789.125, ratio: 1e-7, raw: Buffer.from([0x22]), ts: 253402300799999, tsu: 1n, day: 2932896, amount: Buffer.from([0x80, 0x00, 0x00, 0x00]), uid: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", kind: "PAID", tags: ["only"], qty: { k: 9007199254740993n }, addr: { "shop.Addr": { city: "", zip: { int: -1 } } } },
    json: String.raw`{"id": 9007199254740993, "name": "tab\there", "note": null, "price": 123456789.125, "ratio": 1e-7, "raw": "\\x22", "ts": "9999-12-31 23:59:59.999", "tsu": "1970-01-01 00:00:00.000001", "day": "9999-12-31", "amount": "-21474836.48", "uid": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "kind": "PAID", "tags": ["only"], "qty": {"k": 9007199254740993}, "addr": {"city": "", "zip": -1}}`,
  },
];

export const SELECT = `SELECT id, name, note, price, ratio, raw, ts, tsu, day, CAST(amount AS DECIMAL(10, 2)) AS amount, uid, kind, tags, qty, addr.city AS city, addr.zip AS zip FROM orders`;

export const notebookText = (topic: string) => `---
title: Avro orders
sources:
  orders:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: avro
    avro: { schema: schemas/orders.avsc }
sinks:
  lake:
    fs: { dir: out, prefix: orders/ }
---

\`\`\`sql id=clean sink=lake
${SELECT}
\`\`\`
`;


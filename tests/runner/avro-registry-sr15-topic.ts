/**
 * The Schema Registry topic the sr15 tests share: an order schema registered in the real registry
 * (Apicurio's Confluent API, tests/servers/registry.ts) as v1, then evolved to v2 (`price` removed,
 * `currency` added with a default, `note` added as a null union), values framed as Confluent's
 * serializer frames them with the id each version got, the same events as JSON text written by hand,
 * and a notebook reading the topic with `avro: { registry }`.
 */
import { Kafka, logLevel } from "kafkajs";
import { avroType } from "../../gateway/sources/avro.ts";
import { kafka as kafkaConfig, registry as registryConfig } from "../servers/config.ts";
import { framed } from "./framed-topic.ts";
import { uniqueName } from "./harness.ts";

export const V1 = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "price", type: "double" },
    { name: "tags", type: { type: "array", items: "string" } },
  ],
};

export const V2 = {
  type: "record",
  name: "Order",
  namespace: "shop",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "tags", type: { type: "array", items: "string" } },
    { name: "currency", type: "string", default: "EUR" },
    { name: "note", type: ["null", "string"], default: null },
  ],
};

/**
 * Registers `schema` under `subject` in the test registry, as a producer's serializer does; its id.
 * `extra`: the request's other fields (`schemaType`, `references`).
 */
export async function register(subject: string, schema: unknown, extra: Record<string, unknown> = {}): Promise<number> {
  const response = await fetch(`${registryConfig.url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: "POST",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({ schema: typeof schema === "string" ? schema : JSON.stringify(schema), ...extra }),
  });
  const body = (await response.json()) as { id?: number };
  if (!response.ok || typeof body.id !== "number") throw new Error(`registry: registering ${subject} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.id;
}

/** Each event with the version it is written in, and the same event as JSON text, written by hand. */
export const EVENTS: { version: 1 | 2; avro: Record<string, unknown>; json: string }[] = [
  { version: 1, avro: { id: 1, name: "Zürich 🚀", price: 10, tags: ["a", "b"] }, json: `{"id": 1, "name": "Zürich 🚀", "price": 10.0, "tags": ["a", "b"]}` },
  { version: 2, avro: { id: 2, name: "", tags: [], currency: "CHF", note: { string: "l'été \"chaud\"" } }, json: String.raw`{"id": 2, "name": "", "tags": [], "currency": "CHF", "note": "l'été \"chaud\""}` },
  { version: 1, avro: { id: 2n ** 60n + 1n, name: "tab\there", price: -0.25, tags: [] }, json: String.raw`{"id": 1152921504606846977, "name": "tab\there", "price": -0.25, "tags": []}` },
  { version: 2, avro: { id: 4, name: "日本語", tags: ["ü"], currency: "EUR", note: null }, json: `{"id": 4, "name": "日本語", "tags": ["ü"], "currency": "EUR", "note": null}` },
];

export const SELECT = `SELECT id, name, price, tags, currency, note FROM orders`;

export const notebookText = (topic: string, registry: string) => `---
title: Orders from a Schema Registry
sources:
  orders:
    kafka: { topic: ${topic}, brokers: ["${kafkaConfig.brokers[0]}"] }
    format: avro
    avro: { registry: ${registry} }
sinks:
  lake:
    fs: { dir: out, prefix: orders/ }
---

\`\`\`sql id=clean sink=lake
${SELECT}
\`\`\`
`;

/** An id no test registers (Apicurio counts ids up from 1 per start). */
export const UNKNOWN_ID = 424242;

/**
 * A fresh topic holding the events, each framed with its version's id, then a value framed with an id
 * the registry does not know and a bare value without a header. Registers both versions under the
 * topic's subject; gives the topic, the ids, the values produced, and how to delete the topic.
 */
export async function registryTopic(): Promise<{ topic: string; ids: { 1: number; 2: number }; values: Buffer[]; remove: () => Promise<void> }> {
  const topic = uniqueName("sr15");
  const ids = { 1: await register(`${topic}-value`, V1), 2: await register(`${topic}-value`, V2) };
  // The test's own encoder is avsc with exact longs, as avro14's fixtures are written.
  const types = { 1: avroType(V1), 2: avroType(V2) };
  const values = [
    ...EVENTS.map((e) => framed(ids[e.version], types[e.version].toBuffer(e.avro))),
    framed(UNKNOWN_ID, types[1].toBuffer(EVENTS[0]!.avro)),
    types[1].toBuffer(EVENTS[0]!.avro),
  ];
  return { topic, ids, values, remove: await fill(topic, values) };
}

/** Creates `topic` (one partition) holding `values`; gives how to delete it. */
export async function fill(topic: string, values: Buffer[]): Promise<() => Promise<void>> {
  const client = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
  await producer.disconnect();
  return async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  };
}

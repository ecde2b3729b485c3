/**
 * A producer whose serializer registers its schema as it sends can race the registration: its first
 * value reaches the topic framed with an id the registry does not know yet. Against the real registry
 * (Apicurio's Confluent API) and broker, the live tail makes that value a dead letter naming the id,
 * and once the schema is registered, a later value of the same id reads, within seconds and without
 * reopening the source (it was a dead letter until the gateway or runner restarted).
 */
import { Kafka, logLevel } from "kafkajs";
import { expect, test } from "vitest";
import { UNKNOWN_AGAIN_MS } from "../../gateway/sources/avro-registry.ts";
import { avroType } from "../../gateway/sources/avro.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import type { SourceEvent } from "../../gateway/sources/source.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { kafka as kafkaConfig, registry as registryConfig } from "../servers/config.ts";
import { fill, notebookText, register, V1, V2 } from "./avro-registry-sr15-topic.ts";
import { framed } from "./framed-topic.ts";
import { uniqueName } from "./harness.ts";

test("reg16: a value whose schema is registered a moment after it was sent is a dead letter naming the id; a later value of that id reads once the schema is registered, without reopening the source", { timeout: 120_000 }, async () => {
  const topic = uniqueName("reg16");
  const ping = await register(`${topic}-value`, V1);
  const remove = await fill(topic, []);
  const producer = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const parsed = parseNotebook(notebookText(topic, registryConfig.url), "orders.md");
  expect(parsed.issues).toEqual([]);
  const spec = parsed.notebook.sources.orders!;
  if (spec.kind !== "kafka") throw new Error("expected a Kafka source");
  const source = openKafkaSource(spec, "runnel-reg16");
  const stop = new AbortController();
  try {
    const tail = source.tail(stop.signal)[Symbol.asyncIterator]();
    const next = async () => (await tail.next()).value as SourceEvent;
    // The tail opens at the partition's end once connected: a v1 value is written until it shows one.
    const first = next();
    const pinged = framed(ping, avroType(V1).toBuffer({ id: 0, name: "ping", price: 0.5, tags: [] }));
    while ((await Promise.race([first, new Promise((wake) => setTimeout(() => wake(null), 200))])) === null) await producer.send({ topic, messages: [{ value: pinged }] });
    const skipPings = async () => {
      let event;
      do event = await next();
      while (event.ok && (event.value as { id: number }).id === 0);
      return event;
    };

    // The id the registry gives next: Apicurio counts ids up, so it is the one after an id just given
    // (asked again if another test registered something in between).
    const v3 = { ...V2, name: `Order_${topic.replace(/-/g, "_")}`, fields: [...V2.fields, { name: "channel", type: "string", default: "web" }] };
    const value = (id: number, n: number) => framed(id, avroType(v3).toBuffer({ id: n, name: `n${n}`, tags: [], currency: "EUR", note: null, channel: "app" }));
    let id = 0;
    for (let tries = 0; id === 0; tries++) {
      const coming = (await register(`${topic}-probe`, { type: "record", name: `Probe${tries}_${topic.replace(/-/g, "_")}`, fields: [] })) + 1;
      const sent = value(coming, 1);
      await producer.send({ topic, messages: [{ value: sent }] });
      const letter = await skipPings();
      expect(letter.ok ? letter.value : letter.error).toBe(`decode: Avro value of ${sent.length} bytes cannot be read: schema id ${coming} is not in the Schema Registry at ${registryConfig.url} (it answered 404: No content with id/hash 'contentId-${coming}' was found.)`);
      const got = await register(`${topic}-value`, v3);
      if (got === coming) id = got;
      else if (tries === 3) throw new Error(`registry: ids kept being taken by others (expected ${coming}, got ${got})`);
      else await producer.send({ topic, messages: [{ value: pinged }] });
    }

    // Registered now: once the client asks again, the id's values read.
    await new Promise((wake) => setTimeout(wake, UNKNOWN_AGAIN_MS + 500));
    await producer.send({ topic, messages: [{ value: value(id, 2) }] });
    const read = await skipPings();
    expect(read.ok ? read.value : read.error).toEqual(decodePayload(`{"id": 2, "name": "n2", "tags": [], "currency": "EUR", "note": null, "channel": "app"}`, "json", 0).map((e) => e.ok && e.value)[0]);
  } finally {
    stop.abort();
    await source.close();
    await producer.disconnect();
    await remove();
  }
});

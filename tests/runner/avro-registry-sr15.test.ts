/**
 * A Kafka topic whose Avro values are framed for a Schema Registry and whose schema evolved (v1, then
 * v2 with a field removed and two added with defaults), read by the notebook's sample
 * (gateway/sources/kafka-source.ts) against a real registry (Apicurio's Confluent API): each value is
 * read with the schema its header's id names, so the sample is the very events the same JSON gives
 * and `runnel check` agrees with DuckDB on them. An id the registry does not know, or a value without
 * a header, is a dead letter naming the id and the registry; a registry that cannot be asked is an
 * error naming its URL, never its credentials.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { checkNotebook } from "../../edge/check/check.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { decodePayload } from "../../gateway/sources/decode.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import type { SourceEvent } from "../../gateway/sources/source.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { Kafka, logLevel } from "kafkajs";
import { kafka as kafkaConfig, registry as registryConfig } from "../servers/config.ts";
import { closedPort } from "../servers/ports.ts";
import { avroType } from "../../gateway/sources/avro.ts";
import { EVENTS, fill, notebookText, register, registryTopic, UNKNOWN_ID, V1, V2 } from "./avro-registry-sr15-topic.ts";
import { framed } from "./framed-topic.ts";
import { runnel, uniqueName } from "./harness.ts";

type KafkaSpec = Extract<SourceSpec, { kind: "kafka" }>;

async function sampleOf(spec: KafkaSpec): Promise<SourceEvent[]> {
  const source = openKafkaSource(spec, "runnel-sr15");
  try {
    return await source.sample(100);
  } finally {
    await source.close();
  }
}

function sourceOf(topic: string, registry: string): { spec: KafkaSpec; notebook: ReturnType<typeof parseNotebook>["notebook"] } {
  const parsed = parseNotebook(notebookText(topic, registry), "orders.md");
  expect(parsed.issues).toEqual([]);
  const spec = parsed.notebook.sources.orders!;
  if (spec.kind !== "kafka") throw new Error("expected a Kafka source");
  return { spec, notebook: parsed.notebook };
}

test("sr15: a topic whose schema evolved reads in the notebook's sample with each value's own schema from the registry, as the same events as JSON; check agrees with DuckDB; an unknown id and a value without a header are dead letters naming the id and the registry", { timeout: 120_000 }, async () => {
  const { topic, values, remove } = await registryTopic();
  try {
    const { spec, notebook } = sourceOf(topic, registryConfig.url);
    const sample = await sampleOf(spec);
    const asJson = EVENTS.map((e) => decodePayload(e.json, "json", 0)[0]!).map((e) => (e.ok ? e.value : e.error));
    expect(sample.filter((e) => e.ok).map((e) => e.ok && e.value)).toEqual(asJson);
    const letters = sample.filter((e) => !e.ok);
    expect(letters.map((e) => !e.ok && e.error)).toEqual([
      `decode: Avro value of ${values[4]!.length} bytes cannot be read: schema id ${UNKNOWN_ID} is not in the Schema Registry at ${registryConfig.url} (it answered 404: No content with id/hash 'contentId-${UNKNOWN_ID}' was found.)`,
      `decode: Avro value of ${values[5]!.length} bytes cannot be read: the value has no Schema Registry header (a zero byte, then the schema id), and sources.orders.avro.registry says every value carries one`,
    ]);
    expect(letters.map((e) => !e.ok && e.raw)).toEqual([values[4]!.toString("latin1"), values[5]!.toString("latin1")]);

    // `runnel check` on that sample: the plan agrees with DuckDB over v1 and v2 events together.
    const samples = { orders: sample.flatMap((e) => (e.ok ? [e.value] : [])) };
    const report = await checkNotebook(notebook, { samples, library: defaultLibrary, random: { batches: 2, size: 4, seed: 15 } });
    expect(report.steps.filter((s) => !s.agree).map((s) => `${s.step}: ${s.detail}`)).toEqual([]);
  } finally {
    await remove();
  }
});

test("sr15: the registry's URL may come from an environment variable with credentials, which no message shows", { timeout: 120_000 }, async () => {
  const { topic, remove } = await registryTopic();
  const url = new URL(registryConfig.url);
  url.username = "runnel";
  url.password = "s3cret-sr15";
  process.env.SR15_REGISTRY_URL = url.href;
  try {
    const { spec } = sourceOf(topic, "SR15_REGISTRY_URL");
    const sample = await sampleOf(spec);
    expect(sample.filter((e) => e.ok)).toHaveLength(EVENTS.length);
    const unknown = sample.find((e) => !e.ok && e.error.includes(String(UNKNOWN_ID)));
    expect(unknown).toMatchObject({ error: expect.stringContaining(`is not in the Schema Registry at ${registryConfig.url} (from SR15_REGISTRY_URL)`) });
    expect(sample.filter((e) => !e.ok).map((e) => !e.ok && e.error).join("\n")).not.toContain("s3cret-sr15");

    delete process.env.SR15_REGISTRY_URL;
    expect(() => openKafkaSource(spec, "runnel-sr15")).toThrow("avro: sources.orders.avro.registry names the environment variable SR15_REGISTRY_URL, which is not set; set it to the Schema Registry's URL (https://KEY:SECRET@host when it needs credentials)");
  } finally {
    delete process.env.SR15_REGISTRY_URL;
    await remove();
  }
});

test("sr15: a registry that cannot be asked, or a URL that is not a registry's base, fails the sample with words naming the URL; no value is made a dead letter for it", { timeout: 120_000 }, async () => {
  const { topic, ids, remove } = await registryTopic();
  try {
    // The values' ids are looked up together: the message names whichever was refused first.
    const anyId = `(${ids[1]}|${ids[2]}|${UNKNOWN_ID})`;
    const closed = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
    await expect(sampleOf(sourceOf(topic, closed).spec)).rejects.toThrow(new RegExp(`^avro: cannot look up schema id ${anyId} in the Schema Registry at ${closed} \\(sources\\.orders\\.avro\\.registry\\): ECONNREFUSED$`));
    // The server's root instead of its Confluent API: its 404 is not a registry's "not found".
    const root = new URL(registryConfig.url).origin;
    await expect(sampleOf(sourceOf(topic, root).spec)).rejects.toThrow(new RegExp(`^avro: cannot look up schema id ${anyId}: GET ${root}/schemas/ids/${anyId} answered 404 Not Found.*, not as a Schema Registry does; is ${root} the registry's base URL \\(sources\\.orders\\.avro\\.registry\\)\\?$`));
  } finally {
    await remove();
  }
});

test("sr15: a writer schema that references another subject's schema reads with it; a value whose id names a Protobuf schema is a dead letter saying so", { timeout: 120_000 }, async () => {
  const topic = uniqueName("sr15-refs");
  const addr = { type: "record", name: "Addr", namespace: "shop", fields: [{ name: "city", type: "string" }, { name: "zip", type: ["null", "int"], default: null }] };
  const order = { type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "long" }, { name: "addr", type: "shop.Addr" }, { name: "prior", type: { type: "array", items: "shop.Addr" } }] };
  await register(`${topic}-addr`, addr);
  const id = await register(`${topic}-value`, order, { references: [{ name: "shop.Addr", subject: `${topic}-addr`, version: 1 }] });
  const proto = await register(`${topic}-proto`, 'syntax = "proto3";\nmessage Order { int64 id = 1; }\n', { schemaType: "PROTOBUF" });
  const type = avroType(order, [addr]);
  const value = framed(id, type.toBuffer({ id: 7, addr: { city: "Köln", zip: { int: 50667 } }, prior: [{ city: "", zip: null }] }));
  const protobuf = framed(proto, Buffer.from([0x08, 0x07]));
  const remove = await fill(topic, [value, protobuf]);
  try {
    const sample = await sampleOf(sourceOf(topic, registryConfig.url).spec);
    expect(sample.map((e) => (e.ok ? e.value : e.error))).toEqual([
      decodePayload(`{"id": 7, "addr": {"city": "Köln", "zip": 50667}, "prior": [{"city": "", "zip": null}]}`, "json", 0).map((e) => e.ok && e.value)[0],
      `decode: Avro value of 7 bytes cannot be read: schema id ${proto} of the Schema Registry at ${registryConfig.url} is a PROTOBUF schema, and format: avro reads Avro`,
    ]);
  } finally {
    await remove();
  }
});

test("sr15: runnel publish samples the registry's topic and records the registry in the bundle: the variable's name, never the URL with its credentials", { timeout: 120_000 }, async () => {
  const { topic, remove } = await registryTopic();
  try {
    const dir = await mkdtemp(join(tmpdir(), "runnel-sr15-publish-"));
    await writeFile(join(dir, "orders.md"), notebookText(topic, "SR15_REGISTRY"));
    const url = new URL(registryConfig.url);
    url.username = "runnel";
    url.password = "s3cret-sr15";
    const publish = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [runnel, "publish", join(dir, "orders.md"), "--out", join(dir, "dist")], { encoding: "utf8", env });
    const { SR15_REGISTRY: _unset, ...without } = process.env;
    const unset = publish(without);
    expect(unset.status).toBe(1);
    expect(unset.stderr).toContain("avro: sources.orders.avro.registry names the environment variable SR15_REGISTRY, which is not set");

    const published = publish({ ...process.env, SR15_REGISTRY: url.href });
    expect(published.status, published.stderr).toBe(0);
    expect(`${published.stdout}${published.stderr}`).not.toContain("s3cret-sr15");
    const manifest = JSON.parse(await readFile(join(dir, "dist", "orders", "bundle.json"), "utf8"));
    expect(manifest.sources.orders.avro).toEqual({ registry: "SR15_REGISTRY" });
    expect(await readFile(join(dir, "dist", "orders", "bundle.json"), "utf8")).not.toContain("s3cret-sr15");
  } finally {
    await remove();
  }
});

test("sr15: the live tail reads a schema version registered after it opened: the new id is looked up when its first value arrives", { timeout: 120_000 }, async () => {
  const { topic, ids, remove } = await registryTopic();
  const producer = new Kafka({ brokers: [...kafkaConfig.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const source = openKafkaSource(sourceOf(topic, registryConfig.url).spec, "runnel-sr15");
  const stop = new AbortController();
  try {
    const tail = source.tail(stop.signal)[Symbol.asyncIterator]();
    // The tail opens at the partition's end once connected: a v1 value is written until it shows one.
    const first = tail.next();
    const ping = framed(ids[1], avroType(V1).toBuffer({ id: 0, name: "ping", price: 0.5, tags: [] }));
    while ((await Promise.race([first, new Promise((wake) => setTimeout(() => wake(null), 200))])) === null) await producer.send({ topic, messages: [{ value: ping }] });
    const v3 = { ...V2, fields: [...V2.fields, { name: "channel", type: "string", default: "web" }] };
    const id = await register(`${topic}-value`, v3);
    expect(id).not.toBe(ids[2]);
    await producer.send({ topic, messages: [{ value: framed(id, avroType(v3).toBuffer({ id: 9, name: "new", tags: ["t"], currency: "EUR", note: null, channel: "app" })) }] });
    let event;
    do event = (await tail.next()).value as SourceEvent;
    while (event.ok && (event.value as { id: number }).id === 0);
    expect(event.ok ? event.value : event.error).toEqual(decodePayload(`{"id": 9, "name": "new", "tags": ["t"], "currency": "EUR", "note": null, "channel": "app"}`, "json", 0).map((e) => e.ok && e.value)[0]);
  } finally {
    stop.abort();
    await source.close();
    await producer.disconnect();
    await remove();
  }
});

import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { describeSource } from "../../gateway/sources/source.case.ts";
import { readSse } from "../../gateway/sample/sse.ts";
import { openTestGateway } from "../../gateway/test-gateway.ts";
import { kafka as config } from "../servers/config.ts";

type KafkaSpec = Extract<SourceSpec, { kind: "kafka" }>;
const brokers = [...config.brokers];
const client = new Kafka({ clientId: "runnel-gateway-tests", brokers, logLevel: logLevel.NOTHING });
let admin: Admin;
let producer: Producer;
const topics: string[] = [];

beforeAll(async () => {
  admin = client.admin();
  producer = client.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
});
afterAll(async () => {
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await Promise.all([admin.disconnect(), producer.disconnect()]);
});

async function freshTopic(partitions = 3): Promise<string> {
  const topic = `gateway-test-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  topics.push(topic);
  return topic;
}

const specFor = (topic: string): KafkaSpec => ({ kind: "kafka", name: "orders", topic, brokers, format: "json", sampleSize: 1000, demo: null });

describeSource("kafka", async () => {
  const topic = await freshTopic();
  const source = openKafkaSource(specFor(topic));
  let n = 0;
  let clock = Date.now() - 600_000;
  return {
    source,
    async produce(count) {
      const values = Array.from({ length: count }, () => ({ n: n++, note: "ünïcode" }));
      await producer.send({ topic, messages: values.map((v) => ({ value: JSON.stringify(v), partition: v.n % 3, timestamp: String(clock++) })) });
      return values;
    },
    async produceUndecodable(raw) {
      await producer.send({ topic, messages: [{ value: raw, partition: n % 3, timestamp: String(clock++) }] });
    },
    close: () => source.close(),
  };
});

describe("kafka source on a real broker", () => {
  const total = 10_000;
  let topic: string;

  beforeAll(async () => {
    topic = await freshTopic(3);
    const base = Date.now() - 3_600_000;
    for (let from = 0; from < total; from += 1000) {
      const messages = Array.from({ length: 1000 }, (_, k) => {
        const i = from + k;
        return { key: `k${i}`, value: JSON.stringify({ i, station: `s${i % 17}`, amount: i / 4, tags: [i % 2 === 0 ? "even" : "odd"] }), timestamp: String(base + i) };
      });
      await producer.send({ topic, messages });
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => Number(o.high)).reduce((a, b) => a + b, 0)).toBe(total);
    expect(offsets.every((o) => Number(o.high) > 0)).toBe(true);
  });

  test("the sample of 10,000 messages over 3 partitions is exactly the newest N, decoded, and leaves no consumer group", async () => {
    const groupsBefore = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
    const source = openKafkaSource(specFor(topic));
    for (const n of [1, 7, 500, 2500]) {
      const sample = await source.sample(n);
      expect(sample).toHaveLength(n);
      expect(sample.map((e) => (e.ok ? (e.value as { i: number }).i : -1))).toEqual(Array.from({ length: n }, (_, k) => total - n + k));
      expect(sample[n - 1]).toMatchObject({ ok: true, value: { i: total - 1, station: `s${(total - 1) % 17}`, amount: (total - 1) / 4, tags: ["odd"] }, meta: { key: `k${total - 1}` } });
    }
    await source.close();
    const groupsAfter = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
    expect(groupsAfter).toEqual(groupsBefore);
  });

  test("a source with metadata: reads a message with a key written twice inside a JSON field as a row with its columns, as the runner does", async () => {
    const topic = await freshTopic(1);
    await producer.send({ topic, messages: [
      { key: "k1", value: '{"id":1,"j":{"a":1}}' },
      { key: "k2", value: '{"id":2,"j":5}' },
      { key: "k3", value: '{"id":3,"j":{"a":1,"a":2}}' },
    ] });
    const notebook = `---\ntitle: Meta\nsources:\n  orders:\n    kafka: { topic: ${topic}, brokers: ["${brokers[0]}"], metadata: [key, offset] }\n---\n`;
    const gw = await openTestGateway({ "meta.md": notebook }, { demo: false });
    try {
      const res = await gw.app.request("/api/sources/meta/orders/sample", { headers: gw.auth });
      expect(res.status).toBe(200);
      const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
      expect(table.schema.fields.map((f) => `${f.name} ${f.metadata.get("duckdb.type")}`)).toEqual(["id BIGINT", "j JSON", "_key VARCHAR", "_offset BIGINT"]);
      expect(table.toArray().map((r) => [Number(r.id), r.j, r._key, Number(r._offset)])).toEqual([
        [1, '{"a":1}', "k1", 0],
        [2, "5", "k2", 1],
        [3, '{"a":1,"a":2}', "k3", 2],
      ]);
    } finally {
      await gw.close();
    }
  });

  test("the gateway serves a Kafka sample as Arrow and its tail as SSE with messages produced after it opened", async () => {
    const notebook = `---\ntitle: Orders\nsources:\n  orders:\n    kafka: { topic: ${topic}, brokers: ["${brokers[0]}"] }\n    sample_size: 300\n---\n`;
    const gw = await openTestGateway({ "orders.md": notebook }, { demo: false, hub: { flushMs: 50 } });
    const res = await gw.app.request("/api/sources/orders/orders/sample", { headers: gw.auth });
    expect(res.status).toBe(200);
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.numRows).toBe(300);
    expect(Array.from(table.getChild("i")!.toArray() as BigInt64Array, Number)).toEqual(Array.from({ length: 300 }, (_, k) => total - 300 + k));
    expect(table.schema.fields.map((f) => `${f.name} ${f.metadata.get("duckdb.type")}`)).toEqual(["i BIGINT", "station VARCHAR", "amount DOUBLE", "tags VARCHAR[]"]);

    const tail = await gw.app.request("/api/sources/orders/orders/tail", { headers: gw.auth });
    const reading = readSse(tail.body!, 1, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    await producer.send({ topic, messages: [{ value: JSON.stringify({ i: -1, live: true }), partition: 2 }] });
    const { events } = await reading;
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toEqual({ seq: 1, events: [{ i: -1, live: true }] });
    await gw.close();
  });

  test("a message that does not decode is an error row with its raw bytes, and the sample still holds the rest", async () => {
    const small = await freshTopic(1);
    await producer.send({ topic: small, messages: [{ value: '{"a":1}' }, { value: Buffer.from([0x7b, 0xff, 0xfe]) }, { value: "{oops" }, { value: '{"a":2}' }, { value: "" }, { key: "k", value: null }] });
    const source = openKafkaSource(specFor(small));
    const sample = await source.sample(10);
    await source.close();
    // The empty value and the tombstone in the runner's words (partition-engine.ts), as its dead letters say.
    expect(sample.map((e) => (e.ok ? e.value : { raw: e.raw, error: e.error }))).toEqual([
      { a: 1 },
      { raw: "{\u00ff\u00fe", error: expect.stringMatching(/^decode: payload is not valid UTF-8 \(/) },
      { raw: "{oops", error: expect.stringMatching(/^decode: not JSON \(/) },
      { a: 2 },
      { raw: "", error: "kafka: message value is empty (0 bytes)" },
      { raw: "", error: 'kafka: message has no value (a tombstone) at offset 5, key "k"' },
    ]);
  });

  test("two producers' aborted transactions that both began before the sample's first offset: neither is shown", async () => {
    const topic = await freshTopic(1);
    const [p1, p2] = [client.producer({ transactionalId: `${topic}-1`, maxInFlightRequests: 1, idempotent: true }), client.producer({ transactionalId: `${topic}-2`, maxInFlightRequests: 1, idempotent: true })];
    await Promise.all([p1.connect(), p2.connect()]);
    const t1 = await p1.transaction();
    await t1.send({ topic, messages: [{ value: '{"a":"aborted 1"}' }] }); // offset 0
    const t2 = await p2.transaction();
    await t2.send({ topic, messages: [{ value: '{"a":"aborted 2"}' }] }); // offset 1
    await t1.abort();
    await t2.abort();
    await Promise.all([p1.disconnect(), p2.disconnect()]);
    await producer.send({ topic, messages: [{ value: '{"a":"ok"}' }] }); // offset 4
    const source = openKafkaSource(specFor(topic));
    try {
      // The coordinator writes the abort markers after abort() returns; until they land, read-committed
      // stops at the open transactions (the last stable offset) and the sample is empty. Wait for that.
      let sample = await source.sample(4);
      for (const deadline = Date.now() + 15_000; sample.length === 0 && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 200));
        sample = await source.sample(4);
      }
      // Offsets 1-4: the fetch starts inside both aborted transactions.
      expect(sample.map((e) => (e.ok ? e.value : e.error))).toEqual([{ a: "ok" }]);
    } finally {
      await source.close();
    }
  });

  test("a topic that does not exist is said so at once", async () => {
    const source = openKafkaSource(specFor(`gateway-test-missing-${Date.now()}`));
    const started = Date.now();
    await expect(source.sample(10)).rejects.toThrow(/^kafka: topic gateway-test-missing-\d+ does not exist on 127\.0\.0\.1:\d+; create it, or name another in sources\.orders\.kafka\.topic \(the notebook does not create topics\)$/);
    expect(Date.now() - started).toBeLessThan(5000);
    await source.close();
  });

  test("transactions: the sample and the tail hold committed messages only, as the runner reads them (no aborted message, no marker)", async () => {
    const topic = await freshTopic(2);
    const txProducer = client.producer({ transactionalId: topic, maxInFlightRequests: 1, idempotent: true });
    await txProducer.connect();
    const send = async (commit: boolean, messages: { partition: number; value: string }[]) => {
      const t = await txProducer.transaction();
      await t.send({ topic, messages });
      await (commit ? t.commit() : t.abort());
    };
    await send(true, [{ partition: 0, value: '{"a":1}' }]);
    await send(false, [{ partition: 0, value: '{"a":"aborted"}' }, { partition: 1, value: '{"a":"aborted"}' }]);
    await send(true, [{ partition: 0, value: '{"a":2}' }]);
    const source = openKafkaSource(specFor(topic));
    try {
      expect((await source.sample(10)).map((e) => (e.ok ? e.value : e.error))).toEqual([{ a: 1 }, { a: 2 }]);
      // The newest 2 offsets of partition 0 hold one message and a marker: the sample reads further back for 2.
      expect((await source.sample(2)).map((e) => (e.ok ? e.value : e.error))).toEqual([{ a: 1 }, { a: 2 }]);
      const controller = new AbortController();
      const seen: unknown[] = [];
      const reading = (async () => {
        for await (const e of source.tail(controller.signal)) {
          seen.push(e.ok ? e.value : e.error);
          if (seen.length === 1) controller.abort();
        }
      })();
      await new Promise((r) => setTimeout(r, 1000));
      await send(false, [{ partition: 1, value: '{"a":"aborted live"}' }]);
      await send(true, [{ partition: 1, value: '{"a":3}' }]);
      await reading;
      expect(seen).toEqual([{ a: 3 }]);
    } finally {
      await source.close();
      await txProducer.disconnect();
    }
  });
});

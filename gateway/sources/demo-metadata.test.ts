import { tableFromIPC } from "apache-arrow";
import { expect, test } from "vitest";
import { openTestGateway } from "../test-gateway.ts";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { loadEvents } from "../../edge/duckdb/load-events.node.ts";
import type { DemoSpec, SourceSpec } from "../../notebook/format/model.ts";
import { demoTime } from "./demo/clock.ts";
import { demoSample, openDemoSource } from "./demo-source.ts";

const demo: DemoSpec = { generator: "cart-cdc", rate: 20, seed: 3 };
const spec: SourceSpec = { kind: "kafka", name: "carts", topic: "shop.carts", brokers: ["127.0.0.1:9092"], metadata: ["key", "timestamp", "partition", "offset", "topic", "headers"], format: "json", sampleSize: 200, demo };

async function describeAndQuery(events: unknown[], sql: string): Promise<{ types: Record<string, string>; rows: Record<string, unknown>[] }> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "carts", events, { format: "json" });
    const described = (await db.read("SELECT column_name, column_type FROM (DESCRIBE carts) WHERE starts_with(column_name, '_')")).getRowObjectsJson();
    return { types: Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)])), rows: (await db.read(sql)).getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    db.close();
  }
}

test("a Kafka source's demo stand-in gives the metadata columns a broker's records would, with the same DuckDB types", async () => {
  const source = openDemoSource(spec, demo, { now: () => demoTime(500, demo.rate) });
  const sample = await source.sample(200);
  expect(sample.every((e) => e.ok)).toBe(true);
  const values = sample.map((e) => (e.ok ? e.value : null)) as Record<string, unknown>[];
  // One partition, consecutive offsets, each event's own time, the topic, and the cart id as the key.
  expect(values.map((v) => v._offset)).toEqual(Array.from({ length: 200 }, (_, i) => 300 + i));
  expect(values.every((v) => v._partition === 0 && v._topic === "shop.carts")).toBe(true);
  expect(values[0]!._timestamp).toBe(new Date(demoTime(300, demo.rate)).toISOString().replace("T", " ").replace("Z", ""));
  expect(values.every((v) => v._key === v.cart_id)).toBe(true);
  expect(values[0]!._headers).toEqual([{ key: "runnel-demo", value: "cart-cdc" }]);

  const { types, rows } = await describeAndQuery(values, "SELECT count(DISTINCT _key)::INTEGER AS carts, min(_timestamp)::VARCHAR AS first FROM carts");
  expect(types).toEqual({
    _key: "VARCHAR",
    _timestamp: "TIMESTAMP",
    _partition: "BIGINT",
    _offset: "BIGINT",
    _topic: "VARCHAR",
    _headers: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]',
  });
  expect(rows).toEqual([{ carts: new Set(values.map((v) => v.cart_id)).size, first: "2026-11-22 00:00:15" }]);
});

test("the stand-in's first events are the sample check and publish read, metadata columns included", () => {
  const events = demoSample(spec, demo, 3) as Record<string, unknown>[];
  expect(events.map((e) => [e._offset, e._timestamp])).toEqual([
    [0, "2026-11-22 00:00:00.000"],
    [1, "2026-11-22 00:00:00.050"],
    [2, "2026-11-22 00:00:00.100"],
  ]);
  expect(demoSample({ ...spec, metadata: undefined }, demo, 1)[0]).not.toHaveProperty("_key");
});

test("in the app, a notebook whose cell reads _key runs on the demo stand-in without a broker, and its check agrees", async () => {
  const notebook = [
    "---",
    "title: Carts",
    "sources:",
    "  carts:",
    '    kafka: { topic: shop.carts, brokers: ["127.0.0.1:1"], metadata: true }',
    "    demo: cart-cdc",
    "    sample_size: 100",
    "sinks:",
    "  lake:",
    "    fs: { dir: out }",
    "---",
    "",
    "```sql id=per_key sink=lake",
    "SELECT _key, _partition, _offset, _timestamp, op, _headers[1].value AS made_by FROM carts",
    "```",
    "",
  ].join("\n");
  const gw = await openTestGateway({ "carts.md": notebook });
  try {
    const res = await gw.app.request("/api/sources/carts.md/carts/sample", { headers: gw.auth });
    expect(res.status).toBe(200);
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    const types = Object.fromEntries(table.schema.fields.filter((f) => f.name.startsWith("_")).map((f) => [f.name, f.metadata.get("duckdb.type")]));
    expect(types).toEqual({ _key: "VARCHAR", _timestamp: "TIMESTAMP", _partition: "BIGINT", _offset: "BIGINT", _topic: "VARCHAR", _headers: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]' });
    const row = table.get(0)!.toJSON() as Record<string, unknown>;
    expect([row._key, row._topic]).toEqual([row.cart_id, "shop.carts"]);

    const check = await gw.app.request("/api/pipelines/check/carts.md", { method: "POST", headers: gw.auth });
    const text = await check.text();
    const result = text.split("\n\n").filter((b) => b.startsWith("event: result")).map((b) => JSON.parse(b.split("\n").find((l) => l.startsWith("data: "))!.slice(6)) as unknown);
    expect(result, text).toEqual([expect.objectContaining({ kind: "check", agree: true })]);
  } finally {
    await gw.close();
  }
}, 120_000);

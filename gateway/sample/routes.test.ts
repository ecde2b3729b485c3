import { tableFromIPC } from "apache-arrow";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";
import { readSse } from "./sse.ts";

const notebook = `---
title: Sources
sources:
  inbox:
    webhook: { signature: none }
  fast:
    demo: { generator: turnstile, rate: 400 }
---
`;

let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "sources.md": notebook }, { demo: false, heartbeatMs: 50, hub: { flushMs: 20 } });
});
afterEach(async () => {
  await gw.close();
});

const deliver = (body: string) => gw.app.request("/hooks/sources/inbox", { method: "POST", body, headers: gw.auth });
const sample = (query = "") => gw.app.request(`/api/sources/sources/inbox/sample${query}`, { headers: gw.auth });

describe("sample endpoint", () => {
  test("answers Arrow IPC typed by DuckDB's JSON inference, each field carrying its DuckDB type", async () => {
    // Written as text: 2^53 + 1 must reach the gateway exactly, which a JS number cannot hold.
    await deliver('{"id":1,"name":"a","at":"2026-11-22 10:00:00.123456","tags":["x","y"],"nested":{"k":1.5},"flag":true,"day":"2026-11-22","big":9007199254740993}');
    await deliver(JSON.stringify({ id: 2, name: null, at: "2026-11-22 10:00:01.000000", tags: [], nested: { k: null }, flag: false, day: "2026-11-23", big: 1 }));
    const res = await sample();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.schema.fields.map((f) => [f.name, String(f.type), f.metadata.get("duckdb.type")])).toEqual([
      ["id", "Int64", "BIGINT"],
      ["name", "Utf8", "VARCHAR"],
      ["at", "Timestamp<MICROSECOND>", "TIMESTAMP"],
      ["tags", "List<Utf8>", "VARCHAR[]"],
      ["nested", "Struct<{k:Float64}>", "STRUCT(k DOUBLE)"],
      ["flag", "Bool", "BOOLEAN"],
      ["day", "Date32<DAY>", "DATE"],
      ["big", "Int64", "BIGINT"],
    ]);
    const rows = table.toArray().map((r) => r.toJSON());
    expect(rows[0]!.id).toBe(1n);
    expect(rows[0]!.big).toBe(9007199254740993n);
    expect(table.getChild("at")!.data[0]!.values[0]).toBe(1795341600123456n);
    expect(rows[1]!.name).toBeNull();
    expect([...rows[0]!.tags!.toArray()]).toEqual(["x", "y"]);
    expect(rows[0]!.nested!.toJSON()).toEqual({ k: 1.5 });
    expect(rows.map((r) => r.day)).toEqual([Date.UTC(2026, 10, 22), Date.UTC(2026, 10, 23)]);
  });

  test("events that do not decode travel as error rows in the schema metadata, not as columns", async () => {
    await deliver('{"ok":1}');
    await deliver("{half a json");
    const res = await sample();
    expect(res.headers.get("runnel-sample-rows")).toBe("1");
    expect(res.headers.get("runnel-sample-errors")).toBe("1");
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.schema.fields.map((f) => f.name)).toEqual(["ok"]);
    const errors = JSON.parse(table.schema.metadata.get("runnel.errors")!);
    expect(errors).toEqual([{ error: expect.stringMatching(/^decode: not JSON/), raw: "{half a json", truncated: false, receivedAt: expect.any(Number), meta: { delivery: expect.any(String) } }]);
  });

  test("n picks how many of the newest events; a bad n is 400", async () => {
    for (let i = 0; i < 5; i++) await deliver(JSON.stringify({ i }));
    const table = tableFromIPC(new Uint8Array(await (await sample("?n=2")).arrayBuffer()));
    expect(table.getChild("i")!.toArray()).toEqual(new BigInt64Array([3n, 4n]));
    const bad = await sample("?n=0");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: "bad_request", message: 'sources: n must be a whole number from 1 to 100000, got "0"' } });
  });

  test("an unknown notebook or source is 404, a path escape 400, no token 401", async () => {
    expect((await gw.app.request("/api/sources/nope/inbox/sample", { headers: gw.auth })).status).toBe(404);
    const source = await gw.app.request("/api/sources/sources/nope/sample", { headers: gw.auth });
    expect(await source.json()).toEqual({ error: { code: "not_found", message: 'sources: sources.md has no source "nope"; it has inbox, fast' } });
    // Object's own names are no sources: `__proto__` opened an http source polling "undefined", `constructor` answered 500.
    for (const name of ["__proto__", "constructor", "toString"]) {
      const answer = await gw.app.request(`/api/sources/sources/${name}/sample`, { headers: gw.auth });
      expect(answer.status, name).toBe(404);
      expect(await answer.json()).toEqual({ error: { code: "not_found", message: `sources: sources.md has no source "${name}"; it has inbox, fast` } });
    }
    expect((await gw.app.request("/api/sources/sources/constructor/events", { headers: gw.auth })).status).toBe(404);
    expect((await gw.app.request("/api/sources/..%2F..%2Fetc/inbox/sample", { headers: gw.auth })).status).toBe(400);
    expect((await gw.app.request("/api/sources/sources/inbox/sample")).status).toBe(401);
    expect((await gw.app.request("/api/sources/sources/fast/tail")).status).toBe(401);
  });
});

describe("tail endpoint", () => {
  test("streams numbered batches of live events as server-sent events, with heartbeats", async () => {
    const res = await gw.app.request("/api/sources/sources/fast/tail", { headers: gw.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const { events, comments } = await readSse(res.body!, 3);
    expect(events).toHaveLength(3);
    events.forEach((event, i) => {
      const data = JSON.parse(event.data);
      expect(data.seq).toBe(i + 1);
      expect(event.id).toMatch(new RegExp(`^[0-9a-f]{8}-${i + 1}$`));
      expect(data.events.length).toBeGreaterThan(0);
      expect(data.events[0]).toHaveProperty("station");
    });
    expect(comments).toContain("tail open");
    const slow = await gw.app.request("/api/sources/sources/inbox/tail", { headers: gw.auth });
    const idle = await readSse(slow.body!, 1, 300);
    expect(idle.comments.filter((c) => c === "ping").length).toBeGreaterThan(1);
  });

  test("a client reconnecting with Last-Event-ID gets the batches it missed, from the ring", async () => {
    const first = await readSse((await gw.app.request("/api/sources/sources/fast/tail", { headers: gw.auth })).body!, 2);
    const lastSeen = first.events[0]!.id!;
    await new Promise((r) => setTimeout(r, 100));
    const again = await gw.app.request("/api/sources/sources/fast/tail", { headers: { ...gw.auth, "last-event-id": lastSeen } });
    const resumed = await readSse(again.body!, 3);
    expect(resumed.events.map((e) => JSON.parse(e.data).seq)).toEqual([2, 3, 4]);
    expect(resumed.events[0]!.data).toBe(first.events[1]!.data);
  });

  test("a Last-Event-ID from another gateway run is answered with a gap, then live batches", async () => {
    const res = await gw.app.request("/api/sources/sources/fast/tail", { headers: { ...gw.auth, "last-event-id": "00000000-41" } });
    const { events } = await readSse(res.body!, 2);
    expect(events[0]).toEqual({ event: "gap", id: null, data: JSON.stringify({ skippedEvents: 0, skippedBatches: 0, reason: "restarted" }) });
    expect(JSON.parse(events[1]!.data)).toHaveProperty("seq");
  });
});

import { env, exports } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, test } from "vitest";

/**
 * Inside workerd (@cloudflare/vitest-plugin): the turnstile pipeline's
 * window object, evicted and crashed on purpose through the plugin's hooks.
 */
const reading = (scp: string, time: string, entries: number) => ({
  station: "59 ST",
  ca: "A002",
  unit: "R051",
  scp,
  linename: "NQR456W",
  division: "IRT",
  ts: `2026-11-22T10:${time}.000Z`,
  desc: "REGULAR",
  entries,
  exits: entries * 2,
});
const operator = { authorization: "Bearer workerd-operator" };
let deliveries = 0;
const post = (events: unknown[]) =>
  exports.default.fetch("http://edge/ingest/turnstile", {
    method: "POST",
    body: JSON.stringify(events),
    headers: { authorization: "Bearer workerd-token", "x-delivery": `d-${deliveries++}` },
  });
const lake = () => env.PIPELINE.get(env.PIPELINE.idFromName("lake/") as never);
const metrics = async () => (await (await exports.default.fetch("http://edge/metrics", { headers: operator })).json()) as { lateEvents: number; bufferRows: number; windowRows: number; rowsOut: number };

describe("the window object in workerd", () => {
  test("a request whose array holds one event with a key twice is taken: that event is a dead letter (DuckDB refuses it), the others count", async () => {
    const good = JSON.stringify(reading("00-00-09", "00:10", 1));
    const twice = good.replace('"entries":1', '"entries":1,"entries":2');
    const response = await exports.default.fetch("http://edge/ingest/turnstile", {
      method: "POST",
      body: `[${good},${twice}]`,
      headers: { authorization: "Bearer workerd-token", "x-delivery": `d-${deliveries++}` },
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ events: 2, deadLetters: 1 });
  });

  test("evicted between requests, it rebuilds its windows from SQLite: late stays late, within lateness still counts", async () => {
    for (const events of [[reading("00-00-00", "00:10", 100)], [reading("00-00-00", "03:30", 140)]]) expect((await post(events)).status).toBe(202);
    // The watermark is 10:01:30: 10:00 was emitted.
    await evictDurableObject(lake());
    expect((await post([reading("00-00-01", "00:20", 7)])).status).toBe(202);
    expect((await post([reading("00-00-01", "02:00", 9)])).status).toBe(202);
    const m = await metrics();
    expect(m.lateEvents).toBe(1);
    expect(m.windowRows).toBe(2);
  });

  test("a flush that crashed after writing repeats the same write: same key, same bytes, nothing twice", async () => {
    for (let minute = 10; minute < 20; minute++) expect((await post([reading("00-00-02", `${minute}:05`, minute)])).status).toBe(202);
    const before = await metrics();
    expect(before.bufferRows).toBeGreaterThanOrEqual(3);
    const written: string[] = [];
    // Crash: the object is written, then the transaction that deletes its rows throws.
    await runInDurableObject(lake(), async (instance) => {
      const transact = instance.transact.bind(instance);
      let calls = 0;
      instance.transact = (fn: () => unknown) => {
        if (calls++ === 0) throw new Error("simulated crash before delete");
        return transact(fn);
      };
      const sink = instance.sink.bind(instance);
      instance.sink = (spec: unknown) => {
        const s = sink(spec);
        return { ...s, put: async (key: string, body: Uint8Array, o: unknown) => (written.push(key), s.put(key, body, o)) };
      };
      await expect(instance.flush()).rejects.toThrow(/simulated crash/);
    });
    expect(written.length).toBeGreaterThan(0);
    const first = new Uint8Array(await (await env.LAKE.get(`turnstile/${written[0]}`))!.arrayBuffer());
    await evictDurableObject(lake());
    const again = await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    expect(again.status, await again.clone().text()).toBe(200);
    const second = new Uint8Array(await (await env.LAKE.get(`turnstile/${written[0]}`))!.arrayBuffer());
    expect(second).toEqual(first);
    const after = await metrics();
    expect(after.bufferRows).toBe(0);
    expect(after.rowsOut).toBe(before.rowsOut + before.bufferRows);
    const listed: { objects: { key: string }[] } = await env.LAKE.list({ prefix: "turnstile/lake/" });
    const ranges = listed.objects
      .map((o) => /-(\d{20})-(\d{20})\.parquet$/.exec(o.key)!.slice(1).map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1]);
  });

  test("an object whose buffer was stored one row per event (before batches) keeps and flushes every row under its sequence number", async () => {
    for (let minute = 30; minute < 40; minute++) expect((await post([reading("00-00-03", `${minute}:05`, minute)])).status).toBe(202);
    const before = await metrics();
    expect(before.bufferRows).toBeGreaterThanOrEqual(1);
    // Rewrite the buffer as the previous version stored it, then let a new instance start on it.
    const legacy: number[] = await runInDurableObject(lake(), async (_instance, state) => {
      const sql = state.storage.sql;
      const batches = sql.exec("SELECT first, rows, at FROM batches ORDER BY first").toArray() as { first: number; rows: string; at: number }[];
      sql.exec("CREATE TABLE rows (seq INTEGER PRIMARY KEY, row TEXT NOT NULL, at INTEGER NOT NULL)");
      const seqs: number[] = [];
      for (const b of batches) {
        (JSON.parse(b.rows) as unknown[]).forEach((row, i) => {
          sql.exec("INSERT INTO rows (seq, row, at) VALUES (?, ?, ?)", b.first + i, JSON.stringify(row), b.at);
          seqs.push(b.first + i);
        });
      }
      sql.exec("DELETE FROM batches");
      return seqs;
    });
    expect(legacy.length).toBe(before.bufferRows);
    await evictDurableObject(lake());
    expect((await metrics()).bufferRows).toBe(before.bufferRows);
    const flushed = await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    expect(flushed.status, await flushed.clone().text()).toBe(200);
    const after = await metrics();
    expect(after.bufferRows).toBe(0);
    expect(after.rowsOut).toBe(before.rowsOut + legacy.length);
    const listed: { objects: { key: string }[] } = await env.LAKE.list({ prefix: "turnstile/lake/" });
    const ranges = listed.objects.map((o) => /-(\d{20})-(\d{20})\.parquet$/.exec(o.key)!.slice(1).map(Number) as [number, number]);
    for (const seq of legacy) expect(ranges.some(([first, last]) => first <= seq && seq <= last)).toBe(true);
  });

  test("windows close between the events of one request, as in the Kafka runner: an old reading after a newer one in the same request is late", async () => {
    const before = await metrics();
    // 50:10 opens a window; 59:00 moves the watermark to 57:00, which closes 50:00 (and every older one); 50:40 comes after it.
    expect((await post([reading("00-00-04", "50:10", 1), reading("00-00-04", "59:00", 2), reading("00-00-04", "50:40", 3)])).status).toBe(202);
    const after = await metrics();
    expect(after.lateEvents).toBe(before.lateEvents + 1);
  });

  test("readings whose time does not parse form the NULL time bucket: no watermark closes it, each flush writes it once and starts it afresh", async () => {
    const unreadable = (entries: number) => ({ ...reading("00-00-09", "00:00", entries), ts: "not a time" });
    const nullDay = async () => ((await env.LAKE.list({ prefix: "turnstile/lake/day=__HIVE_DEFAULT_PARTITION__/" })) as { objects: { key: string }[] }).objects.length;
    const before = await metrics();
    const objectsBefore = await nullDay();
    expect((await post([unreadable(5), unreadable(8)])).status).toBe(202);
    expect((await metrics()).windowRows).toBe(before.windowRows + 2);
    // Nothing else is buffered, yet the object sets an alarm for them (flush.seconds after they came).
    expect(await runInDurableObject(lake(), (_instance, state) => state.storage.getAlarm())).not.toBeNull();
    // Restarted, it restores them from SQLite; a flush writes their one group (station, device, NULL minute) once.
    await evictDurableObject(lake());
    const flushed = await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    expect(flushed.status, await flushed.clone().text()).toBe(200);
    const after = await metrics();
    expect(after.rowsOut).toBe(before.rowsOut + before.bufferRows + 1);
    expect(after.windowRows).toBe(before.windowRows);
    expect(after.bufferRows).toBe(0);
    expect(await nullDay()).toBe(objectsBefore + 1);
    // A flush with nothing new writes nothing; the next unreadable reading starts a new group.
    expect((await (await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator })).json() as { rowsOut: number }).rowsOut).toBe(after.rowsOut);
    expect((await post([unreadable(9)])).status).toBe(202);
    await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    expect((await metrics()).rowsOut).toBe(after.rowsOut + 1);
    expect(await nullDay()).toBe(objectsBefore + 2);
  });

  // Last: it moves the watermark weeks ahead of the readings above.
  test("a flush with more partitions than one invocation may store goes on in the next alarms: every object once, rows deleted after the last", async () => {
    const perInvocation: number[] = [];
    await runInDurableObject(lake(), (instance) => {
      // Cloudflare stops an invocation past its subrequest limit; here the budget is three requests,
      // and every object takes two (as an S3 multipart upload takes one per part): one object each time.
      instance.putBudget = () => 3;
      let puts = 0;
      const sink = instance.sink.bind(instance);
      instance.sink = (spec: unknown) => {
        const s = sink(spec);
        return { ...s, requestsFor: () => 2, put: async (key: string, body: Uint8Array, o: unknown) => (puts++, s.put(key, body, o)) };
      };
      const flushAll = instance.flushAll.bind(instance);
      instance.flushAll = async () => {
        puts = 0;
        try {
          return await flushAll();
        } finally {
          perInvocation.push(puts);
        }
      };
    });
    await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    const before = await metrics();
    // One reading a day: each closes the day before's window, whose row lands in its own day's partition.
    for (let day = 1; day <= 5; day++) expect((await post([{ ...reading("00-00-08", "00:00", day), ts: `2026-12-0${day}T10:00:00.000Z` }])).status).toBe(202);
    // Three rows reach the flush bound (flush.rows: 3): the alarm flushes them, an object at a time.
    for (let i = 0; i < 100 && (await metrics()).rowsOut < before.rowsOut + 3; i++) await new Promise((r) => setTimeout(r, 100));
    await exports.default.fetch("http://edge/flush", { method: "POST", headers: operator });
    for (let i = 0; i < 100 && (await metrics()).bufferRows > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const after = await metrics();
    expect(after.bufferRows).toBe(0);
    // The four days' rows, and the row of the window the first reading closed (the test before's).
    expect(after.rowsOut).toBe(before.rowsOut + 5);
    expect(Math.max(...perInvocation)).toBe(1);
    expect(perInvocation.filter((n) => n === 1).length).toBeGreaterThanOrEqual(5);
    const days: string[] = [];
    for (let day = 1; day <= 4; day++) {
      const listed: { objects: { key: string }[] } = await env.LAKE.list({ prefix: `turnstile/lake/day=2026-12-0${day}/` });
      expect(listed.objects, `day ${day}`).toHaveLength(1);
      days.push(listed.objects[0]!.key);
    }
    expect(new Set(days).size).toBe(4);
  });
});

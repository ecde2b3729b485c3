import { Field, Int64, Schema, Struct, TimestampMicrosecond, Utf8, Float64, Bool, List, tableFromIPC, DateDay, Int32 } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { eventsToArrow, parseTailJson } from "./events-to-arrow.ts";

const schema = new Schema([
  new Field("station", new Utf8(), true),
  new Field("entries", new Int64(), true),
  new Field("ratio", new Float64(), true),
  new Field("ok", new Bool(), true),
  new Field("ts", new TimestampMicrosecond(), true),
  new Field("day", new DateDay(), true),
  new Field("meta", new Struct([new Field("line", new Utf8(), true), new Field("car", new Int32(), true)]), true),
  new Field("tags", new List(new Field("item", new Utf8(), true)), true),
]);

describe("eventsToArrow", () => {
  it("types tail events like the sample, so they append to the source table", () => {
    const bytes = eventsToArrow(schema, [
      { station: "59 ST", entries: 12, ratio: 0.5, ok: true, ts: "2026-11-22T05:00:01Z", day: "2026-11-22", meta: { line: "N", car: 3 }, tags: ["a", "b"] },
      { station: "TIMES SQ", entries: "7", ratio: null, ok: false, ts: "2026-11-22 05:00:02", day: null, meta: null, tags: [] },
    ]);
    const table = tableFromIPC(bytes);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(schema.fields.map((f) => `${f.name}:${String(f.type)}`));
    const rows = table.toArray().map((r) => r.toJSON());
    expect(rows[0]!.station).toBe("59 ST");
    expect(rows[0]!.entries).toBe(12n);
    expect(rows[1]!.entries).toBe(7n);
    expect(rows[0]!.ts).toBe(Date.parse("2026-11-22T05:00:01Z"));
    expect(rows[1]!.ts).toBe(Date.parse("2026-11-22T05:00:02Z"));
    expect(rows[0]!.day).toBe(Date.parse("2026-11-22T00:00:00Z"));
    expect(rows[0]!.meta.toJSON()).toEqual({ line: "N", car: 3 });
    expect([...rows[0]!.tags]).toEqual(["a", "b"]);
    expect(rows[1]!.ratio).toBeNull();
    expect(rows[1]!.meta).toBeNull();
  });

  it("writes NULL for a value that does not fit its column instead of failing the batch", () => {
    const table = tableFromIPC(eventsToArrow(schema, [{ station: { nested: 1 }, entries: "many", ts: "not a time", ok: "yes" }]));
    const row = table.toArray()[0]!.toJSON();
    expect(row.station).toBe('{"nested":1}');
    expect(row.entries).toBeNull();
    expect(row.ts).toBeNull();
    expect(row.ok).toBeNull();
  });

  it("keeps a real with an integral value apart in the tail, so text shows 10.0 as the sample does and numbers read it", () => {
    const batch = parseTailJson('{"seq":1,"events":[{"station":10.0,"entries":12.0,"ratio":1e2,"tags":[2.0],"meta":{"line":3,"car":4.0}},{"station":10,"entries":7}]}') as { events: unknown[] };
    const rows = tableFromIPC(eventsToArrow(schema, batch.events)).toArray().map((r) => r.toJSON());
    expect(rows[0]!.station).toBe("10.0");
    expect(rows[0]!.entries).toBe(12n);
    expect(rows[0]!.ratio).toBe(100);
    expect([...rows[0]!.tags]).toEqual(["2.0"]);
    expect(rows[0]!.meta.toJSON()).toEqual({ line: "3", car: 4 });
    expect(rows[1]!.station).toBe("10");
  });

  it("reads a column DuckDB named otherwise than its key (ID_1 for ID after id) from the key the sample's metadata keeps", () => {
    const keyed = new Schema([new Field("id", new Int64(), true), new Field("ID_1", new Int64(), true, new Map([["runnel.key", "ID"]]))]);
    const rows = tableFromIPC(eventsToArrow(keyed, [{ id: 1, ID: 2 }, { ID: 3 }])).toArray().map((r) => r.toJSON());
    expect(rows).toEqual([{ id: 1n, ID_1: 2n }, { id: null, ID_1: 3n }]);
  });

  it("keeps integers past 2^53 in the tail exact (snowflake ids), into BIGINT and into text", () => {
    const batch = parseTailJson('{"events":[{"entries":1234567890123456789,"station":98765432109876543210,"ratio":9007199254740993,"meta":{"line":12345678901234567890}}]}') as { events: unknown[] };
    const row = tableFromIPC(eventsToArrow(schema, batch.events)).toArray()[0]!.toJSON();
    expect(row.entries).toBe(1234567890123456789n);
    expect(row.station).toBe("98765432109876543210");
    expect(row.ratio).toBe(9007199254740992);
    expect(row.meta.toJSON()).toEqual({ line: "12345678901234567890", car: null });
    // Past BIGINT's range a BIGINT column cannot hold it: NULL, as for any value that does not fit.
    expect(tableFromIPC(eventsToArrow(schema, [{ entries: 2n ** 64n }])).toArray()[0]!.toJSON().entries).toBeNull();
  });

  it("reads NaN and the infinities, which the tail sends as text, into a DOUBLE; other text stays NULL", () => {
    const rows = tableFromIPC(eventsToArrow(schema, [{ ratio: "NaN" }, { ratio: "-Infinity" }, { ratio: "abc" }, { ratio: "Infinity", station: "NaN" }]))
      .toArray()
      .map((r) => r.toJSON());
    expect(rows.map((r) => r.ratio)).toEqual([NaN, -Infinity, null, Infinity]);
    expect(rows[3]!.station).toBe("NaN");
  });
});


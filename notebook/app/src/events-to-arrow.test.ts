import { Field, Int64, Schema, Struct, TimestampMicrosecond, Utf8, Float64, Bool, List, tableFromIPC, DateDay, Int32 } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { eventsToArrow, findMisfits, parseTailJson } from "./events-to-arrow.ts";

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

  it("names the values that do not fit their column (NULL in the table) and the keys with no column", () => {
    const batch = parseTailJson(
      '{"events":[{"entries":12345678901234567890,"ratio":"not a number"},{"station":"ok","ts":"2024-13-45","extra":1},{"meta":{"line":"N","car":"three"},"tags":[1,"b"]},{"ratio":"NaN","entries":"7","ok":null,"other":{}}]}',
    ) as { events: unknown[] };
    expect(findMisfits(schema, batch.events)).toEqual({ events: 3, last: 'meta: {"line":"N","car":"three"} into Struct<{line:Utf8, car:Int32}>', newKeys: ["extra", "other"] });
    expect(findMisfits(schema, [{ station: "a", entries: 1, tags: ["x"], meta: { line: "N", car: 3 } }])).toEqual({ events: 0, last: null, newKeys: [] });
  });

  it("reads a tail timestamp as DuckDB does: microseconds kept, an offset kept as wall clock, no impossible or local date", () => {
    const events = [
      { ts: "2024-01-01T00:00:00.123456Z" },
      { ts: "2024-01-01T00:00:00+05:30" },
      { ts: "2024-02-30T00:00:00Z" },
      { ts: "01/02/2024" },
      { ts: "2024-1-2 03:04:05.9999999" },
      { ts: "2024-06-01", day: "2024-02-30", meta: { line: "N", car: 1 } },
    ];
    const column = tableFromIPC(eventsToArrow(schema, events)).getChild("ts")!;
    // The raw int64 microseconds: Arrow's JavaScript reader would hand out milliseconds.
    const micros = Array.from({ length: events.length }, (_, i) => (column.isValid(i) ? (column.data[0]!.values as BigInt64Array)[i] : null));
    expect(micros).toEqual([1704067200123456n, 1704067200000000n, null, null, 1704164645999999n, 1717200000000000n]);
    expect(tableFromIPC(eventsToArrow(schema, events)).getChild("day")!.get(5)).toBeNull();
    expect(findMisfits(schema, events)).toMatchObject({ events: 3, last: 'day: "2024-02-30" into Date32<DAY>' });
  });
});

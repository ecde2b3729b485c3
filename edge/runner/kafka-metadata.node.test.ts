import { describe, expect, test } from "vitest";
import { openDuckDB } from "../duckdb/index.node.ts";
import { loadEvents } from "../duckdb/load-events.node.ts";
import { addMetadata, metadataColumns, metadataTime, pinnedMetadataSchema, type RecordMetadata } from "./kafka-metadata.ts";

const utf8 = new TextEncoder();
const record = (over: Partial<RecordMetadata> = {}): RecordMetadata => ({ key: null, timestamp: 1_700_000_000_123, partition: 2, offset: 41n, topic: "orders", headers: undefined, ...over });
const ALL = ["key", "timestamp", "partition", "offset", "topic", "headers"] as const;

describe("a record's metadata columns", () => {
  test("each field gives its column, in the order asked for", () => {
    const made = metadataColumns(["offset", "key", "headers"], record({ key: utf8.encode("k-1"), headers: { trace: utf8.encode("t"), tag: [utf8.encode("a"), null] } }));
    expect(made).toEqual({ ok: true, columns: [["_offset", 41], ["_key", "k-1"], ["_headers", [{ key: "trace", value: "t" }, { key: "tag", value: "a" }, { key: "tag", value: null }]]] });
  });

  test("a timestamp is UTC text DuckDB infers as TIMESTAMP, NULL when it is no date in 1970-9999", () => {
    expect([0, 1_700_000_000_123, 253_402_300_799_999, -1, 253_402_300_800_000, 1.7e18].map(metadataTime)).toEqual([
      "1970-01-01 00:00:00.000",
      "2023-11-14 22:13:20.123",
      "9999-12-31 23:59:59.999",
      null,
      null,
      null,
    ]);
  });

  test("an offset past 2^53 stays exact", () => {
    expect(metadataColumns(["offset"], record({ offset: 9_007_199_254_740_993n }))).toEqual({ ok: true, columns: [["_offset", 9_007_199_254_740_993n]] });
  });

  test("a key or header value that is not UTF-8 is refused with its bytes", () => {
    expect(metadataColumns(["key"], record({ key: new Uint8Array([0xc3, 0x28]) }))).toEqual({ ok: false, error: "kafka: the record's key is not UTF-8 text (bytes c328); leave it out of metadata: to read this topic" });
    expect(metadataColumns(["headers"], record({ headers: { id: new Uint8Array([0xff]) } }))).toEqual({ ok: false, error: `kafka: the record's header "id" is not UTF-8 text (bytes ff); leave it out of metadata: to read this topic` });
    expect(metadataColumns(["timestamp"], record({ key: new Uint8Array([0xff]) })).ok).toBe(true);
  });

  test("an event that has a field of a column's name, in any case, is refused and kept as it was", () => {
    const event = { id: 1, _Key: "mine" };
    expect(addMetadata(event, [["_key", "k"]])).toEqual({ ok: false, error: "kafka: the event already has a field _Key, and metadata: key adds the column _key; rename the field in the producer, or leave key out of metadata:" });
    expect(event).toEqual({ id: 1, _Key: "mine" });
    expect(addMetadata({ id: 1, _other: 2 }, [["_key", "k"]])).toEqual({ ok: true, value: { id: 1, _other: 2, _key: "k" } });
  });

  test("an event that is not an object is given back as it is", () => {
    for (const event of [42, "text", [1, 2]]) expect(addMetadata(event, [["_key", "k"]])).toEqual({ ok: true, value: event });
    // JSON null is a row of NULLs to DuckDB, with its record's metadata.
    expect(addMetadata(null, [["_key", "k"]])).toEqual({ ok: true, value: { _key: "k" } });
  });
});

describe("pinnedMetadataSchema", () => {
  test("a sample where no record has a key or a header still types _key VARCHAR and _headers as a list of structs", async () => {
    const events = [1, 2].map((id) => {
      const made = metadataColumns(ALL, record({ offset: BigInt(id) }));
      if (!made.ok) throw new Error(made.error);
      const added = addMetadata({ id }, made.columns);
      if (!added.ok) throw new Error(added.error);
      return added.value;
    });
    const db = await openDuckDB({ threads: 1 });
    try {
      const inferred = await loadEvents(db, "ev", events, { format: "json" });
      expect(inferred.filter((c) => c.name === "_key" || c.name === "_headers").map((c) => c.type)).toEqual(["JSON", "JSON[]"]);
      const pinned = pinnedMetadataSchema(inferred, ALL);
      expect(pinned).not.toBeNull();
      const loaded = await loadEvents(db, "ev", events, { format: "json", schema: pinned! });
      expect(Object.fromEntries(loaded.map((c) => [c.name, c.type]))).toEqual({
        id: "BIGINT",
        _key: "VARCHAR",
        _timestamp: "TIMESTAMP",
        _partition: "BIGINT",
        _offset: "BIGINT",
        _topic: "VARCHAR",
        _headers: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]',
      });
      expect(pinnedMetadataSchema(loaded, ALL)).toBeNull();
    } finally {
      db.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eventConverter } from "../exec/convert.ts";
import { defaultLibrary } from "../exec/library.ts";
import { loadEvents, loadJsonTexts } from "./load-events.node.ts";
import { parseJsonLossless } from "./lossless-json.ts";
import { type DuckDB, openDuckDB } from "./open.node.ts";
import { queryRows } from "./query-rows.node.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

/** The sample's rows as the pipeline reads the same texts with the schema the sample pinned. */
async function pipelineRows(texts: string[], table: string): Promise<unknown[]> {
  const schema = await loadJsonTexts(db, table, texts);
  const convert = eventConverter(schema, defaultLibrary);
  return texts.map((t) => convert(parseJsonLossless(t, { duckdb: true })));
}

describe("times read_json detects by a format a cast does not read", () => {
  test("European dates (25-12-2024) are text in the sample, not DATEs the pipeline cannot read", async () => {
    const texts = ['{"id":1,"d":"25-12-2024"}', '{"id":2,"d":"01-03-2024"}', '{"id":3,"d":null}'];
    const schema = await loadJsonTexts(db, "eu", texts);
    expect(schema).toEqual([{ name: "id", type: "BIGINT" }, { name: "d", type: "VARCHAR" }]);
    expect((await queryRows(db, "SELECT d FROM eu ORDER BY id")).rows).toEqual([{ d: "25-12-2024" }, { d: "01-03-2024" }, { d: null }]);
    // Each event converts with the pinned schema as the sample shows it (before: DATE, and every event a dead letter).
    expect((await pipelineRows(texts, "eu2")).map((r) => (r as unknown[])[1])).toEqual(["25-12-2024", "01-03-2024", null]);
  });

  test("two-digit years (25-12-24) are text, where the inference read 2025-12-24 and a cast reads 0025-12-24", async () => {
    const schema = await loadEvents(db, "yy", [{ d: "25-12-24" }, { d: "01-02-03" }]);
    expect(schema).toEqual([{ name: "d", type: "VARCHAR" }]);
  });

  test("US timestamps with AM/PM and a date nested in a struct and a list become text there; ISO dates and times beside them keep their types", async () => {
    const events = [
      { at: "12-25-2024 01:00:00 PM", iso: "2024-12-25T13:00:00Z", day: "2024-12-25", t: "13:00:00", o: { d: "31-01-2024", n: 1 }, l: ["31-01-2024"] },
      { at: "12-26-2024 11:00:00 AM", iso: "2024-12-26 09:00:00", day: "2024-1-5", t: null, o: { d: null, n: 2 }, l: [] },
    ];
    const schema = await loadEvents(db, "us", events);
    expect(Object.fromEntries(schema.map((c) => [c.name, c.type]))).toEqual({
      // `iso` is text to DuckDB itself: it detects one format per type, here the US one.
      at: "VARCHAR", iso: "VARCHAR", day: "DATE", t: "TIME", o: "STRUCT(d VARCHAR, n BIGINT)", l: "VARCHAR[]",
    });
    expect((await queryRows(db, "SELECT \"at\", iso, o.d AS od, l FROM us")).rows[0]).toEqual({ at: "12-25-2024 01:00:00 PM", iso: "2024-12-25T13:00:00Z", od: "31-01-2024", l: ["31-01-2024"] });
  });

  test("(guard) ISO dates, timestamps and times are still typed, at the top and nested, and a key spelled in two cases still loads", async () => {
    const events = [
      { day: "2024-12-25", at: "2024-12-25T13:00:00Z", t: "13:00:00", o: { d: "2024-01-31" }, kind: "a" },
      { day: "2024-01-05", at: "2024-12-26T01:00:00Z", t: "01:02:03", o: { d: null }, KIND: "b" },
    ];
    const schema = await loadEvents(db, "iso", events);
    expect(schema.map((c) => [c.name, c.type])).toEqual([["day", "DATE"], ["at", "TIMESTAMP"], ["t", "TIME"], ["o", "STRUCT(d DATE)"], ["kind", "VARCHAR"], ["KIND_1", "VARCHAR"]]);
    expect((await queryRows(db, "SELECT kind, \"KIND_1\" AS k FROM iso")).rows).toEqual([{ kind: "a", k: null }, { kind: null, k: "b" }]);
  });

  test("ISO and European dates in one sample (DuckDB's inference fails on them) load: the ISO column a DATE, the European one text", async () => {
    const events = [{ d: "2024-01-01", D: "25-12-2024" }, { d: "2024-01-02", D: "26-12-2024" }];
    const schema = await loadEvents(db, "renamed", events);
    expect(schema).toEqual([{ name: "d", type: "DATE" }, { name: "D_1", type: "VARCHAR", key: "D" }]);
    expect((await queryRows(db, "SELECT d::VARCHAR AS d, \"D_1\" AS e FROM renamed")).rows).toEqual([{ d: "2024-01-01", e: "25-12-2024" }, { d: "2024-01-02", e: "26-12-2024" }]);
  });
});

import { Field, Int64, Schema, Utf8, tableFromIPC } from "apache-arrow";
import { expect, test } from "vitest";
import { eventsToArrow, findMisfits, parseTailJson } from "./events-to-arrow.ts";

const typed = (name: string, type: Utf8 | Int64, duckdb: string, extra: [string, string][] = []) => new Field(name, type, true, new Map([["duckdb.type", duckdb], ...extra]));

test("a tail event of a topic the sample read as whole records (runnel.whole) appends the record, not a NULL", () => {
  const schema = new Schema([typed("json", new Utf8(), "JSON", [["runnel.whole", "true"]])]);
  const events = ['{"json":1}', "5", '"x"', '{"b":[1,2.0]}'].map(parseTailJson);
  const rows = tableFromIPC(eventsToArrow(schema, events)).toArray().map((r) => r.toJSON().json);
  // As the sample and the pipeline read them (DuckDB's one json column of whole records).
  expect(rows).toEqual(['{"json":1}', "5", '"x"', '{"b":[1,2.0]}']);
  expect(findMisfits(schema, events)).toEqual({ events: 0, last: null, newKeys: [] });
  const strings = new Schema([typed("json", new Utf8(), "VARCHAR", [["runnel.whole", "true"]])]);
  expect(tableFromIPC(eventsToArrow(strings, ["a", "b"])).toArray().map((r) => r.toJSON().json)).toEqual(["a", "b"]);
});

test("a JSON column (a field NULL or of mixed kinds in the sample) takes a later event's value as its JSON text, as the pipeline writes it", () => {
  const schema = new Schema([typed("a", new Int64(), "BIGINT"), typed("z", new Utf8(), "JSON")]);
  const events = ['{"a":1,"z":"s"}', '{"a":2,"z":5}', '{"a":3,"z":{"k":[1,2.0]}}', '{"a":4,"z":1e21}', '{"a":5}'].map(parseTailJson);
  const rows = tableFromIPC(eventsToArrow(schema, events)).toArray().map((r) => r.toJSON().z);
  expect(rows).toEqual(['"s"', "5", '{"k":[1,2.0]}', "1e21", null]);
});

test("a tail record that is only a real (-0.0, 10.0) among objects has no fields, and names no new keys", () => {
  const schema = new Schema([typed("a", new Int64(), "BIGINT")]);
  const events = ['{"a":1}', "-0.0", "10.0"].map(parseTailJson);
  expect(findMisfits(schema, events).newKeys).toEqual([]);
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventConverter } from "../exec/convert.ts";
import { defaultLibrary } from "../exec/library.ts";
import { describeSource, loadEvents, loadJsonTexts, renamedKeys } from "./load-events.node.ts";
import { parseJsonLossless } from "./lossless-json.ts";
import { type DuckDB, openDuckDB } from "./open.node.ts";
import { queryRows } from "./query-rows.node.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

describe("loadEvents", () => {
  test("a field holding an object with the empty key, which DuckDB types as a STRUCT no table can hold, loads as JSON; the rest as inferred", async () => {
    const events = [{ id: 1, p: { "": 1, a: 2 } }, { id: 2, p: { a: 3 } }, { id: 3, p: null }];
    const schema = await loadEvents(db, "emptykey", events);
    expect(schema.map((c) => [c.name, c.type])).toEqual([["id", "BIGINT"], ["p", "JSON"]]);
    expect((await queryRows(db, "SELECT id, p::VARCHAR AS p, p->>'a' AS a FROM emptykey ORDER BY id")).rows).toEqual([
      { id: 1n, p: '{"":1,"a":2}', a: "2" },
      { id: 2n, p: '{"a":3}', a: "3" },
      { id: 3n, p: null, a: null },
    ]);
  });

  test("a field holding an object with the empty key after a named one loads as JSON too (DuckDB made the table, but its type text cannot be pinned again)", async () => {
    const events = [{ id: 1, p: { x: 2, "": 1 } }, { id: 2, p: { y: "s", "": null } }, { id: 3, items: [{ sku: "a", "": "?" }] }];
    const schema = await loadEvents(db, "emptykey2", events);
    expect(schema.map((c) => [c.name, c.type])).toEqual([["id", "BIGINT"], ["p", "JSON"], ["items", "JSON"]]);
    // What the check's other steps do with the schema: read events with it pinned.
    await loadEvents(db, "emptykey2_pinned", events, { schema });
    expect((await queryRows(db, "SELECT id, p->>'x' AS x, p::VARCHAR AS e, items->>'$[0].sku' AS sku FROM emptykey2_pinned ORDER BY id")).rows).toEqual([
      { id: 1n, x: "2", e: '{"x":2,"":1}', sku: null },
      { id: 2n, x: null, e: '{"y":"s","":null}', sku: null },
      { id: 3n, x: null, e: null, sku: "a" },
    ]);
  });

  test("the empty key at the top is DuckDB's column C<place>, read under its key again when pinned (it read a key named C1, NULL)", async () => {
    const events = [{ id: 1, "": "unnamed", C0: "a real C0" }, { id: 2, "": null }];
    const schema = await loadEvents(db, "emptytop", events);
    expect(schema).toEqual([{ name: "id", type: "BIGINT" }, { name: "C1", type: "VARCHAR", key: "" }, { name: "C0", type: "VARCHAR" }]);
    await loadEvents(db, "emptytop_pinned", events, { schema });
    for (const table of ["emptytop", "emptytop_pinned"]) {
      expect((await queryRows(db, `SELECT id, C1, C0 FROM ${table} ORDER BY id`)).rows).toEqual([{ id: 1n, C1: "unnamed", C0: "a real C0" }, { id: 2n, C1: null, C0: null }]);
    }
  });

  test("a key holding a NUL, which no SQL can spell, is left out at the top and makes its field JSON below (the pinned read was a parser error)", async () => {
    const events = [{ id: 1, "a\u0000b": 1, p: { "x\u0000": 2, y: 3 } }, { id: 2, p: null }];
    const schema = await loadEvents(db, "nulkeys", events);
    expect(schema).toEqual([{ name: "id", type: "BIGINT" }, { name: "p", type: "JSON" }]);
    await loadEvents(db, "nulkeys_pinned", events, { schema });
    expect((await queryRows(db, "SELECT id, p->>'y' AS y FROM nulkeys_pinned ORDER BY id")).rows).toEqual([{ id: 1n, y: "3" }, { id: 2n, y: null }]);
  });

  test("with a pinned one-column schema, events without the key are rows of NULL (DuckDB's records = 'auto' read {} as the value and failed)", async () => {
    await loadEvents(db, "one", [{}, {}], { schema: [{ name: "d", type: "BIGINT" }] });
    expect((await queryRows(db, "SELECT d FROM one")).rows).toEqual([{ d: null }, { d: null }]);
    await loadEvents(db, "one", [{}, { d: 5 }, { e: 1 }], { schema: [{ name: "d", type: "BIGINT" }] });
    expect((await queryRows(db, "SELECT d FROM one")).rows).toEqual([{ d: null }, { d: 5n }, { d: null }]);
  });

  test("keeps objects with many different keys across events as a STRUCT, not one MAP (mixed webhook payloads)", async () => {
    const events = Array.from({ length: 300 }, (_, i) => ({ kind: `k${i % 3}`, payload: { [`field_${i}`]: i, common: "x" } }));
    const schema = await loadEvents(db, "mixed", events);
    expect(schema[1]!.type.startsWith("STRUCT(")).toBe(true);
    const { rows } = await queryRows(db, "SELECT payload.common AS c, payload.field_7 AS f FROM mixed WHERE payload.field_7 IS NOT NULL");
    expect(rows).toEqual([{ c: "x", f: 7n }]);
  });

  test("types events by DuckDB's JSON inference: objects STRUCT, arrays LIST, dates DATE", async () => {
    const schema = await loadEvents(db, "orders", [
      { id: 1, customer: { name: "Zoë", tags: ["new"] }, day: "2026-11-22", items: [{ sku: "a", qty: 2 }] },
      { id: 2, customer: { name: "王芳", tags: [] }, day: "2026-11-23", items: [], note: "rush" },
    ]);
    expect(schema).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "customer", type: "STRUCT(\"name\" VARCHAR, tags VARCHAR[])" },
      { name: "day", type: "DATE" },
      { name: "items", type: "STRUCT(sku VARCHAR, qty BIGINT)[]" },
      { name: "note", type: "VARCHAR" },
    ]);
    const { rows } = await queryRows(db, "SELECT id, customer.name AS name, day, len(items) AS n, note FROM orders ORDER BY id");
    expect(rows).toEqual([
      { id: 1n, name: "Zoë", day: 20779, n: 1n, note: null },
      { id: 2n, name: "王芳", day: 20780, n: 0n, note: "rush" },
    ]);
  });

  test("infers over every event, not a prefix: one late string among 30,000 integers makes the column JSON", async () => {
    const events = Array.from({ length: 30_000 }, (_, i) => ({ n: i === 29_999 ? "oops" : i }));
    expect(await loadEvents(db, "late", events)).toEqual([{ name: "n", type: "JSON" }]);
  });

  test("keeps unicode, empty strings and nulls, and quotes odd table and column names", async () => {
    const table = 'my "events" ü';
    const schema = await loadEvents(db, table, [
      { "first name": "e\u0301mile 🎉", 'sa"y': "", gone: null },
      { "first name": null, 'sa"y': "q'uote" },
    ]);
    expect(schema.map((c) => c.name)).toEqual(["first name", 'sa"y', "gone"]);
    const { rows } = await queryRows(db, `SELECT * FROM "my ""events"" ü"`);
    expect(rows).toEqual([
      { "first name": "e\u0301mile 🎉", 'sa"y': "", gone: null },
      { "first name": null, 'sa"y': "q'uote", gone: null },
    ]);
  });

  test("writes bigints and loadJsonTexts keeps integers JSON.parse would round", async () => {
    await loadEvents(db, "big", [{ n: 9223372036854775807n }, { n: -9007199254740993n }]);
    expect((await queryRows(db, "SELECT n FROM big")).rows).toEqual([{ n: 9223372036854775807n }, { n: -9007199254740993n }]);
    const schema = await loadJsonTexts(db, "raw", ['{\n  "id": 9007199254740993,\n  "x": 1.5\n}', '{"id": 1}']);
    expect(schema).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "x", type: "DOUBLE" },
    ]);
    expect((await queryRows(db, "SELECT id FROM raw")).rows).toEqual([{ id: 9007199254740993n }, { id: 1n }]);
  });

  test("an integer between 2^63 and 2^64, which DuckDB's inference cannot read, makes its column HUGEINT and loses nothing", async () => {
    // read_json alone fails on these events: "Failed to cast value to numerical: 12345678901234567890".
    const schema = await loadJsonTexts(db, "wide", [
      '{"id": 12345678901234567890, "n": 1, "o": {"h": 18446744073709551615, "k": 2}, "s": "ü"}',
      '{"id": -1, "n": 2, "o": {"h": 0, "k": 3}, "s": null}',
    ]);
    expect(schema).toEqual([
      { name: "id", type: "HUGEINT" },
      { name: "n", type: "BIGINT" },
      { name: "o", type: "STRUCT(h HUGEINT, k HUGEINT)" },
      { name: "s", type: "VARCHAR" },
    ]);
    expect((await queryRows(db, "SELECT id, n, o.h AS h, s FROM wide")).rows).toEqual([
      { id: 12345678901234567890n, n: 1n, h: 18446744073709551615n, s: "ü" },
      { id: -1n, n: 2n, h: 0n, s: null },
    ]);
  });

  test("replaces a table loaded before", async () => {
    await loadEvents(db, "again", [{ a: 1 }]);
    await loadEvents(db, "again", [{ b: "x" }, { b: "y" }]);
    expect((await queryRows(db, "SELECT * FROM again")).rows).toEqual([{ b: "x" }, { b: "y" }]);
  });

  test("with a schema, reads the named columns as those types", async () => {
    const schema = [
      { name: "ts", type: "VARCHAR" },
      { name: "p", type: 'STRUCT("x y" INTEGER)' },
      { name: "missing", type: "DOUBLE" },
    ];
    expect(await loadEvents(db, "typed", [{ ts: "2026-11-22", p: { "x y": 5 }, extra: true }], { schema })).toEqual(schema);
    expect((await queryRows(db, "SELECT * FROM typed")).rows).toEqual([{ ts: "2026-11-22", p: { "x y": 5 }, missing: null }]);
  });

  test("no events make an empty table when a schema is given, and an error when not", async () => {
    const schema = [{ name: "a", type: "BIGINT" }];
    expect(await loadEvents(db, "empty", [], { schema })).toEqual(schema);
    expect((await queryRows(db, "SELECT count(*) AS n FROM empty")).rows).toEqual([{ n: 0n }]);
    await expect(loadEvents(db, "nothing", [])).rejects.toThrow(
      "duckdb: loadEvents(nothing): no events and no schema; DuckDB cannot infer columns from nothing",
    );
  });

  test("an event JSON cannot hold is refused with its index", async () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    await expect(loadEvents(db, "bad", [{ a: 1 }, loop])).rejects.toThrow(
      "duckdb: loadEvents(bad): event 1 cannot be written as JSON: json: cannot write a value that contains itself",
    );
    await expect(loadJsonTexts(db, "bad", ["{}", "{nope}"])).rejects.toThrow(/^duckdb: loadJsonTexts\(bad\): document 1 is not JSON: json: expected a string key at offset 1$/);
  });

  test("keys that differ only in case become the columns DuckDB names them, each remembering its key", async () => {
    const texts = ['{"id": 1, "Name": "upper", "name": "lower", "x_1": 9}', '{"id": 2, "NAME": "shout", "X": 5, "x": 6}', '{"id": 3, "name_1": "literal"}'];
    const dir = mkdtempSync(join(tmpdir(), "runnel-keys-"));
    try {
      const file = join(dir, "keys.ndjson");
      writeFileSync(file, texts.join("\n"));
      // DuckDB's own reading of the file: the reference for names and values.
      const duck = await queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`);
      const schema = await loadJsonTexts(db, "keys", texts);
      expect(schema.map((c) => c.name)).toEqual(duck.schema.map((c) => c.name));
      expect(schema.filter((c) => c.key !== undefined)).toEqual([
        { name: "name_1", type: "VARCHAR", key: "name" },
        { name: "NAME_2", type: "VARCHAR", key: "NAME" },
        { name: "x_1_1", type: "BIGINT", key: "x" },
        { name: "name_1_1", type: "VARCHAR", key: "name_1" },
      ]);
      expect(await describeSource(db, "keys")).toEqual(schema);
      expect((await queryRows(db, "SELECT * FROM keys")).rows).toEqual(duck.rows);
      // The event converter reads each column from its key, as DuckDB did.
      const convert = eventConverter(schema, defaultLibrary);
      const rows = texts.map((t) => Object.fromEntries(convert(JSON.parse(t)).map((v, i) => [schema[i]!.name, v])));
      expect(rows).toEqual(duck.rows);
      // Loaded again with that schema pinned (the check's edge-case and random events), the keys are read the same way.
      await loadJsonTexts(db, "pinned", texts, { schema });
      expect((await queryRows(db, "SELECT * FROM pinned")).rows).toEqual(duck.rows);
      await loadEvents(db, "pinned2", texts.map((t) => JSON.parse(t)), { schema });
      expect((await queryRows(db, "SELECT * FROM pinned2")).rows).toEqual(duck.rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(renamedKeys([{ a: 1, b: 2 }, { c: 3 }]).size).toBe(0);
    // DuckDB folds ASCII letters only: é and É, ω and Ω are different names to it.
    expect(renamedKeys([{ "é": 1, "É": 2, "ω": 3, "Ω": 4 }]).size).toBe(0);
  });

  test("renamedKeys names columns as DuckDB does, on 150 seeded sets of keys that differ in case and look like its suffixes", async () => {
    const ALPHA = ["a", "A", "a_1", "A_1", "a_2", "a_1_1", "b", "B_1", "b_1", "a_3", "A_2", "é", "É", "é_1"];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const dir = mkdtempSync(join(tmpdir(), "runnel-keys-"));
    const file = join(dir, "keys.ndjson");
    const differences: string[] = [];
    try {
      for (let t = 0; t < 150; t++) {
        const events = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
          const o: Record<string, number> = {};
          for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) o[ALPHA[Math.floor(rnd() * ALPHA.length)]!] = k;
          return o;
        });
        writeFileSync(file, events.map((e) => JSON.stringify(e)).join("\n"));
        const duck = (await db.read(`DESCRIBE SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`)).getRowObjectsJS().map((r) => String(r.column_name));
        const order: string[] = [];
        for (const e of events) for (const k in e) if (!order.includes(k)) order.push(k);
        const byKey = new Map([...renamedKeys(events)].map(([name, key]) => [key, name]));
        const mine = order.map((k) => byKey.get(k) ?? k);
        if (mine.join(",") !== duck.join(",")) differences.push(`${order.join(",")}: DuckDB ${duck.join(",")}, ours ${mine.join(",")}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(differences).toEqual([]);
  });

  test("timestamps of two shapes in two columns, where DuckDB's own inference fails on its one detected format, still load: typed as inferred, read as CAST reads them", async () => {
    const texts = ['{"e": "2024-01-01T10:00:00Z", "c": "2024-01-01T10:00:00.123456+02:00", "k": "x"}', '{"B": "2024-01-01 10:00:00", "c": null, "K": "y"}'];
    const dir = mkdtempSync(join(tmpdir(), "runnel-formats-"));
    try {
      const file = join(dir, "ts.ndjson");
      writeFileSync(file, texts.join("\n"));
      await expect(db.read(`SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`)).rejects.toThrow(/according to format specifier/);
      const schema = await loadJsonTexts(db, "formats", texts);
      expect(schema.map((c) => `${c.name} ${c.type}`)).toEqual(["e TIMESTAMP", "c VARCHAR", "k VARCHAR", "B TIMESTAMP", "K_1 VARCHAR"]);
      expect((await queryRows(db, "SELECT e, B, K_1 FROM formats")).rows).toEqual([
        { e: 1704103200000000n, B: null, K_1: null },
        { e: null, B: 1704103200000000n, K_1: "y" },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("nested objects whose keys differ only in case, which DuckDB's inference refuses, load with those fields as JSON and the rest as inferred", async () => {
    const texts = ['{"id": 1, "meta": {"Id": 1, "x": 2}, "tags": [{"k": "a"}], "when": "2024-01-01"}', '{"id": 2, "meta": {"id": 2}, "tags": [{"K": "b"}], "ID": 5}'];
    const dir = mkdtempSync(join(tmpdir(), "runnel-nested-"));
    try {
      const file = join(dir, "nested.ndjson");
      writeFileSync(file, texts.join("\n"));
      await expect(db.read(`SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`)).rejects.toThrow(/Duplicate name "id" in struct/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const schema = await loadJsonTexts(db, "nested", texts);
    expect(schema).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "meta", type: "JSON" },
      { name: "tags", type: "JSON" },
      { name: "when", type: "DATE" },
      { name: "ID_1", type: "BIGINT", key: "ID" },
    ]);
    expect((await queryRows(db, "SELECT meta, tags, ID_1 FROM nested")).rows).toEqual([
      { meta: '{"Id":1,"x":2}', tags: '[{"k":"a"}]', ID_1: null },
      { meta: '{"id":2}', tags: '[{"K":"b"}]', ID_1: 5n },
    ]);
  });

  test("a top-level key in two cases beside a field whose objects clash in case: the renamed column keeps its type", async () => {
    const texts = ['{"t": {"x": {"y": 1}}}', '{"t": {"x": {"Y": 2}}}', '{"T": {"x": {"y": 4}}}'];
    const schema = await loadJsonTexts(db, "clash2", texts);
    expect(schema).toEqual([
      { name: "t", type: "JSON" },
      { name: "T_1", type: "STRUCT(x STRUCT(y BIGINT))", key: "T" },
    ]);
    expect((await queryRows(db, "SELECT t, T_1 FROM clash2")).rows).toEqual([
      { t: '{"x":{"y":1}}', T_1: null },
      { t: '{"x":{"Y":2}}', T_1: null },
      { t: null, T_1: { x: { y: 4n } } },
    ]);
  });

  test("records that are not all objects make DuckDB's one json column of whole records; the converter gives each record's text", async () => {
    const texts = ["1", '"two"', "[3, 4.0]", "null", '{"a": 10.0, "b": NaN}', "12345678901234567890"];
    const dir = mkdtempSync(join(tmpdir(), "runnel-whole-"));
    try {
      const file = join(dir, "whole.ndjson");
      writeFileSync(file, texts.join("\n"));
      const duck = await queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`);
      const schema = await loadJsonTexts(db, "whole", texts);
      expect(schema).toEqual([{ name: "json", type: "JSON", whole: true }]);
      expect((await queryRows(db, "SELECT * FROM whole")).rows).toEqual(duck.rows);
      const convert = eventConverter(schema, defaultLibrary);
      expect(texts.map((t) => ({ json: convert(parseJsonLossless(t, { duckdb: true }))[0] }))).toEqual(duck.rows);
      // Pinned (the check's generated events), the records are read whole again.
      await loadJsonTexts(db, "whole2", texts, { schema });
      expect((await queryRows(db, "SELECT * FROM whole2")).rows).toEqual(duck.rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


test("a number past DOUBLE's range (1e400, which JSON.parse reads as Infinity) loads as DuckDB reads it: inf in a DOUBLE column, not NULL", async () => {
  const db = await openDuckDB({ threads: 1 });
  try {
    const schema = await loadEvents(db, "huge", [{ e: JSON.parse("1e400") }, { e: 2 }, { e: JSON.parse("-1e400") }]);
    expect(schema).toEqual([{ name: "e", type: "DOUBLE" }]);
    expect((await queryRows(db, "SELECT e FROM huge")).rows).toEqual([{ e: Infinity }, { e: 2 }, { e: -Infinity }]);
  } finally {
    db.close();
  }
});

test("CSV records: a TIMESTAMP WITH TIME ZONE column beside a formatted TIMESTAMP keeps no format, and reads as read_csv reads the file", async () => {
  const events = [
    { id: "1", t: "13/01/2024 11:30:00", tz: "2024-01-05 10:00:00+02" },
    { id: "2", t: "14/01/2024 11:30:00", tz: "2024-01-06 10:00:00+00" },
  ];
  const schema = await loadEvents(db, "csvtz", events, { format: "csv" });
  expect(schema.map((c) => [c.name, c.type, c.format])).toEqual([
    ["id", "BIGINT", undefined],
    ["t", "TIMESTAMP", "%d/%m/%Y %H:%M:%S"],
    ["tz", "TIMESTAMP WITH TIME ZONE", undefined],
  ]);
  // The plan's converter reads the records as the table holds them (a format on tz made it NULL).
  const convert = eventConverter(schema, defaultLibrary, null, "csv");
  const table = (await queryRows(db, "SELECT epoch_us(t) AS t, epoch_us(tz) AS tz FROM csvtz ORDER BY id")).rows;
  expect(events.map((e) => convert(e)).map(([, t, tz]) => ({ t: BigInt(t as number), tz: BigInt(tz as number) }))).toEqual(table);
  // read_csv's timestampformat is not for TIMESTAMPTZ columns: their text is still read by the cast.
  expect(eventConverter([{ name: "tz", type: "TIMESTAMP WITH TIME ZONE", format: "%d/%m/%Y %H:%M:%S" }], defaultLibrary, null, "csv")({ tz: "05/01/2024 10:30:00" })).toEqual([null]);
});

test("CSV records: a column named constructor or toString reads only a record's own field (a record without it crashed the load)", async () => {
  const events: Record<string, unknown>[] = [{ id: "1", constructor: "Ferrari", toString: "5" }, { id: "2" }];
  const schema = await loadEvents(db, "csvctor", events, { format: "csv" });
  expect(schema.map((c) => [c.name, c.type])).toEqual([["id", "BIGINT"], ["constructor", "VARCHAR"], ["toString", "BIGINT"]]);
  expect((await queryRows(db, 'SELECT id, "constructor", "toString" FROM csvctor ORDER BY id')).rows).toEqual([
    { id: 1n, constructor: "Ferrari", toString: 5n },
    { id: 2n, constructor: null, toString: null },
  ]);
});

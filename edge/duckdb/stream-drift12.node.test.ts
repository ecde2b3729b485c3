/**
 * A stream that drifts from its sample. The notebook's sample is typed by DuckDB's own inference
 * (`loadEvents`), the published pipeline's schema is pinned from it, and the events that come later
 * no longer look like the sample: an integer arrives as text, a float or an object; a key appears,
 * disappears or changes case; a field NULL in the whole sample (JSON) gets values; ISO timestamps
 * become epoch numbers; a STRUCT gains or loses a field or arrives as a scalar; an array that was
 * empty in the sample holds things. For each later event, the pipeline's event converter must give
 * the row DuckDB's `read_json` with the pinned schema gives, or refuse the event where DuckDB refuses
 * the batch, with a reason naming the field and the value.
 */
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "./open.node.ts";
import { loadEvents, loadJsonTexts } from "./load-events.node.ts";
import { queryRows } from "./query-rows.node.ts";
import { parseJsonFast, parseJsonLossless } from "./lossless-json.ts";
import { showRow } from "../check/compare.ts";
import { eventConverter, integersAtText } from "../exec/convert.ts";
import { defaultLibrary } from "../exec/library.ts";
import type { Schema } from "../plan/values.ts";

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

/** The sample's schema, as the notebook's DuckDB types it and publish pins it. */
const pinnedFrom = (sample: readonly string[]): Promise<Schema> => loadJsonTexts(db, "sample", sample);

/** A later event as DuckDB reads it with the pinned schema: its row, or `refused` with DuckDB's reason. */
async function duckdbReads(schema: Schema, text: string): Promise<string> {
  try {
    await loadJsonTexts(db, "later", [text], { schema });
    return showRow((await queryRows(db, "SELECT * FROM later")).rows[0]!);
  } catch (error) {
    return `refused: ${(error as Error).message.split("\n")[0]}`;
  }
}

/** The same event as the published pipeline converts it (parsed as the runner and the Worker parse it). */
function pipelineReads(schema: Schema, text: string): string {
  const convert = eventConverter(schema, defaultLibrary);
  try {
    const row = convert(parseJsonFast(text, integersAtText(schema)) ?? parseJsonLossless(text, { duckdb: true }));
    return showRow(Object.fromEntries(schema.map((c, i) => [c.name, row[i]!])));
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

interface Drift {
  sample: string[];
  /** The type the sample pins, as `name TYPE` per column. */
  pinned: string;
  later: string[];
}

const DRIFTS: Record<string, Drift> = {
  "an integer field that later holds text, a float, an object, an array or a boolean": {
    sample: ['{"n":1}', '{"n":2}'],
    pinned: "n BIGINT",
    later: ['{"n":"3"}', '{"n":3.5}', '{"n":{"x":1}}', '{"n":[1]}', '{"n":true}', '{"n":"abc"}', '{"n":"1.5"}', '{"n":1e3}', '{"n":1e20}', '{"n":9223372036854775808}'],
  },
  "a key that appears, a key that disappears, and an empty event": {
    sample: ['{"a":1,"b":"x"}'],
    pinned: "a BIGINT, b VARCHAR",
    later: ['{"a":2}', '{"a":3,"b":"y","c":9}', "{}", "null"],
  },
  "a key that arrives in another case (Name for name), at the top and in a STRUCT": {
    sample: ['{"name":"a","u":{"name":"b"}}'],
    pinned: 'name VARCHAR, u STRUCT("name" VARCHAR)',
    later: ['{"Name":"c","u":{"Name":"d"}}', '{"NAME":"e","name":"f","u":{"name":"g","NAME":"h"}}'],
  },
  "keys with dots, spaces, unicode and the empty key": {
    sample: ['{"a.b":1,"x y":2,"é":3,"":4,"ключ":"k"}'],
    pinned: "a.b BIGINT, x y BIGINT, é BIGINT, C3 BIGINT, ключ VARCHAR",
    later: ['{"a.b":5,"x y":"6","é":7,"":8,"ключ":9}', '{"A.B":5,"X Y":6,"É":7,"КЛЮЧ":"k"}', '{"a":{"b":1},"":"x"}'],
  },
  "a field NULL in the whole sample (JSON) that later holds values": {
    sample: ['{"a":1,"z":null}', '{"a":2,"z":null}'],
    pinned: "a BIGINT, z JSON",
    later: ['{"z":5}', '{"z":"s"}', '{"z":{"k":[1,2.0]}}', '{"z":1.50}', '{"z":10.0}', '{"z":12345678901234567890123}', '{"z":true}'],
  },
  "ISO timestamps in the sample, epoch numbers and other shapes later": {
    sample: ['{"t":"2024-01-01T10:00:00Z"}', '{"t":"2024-01-02T10:00:00Z"}'],
    pinned: "t TIMESTAMP",
    later: ['{"t":1700000000}', '{"t":1700000000000}', '{"t":1.7e9}', '{"t":"1700000000"}', '{"t":"2024-01-03 10:00:00"}', '{"t":"2024-01-03"}', '{"t":"2024-01-03T10:00:00+05:30"}', '{"t":"03/01/2024"}', '{"t":"2024-01-03T10:00:00.123456789Z"}'],
  },
  "a STRUCT that later gains a field, loses one, or arrives as a scalar or an array": {
    sample: ['{"u":{"id":1,"name":"a"}}'],
    pinned: 'u STRUCT(id BIGINT, "name" VARCHAR)',
    later: ['{"u":{"id":2}}', '{"u":{"id":3,"name":"b","extra":true}}', '{"u":5}', '{"u":"x"}', '{"u":[1]}', '{"u":{"id":"4"}}', '{"u":{}}', '{"u":{"id":{"deep":1}}}'],
  },
  "a LIST of STRUCTs whose elements drift": {
    sample: ['{"l":[{"a":1}]}'],
    pinned: "l STRUCT(a BIGINT)[]",
    later: ['{"l":[{"a":1,"b":2}]}', '{"l":[{"b":2}]}', '{"l":[1]}', '{"l":{"a":1}}', '{"l":[]}', '{"l":[null,{"a":"2"}]}'],
  },
  "arrays that were empty in the whole sample (JSON[])": {
    sample: ['{"tags":[]}', '{"tags":[]}'],
    pinned: "tags JSON[]",
    later: ['{"tags":["a",1]}', '{"tags":[{"k":1.0}]}', '{"tags":"x"}', '{"tags":5}', '{"tags":[[1]]}'],
  },
  "an object that was empty in the whole sample (JSON)": {
    sample: ['{"o":{}}'],
    pinned: "o JSON",
    later: ['{"o":{"a":1}}', '{"o":5}', '{"o":[1]}'],
  },
  "a field of mixed kinds in the sample (JSON)": {
    sample: ['{"v":1}', '{"v":"a"}', '{"v":{"k":1}}'],
    pinned: "v JSON",
    later: ['{"v":2}', '{"v":[1]}', '{"v":1.50}', '{"v":"b"}'],
  },
  "a text field that later holds numbers, booleans and objects": {
    sample: ['{"s":"a"}'],
    pinned: "s VARCHAR",
    later: ['{"s":10.0}', '{"s":10}', '{"s":1e3}', '{"s":true}', '{"s":{"b":1.0,"a":[2]}}', '{"s":0.1}', '{"s":1e-7}', '{"s":-0.0}'],
  },
  "a date field that later holds timestamps and numbers": {
    sample: ['{"d":"2024-01-01"}'],
    pinned: "d DATE",
    later: ['{"d":"2024-01-01 10:00:00"}', '{"d":"2024-01-01T10:00:00Z"}', '{"d":20240101}', '{"d":"25-12-2024"}'],
  },
};

describe("each later event reads as read_json with the sample's pinned schema reads it, or is refused where it refuses", () => {
  for (const [name, drift] of Object.entries(DRIFTS)) {
    test(name, async () => {
      const schema = await pinnedFrom(drift.sample);
      expect(schema.map((c) => `${c.name} ${c.type}`).join(", ")).toBe(drift.pinned);
      for (const text of drift.later) {
        const duck = await duckdbReads(schema, text);
        const mine = pipelineReads(schema, text);
        if (duck.startsWith("refused")) expect(mine, text).toMatch(/^refused: (field \S.*|event is .*)$/);
        else expect(mine, text).toBe(duck);
      }
    });
  }
});

test("a refused later event's reason names the field and the value that did not fit", async () => {
  const schema = await pinnedFrom(['{"n":1,"t":"2024-01-01 10:00:00","u":{"id":1}}']);
  expect(pipelineReads(schema, '{"n":"abc"}')).toBe('refused: field n: Failed to cast value to numerical: "abc"');
  expect(pipelineReads(schema, '{"t":1700000000}')).toMatch(/^refused: field t: .*"1700000000"/);
  expect(pipelineReads(schema, '{"u":{"id":"x"}}')).toBe('refused: field u.id: Failed to cast value to numerical: "x"');
});

describe("a sample of records that are not all objects, one of them with a key `json`", () => {
  // DuckDB's reader makes one `json` column of whole records when a record is a scalar or an array, whatever
  // keys the objects have; before, an object's key `json` kept the column from being marked whole, so the
  // pipeline read that key (`1` for `{"json":1}`) and refused the scalar records the sample showed, and
  // `runnel check` stopped on DuckDB's "Expected OBJECT, but got UBIGINT: 5" reading the sample pinned.
  const sample = ['{"json":1}', "5", '{"json":{"a":2},"b":1}', '"x"'];
  const shown = [{ json: '{"json":1}' }, { json: "5" }, { json: '{"json":{"a":2},"b":1}' }, { json: '"x"' }];

  test("the sample's column is whole records, as read_json infers them", async () => {
    const schema = await pinnedFrom(sample);
    expect(schema).toEqual([{ name: "json", type: "JSON", whole: true }]);
    expect((await queryRows(db, "SELECT * FROM sample")).rows).toEqual(shown);
  });

  test("the pipeline and the pinned read give each record whole, the ones after the sample too", async () => {
    const schema = await pinnedFrom(sample);
    const convert = eventConverter(schema, defaultLibrary);
    expect(sample.map((t) => ({ json: convert(parseJsonLossless(t, { duckdb: true }))[0] }))).toEqual(shown);
    // What the check does: the sample read again with the schema pinned.
    await loadEvents(db, "again", sample.map((t) => parseJsonLossless(t, { duckdb: true })), { schema });
    expect((await queryRows(db, "SELECT * FROM again")).rows).toEqual(shown);
    for (const text of ['{"json":7}', '{"other":1}', "[1,2]", "true"]) expect(pipelineReads(schema, text), text).toBe(await duckdbReads(schema, text));
  });

  test("objects whose only key is `json` are still that key's column", async () => {
    const schema = await pinnedFrom(['{"json":1}', '{"json":2}', "null"]);
    expect(schema).toEqual([{ name: "json", type: "BIGINT" }]);
    expect(pipelineReads(schema, '{"json":3}')).toBe("{ json: 3 }");
  });
});

test("a whole-record column read pinned from texts holds each record, also in a batch of objects alone", async () => {
  // loadJsonTexts with such a schema read a batch of objects as records (a NULL for each) where loadEvents wraps each record.
  const schema = await pinnedFrom(["{}", "{}"]);
  expect(schema).toEqual([{ name: "json", type: "JSON", whole: true }]);
  await loadJsonTexts(db, "objects", ['{"a":1}', '{"b":[2.0]}'], { schema });
  expect((await queryRows(db, "SELECT * FROM objects")).rows).toEqual([{ json: '{"a":1}' }, { json: '{"b":[2.0]}' }]);
  expect(pipelineReads(schema, '{"a":1}')).toBe('{ json: "{\\"a\\":1}" }');
});

describe("messy samples that DuckDB's inference types but the sample failed to load", () => {
  test("the empty key holding dates or times is typed as read_json types it, and read under its key later", async () => {
    // DuckDB names the column by its place (C0); checking whether a cast reads its detected times quoted the key as an
    // identifier, "", and the whole sample failed ("zero-length delimited identifier").
    const iso = ['{"":"2024-01-02 10:00:00","a":1}', '{"":"2024-01-03 11:00:00","a":2}'];
    const schema = await pinnedFrom(iso);
    expect(schema).toEqual([{ name: "C0", type: "TIMESTAMP", key: "" }, { name: "a", type: "BIGINT" }]);
    const file = join(tmpdir(), `runnel-drift12-${process.pid}.ndjson`);
    writeFileSync(file, `${iso.join("\n")}\n`);
    try {
      const raw = await queryRows(db, `SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`);
      expect((await queryRows(db, "SELECT * FROM sample")).rows).toEqual(raw.rows);
    } finally {
      rmSync(file, { force: true });
    }
    expect(pipelineReads(schema, '{"":"2024-01-04 12:00:00","a":3}')).toBe(await duckdbReads(schema, '{"":"2024-01-04 12:00:00","a":3}'));
    expect(pipelineReads(schema, '{"":"soon"}')).toMatch(/^refused: field : .*"soon"/);
    // A format the cast does not read (European days), at the top or inside an object, is text, as for any other key.
    expect(await pinnedFrom(['{"":"25-12-2024"}', '{"":"26-12-2024"}'])).toEqual([{ name: "C0", type: "VARCHAR", key: "" }]);
    expect(await pinnedFrom(['{"":{"at":"25-12-2024"}}'])).toEqual([{ name: "C0", type: 'STRUCT("at" VARCHAR)', key: "" }]);
    expect(await pinnedFrom(['{"":"10:30:00","t":"2024-01-02"}'])).toEqual([{ name: "C0", type: "TIME", key: "" }, { name: "t", type: "DATE" }]);
  });

  test("one field's objects holding the empty key and another's holding keys that differ only in case: both JSON, every event a row", async () => {
    // DuckDB reports only one of the two; typing the rest without the first failed on the second, and the sample was lost.
    const sample = ['{"k":{"":1,"x":2},"b":{"id":1}}', '{"b":{"ID":2},"n":3}'];
    const schema = await pinnedFrom(sample);
    expect(schema).toEqual([{ name: "k", type: "JSON" }, { name: "b", type: "JSON" }, { name: "n", type: "BIGINT" }]);
    expect((await queryRows(db, "SELECT * FROM sample")).rows).toEqual([
      { k: '{"":1,"x":2}', b: '{"id":1}', n: null },
      { k: null, b: '{"ID":2}', n: 3n },
    ]);
    for (const text of ['{"k":{"":5},"b":{"Id":6},"n":"7"}', '{"k":[1],"b":"x"}']) expect(pipelineReads(schema, text), text).toBe(await duckdbReads(schema, text));
  });
});

test("a sample holding a record that is only NaN says which event it is, where DuckDB named a line its file did not have", async () => {
  await expect(pinnedFrom(['{"a":1}', "NaN", '{"a":2}'])).rejects.toThrow(
    'duckdb: loadEvents(sample): event 1 is only NaN, a record DuckDB\'s JSON reader cannot type (it refuses the whole file: Malformed JSON, unexpected character); leave it out, or put the number in an object ({"value": NaN})',
  );
  // Inside an object it is a DOUBLE, as DuckDB reads it.
  expect(await pinnedFrom(['{"a":1}', '{"a":NaN}'])).toEqual([{ name: "a", type: "DOUBLE" }]);
});

test("a later record that is a number written as a real (-0.0, NaN, Infinity) is refused, as read_json refuses it, not a row of NULLs", async () => {
  // A producer that serialises a bare float (Python's json.dumps(float("nan")) is `NaN`) onto a topic of objects.
  const schema = await pinnedFrom(['{"a":1,"b":"x"}']);
  for (const text of ["-0.0", "NaN", "Infinity", "-Infinity", "10.0"]) {
    expect(await duckdbReads(schema, text), text).toMatch(/Expected OBJECT, but got DOUBLE/);
    const convert = eventConverter(schema, defaultLibrary);
    expect(() => convert(parseJsonLossless(text, { duckdb: true })), text).toThrow(`event is a number, not a JSON object: ${text}`);
  }
});

test("a later event refused for its shape says which value did not fit", async () => {
  const schema = await pinnedFrom(['{"n":1,"u":{"id":1},"l":[1],"m":{"k":"v"}}']);
  expect(pipelineReads(schema, '{"n":{"x":1}}')).toBe('refused: field n: cannot read an object as BIGINT: {"x":1}');
  expect(pipelineReads(schema, '{"u":"x"}')).toBe('refused: field u: expected an object for STRUCT(id BIGINT), got a string: "x"');
  expect(pipelineReads(schema, '{"l":{"a":1}}')).toBe('refused: field l: expected an array for BIGINT[], got an object: {"a":1}');
  expect(pipelineReads(schema, `{"n":[${"1,".repeat(40)}1]}`)).toBe(`refused: field n: cannot read an array as BIGINT: [${"1,".repeat(24)}1...`);
  expect(pipelineReads(schema, "5")).toBe("refused: event is a number, not a JSON object: 5");
});

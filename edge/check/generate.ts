/**
 * Events the check feeds both DuckDB and the plan, beyond the sample: edge
 * cases for every column of the source schema (NULLs, empty and very long
 * strings, unicode, NaN/±Infinity, boundary integers, malformed dates), and
 * random events from fast-check. Events are JSON values as a source would
 * deliver them (bigint for integers beyond 2^53).
 */
import fc from "fast-check";
import { JsonReal } from "../duckdb/lossless-json.ts";
import { parseType, type TypeNode } from "../plan/type-text.ts";
import { jsonKey, type Schema } from "../plan/values.ts";

const LONG = "x".repeat(5000) + "é" + "y".repeat(5000);

const STRINGS = [
  "", " ", "a", "A", "abc", "ABC", "héllo", "日本語", "😀 emoji", "e\u0301", "tab\there", "line\nbreak", "quote'\"", "%_\\",
  "NULL", "null", "true", "0", "-1", "12", "1e3", "3.14", "NaN", "2026-11-22", "2026-11-22 10:15:00", "2026-11-22T10:15:00Z",
  "2026-13-45", "not a date", "2026-02-30 25:61:00", "{\"a\": 1}", "[1,2]", LONG,
];

const INT_BOUNDS: Record<string, (number | bigint)[]> = {
  TINYINT: [0, 1, -1, -128, 127],
  SMALLINT: [0, 1, -1, -32768, 32767],
  INTEGER: [0, 1, -1, -2147483648, 2147483647, 1000],
  BIGINT: [0, 1, -1, -(2n ** 63n), 2n ** 63n - 1n, 2 ** 53, -(2 ** 53), 9007199254740993n],
  HUGEINT: [0, 1, -1, -(2n ** 127n), 2n ** 127n - 1n],
  UTINYINT: [0, 1, 255],
  USMALLINT: [0, 1, 65535],
  UINTEGER: [0, 1, 4294967295],
  UBIGINT: [0, 1, 2n ** 64n - 1n],
};

const TIMESTAMPS = [
  "2026-11-22 00:00:00", "2026-11-22 23:59:59.999999", "1970-01-01 00:00:00", "1969-12-31 23:59:59", "2024-02-29 12:00:00",
  "2000-01-01 00:00:00.5", "1900-03-01 00:00:00", "9999-12-31 23:59:59", "2026-11-22T10:15:00",
];
const MALFORMED_TIMESTAMPS = ["2026-13-01 00:00:00", "not a time", "2026-02-30 00:00:00", ""];

/** Edge-case values for one type; `malformed` adds text the type's cast rejects. */
function edgeValues(t: TypeNode, malformed: boolean): unknown[] {
  switch (t.kind) {
    case "decimal":
      return [0, 1, -1, 0.5, 10 ** (t.width - t.scale) - 1, -(10 ** (t.width - t.scale) - 1), 1 / 3];
    case "list":
    case "array": {
      const inner = edgeValues(t.child, false);
      return [[], [null], inner.slice(0, 3), inner.slice(3, 7), [inner[0], inner[0]]];
    }
    case "struct": {
      const perField = t.fields.map((f) => edgeValues(f.type, false));
      const rows: unknown[] = [{}];
      for (let i = 0; i < 4; i++) {
        const o: Record<string, unknown> = {};
        t.fields.forEach((f, j) => {
          const vs = perField[j]!;
          o[f.name] = i === 3 ? null : vs[(i * 3 + j) % vs.length];
        });
        rows.push(o);
      }
      return rows;
    }
    case "map":
      return [{}, { a: edgeValues(t.value, false)[0] }];
    case "other":
      return [];
    case "scalar": {
      const n = t.name;
      if (INT_BOUNDS[n]) return INT_BOUNDS[n]!;
      if (n === "DOUBLE" || n === "FLOAT") return [0, -0, 1.5, -2.25, 1e308, -1e308, 5e-324, 0.1, "NaN", "Infinity", "-Infinity", 123456789.125];
      if (n === "BOOLEAN") return [true, false];
      // A sender writing floats with a fraction (`10.0`): DuckDB keeps the text of the real in a text column;
      // so it does a number past a double's range (`1e400`), which JSON.parse makes Infinity.
      if (n === "VARCHAR") return [...STRINGS, new JsonReal(10), new JsonReal(Infinity, "1e400")];
      if (n === "JSON") return [{}, [], 1, "s", { a: { b: [1, null] } }, true, new JsonReal(10), { a: [new JsonReal(-0), 2.5] }, new JsonReal(-Infinity, "-1E400")];
      if (n.startsWith("TIMESTAMP")) return malformed ? [...TIMESTAMPS, ...MALFORMED_TIMESTAMPS] : TIMESTAMPS;
      if (n === "DATE") return malformed ? ["2026-11-22", "1970-01-01", "2024-02-29", "0001-01-01", "2026-02-30"] : ["2026-11-22", "1970-01-01", "2024-02-29", "0001-01-01"];
      if (n === "TIME") return ["00:00:00", "23:59:59.999999", "12:30:00"];
      if (n === "UUID") return ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"];
      return [];
    }
  }
}

/**
 * Edge-case events for a source schema: one event per edge value of each
 * column (the other columns from the first sample-like value), an all-NULL
 * event, an event with no fields, and a diagonal mixing every column's values.
 * With `malformed`, values the column's type rejects are included (events
 * read_json rejects, which must become dead letters).
 */
/** Up to this many columns, edge-case and misfit events vary one column each. */
const WIDE_SCHEMA = 64;

/**
 * A sample event this large (about, in bytes of JSON) is not a base for the edge cases: each of
 * several hundred edge-case events copies its base, so six sample events of a few megabytes made
 * the check write, read and run gigabytes (48 s and 3 GB for a 16 MB sample). The sample itself is
 * still checked whole.
 */
const BASE_BYTES = 64 * 1024;

/** The sample's first `n` object events of at most `BASE_BYTES`. */
function baseEvents(sample: readonly unknown[], n: number): Record<string, unknown>[] {
  const bases: Record<string, unknown>[] = [];
  for (const e of sample) {
    if (bases.length === n) break;
    if (e !== null && typeof e === "object" && !Array.isArray(e) && sizeUpTo(e, BASE_BYTES) <= BASE_BYTES) bases.push(e as Record<string, unknown>);
  }
  return bases;
}

/** About how many bytes `value` takes as JSON, counted up to a little past `limit` (no recursion: events nest deep). */
function sizeUpTo(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    const v = stack.pop();
    if (typeof v === "string") size += v.length + 2;
    else if (v === null || typeof v !== "object") size += 8;
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      for (const x of v) stack.push(x);
    } else {
      for (const [k, x] of Object.entries(v)) {
        size += k.length + 4;
        stack.push(x);
      }
    }
  }
  return size;
}

export function edgeCaseEvents(schema: Schema, sample: readonly unknown[] = [], malformed = false): Record<string, unknown>[] {
  const values = schema.map((c) => edgeValues(parseType(c.type), malformed));
  const first: Record<string, unknown> = {};
  schema.forEach((c, i) => {
    first[jsonKey(c)] = values[i]![0] ?? null;
  });
  // Real events as the base, so one odd column at a time still passes the cell's filters.
  const bases = baseEvents(sample, 8);
  if (bases.length === 0) bases.push(first);
  const events: Record<string, unknown>[] = [{}, Object.fromEntries(schema.map((c) => [jsonKey(c), null])), ...bases.map((b) => ({ ...b }))];
  let n = 0;
  // One odd column at a time, up to WIDE_SCHEMA columns; a wider schema varies a group of columns per
  // event (each column still takes every edge value, NULL and absence), or the events would grow as
  // the square of the width (600 columns: ~12,000 events of 600 fields, 2.2 GB and 90 s).
  const group = Math.max(1, Math.ceil(schema.length / WIDE_SCHEMA));
  for (let g = 0; g < schema.length; g += group) {
    const members = schema.slice(g, g + group).map((c, j) => ({ key: jsonKey(c), vs: values[g + j]! }));
    const most = Math.max(0, ...members.map((m) => m.vs.length));
    for (let k = 0; k < most; k++) {
      const e = { ...bases[n++ % bases.length]! };
      for (const m of members) if (m.vs.length) e[m.key] = m.vs[k % m.vs.length];
      events.push(e);
    }
    const nulls = { ...bases[n++ % bases.length]! };
    for (const m of members) nulls[m.key] = null;
    events.push(nulls);
    const without = { ...bases[n++ % bases.length]! };
    for (const m of members) delete without[m.key];
    events.push(without);
  }
  const longest = Math.max(0, ...values.map((v) => v.length));
  for (let k = 0; k < longest; k++) {
    const e: Record<string, unknown> = {};
    schema.forEach((c, i) => {
      const vs = values[i]!;
      e[jsonKey(c)] = vs.length ? vs[(k + i) % vs.length] : null;
    });
    events.push(e);
  }
  return inColumnFormats(schema, events);
}

function arbitraryFor(t: TypeNode, depth = 0, seen: unknown[] = []): fc.Arbitrary<unknown> {
  const plain = (a: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.option(a, { nil: null, freq: 6 });
  // Values the sample holds for the column keep random events inside the cell's filters half the time.
  const orNull = seen.length ? (a: fc.Arbitrary<unknown>) => fc.oneof(plain(a), fc.constantFrom(...seen)) : plain;
  switch (t.kind) {
    case "decimal":
      return orNull(fc.integer({ min: -(10 ** Math.min(9, t.width)), max: 10 ** Math.min(9, t.width) }).map((n) => n / 10 ** t.scale));
    case "list":
    case "array":
      return orNull(fc.array(arbitraryFor(t.child, depth + 1), { maxLength: depth > 1 ? 2 : 4 }));
    case "struct": {
      const rec: Record<string, fc.Arbitrary<unknown>> = {};
      for (const f of t.fields) rec[f.name] = arbitraryFor(f.type, depth + 1);
      return orNull(fc.record(rec));
    }
    case "map":
      return orNull(fc.dictionary(fc.string({ maxLength: 4 }), arbitraryFor(t.value, depth + 1), { maxKeys: 3 }));
    case "other":
      return fc.constant(null);
    case "scalar": {
      const n = t.name;
      const bounds = INT_BOUNDS[n];
      if (bounds) {
        const big = bounds.some((b) => typeof b === "bigint");
        if (big) return orNull(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(...bounds), fc.bigInt({ min: n.startsWith("U") ? 0n : -(2n ** 62n), max: 2n ** 62n })));
        const min = Number(bounds.reduce((a, b) => (a < b ? a : b)));
        const max = Number(bounds.reduce((a, b) => (a > b ? a : b)));
        return orNull(fc.oneof(fc.integer({ min: Math.max(min, -100), max: Math.min(max, 100) }), fc.integer({ min, max })));
      }
      if (n === "DOUBLE" || n === "FLOAT") return orNull(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -100, max: 100 }), fc.constantFrom("NaN", "Infinity", "-Infinity")));
      if (n === "BOOLEAN") return orNull(fc.boolean());
      if (n === "VARCHAR") return orNull(fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 8 }), fc.constantFrom(...STRINGS.slice(0, -1))));
      if (n === "JSON") return orNull(fc.jsonValue({ maxDepth: 2 }));
      if (n.startsWith("TIMESTAMP")) {
        return orNull(fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms).toISOString().replace("T", " ").replace("Z", "")));
      }
      if (n === "DATE") return orNull(fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms).toISOString().slice(0, 10)));
      if (n === "UUID") return orNull(fc.uuid());
      return fc.constant(null);
    }
  }
}

/** `batches` batches of random events for the schema, reproducible from `seed`. */
export function randomEvents(schema: Schema, seed: number, batches: number, size: number, sample: readonly unknown[] = []): Record<string, unknown>[][] {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const c of schema) {
    const seen = new Set<unknown>();
    for (const e of sample.slice(0, 200)) {
      const v = e !== null && typeof e === "object" ? (e as Record<string, unknown>)[jsonKey(c)] : undefined;
      if (v !== undefined && (typeof v !== "object" || v === null)) seen.add(v);
    }
    rec[jsonKey(c)] = arbitraryFor(parseType(c.type), 0, [...seen].slice(0, 30));
  }
  const event = fc.record(rec, { requiredKeys: [] });
  const batchesOf = fc.sample(fc.array(event, { minLength: size, maxLength: size }), { seed, numRuns: batches }) as Record<string, unknown>[][];
  return batchesOf.map((b) => inColumnFormats(schema, b));
}

/**
 * Events with each DATE or TIMESTAMP value of a column that has a CSV `format` (`%d/%m/%Y`)
 * written in it, as such a source sends them; a value in another shape is left as it is.
 */
function inColumnFormats(schema: Schema, events: Record<string, unknown>[]): Record<string, unknown>[] {
  const formatted = schema.filter((c) => c.format !== undefined);
  if (formatted.length === 0) return events;
  return events.map((e) => {
    const out = { ...e };
    for (const c of formatted) {
      const v = out[jsonKey(c)];
      if (typeof v === "string") out[jsonKey(c)] = formatIso(v, c.format!);
    }
    return out;
  });
}

/** An ISO date or timestamp text (`2024-02-29`, `2024-02-29 10:00:00`) in a strftime `format` of %Y %y %m %d %H %M %S; other text unchanged. */
function formatIso(iso: string, format: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?/.exec(iso);
  if (!m) return iso;
  const parts: Record<string, string> = { Y: m[1]!, y: m[1]!.slice(2), m: m[2]!, d: m[3]!, H: m[4] ?? "00", M: m[5] ?? "00", S: m[6] ?? "00", "%": "%" };
  return format.replace(/%([A-Za-z%])/g, (all, k: string) => parts[k] ?? all);
}

/** Values a column of this type may reject when read from JSON. */
function misfits(t: TypeNode): unknown[] {
  switch (t.kind) {
    case "list":
    case "array":
      return [7, "not a list", { a: 1 }];
    case "struct":
      return [7, "not an object", [1, 2]];
    case "decimal":
      return ["12x", "1e400", { a: 1 }];
    case "scalar": {
      const n = t.name;
      if (INT_BOUNDS[n]) return ["12x", "", 1e30, "9".repeat(40), [1], { a: 1 }];
      if (n === "DOUBLE" || n === "FLOAT") return ["1.2.3", "", [1]];
      // read_json casts text to BOOLEAN strictly: `"True"` and `"t"` read, CAST's `"1"` and `"y"` do not.
      if (n === "BOOLEAN") return ["maybe", 2, [true], "1", "y", "True"];
      if (n.startsWith("TIMESTAMP") || n === "DATE" || n === "TIME") return ["not a time", "2026-13-01 00:00:00", "2026-02-30", 12, [1]];
      if (n === "UUID") return ["not-a-uuid"];
      return [];
    }
    default:
      return [];
  }
}

/**
 * Events with one field that may not fit its column (text in an INTEGER,
 * a malformed timestamp, a number where a list belongs). DuckDB's read_json
 * decides which it rejects; the plan must make exactly those dead letters.
 */
export function misfitEvents(schema: Schema, sample: readonly unknown[] = []): Record<string, unknown>[] {
  const bases = baseEvents(sample, 8);
  if (bases.length === 0) bases.push({});
  const events: Record<string, unknown>[] = [];
  let n = 0;
  // Each misfit is checked alone (a DuckDB read per event): a wide schema takes one column of each
  // type, then others up to WIDE_SCHEMA, as the reading of a misfit depends on the column's type.
  const seen = new Set<string>();
  const columns = schema.length <= WIDE_SCHEMA ? schema : schema.filter((c, i) => {
    const first = !seen.has(c.type);
    seen.add(c.type);
    return first || i < WIDE_SCHEMA;
  });
  for (const c of columns) {
    for (const v of misfits(parseType(c.type))) events.push({ ...bases[n++ % bases.length]!, [jsonKey(c)]: v });
  }
  return events;
}

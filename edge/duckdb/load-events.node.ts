import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonKey, type Schema } from "../plan/values.ts";
import type { SourceFormat } from "../../notebook/format/model.ts";
import { csvFieldText } from "../exec/convert.ts";
import { castReadableSchema, holdsDetectedTimes } from "./detected-times.node.ts";
import { describeQuery } from "./describe.node.ts";
import { JsonReal, parseJsonLossless, stringifyJsonLossless, type JsonValue } from "./lossless-json.ts";
import type { DuckDB } from "./open.node.ts";
import { quoteIdent, quoteString } from "./quote.ts";
import { asciiLower, uniqueColumnNames } from "../plan/column-names.ts";

export interface LoadOptions {
  /**
   * Column names and DuckDB types to read the events as, instead of
   * inferring them. Fields not named are dropped; missing ones are NULL.
   * Required when there are no events.
   */
  schema?: Schema;
  /**
   * The events' source format. `csv`: the events are CSV records (fields as text), typed and read
   * as `read_csv` types and reads them (see `loadCsvRecords`), not as `read_json` does.
   */
  format?: SourceFormat;
}

/**
 * Creates (or replaces) table `table` from JSON events, typed by DuckDB's own
 * JSON inference over all of them (`read_json(..., sample_size=-1)`): objects
 * become STRUCT, arrays LIST, ISO date/time text DATE/TIMESTAMP, integers
 * BIGINT, fields of mixed kinds JSON — exactly what DuckDB infers. Returns the
 * table's schema. A `bigint` in an event is written as a bare JSON integer.
 */
export async function loadEvents(db: DuckDB, table: string, events: readonly unknown[], options: LoadOptions = {}): Promise<Schema> {
  if (options.format === "csv") return loadCsvRecords(db, table, events, options.schema);
  const projected = projectKeys(events, options.schema);
  const lines = projected.map((event, i) => {
    try {
      return stringifyJsonLossless(event === undefined ? null : event, { duckdb: true });
    } catch (error) {
      throw new Error(`duckdb: loadEvents(${table}): event ${i} cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
  return loadLines(db, table, lines, options, events);
}

/**
 * Like `loadEvents`, from JSON texts as they arrived (one document each, any
 * layout). A one-line text is given to DuckDB as it is, so DuckDB reads what
 * the sender wrote (`-0.0` keeps its sign, `10.0` stays a double, integers keep
 * every digit); a text on several lines is rewritten on one, losslessly.
 */
export async function loadJsonTexts(db: DuckDB, table: string, texts: readonly string[], options: LoadOptions = {}): Promise<Schema> {
  // Keys DuckDB named otherwise, and a whole-record column, are read from the events as loadEvents reads them (projectKeys):
  // unprojected, a batch of objects alone was read as records, so a whole column held NULL where each record was its value.
  const renames = options.schema?.some((c) => c.key !== undefined || c.whole === true) === true;
  const values: unknown[] = [];
  const lines = texts.map((text, i) => {
    try {
      const value = parseJsonLossless(text, { duckdb: true });
      values.push(value);
      // Keys DuckDB named otherwise are read under their column's name (see projectKeys).
      if (renames) return stringifyJsonLossless(projectKeys([value], options.schema)[0], { duckdb: true });
      if (!/[\n\r]/.test(text)) return text.trim();
      return stringifyJsonLossless(value, { duckdb: true });
    } catch (error) {
      throw new Error(`duckdb: loadJsonTexts(${table}): document ${i} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
  return loadLines(db, table, lines, options, values);
}

/**
 * DuckDB's JSON reader names a table's columns after the events' top-level keys in the order they
 * first appear, but column names are unique regardless of case (`uniqueColumnNames`), and the empty
 * key's column is named by its place (`C1` for the second key). Returns the columns so renamed,
 * column name → key; empty when no two keys differ only in case and none is empty (nearly always).
 */
export function renamedKeys(events: readonly unknown[]): Map<string, string> {
  const order = keyOrder(events);
  const lower = new Set<string>();
  let clash = false;
  for (const key of order) {
    const l = asciiLower(key);
    if (lower.has(l) || key === "") clash = true;
    lower.add(l);
  }
  const renamed = new Map<string, string>();
  if (!clash) return renamed;
  uniqueColumnNames(order.map((key, i) => (key === "" ? `C${i}` : key))).forEach((name, i) => {
    if (name !== order[i]) renamed.set(name, order[i]!);
  });
  return renamed;
}


/** The events' top-level keys in the order they first appear (DuckDB's column order). */
function keyOrder(events: readonly unknown[]): string[] {
  const seen = new Set<string>();
  for (const event of events) {
    if (event === null || typeof event !== "object" || Array.isArray(event)) continue;
    for (const key in event as object) seen.add(key);
  }
  return [...seen];
}

/**
 * Top-level fields where, below the top, an object holds the empty key (`{"p": {"": 1}}`): DuckDB
 * infers a STRUCT with an unnamed field, which no table can hold ("A table cannot be created from
 * an unnamed struct"); after a named key (`{"p": {"x": 1, "": 2}}`) the table is made, but its type
 * prints as `STRUCT(x BIGINT,  BIGINT)`, which no DuckDB reads back (every later step pins it).
 * So is a key holding a NUL (`"a\u0000b"`): no SQL literal can spell it, so no type text names it.
 */
function emptyKeyFields(events: readonly unknown[]): Set<string> {
  const found = new Set<string>();
  const holdsEmptyKey = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(holdsEmptyKey);
    if (v === null || typeof v !== "object" || v instanceof JsonReal) return false;
    return Object.entries(v).some(([key, x]) => key === "" || key.includes("\u0000") || holdsEmptyKey(x));
  };
  for (const event of events) {
    if (event === null || typeof event !== "object" || Array.isArray(event)) continue;
    for (const [field, v] of Object.entries(event)) if (!found.has(field) && holdsEmptyKey(v)) found.add(field);
  }
  return found;
}

/**
 * Top-level fields where, at some depth, objects hold keys that differ only in case (`{"Id": 1}`
 * in one event, `{"id": 2}` in another): DuckDB's inference cannot make a STRUCT of them.
 */
function caseClashingFields(events: readonly unknown[]): Set<string> {
  const keysAt = new Map<string, Map<string, string>>();
  const clashing = new Set<string>();
  const walk = (field: string, path: string, v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(field, `${path}[]`, x);
      return;
    }
    if (v === null || typeof v !== "object" || v instanceof JsonReal) return;
    let seen = keysAt.get(path);
    if (!seen) keysAt.set(path, (seen = new Map()));
    for (const [key, x] of Object.entries(v)) {
      const prior = seen.get(asciiLower(key));
      if (prior !== undefined && prior !== key) clashing.add(field);
      else seen.set(asciiLower(key), key);
      walk(field, `${path}.${asciiLower(key)}`, x);
    }
  };
  for (const event of events) {
    if (event === null || typeof event !== "object" || Array.isArray(event)) continue;
    for (const [field, v] of Object.entries(event)) walk(field, field, v);
  }
  return clashing;
}

/**
 * Events as the pinned `schema` reads them: where a column reads another key (`Column.key`), each
 * event becomes an object of the schema's columns by name, so `read_json(columns = ...)` reads
 * what DuckDB's own inference read. Unchanged without such a column.
 */
function projectKeys(events: readonly unknown[], schema: Schema | undefined): readonly unknown[] {
  if (schema === undefined || !schema.some((c) => c.key !== undefined || c.whole === true)) return events;
  const whole = schema.find((c) => c.whole === true);
  // The whole record under its column's name, which a pinned read_json reads as JSON.
  if (whole !== undefined) return events.map((event) => ({ [whole.name]: event === undefined ? null : event }));
  return events.map((event) => {
    if (event === null || typeof event !== "object" || Array.isArray(event)) return event;
    const out: Record<string, unknown> = {};
    for (const c of schema) {
      const v = (event as Record<string, unknown>)[jsonKey(c)];
      if (v !== undefined) out[c.name] = v;
    }
    return out;
  });
}

/**
 * CSV records (objects of field texts, as the CSV decoders make them) into `table` as `read_csv`
 * reads them: written as one CSV file (every field quoted; NULL an empty field), typed by
 * read_csv's sniffer over all of them, then read with those types pinned, so each field is cast
 * as DuckDB casts text (`" 12 "` and `"007"` are 12 and 7, an empty field NULL), as the plan's
 * CSV conversion does. A DATE or TIMESTAMP column the sniffer read with a format of its own
 * (`%d/%m/%Y`) keeps it as `Column.format`, and is read with it.
 */
async function loadCsvRecords(db: DuckDB, table: string, events: readonly unknown[], schema: Schema | undefined): Promise<Schema> {
  const names: string[] = schema ? schema.map((c) => c.name) : [];
  const keys: string[] = schema ? schema.map(jsonKey) : [];
  if (!schema) {
    for (const event of events) {
      if (event === null || typeof event !== "object" || Array.isArray(event)) continue;
      for (const key in event as object) if (!keys.includes(key)) keys.push(key), names.push(key);
    }
  }
  if (names.length === 0) throw new Error(`duckdb: loadEvents(${table}): no CSV fields and no schema; DuckDB cannot infer columns from nothing`);
  const quote = (v: unknown): string => (v === null || v === undefined ? "" : `"${csvFieldText(v).replaceAll('"', '""')}"`);
  // A record's own fields only: a column named `constructor` or `toString` of a record without it
  // read Object's method, and writing a function as CSV text crashed the check.
  const own = (event: unknown, k: string): unknown => (event !== null && typeof event === "object" && Object.hasOwn(event, k) ? (event as Record<string, unknown>)[k] : null);
  const rows = events.map((event) => keys.map((k) => quote(own(event, k))).join(","));
  const dir = await mkdtemp(join(tmpdir(), "runnel-duckdb-"));
  try {
    const path = join(dir, "records.csv");
    await writeFile(path, `${names.map((n) => `"${n.replaceAll('"', '""')}"`).join(",")}\n${rows.map((r) => `${r}\n`).join("")}`, "utf8");
    const file = quoteString(path);
    const dialect = "header = true, delim = ',', quote = '\"', escape = '\"'";
    let pinned = schema;
    if (!pinned) {
      const sniffed = (await db.read(`SELECT DateFormat, TimestampFormat FROM sniff_csv(${file}, sample_size = -1, ${dialect})`)).getRowObjectsJS()[0] ?? {};
      // A format of the sniffer's own (not ISO 8601, which a cast reads) is kept with its columns.
      const own = (format: unknown): string | undefined => (typeof format === "string" && format !== "" && !format.startsWith("%Y-%m-%d") ? format : undefined);
      const dateFormat = own(sniffed.DateFormat);
      const timestampFormat = own(sniffed.TimestampFormat);
      const inferred = await describeQuery(db, `SELECT * FROM read_csv(${file}, sample_size = -1, ${dialect})`);
      pinned = inferred.map((c) => {
        // read_csv's timestampformat is for TIMESTAMP columns only: a TIMESTAMP WITH TIME ZONE column beside a
        // formatted TIMESTAMP one is still read by the cast (ISO 8601), so it keeps no format.
        const format = c.type === "DATE" ? dateFormat : c.type === "TIMESTAMP" ? timestampFormat : undefined;
        return format === undefined ? c : { ...c, format };
      });
    }
    const columns = `columns = {${pinned.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(", ")}}`;
    const dateFormat = pinned.find((c) => c.type === "DATE" && c.format !== undefined)?.format;
    const timestampFormat = pinned.find((c) => c.type === "TIMESTAMP" && c.format !== undefined)?.format;
    const formats = [dateFormat && `dateformat = ${quoteString(dateFormat)}`, timestampFormat && `timestampformat = ${quoteString(timestampFormat)}`].filter(Boolean).join(", ");
    await db.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${file}, ${dialect}, ${columns}${formats ? `, ${formats}` : ""})`);
    await keepExtras(db, table, pinned);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return describeSource(db, table);
}

/** The comment on a source column that keeps what it reads beyond its type (`Column.key`, `Column.format`) with the table: `runnel: {"key":"ID"}`. */
const COMMENT = "runnel: ";

/**
 * A source table's schema as DESCRIBE prints it, with each column's `key` and `format` where the
 * table was loaded with them (kept as the column's comment).
 */
export async function describeSource(db: DuckDB, table: string): Promise<Schema> {
  const schema = await describeQuery(db, `SELECT * FROM ${quoteIdent(table)}`);
  const comments = (
    await db.read(`SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ${quoteString(table)} AND starts_with(comment, ${quoteString(COMMENT)})`)
  ).getRowObjectsJS();
  if (comments.length === 0) return schema;
  const extra = new Map(comments.map((r) => [String(r.column_name), JSON.parse(String(r.comment).slice(COMMENT.length)) as Pick<Schema[number], "key" | "format" | "whole">]));
  return schema.map((c) => (extra.has(c.name) ? { ...c, ...extra.get(c.name)! } : c));
}

/** Keeps each column's `key` and `format` as its comment (see `describeSource`). */
async function keepExtras(db: DuckDB, table: string, schema: Schema): Promise<void> {
  for (const c of schema) {
    if (c.key === undefined && c.format === undefined && c.whole === undefined) continue;
    const extra = { ...(c.key !== undefined ? { key: c.key } : {}), ...(c.format !== undefined ? { format: c.format } : {}), ...(c.whole !== undefined ? { whole: c.whole } : {}) };
    await db.run(`COMMENT ON COLUMN ${quoteIdent(table)}.${quoteIdent(c.name)} IS ${quoteString(COMMENT + JSON.stringify(extra))}`);
  }
}

async function loadLines(db: DuckDB, table: string, lines: string[], options: LoadOptions, events: readonly unknown[]): Promise<Schema> {
  const { schema } = options;
  if (schema !== undefined && schema.length === 0) throw new Error(`duckdb: loadEvents(${table}): the schema has no columns`);
  if (lines.length === 0 && schema === undefined) {
    throw new Error(`duckdb: loadEvents(${table}): no events and no schema; DuckDB cannot infer columns from nothing`);
  }
  // A record that is only NaN, Infinity or 1e400: DuckDB's inference refuses the whole file for it, naming a line the file
  // does not have ("Malformed JSON ... at byte 1 in line 4"); say which event it is.
  const bare = schema === undefined ? events.findIndex((e) => e instanceof JsonReal && !Number.isFinite(e.value)) : -1;
  if (bare !== -1) {
    const text = (events[bare] as JsonReal).text();
    throw new Error(`duckdb: loadEvents(${table}): event ${bare} is only ${text}, a record DuckDB's JSON reader cannot type (it refuses the whole file: Malformed JSON, unexpected character); leave it out, or put the number in an object ({"value": ${text}})`);
  }
  const dir = await mkdtemp(join(tmpdir(), "runnel-duckdb-"));
  try {
    const path = join(dir, "events.ndjson");
    await writeFile(path, lines.length === 0 ? "" : `${lines.join("\n")}\n`, "utf8");
    const args = [quoteString(path), "format = 'newline_delimited'"];
    const columns = (s: Schema): string => `columns = {${s.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(", ")}}`;
    // map_inference_threshold = -1: objects stay STRUCTs however many distinct keys a mixed stream has (DuckDB would fold them into one MAP).
    if (schema === undefined) args.push("sample_size = -1", "map_inference_threshold = -1");
    // Records, always: with one column and only `{}` events (an event without the key), DuckDB's
    // records = 'auto' reads each object as that column's value and fails ("Failed to cast value to
    // numerical: {}"), where a pipeline reads a NULL. (A `whole` column holds each record as it is.)
    else args.push(columns(schema), ...(schema.some((c) => c.whole === true && c.type === "JSON") ? [] : ["records = 'true'"]));
    const create = (a: string[]) => db.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM read_json(${a.join(", ")})`);
    let inferredAlone = false;
    const emptyKeyed = schema === undefined ? emptyKeyFields(events) : new Set<string>();
    // A top-level key holding a NUL: DuckDB's inference makes its column, but no SQL can name it
    // (every later step pins the columns by name), so it is left out, as no cell could read it.
    const nulNamed = schema === undefined && keyOrder(events).some((k) => k.includes("\u0000"));
    try {
      if (emptyKeyed.size > 0 || nulNamed) throw new EmptyKeyStruct();
      await create(args);
      inferredAlone = schema === undefined;
    } catch (error) {
      // Three ways DuckDB 1.4's inference fails on a sample it typed itself, losing the whole sample
      // for one value: an integer between 2^63 and 2^64 typed BIGINT ("Failed to cast value to
      // numerical"); one timestamp format detected for every column ("Could not parse string
      // "2024-01-01T10:00:00Z" according to format specifier "%Y-%m-%d %H:%M:%S"" when another
      // column holds "2024-01-01 10:00:00"); nested objects whose keys differ only in case
      // ("Duplicate name "id" in struct"); and, a fourth, an object with the empty key below the top
      // ("A table cannot be created from an unnamed struct"). The sample is then read with the inferred types pinned
      // (the wide integers' columns HUGEINT, the clashing objects' columns JSON), so each value is
      // cast as CAST reads it.
      if (schema !== undefined || !(error instanceof Error)) throw error;
      const castFailure = error.message.includes("Failed to cast value to numerical");
      const formatFailure = /Could not parse string .* according to format specifier/.test(error.message);
      const structFailure = /Duplicate name .* in struct/.test(error.message);
      const unnamedFailure = error instanceof EmptyKeyStruct || error.message.includes("A table cannot be created from an unnamed struct");
      if (!castFailure && !formatFailure && !structFailure && !unnamedFailure) throw error;
      const renamed = renamedKeys(events);
      const byKey = new Map([...renamed].map(([name, key]) => [key, name]));
      // Fields holding objects whose keys differ only in case are JSON; the rest as DuckDB infers them without those fields.
      // So are fields holding an object with the empty key, which DuckDB types as a STRUCT no table can hold.
      // Both kinds at once (one field's objects with the empty key, another's with `a` and `A`): DuckDB names only the
      // first it meets, and typing the rest without that one failed on the other, losing the sample.
      const clashing = structFailure || unnamedFailure ? new Set([...emptyKeyed, ...caseClashingFields(events)]) : new Set<string>();
      let described: Schema;
      if (clashing.size > 0) {
        const without = events.map((e) => (e !== null && typeof e === "object" && !Array.isArray(e) ? Object.fromEntries(Object.entries(e).filter(([k]) => !clashing.has(k))) : e));
        const rest = join(dir, "rest.ndjson");
        await writeFile(rest, without.map((e) => `${stringifyJsonLossless(e === undefined ? null : e, { duckdb: true })}\n`).join(""), "utf8");
        const restSchema = new Map((await describeQuery(db, `SELECT * FROM read_json(${[quoteString(rest), ...args.slice(1)].join(", ")})`)).map((c) => [c.name, c.type]));
        // Without the clashing fields a key may no longer be renamed there (`T` beside a clashing `t`).
        const restByKey = new Map([...renamedKeys(without)].map(([name, key]) => [key, name]));
        described = keyOrder(events).flatMap((key) => {
          const name = byKey.get(key) ?? key;
          if (clashing.has(key)) return [{ name, type: "JSON" }];
          const type = restSchema.get(restByKey.get(key) ?? key);
          return type === undefined ? [] : [{ name, type }];
        });
      } else described = await describeQuery(db, `SELECT * FROM read_json(${args.join(", ")})`);
      const inferred = described.map((c) => (renamed.has(c.name) ? { ...c, key: renamed.get(c.name)! } : c));
      const wide = wideIntegerFields(lines);
      const widen = (c: Schema[number]) => wide.has(jsonKey(c)) && /\bBIGINT\b/.test(c.type);
      if (!formatFailure && clashing.size === 0 && !nulNamed && !inferred.some(widen)) throw error;
      const widened = inferred.map((c) => (widen(c) ? { ...c, type: c.type.replace(/\bBIGINT\b/g, "HUGEINT") } : c));
      // The detected format of a type that failed its own inference may not be the cast's either (`25-12-2024` beside `2024-01-02`).
      const pinned = ((await castReadableSchema(db, path, widened)) ?? widened).filter((c) => !jsonKey(c).includes("\u0000"));
      // Pinned columns read keys by name: where DuckDB renamed a key, the events are read under the names.
      if (renamed.size > 0) {
        const projected = projectKeys(events, widened).map((e) => stringifyJsonLossless(e === undefined ? null : e, { duckdb: true }));
        await writeFile(path, projected.length === 0 ? "" : `${projected.join("\n")}\n`, "utf8");
      }
      await create([quoteString(path), "format = 'newline_delimited'", columns(pinned)]);
    }
    if (inferredAlone) {
      // Times read by a format the inference detected that a cast does not read alike are text (see castReadableSchema).
      const renamed = renamedKeys(events);
      const inferred = (await describeQuery(db, `SELECT * FROM ${quoteIdent(table)}`)).map((c) => (renamed.has(c.name) ? { ...c, key: renamed.get(c.name)! } : c));
      if (holdsDetectedTimes(inferred)) {
        let byName = path;
        if (renamed.size > 0) {
          byName = join(dir, "by-name.ndjson");
          await writeFile(byName, projectKeys(events, inferred).map((e) => `${stringifyJsonLossless(e === undefined ? null : e, { duckdb: true })}\n`).join(""), "utf8");
        }
        // The texts are read under each column's key from the events as written (see castReadableSchema).
        const pinned = await castReadableSchema(db, path, inferred, table);
        if (pinned !== undefined) await create([quoteString(byName), "format = 'newline_delimited'", "records = 'true'", columns(pinned)]);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (schema !== undefined) await keepExtras(db, table, schema);
  else {
    // Records that are not all objects with keys: DuckDB's one `json` column is each whole record,
    // and keys that differ only in case have no columns of their own to note.
    const described = await describeQuery(db, `SELECT * FROM ${quoteIdent(table)}`);
    const present = new Set(described.map((c) => c.name));
    const renamed = [...renamedKeys(events)].filter(([name]) => present.has(name));
    if (renamed.length > 0) await keepExtras(db, table, renamed.map(([name, key]) => ({ name, type: "", key })));
    // Records of one kind of scalar (a topic of strings) are that column too, typed by their kind (`json` VARCHAR):
    // unmarked, a pinned read of them asked for records and failed ("Expected OBJECT, but got VARCHAR").
    const records = events.some((e) => e !== null && typeof e === "object" && !Array.isArray(e) && !(e instanceof JsonReal));
    // A record that is a scalar or an array beside objects: DuckDB reads every record whole, even objects with a key `json`
    // (`{"json":1}` beside `5` is the column's `{"json":1}`); unmarked, the pipeline read that key and refused the `5`.
    const values = records && events.some((e) => e !== null && e !== undefined && (typeof e !== "object" || Array.isArray(e) || e instanceof JsonReal));
    if (described.length === 1 && described[0]!.name === "json" && (described[0]!.type === "JSON" || !records) && (values || !keyOrder(events).includes("json"))) {
      await keepExtras(db, table, [{ name: "json", type: described[0]!.type, whole: true }]);
    }
  }
  return describeSource(db, table);
}

/** Events holding an object with the empty key, or a key with a NUL: read as when DuckDB refuses the unnamed struct (see `emptyKeyFields`). */
class EmptyKeyStruct extends Error {
  constructor() {
    super("duckdb: an object with the empty key below the top of an event");
  }
}

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

/** Top-level fields of the events that hold, at any depth, an integer outside BIGINT's range. */
function wideIntegerFields(lines: readonly string[]): Set<string> {
  const wide = (v: JsonValue): boolean => {
    if (typeof v === "bigint") return v < BIGINT_MIN || v > BIGINT_MAX;
    if (Array.isArray(v)) return v.some(wide);
    if (v !== null && typeof v === "object") return Object.values(v).some(wide);
    return false;
  };
  const out = new Set<string>();
  for (const line of lines) {
    const event = parseJsonLossless(line, { duckdb: true });
    if (event === null || typeof event !== "object" || Array.isArray(event)) continue;
    for (const [key, value] of Object.entries(event)) if (!out.has(key) && wide(value)) out.add(key);
  }
  return out;
}

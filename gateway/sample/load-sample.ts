/**
 * A sample's events into a DuckDB table as `read_json` reads the same NDJSON, events whose objects
 * write a key twice (`{"a":1,"a":2}`) included. DuckDB types the records with those events among
 * them (a field holding such an object beside a number is JSON, and keeps both members as written),
 * then refuses a record only where it reads a repeated key into a column: the record's own keys,
 * a STRUCT's. Such a record is an error row in DuckDB's words; the others are rows. Before, every
 * event with a repeated key was an error row, also where DuckDB keeps it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { castReadableSchema, describeQuery, loadEvents, quoteString, stringifyJsonLossless, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { DuplicateKeyError, holdsRepeatedKeys, JsonReal, RepeatedKeys } from "../../edge/duckdb/lossless-json.ts";
import { type RefusedEvent, rereadKeepingRepeats } from "../sources/kept-repeats.ts";
import { renamedKeys } from "../../edge/duckdb/load-events.node.ts";
import { ConvertError, eventConverter } from "../../edge/exec/convert.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { jsonKey, type Schema } from "../../edge/plan/values.ts";
import type { SourceFormat, SourceSpec } from "../../notebook/format/model.ts";
import type { SourceEvent } from "../sources/source.ts";

/** The table's columns as DuckDB typed them, and the events it refused (by index in `events`) with why. */
export interface LoadedSample {
  loaded: Schema;
  refused: Map<number, string>;
}

/**
 * Loads the decoded `events` (values; an object with a repeated key a `RepeatedKeys`) into `table`:
 * typed by DuckDB's inference over all of them, every event DuckDB reads as a row, and in `refused`
 * those it does not, with DuckDB's message. Without a repeated key this is `loadEvents`.
 */
export async function loadSample(db: DuckDB, table: string, events: readonly unknown[], format: SourceFormat | undefined): Promise<LoadedSample> {
  const bare = format === "csv" ? [] : events.flatMap((e, i) => (e instanceof JsonReal && !Number.isFinite(e.value) ? [i] : []));
  if (bare.length === 0) return loadRecords(db, table, events, format);
  // A record that is only NaN, Infinity or 1e400 (a producer serialising a bare float): DuckDB's reader refuses the whole
  // file for it ("Malformed JSON ... unexpected character"), so one such record lost the sample (a 500 naming a line the
  // file did not have). It is an error row, as the pipeline's dead letter, and the other events are the sample.
  const kept = events.flatMap((e, i) => (bare.includes(i) ? [] : [i]));
  const refused = new Map(bare.map((i) => [i, `a record that is only ${(events[i] as JsonReal).text()} is not one DuckDB's JSON reader reads (Malformed JSON: unexpected character); send it inside an object, {"value": ${(events[i] as JsonReal).text()}}`]));
  if (kept.length === 0) return { loaded: [], refused };
  const rest = await loadRecords(db, table, kept.map((i) => events[i]), format);
  for (const [k, why] of rest.refused) refused.set(kept[k]!, why);
  return { loaded: rest.loaded, refused };
}

/** `loadSample` of records DuckDB's reader reads as a file (see `loadSample`). */
async function loadRecords(db: DuckDB, table: string, events: readonly unknown[], format: SourceFormat | undefined): Promise<LoadedSample> {
  const repeating = format === "csv" ? [] : events.flatMap((e, i) => (holdsRepeatedKeys(e) ? [i] : []));
  if (repeating.length === 0) return { loaded: await loadEvents(db, table, events, { format }), refused: new Map() };
  let schema: Schema;
  try {
    // Where every repeated key sits in a JSON field (or in no column), DuckDB reads every event.
    return { loaded: await loadEvents(db, table, events, { format }), refused: new Map() };
  } catch (error) {
    if (error instanceof DuplicateKeyError) {
      // DuckDB could not type the sample itself (a STRUCT of keys differing only in case, integers past BIGINT), and
      // loadEvents' way around that reads the texts again refusing repeats: it types the events by each key's first value.
      schema = oddKeysAsJson(await loadEvents(db, table, events.map(firstMembers), { format }), events);
    } else if (error instanceof Error && /has duplicate key/.test(error.message)) {
      // DuckDB typed the records, then refused one whose repeated key it reads into a column.
      schema = await inferredSchema(db, events);
    } else throw error;
  }
  const refused = new Map<number, string>();
  const convert = eventConverter(schema, defaultLibrary);
  for (const i of repeating) {
    try {
      convert(events[i]);
    } catch (error) {
      // The converter refuses exactly where read_json with these columns does, in its words (edge/exec/repeated-keys.ts).
      if (!(error instanceof ConvertError)) throw error;
      refused.set(i, error.message);
    }
  }
  const kept = events.filter((_, i) => !refused.has(i));
  return { loaded: await loadEvents(db, table, kept, { format, schema }), refused };
}

/**
 * The error events of a sample that the decoder refused only because an object in them writes a
 * key twice, read again with the repeats kept (`RepeatedKeys`), for `loadSample` (and the tail's
 * page) to judge as DuckDB does. The decoder refuses every repeat, as no schema is known where it
 * runs. A source that adds columns of its own (`metadata:`, `headers:`) makes them from the record
 * or delivery, which the error event no longer has: its source keeps the event read again with
 * them (`kept`, gateway/sources/kept-repeats.ts); without that, the event stays an error row.
 */
export function rereadRepeatedKeys(events: readonly SourceEvent[], source: SourceSpec | undefined): SourceEvent[] {
  if (source?.format === "csv") return [...events];
  const columns = addsColumns(source);
  return events.map((event) => {
    if (event.ok) return event;
    const value = columns ? (event as RefusedEvent).kept : rereadKeepingRepeats(event.raw);
    if (value === undefined) return event;
    return { ok: true, value, receivedAt: event.receivedAt, ...(event.meta ? { meta: event.meta } : {}) };
  });
}

function addsColumns(source: SourceSpec | undefined): boolean {
  if (source?.kind === "kafka") return (source.metadata?.length ?? 0) > 0;
  if (source?.kind === "webhook") return (source.metadata?.length ?? 0) > 0 || (source.headers?.length ?? 0) > 0;
  return false;
}

/** `value` with each object that writes a key twice as a plain object of each key's first value (the one DuckDB reads). */
function firstMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(firstMembers);
  if (!(value instanceof RepeatedKeys)) {
    if (value === null || typeof value !== "object" || !Object.values(value).some(holdsRepeatedKeys)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, firstMembers(v)]));
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of RepeatedKeys.members(value)) {
    if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value: firstMembers(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The columns DuckDB's `read_json` infers for the events as written (repeated keys and all), as `loadEvents` reads them. */
async function inferredSchema(db: DuckDB, events: readonly unknown[]): Promise<Schema> {
  const dir = await mkdtemp(join(tmpdir(), "runnel-sample-"));
  try {
    const path = join(dir, "events.ndjson");
    await writeFile(path, events.map((e) => `${stringifyJsonLossless(e === undefined ? null : e, { duckdb: true })}\n`).join(""), "utf8");
    const described = await describeQuery(db, `SELECT * FROM read_json(${quoteString(path)}, format = 'newline_delimited', sample_size = -1, map_inference_threshold = -1)`);
    // Keys that differ only in case: the pinned columns read the key under its own spelling (`A_1` reads `A`).
    const renamed = renamedKeys(events);
    const keyed = oddKeysAsJson(renamed.size === 0 ? described : described.map((c) => (renamed.has(c.name) ? { ...c, key: renamed.get(c.name)! } : c)), events);
    // Times DuckDB detected by a format a cast does not read are text, as loadEvents types them (a renamed column's read under its key).
    return (await castReadableSchema(db, path, keyed)) ?? keyed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The columns as `loadEvents` types the same events: a field holding, below the top, an object with the
 * empty key or a key with a NUL is JSON (DuckDB's type text for it, `STRUCT(x BIGINT,  BIGINT)`, is read
 * back by no DuckDB, so pinning it failed the whole sample), and a top-level key with a NUL, which no SQL
 * can name, is no column. `loadEvents` finds such keys in the values JSON.parse keeps; here they are also
 * looked for in every member of an object that writes a key twice (`{"p":{"x":1},"p":{"":2}}`), which DuckDB
 * types from all of them.
 */
function oddKeysAsJson(schema: Schema, events: readonly unknown[]): Schema {
  const odd = oddKeyFields(events);
  if (odd.size === 0 && !schema.some((c) => jsonKey(c).includes("\u0000"))) return schema;
  return schema.flatMap((c) => (jsonKey(c).includes("\u0000") ? [] : odd.has(jsonKey(c)) && c.type !== "JSON" ? [{ ...c, type: "JSON" }] : [c]));
}

/** Each member of an object as written: every one of an object with a repeated key, else its entries. */
function membersOf(value: object): readonly (readonly [string, unknown])[] {
  return value instanceof RepeatedKeys ? RepeatedKeys.members(value) : Object.entries(value);
}

/** Top-level fields where, below the top, an object (any member of one with a repeated key) holds the empty key or a key with a NUL. */
function oddKeyFields(events: readonly unknown[]): Set<string> {
  const holdsOddKey = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(holdsOddKey);
    if (v === null || typeof v !== "object" || v instanceof JsonReal) return false;
    return membersOf(v).some(([key, x]) => key === "" || key.includes("\u0000") || holdsOddKey(x));
  };
  const found = new Set<string>();
  for (const event of events) {
    if (event === null || typeof event !== "object" || Array.isArray(event) || event instanceof JsonReal) continue;
    for (const [field, v] of membersOf(event)) if (!found.has(field) && holdsOddKey(v)) found.add(field);
  }
  return found;
}

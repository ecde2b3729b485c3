/**
 * A Kafka record's metadata as columns of its events (`kafka: { metadata: ... }`):
 * `_key`, `_timestamp`, `_partition`, `_offset`, `_topic`, `_headers`. The
 * notebook's Kafka source (gateway/sources/kafka-source.ts), its demo stand-in
 * and the runner's partition engine all add them here, so the sample DuckDB
 * types and the rows the pipeline writes hold the same values.
 *
 * Each value is JSON DuckDB's `read_json` infers one type for:
 * - `_key`: the key's UTF-8 text (VARCHAR); a null key is NULL.
 * - `_timestamp`: `YYYY-MM-DD HH:MM:SS.mmm`, UTC (TIMESTAMP; the ISO form with `T`
 *   infers VARCHAR); NULL when the record carries no date in 1970–9999 (-1: none).
 * - `_partition`, `_offset`: integers (BIGINT, as read_json types every integer).
 * - `_topic`: text (VARCHAR).
 * - `_headers`: `[{ key, value }]` (LIST of STRUCT(key VARCHAR, value VARCHAR)), value
 *   NULL for a null header value.
 * A key or header value that is not UTF-8, or an event that already has a field of a
 * column's name, is not an event: the caller makes it a dead letter with the reason.
 */
import type { KafkaMetadataField } from "../../notebook/format/model.ts";
import type { SourceEvent } from "../../gateway/sources/source.ts";
import { stringifyJsonLossless } from "../duckdb/lossless-json.ts";
import type { Schema } from "../plan/values.ts";
import type { KafkaOrigin, LetterOrigin } from "../sinks/dead-letter.ts";

/** Each field's column and the DuckDB type its values are inferred as when the sample has any. */
export const METADATA_COLUMNS: Readonly<Record<KafkaMetadataField, { name: string; type: string }>> = {
  key: { name: "_key", type: "VARCHAR" },
  timestamp: { name: "_timestamp", type: "TIMESTAMP" },
  partition: { name: "_partition", type: "BIGINT" },
  offset: { name: "_offset", type: "BIGINT" },
  topic: { name: "_topic", type: "VARCHAR" },
  headers: { name: "_headers", type: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]' },
};

/**
 * `schema` (DuckDB's inference over a sample) with the metadata columns typed as `METADATA_COLUMNS`
 * says, or null when inference gave those types already. It does not when no sampled record has a
 * key (every `_key` NULL: JSON) or a header (every `_headers` empty: JSON[]); loading the sample
 * again with the schema this gives keeps the column's type whatever the sample held.
 */
export function pinnedMetadataSchema(schema: Schema, fields: readonly KafkaMetadataField[]): Schema | null {
  let changed = false;
  const pinned = schema.map((column) => {
    const field = fields.find((f) => METADATA_COLUMNS[f].name === column.name);
    if (field === undefined || column.type === METADATA_COLUMNS[field].type) return column;
    changed = true;
    return { ...column, type: METADATA_COLUMNS[field].type };
  });
  return changed ? pinned : null;
}

/** A record as the columns need it; headers as kafkajs decodes them (a repeated name's values in a list). */
export interface RecordMetadata {
  key: Uint8Array | null;
  /** Milliseconds since 1970 (CreateTime, or the broker's time on a LogAppendTime topic), as the record has it. */
  timestamp: number;
  partition: number;
  offset: bigint;
  topic: string;
  headers: Readonly<Record<string, Uint8Array | null | undefined | readonly (Uint8Array | null)[]>> | undefined;
}

/** The columns of one record, or why they cannot be made. */
export type MetadataColumns = { ok: true; columns: [string, unknown][] } | { ok: false; error: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The last millisecond whose text form has a four-digit year (9999-12-31 23:59:59.999). */
const LAST_MS = 253_402_300_799_999;

/** `YYYY-MM-DD HH:MM:SS.mmm` (UTC) of `ms`, or null when it is no date in 1970–9999. */
export function metadataTime(ms: number): string | null {
  if (!Number.isInteger(ms) || ms < 0 || ms > LAST_MS) return null;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function text(bytes: Uint8Array, what: string): string | { error: string } {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const hex = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
    return { error: `kafka: the record's ${what} is not UTF-8 text (bytes ${hex}${bytes.length > 16 ? "…" : ""}); leave it out of metadata: to read this topic` };
  }
}

/** The columns `fields` give for `record`, in the order of `fields`. */
export function metadataColumns(fields: readonly KafkaMetadataField[], record: RecordMetadata): MetadataColumns {
  const columns: [string, unknown][] = [];
  for (const field of fields) {
    switch (field) {
      case "key": {
        if (record.key === null) {
          columns.push(["_key", null]);
          break;
        }
        const key = text(record.key, "key");
        if (typeof key !== "string") return { ok: false, ...key };
        columns.push(["_key", key]);
        break;
      }
      case "timestamp":
        columns.push(["_timestamp", metadataTime(record.timestamp)]);
        break;
      case "partition":
        columns.push(["_partition", record.partition]);
        break;
      case "offset":
        columns.push(["_offset", record.offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(record.offset) : record.offset]);
        break;
      case "topic":
        columns.push(["_topic", record.topic]);
        break;
      case "headers": {
        const headers: { key: string; value: string | null }[] = [];
        for (const [name, values] of Object.entries(record.headers ?? {})) {
          for (const value of Array.isArray(values) ? values : [values]) {
            if (value === null || value === undefined) {
              headers.push({ key: name, value: null });
              continue;
            }
            const decoded = text(value as Uint8Array, `header ${JSON.stringify(name)}`);
            if (typeof decoded !== "string") return { ok: false, ...decoded };
            headers.push({ key: name, value: decoded });
          }
        }
        columns.push(["_headers", headers]);
        break;
      }
    }
  }
  return { ok: true, columns };
}

/**
 * `event` with the columns added after its own fields, or why not: an event that already has a
 * field of a column's name (DuckDB's names ignore case, so `_KEY` too) keeps it and is refused,
 * never overwritten. A JSON null (a row of NULLs to DuckDB) gets the columns alone; any other event
 * that is not an object is given back as it is: the pipeline refuses it as it does without
 * metadata ("event is a number, not a JSON object").
 */
export function addMetadata(event: unknown, columns: readonly [string, unknown][]): { ok: true; value: unknown } | { ok: false; error: string } {
  // A record that is JSON null is a row of NULLs to DuckDB: its metadata is still known.
  if (event === null) return { ok: true, value: Object.fromEntries(columns) };
  if (typeof event !== "object" || Array.isArray(event)) return { ok: true, value: event };
  const target = event as Record<string, unknown>;
  for (const name in target) {
    if (name.charCodeAt(0) !== 0x5f || !Object.hasOwn(target, name)) continue;
    const lower = name.toLowerCase();
    const clash = columns.find(([column]) => column === lower);
    if (clash) {
      return { ok: false, error: `kafka: the event already has a field ${name}, and metadata: ${clash[0].slice(1)} adds the column ${clash[0]}; rename the field in the producer, or leave ${clash[0].slice(1)} out of metadata:` };
    }
  }
  for (const [name, value] of columns) target[name] = value;
  return { ok: true, value: target };
}

/** The event's text in a dead letter: as the dead letters of the executor write an event (see `executorLetter`). */
export function eventText(event: unknown): string {
  return stringifyJsonLossless(event, { duckdb: true });
}

/**
 * A source's decoded events of one record with the record's columns added: an event that
 * cannot take them becomes an error event saying why; error events stay as they are.
 */
export function withRecordMetadata(events: SourceEvent[], fields: readonly KafkaMetadataField[], record: RecordMetadata): SourceEvent[] {
  const made = metadataColumns(fields, record);
  return events.map((event) => {
    if (!event.ok) return event;
    if (!made.ok) return { ok: false, raw: eventText(event.value), error: made.error, receivedAt: event.receivedAt, ...(event.meta ? { meta: event.meta } : {}) };
    const added = addMetadata(event.value, made.columns);
    if (added.ok) return { ...event, value: added.value };
    return { ok: false, raw: eventText(event.value), error: added.error, receivedAt: event.receivedAt, ...(event.meta ? { meta: event.meta } : {}) };
  });
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function unbase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * What a dead letter keeps of `record` (its `origin`, dead-letter.ts): the fields `fields` select,
 * the key and header values as base64 of their bytes, so a replay gives `metadataColumns` the
 * record it had (a key that is not UTF-8 is refused again, for the same reason).
 */
export function kafkaOrigin(fields: readonly KafkaMetadataField[], record: RecordMetadata): LetterOrigin {
  const kept: KafkaOrigin = {};
  for (const field of fields) {
    if (field === "key") kept.key = record.key === null ? null : base64(record.key);
    else if (field === "timestamp") kept.timestamp = record.timestamp;
    else if (field === "partition") kept.partition = record.partition;
    else if (field === "offset") kept.offset = record.offset.toString();
    else if (field === "topic") kept.topic = record.topic;
    else {
      kept.headers = [];
      for (const [name, values] of Object.entries(record.headers ?? {})) {
        for (const value of Array.isArray(values) ? values : [values]) kept.headers.push([name, value === null || value === undefined ? null : base64(value as Uint8Array)]);
      }
    }
  }
  return { v: 1, kafka: kept };
}

/**
 * The record a dead letter's origin describes, and the fields it holds (in `METADATA_COLUMNS`
 * order): the fields of the source that wrote the letter. A field it does not hold is given a
 * stand-in no column is made from.
 */
export function originRecord(kept: KafkaOrigin): { fields: KafkaMetadataField[]; record: RecordMetadata } {
  const fields = (Object.keys(METADATA_COLUMNS) as KafkaMetadataField[]).filter((f) => kept[f] !== undefined);
  const headers: Record<string, (Uint8Array | null)[]> = {};
  for (const [name, value] of kept.headers ?? []) (headers[name] ??= []).push(value === null ? null : unbase64(value));
  return {
    fields,
    record: {
      key: kept.key === undefined || kept.key === null ? null : unbase64(kept.key),
      timestamp: kept.timestamp ?? -1,
      partition: kept.partition ?? -1,
      offset: BigInt(kept.offset ?? "-1"),
      topic: kept.topic ?? "",
      headers,
    },
  };
}

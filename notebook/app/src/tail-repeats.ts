/**
 * Tail events with an object that writes a key twice (`{"a":1,"a":2}`), judged as the notebook's
 * sample judges them (`gateway/sample/load-sample.ts`) and as the pipeline reads them: DuckDB's
 * `read_json` refuses such an event only where it reads the repeated key into a column (the record's
 * keys, a STRUCT's), in its words; elsewhere it keeps the object, a JSON or VARCHAR column holding
 * every member as written. The gateway sends such events among the others and says how many
 * (`repeats`); here they are read with the repeats kept and judged against the table's columns.
 * Before, the tail showed every one as an error, where the sample and the pipeline had rows.
 */
import { DataType, type Field, type Schema } from "apache-arrow";
import { holdsRepeatedKeys, parseJsonLossless, RepeatedKeys } from "../../../edge/duckdb/lossless-json.ts";
import { jsonText } from "../../../edge/exec/convert.ts";
import { type KeyedField, repeatedKeysVerdict } from "../../../edge/exec/repeated-keys.ts";
import { parseType } from "../../../edge/plan/type-text.ts";

/**
 * A tail batch's text with every member of an object that writes a key twice kept (`RepeatedKeys`);
 * integers past 2^53 are bigints and reals with an integral value `JsonReal`s, as `parseTailJson` reads them.
 */
export function parseTailJsonKeepingRepeats(text: string): unknown {
  return parseJsonLossless(text, { duckdb: true, repeatedKeys: "keep" });
}

/** A batch's events as the table takes them, and the reasons of those DuckDB refuses. */
export interface JudgedEvents {
  rows: unknown[];
  refused: string[];
}

/**
 * Each event that writes a key twice judged against the table's columns (`duckdb.type` and
 * `runnel.key` of each field, as the sample sent them): refused in the sample's words
 * (`decode: Object {"a":1,"a":2} has duplicate key "a"`), or a row whose text columns hold
 * every member (`{"x":1,"x":2}`). The other events pass as they are.
 */
export function judgeRepeats(schema: Schema, events: readonly unknown[], added: readonly string[] = []): JudgedEvents {
  const fields = keyedFields(schema);
  const rows: unknown[] = [];
  const refused: string[] = [];
  for (const written of events) {
    if (written === null || typeof written !== "object" || !holdsRepeatedKeys(written)) {
      rows.push(written);
      continue;
    }
    const event = withColumnsApart(written, added);
    // A value that does not fit its column is NULL in the tail (eventsToArrow), so only the repeat is a refusal here.
    const verdict = repeatedKeysVerdict(event, fields, () => () => null, jsonText);
    if (verdict !== null) refused.push(`decode: ${verdict}`);
    else rows.push(Object.fromEntries(schema.fields.map((f) => [keyOf(f), tookWhole(f) ? (event as Record<string, unknown>)[keyOf(f)] : asTaken((event as Record<string, unknown>)[keyOf(f)], f.type)])));
  }
  return { rows, refused };
}

/**
 * A record whose source added columns (`added`: `_delivery_id`, `_key`, …) after its members, as the
 * source made it: the columns are fields beside the members, not members, so DuckDB's words name the
 * object as the sender wrote it. (A record of its own with such a field was refused by the source.)
 */
function withColumnsApart(event: object, added: readonly string[]): object {
  if (added.length === 0 || !(event instanceof RepeatedKeys)) return event;
  const members = RepeatedKeys.members(event);
  const record = new RepeatedKeys(members.filter(([key]) => !added.includes(key))) as unknown as Record<string, unknown>;
  for (const [key, value] of members) if (added.includes(key)) record[key] = value;
  return record;
}

/** A top-level JSON column: `eventsToArrow` prints its values' JSON text itself, repeated members kept. */
function tookWhole(field: Field): boolean {
  return field.metadata.get("duckdb.type") === "JSON";
}

function keyOf(field: Field): string {
  return field.metadata.get("runnel.key") ?? field.name;
}

/** The table's columns as the event converter's fields: the event key each reads and DuckDB's type. */
function keyedFields(schema: Schema): KeyedField[] {
  return schema.fields.flatMap((f) => {
    const type = f.metadata.get("duckdb.type");
    return type === undefined ? [] : [{ key: keyOf(f), type: parseType(type) }];
  });
}

/** `value` with each object that writes a key twice, where a text column takes it, as its JSON text with every member. */
function asTaken(value: unknown, type: DataType): unknown {
  if (value === null || typeof value !== "object" || !holdsRepeatedKeys(value)) return value;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return jsonText(value);
  if (DataType.isList(type)) {
    const child = type.children[0];
    return Array.isArray(value) && child !== undefined ? value.map((item) => asTaken(item, child.type)) : value;
  }
  if (DataType.isStruct(type) && !Array.isArray(value)) {
    return Object.fromEntries((type.children as Field[]).map((child) => [child.name, asTaken((value as Record<string, unknown>)[child.name], child.type)]));
  }
  return value;
}

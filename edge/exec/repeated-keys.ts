/**
 * DuckDB's verdict on an event with an object that writes a key twice (`RepeatedKeys`), read
 * against a pinned schema as `read_json(..., columns = {...})` reads it. DuckDB converts a record
 * column by column: at each STRUCT (the record too) it first looks at every object there, then
 * converts each field in the schema's order, and the message it reports is the last one set.
 * An object there whose keys repeat one of the STRUCT's fields sets `Object {...} has duplicate
 * key "k"` unless an earlier object there (a list's earlier element) set an error already; a
 * value that does not convert sets its own, the last such in a column winning. Checked against
 * read_json in repeated-keys.node.test.ts. Only events that repeat a key and read it come here,
 * so the walk need not be fast.
 */
import { REPEATED, RepeatedKeys, shown } from "../duckdb/duplicate-keys.ts";
import { JsonReal } from "../duckdb/lossless-json.ts";
import type { TypeNode } from "../plan/type-text.ts";

/** A field of a STRUCT or of the record: the event's key and the column's type. */
export interface KeyedField {
  key: string;
  type: TypeNode;
}

/** A value at a place in the event, named as the converter names it (`a`, `a.b`, `a[0]`). */
interface Placed {
  value: unknown;
  path: string;
}

/**
 * The message DuckDB gives for `event` (an object), or null when it reads the event. `refusal`
 * gives, for a type, the event converter's error message for a value at a path (null when it
 * converts), which stands for DuckDB's; `jsonText` writes an object as yyjson does.
 */
export function repeatedKeysVerdict(event: object, fields: readonly KeyedField[], refusal: (t: TypeNode) => (raw: unknown, path: string) => string | null, jsonText: (v: unknown) => string): string | null {
  let message: string | null = null;

  const objects = (values: readonly Placed[], structFields: readonly KeyedField[], type: TypeNode | null): void => {
    let set = false;
    for (const { value, path } of values) {
      if (set) break;
      if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof JsonReal) {
        // Not an object where a STRUCT is read (never the record: the converter refused it before).
        message = refusal(type!)(value, path) ?? message;
        set = true;
      } else if (value instanceof RepeatedKeys) {
        const key = repeatedField(value, structFields);
        if (key !== null) {
          const words = `Object ${shown(jsonText(value))} has duplicate key "${key}"`;
          message = type === null ? words : `field ${path}: ${words}`;
          set = true;
        }
      }
    }
    for (const field of structFields) {
      const children: Placed[] = [];
      for (const { value, path } of values) {
        if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof JsonReal) continue;
        const child = firstValue(value as Record<string, unknown>, field.key);
        if (child !== undefined && child !== null) children.push({ value: child, path: type === null ? field.key : `${path}.${field.key}` });
      }
      column(children, field.type);
    }
  };

  const column = (values: readonly Placed[], type: TypeNode): void => {
    if (values.length === 0) return;
    switch (type.kind) {
      case "struct":
        return objects(values, type.fields.map((f) => ({ key: f.name, type: f.type })), type);
      case "list":
      case "array": {
        const elements: Placed[] = [];
        let set = false;
        for (const { value, path } of values) {
          if (!Array.isArray(value)) {
            if (!set) message = refusal(type)(value, path) ?? message;
            set = true;
            continue;
          }
          value.forEach((x, i) => x !== null && x !== undefined && elements.push({ value: x, path: `${path}[${i}]` }));
        }
        return column(elements, type.child);
      }
      case "map": {
        const entries: Placed[] = [];
        let set = false;
        for (const { value, path } of values) {
          if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof JsonReal) {
            if (!set) message = refusal(type)(value, path) ?? message;
            set = true;
            continue;
          }
          const members = value instanceof RepeatedKeys ? RepeatedKeys.members(value) : Object.entries(value);
          for (const [k, x] of members) if (x !== null && x !== undefined) entries.push({ value: x, path: `${path}.${k}` });
        }
        return column(entries, type.value);
      }
      default: {
        const refuses = refusal(type);
        for (const { value, path } of values) message = refuses(value, path) ?? message;
      }
    }
  };

  objects([{ value: event, path: "" }], fields, null);
  return message;
}

/** The first field of `fields` the object writes twice, in the order its members are written. */
function repeatedField(object: RepeatedKeys, fields: readonly KeyedField[]): string | null {
  const names = new Set(fields.map((f) => f.key));
  const seen = new Set<string>();
  for (const [key] of RepeatedKeys.members(object)) {
    if (!names.has(key)) continue;
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return null;
}

/** The value DuckDB reads for `key`: the object's own, the first one written when it repeats. */
function firstValue(object: Record<string, unknown>, key: string): unknown {
  if (!Object.hasOwn(object, key)) return undefined;
  const value = object[key];
  return value === REPEATED ? RepeatedKeys.members(object as unknown as RepeatedKeys).find(([k]) => k === key)![1] : value;
}

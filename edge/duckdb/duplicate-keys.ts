/**
 * Objects with a key written twice. JSON.parse keeps the last value without a word; DuckDB's
 * `read_json` keeps every member and refuses the record only where it reads such an object into
 * columns and the repeated key is one of them ("Object {"a":1,"a":2} has duplicate key "a"": the
 * record, a STRUCT field). An object in a JSON or VARCHAR column keeps both members as written, a
 * MAP both entries, and a repeated key no column names is never looked at. The event parsers
 * (`parseEventJson`, `parseJsonFast`) check every event cheaply against the keys JSON.parse kept
 * (`keysAllKept`); only a text that does repeat a key is parsed again into `RepeatedKeys`, for the
 * event converter to judge against the schema, or refused where no schema is known (the gateway's
 * sample, which DuckDB types itself and refuses).
 */
import { SqlError } from "../exec/functions/contract.ts";
import { parseJson as parseJsonText, writeJson, type Json } from "../exec/functions/json-text.ts";

/** An event DuckDB's JSON reader refuses because an object in it has a key twice; the message is DuckDB's. */
export class DuplicateKeyError extends Error {
  override name = "DuplicateKeyError";
}

/**
 * What an object that writes a key twice holds under that key (see `RepeatedKeys`). Not a JSON
 * value of any kind, so every converter refuses it on the path it refuses an unreadable value on,
 * and the values it reads cost nothing more.
 */
export const REPEATED: unique symbol = Symbol("runnel: a key written twice");

/**
 * An object whose text writes a key more than once. Its own properties are those of a plain
 * parsed object, so reading one costs what it always does: a key written once holds its value,
 * a repeated key `REPEATED`, which no converter reads (DuckDB refuses a repeated key it reads
 * into a column). Every member, in the order written, is kept for a JSON or VARCHAR column's text
 * and a MAP (`RepeatedKeys.members`). Nothing is on the prototype but Object's, so a field named
 * like a method still reads the event's own value or nothing.
 */
export class RepeatedKeys {
  readonly #members: readonly (readonly [string, unknown])[];

  constructor(members: readonly (readonly [string, unknown])[]) {
    this.#members = members;
    const self = this as unknown as Record<string, unknown>;
    for (const [key, value] of members) {
      // defineProperty so a key named "__proto__" is data, as in JSON.parse.
      Object.defineProperty(self, key, { value: Object.hasOwn(self, key) ? REPEATED : value, enumerable: true, writable: true, configurable: true });
    }
  }

  /** Every member of the object as written, repeats included. */
  static members(object: RepeatedKeys): readonly (readonly [string, unknown])[] {
    return object.#members;
  }
}

/** Whether an object anywhere in `value` writes a key twice (is a `RepeatedKeys`). */
export function holdsRepeatedKeys(value: unknown): boolean {
  if (value instanceof RepeatedKeys) return true;
  if (Array.isArray(value)) return value.some(holdsRepeatedKeys);
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).some(holdsRepeatedKeys);
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Whether `text` (JSON that parsed) writes exactly `kept` keys, the number JSON.parse's value has
 * summed over its objects: then no object repeats a key. The quick count takes each colon right
 * after a quote as a key; it may count more (a `\\":` inside a string) but never fewer, unless a key
 * has whitespace before its colon (`"a" : 1`), which sends the text to the exact count.
 */
export function keysAllKept(text: string, kept: number): boolean {
  if (kept === 0) return true; // a written key leaves at least one kept
  let quick = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) {
    const c = text.charCodeAt(i - 1);
    if (c === 0x22) quick++;
    else if (isSpace(c)) {
      let j = i - 2;
      while (isSpace(text.charCodeAt(j))) j--;
      if (text.charCodeAt(j) === 0x22) return keysWritten(text) === kept;
    }
  }
  return quick === kept || keysWritten(text) === kept;
}

/** The keys `text` writes: strings followed by a colon, found string by string (each stepped over with indexOf). */
function keysWritten(text: string): number {
  let n = 0;
  for (let open = text.indexOf('"'); open !== -1; ) {
    let close = text.indexOf('"', open + 1);
    for (; close !== -1; close = text.indexOf('"', close + 1)) {
      let slashes = 0;
      while (text.charCodeAt(close - 1 - slashes) === 0x5c) slashes++;
      if (slashes % 2 === 0) break;
    }
    if (close === -1) return n;
    let j = close + 1;
    while (isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 0x3a) n++;
    open = text.indexOf('"', j);
  }
  return n;
}

const UTF8 = new TextEncoder();
const UTF8_LOSSY = new TextDecoder();

/**
 * DuckDB's words for an object in `text` with a repeated key: `Object {"a":1,"a":2} has duplicate
 * key "a"`, the object as yyjson writes it, cut after 50 bytes with `...`, and of its keys the
 * first one seen again. Of several such objects DuckDB names the last it turns into columns: an
 * object before the objects inside it, in key order, a repeated key's first value only (checked
 * against read_json). Null when no object repeats a key.
 */
export function duplicateKeyReason(text: string): string | null {
  let root: Json;
  try {
    root = parseJsonText(text);
  } catch (error) {
    // Nested past the stack, or read by the caller's parser where this one refuses it: no object shown.
    if (error instanceof RangeError || error instanceof SqlError) return "Object has duplicate key";
    throw error;
  }
  let reason: string | null = null;
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.t === "arr") {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]!);
      continue;
    }
    if (node.t !== "obj") continue;
    const first = new Map<string, Json>();
    let repeated: string | null = null;
    for (const [key, value] of node.entries) {
      if (!first.has(key)) first.set(key, value);
      else repeated ??= key;
    }
    if (repeated !== null) reason = `Object ${shown(writeJson(node))} has duplicate key "${repeated}"`;
    const children = [...first.values()];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return reason;
}

/** A value's JSON text as DuckDB's JSON errors show it: its first 50 bytes and `...` when longer. */
export function shown(text: string): string {
  const bytes = UTF8.encode(text);
  return bytes.length <= 50 ? text : `${UTF8_LOSSY.decode(bytes.subarray(0, 50))}...`;
}

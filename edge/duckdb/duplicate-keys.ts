/**
 * Objects with a key written twice. DuckDB's `read_json` refuses such a record ("Object {"a":1,"a":2}
 * has duplicate key "a"") where JSON.parse keeps the last value without a word; the event parsers
 * (`parseEventJson`, `parseJsonFast`) check every event cheaply against the keys JSON.parse kept.
 */
import { SqlError } from "../exec/functions/contract.ts";
import { parseJson as parseJsonText, writeJson, type Json } from "../exec/functions/json-text.ts";

/** An event DuckDB's JSON reader refuses because an object in it has a key twice; the message is DuckDB's. */
export class DuplicateKeyError extends Error {
  override name = "DuplicateKeyError";
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

/** A value as DuckDB's JSON errors show it: its first 50 bytes and `...` when longer. */
function shown(text: string): string {
  const bytes = UTF8.encode(text);
  return bytes.length <= 50 ? text : `${UTF8_LOSSY.decode(bytes.subarray(0, 50))}...`;
}

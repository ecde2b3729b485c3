/**
 * JSON that keeps integers exact. DuckDB prints BIGINT and HUGEINT constants,
 * and `query_location`'s "no location" (2^64 - 1), as bare JSON integers;
 * `JSON.parse` would round them to the nearest double. Here an integer
 * literal outside ±(2^53 - 1) becomes a `bigint`, and a `bigint` is written
 * back as a bare integer. Everything else follows `JSON.parse` / `JSON.stringify`.
 */

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * True when a parsed JSON value holds a number that is an integer beyond 2^53 in magnitude:
 * JSON.parse rounded it, or the text wrote a large float (`1e300`), and only the exact parser
 * can tell which. Checking the parsed value costs less than scanning the text for long digit runs.
 */
export function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === "number") return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasUnsafeInteger(v)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  // for-in over a parsed object (own keys only: JSON.parse makes plain objects) allocates no key list.
  for (const key in object) if (hasUnsafeInteger(object[key])) return true;
  return false;
}

/**
 * One `JSON.parse` of `text`, or undefined when only the exact parser can answer: the text is
 * not JSON (its error message and position), or it holds an integer past 2^53 (which JSON.parse
 * rounded). The cheap path for event payloads, which rarely hold either.
 */
export function parseJsonFast(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  return hasUnsafeInteger(value) ? undefined : value;
}

/** Parses JSON text; integers beyond 2^53 - 1 in magnitude come back as `bigint`. */
export function parseJsonLossless(text: string): JsonValue {
  let at = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`json: ${what} at offset ${at}`);
  };
  const skip = (): void => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.exec(text);
    at = WHITESPACE.lastIndex;
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (!text.startsWith(word, at)) fail(`unexpected character ${JSON.stringify(text[at])}`);
    at += word.length;
    return value;
  };

  const value = (): JsonValue => {
    skip();
    const c = text[at];
    if (c === "{") {
      at++;
      const object: { [key: string]: JsonValue } = {};
      skip();
      if (text[at] === "}") {
        at++;
        return object;
      }
      for (;;) {
        skip();
        if (text[at] !== '"') fail("expected a string key");
        const key = string();
        skip();
        if (text[at] !== ":") fail("expected ':'");
        at++;
        // defineProperty so a key named "__proto__" is data, as in JSON.parse.
        Object.defineProperty(object, key, { value: value(), enumerable: true, writable: true, configurable: true });
        skip();
        if (text[at] === ",") at++;
        else if (text[at] === "}") {
          at++;
          return object;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      at++;
      const array: JsonValue[] = [];
      skip();
      if (text[at] === "]") {
        at++;
        return array;
      }
      for (;;) {
        array.push(value());
        skip();
        if (text[at] === ",") at++;
        else if (text[at] === "]") {
          at++;
          return array;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (match === null) return fail(c === undefined ? "unexpected end of input" : `unexpected character ${JSON.stringify(c)}`);
    at = NUMBER.lastIndex;
    const token = match[0];
    if (INTEGER.test(token)) {
      const n = Number(token);
      if (!Number.isSafeInteger(n)) return BigInt(token);
      return n;
    }
    return Number(token);
  };

  const string = (): string => {
    STRING.lastIndex = at;
    const match = STRING.exec(text);
    if (match === null) return fail("malformed string");
    at = STRING.lastIndex;
    return JSON.parse(match[0]) as string;
  };

  const result = value();
  skip();
  if (at !== text.length) fail("unexpected text after the JSON value");
  return result;
}

/**
 * `JSON.stringify` without indentation, except that a `bigint` is written as
 * a bare integer (JSON.stringify throws on one). Values JSON cannot hold
 * (`undefined`, functions, symbols) are left out of objects and become `null`
 * in arrays; NaN and ±Infinity become `null`, as JSON.stringify does.
 */
export function stringifyJsonLossless(value: unknown): string {
  // JSON.stringify is an order of magnitude faster; it throws a TypeError on a
  // bigint (and on a cycle), and only then is the slow path needed.
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  return stringifySlowly(value);
}

function stringifySlowly(value: unknown): string {
  const out: string[] = [];
  const open = new Set<object>();

  const write = (v: unknown, inArray: boolean): boolean => {
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    switch (typeof v) {
      case "bigint":
        out.push(v.toString());
        return true;
      case "number":
        out.push(Number.isFinite(v) ? JSON.stringify(v) : "null");
        return true;
      case "string":
      case "boolean":
        out.push(JSON.stringify(v));
        return true;
      case "undefined":
      case "function":
      case "symbol":
        if (inArray) out.push("null");
        return inArray;
    }
    if (v === null) {
      out.push("null");
      return true;
    }
    const object = v as object;
    if (open.has(object)) throw new TypeError("json: cannot write a value that contains itself");
    open.add(object);
    if (Array.isArray(object)) {
      out.push("[");
      object.forEach((item, i) => {
        if (i > 0) out.push(",");
        write(item, true);
      });
      out.push("]");
    } else {
      out.push("{");
      let first = true;
      for (const [key, item] of Object.entries(object)) {
        const mark = out.length;
        out.push(first ? "" : ",", JSON.stringify(key), ":");
        if (write(item, false)) first = false;
        else out.length = mark;
      }
      out.push("}");
    }
    open.delete(object);
    return true;
  };

  if (!write(value, false)) throw new TypeError(`json: cannot write a top-level ${typeof value}`);
  return out.join("");
}

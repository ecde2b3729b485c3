/**
 * JSON that keeps integers exact. DuckDB prints BIGINT and HUGEINT constants,
 * and `query_location`'s "no location" (2^64 - 1), as bare JSON integers;
 * `JSON.parse` would round them to the nearest double. Here an integer
 * literal outside ±(2^53 - 1) becomes a `bigint`, and a `bigint` is written
 * back as a bare integer. Everything else follows `JSON.parse` / `JSON.stringify`.
 */

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

const rawJson = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;

/**
 * A JSON number the sender wrote as a real (`10.0`, `1e2`, `-0.0`) whose value is a safe integer.
 * DuckDB's JSON reader reads it as a DOUBLE: typing a sample, the field is DOUBLE, not BIGINT, and
 * into a VARCHAR or JSON column it prints `10.0`, where `10` prints `10`. A JS number cannot tell
 * them apart, so the event parsers (`parseJsonLossless(text, { duckdb: true })`, chosen by
 * `parseJsonFast`) keep such a number in this wrapper; the event converter unwraps it.
 */
export class JsonReal {
  /** `source`: the literal as written, for NaN and the infinities (`nan`, `-Infinity`), which DuckDB prints as written. */
  constructor(
    readonly value: number,
    readonly source?: string,
  ) {}

  /** The number as a JSON real (`10.0`, `-0.0`), or a non-finite literal as written (`NaN`: DuckDB's JSON, not JSON). */
  text(): string {
    if (this.source !== undefined) return this.source;
    return Object.is(this.value, -0) ? "-0.0" : `${this.value}.0`;
  }

  /**
   * JSON.stringify writes a finite real as the real it was where the runtime has `JSON.rawJSON`,
   * a non-finite one as `null` (as it writes NaN). Elsewhere it throws a TypeError, as for a
   * bigint, so `stringifyJsonLossless` takes its exact path.
   */
  toJSON(): unknown {
    if (!Number.isFinite(this.value)) return null;
    if (rawJson) return rawJson(this.text());
    throw new TypeError("json: a JsonReal is written by stringifyJsonLossless");
  }
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** What `integers` finds in a parsed value: none, safe integers only, or one past 2^53. */
const NONE = 0;
const SAFE = 1;
const UNSAFE = 2;

/**
 * The integer-valued numbers of a parsed JSON value: UNSAFE when one is beyond 2^53 in magnitude
 * (JSON.parse rounded it, or the text wrote a large float like `1e300`: only the exact parser can
 * tell which), SAFE when there are only safe ones (any of which the text may have written as a
 * real, `10.0`), NONE without. Checking the parsed value costs less than scanning the text.
 */
function integers(value: unknown): number {
  if (typeof value === "number") return Number.isInteger(value) ? (Number.isSafeInteger(value) ? SAFE : UNSAFE) : NONE;
  if (value === null || typeof value !== "object") return NONE;
  let found = NONE;
  if (Array.isArray(value)) {
    for (const v of value) {
      const k = integers(v);
      if (k === UNSAFE) return UNSAFE;
      found |= k;
    }
    return found;
  }
  const object = value as Record<string, unknown>;
  // for-in over a parsed object (own keys only: JSON.parse makes plain objects) allocates no key list.
  for (const key in object) {
    const k = integers(object[key]);
    if (k === UNSAFE) return UNSAFE;
    found |= k;
  }
  return found;
}

/** True when a parsed JSON value holds an integer beyond 2^53 in magnitude (see `integers`). */
export function hasUnsafeInteger(value: unknown): boolean {
  return integers(value) === UNSAFE;
}

/**
 * A number token in value position written as a real whose value may be an integer (`10.0`,
 * `-0.00`, `1e2`, `2.5e1`). A match inside a string only costs the exact parser's time.
 */
export const INTEGRAL_REAL = /(?:^|[[:,])\s*-?\d+(?:\.0+(?![0-9])|(?:\.\d+)?[eE])/;

/**
 * One `JSON.parse` of `text`, or undefined when only the exact parser
 * (`parseJsonLossless(text, { duckdb: true })`) can answer: the text is not JSON (its error
 * message and position), it holds an integer past 2^53 (which JSON.parse rounded), or a safe
 * integer the text may have written as a real (`10.0`). `realsMatter`, when given, says whether
 * the parsed value has an integer where the difference shows (a text column: see
 * `integersAtText` in the event converter); without it any integer does. The cheap path for
 * event payloads, which rarely hold any of these.
 */
export function parseJsonFast(text: string, realsMatter?: (value: unknown) => boolean): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  return exactParseNeeded(value, text, realsMatter) ? undefined : value;
}

/** Whether `value`, JSON.parse's answer for `text`, may differ from the exact parser's (see `parseJsonFast`). */
export function exactParseNeeded(value: unknown, text: string, realsMatter?: (value: unknown) => boolean): boolean {
  const k = integers(value);
  if (k === UNSAFE) return true;
  if (k === SAFE && (realsMatter === undefined || realsMatter(value)) && INTEGRAL_REAL.test(text)) return true;
  // A lone surrogate escape (a UTF-16 string cut inside a pair): DuckDB's reader refuses the text, so does the exact parser.
  return text.includes("\\u") && SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(value);
}

/** A `\uD800`–`\uDFFF` escape: half of a UTF-16 surrogate pair, written as JSON escapes it. */
export const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Whether a string holds no half of a surrogate pair (String.prototype.isWellFormed where the runtime has it). */
function wellFormed(s: string): boolean {
  const native = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(s) : !LONE_SURROGATE.test(s);
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return !wellFormed(value);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  for (const key in value as object) if (!wellFormed(key) || hasLoneSurrogate((value as Record<string, unknown>)[key])) return true;
  return false;
}

export interface LosslessOptions {
  /**
   * Read event text as DuckDB's JSON reader does (default false): a real with an integral value
   * (`10.0`) is a `JsonReal`; so is NaN, Infinity or inf (any case, optionally negative), which
   * JSON.parse refuses and Python writes (JsonReal keeps the spelling: DuckDB prints it into a
   * text column as written); a trailing comma in an object or array is allowed; a string with half
   * a surrogate pair (`"\\ud83d"`) is refused, as DuckDB refuses it.
   */
  duckdb?: boolean;
}

/** DuckDB's JSON reader's non-finite literals (yyjson's ALLOW_INF_AND_NAN). */
const NON_FINITE = /-?(?:nan|inf(?:inity)?)(?![A-Za-z0-9_])/iy;

/**
 * Parses JSON text; integers beyond 2^53 - 1 in magnitude come back as `bigint`, and with
 * `duckdb` as DuckDB's JSON reader reads events (see `LosslessOptions`).
 */
export function parseJsonLossless(text: string, options: LosslessOptions = {}): JsonValue {
  const reals = options.duckdb === true;
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

  /** After a member or an element: true past the closing `close`, false past a comma before another one. */
  const closes = (close: "}" | "]"): boolean => {
    skip();
    if (text[at] === close) {
      at++;
      return true;
    }
    if (text[at] !== ",") fail(`expected ',' or '${close}'`);
    at++;
    skip();
    // DuckDB's reader allows a trailing comma.
    if (reals && text[at] === close) {
      at++;
      return true;
    }
    return false;
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
        if (closes("}")) return object;
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
        if (closes("]")) return array;
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n" && text.startsWith("null", at)) return literal("null", null);
    if (reals) {
      NON_FINITE.lastIndex = at;
      const special = NON_FINITE.exec(text);
      if (special !== null) {
        at = NON_FINITE.lastIndex;
        const word = special[0];
        const magnitude = /nan/i.test(word) ? NaN : Infinity;
        return new JsonReal(word.startsWith("-") ? -magnitude : magnitude, word) as unknown as JsonValue;
      }
    }
    if (c === "n") return literal("null", null);
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (match === null) return fail(c === undefined ? "unexpected end of input" : `unexpected character ${JSON.stringify(c)}`);
    at = NUMBER.lastIndex;
    const token = match[0];
    if (INTEGER.test(token)) {
      const n = Number(token);
      if (!Number.isSafeInteger(n)) return BigInt(token);
      // The integer -0 is 0 (DuckDB reads it as an integer); the real -0.0 keeps its sign.
      return n + 0;
    }
    const n = Number(token);
    // Typed as JsonValue: only event parsers ask for reals, and their values go to the event converter.
    return reals && Number.isSafeInteger(n) ? (new JsonReal(n) as unknown as JsonValue) : n;
  };

  const string = (): string => {
    STRING.lastIndex = at;
    const match = STRING.exec(text);
    if (match === null) return fail("malformed string");
    const value = JSON.parse(match[0]) as string;
    // DuckDB's reader refuses half a surrogate pair (JSON.parse keeps it, and UTF-8 cannot hold it).
    if (reals && !wellFormed(value)) fail("no low surrogate in string, or a low one without its high one");
    at = STRING.lastIndex;
    return value;
  };

  const result = value();
  skip();
  if (at !== text.length) fail("unexpected text after the JSON value");
  return result;
}

/**
 * `JSON.stringify` without indentation, except that a `bigint` is written as
 * a bare integer (JSON.stringify throws on one) and a `JsonReal` as a real. Values JSON cannot hold
 * (`undefined`, functions, symbols) are left out of objects and become `null`
 * in arrays; NaN and ±Infinity become `null`, as JSON.stringify does, unless `duckdb` is set:
 * then a non-finite `JsonReal` is written as its literal (`NaN`, `-Infinity`), which DuckDB's
 * JSON reader reads (text for `read_json`, not for other JSON readers); with `nonFiniteAsText`
 * as a JSON string of that literal (`"NaN"`: for the browser, whose JSON.parse takes no NaN).
 */
export function stringifyJsonLossless(value: unknown, options: { duckdb?: boolean; nonFiniteAsText?: boolean } = {}): string {
  if (options.duckdb === true) return stringifySlowly(value, "literal");
  if (options.nonFiniteAsText === true) return stringifySlowly(value, "text");
  // JSON.stringify is an order of magnitude faster; it throws a TypeError on a
  // bigint (and on a cycle), and only then is the slow path needed.
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  return stringifySlowly(value, "null");
}

/** How a non-finite `JsonReal` is written: as DuckDB's literal (`NaN`), as a JSON string of it (`"NaN"`), or `null`. */
type NonFinite = "literal" | "text" | "null";

function stringifySlowly(value: unknown, nonFinite: NonFinite): string {
  const out: string[] = [];
  const open = new Set<object>();

  const write = (v: unknown, inArray: boolean): boolean => {
    if (v instanceof JsonReal) {
      if (Number.isFinite(v.value) || nonFinite === "literal") out.push(v.text());
      else out.push(nonFinite === "text" ? JSON.stringify(v.text()) : "null");
      return true;
    }
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

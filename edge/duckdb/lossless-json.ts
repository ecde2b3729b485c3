/**
 * JSON that keeps integers exact. DuckDB prints BIGINT and HUGEINT constants,
 * and `query_location`'s "no location" (2^64 - 1), as bare JSON integers;
 * `JSON.parse` would round them to the nearest double. Here an integer
 * literal outside ±(2^53 - 1) becomes a `bigint`, and a `bigint` is written
 * back as a bare integer. Everything else follows `JSON.parse` / `JSON.stringify`.
 */

import { DuplicateKeyError, duplicateKeyReason, keysAllKept, RepeatedKeys } from "./duplicate-keys.ts";

export { DuplicateKeyError, holdsRepeatedKeys, REPEATED, RepeatedKeys } from "./duplicate-keys.ts";

/**
 * What an event parser does with an object that writes a key twice: `refuse` it (a
 * `DuplicateKeyError` in DuckDB's words, as DuckDB refuses it when it types the records itself:
 * the gateway's sample), or `keep` it as a `RepeatedKeys` for the event converter, which judges it
 * against the pinned schema as read_json does (the Worker, the runners).
 */
export type RepeatedKeysMode = "refuse" | "keep";

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
const WHITESPACE = /[ \t\n\r]*/y;

/** What `integers` finds in a parsed value: none, safe integers only, or one past 2^53. */
const NONE = 0;
const SAFE = 1;
const UNSAFE = 2;

/**
 * Levels of objects and arrays an event may nest. DuckDB's read_json reads any depth, but the event
 * converter and JSON.stringify recurse: a value some 3,500 levels deep in a JSON column overflowed
 * the stack and stopped a whole run. Deeper events are refused (`NestingError`), each a dead letter.
 */
export const MAX_NESTING = 1000;

/** An event nested deeper than `MAX_NESTING` levels. */
export class NestingError extends Error {
  override name = "NestingError";
  constructor() {
    super(`json: the value is nested more than ${MAX_NESTING} levels deep, which runnel does not read (DuckDB's read_json does)`);
  }
}

/** The keys `integers` walked past, summed over every object (JSON.parse kept one of a repeated key). */
let keysSeen = 0;

/**
 * Whether `integers` met a number JSON.parse read as ±Infinity (`1e400`, `2e308`): DuckDB's reader
 * prints it into a text or JSON column as written, which only the exact parser keeps.
 */
let overflowSeen = false;

/** Whether `integers` met a -0, which JSON.parse gives for the integer `-0` and the real `-0.0` alike. */
let negativeZeroSeen = false;

/**
 * The integer-valued numbers of a parsed JSON value: UNSAFE when one is beyond 2^53 in magnitude
 * (JSON.parse rounded it, or the text wrote a large float like `1e300`: only the exact parser can
 * tell which) or is past a double's range (`1e400`, noted in `overflowSeen`), SAFE when there are
 * only safe ones (any of which the text may have written as a real, `10.0`), NONE without.
 * Checking the parsed value costs less than scanning the text. Counts the keys into `keysSeen` on
 * the way (all of them unless the answer is UNSAFE).
 */
function integers(value: unknown, depth = 0): number {
  if (typeof value === "number") {
    if (Number.isInteger(value)) {
      // JSON.parse reads `-0` and `-0.0` alike as -0; DuckDB reads the integer as 0 (+0.0 in a DOUBLE column): the exact parser tells them apart.
      if (value === 0 && 1 / value < 0) negativeZeroSeen = true;
      return Number.isSafeInteger(value) ? SAFE : UNSAFE;
    }
    if (Number.isFinite(value)) return NONE;
    overflowSeen = true;
    return UNSAFE;
  }
  if (value === null || typeof value !== "object") return NONE;
  if (depth === MAX_NESTING) throw new NestingError();
  let found = NONE;
  if (Array.isArray(value)) {
    for (const v of value) {
      const k = integers(v, depth + 1);
      if (k === UNSAFE) return UNSAFE;
      found |= k;
    }
    return found;
  }
  const object = value as Record<string, unknown>;
  // for-in over a parsed object (own keys only: JSON.parse makes plain objects) allocates no key list.
  for (const key in object) {
    keysSeen++;
    const k = integers(object[key], depth + 1);
    if (k === UNSAFE) return UNSAFE;
    found |= k;
  }
  return found;
}

/** The keys of a parsed JSON value, summed over its objects. */
function keysIn(value: unknown, depth = 0): number {
  if (value === null || typeof value !== "object") return 0;
  if (depth === MAX_NESTING) throw new NestingError();
  let n = 0;
  if (Array.isArray(value)) {
    for (const v of value) n += keysIn(v, depth + 1);
    return n;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) n += 1 + keysIn(object[key], depth + 1);
  return n;
}

/** The error for text with an object that repeats a key, in DuckDB's words. */
function duplicateKeyError(text: string): DuplicateKeyError {
  return new DuplicateKeyError(duplicateKeyReason(text) ?? "Object has duplicate key");
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
  keysSeen = 0;
  overflowSeen = false;
  negativeZeroSeen = false;
  let k: number;
  try {
    k = integers(value);
  } catch (error) {
    // Nested past MAX_NESTING: the exact parser refuses it, with the reason.
    if (error instanceof NestingError) return true;
    throw error;
  }
  if (k === UNSAFE || negativeZeroSeen) return true;
  // A key written twice (JSON.parse kept the last value): the exact parser refuses the text, as DuckDB does.
  if (!keysAllKept(text, keysSeen)) return true;
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

/**
 * An event's JSON text as DuckDB's reader reads it, as cheaply as the text allows: JSON.parse's
 * value when it is exact (nearly always), else the marking parser for integers past 2^53
 * (`parseExact`), else the exact parser (`parseJsonLossless(text, { duckdb: true })`) for a real
 * with an integral value where `realsMatter` says it shows (see `parseJsonFast`), half a surrogate
 * pair (refused), or what JSON.parse refuses and DuckDB takes (NaN, a trailing comma). Throws the
 * exact parser's SyntaxError ("json: ... at offset N") for text DuckDB refuses. An object with a key
 * twice is a `DuplicateKeyError` in DuckDB's words, or with `repeatedKeys: "keep"` a `RepeatedKeys`
 * (the only texts that take the exact parser for it: the key count decides the rest).
 */
export function parseEventJson(text: string, realsMatter?: (value: unknown) => boolean, repeatedKeys: RepeatedKeysMode = "refuse"): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return parseJsonLossless(text, { duckdb: true, repeatedKeys });
  }
  keysSeen = 0;
  overflowSeen = false;
  negativeZeroSeen = false;
  const k = integers(value);
  // Past an unsafe integer the walk stopped early: the keys are counted on their own (a rare path).
  const kept = k === UNSAFE ? keysIn(value) : keysSeen;
  const real = k !== NONE && (realsMatter === undefined || realsMatter(value)) && INTEGRAL_REAL.test(text);
  const lone = text.includes("\\u") && SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(value);
  if (real || lone || overflowSeen || negativeZeroSeen) return parseJsonLossless(text, { duckdb: true, repeatedKeys });
  if (!keysAllKept(text, kept)) {
    if (repeatedKeys === "refuse") throw duplicateKeyError(text);
    return parseJsonLossless(text, { duckdb: true, repeatedKeys });
  }
  return k === UNSAFE ? parseExact(text) : value;
}

/** Sixteen digits: the start of a digit run long enough to lose precision in JSON.parse. */
const LONG_DIGITS = /\d{16}/g;
/** What a marked integer parses to; the text spells the NUL as the escape `\u0000` (a raw one is not allowed in a JSON string). */
const MARK = "\u0000n";
const MARK_TEXT = "\\u0000n";
/** A character before a digit run that makes it part of a decimal or an exponent, or after it, of a decimal or a number with an exponent. */
const NOT_BEFORE = /[\d.eE+-]/;
const NOT_AFTER = /[.eE]/;

/**
 * JSON.parse, with integers beyond 2^53 kept exact as bigint: each long
 * integer token is first rewritten as a marked string, then the marks are
 * turned into bigints. Only the long digit runs are looked at: strings are
 * stepped over with indexOf up to the last of them, so a body without long
 * integers outside strings costs one regex pass more than JSON.parse. A raw
 * NUL cannot occur in a JSON string, so the mark cannot collide unless the
 * text spells one as an escape (then the exact, slower parser runs).
 */
function parseExact(text: string): unknown {
  LONG_DIGITS.lastIndex = 0;
  let marked = "";
  let last = 0;
  /** Position up to which the text is known, and known to be outside any string. */
  let outside = 0;
  for (let m = LONG_DIGITS.exec(text); m; m = LONG_DIGITS.exec(text)) {
    // The whole run and its sign (the regex found its first sixteen digits).
    const at = text.charCodeAt(m.index - 1) === 45 ? m.index - 1 : m.index;
    let end = m.index + 16;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    // Step over every string that opens before the run; stop if the run is inside one.
    let inString = false;
    for (let q = text.indexOf('"', outside); q !== -1 && q < at; q = text.indexOf('"', outside)) {
      const close = closingQuote(text, q);
      outside = close + 1;
      if (close > at) {
        inString = true;
        break;
      }
    }
    if (inString) {
      LONG_DIGITS.lastIndex = outside;
      continue;
    }
    outside = end;
    LONG_DIGITS.lastIndex = end;
    const digits = text.slice(at, end);
    if (NOT_BEFORE.test(text[at - 1] ?? "") || NOT_AFTER.test(text[end] ?? "")) continue;
    if (Number.isSafeInteger(Number(digits))) continue;
    marked += `${text.slice(last, at)}"${MARK_TEXT}${digits}"`;
    last = end;
  }
  if (last === 0) return JSON.parse(text);
  if (text.includes("\\u0000")) return parseJsonLossless(text, { duckdb: true });
  return unmark(JSON.parse(marked + text.slice(last)));
}

/** The index of the quote that closes the string opening at `open` (past the text's end if it never closes). */
function closingQuote(text: string, open: number): number {
  for (let q = text.indexOf('"', open + 1); q !== -1; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return text.length;
}

function unmark(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith(MARK) ? BigInt(value.slice(MARK.length)) : value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unmark(value[i]);
    return value;
  }
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    for (const k in o) o[k] = unmark(o[k]);
  }
  return value;
}

export interface LosslessOptions {
  /**
   * Read event text as DuckDB's JSON reader does (default false): a real with an integral value
   * (`10.0`) is a `JsonReal`; so is NaN, Infinity or inf (any case, optionally negative), which
   * JSON.parse refuses and Python writes (JsonReal keeps the spelling: DuckDB prints it into a
   * text column as written); a trailing comma in an object or array is allowed; a string with half
   * a surrogate pair (`"\\ud83d"`) is refused, as DuckDB refuses it; so is an object with a key
   * twice (`DuplicateKeyError`, once the whole text has parsed) unless `repeatedKeys` keeps it.
   */
  duckdb?: boolean;
  /** With `duckdb`: `keep` makes an object with a key twice a `RepeatedKeys` (default `refuse`). */
  repeatedKeys?: RepeatedKeysMode;
  /**
   * Read the bare `Infinity`, `-Infinity` and `NaN` DuckDB's own serializers write (a literal `1e999`
   * in json_serialize_sql's parse tree) as those numbers (default false; `duckdb` reads them as reals).
   */
  nonFinite?: boolean;
}

/** DuckDB's JSON reader's non-finite literals (yyjson's ALLOW_INF_AND_NAN). */
const NON_FINITE = /-?(?:nan|inf(?:inity)?)(?![A-Za-z0-9_])/iy;

/**
 * Parses JSON text; integers beyond 2^53 - 1 in magnitude come back as `bigint`, and with
 * `duckdb` as DuckDB's JSON reader reads events (see `LosslessOptions`).
 */
export function parseJsonLossless(text: string, options: LosslessOptions = {}): JsonValue {
  return parseLossless(text, options, false);
}

/** `parseJsonLossless`; with `members`, each object's members are listed too, and one that repeats a key is a `RepeatedKeys`. */
function parseLossless(text: string, options: LosslessOptions, members: boolean): JsonValue {
  const reals = options.duckdb === true;
  let at = 0;
  // A repeated key is reported once the text has parsed: DuckDB reads the whole document before its keys.
  let repeated = false;

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

  const value = (depth: number): JsonValue => {
    skip();
    const c = text[at];
    if ((c === "{" || c === "[") && depth === MAX_NESTING) throw new NestingError();
    if (c === "{") {
      at++;
      const object: { [key: string]: JsonValue } = {};
      const written: [string, JsonValue][] | null = members ? [] : null;
      let repeatedHere = false;
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
        if (reals && Object.prototype.hasOwnProperty.call(object, key)) repeated = repeatedHere = true;
        const member = value(depth + 1);
        written?.push([key, member]);
        // defineProperty so a key named "__proto__" is data, as in JSON.parse.
        Object.defineProperty(object, key, { value: member, enumerable: true, writable: true, configurable: true });
        if (closes("}")) return repeatedHere && written !== null ? (new RepeatedKeys(written) as unknown as JsonValue) : object;
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
        array.push(value(depth + 1));
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
    if (options.nonFinite === true && (c === "I" || c === "N" || (c === "-" && text[at + 1] === "I"))) {
      if (text.startsWith("NaN", at)) return literal("NaN", NaN as JsonValue);
      if (text.startsWith("-Infinity", at)) return literal("-Infinity", -Infinity as JsonValue);
      return literal("Infinity", Infinity as JsonValue);
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
    if (!reals) return n;
    if (Number.isSafeInteger(n)) return new JsonReal(n) as unknown as JsonValue;
    // Past a double's range (`1e400`): DuckDB reads ±inf, but prints the number into a text column as written.
    return Number.isFinite(n) ? n : (new JsonReal(n, token) as unknown as JsonValue);
  };

  // The closing quote is found by a scan, not a regular expression: V8 matches a repeated group by
  // recursion, and a string of ten million characters overflowed the stack (DuckDB reads it).
  const string = (): string => {
    let end = at + 1;
    for (;;) {
      const quote = text.indexOf('"', end);
      if (quote < 0) return fail("malformed string");
      let slashes = 0;
      while (text.charCodeAt(quote - 1 - slashes) === 92) slashes++;
      end = quote;
      if (slashes % 2 === 0) break;
      end = quote + 1;
    }
    let value: string;
    try {
      // JSON.parse checks the escapes and refuses raw control characters, as the grammar does.
      value = JSON.parse(text.slice(at, end + 1)) as string;
    } catch {
      return fail("malformed string");
    }
    // DuckDB's reader refuses half a surrogate pair (JSON.parse keeps it, and UTF-8 cannot hold it).
    if (reals && !wellFormed(value)) fail("no low surrogate in string, or a low one without its high one");
    at = end + 1;
    return value;
  };

  const result = value(0);
  skip();
  if (at !== text.length) fail("unexpected text after the JSON value");
  if (repeated && !members) {
    if (options.repeatedKeys !== "keep") throw duplicateKeyError(text);
    // Read again listing each object's members: only a text that repeats a key pays for the lists.
    return parseLossless(text, options, true);
  }
  return result;
}

/**
 * `JSON.stringify` without indentation, except that a `bigint` is written as
 * a bare integer (JSON.stringify throws on one) and a `JsonReal` as a real. Values JSON cannot hold
 * (`undefined`, functions, symbols) are left out of objects and become `null`
 * in arrays; NaN and ±Infinity become `null`, as JSON.stringify does, unless `duckdb` is set:
 * then a non-finite `JsonReal` (or number: `1e400` parses as Infinity) is written as its literal (`NaN`, `-Infinity`), which DuckDB's
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
    if (v instanceof RepeatedKeys) {
      // An object that writes a key twice is written as it was sent, every member (JSON.stringify leaves the repeated keys out),
      // then the fields given to it since (a source's metadata or delivery columns, which are no members).
      out.push("{");
      const members = RepeatedKeys.members(v);
      members.forEach(([key, item], i) => {
        out.push(i > 0 ? "," : "", JSON.stringify(key), ":");
        write(item, true);
      });
      const written = new Set(members.map(([key]) => key));
      let comma = members.length > 0;
      for (const [key, item] of Object.entries(v)) {
        if (written.has(key)) continue;
        const at = out.length;
        out.push(comma ? "," : "", JSON.stringify(key), ":");
        if (write(item, false)) comma = true;
        else out.length = at;
      }
      out.push("}");
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
        // A plain non-finite number (JSON.parse reads `1e400` as Infinity) is DuckDB's literal too when
        // writing for DuckDB, which reads `1e400` as inf; `null` made it a NULL and typed the column BIGINT.
        out.push(Number.isFinite(v) ? JSON.stringify(v) : nonFinite === "literal" ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : nonFinite === "text" ? JSON.stringify(Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : "null");
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

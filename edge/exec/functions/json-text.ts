/**
 * JSON text as DuckDB's json extension (yyjson) reads and writes it: trailing
 * commas, NaN and Infinity accepted; numbers too big for int64/uint64/double
 * kept as their raw text; output minified, floats in shortest form with ".0"
 * on integral values, control characters escaped.
 */
import { SqlError } from "./contract.ts";

export type Json =
  | { t: "null" }
  | { t: "bool"; v: boolean }
  | { t: "num"; text: string }
  | { t: "str"; v: string }
  | { t: "arr"; items: Json[] }
  | { t: "obj"; entries: [string, Json][] };

const UTF8 = new TextEncoder();
const UTF8_LOSSY = new TextDecoder();

/** The input as DuckDB's JSON errors show it: past 50 bytes, its first 47 and "...". */
function shownInput(s: string): string {
  if (s.length <= 16) return s;
  const bytes = UTF8.encode(s);
  return bytes.length <= 50 ? s : `${UTF8_LOSSY.decode(bytes.subarray(0, 47))}...`;
}

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  fail(what: string): never {
    const byte = UTF8.encode(this.s.slice(0, this.i)).length;
    throw new SqlError("invalid_input", `Malformed JSON at byte ${byte} of input: ${what}.  Input: "${shownInput(this.s)}"`);
  }
  ws(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i]!)) this.i++;
  }
  value(): Json {
    this.ws();
    if (this.i >= this.s.length) this.fail("unexpected end of data");
    const c = this.s[this.i]!;
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return { t: "str", v: this.string() };
    if (this.s.startsWith("true", this.i)) { this.i += 4; return { t: "bool", v: true }; }
    if (this.s.startsWith("false", this.i)) { this.i += 5; return { t: "bool", v: false }; }
    if (this.s.startsWith("null", this.i)) { this.i += 4; return { t: "null" }; }
    if ((c === "t" || c === "f" || c === "n") && !/^nan/i.test(this.s.slice(this.i, this.i + 3))) {
      // yyjson: a literal cut short by the end is the end of data, any other misspelling an invalid literal.
      const literal = c === "t" ? "true" : c === "f" ? "false" : "null";
      if (literal.startsWith(this.s.slice(this.i))) { this.i = this.s.length; this.fail("unexpected end of data"); }
      this.fail("invalid literal");
    }
    return this.number();
  }
  object(): Json {
    this.i++;
    const entries: [string, Json][] = [];
    this.ws();
    if (this.s[this.i] === "}") { this.i++; return { t: "obj", entries }; }
    for (;;) {
      this.ws();
      if (this.s[this.i] === "}" && entries.length > 0) { this.i++; return { t: "obj", entries }; }
      if (this.s[this.i] !== '"') this.fail(this.i >= this.s.length ? "unexpected end of data" : "unexpected character");
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail(this.i >= this.s.length ? "unexpected end of data" : "unexpected character");
      this.i++;
      entries.push([key, this.value()]);
      this.ws();
      if (this.s[this.i] === ",") { this.i++; continue; }
      if (this.s[this.i] === "}") { this.i++; return { t: "obj", entries }; }
      this.fail(this.i >= this.s.length ? "unexpected end of data" : "unexpected character");
    }
  }
  array(): Json {
    this.i++;
    const items: Json[] = [];
    this.ws();
    if (this.s[this.i] === "]") { this.i++; return { t: "arr", items }; }
    for (;;) {
      this.ws();
      if (this.s[this.i] === "]" && items.length > 0) { this.i++; return { t: "arr", items }; }
      items.push(this.value());
      this.ws();
      if (this.s[this.i] === ",") { this.i++; continue; }
      if (this.s[this.i] === "]") { this.i++; return { t: "arr", items }; }
      this.fail(this.i >= this.s.length ? "unexpected end of data" : "unexpected character");
    }
  }
  string(): string {
    this.i++;
    let out = "";
    for (;;) {
      if (this.i >= this.s.length) this.fail("unexpected end of data");
      const c = this.s[this.i++]!;
      if (c === '"') return out;
      if (c === "\\") {
        const e = this.s[this.i++];
        switch (e) {
          case '"': out += '"'; break;
          case "\\": out += "\\"; break;
          case "/": out += "/"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "n": out += "\n"; break;
          case "r": out += "\r"; break;
          case "t": out += "\t"; break;
          case "u": {
            const h = this.s.slice(this.i, this.i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) { this.i -= 2; this.fail("invalid escaped sequence in string"); }
            const code = parseInt(h, 16);
            this.i += 4;
            // yyjson takes a surrogate only as a pair of escapes, high then low.
            if (code >= 0xdc00 && code <= 0xdfff) { this.i -= 6; this.fail("invalid high surrogate in string"); }
            if (code >= 0xd800 && code <= 0xdbff) {
              if (this.s[this.i] !== "\\" || this.s[this.i + 1] !== "u") this.fail("no low surrogate in string");
              const l = this.s.slice(this.i + 2, this.i + 6);
              const low = /^[0-9a-fA-F]{4}$/.test(l) ? parseInt(l, 16) : -1;
              if (low < 0xdc00 || low > 0xdfff) this.fail("invalid low surrogate in string");
              out += String.fromCharCode(code, low);
              this.i += 6;
              break;
            }
            out += String.fromCharCode(code);
            break;
          }
          default: this.i--; this.fail("invalid escaped character in string");
        }
        continue;
      }
      if (c < " ") { this.i--; this.fail("unexpected control character in string"); }
      out += c;
    }
  }
  number(): Json {
    const rest = this.s.slice(this.i);
    const special = /^-?(NaN|Infinity|nan|inf|infinity)/i.exec(rest);
    if (special) { this.i += special[0].length; return { t: "num", text: special[0] }; }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(rest);
    if (!m) {
      // yyjson's words for a number cut short, at the byte where a digit was due.
      if (rest[0] === "-") { this.i++; this.fail("no digit after minus sign"); }
      this.fail("unexpected character");
    }
    const start = this.i;
    this.i += m[0].length;
    const next = this.s[this.i];
    if (m[1] === "0" && next !== undefined && next >= "0" && next <= "9") {
      this.i = start + (rest[0] === "-" ? 1 : 0);
      this.fail("number with leading zero is not allowed");
    }
    if (next === "." && m[2] === undefined && m[3] === undefined) { this.i++; this.fail("no digit after decimal point"); }
    if ((next === "e" || next === "E") && m[3] === undefined) {
      this.i++;
      if (this.s[this.i] === "+" || this.s[this.i] === "-") this.i++;
      this.fail("no digit after exponent sign");
    }
    return { t: "num", text: m[0] };
  }
}

/** Parses JSON text; throws SqlError("invalid_input") with yyjson-like text when malformed. */
export function parseJson(s: string): Json {
  const r = new Reader(s);
  // yyjson refuses an empty document before reading it: at byte 0, whatever whitespace it holds.
  if (s.length === 0) r.fail("input length is 0");
  if (/^[ \t\n\r]*$/.test(s)) r.fail("input data is empty");
  const v = r.value();
  r.ws();
  if (r.i < s.length) r.fail("unexpected content after document");
  return v;
}

/** VARCHAR → JSON: the text is kept as it is once it parses. */
export function validateJson(s: string): string {
  try {
    parseJson(s);
  } catch (e) {
    if (e instanceof SqlError) throw new SqlError("conversion", e.message);
    throw e;
  }
  return s;
}

export function isValidJson(s: string): boolean {
  try {
    parseJson(s);
    return true;
  } catch (e) {
    if (e instanceof SqlError) return false;
    throw e;
  }
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** How yyjson writes a number it read from `text`. */
function writeNumber(text: string): string {
  return jsonNumberAs(text, writeJsonDouble);
}

/**
 * A number DuckDB's JSON reader read from `text`, printed: an integer in the 64-bit ranges by
 * its digits (-0 is 0), any other number the reader keeps as written (beyond those ranges, or
 * beyond a double), a real — NaN and the infinities too — by `real` (yyjson's writer for JSON
 * text; a DOUBLE's VARCHAR form where a cast brings it to text).
 */
export function jsonNumberAs(text: string, real: (d: number) => string): string {
  if (/^-?(nan|inf|infinity)$/i.test(text)) return real(/nan/i.test(text) ? NaN : text.startsWith("-") ? -Infinity : Infinity);
  if (!/[.eE]/.test(text)) {
    const b = BigInt(text);
    return b >= INT64_MIN && b <= UINT64_MAX ? b.toString() : text;
  }
  const d = Number(text);
  return Number.isFinite(d) ? real(d) : text;
}

/** A double as yyjson writes it: shortest digits, "1.0", "1e21", "NaN". */
export function writeJsonDouble(d: number): string {
  if (Number.isNaN(d)) return "NaN";
  if (!Number.isFinite(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d === 0) return Object.is(d, -0) ? "-0.0" : "0.0";
  const js = String(d);
  if (js.includes("e")) return js.replace("e+", "e");
  return js.includes(".") ? js : `${js}.0`;
}

export function writeJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c < 0x20) {
      switch (ch) {
        case "\b": out += "\\b"; break;
        case "\f": out += "\\f"; break;
        case "\n": out += "\\n"; break;
        case "\r": out += "\\r"; break;
        case "\t": out += "\\t"; break;
        default: out += `\\u${c.toString(16).toUpperCase().padStart(4, "0")}`;
      }
    } else out += ch;
  }
  return out + '"';
}

/** Minified JSON text as DuckDB's json functions print it. */
export function writeJson(j: Json): string {
  switch (j.t) {
    case "null": return "null";
    case "bool": return j.v ? "true" : "false";
    case "num": return writeNumber(j.text);
    case "str": return writeJsonString(j.v);
    case "arr": return `[${j.items.map(writeJson).join(",")}]`;
    case "obj": return `{${j.entries.map(([k, v]) => `${writeJsonString(k)}:${writeJson(v)}`).join(",")}}`;
  }
}

/** A JSON value's type as DuckDB names it (json_type, and the JSON casts' errors); null for no value. */
export function typeOfJson(j: Json | null): string | null {
  if (j === null) return null;
  switch (j.t) {
    case "null": return "NULL";
    case "bool": return "BOOLEAN";
    case "str": return "VARCHAR";
    case "arr": return "ARRAY";
    case "obj": return "OBJECT";
    case "num": {
      // As yyjson reads them: non-negative integers unsigned, negative signed, beyond 64 bits DOUBLE.
      if (/[.eE]|nan|inf/i.test(j.text)) return "DOUBLE";
      const v = BigInt(j.text);
      if (j.text.startsWith("-")) return v < -9223372036854775808n ? "DOUBLE" : "BIGINT";
      return v > 18446744073709551615n ? "DOUBLE" : "UBIGINT";
    }
  }
}

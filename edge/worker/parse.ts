import { NestingError, parseEventJson } from "../duckdb/lossless-json.ts";
import { csvDelimiter, csvHeaderNames, csvRecordFields } from "../exec/csv-header.ts";
import { counted } from "../../notebook/format/counted.ts";

/** A request body that cannot be read at all: the Worker answers 400 with this. */
export class BodyError extends Error {
  override name = "BodyError";
  constructor(
    message: string,
    readonly position: { offset: number; line: number; column: number } | null,
  ) {
    super(message);
  }
}

export interface ParsedBody {
  /** One raw event each, with the text it came from (for dead letters). */
  events: unknown[];
  raws: string[];
  /** Lines (NDJSON) or records (CSV) that did not parse; the rest of the body still counts. */
  bad: { reason: string; raw: string }[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a webhook body as its source's format. `json`: one value, or a
 * top-level array of events. `ndjson`: one value per non-empty line; a bad
 * line is a dead letter, not a failed request. `csv`: RFC 4180 with a header
 * line, fields as text (the plan casts them as read_csv does), empty fields NULL. Integers beyond 2^53
 * stay exact (bigint), as the check reads them.
 */
export function parseBody(bytes: Uint8Array, format: "json" | "ndjson" | "csv", realsMatter?: (value: unknown) => boolean): ParsedBody {
  // A compressed body (a sender's Content-Encoding: gzip) is refused whole, not read as lines of bytes.
  if (gzipped(bytes)) throw new BodyError("parse: the body is gzip-compressed (it starts with the bytes 1f 8b); send it uncompressed", { offset: 0, line: 1, column: 1 });
  // NDJSON is decoded line by line: a line that is not UTF-8 is a dead letter (DuckDB refuses it; the file
  // runner and the Kafka runner dead-letter such a line or message) while the others still count, and a
  // line of ASCII or Latin-1 stays a one-byte string even when another line holds a character past U+00FF
  // (the whole body's text, and every line cut from it, would be two-byte: JSON.parse and the key count
  // run slower on those).
  if (format === "ndjson") return parseNdjsonLines(bytes, realsMatter);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    const offset = invalidUtf8At(bytes);
    const position = offset === null ? null : positionOfByte(bytes, offset);
    // CSV: a record that is not UTF-8 is a dead letter with its exact bytes and the others count, as the
    // file runner's read_csv (store_rejects) takes such a file; only a header that is not UTF-8 refuses the body.
    if (format === "csv" && offset !== null) {
      const parsed = parseCsvBytes(bytes);
      if (parsed) return parsed;
    }
    throw new BodyError(
      `parse: the body is not valid UTF-8${position ? ` (byte ${offset} at line ${position.line}, column ${position.column})` : ` (${cause instanceof Error ? cause.message : String(cause)})`}`,
      position,
    );
  }
  switch (format) {
    case "json": {
      // Nothing but white space (a BOM dropped): say so, where the parser's "unexpected end of input" named an offset.
      if (text.trim() === "") throw new BodyError("parse: the body is empty; a json source reads one JSON value, or an array of events, per delivery", { offset: 0, line: 1, column: 1 });
      let value: unknown;
      try {
        value = parseJson(text, realsMatter);
      } catch (error) {
        // JSON nested too deep to read here (DuckDB reads it): a dead letter, not a refused request (a
        // sender retries a 5xx forever); in an array only that element is one and the others count,
        // as a bad NDJSON line is.
        // Values one after another (NDJSON posted to a json source): say what the source reads instead.
        if (error instanceof BodyError && !(error instanceof TooDeepError) && /unexpected text after the JSON value/.test(error.message)) {
          throw new BodyError(`${error.message}; a json source reads one JSON value, or an array of events, per delivery (for one event per line, set the source's format: ndjson)`, error.position);
        }
        if (!(error instanceof TooDeepError)) throw error;
        if (!text.trimStart().startsWith("[")) return { events: [], raws: [], bad: [{ reason: error.message, raw: text }] };
        refuseTrailingArrayComma(text);
        return eachElement(text, realsMatter);
      }
      if (Array.isArray(value)) {
        refuseTrailingArrayComma(text);
        return { events: value, raws: arrayElementTexts(text, value.length) ?? value.map((v) => JSON.stringify(v, bigintText)), bad: [] };
      }
      return { events: [value], raws: [text], bad: [] };
    }
    case "csv":
      return parseCsvBody(text);
  }
}

function ndjsonLine(out: ParsedBody, line: string, lineNo: number, realsMatter?: (value: unknown) => boolean): void {
  if (line.endsWith("\r")) line = line.slice(0, -1);
  if (line.trim() === "") return;
  try {
    out.events.push(parseJson(line, realsMatter));
    out.raws.push(line);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    out.bad.push({ reason: `line ${lineNo}: ${error.message}`, raw: line });
  }
}

/** A body that starts with gzip's magic bytes (a sender's Content-Encoding: gzip): never UTF-8, as 0x8b cannot follow 0x1f. */
function gzipped(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Keeps a leading U+FEFF: only the body's first line may start with the byte order mark, which is dropped there. */
const utf8Line = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Bytes as ISO-8859-1 text, one character per byte (U+0000–U+00FF), as Node's `Buffer#toString("latin1")`
 * reads them: `Buffer.from(text, "latin1")` gives the exact bytes back. Not `TextDecoder("latin1")`, which
 * the WHATWG Encoding standard makes windows-1252 (in workerd and Node alike): 0x80 read as "€" (U+20AC)
 * came back as the byte 0xAC, so a dead letter of bytes 0x80–0x9F no longer held what was sent.
 */
export function latin1Text(bytes: Uint8Array): string {
  let out = "";
  // In slices: one call with every byte as an argument passes the engine's argument limit.
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/**
 * An NDJSON body, line by line, each line decoded and parsed where it lies (no joined copy of the body to
 * flatten): a bad line is a dead letter with its position while the others still count. A line that is
 * not UTF-8 is a dead letter whose `raw`
 * is the line's Latin-1 reading (`Buffer.from(raw, "latin1")` gives its exact bytes back, as the Kafka
 * runner's dead letters do).
 */
function parseNdjsonLines(bytes: Uint8Array, realsMatter?: (value: unknown) => boolean): ParsedBody {
  const out: ParsedBody = { events: [], raws: [], bad: [] };
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let lineNo = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const lineBytes = bytes.subarray(start, end);
    lineNo++;
    let line: string | null = null;
    try {
      line = utf8Line.decode(lineBytes);
    } catch {
      let raw = latin1Text(lineBytes);
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      const at = invalidUtf8At(lineBytes) ?? 0;
      out.bad.push({ reason: `line ${lineNo}: parse: the line is not valid UTF-8 (byte ${at + 1} of the line)`, raw });
    }
    if (line !== null) ndjsonLine(out, line, lineNo, realsMatter);
    start = end + 1;
  }
  // A bad line among several, where the whole body is one JSON value: pretty-printed JSON, not NDJSON (two or more
  // values are never one, and a body of one line has no other line to be).
  if (out.bad.length > 0 && out.events.length + out.bad.length > 1) refusePrettyJson(bytes, out.events.length + out.bad.length);
  return out;
}

/**
 * An NDJSON body that is one JSON value over several lines (a pretty-printed payload, as Stripe sends them, or an
 * array with an event a line, posted to a `format: ndjson` source): a 400 saying so, where each line was a dead letter
 * of a fragment (`{`, `"id": "evt_1",`, ...) or a row (an array's last event) acked with a 202, so the sender never retried. read_json refuses the
 * body too ("unexpected end of data. Try auto-detecting the JSON format").
 */
function refusePrettyJson(bytes: Uint8Array, lines: number): void {
  let value: unknown;
  try {
    value = parseJson(utf8.decode(bytes));
  } catch {
    return;
  }
  const what = Array.isArray(value) ? `one JSON array of ${value.length} events` : "one JSON value";
  throw new BodyError(
    `parse: the body is ${what} spread over ${lines} lines (pretty-printed JSON), and a ndjson source reads one JSON value per line: set the source's format: json, or send each event on one line`,
    { offset: 0, line: 1, column: 1 },
  );
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or null when all do. */
export function invalidUtf8At(bytes: Uint8Array): number | null {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return null;
}

function positionOfByte(bytes: Uint8Array, offset: number): { offset: number; line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * The offset of a comma just before the closing bracket of a body that is one top-level JSON array (`[{"a":1},]`),
 * or null. DuckDB's read_json refuses such a body ("unexpected character" after the comma: it cuts the array into
 * records itself), while it takes a trailing comma inside a record (`{"a":[1,],}`), as the parser here does.
 */
export function trailingArrayComma(text: string): number | null {
  const space = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff;
  let start = 0;
  while (start < text.length && space(text.charCodeAt(start))) start++;
  if (text[start] !== "[") return null;
  let end = text.length - 1;
  while (end > start && space(text.charCodeAt(end))) end--;
  if (text[end] !== "]") return null;
  let k = end - 1;
  while (k > start && space(text.charCodeAt(k))) k--;
  return k > start && text[k] === "," ? k : null;
}

/** A 400 for a top-level array with a comma before its closing bracket, where the comma is. */
function refuseTrailingArrayComma(text: string): void {
  const offset = trailingArrayComma(text);
  if (offset === null) return;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  throw new BodyError(
    `parse: malformed JSON: a comma before the closing "]" of the body's array (line ${line}, column ${column}), which DuckDB's read_json refuses; remove the comma after the last event`,
    { offset, line, column },
  );
}

/** A JSON array body whose elements are read one by one: an element DuckDB refuses is a dead letter, the others events. */
function eachElement(text: string, realsMatter?: (value: unknown) => boolean): ParsedBody {
  const out: ParsedBody = { events: [], raws: [], bad: [] };
  (arrayElementTexts(text, null) ?? []).forEach((element, i) => {
    try {
      out.events.push(parseJson(element, realsMatter));
      out.raws.push(element);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      out.bad.push({ reason: `element ${i + 1}: ${error.message}`, raw: element });
    }
  });
  return out;
}

/**
 * The text of each element of a top-level JSON array as the sender wrote it (a dead letter's `raw`
 * is the event's own text, its big integers, `10.0` and NaN as written), or null when the scan does
 * not find `count` elements (then the caller writes each value back out); a null `count` takes what
 * the scan finds.
 */
export function arrayElementTexts(text: string, count: number | null): string[] | null {
  let i = 0;
  const n = text.length;
  const space = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  while (i < n && (space(text.charCodeAt(i)) || text.charCodeAt(i) === 0xfeff)) i++;
  if (text[i] !== "[") return null;
  i++;
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: to its closing quote, escapes stepped over
      if (start < 0) start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (start < 0) start = i;
      depth++;
    } else if (depth > 0 && (c === 0x5d || c === 0x7d)) {
      depth--;
    } else if (depth === 0 && (c === 0x2c || c === 0x5d)) {
      if (start >= 0) {
        let end = i;
        while (end > start && space(text.charCodeAt(end - 1))) end--;
        out.push(text.slice(start, end));
      }
      start = -1;
      if (c === 0x5d) break;
    } else if (start < 0 && !space(c)) start = i;
  }
  return count === null || out.length === count ? out : null;
}

/** A JSON value nested deeper than the parser's stack reaches. */
class TooDeepError extends BodyError {
  override name = "TooDeepError";
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * JSON with exact big integers, and reals with an integral value (`10.0`) kept as `JsonReal` where
 * `realsMatter` says the difference shows; a syntax error names its offset, line and column. An
 * object with a key twice is kept (`RepeatedKeys`): the event converter refuses the event only
 * where DuckDB does, reading the object into columns against the source's schema.
 */
export function parseJson(text: string, realsMatter?: (value: unknown) => boolean): unknown {
  try {
    return parseEventJson(text, realsMatter, "keep");
  } catch (error) {
    if (error instanceof NestingError) throw new TooDeepError(`parse: ${error.message.replace(/^json: /, "")}`, null);
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new TooDeepError(`parse: the JSON value is nested too deeply to read here (${error.message})`, null);
    }
    if (!(error instanceof SyntaxError)) throw error;
    let offset = Number(/at offset (\d+)/.exec(error.message)?.[1] ?? 0);
    let what = error.message.replace(/^json: /, "");
    // "malformed string" at the string's opening quote: say what in it, and where (a raw tab or line break from a
    // hand-built payload, a bad escape, a string never closed), as DuckDB names it ("unexpected control character").
    const fault = /^malformed string at offset \d+$/.test(what) ? stringFault(text, offset) : null;
    if (fault) {
      offset = fault.offset;
      what = `${fault.what} at offset ${offset}`;
    }
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    throw new BodyError(`parse: malformed JSON: ${what} (line ${line}, column ${column})`, { offset, line, column });
  }
}

/** What is wrong in the JSON string opening at `quote`, and where, or null when nothing is found. */
function stringFault(text: string, quote: number): { what: string; offset: number } | null {
  if (text[quote] !== '"') return null;
  const named: Record<number, string> = { 0x09: "a tab", 0x0a: "a line break (LF)", 0x0d: "a carriage return (CR)", 0x00: "a NUL byte" };
  const escapes: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r" };
  for (let i = quote + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return null;
    if (c < 0x20) {
      const hex = `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
      const escape = escapes[c] ?? `\\u${c.toString(16).padStart(4, "0")}`;
      return { what: `${named[c] ?? `the control character ${hex}`} inside a string (unescaped; write it as ${escape})`, offset: i };
    }
    if (c === 0x5c) {
      const next = text[i + 1];
      if (next === undefined) break;
      if (next === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { what: `an escape \\u not followed by 4 hex digits inside a string`, offset: i };
        i += 5;
      } else if ('"\\/bfnrt'.includes(next)) i++;
      else return { what: `an invalid escape \\${next} inside a string (JSON escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`, offset: i };
    }
  }
  return { what: "a string that is never closed (no ending quote)", offset: quote };
}

function parseCsvBody(text: string): ParsedBody {
  // The delimiter is sniffed from the header line (`;`, `|`, tab), as read_csv and the gateway's decoder do.
  return csvEvents(csvRecords(text, csvDelimiter(text)), { events: [], raws: [], bad: [] });
}

/**
 * A CSV body that is not UTF-8, cut into records over its bytes (each byte one character: the quotes,
 * delimiters and line ends are ASCII, which no UTF-8 sequence holds), then each record read as UTF-8:
 * one that is not is a dead letter whose `raw` is its Latin-1 text (`Buffer.from(raw, "latin1")` gives
 * its exact bytes back, as the runner keeps it). Null when the header line itself is not UTF-8.
 */
function parseCsvBytes(bytes: Uint8Array): ParsedBody | null {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const wide = latin1Text(bom ? bytes.subarray(bom) : bytes);
  const records = csvRecords(wide, csvDelimiter(wide));
  const out: ParsedBody = { events: [], raws: [], bad: [] };
  const read: CsvRecord[] = [];
  let header = true;
  for (const record of records) {
    if (header && record.fields.length === 0) continue;
    const at = invalidUtf8At(latin1Bytes(record.raw));
    if (at === null) {
      read.push({ ...record, fields: record.fields.map((f) => utf8Line.decode(latin1Bytes(f))), raw: utf8Line.decode(latin1Bytes(record.raw)) });
    } else if (header) {
      return null;
    } else {
      out.bad.push({ reason: `parse: the CSV record on line ${record.line} is not valid UTF-8 (byte ${at + 1} of the record)`, raw: record.raw });
    }
    header = false;
  }
  return csvEvents(read, out);
}

/** Text of one character per byte back to its bytes. */
function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Events of CSV records, the header line first (blank lines before it skipped), added to `out`. */
function csvEvents(records: CsvRecord[], out: ParsedBody): ParsedBody {
  // Blank lines before the header line are skipped (by index: a shift each moved every record after it, quadratic in blank lines).
  let first = 0;
  while (first < records.length && records[first]!.fields.length === 0) first++;
  const header = records[first];
  if (!header) return out;
  // A header line read_csv refuses: nothing of the body can be named.
  if (header.error !== undefined) throw new BodyError(header.error, header.errorAt ?? null);
  const names = csvHeaderNames(header.fields);
  for (let r = first + 1; r < records.length; r++) {
    const { fields: all, raw, line, error } = records[r]!;
    if (error !== undefined) {
      out.bad.push({ reason: error, raw });
      continue;
    }
    // A blank line is a record of one empty field (a NULL row) where the header has one column, as
    // read_csv reads it, and is skipped otherwise.
    if (all.length === 0 && names.length !== 1) continue;
    const fields = all.length === 0 ? [""] : csvRecordFields(all, names.length);
    if (fields.length !== names.length) {
      out.bad.push({ reason: `parse: CSV record on line ${line} has ${counted(fields.length, "field")}, the header has ${names.length}`, raw });
      continue;
    }
    const event: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const field = fields[i]!;
      // Text, an empty field NULL: the plan casts each field as read_csv does.
      const value = field === "" ? null : field;
      // A column named `__proto__` is a field of its own (an assignment set the object's prototype:
      // the value was lost, and a NULL left the event without Object's prototype).
      if (name === "__proto__") Object.defineProperty(event, name, { value, enumerable: true, writable: true, configurable: true });
      else event[name] = value;
    });
    out.events.push(event);
    out.raws.push(raw);
  }
  return out;
}

/** One CSV record: its fields, its text, where it starts (offset and line), and why DuckDB's read_csv refuses it, if it does. */
interface CsvRecord {
  fields: string[];
  raw: string;
  start: number;
  line: number;
  error?: string;
  /** Where `error` is, in the text read (for a header line, the 400's position). */
  errorAt?: { offset: number; line: number; column: number };
}

/**
 * RFC 4180: quoted fields with doubled quotes, CRLF, LF or CR line ends, fields cut at `delimiter`; a blank line is a
 * record of no fields, a line of `""` one empty field. Spaces around a quoted field are read as read_csv reads them
 * (quote and escape `"`): one space before the opening quote and any after the closing one are dropped (`1, "a,b" `
 * is `1` and `a,b`; the space was kept and the comma inside cut the field, so the record was a dead letter), two or
 * more before it make the field unquoted text. Anything else after a closing quote (`"x"y`, a tab) is a record
 * read_csv refuses ("Value with unterminated quote found"; it was read as `xy`): the record's `error`.
 */
function csvRecords(text: string, delimiter: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  // After a quoted field's closing quote: only spaces may come before the delimiter or the line end.
  let closed = false;
  let error: string | undefined;
  let errorAt: CsvRecord["errorAt"];
  let quoteAt = 0;
  let atFieldStart = true;
  let start = 0;
  // The line (as an editor counts them: CRLF, LF or CR) at `i`, and at the record's start.
  let line = 1;
  let startLine = 1;
  let i = 0;
  const end = (next: number) => {
    fields.push(field);
    const raw = text.slice(start, i);
    records.push({ fields: raw === "" ? [] : fields, raw, start, line: startLine, ...(error === undefined ? {} : { error, errorAt }) });
    fields = [];
    field = "";
    atFieldStart = true;
    closed = false;
    error = undefined;
    errorAt = undefined;
    start = next;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        closed = true;
        i++;
      } else {
        if (ch === "\n" || (ch === "\r" && text[i + 1] !== "\n")) line++;
        field += ch;
        i++;
      }
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
      atFieldStart = true;
      closed = false;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      const next = i + (ch === "\r" && text[i + 1] === "\n" ? 2 : 1);
      end(next);
      i = next;
      startLine = ++line;
    } else if (closed) {
      if (ch !== " " && error === undefined) {
        const column = i - Math.max(text.lastIndexOf("\n", i - 1), text.lastIndexOf("\r", i - 1));
        error = `parse: CSV record on line ${startLine} has ${JSON.stringify(ch)} after a quoted field's closing quote (line ${line}, column ${column}), which read_csv refuses (Value with unterminated quote found): quote the whole field, doubling the quotes inside it`;
        errorAt = { offset: i, line, column };
      }
      i++;
    } else if (atFieldStart && (ch === '"' || (ch === " " && text[i + 1] === '"'))) {
      if (ch === " ") i++;
      quoted = true;
      quoteAt = i;
      atFieldStart = false;
      i++;
    } else {
      field += ch;
      atFieldStart = false;
      i++;
    }
  }
  if (quoted) {
    // Where the quote that never closes opened, as the JSON refusals say where.
    const before = text.slice(0, quoteAt);
    const line = before.split("\n").length;
    const column = quoteAt - before.lastIndexOf("\n");
    throw new BodyError(`parse: CSV ends inside a quoted field (the quote opened at line ${line}, column ${column})`, { offset: quoteAt, line, column });
  }
  if (start < text.length) end(i);
  return records;
}

import { NestingError, parseEventJson } from "../duckdb/lossless-json.ts";
import { csvDelimiter, csvHeaderNames, csvRecordFields } from "../exec/csv-header.ts";

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
        return text.trimStart().startsWith("[") ? eachElement(text, realsMatter) : { events: [], raws: [], bad: [{ reason: error.message, raw: text }] };
      }
      if (Array.isArray(value)) return { events: value, raws: arrayElementTexts(text, value.length) ?? value.map((v) => JSON.stringify(v, bigintText)), bad: [] };
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
  return out;
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
    const offset = Number(/at offset (\d+)/.exec(error.message)?.[1] ?? 0);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    throw new BodyError(`parse: malformed JSON: ${error.message.replace(/^json: /, "")} (line ${line}, column ${column})`, { offset, line, column });
  }
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
  const read: { fields: string[]; raw: string }[] = [];
  let header = true;
  // Line numbers counted on as the records come (in order): from the body's start for each bad record, a body of them took quadratic time.
  let line = 1;
  let counted = 0;
  for (const record of records) {
    if (header && record.fields.length === 0) continue;
    const at = invalidUtf8At(latin1Bytes(record.raw));
    if (at === null) {
      read.push({ fields: record.fields.map((f) => utf8Line.decode(latin1Bytes(f))), raw: utf8Line.decode(latin1Bytes(record.raw)) });
    } else if (header) {
      return null;
    } else {
      for (; counted < record.start; counted++) if (wide.charCodeAt(counted) === 10) line++;
      out.bad.push({ reason: `parse: the CSV record on line ${line} is not valid UTF-8 (byte ${at + 1} of the record)`, raw: record.raw });
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
function csvEvents(records: { fields: string[]; raw: string }[], out: ParsedBody): ParsedBody {
  // Blank lines before the header line are skipped (by index: a shift each moved every record after it, quadratic in blank lines).
  let first = 0;
  while (first < records.length && records[first]!.fields.length === 0) first++;
  const header = records[first];
  if (!header) return out;
  const names = csvHeaderNames(header.fields);
  for (let r = first + 1; r < records.length; r++) {
    const { fields: all, raw } = records[r]!;
    // A blank line is a record of one empty field (a NULL row) where the header has one column, as
    // read_csv reads it, and is skipped otherwise.
    if (all.length === 0 && names.length !== 1) continue;
    const fields = all.length === 0 ? [""] : csvRecordFields(all, names.length);
    if (fields.length !== names.length) {
      out.bad.push({ reason: `parse: CSV record has ${fields.length} fields, the header has ${names.length}`, raw });
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

/** RFC 4180: quoted fields with doubled quotes, CRLF or LF line ends, fields cut at `delimiter`; a blank line is a record of no fields, a line of `""` one empty field. */
function csvRecords(text: string, delimiter: string): { fields: string[]; raw: string; start: number }[] {
  const records: { fields: string[]; raw: string; start: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let quoteAt = 0;
  let atFieldStart = true;
  let start = 0;
  let i = 0;
  const end = (next: number) => {
    fields.push(field);
    const raw = text.slice(start, i);
    records.push({ fields: raw === "" ? [] : fields, raw, start });
    fields = [];
    field = "";
    atFieldStart = true;
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
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && atFieldStart) {
      quoted = true;
      quoteAt = i;
      atFieldStart = false;
      i++;
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
      atFieldStart = true;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      const next = i + (ch === "\r" && text[i + 1] === "\n" ? 2 : 1);
      end(next);
      i = next;
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

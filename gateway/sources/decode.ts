import { isUtf8 } from "node:buffer";
import type { SourceFormat } from "../../notebook/format/model.ts";
import { DuplicateKeyError, exactParseNeeded, JsonReal, MAX_NESTING, NestingError, parseEventJson, parseJsonLossless, type RepeatedKeysMode } from "../../edge/duckdb/lossless-json.ts";
import { arrayElementTexts, BodyError, invalidUtf8At, latin1Text, parseBody, trailingArrayComma, type ParsedBody } from "../../edge/worker/parse.ts";
import type { SourceEvent } from "./source.ts";
import { csvDelimiter, csvHeaderNames, csvRecordFields } from "../../edge/exec/csv-header.ts";
import { counted } from "../../notebook/format/counted.ts";

type Meta = Record<string, string | number>;

/**
 * Decodes one payload (a Kafka message value, a webhook body, a polled
 * response) into events; integers beyond 2^53 stay exact (bigint). `json`: one JSON value, a top-level array giving one
 * event per element. `ndjson`: one value per non-empty line, a bad line is an
 * error event and the rest still decode. `csv`: RFC 4180 with a header line
 * (or the given `header`; "positional" names fields column0, column1, ... as
 * DuckDB does for a headerless file, column00… from 11 fields), fields as text, empty fields null. A
 * payload that does not decode is an error event carrying the raw text.
 */
export function decodePayload(
  payload: string | Uint8Array,
  format: SourceFormat,
  receivedAt: number,
  meta?: Meta,
  header?: string[] | "positional",
  /** A Kafka message value: Confluent's Schema Registry framing is read (JSON) or named (Avro, Protobuf). A webhook or HTTP body has no such framing. */
  kafkaValue = false,
  /** `keep` where a pinned schema reads the events (the Kafka runner): the event converter refuses a repeated key only where DuckDB does. */
  repeatedKeys: RepeatedKeysMode = "refuse",
): SourceEvent[] {
  if (kafkaValue && typeof payload !== "string" && format !== "csv") {
    const framed = schemaRegistryFraming(payload);
    // JSON behind the header (Confluent's JSON Schema serializer) is read; Avro or Protobuf is refused.
    if (typeof framed === "string") return [errorEvent(Buffer.from(payload).toString("latin1"), framed, receivedAt, meta)];
    if (framed !== null) payload = framed;
  }
  let text: string;
  try {
    // TextDecoder drops a leading byte order mark; a string payload loses it here, as DuckDB skips it.
    text = typeof payload === "string" ? payload.replace(/^\uFEFF/, "") : utf8.decode(payload);
  } catch (err) {
    // A CSV body with a header line: a record that is not UTF-8 is an error row of its exact bytes and the others are
    // rows, as the Worker's parser (the same code) and read_csv read such a body; only a header line that is not UTF-8 refuses it whole.
    const records = format === "csv" && header === undefined ? csvRecordsOfBytes(payload as Uint8Array, receivedAt, meta) : null;
    if (records !== null) return records;
    // An NDJSON body (not a Kafka message, which the runner dead-letters whole): a line that is not UTF-8 is an error row of its exact bytes and the other lines events, as the Worker's parseBody reads the body.
    if (format === "ndjson" && !kafkaValue && typeof payload !== "string") return ndjsonLinesOfBytes(payload, receivedAt, meta, repeatedKeys);
    const raw = Buffer.from(payload as Uint8Array).toString("latin1");
    return [errorEvent(raw, `decode: payload is not valid UTF-8 (${(err as Error).message})`, receivedAt, meta)];
  }
  switch (format) {
    case "json":
      return decodeJson(text, receivedAt, meta, true, repeatedKeys);
    case "ndjson": {
      const lines = text.split("\n").filter((line) => line.trim() !== "");
      const events = lines.flatMap((line) => decodeJson(line, receivedAt, meta, false, repeatedKeys));
      // One JSON value over several lines (pretty-printed, as Stripe sends them): one error row, where the Worker answers 400.
      if (lines.length > 1 && events.some((e) => !e.ok) && isOneJsonValue(text)) {
        return [errorEvent(text, `decode: the payload is one JSON value spread over ${lines.length} lines (pretty-printed JSON), and a ndjson source reads one JSON value per line: set the source's format: json, or send each event on one line`, receivedAt, meta)];
      }
      return events;
    }
    case "csv":
      return decodeCsv(text, receivedAt, meta, header);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** Keeps a leading U+FEFF: only the payload's first line may start with the byte order mark, which is dropped there. */
const utf8Line = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * An NDJSON payload that is not UTF-8, line by line as the Worker's `parseBody` reads it: a line that is not UTF-8 is an
 * error event whose raw text is its Latin-1 reading (its exact bytes), in the Worker's words; the other lines are events.
 * Before, the whole payload was one error row where the Worker wrote every other line.
 */
function ndjsonLinesOfBytes(bytes: Uint8Array, receivedAt: number, meta: Meta | undefined, repeatedKeys: RepeatedKeysMode): SourceEvent[] {
  const out: SourceEvent[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let lineNo = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    lineNo++;
    start = end + 1;
    const at = invalidUtf8At(line);
    if (at === null) {
      const text = utf8Line.decode(line);
      if (text.trim() !== "") for (const e of decodeJson(text, receivedAt, meta, false, repeatedKeys)) out.push(e);
      continue;
    }
    let raw = latin1Text(line);
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    out.push(errorEvent(raw, `decode: line ${lineNo}: the line is not valid UTF-8 (byte ${at + 1} of the line)`, receivedAt, meta));
  }
  return out;
}

/**
 * A value in Confluent's Schema Registry wire format (a zero byte, a 4-byte big-endian schema id, then
 * the serialized value): the JSON after the header, as Confluent's JSON Schema serializer writes it, or
 * why the value is not read (Avro or Protobuf after it). Null for anything else: JSON text never starts
 * with a zero byte, so the header is told apart for sure.
 */
function schemaRegistryFraming(bytes: Uint8Array): Uint8Array | string | null {
  if (bytes.length < 5 || bytes[0] !== 0) return null;
  let at = 5;
  while (at < bytes.length && (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0a || bytes[at] === 0x0d)) at++;
  // An object or an array: an event. Avro's and Protobuf's bytes are no JSON text (one starting with `{` fails to parse, and says so).
  if (bytes[at] === 0x7b || bytes[at] === 0x5b) return bytes.subarray(5);
  // A scalar (`"abc"`, `42`, `true`, `null`): the serializer frames whatever its schema allows, so a topic of a
  // string schema holds framed strings, read as the same JSON unframed. Only when the rest is that one JSON
  // value: Avro's and Protobuf's bytes almost never are (an Avro record of one small int can be a digit).
  if (at < bytes.length && isOneJsonScalar(bytes.subarray(5))) return bytes.subarray(5);
  const id = ((bytes[1]! << 24) >>> 0) + (bytes[2]! << 16) + (bytes[3]! << 8) + bytes[4]!;
  return `decode: the value starts with a Schema Registry header (magic byte 0, schema id ${id}) and is not JSON (Avro or Protobuf?); runnel reads JSON messages`;
}

/** Whether `text` is one JSON value as the Worker's parser reads it (a repeated key kept). */
function isOneJsonValue(text: string): boolean {
  try {
    parseEventJson(text, undefined, "keep");
    return true;
  } catch (error) {
    if (error instanceof Error) return false;
    throw error;
  }
}

/** Whether `bytes` are UTF-8 text of one JSON value that is no object or array, as the event parser reads JSON. */
function isOneJsonScalar(bytes: Uint8Array): boolean {
  let value: unknown;
  try {
    value = parseEventJson(utf8.decode(bytes));
  } catch (error) {
    // Not UTF-8, not JSON, or several values: not a JSON scalar.
    if (error instanceof Error) return false;
    throw error;
  }
  return value === null || typeof value !== "object" || value instanceof JsonReal;
}

/**
 * A Kafka `json` message value's events as the runner reads them, parsed once. The value JSON.parse gives, when
 * DuckDB's reader reads the text the same (nearly always; a top-level array is the caller's to spread), else a
 * `MessageEvents` of the events and error events `decodePayload(bytes, "json", receivedAt, undefined, undefined,
 * true, repeatedKeys)` gives, reasons and raw text the same. A value that fails to decode or to parse is not
 * decoded or parsed again to say why (it was up to four times, ~17k dead letters a second for a producer's bad
 * release), and the errors on the way capture no stack (V8's capture was a third of the time).
 */
export function readJsonMessage(bytes: Uint8Array, receivedAt: number, realsMatter?: (value: unknown) => boolean, repeatedKeys: RepeatedKeysMode = "keep"): unknown {
  // A zero first byte: maybe Confluent's Schema Registry framing, which decodePayload reads.
  if (bytes[0] === 0) return new MessageEvents(decodePayload(bytes, "json", receivedAt, undefined, undefined, true, repeatedKeys));
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    let text: string;
    try {
      // After a value that was not UTF-8, the next is checked first: the decoder's error costs ~40 times the check.
      if (lastNotUtf8 && !isUtf8(bytes)) return notUtf8(bytes, notUtf8Message, receivedAt);
      text = utf8.decode(bytes);
      lastNotUtf8 = false;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      lastNotUtf8 = true;
      return notUtf8(bytes, error.message, receivedAt);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return new MessageEvents(decodeJson(text, receivedAt, undefined, true, repeatedKeys, error.message));
    }
    return exactParseNeeded(value, text, realsMatter) ? new MessageEvents(decodeJson(text, receivedAt, undefined, true, repeatedKeys)) : value;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Whether the last value `readJsonMessage` read was not UTF-8 (a producer's bad release sends them by the thousand). */
let lastNotUtf8 = false;

/** The decoder's words for bytes that are not UTF-8 (they name no byte), as `decodePayload`'s reason quotes them. */
const notUtf8Message = ((): string => {
  try {
    utf8.decode(new Uint8Array([0xff]));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("decode: the UTF-8 decoder took the byte 0xff");
})();

/** A value that is not UTF-8: its bytes one character each (Latin-1), as `decodePayload` keeps them. */
function notUtf8(bytes: Uint8Array, message: string, receivedAt: number): MessageEvents {
  return new MessageEvents([errorEvent(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"), `decode: payload is not valid UTF-8 (${message})`, receivedAt)]);
}

/** What `readJsonMessage` gives for a message JSON.parse alone cannot read: its events, or its error event. */
export class MessageEvents {
  constructor(readonly events: SourceEvent[]) {}
}

/**
 * Whether the event parser (`parseJsonLossless(text, { duckdb: true })`) may read `text`, which JSON.parse
 * refused, otherwise than JSON.parse did: a comma before a closing bracket or a non-finite literal (`NaN`,
 * `-inf`) in a value's place, which it takes, or nesting past `MAX_NESTING`, which it refuses as such. When
 * none is there it fails too, and a dead letter's reason is JSON.parse's, so its parse is skipped (false alarms
 * from text inside strings only cost that parse).
 */
function eventParserMayRead(text: string): boolean {
  return TRAILING_COMMA.test(text) || NON_FINITE_VALUE.test(text) || (text.length > MAX_NESTING && nestsPast(text, MAX_NESTING));
}

/**
 * Whether brackets outside strings open more than `limit` levels at some point of `text`, strings ended as
 * the event parser ends them (the next quote after an even run of backslashes), and stepped over with
 * indexOf: a 1 MB string is not walked a character at a time.
 */
function nestsPast(text: string, limit: number): boolean {
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 0x22) {
      let close = text.indexOf('"', at + 1);
      for (;;) {
        if (close < 0) return false;
        let slashes = 0;
        while (text.charCodeAt(close - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      at = close;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

const TRAILING_COMMA = /,[ \t\n\r]*[\]}]/;
const NON_FINITE_VALUE = /(?:^|[[,:])[ \t\n\r]*-?(?:nan|inf)/i;

/** `known`: JSON.parse's message for `text`, when the caller's parse failed. */
function decodeJson(text: string, receivedAt: number, meta: Meta | undefined, spreadArrays: boolean, repeatedKeys: RepeatedKeysMode, known?: string): SourceEvent[] {
  if (known !== undefined && !eventParserMayRead(text)) return [errorEvent(text, `decode: not JSON (${known})${ndjsonHint(text)}`, receivedAt, meta)];
  let value: unknown;
  try {
    // Integers past 2^53, reals with an integral value (10.0), NaN: as DuckDB's reader reads them. After
    // JSON.parse failed, what parseEventJson would do next.
    value = known === undefined ? parseEventJson(text, undefined, repeatedKeys) : parseJsonLossless(text, { duckdb: true, repeatedKeys });
  } catch (err) {
    // An object with a key twice (DuckDB refuses that event), or nesting past MAX_NESTING: of an array, only that element.
    if (err instanceof DuplicateKeyError || err instanceof NestingError) {
      if (spreadArrays && text.trimStart().startsWith("[") && trailingArrayComma(text) === null) return (arrayElementTexts(text, null) ?? []).flatMap((element) => decodeJson(element, receivedAt, meta, false, repeatedKeys));
      return [errorEvent(text, `decode: ${err.message.replace(/^json: /, "")}`, receivedAt, meta)];
    }
    return [errorEvent(text, known === undefined ? notJson(text, err) : `decode: not JSON (${known})${ndjsonHint(text)}`, receivedAt, meta)];
  }
  // A comma before the closing bracket of the payload's array: read_json refuses the payload, the Worker answers 400.
  const comma = spreadArrays && Array.isArray(value) ? trailingArrayComma(text) : null;
  if (comma !== null) return [errorEvent(text, `decode: not JSON as DuckDB reads it (a comma before the closing "]" of the payload's array, at offset ${comma}; remove the comma after the last event)`, receivedAt, meta)];
  const values = spreadArrays && Array.isArray(value) ? value : [value];
  return values.map((v) => ({ ok: true as const, value: v, receivedAt, ...(meta ? { meta } : {}) }));
}

/** Why a text is not an event: JSON.parse's words where it refuses the text, else the exact parser's (DuckDB refuses what JSON.parse takes). */
function notJson(text: string, exactError: unknown): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return `decode: not JSON (${(err as Error).message})${ndjsonHint(text)}`;
  }
  return `decode: not JSON as DuckDB reads it (${(exactError as Error).message})`;
}

/** For a `json` payload of several JSON values one per line (NDJSON), what to do: say `format: ndjson`. */
function ndjsonHint(text: string): string {
  if (!text.includes("\n")) return "";
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length < 2) return "";
  for (const line of lines) {
    try {
      parseEventJson(line);
    } catch {
      return "";
    }
  }
  return `: it holds ${lines.length} JSON values, one per line (NDJSON); a source with format: ndjson reads each as an event`;
}

function decodeCsv(text: string, receivedAt: number, meta: Meta | undefined, header?: string[] | "positional"): SourceEvent[] {
  let records: string[][];
  // With a header line, the delimiter is sniffed from it (`;`, `|`, tab), as read_csv does;
  // records read under given names (a Kafka message: one record, no header line) are cut at the
  // delimiter that cuts their first line the most, as read_csv sniffed the sample's.
  const delimiter = header === "positional" ? "," : csvDelimiter(text);
  let lines: number[] = [];
  // Records read_csv refuses (text after a quoted field's closing quote), by index: error events saying where.
  let refused = new Map<number, string>();
  try {
    records = parseCsv(text, delimiter, lines, header === undefined, refused);
  } catch (err) {
    return [errorEvent(text, (err as Error).message, receivedAt, meta)];
  }
  if (header === undefined) {
    // Blank lines before the header line are skipped; after it, each is a record of one empty field
    // where the header has one column (read_csv reads a NULL row for it) and is skipped otherwise.
    // One pass into new arrays: a shift or splice per blank line moved every record after it (quadratic).
    let start = 0;
    while (start < records.length && records[start]!.length === 0) start++;
    const one = start < records.length && records[start]!.length === 1;
    const keptRecords: string[][] = [];
    const keptLines: number[] = [];
    const keptRefused = new Map<number, string>();
    for (let k = start; k < records.length; k++) {
      if (k > start && records[k]!.length === 0) {
        if (!one) continue;
        records[k] = [""];
      }
      const why = refused.get(k);
      if (why !== undefined) keptRefused.set(keptRecords.length, why);
      keptRecords.push(records[k]!);
      keptLines.push(lines[k]!);
    }
    records = keptRecords;
    lines = keptLines;
    refused = keptRefused;
  }
  // Given names, a first record spelling them is a header line the producer sent along: skipped.
  // The records after a first one taken off (a header line): `refused` re-indexed.
  const shiftRefused = () => (refused = new Map([...refused].filter(([k]) => k > 0).map(([k, why]) => [k - 1, why])));
  if (Array.isArray(header) && records.length > 0 && records[0]!.length === header.length && records[0]!.every((f, i) => f.trim() === header[i])) {
    lines.shift();
    records.shift();
    shiftRefused();
  }
  // A header line read_csv refuses: nothing of the payload can be named.
  if (header === undefined && refused.has(0)) return [errorEvent(text, refused.get(0)!, receivedAt, meta)];
  const first = header === undefined ? (lines.shift(), shiftRefused(), records.shift()) : undefined;
  const given = header === "positional" ? null : header ?? (first === undefined ? undefined : csvHeaderNames(first));
  if (given === undefined) return [];
  return records.map((all, k) => {
    const why = refused.get(k);
    if (why !== undefined) return errorEvent(all.join(delimiter), why, receivedAt, meta);
    const fields = given ? csvRecordFields(all, given.length) : all;
    const names = given ?? positionalNames(fields.length);
    if (fields.length !== names.length) {
      // The line says which record of a `--sample` file (or a payload) to look at.
      return errorEvent(fields.join(delimiter), `decode: CSV record on line ${lines[k]} has ${counted(fields.length, "field")}, the header has ${names.length}`, receivedAt, meta);
    }
    // Fields stay text (an empty one NULL): the sample is typed by read_csv and each field cast as read_csv casts it.
    const value = Object.fromEntries(names.map((name, i) => [name, fields[i] === "" || fields[i] === undefined ? null : fields[i]]));
    return { ok: true as const, value, receivedAt, ...(meta ? { meta } : {}) };
  });
}

/**
 * A CSV body that is not UTF-8, read by the Worker's `parseBody`: its events, then an error event for each record that
 * is not UTF-8 (its raw text one character a byte, Latin-1, so the exact bytes are kept) or does not parse. Null
 * when the Worker refuses the body (its header line is not UTF-8).
 */
function csvRecordsOfBytes(bytes: Uint8Array, receivedAt: number, meta: Meta | undefined): SourceEvent[] | null {
  let parsed: ParsedBody;
  try {
    parsed = parseBody(bytes, "csv");
  } catch (error) {
    if (error instanceof BodyError) return null;
    throw error;
  }
  return [
    ...parsed.events.map((value) => ({ ok: true as const, value, receivedAt, ...(meta ? { meta } : {}) })),
    ...parsed.bad.map((b) => errorEvent(b.raw, b.reason, receivedAt, meta)),
  ];
}

/** A headerless record's field names as read_csv(header = false) names them: `column0`…, zero-padded to the widest (`column00`… of 12). */
function positionalNames(n: number): string[] {
  const width = String(Math.max(n - 1, 0)).length;
  return Array.from({ length: n }, (_, i) => `column${String(i).padStart(width, "0")}`);
}

/**
 * RFC 4180 records: quoted fields with doubled quotes, CRLF or LF line ends, fields cut at `delimiter`.
 * `lines`, when given, receives the line each record starts on (1-based), for errors that say where.
 * A blank line is no record, or with `keepBlank` a record of no fields; a line of `""` is one empty field.
 * Spaces around a quoted field as read_csv reads them (the Worker's `parseBody` too): one space before the
 * opening quote and any after the closing one are dropped, two or more before it make the field plain text;
 * anything else after a closing quote is a record read_csv refuses, its reason in `refused` by record index.
 */
export function parseCsv(text: string, delimiter = ",", lines?: number[], keepBlank = false, refused?: Map<number, string>): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let sawQuote = false;
  // After a closing quote: only spaces until the delimiter or the line end; else why read_csv refuses the record.
  let closed = false;
  let why: string | undefined;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; closed = true; i++; continue; }
      if (ch === "\n" || (ch === "\r" && text[i + 1] !== "\n")) line++;
      field += ch; i++; continue;
    }
    if (ch === delimiter) { fields.push(field); field = ""; atFieldStart = true; closed = false; i++; continue; }
    if (closed && ch !== "\n" && ch !== "\r") {
      if (ch !== " " && why === undefined) {
        const column = i - Math.max(text.lastIndexOf("\n", i - 1), text.lastIndexOf("\r", i - 1));
        why = `decode: CSV record on line ${recordLine} has ${JSON.stringify(ch)} after a quoted field's closing quote (line ${line}, column ${column}), which read_csv refuses (Value with unterminated quote found): quote the whole field, doubling the quotes inside it`;
      }
      i++; continue;
    }
    if (atFieldStart && (ch === '"' || (ch === " " && text[i + 1] === '"'))) { if (ch === " ") i++; quoted = true; sawQuote = true; quoteLine = line; atFieldStart = false; i++; continue; }
    if (ch === "\n" || ch === "\r") {
      fields.push(field);
      const blank = fields.length === 1 && fields[0] === "" && !sawQuote;
      if (!blank || keepBlank) { if (why !== undefined) refused?.set(records.length, why); records.push(blank ? [] : fields); lines?.push(recordLine); }
      fields = []; field = ""; atFieldStart = true; sawQuote = false; closed = false; why = undefined;
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      recordLine = ++line;
      continue;
    }
    field += ch; atFieldStart = false; i++;
  }
  if (quoted) throw new Error(`decode: CSV ends inside a quoted field (the quote opened on line ${quoteLine})`);
  if (field !== "" || fields.length > 0 || sawQuote) { fields.push(field); if (why !== undefined) refused?.set(records.length, why); records.push(fields); lines?.push(recordLine); }
  return records;
}

/** A payload that cannot be read as events: one error event holding its text. */
export function undecodable(payload: Uint8Array, error: string, receivedAt: number, meta?: Meta): SourceEvent {
  return errorEvent(new TextDecoder().decode(payload), error, receivedAt, meta);
}

function errorEvent(raw: string, error: string, receivedAt: number, meta?: Meta): SourceEvent {
  return { ok: false, raw, error, receivedAt, ...(meta ? { meta } : {}) };
}

/**
 * Why a Kafka tombstone (a message with no value) is no event, in both readers' words: its offset and
 * key, since a CDC topic's delete names its row only by the key: quoted text when it is UTF-8, else its
 * bytes in hex (a Kafka Streams or Avro key is binary, and its lossy UTF-8 reading, U+FFFD for each bad
 * byte, could not be looked up).
 */
export function tombstoneReason(offset: bigint | string, key: Uint8Array | undefined): string {
  const at = `kafka: message has no value (a tombstone) at offset ${offset}`;
  if (key === undefined) return at;
  let text: string;
  try {
    text = utf8.decode(key);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return `${at}, key bytes ${Buffer.from(key.subarray(0, 100)).toString("hex")}${key.length > 100 ? "…" : ""} (not UTF-8)`;
  }
  return `${at}, key ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`;
}

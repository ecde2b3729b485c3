import { INTEGRAL_REAL, SURROGATE_ESCAPE, parseJsonFast, parseJsonLossless } from "../duckdb/lossless-json.ts";

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
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new BodyError(`parse: the body is not valid UTF-8 (${cause instanceof Error ? cause.message : String(cause)})`, null);
  }
  switch (format) {
    case "json": {
      const value = parseJson(text, realsMatter);
      if (Array.isArray(value)) return { events: value, raws: value.map((v) => JSON.stringify(v, bigintText)), bad: [] };
      return { events: [value], raws: [text], bad: [] };
    }
    case "ndjson": {
      // Line by line: each line is parsed where it lies (no joined copy of the body to flatten), and a
      // bad line is a dead letter with its position while the others still count.
      const out: ParsedBody = { events: [], raws: [], bad: [] };
      let lineNo = 0;
      for (let line of text.split("\n")) {
        lineNo++;
        if (line.endsWith("\r")) line = line.slice(0, -1);
        if (line.trim() === "") continue;
        try {
          out.events.push(parseJson(line, realsMatter));
          out.raws.push(line);
        } catch (error) {
          if (!(error instanceof BodyError)) throw error;
          out.bad.push({ reason: `line ${lineNo}: ${error.message}`, raw: line });
        }
      }
      return out;
    }
    case "csv":
      return parseCsvBody(text);
  }
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
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

/**
 * JSON with exact big integers, and reals with an integral value (`10.0`) kept as `JsonReal` where
 * `realsMatter` says the difference shows; a syntax error names its offset, line and column.
 */
export function parseJson(text: string, realsMatter?: (value: unknown) => boolean): unknown {
  // One JSON.parse, kept unless it rounded an integer past 2^53 or may have read `10.0` as 10 (checked on the value).
  const fast = parseJsonFast(text, realsMatter);
  if (fast !== undefined) return fast;
  // Integers past 2^53 would be rounded by JSON.parse; only texts with long digit runs pay for exactness.
  // The marking parser knows nothing of reals or of half surrogate pairs: a text that may hold one takes the exact parser.
  if (!INTEGRAL_REAL.test(text) && !SURROGATE_ESCAPE.test(text)) {
    try {
      return parseExact(text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // Fall through: the exact parser says where, in the same words every time.
    }
  }
  try {
    return parseJsonLossless(text, { duckdb: true });
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const offset = Number(/at offset (\d+)/.exec(error.message)?.[1] ?? 0);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    throw new BodyError(`parse: malformed JSON: ${error.message.replace(/^json: /, "")} (line ${line}, column ${column})`, { offset, line, column });
  }
}

function parseCsvBody(text: string): ParsedBody {
  const records = csvRecords(text);
  const header = records.shift();
  const out: ParsedBody = { events: [], raws: [], bad: [] };
  if (!header) return out;
  for (const { fields, raw } of records) {
    if (fields.length !== header.fields.length) {
      out.bad.push({ reason: `parse: CSV record has ${fields.length} fields, the header has ${header.fields.length}`, raw });
      continue;
    }
    const event: Record<string, unknown> = {};
    header.fields.forEach((name, i) => {
      const field = fields[i]!;
      // Text, an empty field NULL: the plan casts each field as read_csv does.
      event[name] = field === "" ? null : field;
    });
    out.events.push(event);
    out.raws.push(raw);
  }
  return out;
}

/** RFC 4180: quoted fields with doubled quotes, CRLF or LF line ends. */
function csvRecords(text: string): { fields: string[]; raw: string }[] {
  const records: { fields: string[]; raw: string }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let atFieldStart = true;
  let start = 0;
  let i = 0;
  const end = (next: number) => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, raw: text.slice(start, i) });
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
      atFieldStart = false;
      i++;
    } else if (ch === ",") {
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
  if (quoted) throw new BodyError("parse: CSV ends inside a quoted field", null);
  if (field !== "" || fields.length > 0) end(i);
  return records;
}

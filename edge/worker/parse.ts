import { parseEventJson } from "../duckdb/lossless-json.ts";

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

/**
 * JSON with exact big integers, and reals with an integral value (`10.0`) kept as `JsonReal` where
 * `realsMatter` says the difference shows; a syntax error names its offset, line and column.
 */
export function parseJson(text: string, realsMatter?: (value: unknown) => boolean): unknown {
  try {
    return parseEventJson(text, realsMatter);
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

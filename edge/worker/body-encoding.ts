import { invalidUtf8At } from "./parse.ts";

/** Charsets whose text is never UTF-8 bytes (every character takes two or four bytes): refused whatever the body holds. */
const WIDE = /^(utf-?16(le|be)?|utf-?32(le|be)?|ucs-?2|ucs-?4|unicode|unicodefffe|csunicode)$/;
/** Labels of UTF-8 and of its ASCII subset. */
const UTF8 = /^(utf-?8|unicode-1-1-utf-8|us-ascii|ascii|ansi_x3\.4-1968|iso-ir-6|csascii)$/;

/**
 * Why the Worker (or the gateway's `/hooks`, which answers as the Worker does) answers 415 to a
 * delivery whose bytes, once decompressed (`decodeBody` of `decompress.ts`, which takes gzip and deflate
 * and refuses other codings), it cannot read as the UTF-8 text it takes (and DuckDB's read_json reads), or null.
 * `reader` names who refuses, as the sender's logs show it: "this Worker", or "the runnel gateway"
 * (which until 2026-12-06 said "this Worker" too, sending someone testing a webhook to look for one):
 * - a body that is still gzip-compressed once decoded (compressed twice): no UTF-8 text starts with
 *   gzip's magic bytes, and read as text the bytes were a 400 "not valid UTF-8" naming a byte, or, for
 *   NDJSON, dead letters of binary acked with a 202;
 * - a body declared UTF-16 or UTF-32 (`charset=utf-16`), or starting with a UTF-16 byte order mark: read
 *   as UTF-8 its NUL bytes made a 400 "expected a string key", dead letters, or a CSV header nothing
 *   matched, so every row was written NULL;
 * - a body declared in another charset (`iso-8859-1`, `windows-1252`) that is not valid UTF-8. One that
 *   is (ASCII, or a sender whose label is wrong) is read as UTF-8, as before.
 */
export function encodingRefusal(headers: { get(name: string): string | null }, body: Uint8Array, reader = "this Worker"): string | null {
  if (body[0] === 0x1f && body[1] === 0x8b) return `ingest: the body is still gzip-compressed once ${reader} decompressed it (it starts with the bytes 1f 8b): compress it once, and say so with Content-Encoding: gzip`;
  const charset = charsetOf(headers.get("content-type"));
  if (charset !== null && WIDE.test(charset)) return `ingest: the body is declared charset=${charset} (Content-Type); runnel reads UTF-8 bodies only: send it as UTF-8 (charset=utf-8)`;
  if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)) {
    return `ingest: the body is UTF-16 (it starts with the byte order mark ${body[0]!.toString(16)} ${body[1]!.toString(16)}); runnel reads UTF-8 bodies only: send it as UTF-8`;
  }
  if (charset !== null && !UTF8.test(charset)) {
    const at = invalidUtf8At(body);
    if (at !== null) return `ingest: the body is declared charset=${charset} (Content-Type) and is not valid UTF-8 (byte ${at}); runnel reads UTF-8 bodies only: send it as UTF-8 (charset=utf-8)`;
  }
  return null;
}

/** The `charset` parameter of a Content-Type, lower-case and unquoted, or null. */
export function charsetOf(contentType: string | null): string | null {
  if (contentType === null) return null;
  const match = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType);
  if (!match) return null;
  const value = (match[2] ?? match[1]!).trim().toLowerCase().slice(0, 64);
  return value === "" ? null : value;
}

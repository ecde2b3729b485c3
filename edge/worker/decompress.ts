/**
 * A webhook delivery's body as its sender compressed it (`Content-Encoding: gzip`, `x-gzip`, `deflate`),
 * decoded with the web-standard `DecompressionStream`, so the Worker (`POST /ingest/<source>`, workerd) and
 * the gateway (`/hooks`, Node) read the same bytes the same way. Batching senders and log shippers send
 * gzip, and `curl --data-binary @x.ndjson.gz -H 'Content-Encoding: gzip'` posts a file as it lies; before,
 * each was a 415 and the sender had to be reconfigured.
 *
 * - `deflate` is zlib (RFC 1950) as the HTTP spec says, or raw deflate (RFC 1951), which some senders
 *   send under the same name: told apart by the zlib header's first two bytes.
 * - A body with no Content-Encoding that starts with gzip's magic bytes (`1f 8b`, which no UTF-8 text
 *   starts with, since 0x8b cannot follow 0x1f) is read as gzip: a `.gz` file posted without the header
 *   can be nothing else, and refusing it only made the sender look up a header.
 * - `br`, `zstd`, `compress` and any other coding: a 415 naming what is taken (workerd's
 *   DecompressionStream has neither brotli nor zstd).
 * - The decompressed size is bounded by the same limit as the bytes read (`maxBodyBytes`): decompressing
 *   stops at the limit, a 413 that says "decompressed". The input is fed a slice at a time, each once the
 *   output of the one before is read, so at most a slice's worth of output (deflate inflates at most
 *   ~1,032×: ~4 MiB) is held past the limit: a 1 MB gzip of 1 GB of zeros is refused in milliseconds.
 * - A stream that ends early is a 400 saying it was cut short; data that is not gzip (or zlib) data, or
 *   bytes after its end (several gzip files joined: workerd refuses them where Node's zlib reads them on,
 *   so both refuse them, to read alike), a 400 saying it is corrupt. (Bytes after a whole gzip member
 *   that Node's zlib takes for the start of another are "cut short" there; a 400 either way.)
 */

/** What a delivery's body reads as: the bytes to parse (the body itself when it was not compressed), or why not. */
export type DecodedBody =
  | { ok: true; body: Uint8Array; codings: string[] }
  | { ok: false; status: 400 | 413 | 415; reason: string };

/** The codings taken, by their `Content-Encoding` names. */
const TAKEN: Record<string, "gzip" | "deflate"> = { gzip: "gzip", "x-gzip": "gzip", deflate: "deflate" };

/** Compressed bytes handed to the decompressor at a time: with deflate's ratio at most ~1,032, ≤ ~4 MiB of output each. */
const SLICE = 4096;

/**
 * Decodes `body` as its `Content-Encoding` says (several codings are undone last first), or as gzip when
 * it declares none and starts with gzip's magic bytes. `max` bounds each decoded size; `reader` names who
 * refuses ("this Worker", "the runnel gateway"), as `encodingRefusal` does.
 */
export async function decodeBody(headers: { get(name: string): string | null }, body: Uint8Array, max: number, reader = "this Worker"): Promise<DecodedBody> {
  const codings = (headers.get("content-encoding") ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  const unknown = codings.filter((c) => !Object.hasOwn(TAKEN, c));
  if (unknown.length) {
    return {
      ok: false,
      status: 415,
      reason: `ingest: the body is sent with Content-Encoding: ${codings.join(", ")}, which ${reader} does not decode (${unknown.join(", ")}); it takes gzip (x-gzip) and deflate, or the body uncompressed as UTF-8 text`,
    };
  }
  // The magic bytes with no header: a gzip file posted as it lies.
  const sniffed = codings.length === 0 && body[0] === 0x1f && body[1] === 0x8b;
  if (sniffed) codings.push("gzip");
  let bytes = body;
  for (const coding of [...codings].reverse()) {
    // An empty body declared compressed (some clients add the header to every request) is empty.
    if (bytes.length === 0) break;
    const format = TAKEN[coding] === "gzip" ? "gzip" : zlibHeader(bytes) ? "deflate" : "deflate-raw";
    const got = await inflate(bytes, format, max);
    const named = sniffed ? "no Content-Encoding, read as gzip as its first bytes 1f 8b say" : `Content-Encoding: ${coding}`;
    // `curl -d @file` sends a form and drops every CR and LF byte of the file: compressed data no longer inflates.
    const form = /^\s*application\/x-www-form-urlencoded/i.test(headers.get("content-type") ?? "");
    const hint = form ? "; it came as a form (Content-Type: application/x-www-form-urlencoded), as `curl -d @file` sends it, and curl -d removes the file's newline and carriage-return bytes: post it with `curl --data-binary @file`" : "";
    if (got === "over") {
      return { ok: false, status: 413, reason: `ingest: the body decompressed (${named}) is over the limit of ${max} bytes` };
    }
    if (got === "truncated") {
      return { ok: false, status: 400, reason: `ingest: the body's ${name(format)} data is cut short (${named}): it ends before its compressed stream does; send the whole compressed body${hint}` };
    }
    if (got === "corrupt" || (format === "gzip" && !sizeMatches(bytes, got))) {
      return {
        ok: false,
        status: 400,
        reason: `ingest: the body is not valid ${name(format)} data (${named}): it is corrupt, or bytes follow the end of its compressed data${format === "gzip" ? " (several gzip files joined?)" : ""}; send the body compressed as one ${name(format)} stream${hint}`,
      };
    }
    bytes = got;
  }
  return { ok: true, body: bytes, codings };
}

const name = (format: CompressionFormat) => (format === "gzip" ? "gzip" : format === "deflate" ? "zlib (deflate)" : "deflate");

/** A zlib header (RFC 1950): compression method 8, a window of at most 32 KiB, and a check making the pair a multiple of 31. */
function zlibHeader(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && (bytes[0]! & 0x0f) === 8 && bytes[0]! >> 4 <= 7 && ((bytes[0]! << 8) | bytes[1]!) % 31 === 0;
}

/**
 * A gzip member's trailer ends with its decompressed size (mod 2^32): one member decompressed whole
 * matches it. Node's zlib reads joined members (and trailing zero bytes) on, where workerd refuses
 * them; this makes Node refuse them too.
 */
function sizeMatches(compressed: Uint8Array, out: Uint8Array): boolean {
  const n = compressed.length;
  if (n < 18) return false;
  const size = (compressed[n - 4]! | (compressed[n - 3]! << 8) | (compressed[n - 2]! << 16) | (compressed[n - 1]! << 24)) >>> 0;
  return size === out.length % 2 ** 32;
}

/**
 * The decompressed bytes, or "over" as soon as they pass `max` (the rest is never inflated), "truncated"
 * when the data ends before its stream does (workerd: "incomplete data"; Node: Z_BUF_ERROR, "unexpected
 * end of file"), "corrupt" when it is not such data or more follows its end (any other failure).
 *
 * workerd's DecompressionStream has no backpressure: each write is inflated at once and its output queued
 * whether or not anything reads it (a 1 MB bomb queued 1 GB). So a slice is written only once the output
 * of the one before has been read: after a write, chunks are read until a whole turn of the event loop
 * passes with no read settling (workerd answers reads of queued chunks many a turn). Node's stream holds back by itself, and a
 * read that is still pending is simply carried to the next slice, so nothing is lost either way.
 */
async function inflate(bytes: Uint8Array, format: CompressionFormat, max: number): Promise<Uint8Array | "over" | "truncated" | "corrupt"> {
  const stream = new DecompressionStream(format);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  /** Reads what is there (all of it when `toEnd`); true once the stream has ended. Throws the stream's failure. */
  const drain = async (toEnd: boolean): Promise<boolean> => {
    // One timer a turn, not a read: a turn in which no read settled means the slice's output is all read.
    let turn = toEnd ? null : idle();
    let progressed = false;
    for (;;) {
      pending ??= reader.read();
      const got = turn === null ? await pending : await Promise.race([pending, turn]);
      if (got === IDLE) {
        if (!progressed) return false;
        progressed = false;
        turn = idle();
        continue;
      }
      progressed = true;
      pending = null;
      if (got.done) return true;
      size += got.value.length;
      if (size > max) throw OVER;
      chunks.push(got.value);
    }
  };
  try {
    try {
      for (let at = 0; at < bytes.length; at += SLICE) {
        // A write's failure also fails the readable side, where `drain` reads it with its cause.
        const wrote = writer.write(bytes.subarray(at, at + SLICE) as Uint8Array<ArrayBuffer>).catch(() => {});
        await Promise.race([wrote, pending]);
        await drain(false);
      }
      const closed = writer.close().catch(() => {});
      await drain(true);
      await closed;
    } catch (error) {
      if (error !== OVER) throw error;
      await reader.cancel().catch(() => {});
      await writer.abort().catch(() => {});
      return "over";
    }
  } catch (error) {
    await writer.abort().catch(() => {});
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    return code === "Z_BUF_ERROR" || /incomplete data|unexpected end/i.test(String(message)) ? "truncated" : "corrupt";
  }
  return joinChunks(chunks, size);
}

/** `chunks` (of `size` bytes in all) as one array; a single chunk as it is. */
export function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const OVER = Symbol("over");
const IDLE = Symbol("idle");

/**
 * Settles on the event loop's next turn, once a read of a chunk already queued has settled (workerd answers
 * reads through its event loop, not in microtasks): `setImmediate` in Node, `setTimeout(0)` in workerd.
 */
function idle(): Promise<typeof IDLE> {
  const next = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f: () => void) => setTimeout(f, 0));
  return new Promise((resolve) => next(() => resolve(IDLE)));
}

/**
 * The compression codecs kafkajs leaves out. kafkajs reads gzip batches
 * itself and throws on Snappy, LZ4 and ZSTD, which is what many real topics
 * hold: a producer's `compression.type`, or the topic's own, recompresses
 * every batch with it. Both the live runner and the notebook's sample reader
 * register these before they fetch, so such a topic reads like any other.
 *
 * The formats are the ones Kafka's Java client writes:
 * - Snappy: snappy-java's stream framing (an 8-byte magic, two version
 *   words, then blocks each prefixed by its big-endian length), or one raw
 *   Snappy block from producers that write it bare.
 * - LZ4: the LZ4 frame format (magic 0x184D2204), blocks linked or not, with
 *   or without checksums. The header checksum is not verified: Kafka before
 *   0.10 computed it over the magic too, and a wrong one is still a frame.
 * - ZSTD: standard frames, one or several, through the pure-JavaScript
 *   fzstd on every Node (Node's own zstd, from 22.15, stops after the first
 *   frame without a word).
 *
 * Every codec, gzip included (kafkajs's own has no bound), stops a batch at
 * `MAX_BATCH_BYTES` decompressed: the broker bounds a batch by its compressed
 * size only, so a 200 KB gzip message of zeros is 200 MiB in the consumer,
 * and one at the broker's default limit (1 MB) a gigabyte or more.
 */
import * as zlib from "node:zlib";
import { AsyncLocalStorage } from "node:async_hooks";
import kafkajs from "kafkajs";
import { promisify } from "node:util";
import { Decompress as ZstdStream } from "fzstd";
import { snappyCompress } from "../parquet/snappy.ts";
import { snappyRawDecode, ZSTD_WINDOW_MAX, zstdFrameHeader } from "./block-codecs.ts";

/**
 * A batch that does not decode: kafkajs hands it to the consumer's error path with this text.
 * `tooLarge`: it decodes, to more than MAX_BATCH_BYTES; its events are readable data (a large
 * record, a high compression ratio), so the runner stops on it rather than skipping it.
 */
export class KafkaCodecError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * The most one record batch may decompress to, unless the runner is given another bound
 * (`runnel run --max-batch-mib`). A producer's batch is bounded by its `batch.size` (16 KB
 * by default) or by one record within `max.request.size` (1 MB), so 64 MiB leaves room for
 * large messages and keeps a decompression bomb from taking the runner's (or the gateway's) memory.
 */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/** The highest bound a runner may be given: a Uint8Array, and zlib's output, stay below 2 GiB everywhere. */
export const MAX_BATCH_BYTES_LIMIT = 2047 * 1024 * 1024;

/**
 * The most the batches of one Fetch response may decompress to together: kafkajs decodes every
 * batch of a response before the consumer sees any, so MAX_BATCH_BYTES alone bounds nothing (a
 * 1.6 KB zstd batch is 50 MiB; a 1 MiB partition fetch of them, tens of GB). 512 MiB leaves room
 * for real data: the runner fetches at most 10 MiB compressed at once, so only a ratio past 50×
 * reaches it (JSON events compress 5–20×).
 */
export const MAX_FETCH_BYTES = 512 * 1024 * 1024;

/** What one Fetch has left to decompress; with `unreadable`, the runner's Fetch reads its record batches apart (`readBatchesApart`). */
interface FetchBudget {
  left: number;
  /** The most one batch of this Fetch may decompress to. */
  batch: number;
  unreadable?: UnreadableBatch[];
}

const fetchBudgets = new AsyncLocalStorage<FetchBudget>();
/** Runs one Fetch (the gateway's `broker.fetch`) with a budget of its own; the runner's use `readBatchesApart`. */
export function withFetchBudget<T>(run: () => Promise<T>): Promise<T> {
  return fetchBudgets.run({ left: MAX_FETCH_BYTES, batch: MAX_BATCH_BYTES }, run);
}

/** The bound on one batch of the Fetch being decoded (MAX_BATCH_BYTES outside one). */
const batchLimit = (): number => fetchBudgets.getStore()?.batch ?? MAX_BATCH_BYTES;

/**
 * A record batch no codec reads (damaged, a format runnel does not read, or past MAX_BATCH_BYTES
 * decompressed), as its header names it: the header is read before the records, so the offsets are
 * known though the records are not.
 */
export interface UnreadableBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  /** The records the header counts. */
  records: number;
  /** The batch's first record time (ms), as the producer or broker set it; -1 when it has none. */
  firstTimestamp: number;
  reason: string;
}

/**
 * Runs one Fetch (the runner's `broker.fetch`) with a budget of its own (each batch within `maxBatchBytes`), reading its record batches
 * apart: a batch no codec reads ends its partition's records in this answer there, as a batch cut
 * off by the response's size limit does (kafkajs keeps the batches before it and reads the other
 * partitions on), and is listed in `unreadable` with its offsets. A batch past what the budget has
 * left ends its partition's records there too, unlisted: the next Fetch, with a new budget, reads it.
 * Without this (the gateway's sample, `withFetchBudget`) either refusal fails the whole Fetch.
 */
export async function readBatchesApart<T>(run: () => Promise<T>, maxBatchBytes = MAX_BATCH_BYTES): Promise<{ answer: T; unreadable: UnreadableBatch[] }> {
  // A Fetch's budget holds at least one whole batch, or a batch at a raised bound would end its partition's records in every Fetch.
  const budget: FetchBudget = { left: Math.max(MAX_FETCH_BYTES, maxBatchBytes), batch: maxBatchBytes, unreadable: [] };
  const answer = await fetchBudgets.run(budget, run);
  return { answer, unreadable: budget.unreadable! };
}

/**
 * Ends the decoding of a partition's records in kafkajs's Fetch answer at the current batch, the
 * records before it kept. kafkajs knows the error by its name only: the one it gives a batch the
 * response's size limit cut off, which it takes for the end of the partition's records.
 */
class BatchesEndHere extends Error {
  override name = "KafkaJSPartialMessageError";
}

/** Bytes of a v2 record batch's header before its records, and where its fields lie (the Kafka protocol's RecordBatch). */
const BATCH_HEADER = 61;

/**
 * The header of the record batch whose records are `records`: kafkajs hands a codec a view of the
 * Fetch response, the header just before it. Null when what lies there is not this batch's header
 * (its magic byte 2 and a length that ends where the records end).
 */
function batchHeaderOf(records: Uint8Array, reason: string): UnreadableBatch | null {
  if (records.byteOffset < BATCH_HEADER) return null;
  const header = new DataView(records.buffer, records.byteOffset - BATCH_HEADER, BATCH_HEADER);
  if (header.getInt8(16) !== 2 || header.getInt32(8) !== BATCH_HEADER - 12 + records.length) return null;
  const firstOffset = header.getBigInt64(0);
  return {
    firstOffset,
    lastOffset: firstOffset + BigInt(header.getInt32(23)),
    records: header.getInt32(57),
    firstTimestamp: Number(header.getBigInt64(27)),
    reason,
  };
}

function charge(codec: string, n: number): void {
  // Every Fetch of the runner and the gateway runs with a budget; a decode outside one is bounded per batch only.
  const budget = fetchBudgets.getStore();
  if (budget === undefined) return;
  budget.left -= n;
  if (budget.left < 0) throw new KafkaCodecError(`${codec}: the batches of one fetch decompress to more than ${mib(MAX_FETCH_BYTES)} MiB (the most runnel holds at once); they are refused rather than read into memory`);
}

const mib = (bytes: number): string => String(Math.round((bytes / 1024 / 1024) * 100) / 100);

function tooLarge(codec: string): KafkaCodecError {
  return new KafkaCodecError(`${codec}: the batch decompresses to more than ${mib(batchLimit())} MiB (the most runnel reads in one batch); it is refused rather than read into memory`, true);
}

// ---------------------------------------------------------------- Snappy

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER = 16;
const XERIAL_BLOCK = 32 * 1024;

function isXerial(b: Uint8Array): boolean {
  if (b.length < XERIAL_HEADER) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (b[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** One raw Snappy block (`snappyRawDecode`, shared with Avro files' blocks); `room` is what the batch may still hold. */
function snappyBlock(b: Uint8Array, room = batchLimit()): Uint8Array {
  try {
    return snappyRawDecode(b, room, () => tooLarge("snappy"));
  } catch (e) {
    if (e instanceof KafkaCodecError) throw e;
    throw new KafkaCodecError(`snappy: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function snappyDecode(b: Uint8Array): Uint8Array {
  if (!isXerial(b)) return snappyBlock(b);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const parts: Uint8Array[] = [];
  let size = 0;
  let at = XERIAL_HEADER;
  const limit = batchLimit();
  while (at < b.length) {
    if (at + 4 > b.length) throw new KafkaCodecError("snappy: a block's length is cut off");
    const n = view.getInt32(at);
    at += 4;
    if (n < 0 || at + n > b.length) throw new KafkaCodecError(`snappy: a block of ${n} bytes runs past the batch's end`);
    const part = snappyBlock(b.subarray(at, at + n), limit - size);
    parts.push(part);
    size += part.length;
    at += n;
  }
  return concat(parts);
}

export function snappyEncode(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([...XERIAL_MAGIC, 0, 0, 0, 1, 0, 0, 0, 1])];
  for (let at = 0; at < b.length; at += XERIAL_BLOCK) {
    const block = snappyCompress(b.subarray(at, at + XERIAL_BLOCK));
    const length = new Uint8Array(4);
    new DataView(length.buffer).setInt32(0, block.length);
    parts.push(length, block);
  }
  return concat(parts);
}

// ---------------------------------------------------------------- LZ4

const LZ4_MAGIC = 0x184d2204;
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/** A growing output that LZ4's matches copy from. */
class Output {
  bytes: Uint8Array;
  length = 0;
  readonly limit = batchLimit();
  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.min(Math.max(capacity, 1024), this.limit));
  }
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    if (this.length + n > this.limit) throw tooLarge("lz4");
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    size = Math.min(size, this.limit);
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** One LZ4 block, appended to `out`; earlier output is the window a linked block's matches reach into. */
function lz4Block(src: Uint8Array, start: number, end: number, out: Output, windowStart: number): void {
  let i = start;
  const cut = () => new KafkaCodecError("lz4: a block ends inside a sequence");
  while (i < end) {
    const token = src[i++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let more: number;
      do {
        if (i >= end) throw cut();
        more = src[i++]!;
        literals += more;
      } while (more === 255);
    }
    if (i + literals > end) throw cut();
    out.reserve(literals);
    out.bytes.set(src.subarray(i, i + literals), out.length);
    out.length += literals;
    i += literals;
    if (i === end) return; // the last sequence has literals only
    if (i + 2 > end) throw cut();
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    if (offset === 0 || out.length - offset < windowStart) throw new KafkaCodecError(`lz4: a match reaches ${offset} bytes back, before the start of its data`);
    let length = (token & 15) + 4;
    if ((token & 15) === 15) {
      let more: number;
      do {
        if (i >= end) throw cut();
        more = src[i++]!;
        length += more;
      } while (more === 255);
    }
    out.reserve(length);
    const bytes = out.bytes;
    let from = out.length - offset;
    let to = out.length;
    if (offset >= length) {
      bytes.copyWithin(to, from, from + length);
    } else {
      // An overlapping match repeats the last `offset` bytes.
      for (let k = 0; k < length; k++) bytes[to++] = bytes[from++]!;
    }
    out.length += length;
  }
}

export function lz4Decode(b: Uint8Array): Uint8Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Output(b.length * 4);
  let at = 0;
  while (at < b.length) {
    if (at + 7 > b.length) throw new KafkaCodecError("lz4: the frame header is cut off");
    const magic = view.getUint32(at, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // A skippable frame: its length follows the magic.
      if (at + 8 > b.length) throw new KafkaCodecError("lz4: a skippable frame's header is cut off");
      const skip = view.getUint32(at + 4, true);
      if (at + 8 + skip > b.length) throw new KafkaCodecError(`lz4: a skippable frame of ${skip} bytes runs past the batch's end`);
      at += 8 + skip;
      continue;
    }
    if (magic !== LZ4_MAGIC) throw new KafkaCodecError(`lz4: not an LZ4 frame (magic 0x${magic.toString(16)})`);
    const flags = b[at + 4]!;
    if (flags >>> 6 !== 1) throw new KafkaCodecError(`lz4: frame version ${flags >>> 6} is not 1`);
    if (flags & 1) throw new KafkaCodecError("lz4: frames with a dictionary are not read");
    const blockChecksums = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const independent = (flags & 0x20) !== 0;
    const max = BLOCK_MAX[(b[at + 5]! >>> 4) & 7]!;
    if (max === 0) throw new KafkaCodecError("lz4: the frame names no block size");
    at += 6 + (contentSize ? 8 : 0) + 1;
    const frameStart = out.length;
    for (;;) {
      if (at + 4 > b.length) throw new KafkaCodecError("lz4: the frame ends without its end mark");
      const word = view.getUint32(at, true);
      at += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (size > max || at + size > b.length) throw new KafkaCodecError(`lz4: a block of ${size} bytes runs past the frame or its size`);
      if (word & 0x80000000) {
        out.reserve(size);
        out.bytes.set(b.subarray(at, at + size), out.length);
        out.length += size;
      } else {
        lz4Block(b, at, at + size, out, independent ? out.length : frameStart);
      }
      at += size + (blockChecksums ? 4 : 0);
    }
    if (contentChecksum) at += 4;
  }
  return out.bytes.slice(0, out.length);
}

/** A valid LZ4 frame of stored (uncompressed) blocks: runnel reads LZ4 topics; it does not produce to them. */
export function lz4Encode(b: Uint8Array): Uint8Array {
  const block = BLOCK_MAX[4]!;
  // FLG 0x60: version 1, independent blocks, no checksums; BD 0x40: 64 KB blocks; 0x82: the
  // header checksum, the second byte of xxh32 of those two bytes.
  const parts: Uint8Array[] = [new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82])];
  for (let at = 0; at < b.length; at += block) {
    const chunk = b.subarray(at, at + block);
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, (chunk.length | 0x80000000) >>> 0, true);
    parts.push(size, chunk);
  }
  parts.push(new Uint8Array(4));
  return concat(parts);
}

// ---------------------------------------------------------------- ZSTD

type Zstd = { zstdCompressSync?: (b: Uint8Array) => Uint8Array };
const nodeZstd = zlib as unknown as Zstd;

export function zstdDecode(b: Uint8Array): Uint8Array {
  return zstdDecodeWithin(b, batchLimit(), () => tooLarge("zstd"));
}

/**
 * The zstd frames of `b` (one or several, skippable ones passed over) decompressed, refused with
 * `tooLarge()` past `limit` bytes. Each frame's header is read first: fzstd allocates, and shifts
 * through, the window a header declares before a byte of output (a 13-byte frame declaring 2 GB
 * took 2 GB and seconds), so a frame declaring more content than `limit`, or a window past
 * `limit` and past 128 MiB, is refused before it is given memory.
 */
export function zstdDecodeWithin(b: Uint8Array, limit: number, tooLarge: () => Error): Uint8Array {
  const declared = zstdDeclared(b, limit);
  if (declared === "past") throw tooLarge();
  // The stream hands over each block as it is made, so a frame is stopped at the bound instead of
  // being given the buffer its header asks for (fzstd's one-shot call allocates the declared size).
  const parts: Uint8Array[] = [];
  let size = 0;
  let over = false;
  const stream = new ZstdStream((chunk) => {
    size += chunk.length;
    if (size > limit) {
      over = true;
      throw tooLarge();
    }
    // Copied: fzstd hands out views of buffers it may reuse for the next block.
    parts.push(chunk.slice());
  });
  try {
    stream.push(b, true);
  } catch (e) {
    if (over) throw e;
    throw new KafkaCodecError(`zstd: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Frames whose blocks make other than their headers declare are damaged (zstd's own decoder says so); fzstd's one-shot call padded them with zeros.
  if (declared !== null && size !== declared) throw new KafkaCodecError(`zstd: its frames hold ${size} bytes and declare ${declared}`);
  return parts.length === 1 ? parts[0]! : concat(parts);
}

/**
 * What the zstd frames of `b` declare they hold (null where one does not say, or they do not walk
 * to `b`'s end), or "past": a frame declares content past `limit`, or a window past both `limit`
 * and 128 MiB. Each header is read as fzstd reads it; blocks are stepped over by their headers.
 */
function zstdDeclared(b: Uint8Array, limit: number): number | null | "past" {
  const windowMax = Math.max(limit, ZSTD_WINDOW_MAX);
  let at = 0;
  let total: number | null = 0;
  while (at + 8 <= b.length) {
    const frame = zstdFrameHeader(b, at);
    if (frame === null || frame === "short") return null; // not a frame: fzstd says so
    if (frame.kind === "skippable") {
      at += 8 + frame.skip;
      continue;
    }
    if ((frame.content ?? 0) > limit || frame.window > windowMax) return "past";
    total = frame.content === null || total === null ? null : total + frame.content;
    // Past its blocks (a block's header: last bit, type, size; an RLE block holds one byte) and checksum, to the next frame.
    let p = at + frame.headerBytes;
    for (;;) {
      if (p + 3 > b.length) return null;
      const header = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
      p += 3 + (((header >> 1) & 3) === 1 ? 1 : header >> 3);
      if (header & 1) break;
    }
    at = p + (frame.checksum ? 4 : 0);
  }
  return at === b.length ? total : null;
}

// ---------------------------------------------------------------- gzip

const unzip = promisify(zlib.unzip);
const gzip = promisify(zlib.gzip);

/** kafkajs's gzip codec (zlib's unzip: gzip or zlib framing), bounded by the batch limit. */
export async function gzipDecode(b: Uint8Array): Promise<Uint8Array> {
  try {
    return await unzip(b, { maxOutputLength: batchLimit() });
  } catch (e) {
    if ((e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge("gzip");
    throw new KafkaCodecError(`gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function zstdEncode(b: Uint8Array): Uint8Array {
  if (!nodeZstd.zstdCompressSync) throw new KafkaCodecError(`zstd: this Node (${process.version}) cannot compress zstd; runnel only reads zstd topics on it`);
  return nodeZstd.zstdCompressSync(b);
}

// ---------------------------------------------------------------- registration

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function codec(name: string, decode: (b: Uint8Array) => Uint8Array | Promise<Uint8Array>, encode: (b: Uint8Array) => Uint8Array | Promise<Uint8Array>) {
  const methods = {
    async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
      return asBuffer(await encode(encoder.buffer));
    },
    async decompress(buffer: Buffer): Promise<Buffer> {
      const budget = fetchBudgets.getStore();
      let out: Uint8Array;
      try {
        out = await decode(buffer);
      } catch (error) {
        // Only a damaged batch is skipped: one too large to hold is readable data, and stops the runner.
        const batch = budget?.unreadable && error instanceof KafkaCodecError && !error.tooLarge ? batchHeaderOf(buffer, error.message) : null;
        if (batch === null) throw error;
        budget!.unreadable!.push(batch);
        throw new BatchesEndHere(`${name}: batch at offset ${batch.firstOffset} is unreadable`);
      }
      if (budget?.unreadable && budget.left < out.length) throw new BatchesEndHere(`${name}: the fetch's decompression budget is spent`);
      charge(name, out.length);
      return asBuffer(out);
    },
  };
  return () => methods;
}

let registered = false;

/** Teaches kafkajs (process-wide) to read and write Snappy, LZ4 and ZSTD batches, and to read gzip within MAX_BATCH_BYTES. */
export function registerKafkaCodecs(): void {
  if (registered) return;
  registered = true;
  // The default import: Node's ES-module face of kafkajs (CommonJS) does not list these two by name.
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  const codecs = CompressionCodecs as unknown as Record<number, () => unknown>;
  codecs[CompressionTypes.Snappy] = codec("snappy", snappyDecode, snappyEncode);
  codecs[CompressionTypes.LZ4] = codec("lz4", lz4Decode, lz4Encode);
  codecs[CompressionTypes.ZSTD] = codec("zstd", zstdDecode, zstdEncode);
  codecs[CompressionTypes.GZIP] = codec("gzip", gzipDecode, (b) => gzip(b));
}

/**
 * Bounded decoding shared by the Kafka codecs (`kafka-codecs.ts`) and the input files of a backfill
 * (`read-inputs.ts`), so each bound is written once:
 * - `snappyRawDecode`: one raw Snappy block (its preamble the uncompressed length as a varint), what
 *   Kafka's bare Snappy and snappy-java's framed blocks hold and what Avro's `snappy` codec writes
 *   before its CRC-32. The length is checked against the caller's bound before anything is allocated,
 *   and every copy and literal against the bytes written and the length declared.
 * - `zstdFrameHeader`: what one zstd frame's header declares (its window, its content size), read as
 *   fzstd reads it; fzstd allocates the window a header declares before a byte of output, so callers
 *   read each header first and refuse one past their bound (`ZstdWindowGuard` does so for a stream).
 */

/** The largest window a zstd frame may ask for: zstd's own decoder (and DuckDB's, which uses its defaults) refuses larger ones unless told (`--memory`, `--long`). */
export const ZSTD_WINDOW_MAX = 1 << 27;

/**
 * One raw Snappy block decompressed. A block declaring more than `limit` bytes is `tooLarge(declared)`,
 * before it is given memory; damaged bytes throw an Error saying where (its message has no codec name:
 * callers add theirs).
 */
export function snappyRawDecode(input: Uint8Array, limit: number, tooLarge: (declared: number) => Error): Uint8Array {
  let i = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= input.length || shift > 28) throw new Error("the block's length preamble is cut off or damaged");
    const b = input[i++]!;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  if (length > limit) throw tooLarge(length);
  const out = new Uint8Array(length);
  let o = 0;
  while (i < input.length) {
    const tag = input[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (i + extra > input.length) throw new Error(`a literal's length is cut off at byte ${i}`);
        n = 0;
        for (let k = 0; k < extra; k++) n += input[i + k]! * 2 ** (8 * k);
        i += extra;
      }
      n += 1;
      if (i + n > input.length || o + n > length) throw new Error(`a literal at byte ${i} runs past the end`);
      out.set(input.subarray(i, i + n), o);
      i += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      if (i >= input.length) throw new Error(`a copy is cut off at byte ${i}`);
      n = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | input[i++]!;
    } else {
      const width = kind === 2 ? 2 : 4;
      if (i + width > input.length) throw new Error(`a copy is cut off at byte ${i}`);
      n = (tag >> 2) + 1;
      offset = 0;
      for (let k = 0; k < width; k++) offset += input[i + k]! * 2 ** (8 * k);
      i += width;
    }
    if (offset === 0 || offset > o || o + n > length) throw new Error(`a copy at byte ${i} reaches outside the bytes written`);
    // Byte by byte: a copy may overlap what it writes (an offset shorter than its length repeats it).
    for (let k = 0; k < n; k++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) throw new Error(`it holds ${o} bytes and declares ${length}`);
  return out;
}

/** A zstd frame's header: its bytes, the window it asks for (a single-segment frame's is its content), its content size (null: not said), whether a checksum ends it. */
export interface ZstdFrame {
  kind: "frame";
  headerBytes: number;
  window: number;
  content: number | null;
  checksum: boolean;
}

/** A skippable frame: its header and the bytes after it that are passed over. */
export interface ZstdSkippable {
  kind: "skippable";
  headerBytes: 8;
  skip: number;
}

const le = (b: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let k = 0; k < n; k++) v += (b[at + k] ?? 0) * 2 ** (8 * k);
  return v;
};

/**
 * The header of the zstd frame at `b[at]`: "short" where `b` ends inside it, null where no frame
 * starts there (fzstd then says what is wrong). Read as fzstd reads it.
 */
export function zstdFrameHeader(b: Uint8Array, at: number): ZstdFrame | ZstdSkippable | "short" | null {
  if (at + 4 > b.length) return "short";
  const magic = le(b, at, 4);
  if (magic >= 0x184d2a50 && magic <= 0x184d2a5f) return at + 8 > b.length ? "short" : { kind: "skippable", headerBytes: 8, skip: le(b, at + 4, 4) };
  if (magic !== 0xfd2fb528) return null;
  if (at + 5 > b.length) return "short";
  const flags = b[at + 4]!;
  const single = (flags >> 5) & 1;
  const sizeBytes = flags >> 6 ? 1 << (flags >> 6) : single;
  const headerBytes = 5 + (single ? 0 : 1) + [0, 1, 2, 4][flags & 3]! + sizeBytes;
  if (at + headerBytes > b.length) return "short";
  const content = sizeBytes === 0 ? null : le(b, at + headerBytes - sizeBytes, sizeBytes) + (sizeBytes === 2 ? 256 : 0);
  let window = content ?? 0;
  if (!single) {
    const descriptor = b[at + 5]!;
    const base = 2 ** (10 + (descriptor >> 3));
    window = base + (base / 8) * (descriptor & 7);
  }
  return { kind: "frame", headerBytes, window, content, checksum: ((flags >> 2) & 1) === 1 };
}

/**
 * Walks a zstd stream's frames as its bytes come, a chunk at a time, and refuses a frame whose window
 * (a single-segment frame's content) is past `windowMax` before the chunk reaches fzstd, which would
 * allocate it (a 12-byte `.zst` declaring 2 GB was given 2 GB). Blocks are stepped over by their
 * headers; where the bytes are not a frame the walk stops and fzstd says what is wrong. Each frame's
 * start and declared content are noted (`frames`), for the caller to check what it holds: fzstd
 * does not.
 */
export class ZstdWindowGuard {
  private skip = 0; // bytes to pass over before the next header
  private held: number[] = []; // the bytes of a header cut by a chunk's end
  private inFrame = false; // the next header is a block's
  private checksum = false;
  private stopped = false;
  private at = 0; // the stream's bytes before this chunk
  /** The frames whose headers were read (skippable ones aside), in order: where each starts and the content it declares (null: not said). Taken by the caller. */
  readonly frames: { at: number; content: number | null }[] = [];

  constructor(
    private readonly windowMax: number,
    private readonly tooLarge: (window: number, at: number) => Error,
  ) {}

  /** Looks at the next bytes of the stream; throws `tooLarge` at a frame past the bound. */
  feed(chunk: Uint8Array): void {
    try {
      this.walk(chunk);
    } finally {
      this.at += chunk.length;
    }
  }

  private walk(chunk: Uint8Array): void {
    let i = 0;
    while (!this.stopped && i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      // A header's bytes: those held from the last chunk, then this one's (at most 18).
      const head = this.held.length === 0 ? chunk.subarray(i, i + 18) : Uint8Array.from([...this.held, ...chunk.subarray(i, i + 18)]);
      const from = this.held.length;
      if (this.inFrame) {
        if (head.length < 3) {
          this.hold(head);
          return;
        }
        const header = le(head, 0, 3);
        const last = (header & 1) === 1;
        // An RLE block holds one byte; a raw or compressed one its size.
        this.skip = 3 + (((header >> 1) & 3) === 1 ? 1 : header >> 3);
        if (last) {
          this.inFrame = false;
          if (this.checksum) this.skip += 4;
        }
      } else {
        const frame = zstdFrameHeader(head, 0);
        if (frame === "short") {
          this.hold(head);
          return;
        }
        if (frame === null) {
          this.stopped = true;
          return;
        }
        if (frame.kind === "skippable") this.skip = 8 + frame.skip;
        else {
          if (frame.window > this.windowMax) throw this.tooLarge(frame.window, this.at + i - from);
          this.frames.push({ at: this.at + i - from, content: frame.content });
          this.skip = frame.headerBytes;
          this.inFrame = true;
          this.checksum = frame.checksum;
        }
      }
      // The header's bytes held from the last chunk are counted in `skip`, not in this chunk.
      this.skip -= from;
      this.held = [];
    }
  }

  private hold(head: Uint8Array): void {
    this.held = [...head];
  }
}

/**
 * zstd frames are sized from their headers before fzstd is given them: it allocates (and shifts
 * through) the window a header declares before a byte of output, so a 13-byte batch declaring
 * 300 MB took 300 MB, and one declaring 2 GB took 2 GB and seconds, past the batch bound. A frame
 * that makes fewer bytes than it declares is damaged (zstd's own decoder says so), not a short batch.
 */
import { describe, expect, test } from "vitest";
import { KafkaCodecError, zstdDecode } from "./kafka-codecs.ts";

const refused = /^zstd: the batch decompresses to more than 64 MiB/;
const rle = (n: number, last: boolean) => {
  const h = (n << 3) | (1 << 1) | (last ? 1 : 0);
  return [h & 255, (h >>> 8) & 255, h >>> 16];
};
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

describe("review15: zstd frame headers", () => {
  test("frames with a checksum, without a content size, and a skippable frame between them still decode", () => {
    const raw = (text: string) => {
      const h = (text.length << 3) | 1; // a raw, last block
      return [h & 255, (h >>> 8) & 255, h >>> 16, ...Buffer.from(text)];
    };
    // Window 1 KiB, checksum flag, no content size; its checksum is passed over as fzstd does.
    const a = [...MAGIC, 0x04, 0x00, ...raw("abc"), 1, 2, 3, 4];
    const skippable = [...le32(0x184d2a53), ...le32(3), 9, 9, 9];
    // Single segment, content size 2 in one byte, one RLE block of `z`.
    const b = [...MAGIC, 0x20, 2, ...rle(2, true), 0x7a];
    expect(Buffer.from(zstdDecode(new Uint8Array([...a, ...skippable, ...b]))).toString()).toBe("abczz");
  });

  test("a 13-byte frame declaring 300 MB is refused at the bound before anything is allocated", () => {
    const frame = new Uint8Array([...MAGIC, 0xa0, ...le32(300_000_000), ...rle(1, true), 0x61]);
    expect(() => zstdDecode(frame)).toThrow(refused);
  });

  test("a frame asking for a 256 MiB window (past the bound and zstd's own 128 MiB default) is refused, as zstd refuses it", () => {
    // Window descriptor: exponent 18, 2^28 bytes; no content size.
    const frame = new Uint8Array([...MAGIC, 0x00, 18 << 3, ...rle(1, true), 0x61]);
    expect(() => zstdDecode(frame)).toThrow(refused);
  });

  test("a frame whose blocks make fewer bytes than it declares is a damaged batch (skipped as one), not bytes padded with zeros", () => {
    const frame = new Uint8Array([...MAGIC, 0xa0, ...le32(1000), ...rle(3, true), 0x61]);
    let error: unknown;
    try {
      zstdDecode(frame);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KafkaCodecError);
    expect((error as KafkaCodecError).message).toBe("zstd: its frames hold 3 bytes and declare 1000");
    expect((error as KafkaCodecError).tooLarge).toBe(false);
  });
});

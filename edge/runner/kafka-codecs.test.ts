import { describe, expect, test } from "vitest";
import { KafkaCodecError, lz4Decode, lz4Encode, snappyDecode, snappyEncode, zstdDecode } from "./kafka-codecs.ts";
import { snappyCompress } from "../parquet/snappy.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

/** An LZ4 frame around hand-written blocks; `flags` adds to version 1. */
function frame(flags: number, blocks: number[][], extra: { contentSize?: boolean; blockChecksum?: boolean; contentChecksum?: boolean } = {}): Uint8Array {
  const flg = 0x40 | flags | (extra.contentSize ? 0x08 : 0) | (extra.blockChecksum ? 0x10 : 0) | (extra.contentChecksum ? 0x04 : 0);
  const out = [0x04, 0x22, 0x4d, 0x18, flg, 0x40, ...(extra.contentSize ? [9, 0, 0, 0, 0, 0, 0, 0] : []), 0x00];
  for (const b of blocks) out.push(...le32(b.length), ...b, ...(extra.blockChecksum ? [1, 2, 3, 4] : []));
  out.push(0, 0, 0, 0, ...(extra.contentChecksum ? [5, 6, 7, 8] : []));
  return new Uint8Array(out);
}

describe("LZ4 frames as Kafka writes them", () => {
  test("literals, an overlapping match and a long match length decode to the original bytes", () => {
    // "ab" then a match of 4 + 15 + 3 = 22 bytes at offset 2 ("abab…"), then the literal "!".
    const block = [0x2f, ...bytes("ab"), 2, 0, 3, 0x10, ...bytes("!")];
    expect(text(lz4Decode(frame(0x20, [block])))).toBe("ab" + "ab".repeat(11) + "!");
  });

  test("a linked block's match reaches into the block before it; checksums and content size are skipped", () => {
    const first = [0x40, ...bytes("wxyz")];
    const second = [0x00, 4, 0, 0x10, ...bytes(".")]; // a match of 4 at offset 4, then "."
    const f = frame(0x00, [first, second], { contentSize: true, blockChecksum: true, contentChecksum: true });
    expect(text(lz4Decode(f))).toBe("wxyzwxyz.");
  });

  test("an independent block may not reach into the block before it", () => {
    const f = frame(0x20, [[0x40, ...bytes("wxyz")], [0x00, 4, 0, 0x10, ...bytes(".")]]);
    expect(() => lz4Decode(f)).toThrow(/lz4: a match reaches 4 bytes back, before the start of its data/);
  });

  test("stored blocks, and two frames back to back, decode in order", () => {
    const a = lz4Encode(bytes("first "));
    const b = lz4Encode(bytes("x".repeat(70_000)));
    const both = new Uint8Array([...a, ...b]);
    expect(text(lz4Decode(both))).toBe("first " + "x".repeat(70_000));
  });

  test("damaged frames are errors that say what is wrong", () => {
    const f = frame(0x20, [[0x2f, ...bytes("ab"), 2, 0, 3, 0x10, ...bytes("!")]]);
    expect(() => lz4Decode(f.subarray(0, f.length - 4))).toThrow(/lz4: the frame ends without its end mark/);
    expect(() => lz4Decode(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/lz4: not an LZ4 frame \(magic 0x4030201\)/);
    expect(() => lz4Decode(frame(0x20, [[0xf0]]))).toThrow(KafkaCodecError);
  });

  test("a skippable frame is passed over; one cut off is a codec error, not a RangeError or an empty batch", () => {
    const skippable = [0x50, 0x2a, 0x4d, 0x18, ...le32(3), 9, 9, 9];
    expect(text(lz4Decode(new Uint8Array([...skippable, ...lz4Encode(bytes("after"))])))).toBe("after");
    expect(() => lz4Decode(new Uint8Array(skippable.slice(0, 7)))).toThrow(/lz4: a skippable frame's header is cut off/);
    expect(() => lz4Decode(new Uint8Array(skippable.slice(0, 10)))).toThrow(/lz4: a skippable frame of 3 bytes runs past the batch's end/);
  });
});

describe("Snappy as Kafka writes it", () => {
  const doc = JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i, city: "Zürich", note: "événement" })));

  test("snappy-java's framing of several 32 KB blocks decodes to the original text", () => {
    const framed = snappyEncode(bytes(doc));
    expect(framed.length).toBeLessThan(doc.length / 3);
    expect([...framed.subarray(0, 8)]).toEqual([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
    expect(text(snappyDecode(framed))).toBe(doc);
  });

  test("a bare Snappy block (no framing) decodes too", () => {
    expect(text(snappyDecode(snappyCompress(bytes(doc))))).toBe(doc);
  });

  test("a framed batch cut short is an error naming the block", () => {
    const framed = snappyEncode(bytes(doc));
    expect(() => snappyDecode(framed.subarray(0, framed.length - 10))).toThrow(/snappy: a block of \d+ bytes runs past the batch's end/);
  });
});

describe("ZSTD", () => {
  // 40 JSON objects with accents, compressed once by Node 22's zlib (libzstd).
  const frame64 =
    "KLUv/WDnBVUGAJIIHCCQNWkD/6vubo+mfOt02G72lYX493+wLbK7u3eI3P0frINu5l3VTMQ7O7vfDx26buZd1UzEOzOz2w0Zsm7mXdVMxP//3828q5qJeGe2QCCF/wQkhmI56pCoUyiwKClJCtM0mKaOSgmi1EFHEQwFIAhUqFHQHfa/A7AzCjoRKAyDCA0hwhDm8gM+7yRXpK1vt+KGsVpTXM01zUzE+pUecxMda5M2nhPTaMNsFNkwY1NZYfBrunqKcagmHz5oBtTpnAvKuTXAVgE=";
  const expected = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, name: "événement " + i, ok: i % 3 === 0 })));

  test("a frame from libzstd decodes, and two frames back to back decode to both (Node's own zstd stops after the first)", () => {
    const frame = new Uint8Array(Buffer.from(frame64, "base64"));
    expect(text(zstdDecode(frame))).toBe(expected);
    expect(text(zstdDecode(new Uint8Array([...frame, ...frame])))).toBe(expected + expected);
  });

  test("garbage is an error, not an empty batch", () => {
    expect(() => zstdDecode(bytes("not zstd at all"))).toThrow(/^zstd: /);
  });
});

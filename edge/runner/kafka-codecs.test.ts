import { describe, expect, test } from "vitest";
import { gzipSync } from "node:zlib";
import { gzipDecode, KafkaCodecError, lz4Decode, lz4Encode, MAX_BATCH_BYTES, snappyDecode, snappyEncode, zstdDecode } from "./kafka-codecs.ts";
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

describe("a batch that decompresses past MAX_BATCH_BYTES (a decompression bomb)", () => {
  const refused = (codec: string) => new RegExp(`^${codec}: the batch decompresses to more than 64 MiB`);
  const past = MAX_BATCH_BYTES + 1024 * 1024;

  test("snappy: a block whose preamble claims more is refused before anything is allocated", () => {
    const preamble: number[] = [];
    for (let v = past; ; v = Math.floor(v / 128)) {
      if (v < 0x80) {
        preamble.push(v);
        break;
      }
      preamble.push((v % 128) | 0x80);
    }
    expect(() => snappyDecode(new Uint8Array([...preamble, 0x00]))).toThrow(refused("snappy"));
    // Framed: blocks each within the bound, their sum past it.
    const block = snappyCompress(new Uint8Array(32 * 1024 * 1024));
    const framed = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1];
    const length = [(block.length >>> 24) & 255, (block.length >>> 16) & 255, (block.length >>> 8) & 255, block.length & 255];
    const three = new Uint8Array([...framed, ...length, ...block, ...length, ...block, ...length, ...block]);
    expect(() => snappyDecode(three)).toThrow(refused("snappy"));
  });

  test("lz4: one long match of zeros is refused at the bound", () => {
    // A literal 0, then a match at offset 1 whose length runs on in 255s past the bound.
    const runs = Math.ceil(past / 255);
    const block = new Uint8Array(1 + 1 + 2 + runs + 1 + 1);
    block.set([0x1f, 0x00, 0x01, 0x00]);
    block.fill(255, 4, 4 + runs);
    block[4 + runs] = 0;
    block[5 + runs] = 0x00; // a last sequence of no literals
    // Version 1, independent blocks; BD 0x70: blocks of up to 4 MiB.
    const framed = new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x00, ...le32(block.length), ...block, 0, 0, 0, 0]);
    expect(() => lz4Decode(framed)).toThrow(refused("lz4"));
  });

  test("zstd: a frame of RLE blocks is stopped at the bound", () => {
    // Window 128 KiB (exponent 7), no content size; each RLE block repeats one byte 128 KiB times.
    const blocks = Math.ceil(past / (128 * 1024));
    const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
    for (let i = 0; i < blocks; i++) {
      const header = ((128 * 1024) << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
      out.push(header & 255, (header >>> 8) & 255, (header >>> 16) & 255, 0x30);
    }
    expect(() => zstdDecode(new Uint8Array(out))).toThrow(refused("zstd"));
  });

  test("gzip (kafkajs reads it itself, without a bound): refused at the bound", async () => {
    const bomb = gzipSync(new Uint8Array(past));
    expect(bomb.length).toBeLessThan(200_000);
    await expect(gzipDecode(bomb)).rejects.toThrow(refused("gzip"));
    expect(text(await gzipDecode(gzipSync(bytes("{\"ok\": true}"))))).toBe('{"ok": true}');
  });
});

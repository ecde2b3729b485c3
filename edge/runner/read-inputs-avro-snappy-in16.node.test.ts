/**
 * An Avro container file's `snappy` blocks go through the one bounded raw-Snappy decoder the Kafka
 * codecs use (`snappyRawDecode`, block-codecs.ts), with Avro's CRC-32 checked after it: a copy
 * (a repeat) decodes, a block declaring more than a block may hold is refused before it is given
 * memory, a damaged copy and a CRC that does not match are dead letters naming the block, and the
 * file reads on.
 */
import { crc32 } from "node:zlib";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { avroLong, readEvents, UnreadableEvent } from "./read-inputs.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-in16-avro-snappy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};

const text = (s: string): Buffer => Buffer.concat([avroLong(Buffer.byteLength(s)), Buffer.from(s)]);
const SYNC = Buffer.from("0123456789abcdef");
const SCHEMA = { type: "record", name: "r", fields: [{ name: "id", type: "long" }] };

/** A snappy block of Avro's codec: the raw Snappy bytes, then the CRC-32 (big-endian) of `plain`. */
function snappyBlock(raw: number[], plain: number[]): Buffer {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.from(plain)));
  return Buffer.concat([Buffer.from(raw), crc]);
}

test("Avro snappy blocks: literals and copies read; a block declaring 1 GiB, a copy reaching before the block's start and a wrong CRC-32 are dead letters naming their block; the file reads on", async () => {
  const header = Buffer.concat([Buffer.from("Obj\x01", "latin1"), avroLong(2), text("avro.schema"), text(JSON.stringify(SCHEMA)), text("avro.codec"), text("snappy"), avroLong(0), SYNC]);
  const blocks: [number, Buffer][] = [
    // Records 1 and 2 as one literal.
    [2, snappyBlock([...varint(2), 0x04, 0x02, 0x04], [0x02, 0x04])],
    // A preamble declaring 1 GiB, past the 256 MiB a block may hold.
    [1, snappyBlock([...varint(1 << 30), 0x00, 0x02], [0x02])],
    // A copy of 4 bytes from 2 bytes back, when 1 byte is written.
    [5, snappyBlock([...varint(5), 0x00, 0x06, 0x01, 0x02], [0x06, 0x06, 0x06, 0x06, 0x06])],
    // Its CRC-32 is another block's.
    [1, snappyBlock([...varint(1), 0x00, 0x08], [0x0a])],
    // Record 3 once, then a copy of it 5 times (offset 1: the copy repeats what it writes).
    [6, snappyBlock([...varint(6), 0x00, 0x06, 0x05, 0x01], [0x06, 0x06, 0x06, 0x06, 0x06, 0x06])],
  ];
  const body = blocks.map(([count, data]) => Buffer.concat([avroLong(count), avroLong(data.length), data, SYNC]));
  const path = join(dir, "orders.avro");
  writeFileSync(path, Buffer.concat([header, ...body]));
  const events: unknown[] = [];
  for await (const batch of readEvents({ path, mtimeMs: 0, format: "avro" }, 100)) events.push(...batch.map((e) => (e instanceof UnreadableEvent ? e.reason : e)));
  const at = (block: number): number => header.length + body.slice(0, block - 1).reduce((n, b) => n + b.length, 0);
  expect(events).toEqual([
    { id: 1 },
    { id: 2 },
    `run: ${path}: Avro block 2 (at byte ${at(2)}) does not decompress: it declares 1073741824 bytes, past 268435456; its 1 record is not read`,
    `run: ${path}: Avro block 3 (at byte ${at(3)}) does not decompress: a copy at byte 5 reaches outside the bytes written; its 5 records are not read`,
    `run: ${path}: Avro block 4 (at byte ${at(4)}) does not decompress: its CRC-32 does not match its bytes; its 1 record is not read`,
    ...Array.from({ length: 6 }, () => ({ id: 3 })),
  ]);
});

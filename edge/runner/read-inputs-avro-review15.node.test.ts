/**
 * An Avro container file whose blocks hold more records than a batch (goavro writes each Append as
 * one block, Kafka Connect a whole flush) is handed on a batch at a time as it is read: the reader
 * held back all but one batch per block, so a file of large blocks sat in memory whole before the
 * run wrote its first rows. Seen as how far into the file the reader is when the first block's
 * records have all been handed on.
 *
 * A `zstandard` block is decompressed within the block bound, as `deflate` is: fzstd's one-shot
 * call allocated what a frame's header declared (2 GB from 13 bytes) and padded a frame that makes
 * less than it declares with zeros, which read as records of zeros.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import avro from "avsc";
import { afterAll, expect, test } from "vitest";
import { ReadPosition, readEvents, UnreadableEvent } from "./read-inputs.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-avro-review15-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHEMA = { type: "record", name: "Row", fields: [{ name: "n", type: "long" }, { name: "s", type: "string" }] };

function long(n: number): Buffer {
  const out: number[] = [];
  let z = n * 2;
  while (z >= 128) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}

const bytes = (b: Buffer): Buffer => Buffer.concat([long(b.length), b]);

/** A `null`-codec container file of `blocks` blocks of `perBlock` records each, written byte by byte from Avro's spec. */
function containerFile(blocks: number, perBlock: number): { file: Buffer; blockBytes: number } {
  const type = avro.Type.forSchema(SCHEMA as never);
  const sync = Buffer.alloc(16, 0xa5);
  const meta = Buffer.concat([long(2), bytes(Buffer.from("avro.schema")), bytes(Buffer.from(JSON.stringify(SCHEMA))), bytes(Buffer.from("avro.codec")), bytes(Buffer.from("null")), long(0)]);
  const parts: Buffer[] = [Buffer.from("Obj\x01", "latin1"), meta, sync];
  let blockBytes = 0;
  for (let b = 0; b < blocks; b++) {
    const data = Buffer.concat(Array.from({ length: perBlock }, (_, i) => type.toBuffer({ n: b * perBlock + i, s: "x".repeat(60) })));
    const block = Buffer.concat([long(perBlock), long(data.length), data, sync]);
    blockBytes = block.length;
    parts.push(block);
  }
  return { file: Buffer.concat(parts), blockBytes };
}

test("review15: an Avro file of blocks larger than a batch is handed on batch by batch, not held until a block per batch has been read", async () => {
  const path = join(dir, "big-blocks.avro");
  const { file, blockBytes } = containerFile(24, 1000);
  writeFileSync(path, file);
  const position = new ReadPosition();
  const seen: number[] = [];
  let readWhenFirstBlockHandedOn = -1;
  for await (const batch of readEvents({ path, mtimeMs: 0, format: "avro" }, 100, "keep", undefined, position)) {
    for (const e of batch) seen.push((e as { n: number }).n);
    if (seen.length === 1000 && readWhenFirstBlockHandedOn < 0) readWhenFirstBlockHandedOn = position.bytes;
  }
  expect(seen).toEqual(Array.from({ length: 24_000 }, (_, i) => i));
  // Its ten batches come out of the first block (and what the file stream reads ahead): before, each waited for a block of its own.
  expect(readWhenFirstBlockHandedOn).toBeGreaterThan(0);
  expect(readWhenFirstBlockHandedOn).toBeLessThan(5 * blockBytes);
});

/** A `zstandard`-codec container file of the given raw blocks (each its record count and compressed bytes). */
function zstdFile(blocks: { count: number; data: Buffer }[]): Buffer {
  const sync = Buffer.alloc(16, 0x5a);
  const meta = Buffer.concat([long(2), bytes(Buffer.from("avro.schema")), bytes(Buffer.from(JSON.stringify({ type: "record", name: "N", fields: [{ name: "n", type: "long" }] }))), bytes(Buffer.from("avro.codec")), bytes(Buffer.from("zstandard")), long(0)]);
  return Buffer.concat([Buffer.from("Obj\x01", "latin1"), meta, sync, ...blocks.flatMap((b) => [long(b.count), long(b.data.length), b.data, sync])]);
}

/** A single-segment zstd frame declaring `declared` bytes whose one (last) RLE block repeats `byte` `n` times. */
function zstdFrame(declared: number, byte: number, n: number): Buffer {
  const rle = (n << 3) | (1 << 1) | 1;
  return Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, declared & 255, (declared >>> 8) & 255, (declared >>> 16) & 255, declared >>> 24, rle & 255, (rle >>> 8) & 255, rle >>> 16, byte]);
}

async function readAll(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readEvents({ path, mtimeMs: 0, format: "avro" }, 100, "keep")) out.push(...batch);
  return out.map((e) => (e instanceof UnreadableEvent ? e.reason : e));
}

test("review15: a zstandard Avro block whose frame makes fewer bytes than it declares is a dead letter, not records of zeros; the next block reads", async () => {
  const path = join(dir, "short-frame.avro");
  // Declares 1,000 bytes for 1,000 records {n: 1}; its one block makes 3.
  writeFileSync(path, zstdFile([{ count: 1000, data: zstdFrame(1000, 0x02, 3) }, { count: 2, data: zstdFrame(2, 0x04, 2) }]));
  const events = await readAll(path);
  expect(events).toEqual([expect.stringMatching(/^run: .*short-frame\.avro: Avro block 1 \(at byte \d+\) does not decompress: zstd: its frames hold 3 bytes and declare 1000; its 1000 records are not read$/), { n: 2 }, { n: 2 }]);
});

test("review15: a zstandard Avro block whose frame declares more than a block may hold is a dead letter before anything is allocated; the next block reads", async () => {
  const path = join(dir, "bomb-frame.avro");
  // 13 bytes declaring 300 MB (past the 256 MiB a block may decompress to).
  writeFileSync(path, zstdFile([{ count: 5, data: zstdFrame(300_000_000, 0x00, 5) }, { count: 1, data: zstdFrame(1, 0x06, 1) }]));
  const events = await readAll(path);
  expect(events).toEqual([expect.stringMatching(/^run: .*bomb-frame\.avro: Avro block 1 \(at byte \d+\) does not decompress: it decompresses to more than 268435456 bytes; its 5 records are not read$/), { n: 3 }]);
});

test("review15: an Avro block whose size is wrong, its would-be sync marker across a read chunk's end, is a dead letter and the file reads on (the run stopped: 'cannot go back to byte')", async () => {
  const path = join(dir, "wrong-size.avro");
  const type = avro.Type.forSchema(SCHEMA as never);
  const sync = Buffer.alloc(16, 0x3c);
  const meta = Buffer.concat([long(2), bytes(Buffer.from("avro.schema")), bytes(Buffer.from(JSON.stringify(SCHEMA))), bytes(Buffer.from("avro.codec")), bytes(Buffer.from("null")), long(0)]);
  const head = Buffer.concat([Buffer.from("Obj\x01", "latin1"), meta, sync]);
  const records = (from: number, n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => type.toBuffer({ n: from + i, s: "y".repeat(60) })));
  const first = records(0, 1100);
  // The file is read 64 KiB at a time: the size block 1 declares ends 6 bytes before the first chunk does.
  const prefix = Buffer.concat([long(1100), long(60_000)]);
  const declared = 65_536 - 6 - head.length - prefix.length;
  const block1 = Buffer.concat([long(1100), long(declared), first, sync]);
  const block2 = Buffer.concat([long(2), long(records(5000, 2).length), records(5000, 2), sync]);
  expect(long(declared).length).toBe(long(60_000).length);
  writeFileSync(path, Buffer.concat([head, block1, block2]));
  expect(first.length).toBeGreaterThan(declared + 16);
  const out: unknown[] = [];
  for await (const batch of readEvents({ path, mtimeMs: 0, format: "avro" }, 100, "keep")) out.push(...batch);
  expect(out.map((e) => (e instanceof UnreadableEvent ? e.reason : (e as { n: number }).n))).toEqual([
    expect.stringMatching(/wrong-size\.avro: Avro block 1 \(at byte \d+\) is damaged: the sync marker after it is not the file's \(its count or size is wrong\); the file is read on from the next sync marker$/),
    5000,
    5001,
  ]);
});

test("review15: an Avro file's last block declaring a few bytes more than it holds is a dead letter after the blocks before it (the run stopped: 'cannot go back to byte')", async () => {
  const path = join(dir, "last-block-long.avro");
  const type = avro.Type.forSchema(SCHEMA as never);
  const sync = Buffer.alloc(16, 0x77);
  const meta = Buffer.concat([long(2), bytes(Buffer.from("avro.schema")), bytes(Buffer.from(JSON.stringify(SCHEMA))), bytes(Buffer.from("avro.codec")), bytes(Buffer.from("null")), long(0)]);
  const data = (from: number, n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => type.toBuffer({ n: from + i, s: "z" })));
  const block1 = Buffer.concat([long(2), long(data(0, 2).length), data(0, 2), sync]);
  // Its size counts 8 bytes of the sync marker after it: the data is all there, the marker is not.
  const block2 = Buffer.concat([long(2), long(data(10, 2).length + 8), data(10, 2), sync]);
  writeFileSync(path, Buffer.concat([Buffer.from("Obj\x01", "latin1"), meta, sync, block1, block2]));
  const out: unknown[] = [];
  for await (const batch of readEvents({ path, mtimeMs: 0, format: "avro" }, 100, "keep")) out.push(...batch);
  expect(out.map((e) => (e instanceof UnreadableEvent ? e.reason : (e as { n: number }).n))).toEqual([
    0,
    1,
    expect.stringMatching(/last-block-long\.avro: Avro block 2 \(at byte \d+\) is damaged: the file ends where its sync marker should be; the file is read on from the next sync marker$/),
  ]);
});

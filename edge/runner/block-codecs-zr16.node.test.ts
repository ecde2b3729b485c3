/**
 * `.zst` inputs written by the real zstd and pzstd CLIs read as DuckDB reads them, whatever the
 * frames' sizes and wherever their boundaries fall against the 64 KiB read chunk and the 1 KiB
 * slice given to fzstd. fzstd holds a frame's first 18 bytes before it reads the frame, so a frame
 * shorter than that (`zstd --no-check` of a short line: 17 bytes) made its records only when the
 * next frame's bytes came; its declared size was checked before, and a good file was one dead letter
 * ("declares 8 bytes and holds 0"), every record lost.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openDuckDB } from "../duckdb/open.node.ts";
import { readEvents, UnreadableEvent } from "./read-inputs.ts";
import { snappyRawDecode } from "./block-codecs.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-zr16-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ours(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readEvents({ path, mtimeMs: 0, format: "ndjson" }, 1000)) out.push(...batch.map((e) => (e instanceof UnreadableEvent ? { dead: e.reason } : { a: Number((e as { a: unknown }).a) })));
  return out;
}

async function duckdb(path: string): Promise<unknown[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    const rows = (await db.read(`SELECT a FROM read_json('${path}', format = 'newline_delimited', columns = {a: 'BIGINT'})`)).getRowObjectsJson();
    return rows.map((r) => ({ a: Number(r.a) }));
  } finally {
    db.close();
  }
}

/** `text` compressed by the zstd CLI from a file (so the frame declares its size), with `args`. */
function zstdFile(text: string, ...args: string[]): Buffer {
  const from = join(dir, "in.ndjson");
  writeFileSync(from, text);
  return execFileSync("zstd", ["-q", "-c", ...args, from]);
}

const line = (a: number): string => `{"a":${a}}\n`;

/** A skippable frame of `size` bytes in all (pzstd writes one of 12 before each frame). */
function skippable(size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32LE(0x184d2a53, 0);
  b.writeUInt32LE(size - 8, 4);
  return b;
}

test("a .zst file of frames shorter than 18 bytes (zstd --no-check of one line each) reads every record, as DuckDB does", async () => {
  const tiny = zstdFile(line(1), "--no-check");
  expect(tiny.length).toBeLessThan(18);
  const path = join(dir, "tiny.ndjson.zst");
  writeFileSync(path, Buffer.concat([1, 2, 3, 4, 5].map((a) => zstdFile(line(a), "--no-check"))));
  expect(await duckdb(path)).toEqual([1, 2, 3, 4, 5].map((a) => ({ a })));
  expect(await ours(path)).toEqual([1, 2, 3, 4, 5].map((a) => ({ a })));
  // Empty frames and short ones between frames with checksums.
  const mixed = join(dir, "mixed.ndjson.zst");
  writeFileSync(mixed, Buffer.concat([zstdFile(""), zstdFile(line(1)), zstdFile("", "--no-check"), zstdFile(line(2), "--no-check"), zstdFile(line(3)), skippable(12), zstdFile(line(4), "--no-check")]));
  expect(await ours(mixed)).toEqual(await duckdb(mixed));
  expect(await ours(mixed)).toEqual([1, 2, 3, 4].map((a) => ({ a })));
});

test("a short frame or a skippable one at every offset around the 64 KiB read chunk's end and a 1 KiB slice's reads every record once", async () => {
  const first = zstdFile(line(1));
  const shorts = [zstdFile(line(2), "--no-check"), Buffer.concat([skippable(12), zstdFile(line(2), "--no-check")]), zstdFile(line(2))];
  const tail = Buffer.concat([zstdFile(line(3), "--no-check"), zstdFile(line(4))]);
  const path = join(dir, "sweep.ndjson.zst");
  const wrong: string[] = [];
  for (const boundary of [65536, 3 * 1024]) {
    for (let d = -20; d <= 20; d++) {
      for (const [k, second] of shorts.entries()) {
        writeFileSync(path, Buffer.concat([first, skippable(boundary + d - first.length), second, tail]));
        const got = JSON.stringify(await ours(path));
        if (got !== JSON.stringify([1, 2, 3, 4].map((a) => ({ a })))) wrong.push(`${boundary}${d >= 0 ? "+" : ""}${d} #${k}: ${got.slice(0, 200)}`);
      }
    }
  }
  expect(wrong).toEqual([]);
}, 20_000);

test("files the zstd and pzstd CLIs write at their extremes read as DuckDB reads them", async () => {
  const text = Array.from({ length: 20_000 }, (_, i) => line(i)).join("");
  const from = join(dir, "big.ndjson");
  writeFileSync(from, text);
  const written: [string, Buffer][] = [
    ...[["--ultra", "-22"], ["--fast=7"], ["--long=27"], ["-T2", "-3"], ["--no-check", "--no-content-size"]].map((args): [string, Buffer] => [args.join(" "), execFileSync("zstd", ["-q", "-c", ...args, from])]),
    ["stdin", execFileSync("zstd", ["-q", "-c"], { input: text })],
    ["pzstd", execFileSync("pzstd", ["-q", "-c", "-p", "2", from])],
  ];
  for (const [name, bytes] of written) {
    const path = join(dir, `cli.ndjson.zst`);
    writeFileSync(path, bytes);
    const got = await ours(path);
    expect({ name, rows: got.length, same: JSON.stringify(got) === JSON.stringify(await duckdb(path)) }).toEqual({ name, rows: 20_000, same: true });
  }
});

test("raw Snappy forms other encoders may write decode: a literal whose length takes 4 bytes, copies with a 4-byte offset, an overlapping copy", () => {
  const literal = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
  const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  const block = Buffer.from([
    0xcf, 0xa3, 0x04, // the preamble: 70_095 bytes
    (63 << 2) | 0, ...u32(70_000 - 1), ...literal, // a literal of 70_000 bytes, its length in 4 bytes
    (9 << 2) | 3, ...u32(70_000), // 10 bytes from 70_000 back: the literal's first 10
    0x00, 42, // a literal of 1 byte
    (63 << 2) | 3, ...u32(70_000), // 64 bytes from 70_000 back: the literal's bytes 11 to 74
    (19 << 2) | 2, 1, 0, // 20 bytes from 1 back: the last byte 20 times (the copy overlaps what it writes)
  ]);
  const expected = Buffer.concat([literal, literal.subarray(0, 10), Buffer.from([42]), literal.subarray(11, 75), Buffer.alloc(20, literal[74]!)]);
  expect(expected.length).toBe(70_095);
  expect(Buffer.from(snappyRawDecode(block, 1 << 20, () => new Error("too large"))).equals(expected)).toBe(true);
});

test("a short frame just before a frame refused for its window gives its record, then the dead letter", async () => {
  const path = join(dir, "short-then-hostile.ndjson.zst");
  const tiny = zstdFile(line(1), "--no-check");
  const hostile = Buffer.alloc(12);
  hostile.writeUInt32LE(0xfd2fb528, 0);
  hostile[4] = 0xa0; // single segment, a 4-byte content size: its window
  hostile.writeUInt32LE(1 << 30, 5);
  hostile[9] = 0x01; // last block, raw, 0 bytes
  writeFileSync(path, Buffer.concat([tiny, hostile]));
  expect(await ours(path)).toEqual([{ a: 1 }, { dead: expect.stringContaining(`zstd frame at byte ${tiny.length} asks for a 1024 MiB window`) }]);
});

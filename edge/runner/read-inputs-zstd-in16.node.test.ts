/**
 * A `.zst` input file is not given the memory a frame header asks for. fzstd allocates the window a
 * header declares (a single-segment frame's: its content size) before a byte of output, so a 12-byte
 * file declaring 2 GB was given 2 GB, and read as no records without a word. Each header is read
 * first, as kafka-codecs.ts reads a batch's, and one past the 128 MiB zstd and DuckDB decode without
 * being told is a dead letter naming the file, the frame's byte and its window; frames before it are read.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openDuckDB } from "../duckdb/open.node.ts";
import { readEvents, UnreadableEvent, type InputFile } from "./read-inputs.ts";
import { ZSTD_WINDOW_MAX, ZstdWindowGuard } from "./block-codecs.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-in16-zstd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(file: InputFile): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readEvents(file, 1000)) out.push(...batch.map((e) => (e instanceof UnreadableEvent ? { dead: e.reason } : e)));
  return out;
}

const zstd = (text: string, ...args: string[]): Buffer => execFileSync("zstd", ["-q", "-c", ...args], { input: text });

/** A frame that declares `content` bytes in one segment (its window is its content) and holds one empty last block. */
function declaring(content: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(0xfd2fb528, 0);
  b[4] = 0xa0; // single segment, a 4-byte content size
  b.writeUInt32LE(content, 5);
  b[9] = 0x01; // last block, raw, 0 bytes
  return b;
}

/** A skippable frame of `size` bytes in all. */
function skippable(size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32LE(0x184d2a50, 0);
  b.writeUInt32LE(size - 8, 4);
  return b;
}

async function duckdbSays(path: string): Promise<string> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await db.read(`SELECT * FROM read_json('${path}')`);
    return "read";
  } catch (error) {
    return String(error);
  } finally {
    db.close();
  }
}

test("a .zst file whose frame declares 2 GB is one dead letter naming it, the frame's byte and its window, the frame before it read; DuckDB refuses it too", async () => {
  const path = join(dir, "hostile.ndjson.zst");
  const first = zstd('{"a": 1}\n');
  writeFileSync(path, Buffer.concat([first, declaring(2_000_000_000)]));
  expect(await duckdbSays(path)).toContain("Frame requires too much memory for decoding");
  expect(await all({ path, mtimeMs: 0, format: "ndjson" })).toEqual([
    { a: 1 },
    {
      dead: `run: ${path}: zstd frame at byte ${first.length} asks for a 1907.35 MiB window, past the 128 MiB zstd and DuckDB decode without being told (zstd: "Frame requires too much memory for decoding"); it is refused rather than given the memory. A file written with zstd --long: decompress it first (zstd -d --long=31); the records before the damage are read`,
    },
  ]);
});

test("a frame header cut by a read chunk's end (64 KiB) is read whole: a hostile one there is refused at its byte, a good one read", async () => {
  // A skippable frame puts the next frame's header 3 bytes before the first read chunk ends.
  const at = 65536 - 3;
  const hostile = join(dir, "straddle.ndjson.zst");
  writeFileSync(hostile, Buffer.concat([skippable(at), declaring(1 << 30)]));
  expect(await all({ path: hostile, mtimeMs: 0, format: "ndjson" })).toEqual([{ dead: expect.stringContaining(`zstd frame at byte ${at} asks for a 1024 MiB window`) }]);
  const good = join(dir, "straddle-good.ndjson.zst");
  writeFileSync(good, Buffer.concat([skippable(at), zstd('{"a": 2}\n'), zstd('{"a": 3}\n')]));
  expect(await all({ path: good, mtimeMs: 0, format: "ndjson" })).toEqual([{ a: 2 }, { a: 3 }]);
});

test("a window within 128 MiB is read, and a file written with zstd --long=28 (a 256 MiB window) is refused, as DuckDB refuses it", async () => {
  const ok = join(dir, "long27.ndjson.zst");
  writeFileSync(ok, zstd('{"a": 4}\n', "--long=27"));
  expect(await all({ path: ok, mtimeMs: 0, format: "ndjson" })).toEqual([{ a: 4 }]);
  const long = join(dir, "long28.ndjson.zst");
  writeFileSync(long, zstd('{"a": 5}\n', "--long=28"));
  expect(await duckdbSays(long)).toContain("Frame requires too much memory for decoding");
  expect(await all({ path: long, mtimeMs: 0, format: "ndjson" })).toEqual([{ dead: expect.stringContaining("zstd frame at byte 0 asks for a 256 MiB window") }]);
});

test("the guard walks real frames fed a byte at a time (checksums, RLE and compressed blocks, skippable frames) without a refusal, and refuses at the hostile frame's byte", () => {
  const text = `${"x".repeat(300_000)}\n${Array.from({ length: 5000 }, (_, i) => `{"i": ${i}}`).join("\n")}\n`;
  const frames = Buffer.concat([zstd(text, "--check"), skippable(20), zstd(text, "--no-check", "-19"), zstd("", "--check")]);
  const seen: number[] = [];
  const guard = new ZstdWindowGuard(ZSTD_WINDOW_MAX, (window, at) => (seen.push(at), new Error(`window ${window}`)));
  for (const byte of frames) guard.feed(Uint8Array.of(byte));
  expect(seen).toEqual([]);
  // The walk kept step with the frames: a hostile header right after them is found at its byte.
  expect(() => guard.feed(declaring(ZSTD_WINDOW_MAX + 1))).toThrow(`window ${ZSTD_WINDOW_MAX + 1}`);
  expect(seen).toEqual([frames.length]);
});

test("a .zst file of one repeated byte (RLE blocks, 4 bytes for 128 KiB) is decompressed a slice at a time: 512 MiB of it does not sit in memory at once", { timeout: 60_000 }, () => {
  const path = join(dir, "spaces.ndjson.zst");
  // 512 MiB of spaces and one record: a few KB compressed.
  const made = spawnSync("sh", ["-c", `{ head -c 536870912 /dev/zero | tr '\\0' ' '; echo '{"a": 6}'; } | zstd -q -c > '${path}'`]);
  expect(made.status).toBe(0);
  const script = `import { readEvents } from ${JSON.stringify(join(import.meta.dirname, "read-inputs.ts"))};
const out = [];
for await (const batch of readEvents({ path: ${JSON.stringify(path)}, mtimeMs: 0, format: "ndjson" }, 100)) out.push(...batch);
console.log(JSON.stringify(out));
console.error("peak " + process.resourceUsage().maxRSS);`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", cwd: join(import.meta.dirname, "..", "..") });
  expect(run.stdout.trim(), run.stderr).toBe('[{"a":6}]');
  const kib = Number(/peak (\d+)/.exec(run.stderr)?.[1]);
  // Before: the whole 512 MiB was decompressed from one 64 KiB read chunk into memory at once (~700 MB resident).
  expect(kib / 1024).toBeLessThan(400);
});

test("a .zst file pzstd writes (a skippable frame before each frame) is read, as DuckDB reads it, where it was 'not a Zstandard stream'", async () => {
  const plain = join(dir, "p.ndjson");
  writeFileSync(plain, '{"a": 7}\n{"a": 8}\n');
  const path = join(dir, "p.ndjson.zst");
  execFileSync("pzstd", ["-q", "-f", plain, "-o", path]);
  const db = await openDuckDB({ threads: 1 });
  try {
    expect((await db.read(`SELECT a FROM read_json('${path}')`)).getRowsJson()).toEqual([["7"], ["8"]]);
  } finally {
    db.close();
  }
  expect(await all({ path, mtimeMs: 0, format: "ndjson" })).toEqual([{ a: 7 }, { a: 8 }]);
});

test("a frame holding other than the size its header declares is a dead letter naming its byte, as zstd and DuckDB refuse it; frames of declared sizes across read chunks are read", async () => {
  // Frames compressed from a file declare their content size; this one's records span several 64 KiB read chunks.
  const records = Array.from({ length: 40_000 }, (_, i) => `{"i": ${i}, "pad": "${(i * 7919).toString(36)}"}`);
  const plain = join(dir, "sized.ndjson");
  writeFileSync(plain, `${records.join("\n")}\n`);
  const sized = execFileSync("zstd", ["-q", "-c", "-1", plain]);
  expect(sized[4]! >> 6).toBeGreaterThan(0); // a content size is declared
  const good = join(dir, "sized.ndjson.zst");
  writeFileSync(good, Buffer.concat([sized, sized]));
  const read = await all({ path: good, mtimeMs: 0, format: "ndjson" });
  expect(read).toHaveLength(80_000);
  expect(read[79_999]).toEqual({ i: 39_999, pad: (39_999 * 7919).toString(36) });

  // One frame in one segment declaring 100 bytes that holds a 9-byte raw block.
  const data = Buffer.from('{"a": 9}\n');
  const lying = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 100]), Buffer.from([((data.length << 3) | 1) & 0xff, 0, 0]), data]);
  const damaged = join(dir, "damaged.ndjson.zst");
  writeFileSync(damaged, Buffer.concat([zstd('{"a": 8}\n'), lying]));
  expect(await duckdbSays(damaged)).toContain("Data corruption detected");
  const at = zstd('{"a": 8}\n').length;
  expect(await all({ path: damaged, mtimeMs: 0, format: "ndjson" })).toEqual([
    { a: 8 },
    { a: 9 },
    { dead: `run: ${damaged}: zstd frame at byte ${at} declares 100 bytes and holds 9 (zstd: "Data corruption detected"); the records before the damage are read` },
  ]);
});

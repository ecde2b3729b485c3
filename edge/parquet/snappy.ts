/**
 * A Snappy block compressor (the raw format Parquet's SNAPPY codec uses),
 * written for speed in plain JavaScript: output goes straight into one
 * preallocated byte array, and runs without matches are skipped with a
 * growing stride the way the reference implementation does, so
 * incompressible pages (hashes, random ids) cost little more than a copy.
 */
const BLOCK = 1 << 16;
const TABLE_BITS = 14;
const table = new Int32Array(1 << TABLE_BITS);

export function snappyCompress(input: Uint8Array): Uint8Array {
  const n = input.length;
  const out = new Uint8Array(32 + n + Math.ceil(n / 6));
  let op = 0;
  // Preamble: the uncompressed length as a varint.
  let len = n;
  while (len >= 0x80) {
    out[op++] = (len & 0x7f) | 0x80;
    len >>>= 7;
  }
  out[op++] = len;
  for (let start = 0; start < n; start += BLOCK) {
    const before = op;
    op = compressBlock(input, start, Math.min(start + BLOCK, n), out, op);
    // When the first block barely shrinks (hashes, random ids), the rest is stored as
    // literals: still valid Snappy, a fraction of the time, a few percent larger at most.
    if (start === 0 && n > BLOCK && op - before > BLOCK * 0.9) {
      for (let rest = BLOCK; rest < n; rest += BLOCK) op = emitLiteral(input, rest, Math.min(rest + BLOCK, n), out, op);
      break;
    }
  }
  return out.subarray(0, op);
}

function load32(a: Uint8Array, i: number): number {
  return a[i]! | (a[i + 1]! << 8) | (a[i + 2]! << 16) | (a[i + 3]! << 24);
}

function hash(word: number): number {
  return Math.imul(word, 0x1e35a7bd) >>> (32 - TABLE_BITS);
}

function emitLiteral(input: Uint8Array, from: number, to: number, out: Uint8Array, op: number): number {
  const n = to - from - 1;
  if (n < 60) {
    out[op++] = n << 2;
  } else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else if (n < 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  } else {
    out[op++] = 62 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = n >>> 16;
  }
  if (to - from < 16) {
    for (let i = from; i < to; i++) out[op++] = input[i]!;
    return op;
  }
  out.set(input.subarray(from, to), op);
  return op + (to - from);
}

function emitCopy(offset: number, length: number, out: Uint8Array, op: number): number {
  // A two-byte-offset copy carries at most 64 bytes; keep the last piece ≥ 4 so it can use the short form.
  while (length >= 68) {
    out[op++] = (63 << 2) | 2;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    length -= 64;
  }
  if (length > 64) {
    out[op++] = (59 << 2) | 2;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    length -= 60;
  }
  if (length < 12 && offset < 2048) {
    out[op++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 | ((length - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}

function compressBlock(input: Uint8Array, start: number, end: number, out: Uint8Array, op: number): number {
  if (end - start < 16) return emitLiteral(input, start, end, out, op);
  table.fill(-1);
  const limit = end - 4;
  let nextEmit = start;
  let ip = start + 1;
  table[hash(load32(input, start))] = start;
  // One loop, each turn one copy: the search and the match length are functions with a loop of their
  // own. workerd's V8 compiled a loop nested in another on stack (Maglev OSR) and threw the code away
  // every time that inner loop ended, for the isolate's life (see `runEnd` in encoder/rle.ts).
  let candidate = -1; // where the 4 bytes at ip were seen before, or -1 to search on from ip
  for (;;) {
    if (candidate < 0) {
      ip = findMatch(input, start, ip, limit);
      if (ip < 0) break;
      candidate = matched;
      if (ip > nextEmit) op = emitLiteral(input, nextEmit, ip, out, op);
    }
    const length = matchLength(input, candidate, ip, end);
    op = emitCopy(ip - candidate, length, out, op);
    ip += length;
    nextEmit = ip;
    if (ip > limit) break;
    // Emit copies while the byte after one starts another.
    table[hash(load32(input, ip - 1))] = ip - 1;
    const word = load32(input, ip);
    const h = hash(word);
    candidate = table[h]!;
    table[h] = ip;
    if (candidate < start || load32(input, candidate) !== word) {
      candidate = -1;
      ip++;
    }
  }
  if (nextEmit < end) op = emitLiteral(input, nextEmit, end, out, op);
  return op;
}

/** The earlier position `findMatch` found. */
let matched = 0;

/** The first position from `ip` whose 4 bytes were seen since `start` (that position left in `matched`), striding further the longer none turns up; -1 past `limit`. */
function findMatch(input: Uint8Array, start: number, ip: number, limit: number): number {
  let skip = 32;
  for (;;) {
    if (ip > limit) return -1;
    const word = load32(input, ip);
    const h = hash(word);
    const candidate = table[h]!;
    table[h] = ip;
    if (candidate >= start && load32(input, candidate) === word) {
      matched = candidate;
      return ip;
    }
    ip += skip++ >> 5;
  }
}

/** How many bytes from `ip` repeat those from `candidate` (at least the 4 known to), up to `end`. */
function matchLength(input: Uint8Array, candidate: number, ip: number, end: number): number {
  let length = 4;
  while (ip + length < end && input[candidate + length] === input[ip + length]) length++;
  return length;
}

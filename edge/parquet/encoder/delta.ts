import type { Bytes } from "./bytes.ts";

const BLOCK = 128;
const MINIBLOCKS = 4;
const MINI = BLOCK / MINIBLOCKS;
/** Values stay within ±2^51 so every delta and its zigzag form are exact doubles. */
const LIMIT = 2 ** 51;

/**
 * DELTA_BINARY_PACKED for integer pages: timestamps, ids and counters that
 * do not repeat enough for a dictionary shrink to their deltas' bit width.
 * Works in doubles (no BigInt per value); returns false, having written
 * nothing, when a value or a delta range does not fit, and the caller writes
 * the page PLAIN. An INT32 column (`bits` 32) keeps every delta within INT32:
 * the spec has its deltas wrap at 32 bits, and Arrow's reader (pyarrow,
 * pandas) decodes a block's minimum delta into an int32, so a page holding
 * 2147483647 then -2147483648 (delta -2^32+1, which DuckDB reads) failed the
 * whole file there with "Unexpected end of stream: InitBlock EOF".
 */
export function writeDelta(out: Bytes, values: ArrayLike<number>, n: number, bits: 32 | 64): boolean {
  const [lo, hi] = bits === 32 ? [-(2 ** 31), 2 ** 31 - 1] : [-Infinity, Infinity];
  if (n === 0 || !(Math.abs(values[0]!) <= LIMIT)) return false;
  // Deltas and each block's minimum first, so nothing is written unless every block fits.
  const deltas = new Float64Array(n - 1);
  const mins = new Float64Array(Math.ceil((n - 1) / BLOCK));
  for (let b = 0; b < mins.length; b++) {
    let min = Infinity;
    let max = -Infinity;
    const end = Math.min(n - 1, (b + 1) * BLOCK);
    for (let i = b * BLOCK; i < end; i++) {
      const x = values[i + 1]!;
      if (!(Math.abs(x) <= LIMIT)) return false;
      const d = x - values[i]!;
      if (d < lo || d > hi) return false;
      deltas[i] = d;
      if (d < min) min = d;
      if (d > max) max = d;
    }
    if (max - min >= 2 ** 32) return false;
    mins[b] = min;
  }
  out.varint(BLOCK);
  out.varint(MINIBLOCKS);
  out.varint(n);
  out.varint(zigzag(values[0]!));
  const rel = new Uint32Array(BLOCK);
  for (let b = 0; b < mins.length; b++) {
    const min = mins[b]!;
    out.varint(zigzag(min));
    const start = b * BLOCK;
    const count = Math.min(n - 1, start + BLOCK) - start;
    rel.fill(0);
    for (let i = 0; i < count; i++) rel[i] = deltas[start + i]! - min;
    const widths = [0, 0, 0, 0];
    for (let m = 0; m < MINIBLOCKS && m * MINI < count; m++) {
      let or = 0;
      for (let i = m * MINI; i < Math.min(count, (m + 1) * MINI); i++) or |= rel[i]!;
      widths[m] = 32 - Math.clz32(or);
    }
    for (const w of widths) out.u8(w);
    for (let m = 0; m < MINIBLOCKS && m * MINI < count; m++) pack(out, rel, m * MINI, widths[m]!);
  }
  return true;
}

/** 32 values of `width` bits, least significant bit first, through a byte accumulator kept below 2^40. */
function pack(out: Bytes, values: Uint32Array, from: number, width: number): void {
  if (width === 0) return;
  out.ensure(width * 4);
  let acc = 0;
  let bits = 0;
  for (let i = from; i < from + MINI; i++) {
    acc += values[i]! * 2 ** bits;
    bits += width;
    while (bits >= 8) {
      out.buf[out.length++] = acc % 256;
      acc = Math.floor(acc / 256);
      bits -= 8;
    }
  }
}

function zigzag(x: number): number {
  return x >= 0 ? x * 2 : -x * 2 - 1;
}

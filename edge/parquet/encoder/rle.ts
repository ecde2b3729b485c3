import type { Bytes } from "./bytes.ts";

/**
 * Parquet's RLE / bit-packed hybrid for levels and dictionary indices: runs
 * of 8 or more equal values become RLE runs, the rest bit-packed groups of 8.
 */
export function writeHybrid(out: Bytes, values: ArrayLike<number>, count: number, bitWidth: number): void {
  const byteWidth = (bitWidth + 7) >> 3;
  let literalStart = 0;
  let i = 0;
  while (i < count) {
    const v = values[i]!;
    const j = runEnd(values, i, count);
    let run = j - i;
    if (run >= 8) {
      // A bit-packed group holds exactly 8 values: top the pending literals up from the run.
      const pad = (8 - ((i - literalStart) % 8)) % 8;
      if (run - pad >= 8) {
        i += pad;
        run -= pad;
        if (i > literalStart) writePacked(out, values, literalStart, i, bitWidth);
        out.varint(run * 2);
        for (let b = 0; b < byteWidth; b++) out.u8((v >>> (8 * b)) & 0xff);
        i += run;
        literalStart = i;
        continue;
      }
    }
    i = j;
  }
  if (count > literalStart) writePacked(out, values, literalStart, count, bitWidth);
}

/**
 * Where the run of values equal to `values[from]` ends. A function of its own so that no loop is
 * nested in writeHybrid's: workerd's V8 compiled that inner loop on stack (Maglev OSR), and the
 * compiled code deoptimised every time the loop exited, once per run, for as long as the isolate
 * lived (4,664 deoptimisations in 14 s of the edge-ingest bench, the encoder's levels left in the
 * interpreter).
 */
function runEnd(values: ArrayLike<number>, from: number, count: number): number {
  const v = values[from];
  let j = from + 1;
  while (j < count && values[j] === v) j++;
  return j;
}

function writePacked(out: Bytes, values: ArrayLike<number>, from: number, to: number, bitWidth: number): void {
  const groups = Math.ceil((to - from) / 8);
  out.varint(groups * 2 + 1);
  const bytes = groups * bitWidth;
  out.ensure(bytes);
  const buf = out.buf;
  const start = out.length;
  const end = from + groups * 8;
  if (bitWidth <= 24) {
    // Values go into an accumulator least significant bit first and leave it a byte at a time:
    // fewer than 8 bits wait there, so a value of up to 24 bits never overflows its 32.
    let acc = 0;
    let held = 0;
    let p = start;
    for (let k = from; k < end; k++) {
      acc |= (k < to ? values[k]! : 0) << held;
      held += bitWidth;
      while (held >= 8) {
        buf[p++] = acc & 0xff;
        acc >>>= 8;
        held -= 8;
      }
    }
    out.length = start + bytes;
    return;
  }
  buf.fill(0, start, start + bytes);
  let bit = 0;
  for (let k = from; k < end; k++) {
    const v = k < to ? values[k]! : 0;
    for (let b = 0; b < bitWidth; b++) {
      if ((v >>> b) & 1) buf[start + (bit >> 3)] = buf[start + (bit >> 3)]! | (1 << (bit & 7));
      bit++;
    }
  }
  out.length = start + bytes;
}

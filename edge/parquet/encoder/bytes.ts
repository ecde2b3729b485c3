/** A growable little-endian byte buffer: the one output type of the encoder. */
export class Bytes {
  buf: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    // At least 64: doubling an empty buffer would never reach `need`.
    let size = Math.max(64, this.buf.length * 2);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(x: number): void {
    this.ensure(1);
    this.buf[this.length++] = x;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  i32(x: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, x, true);
    this.length += 4;
  }

  i64(x: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, x, true);
    this.length += 8;
  }

  f32(x: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, x, true);
    this.length += 4;
  }

  f64(x: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, x, true);
    this.length += 8;
  }

  /** Unsigned LEB128 of a non-negative number below 2^53. */
  varint(x: number): void {
    this.ensure(10);
    while (x >= 0x80) {
      this.buf[this.length++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.buf[this.length++] = x;
  }

  /** Unsigned LEB128 of a non-negative bigint. */
  varbig(x: bigint): void {
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.length++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.length++] = Number(x);
  }

  /**
   * Strings as UTF-8: ASCII copied byte by byte (most column text), the rest
   * through TextEncoder. Returns the byte length written.
   */
  utf8(s: string): number {
    const n = s.length;
    this.ensure(n * 3);
    const start = this.length;
    const buf = this.buf;
    let i = 0;
    let p = start;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i < n) p += encoder.encodeInto(s.slice(i), buf.subarray(p)).written;
    this.length = p;
    return p - start;
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

const encoder = new TextEncoder();

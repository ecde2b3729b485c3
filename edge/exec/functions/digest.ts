/**
 * Synchronous MD5 (RFC 1321) and SHA-256 (FIPS 180-4) over bytes, lower-case
 * hex out. crypto.subtle is async and has no MD5, and the executor evaluates
 * a row synchronously, so both are written here.
 */

const md5Shifts = Uint8Array.from([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);

// K[i] = floor(abs(sin(i + 1)) * 2^32), computed once; Math.sin is exact
// enough here (IEEE double) and the table is checked by the tests' digests.
/** The message word each MD5 step reads. */
const md5G = Uint8Array.from({ length: 64 }, (_, i) => (i < 16 ? i : i < 32 ? 5 * i + 1 : i < 48 ? 3 * i + 5 : 7 * i) & 15);

const md5K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);

let scratch = new Uint8Array(1024);
/** The same bytes as 32-bit words; MD5 reads them in place on little-endian hosts. */
let scratchWords = new Int32Array(scratch.buffer);
const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** UTF-8 length of a JS string (lone surrogates count as U+FFFD, as TextEncoder does). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

const encoder = new TextEncoder();

function reserve(total: number): Uint8Array {
  if (scratch.length < total) {
    scratch = new Uint8Array(total * 2);
    scratchWords = new Int32Array(scratch.buffer);
  }
  return scratch;
}

/**
 * Writes the message (bytes, or a string's UTF-8) into the reused scratch
 * buffer and pads it the MD5/SHA-2 way: 0x80, zeros, then the bit length
 * (little or big endian). Returns the padded length; the buffer holds the
 * message until the next call. ASCII strings are copied in one pass.
 */
function messageOf(input: Uint8Array | string, littleEndian: boolean): number {
  let length: number;
  let buf: Uint8Array;
  if (typeof input !== "string") {
    length = input.length;
    buf = reserve(Math.ceil((length + 9) / 64) * 64);
    buf.set(input);
  } else {
    const n = input.length;
    buf = reserve(Math.ceil((n + 9) / 64) * 64);
    let i = 0;
    for (; i < n; i++) {
      const c = input.charCodeAt(i);
      if (c >= 0x80) break;
      buf[i] = c;
    }
    length = n;
    if (i < n) {
      length = utf8Length(input);
      buf = reserve(Math.ceil((length + 9) / 64) * 64);
      encoder.encodeInto(input, buf);
    }
  }
  const total = Math.ceil((length + 9) / 64) * 64;
  buf[length] = 0x80;
  buf.fill(0, length + 1, total);
  const bits = length * 8;
  const lo = bits >>> 0;
  const hi = Math.floor(bits / 2 ** 32) >>> 0;
  if (littleEndian) {
    buf[total - 8] = lo & 0xff; buf[total - 7] = (lo >>> 8) & 0xff; buf[total - 6] = (lo >>> 16) & 0xff; buf[total - 5] = lo >>> 24;
    buf[total - 4] = hi & 0xff; buf[total - 3] = (hi >>> 8) & 0xff; buf[total - 2] = (hi >>> 16) & 0xff; buf[total - 1] = hi >>> 24;
  } else {
    buf[total - 8] = hi >>> 24; buf[total - 7] = (hi >>> 16) & 0xff; buf[total - 6] = (hi >>> 8) & 0xff; buf[total - 5] = hi & 0xff;
    buf[total - 4] = lo >>> 24; buf[total - 3] = (lo >>> 16) & 0xff; buf[total - 2] = (lo >>> 8) & 0xff; buf[total - 1] = lo & 0xff;
  }
  return total;
}

const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case hex of a 32-bit word, least significant byte first. */
function hexLE(w: number): string {
  return hexByte[w & 0xff]! + hexByte[(w >>> 8) & 0xff]! + hexByte[(w >>> 16) & 0xff]! + hexByte[w >>> 24]!;
}

/** Lower-case hex of a 32-bit word, most significant byte first. */
function hexBE(w: number): string {
  return hexByte[w >>> 24]! + hexByte[(w >>> 16) & 0xff]! + hexByte[(w >>> 8) & 0xff]! + hexByte[w & 0xff]!;
}

const md5Words = new Int32Array(16);

/** MD5 of the bytes (or of a string's UTF-8) as 32 lower-case hex digits. */
export function md5Hex(input: Uint8Array | string): string {
  const total = messageOf(input, true);
  const buf = scratch;
  // Little-endian hosts read the message words in place; others copy them.
  const m = littleEndianHost ? scratchWords : md5Words;
  let a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
  for (let off = 0; off < total; off += 64) {
    let w = off >> 2;
    if (!littleEndianHost) {
      w = 0;
      for (let j = 0; j < 16; j++) {
        const k = off + j * 4;
        m[j] = buf[k]! | (buf[k + 1]! << 8) | (buf[k + 2]! << 16) | (buf[k + 3]! << 24);
      }
    }
    let a = a0, b = b0, c = c0, d = d0;
    // Four rounds of sixteen steps; only the mixing function differs.
    for (let i = 0; i < 16; i++) {
      const sum = (a + ((b & c) | (~b & d)) + md5K[i]! + m[w + i]!) | 0;
      const s = md5Shifts[i]!;
      a = d; d = c; c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    for (let i = 16; i < 32; i++) {
      const sum = (a + ((d & b) | (~d & c)) + md5K[i]! + m[w + md5G[i]!]!) | 0;
      const s = md5Shifts[i]!;
      a = d; d = c; c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    for (let i = 32; i < 48; i++) {
      const sum = (a + (b ^ c ^ d) + md5K[i]! + m[w + md5G[i]!]!) | 0;
      const s = md5Shifts[i]!;
      a = d; d = c; c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    for (let i = 48; i < 64; i++) {
      const sum = (a + (c ^ (b | ~d)) + md5K[i]! + m[w + md5G[i]!]!) | 0;
      const s = md5Shifts[i]!;
      a = d; d = c; c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
  }
  return hexLE(a0) + hexLE(b0) + hexLE(c0) + hexLE(d0);
}

// First 32 bits of the fractional parts of the cube roots of the first 64 primes.
const sha256K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const sha256Words = new Uint32Array(64);
const sha256State = new Int32Array(8);
const sha256Init = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** SHA-256 of the bytes (or of a string's UTF-8) as 64 lower-case hex digits. */
export function sha256Hex(input: Uint8Array | string): string {
  const total = messageOf(input, false);
  const buf = scratch;
  const h = sha256State;
  for (let i = 0; i < 8; i++) h[i] = sha256Init[i]!;
  const w = sha256Words;
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) {
      const k = off + i * 4;
      w[i] = (buf[k]! << 24) | (buf[k + 1]! << 16) | (buf[k + 2]! << 8) | buf[k + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!, y = w[i - 2]!;
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + sha256K[i]! + w[i]!) | 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a; h[1] = h[1]! + b; h[2] = h[2]! + c; h[3] = h[3]! + d;
    h[4] = h[4]! + e; h[5] = h[5]! + f; h[6] = h[6]! + g; h[7] = h[7]! + hh;
  }
  return hexBE(h[0]!) + hexBE(h[1]!) + hexBE(h[2]!) + hexBE(h[3]!) + hexBE(h[4]!) + hexBE(h[5]!) + hexBE(h[6]!) + hexBE(h[7]!);
}

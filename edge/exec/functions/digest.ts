/**
 * Synchronous MD5 (RFC 1321) and SHA-256 (FIPS 180-4) over bytes, lower-case
 * hex out. crypto.subtle is async and has no MD5, and the executor evaluates
 * a row synchronously, so both are written here.
 */

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

/** Lower-case hex of a 32-bit word, most significant byte first. */
function hexBE(w: number): string {
  return hexByte[w >>> 24]! + hexByte[(w >>> 16) & 0xff]! + hexByte[(w >>> 8) & 0xff]! + hexByte[w & 0xff]!;
}

const md5Words = new Int32Array(16);
const md5State = new Int32Array(4);

/**
 * The message block of an ASCII string of at most 55 characters, padded, as
 * MD5's sixteen little-endian words (any host): no byte buffer between.
 * False when the string has a non-ASCII character (its UTF-8 is longer).
 */
function asciiBlock(s: string, words: Int32Array): boolean {
  const n = s.length;
  // Every code unit is OR-ed into `seen`: one unit at 0x80 or above means the UTF-8 is longer.
  let seen = 0;
  let i = 0;
  // Four characters to a word, then the tail with the 0x80 marker, then zeros and the bit length.
  for (; i + 4 <= n; i += 4) {
    const c0 = s.charCodeAt(i), c1 = s.charCodeAt(i + 1), c2 = s.charCodeAt(i + 2), c3 = s.charCodeAt(i + 3);
    seen |= c0 | c1 | c2 | c3;
    words[i >> 2] = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
  }
  let last = 0;
  let shift = 0;
  for (; i < n; i++, shift += 8) {
    const c = s.charCodeAt(i);
    seen |= c;
    last |= c << shift;
  }
  if (seen >= 0x80) return false;
  words[i >> 2] = last | (0x80 << shift);
  for (let w = (i >> 2) + 1; w < 16; w++) words[w] = 0;
  words[14] = n * 8;
  return true;
}

/** One 64-byte block (message words `m[w..w+15]`) into the state `h`. */
function md5Block(m: Int32Array, w: number, h: Int32Array): void {
  const m0 = m[w]!, m1 = m[w + 1]!, m2 = m[w + 2]!, m3 = m[w + 3]!, m4 = m[w + 4]!, m5 = m[w + 5]!, m6 = m[w + 6]!, m7 = m[w + 7]!;
  const m8 = m[w + 8]!, m9 = m[w + 9]!, m10 = m[w + 10]!, m11 = m[w + 11]!, m12 = m[w + 12]!, m13 = m[w + 13]!, m14 = m[w + 14]!, m15 = m[w + 15]!;
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!;
  // The 64 steps written out (RFC 1321, 3.4): each adds the round's mixing
  // function, a message word and the constant floor(abs(sin(i + 1)) * 2^32),
  // then rotates. Unrolled, every shift and index is a constant.
  a = a + ((b & c) | (~b & d)) + m0 + -680876936 | 0; a = (a << 7 | a >>> 25) + b | 0;
  d = d + ((a & b) | (~a & c)) + m1 + -389564586 | 0; d = (d << 12 | d >>> 20) + a | 0;
  c = c + ((d & a) | (~d & b)) + m2 + 606105819 | 0; c = (c << 17 | c >>> 15) + d | 0;
  b = b + ((c & d) | (~c & a)) + m3 + -1044525330 | 0; b = (b << 22 | b >>> 10) + c | 0;
  a = a + ((b & c) | (~b & d)) + m4 + -176418897 | 0; a = (a << 7 | a >>> 25) + b | 0;
  d = d + ((a & b) | (~a & c)) + m5 + 1200080426 | 0; d = (d << 12 | d >>> 20) + a | 0;
  c = c + ((d & a) | (~d & b)) + m6 + -1473231341 | 0; c = (c << 17 | c >>> 15) + d | 0;
  b = b + ((c & d) | (~c & a)) + m7 + -45705983 | 0; b = (b << 22 | b >>> 10) + c | 0;
  a = a + ((b & c) | (~b & d)) + m8 + 1770035416 | 0; a = (a << 7 | a >>> 25) + b | 0;
  d = d + ((a & b) | (~a & c)) + m9 + -1958414417 | 0; d = (d << 12 | d >>> 20) + a | 0;
  c = c + ((d & a) | (~d & b)) + m10 + -42063 | 0; c = (c << 17 | c >>> 15) + d | 0;
  b = b + ((c & d) | (~c & a)) + m11 + -1990404162 | 0; b = (b << 22 | b >>> 10) + c | 0;
  a = a + ((b & c) | (~b & d)) + m12 + 1804603682 | 0; a = (a << 7 | a >>> 25) + b | 0;
  d = d + ((a & b) | (~a & c)) + m13 + -40341101 | 0; d = (d << 12 | d >>> 20) + a | 0;
  c = c + ((d & a) | (~d & b)) + m14 + -1502002290 | 0; c = (c << 17 | c >>> 15) + d | 0;
  b = b + ((c & d) | (~c & a)) + m15 + 1236535329 | 0; b = (b << 22 | b >>> 10) + c | 0;
  a = a + ((d & b) | (~d & c)) + m1 + -165796510 | 0; a = (a << 5 | a >>> 27) + b | 0;
  d = d + ((c & a) | (~c & b)) + m6 + -1069501632 | 0; d = (d << 9 | d >>> 23) + a | 0;
  c = c + ((b & d) | (~b & a)) + m11 + 643717713 | 0; c = (c << 14 | c >>> 18) + d | 0;
  b = b + ((a & c) | (~a & d)) + m0 + -373897302 | 0; b = (b << 20 | b >>> 12) + c | 0;
  a = a + ((d & b) | (~d & c)) + m5 + -701558691 | 0; a = (a << 5 | a >>> 27) + b | 0;
  d = d + ((c & a) | (~c & b)) + m10 + 38016083 | 0; d = (d << 9 | d >>> 23) + a | 0;
  c = c + ((b & d) | (~b & a)) + m15 + -660478335 | 0; c = (c << 14 | c >>> 18) + d | 0;
  b = b + ((a & c) | (~a & d)) + m4 + -405537848 | 0; b = (b << 20 | b >>> 12) + c | 0;
  a = a + ((d & b) | (~d & c)) + m9 + 568446438 | 0; a = (a << 5 | a >>> 27) + b | 0;
  d = d + ((c & a) | (~c & b)) + m14 + -1019803690 | 0; d = (d << 9 | d >>> 23) + a | 0;
  c = c + ((b & d) | (~b & a)) + m3 + -187363961 | 0; c = (c << 14 | c >>> 18) + d | 0;
  b = b + ((a & c) | (~a & d)) + m8 + 1163531501 | 0; b = (b << 20 | b >>> 12) + c | 0;
  a = a + ((d & b) | (~d & c)) + m13 + -1444681467 | 0; a = (a << 5 | a >>> 27) + b | 0;
  d = d + ((c & a) | (~c & b)) + m2 + -51403784 | 0; d = (d << 9 | d >>> 23) + a | 0;
  c = c + ((b & d) | (~b & a)) + m7 + 1735328473 | 0; c = (c << 14 | c >>> 18) + d | 0;
  b = b + ((a & c) | (~a & d)) + m12 + -1926607734 | 0; b = (b << 20 | b >>> 12) + c | 0;
  a = a + (b ^ c ^ d) + m5 + -378558 | 0; a = (a << 4 | a >>> 28) + b | 0;
  d = d + (a ^ b ^ c) + m8 + -2022574463 | 0; d = (d << 11 | d >>> 21) + a | 0;
  c = c + (d ^ a ^ b) + m11 + 1839030562 | 0; c = (c << 16 | c >>> 16) + d | 0;
  b = b + (c ^ d ^ a) + m14 + -35309556 | 0; b = (b << 23 | b >>> 9) + c | 0;
  a = a + (b ^ c ^ d) + m1 + -1530992060 | 0; a = (a << 4 | a >>> 28) + b | 0;
  d = d + (a ^ b ^ c) + m4 + 1272893353 | 0; d = (d << 11 | d >>> 21) + a | 0;
  c = c + (d ^ a ^ b) + m7 + -155497632 | 0; c = (c << 16 | c >>> 16) + d | 0;
  b = b + (c ^ d ^ a) + m10 + -1094730640 | 0; b = (b << 23 | b >>> 9) + c | 0;
  a = a + (b ^ c ^ d) + m13 + 681279174 | 0; a = (a << 4 | a >>> 28) + b | 0;
  d = d + (a ^ b ^ c) + m0 + -358537222 | 0; d = (d << 11 | d >>> 21) + a | 0;
  c = c + (d ^ a ^ b) + m3 + -722521979 | 0; c = (c << 16 | c >>> 16) + d | 0;
  b = b + (c ^ d ^ a) + m6 + 76029189 | 0; b = (b << 23 | b >>> 9) + c | 0;
  a = a + (b ^ c ^ d) + m9 + -640364487 | 0; a = (a << 4 | a >>> 28) + b | 0;
  d = d + (a ^ b ^ c) + m12 + -421815835 | 0; d = (d << 11 | d >>> 21) + a | 0;
  c = c + (d ^ a ^ b) + m15 + 530742520 | 0; c = (c << 16 | c >>> 16) + d | 0;
  b = b + (c ^ d ^ a) + m2 + -995338651 | 0; b = (b << 23 | b >>> 9) + c | 0;
  a = a + (c ^ (b | ~d)) + m0 + -198630844 | 0; a = (a << 6 | a >>> 26) + b | 0;
  d = d + (b ^ (a | ~c)) + m7 + 1126891415 | 0; d = (d << 10 | d >>> 22) + a | 0;
  c = c + (a ^ (d | ~b)) + m14 + -1416354905 | 0; c = (c << 15 | c >>> 17) + d | 0;
  b = b + (d ^ (c | ~a)) + m5 + -57434055 | 0; b = (b << 21 | b >>> 11) + c | 0;
  a = a + (c ^ (b | ~d)) + m12 + 1700485571 | 0; a = (a << 6 | a >>> 26) + b | 0;
  d = d + (b ^ (a | ~c)) + m3 + -1894986606 | 0; d = (d << 10 | d >>> 22) + a | 0;
  c = c + (a ^ (d | ~b)) + m10 + -1051523 | 0; c = (c << 15 | c >>> 17) + d | 0;
  b = b + (d ^ (c | ~a)) + m1 + -2054922799 | 0; b = (b << 21 | b >>> 11) + c | 0;
  a = a + (c ^ (b | ~d)) + m8 + 1873313359 | 0; a = (a << 6 | a >>> 26) + b | 0;
  d = d + (b ^ (a | ~c)) + m15 + -30611744 | 0; d = (d << 10 | d >>> 22) + a | 0;
  c = c + (a ^ (d | ~b)) + m6 + -1560198380 | 0; c = (c << 15 | c >>> 17) + d | 0;
  b = b + (d ^ (c | ~a)) + m13 + 1309151649 | 0; b = (b << 21 | b >>> 11) + c | 0;
  a = a + (c ^ (b | ~d)) + m4 + -145523070 | 0; a = (a << 6 | a >>> 26) + b | 0;
  d = d + (b ^ (a | ~c)) + m11 + -1120210379 | 0; d = (d << 10 | d >>> 22) + a | 0;
  c = c + (a ^ (d | ~b)) + m2 + 718787259 | 0; c = (c << 15 | c >>> 17) + d | 0;
  b = b + (d ^ (c | ~a)) + m9 + -343485551 | 0; b = (b << 21 | b >>> 11) + c | 0;
  h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + b) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
}

/** MD5 of the bytes (or of a string's UTF-8) as 32 lower-case hex digits. */
export function md5Hex(input: Uint8Array | string): string {
  const h = md5Of(input);
  return hexLE4(h[0]!, h[1]!, h[2]!, h[3]!);
}

/**
 * md5_number: the digest's 16 bytes read least significant first, as DuckDB does (UHUGEINT).
 * md5_number_lower and md5_number_upper are DuckDB's UBIGINTs of its last and first 8 bytes
 * (least significant first each): `lower` names the upper half of md5_number, as in DuckDB.
 */
export function md5Number(input: Uint8Array | string, part: "all" | "lower" | "upper"): bigint {
  const h = md5Of(input);
  const word = (i: number): bigint => BigInt(h[i]! >>> 0);
  const first = word(0) | (word(1) << 32n);
  const last = word(2) | (word(3) << 32n);
  return part === "lower" ? last : part === "upper" ? first : first | (last << 64n);
}

/** The MD5 state words after the message (the shared state array: read it before the next digest). */
function md5Of(input: Uint8Array | string): Int32Array {
  const h = md5State;
  h[0] = 0x67452301; h[1] = 0xefcdab89 | 0; h[2] = 0x98badcfe | 0; h[3] = 0x10325476;
  if (typeof input === "string" && input.length <= 55 && asciiBlock(input, md5Words)) {
    // The common short key (an address, a name): one block, built from the characters.
    md5Block(md5Words, 0, h);
  } else {
    const total = messageOf(input, true);
    for (let off = 0; off < total; off += 64) {
      if (littleEndianHost) {
        // Little-endian hosts read the message words in place.
        md5Block(scratchWords, off >> 2, h);
        continue;
      }
      const buf = scratch;
      for (let j = 0; j < 16; j++) {
        const k = off + j * 4;
        md5Words[j] = buf[k]! | (buf[k + 1]! << 8) | (buf[k + 2]! << 16) | (buf[k + 3]! << 24);
      }
      md5Block(md5Words, 0, h);
    }
  }
  return h;
}

const hexDigit = Array.from({ length: 16 }, (_, i) => "0123456789abcdef".charCodeAt(i));

/** The hex digit (as a character code) of the 4 bits of `w` at `shift`. */
function hd(w: number, shift: number): number {
  return hexDigit[(w >>> shift) & 15]!;
}

/** Four 32-bit words, each least significant byte first, as 32 hex digits in one flat string. */
function hexLE4(a: number, b: number, c: number, d: number): string {
  return String.fromCharCode(
    hd(a, 4), hd(a, 0), hd(a, 12), hd(a, 8), hd(a, 20), hd(a, 16), hd(a, 28), hd(a, 24),
    hd(b, 4), hd(b, 0), hd(b, 12), hd(b, 8), hd(b, 20), hd(b, 16), hd(b, 28), hd(b, 24),
    hd(c, 4), hd(c, 0), hd(c, 12), hd(c, 8), hd(c, 20), hd(c, 16), hd(c, 28), hd(c, 24),
    hd(d, 4), hd(d, 0), hd(d, 12), hd(d, 8), hd(d, 20), hd(d, 16), hd(d, 28), hd(d, 24),
  );
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

/** The 64-byte block at `off` as sixteen big-endian words (SHA-1, SHA-256). */
function bigEndianBlock(buf: Uint8Array, off: number, w: Int32Array | Uint32Array): void {
  for (let i = 0; i < 16; i++) {
    const k = off + i * 4;
    w[i] = (buf[k]! << 24) | (buf[k + 1]! << 16) | (buf[k + 2]! << 8) | buf[k + 3]!;
  }
}

/** SHA-256 of the bytes (or of a string's UTF-8) as 64 lower-case hex digits. */
export function sha256Hex(input: Uint8Array | string): string {
  const total = messageOf(input, false);
  const buf = scratch;
  const h = sha256State;
  for (let i = 0; i < 8; i++) h[i] = sha256Init[i]!;
  const w = sha256Words;
  for (let off = 0; off < total; off += 64) {
    bigEndianBlock(buf, off, w);
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

const sha1Words = new Int32Array(80);
const sha1State = new Int32Array(5);

/** SHA-1 (FIPS 180-4) of the bytes (or of a string's UTF-8) as 40 lower-case hex digits. */
export function sha1Hex(input: Uint8Array | string): string {
  const total = messageOf(input, false);
  const buf = scratch;
  const h = sha1State;
  h[0] = 0x67452301; h[1] = 0xefcdab89 | 0; h[2] = 0x98badcfe | 0; h[3] = 0x10325476; h[4] = 0xc3d2e1f0 | 0;
  const w = sha1Words;
  for (let off = 0; off < total; off += 64) {
    bigEndianBlock(buf, off, w);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a: number = h[0]!, b: number = h[1]!, c: number = h[2]!, d: number = h[3]!, e: number = h[4]!;
    for (let i = 0; i < 80; i++) {
      // The four rounds' mixing functions and constants (FIPS 180-4, 4.1.1 and 4.2.1).
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc | 0 : 0xca62c1d6 | 0;
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    h[0] = h[0]! + a; h[1] = h[1]! + b; h[2] = h[2]! + c; h[3] = h[3]! + d; h[4] = h[4]! + e;
  }
  return hexBE(h[0]!) + hexBE(h[1]!) + hexBE(h[2]!) + hexBE(h[3]!) + hexBE(h[4]!);
}

import type { SchemaElement } from "hyparquet";
import { snappyCompress } from "../snappy.ts";
import { Bytes } from "./bytes.ts";
import { writeDelta } from "./delta.ts";
import { writeHybrid } from "./rle.ts";
import type { Leaf } from "./shred.ts";
import { bin, i32, i64, struct, writeStruct, type TField, type TValue } from "./thrift.ts";

/** How a leaf's JavaScript values become Parquet's physical values. */
type Kind = "bool" | "i32" | "i32dec" | "i64" | "i64dec" | "f32" | "f64" | "str" | "blob" | "uuid" | "dec16";

const TYPES = { BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
const PLAIN = 0;
const RLE = 3;
const DELTA_BINARY_PACKED = 5;
const RLE_DICTIONARY = 8;
/** Levels per data page: pages of ~20k values keep readers' memory small and let them skip within a row group. */
const PAGE_LEVELS = 20_000;
const MAX_DICTIONARY = 65_536;
const STAT_MAX_BYTES = 64;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("parquet: the runnel encoder needs a little-endian platform");
}

export function kindOf(element: SchemaElement): Kind {
  const decimal = element.converted_type === "DECIMAL";
  switch (element.type) {
    case "BOOLEAN":
      return "bool";
    case "INT32":
      return decimal ? "i32dec" : "i32";
    case "INT64":
      return decimal ? "i64dec" : "i64";
    case "FLOAT":
      return "f32";
    case "DOUBLE":
      return "f64";
    case "BYTE_ARRAY":
      return element.converted_type === "UTF8" || element.converted_type === "JSON" ? "str" : "blob";
    case "FIXED_LEN_BYTE_ARRAY":
      return element.logical_type?.type === "UUID" ? "uuid" : "dec16";
    default:
      throw new Error(`parquet: no encoder for physical type ${element.type}`);
  }
}

export interface ChunkResult {
  /** ColumnMetaData fields, offsets relative to the chunk's start. */
  meta: (offset: number) => TValue;
  bytes: Uint8Array[];
  size: number;
  uncompressed: number;
}

/**
 * Encodes one leaf's values of one row group as a column chunk: an optional
 * dictionary page, then data pages (v1) cut at row boundaries, each
 * compressed on its own; min/max/null-count statistics over the chunk.
 */
export function encodeChunk(leaf: Leaf, codec: "SNAPPY" | "UNCOMPRESSED"): ChunkResult {
  const kind = kindOf(leaf.element);
  const values = leaf.values;
  const compress = codec === "SNAPPY" ? snappyCompress : (b: Uint8Array) => b;
  const pieces: Uint8Array[] = [];
  let size = 0;
  let uncompressed = 0;
  const encodings = new Set<number>([RLE]);
  const stats = new Stats(kind);

  const dict = kind === "str" || kind === "i32" || kind === "i64" ? buildDictionary(values, leaf.present) : null;
  // Unsigned columns stay PLAIN: a delta over their signed bit patterns is legal but not worth the doubt.
  const deltaFits = (kind === "i32" || kind === "i64") && !leaf.element.converted_type?.startsWith("UINT");
  let dictionaryOffset: number | undefined;
  if (dict) {
    const body = new Bytes(dict.keys.length * 8 + 16);
    writePlain(body, kind, dict.keys, 0, dict.keys.length, stats);
    const page = body.result();
    const compressed = compress(page);
    const header = new Bytes(32);
    writeStruct(header, [
      [1, i32(2)],
      [2, i32(page.length)],
      [3, i32(compressed.length)],
      [7, struct([1, i32(dict.keys.length)], [2, i32(PLAIN)])],
    ]);
    dictionaryOffset = 0;
    pieces.push(header.result(), compressed);
    size += header.length + compressed.length;
    uncompressed += header.length + page.length;
    encodings.add(PLAIN);
    encodings.add(RLE_DICTIONARY);
  }
  const dataOffset = size;

  let level = 0;
  let valueAt = 0;
  while (level < leaf.count || (level === 0 && leaf.count === 0)) {
    // Cut pages where a new row starts (rep 0) once a page holds enough levels.
    let end = Math.min(leaf.count, level + PAGE_LEVELS);
    while (end < leaf.count && leaf.reps[end] !== 0) end++;
    let present = 0;
    for (let i = level; i < end; i++) if (leaf.defs[i] === leaf.maxDef) present++;
    const body = new Bytes(64 + (end - level) / 2 + valueBytes(kind, values, valueAt, valueAt + present, dict !== null));
    if (leaf.maxRep > 0) writeLevels(body, leaf.reps, level, end, leaf.maxRep);
    if (leaf.maxDef > 0) writeLevels(body, leaf.defs, level, end, leaf.maxDef);
    let encoding = PLAIN;
    if (dict) {
      encoding = RLE_DICTIONARY;
      const width = Math.max(1, bitWidth(dict.keys.length - 1));
      body.u8(width);
      writeHybrid(body, dict.indexes.subarray(valueAt, valueAt + present), present, width);
    } else if (deltaFits && deltaPage(body, kind, values, valueAt, valueAt + present, stats)) {
      encoding = DELTA_BINARY_PACKED;
      encodings.add(DELTA_BINARY_PACKED);
    } else {
      encodings.add(PLAIN);
      writePlain(body, kind, values, valueAt, valueAt + present, stats);
    }
    valueAt += present;
    const page = body.result();
    const compressed = compress(page);
    const header = new Bytes(32);
    writeStruct(header, [
      [1, i32(0)],
      [2, i32(page.length)],
      [3, i32(compressed.length)],
      [5, struct([1, i32(end - level)], [2, i32(encoding)], [3, i32(RLE)], [4, i32(RLE)])],
    ]);
    pieces.push(header.result(), compressed);
    size += header.length + compressed.length;
    uncompressed += header.length + page.length;
    if (leaf.count === 0) break;
    level = end;
  }

  const nulls = leaf.count - leaf.present;
  return {
    bytes: pieces,
    size,
    uncompressed,
    meta: (offset) =>
      struct(
        [1, i32(TYPES[leaf.element.type!])],
        [2, { t: "list", elem: "i32", v: [...encodings].sort((a, b) => a - b).map(i32) }],
        [3, { t: "list", elem: "bin", v: leaf.path.map((p) => bin(p)) }],
        [4, i32(codec === "SNAPPY" ? 1 : 0)],
        [5, i64(leaf.count)],
        [6, i64(uncompressed)],
        [7, i64(size)],
        [9, i64(offset + dataOffset)],
        [11, dictionaryOffset === undefined ? undefined : i64(offset + dictionaryOffset)],
        [12, struct(...stats.fields(nulls))],
      ),
  };
}

/**
 * Integer values as doubles for DELTA_BINARY_PACKED (types checked and
 * statistics taken here); false when they do not fit and the page goes PLAIN.
 */
function deltaPage(out: Bytes, kind: Kind, values: unknown[], from: number, to: number, stats: Stats): boolean {
  const n = to - from;
  const xs = new Float64Array(n);
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (kind === "i32") {
      if (!Number.isInteger(v)) throw badValue(kind, v);
      stats.number(v as number);
      xs[i - from] = v as number;
    } else {
      if (typeof v !== "bigint") throw badValue(kind, v);
      stats.big(v);
      // Doubles hold integers exactly to 2^53; writeDelta refuses anything past ±2^51.
      xs[i - from] = Number(v);
    }
  }
  return writeDelta(out, xs, n);
}

/** A page buffer's likely size, so it is allocated once instead of doubled. */
function valueBytes(kind: Kind, values: unknown[], from: number, to: number, dictionary: boolean): number {
  const n = to - from;
  if (dictionary) return n * 2 + 16;
  if (kind === "str") {
    let total = n * 4;
    for (let i = from; i < to; i++) total += (values[i] as string).length;
    return total;
  }
  if (kind === "blob") {
    let total = n * 4;
    for (let i = from; i < to; i++) total += (values[i] as Uint8Array).length;
    return total;
  }
  return n * (kind === "bool" ? 1 : kind === "uuid" || kind === "dec16" ? 16 : 8);
}

function writeLevels(out: Bytes, levels: Uint8Array, from: number, to: number, max: number): void {
  const lengthAt = out.length;
  out.i32(0);
  writeHybrid(out, levels.subarray(from, to), to - from, bitWidth(max));
  out.view.setInt32(lengthAt, out.length - lengthAt - 4, true);
}

function bitWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

/** Dictionary keys in first-seen order and each value's index; null when the column does not repeat enough to gain. */
function buildDictionary(values: unknown[], n: number): { keys: unknown[]; indexes: Uint32Array } | null {
  if (n < 2) return null;
  const ids = new Map<unknown, number>();
  const indexes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let id = ids.get(v);
    if (id === undefined) {
      id = ids.size;
      // More distinct values than half the rows is refused at the end anyway: stop as soon as it is certain.
      if (id >= MAX_DICTIONARY || (i === 4095 && id > 2048) || id + 1 > n / 2) return null;
      ids.set(v, id);
    }
    indexes[i] = id;
  }
  if (ids.size > n / 2) return null;
  return { keys: [...ids.keys()], indexes };
}

function writePlain(out: Bytes, kind: Kind, values: unknown[], from: number, to: number, stats: Stats): void {
  switch (kind) {
    case "bool": {
      out.ensure(Math.ceil((to - from) / 8));
      let byte = 0;
      let bit = 0;
      for (let i = from; i < to; i++) {
        const v = values[i] as boolean;
        if (typeof v !== "boolean") throw badValue(kind, v);
        stats.number(v ? 1 : 0);
        if (v) byte |= 1 << bit;
        if (++bit === 8) {
          out.u8(byte);
          byte = 0;
          bit = 0;
        }
      }
      if (bit > 0) out.u8(byte);
      return;
    }
    case "i32": {
      // Typed arrays are little-endian on every platform the edge runs on (checked below).
      const tmp = new Int32Array(to - from);
      for (let i = from; i < to; i++) {
        const v = values[i] as number;
        if (!Number.isInteger(v)) throw badValue(kind, v);
        stats.number(v);
        tmp[i - from] = v;
      }
      out.bytes(new Uint8Array(tmp.buffer));
      return;
    }
    case "i32dec":
      out.ensure((to - from) * 4);
      for (let i = from; i < to; i++) {
        if (typeof values[i] !== "bigint") throw badValue(kind, values[i]);
        const v = Number(values[i] as bigint);
        stats.number(v);
        out.view.setInt32(out.length, v, true);
        out.length += 4;
      }
      return;
    case "i64":
    case "i64dec": {
      // A BigInt64Array stores values modulo 2^64, which is UBIGINT's two's-complement bit pattern.
      const tmp = new BigInt64Array(to - from);
      for (let i = from; i < to; i++) {
        const v = values[i] as bigint;
        if (typeof v !== "bigint") throw badValue(kind, v);
        stats.big(v);
        tmp[i - from] = v;
      }
      out.bytes(new Uint8Array(tmp.buffer));
      return;
    }
    case "f32":
      out.ensure((to - from) * 4);
      for (let i = from; i < to; i++) {
        const v = values[i] as number;
        if (typeof v !== "number") throw badValue(kind, v);
        stats.float(v);
        out.view.setFloat32(out.length, v, true);
        out.length += 4;
      }
      return;
    case "f64": {
      const tmp = new Float64Array(to - from);
      for (let i = from; i < to; i++) {
        const v = values[i] as number;
        if (typeof v !== "number") throw badValue(kind, v);
        stats.float(v);
        tmp[i - from] = v;
      }
      out.bytes(new Uint8Array(tmp.buffer));
      return;
    }
    case "str":
      for (let i = from; i < to; i++) {
        out.ensure(4);
        const at = out.length;
        out.length += 4;
        if (typeof values[i] !== "string") throw badValue(kind, values[i]);
        const n = out.utf8(values[i] as string);
        out.view.setInt32(at, n, true);
        stats.bytes(out.buf, at + 4, n);
      }
      return;
    case "blob":
      for (let i = from; i < to; i++) {
        const v = values[i] as Uint8Array;
        if (!(v instanceof Uint8Array)) throw badValue(kind, v);
        out.i32(v.length);
        out.bytes(v);
        stats.bytes(out.buf, out.length - v.length, v.length);
      }
      return;
    case "uuid":
      out.ensure((to - from) * 16);
      for (let i = from; i < to; i++) {
        const at = out.length;
        writeUuid(out, values[i] as string);
        stats.bytes(out.buf, at, 16);
      }
      return;
    case "dec16":
      out.ensure((to - from) * 16);
      for (let i = from; i < to; i++) {
        const v = values[i] as bigint;
        if (typeof v !== "bigint") throw badValue(kind, v);
        stats.big(v);
        out.view.setBigInt64(out.length, BigInt.asIntN(64, v >> 64n), false);
        out.view.setBigUint64(out.length + 8, BigInt.asUintN(64, v), false);
        out.length += 16;
      }
      return;
  }
}

const EXPECTED: Record<Kind, string> = {
  bool: "a boolean", i32: "an integer number", i32dec: "a bigint (unscaled DECIMAL)", i64: "a bigint", i64dec: "a bigint (unscaled DECIMAL)",
  f32: "a number", f64: "a number", str: "a string", blob: "a Uint8Array", uuid: "a UUID string", dec16: "a bigint (unscaled DECIMAL)",
};

function badValue(kind: Kind, v: unknown): Error {
  const shown = typeof v === "bigint" ? `${v}n` : typeof v === "string" ? JSON.stringify(v) : String(v);
  return new Error(`parquet: expected ${EXPECTED[kind]}, got ${typeof v} ${shown}`);
}

/** The value of each ASCII hex digit (either case); -1 for every other ASCII code. */
const hexNibble = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  hexNibble["0123456789abcdef".charCodeAt(i)] = i;
  hexNibble["0123456789ABCDEF".charCodeAt(i)] = i;
}

/** 16 bytes from 32 hex digits; dashes anywhere are skipped, anything else is not a UUID. */
function writeUuid(out: Bytes, text: string): void {
  if (typeof text !== "string") throw badValue("uuid", text);
  const start = out.length;
  let digits = 0;
  let byte = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 45) continue;
    // A table, not range tests: digits and letters alternate at random in a UUID, and the branches mispredicted.
    const nibble = c < 128 ? hexNibble[c]! : -1;
    if (nibble < 0 || digits === 32) {
      out.length = start;
      throw notUuid(text);
    }
    byte = (byte << 4) | nibble;
    if (++digits % 2 === 0) {
      out.buf[out.length++] = byte;
      byte = 0;
    }
  }
  if (digits !== 32) {
    out.length = start;
    throw notUuid(text);
  }
}

const notUuid = (text: string) => new Error(`parquet: ${JSON.stringify(text)} is not a UUID`);

/** Chunk min/max in the column's sort order, encoded as Parquet statistics expect. */
class Stats {
  private min: number | bigint | Uint8Array | undefined;
  private max: number | bigint | Uint8Array | undefined;
  private sawZero = false;

  constructor(private readonly kind: Kind) {}

  number(v: number): void {
    if (this.min === undefined || v < (this.min as number)) this.min = v;
    if (this.max === undefined || v > (this.max as number)) this.max = v;
  }

  float(v: number): void {
    if (Number.isNaN(v)) return;
    if (v === 0) this.sawZero = true;
    this.number(v);
  }

  big(v: bigint): void {
    if (this.min === undefined || v < (this.min as bigint)) this.min = v;
    if (this.max === undefined || v > (this.max as bigint)) this.max = v;
  }

  bytes(buf: Uint8Array, at: number, n: number): void {
    if (this.min === undefined || compareBytes(buf, at, n, this.min as Uint8Array) < 0) this.min = buf.slice(at, at + n);
    if (this.max === undefined || compareBytes(buf, at, n, this.max as Uint8Array) > 0) this.max = buf.slice(at, at + n);
  }

  fields(nulls: number): TField[] {
    const fields: TField[] = [[3, i64(nulls)]];
    if (this.min === undefined || this.max === undefined) return fields;
    // Zero's sign is not ordered: widen the bounds as the Parquet spec asks.
    if (this.sawZero && this.min === 0) this.min = -0;
    if (this.sawZero && this.max === 0) this.max = 0;
    const max = this.encode(this.max);
    const min = this.encode(this.min);
    // Long text bounds would bloat the footer; leave them out rather than truncate them.
    if (max.length > STAT_MAX_BYTES || min.length > STAT_MAX_BYTES) return fields;
    fields.push([5, bin(max)], [6, bin(min)]);
    return fields;
  }

  private encode(v: number | bigint | Uint8Array): Uint8Array {
    if (v instanceof Uint8Array) return v;
    const out = new Bytes(16);
    switch (this.kind) {
      case "bool":
        out.u8(v as number);
        break;
      case "i32":
      case "i32dec":
        out.i32((v as number) | 0);
        break;
      case "i64":
      case "i64dec":
        out.i64(BigInt.asIntN(64, v as bigint));
        break;
      case "f32":
        out.f32(v as number);
        break;
      case "f64":
        out.f64(v as number);
        break;
      case "dec16":
        out.ensure(16);
        out.view.setBigInt64(0, BigInt.asIntN(64, (v as bigint) >> 64n), false);
        out.view.setBigUint64(8, BigInt.asUintN(64, v as bigint), false);
        out.length = 16;
        break;
      default:
        throw new Error(`parquet: unexpected statistic for ${this.kind}`);
    }
    return out.result().slice();
  }
}

function compareBytes(buf: Uint8Array, at: number, n: number, other: Uint8Array): number {
  const m = Math.min(n, other.length);
  for (let k = 0; k < m; k++) {
    const d = buf[at + k]! - other[k]!;
    if (d !== 0) return d;
  }
  return n - other.length;
}

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
/** The page buffers' first size, in values. */
const INITIAL_VALUES = 16;
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

/** How a kind's values wait in the page being filled (see `ChunkEncoder`). */
const enum Held {
  /** As their PLAIN bytes: text, blobs, UUIDs, floats, decimals. */
  Bytes,
  /** As doubles: INT32 (exact) and booleans (0/1). */
  Numbers,
  /** In a BigInt64Array (and as doubles for a delta): INT64. */
  Bigints,
}

function heldAs(kind: Kind): Held {
  if (kind === "i32" || kind === "bool") return Held.Numbers;
  if (kind === "i64" || kind === "i64dec") return Held.Bigints;
  return Held.Bytes;
}

/**
 * Encodes one leaf's values of one row group as a column chunk, page by page
 * while its rows arrive: data pages (v1) cut at row boundaries once they hold
 * PAGE_LEVELS levels, each compressed on its own; at `finish`, the last page
 * and, before all of them, the dictionary page; min/max/null-count statistics
 * over the chunk. So a writer that is fed rows as they are produced (a
 * runner's open file) has done nearly all of a file's encoding by the time it
 * is flushed.
 *
 * The page being filled holds its values typed, not as the rows' JavaScript
 * values: each `drain` turns the leaf's new values into dictionary indexes,
 * or PLAIN bytes, or numbers in typed arrays, and empties the leaf. So a
 * row's strings and bigints die young (a scavenge copies nothing of them),
 * and an open file holds no object per value.
 *
 * Repeated INT32/INT64/text values get a dictionary (RLE_DICTIONARY pages,
 * each with the bit width its indexes need). When the values stop repeating
 * (more distinct values than half of those seen, or MAX_DICTIONARY of them),
 * the page at hand and every later one are written without it, as parquet-mr
 * falls back; a chunk that falls back in its first page has no dictionary.
 */
export class ChunkEncoder {
  private readonly kind: Kind;
  private readonly held: Held;
  private readonly compress: (b: Uint8Array) => Uint8Array;
  private readonly pieces: Uint8Array[] = [];
  private size = 0;
  private uncompressed = 0;
  private readonly encodings = new Set<number>([RLE]);
  private readonly stats: Stats;
  private readonly deltaFits: boolean;
  /** The dictionary: each key's index, keys in first-seen order; null when the chunk has none. */
  private dict: { ids: Map<unknown, number>; keys: unknown[] } | null;
  /** Whether new pages still use the dictionary (false once it is given up after some pages used it). */
  private indexing = true;
  /** Non-null values in the pages written so far, and levels. */
  private seen = 0;
  private levels = 0;
  private nulls = 0;
  private pages = 0;
  private dictionaryPages = 0;
  /** The leaf's levels before `level` are written as pages; those before `staged` have their values in the page being filled. */
  private level = 0;
  private staged = 0;
  /** The leaf's values before `valueAt` are in the page being filled (dropped from the leaf at the end of `drain`/`finish`). */
  private valueAt = 0;
  /** The page being filled: how many values, whether as dictionary indexes, and the dictionary's size when it began. */
  private count = 0;
  private indexed: boolean;
  private keysBefore = 0;
  // Every buffer of the page being filled starts small and doubles as values come: a runner keeps
  // an open file per partition, so a sink with 50,000 partitions holds 50,000 of each per column.
  private indexes = new Uint32Array(INITIAL_VALUES);
  private readonly plain = new Bytes(INITIAL_VALUES * 8);
  private numbers: Float64Array;
  private bigints: BigInt64Array | null;

  constructor(
    private readonly leaf: Leaf,
    private readonly codec: "SNAPPY" | "UNCOMPRESSED",
  ) {
    this.kind = kindOf(leaf.element);
    this.held = heldAs(this.kind);
    this.compress = codec === "SNAPPY" ? snappyCompress : (b: Uint8Array) => b;
    this.stats = new Stats(this.kind, boundsOf(leaf.element, this.kind));
    this.dict = this.kind === "str" || this.kind === "i32" || this.kind === "i64" ? { ids: new Map(), keys: [] } : null;
    this.indexed = this.dict !== null;
    // Unsigned columns stay PLAIN: a delta over their signed bit patterns is legal but not worth the doubt.
    this.deltaFits = (this.kind === "i32" || this.kind === "i64") && !leaf.element.converted_type?.startsWith("UINT");
    this.numbers = new Float64Array(this.held === Held.Bytes ? 0 : INITIAL_VALUES);
    this.bigints = this.held === Held.Bigints ? new BigInt64Array(INITIAL_VALUES) : null;
  }

  /** The leaf's column path, for error messages. */
  get path(): string[] {
    return this.leaf.path;
  }

  /** Writes the pages the leaf holds enough levels for and takes the rest of its values; call it after whole rows were shredded into the leaf. */
  drain(): void {
    while (this.leaf.count - this.level >= PAGE_LEVELS) {
      const end = this.pageEnd();
      this.stageTo(end);
      this.page(end, false);
    }
    this.stageTo(this.leaf.count);
    this.forget();
  }

  /** Writes what the leaf still holds and returns the chunk; the leaf is left empty. */
  finish(): ChunkResult {
    while (this.leaf.count - this.level > PAGE_LEVELS) {
      const end = this.pageEnd();
      this.stageTo(end);
      this.page(end, false);
    }
    this.stageTo(this.leaf.count);
    if (this.leaf.count > this.level || this.pages === 0) this.page(this.leaf.count, true);
    this.forget();
    const pieces: Uint8Array[] = [];
    let size = 0;
    let uncompressed = 0;
    let dictionaryOffset: number | undefined;
    if (this.dict && this.dictionaryPages > 0) {
      const keys = this.dict.keys;
      const body = new Bytes(keys.length * 8 + 16);
      writePlain(body, this.kind, keys, 0, keys.length, this.stats);
      const page = body.result();
      const compressed = this.compress(page);
      const header = new Bytes(32);
      writeStruct(header, [
        [1, i32(2)],
        [2, i32(page.length)],
        [3, i32(compressed.length)],
        [7, struct([1, i32(keys.length)], [2, i32(PLAIN)])],
      ]);
      dictionaryOffset = 0;
      pieces.push(header.result(), compressed);
      size += header.length + compressed.length;
      uncompressed += header.length + page.length;
      this.encodings.add(PLAIN);
      this.encodings.add(RLE_DICTIONARY);
    }
    const dataOffset = size;
    for (const p of this.pieces) pieces.push(p);
    size += this.size;
    uncompressed += this.uncompressed;
    const { leaf, codec, encodings, stats, levels, nulls } = this;
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
          [5, i64(levels)],
          [6, i64(uncompressed)],
          [7, i64(size)],
          [9, i64(offset + dataOffset)],
          [11, dictionaryOffset === undefined ? undefined : i64(offset + dictionaryOffset)],
          [12, struct(...stats.fields(nulls))],
        ),
    };
  }

  /** Drops from the leaf the levels written as pages and every value taken into the page being filled. */
  private forget(): void {
    this.leaf.drop(this.level, this.valueAt);
    this.staged -= this.level;
    this.level = 0;
    this.valueAt = 0;
  }

  /** Where the next page ends: at the first row start at or after PAGE_LEVELS levels, or at the end of what the leaf holds. */
  private pageEnd(): number {
    const { reps, count } = this.leaf;
    let end = Math.min(count, this.level + PAGE_LEVELS);
    while (end < count && reps[end] !== 0) end++;
    return end;
  }

  /** Takes the values of levels [staged, end) into the page being filled. */
  private stageTo(end: number): void {
    const { defs, maxDef, values } = this.leaf;
    let present = 0;
    for (let i = this.staged; i < end; i++) if (defs[i] === maxDef) present++;
    const from = this.valueAt;
    const to = from + present;
    if (this.indexed) this.stageIndexes(values, from, to);
    else this.stagePlain(values, from, to);
    this.valueAt = to;
    this.staged = end;
  }

  /**
   * Values as dictionary indexes, adding new keys. When a key would be one too
   * many (MAX_DICTIONARY, or more than half of a first page's first 4,096
   * values), the dictionary is given up from this page on; the page's other
   * test, keys against values, is made when the page is written.
   */
  private stageIndexes(values: unknown[], from: number, to: number): void {
    const dict = this.dict!;
    const first = this.dictionaryPages === 0;
    this.indexes = grown(this.indexes, this.count + to - from);
    const indexes = this.indexes;
    for (let i = from; i < to; i++) {
      const v = values[i];
      let id = dict.ids.get(v);
      if (id === undefined) {
        id = dict.keys.length;
        if (id >= MAX_DICTIONARY || (first && this.count === 4095 && id > 2048)) {
          this.unindex();
          this.stagePlain(values, i, to);
          return;
        }
        dict.ids.set(v, id);
        dict.keys.push(v);
      }
      indexes[this.count++] = id;
    }
  }

  /** Gives the dictionary up from the page being filled on: its indexes become values again, held plain, and its new keys are forgotten. */
  private unindex(): void {
    const dict = this.dict!;
    const n = this.count;
    const values = new Array<unknown>(n);
    for (let i = 0; i < n; i++) values[i] = dict.keys[this.indexes[i]!];
    for (let k = this.keysBefore; k < dict.keys.length; k++) dict.ids.delete(dict.keys[k]);
    dict.keys.length = this.keysBefore;
    if (this.dictionaryPages === 0) this.dict = null;
    else this.indexing = false;
    this.indexed = false;
    this.count = 0;
    this.stagePlain(values, 0, n);
  }

  /** Values as their PLAIN bytes or in typed arrays (types checked and statistics taken here). */
  private stagePlain(values: unknown[], from: number, to: number): void {
    const kind = this.kind;
    if (this.held === Held.Bytes) {
      writePlain(this.plain, kind, values, from, to, this.stats);
      this.count += to - from;
      return;
    }
    const need = this.count + to - from;
    if (this.held === Held.Numbers || this.deltaFits) this.numbers = grown(this.numbers, need);
    const numbers = this.numbers;
    if (this.held === Held.Numbers) {
      for (let i = from; i < to; i++) {
        const v = values[i];
        if (kind === "bool") {
          if (typeof v !== "boolean") throw badValue(kind, v);
          numbers[this.count++] = v ? 1 : 0;
          this.stats.number(v ? 1 : 0);
        } else {
          if (!Number.isInteger(v)) throw badValue(kind, v);
          numbers[this.count++] = v as number;
          this.stats.number(v as number);
        }
      }
      return;
    }
    this.bigints = grown(this.bigints!, need);
    const bigints = this.bigints;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (typeof v !== "bigint") throw badValue(kind, v);
      this.stats.big(v);
      // A BigInt64Array stores values modulo 2^64, which is UBIGINT's two's-complement bit pattern.
      bigints[this.count] = v;
      // Doubles hold integers exactly to 2^53; writeDelta refuses anything past ±2^51.
      if (this.deltaFits) numbers[this.count] = Number(v);
      this.count++;
    }
  }

  /** Levels [level, end) of the leaf and the page being filled's values as one data page. */
  private page(end: number, last: boolean): void {
    const { leaf, level } = this;
    const present = this.count;
    const indexes = this.indexed ? this.pageIndexes(present, last) : null;
    const body = new Bytes(64 + (end - level) / 2 + (indexes ? present * 2 + 16 : this.plainBytes(present)));
    if (leaf.maxRep > 0) writeLevels(body, leaf.reps, level, end, leaf.maxRep);
    if (leaf.maxDef > 0) writeLevels(body, leaf.defs, level, end, leaf.maxDef);
    let encoding = PLAIN;
    if (indexes) {
      encoding = RLE_DICTIONARY;
      const width = Math.max(1, bitWidth(this.dict!.keys.length - 1));
      body.u8(width);
      writeHybrid(body, indexes, present, width);
      this.dictionaryPages++;
    } else if (this.deltaFits && writeDelta(body, this.numbers, present, this.kind === "i32" ? 32 : 64)) {
      encoding = DELTA_BINARY_PACKED;
      this.encodings.add(DELTA_BINARY_PACKED);
    } else {
      this.encodings.add(PLAIN);
      this.writeHeld(body, present);
    }
    const page = body.result();
    const compressed = this.compress(page);
    const header = new Bytes(32);
    writeStruct(header, [
      [1, i32(0)],
      [2, i32(page.length)],
      [3, i32(compressed.length)],
      [5, struct([1, i32(end - level)], [2, i32(encoding)], [3, i32(RLE)], [4, i32(RLE)])],
    ]);
    this.pieces.push(header.result(), compressed);
    this.size += header.length + compressed.length;
    this.uncompressed += header.length + page.length;
    this.pages++;
    this.levels += end - level;
    this.nulls += end - level - present;
    this.seen += present;
    this.level = end;
    // The next page starts empty, as indexes while the dictionary is in use.
    this.count = 0;
    this.plain.length = 0;
    this.indexed = this.dict !== null && this.indexing;
    this.keysBefore = this.dict?.keys.length ?? 0;
  }

  /**
   * The page's dictionary indexes; null (and the dictionary given up, the
   * page's values held plain) when the column does not repeat enough to gain:
   * more keys than half of the values seen, or a lone value in a chunk's only page.
   */
  private pageIndexes(present: number, last: boolean): Uint32Array | null {
    const keys = this.dict!.keys.length;
    const first = this.dictionaryPages === 0;
    if ((first && last && present < 2) || (keys > this.keysBefore && keys > (this.seen + present) / 2)) {
      this.unindex();
      return null;
    }
    return this.indexes;
  }

  /** The PLAIN size of the page being filled's values. */
  private plainBytes(n: number): number {
    if (this.held === Held.Bytes) return this.plain.length;
    if (this.kind === "bool") return Math.ceil(n / 8);
    return n * (this.kind === "i32" ? 4 : 8);
  }

  /** The page being filled's `n` values, PLAIN. */
  private writeHeld(out: Bytes, n: number): void {
    switch (this.held) {
      case Held.Bytes:
        out.bytes(this.plain.result());
        return;
      case Held.Bigints:
        out.bytes(new Uint8Array(this.bigints!.buffer, 0, n * 8));
        return;
      case Held.Numbers: {
        const numbers = this.numbers;
        if (this.kind === "i32") {
          // Typed arrays are little-endian on every platform the edge runs on (checked above).
          const tmp = new Int32Array(n);
          for (let i = 0; i < n; i++) tmp[i] = numbers[i]!;
          out.bytes(new Uint8Array(tmp.buffer));
          return;
        }
        out.ensure(Math.ceil(n / 8));
        let byte = 0;
        let bit = 0;
        for (let i = 0; i < n; i++) {
          if (numbers[i] === 1) byte |= 1 << bit;
          if (++bit === 8) {
            out.buf[out.length++] = byte;
            byte = 0;
            bit = 0;
          }
        }
        if (bit > 0) out.buf[out.length++] = byte;
      }
    }
  }
}

/** `array` when it holds `n` entries, else a copy twice as large (or `n`) with its entries. */
function grown<T extends Uint32Array | Float64Array | BigInt64Array>(array: T, n: number): T {
  if (array.length >= n) return array;
  const next = new (array.constructor as new (size: number) => T)(Math.max(n, array.length * 2));
  next.set(array as never);
  return next;
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

function writePlain(out: Bytes, kind: Kind, values: unknown[], from: number, to: number, stats: Stats): void {
  switch (kind) {
    case "bool":
      // Booleans wait as numbers and are packed by ChunkEncoder.writeHeld; they never get a dictionary.
      throw new Error("parquet: booleans are not written through writePlain");
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

/**
 * The values an integer leaf can hold ([lo, hi], as numbers for INT32 leaves and bigints for the
 * others), or null: a value outside them would be stored modulo 2^32 / 2^64 (or as a DECIMAL past its
 * precision) and DuckDB would read back another number, so it is refused instead.
 */
function boundsOf(element: SchemaElement, kind: Kind): [number, number] | [bigint, bigint] | null {
  if (kind === "i32dec" || kind === "i64dec" || kind === "dec16") {
    const m = 10n ** BigInt(element.precision ?? 38) - 1n;
    return kind === "i32dec" ? [-Number(m), Number(m)] : [-m, m];
  }
  if (kind !== "i32" && kind !== "i64") return null;
  const match = /^(U?)INT_(8|16|32|64)$/.exec(element.converted_type ?? "");
  const bits = match ? BigInt(match[2]!) : kind === "i32" ? 32n : 64n;
  const [lo, hi] = match?.[1] === "U" ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
  return kind === "i32" ? [Number(lo), Number(hi)] : [lo, hi];
}

/** Chunk min/max in the column's sort order, encoded as Parquet statistics expect. */
class Stats {
  private min: number | bigint | Uint8Array | undefined;
  private max: number | bigint | Uint8Array | undefined;
  private sawZero = false;
  private sawNaN = false;
  private readonly lo: number | bigint | undefined;
  private readonly hi: number | bigint | undefined;

  constructor(
    private readonly kind: Kind,
    bounds: [number, number] | [bigint, bigint] | null = null,
  ) {
    this.lo = bounds?.[0];
    this.hi = bounds?.[1];
  }

  /** Every integer value passes here (`number` or `big`) before it is written: out of range is refused. */
  private outOfRange(v: number | bigint): Error {
    const shown = typeof v === "bigint" ? `${v}n` : String(v);
    const what = this.kind.endsWith("dec") || this.kind === "dec16" ? `an unscaled DECIMAL within ±${this.hi}` : `an integer in [${this.lo}, ${this.hi}]`;
    return new Error(`parquet: expected ${what}, got ${shown}`);
  }

  number(v: number): void {
    if (this.lo !== undefined && (v < (this.lo as number) || v > (this.hi as number))) throw this.outOfRange(v);
    if (this.min === undefined || v < (this.min as number)) this.min = v;
    if (this.max === undefined || v > (this.max as number)) this.max = v;
  }

  float(v: number): void {
    if (Number.isNaN(v)) {
      this.sawNaN = true;
      return;
    }
    if (v === 0) this.sawZero = true;
    this.number(v);
  }

  big(v: bigint): void {
    if (this.lo !== undefined && (v < (this.lo as bigint) || v > (this.hi as bigint))) throw this.outOfRange(v);
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
    // DuckDB orders NaN above every number (`x > 1e308` holds for NaN), so bounds without the
    // chunk's NaNs would let it skip a group that matches: leave them out, as DuckDB's writer does.
    if (this.sawNaN) return fields;
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

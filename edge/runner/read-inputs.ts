/**
 * Input files for `runnel run --input <source>=<path>`: a file, a folder (its
 * files), or a glob (`*`, `**`, `?`); oldest first by modification time, then
 * by name. A folder, and a glob's wildcards, leave out hidden names (`.x`,
 * `_x`: `.DS_Store`, Spark's `_SUCCESS`, a Delta table's `_delta_log/`), as
 * Spark, Hive and Arrow datasets do; a file named outright is always read.
 *
 * Events are read in batches. JSON files (`.json`, `.ndjson`, `.jsonl`, and
 * any other name for a JSON source) are read as DuckDB's `read_json` reads
 * them with its format detected: one array of records, records one per line,
 * or records spread over several lines (pretty-printed), whatever the
 * extension says; an empty file is no records. CSV and Parquet go through
 * DuckDB (CSV columns as text, which the plan casts as DuckDB casts text;
 * Parquet rows as DuckDB's JSON for them). A file compressed with gzip (also
 * several members one after another, as `cat a.gz b.gz` makes) or zstd is
 * read through it: by its extension (`.gz`, `.gzip`, `.zst`, `.zstd`, as
 * DuckDB picks the codec), or by its first bytes when the name does not say;
 * one cut off gives its records before the cut and a dead letter saying so. A zstd file may start
 * with a skippable frame (pzstd's); each frame's header is read before fzstd allocates its window,
 * and one past 128 MiB (what zstd and DuckDB decode without being told), or a frame holding other
 * than the size it declares, is a dead letter after the frames before it.
 * A Parquet file is known by its first bytes too (`.parq`). A file that
 * cannot be read (not the gzip it is named, bzip2 or zip, a CSV record past
 * DuckDB's limits, no permission) is a dead letter saying why, and the run
 * goes on. A UTF-16 file (a byte order mark FF FE) is read as text. An Avro Object Container File
 * (`.avro`, or any name starting with `Obj` 1) is read with its header's schema, each record the
 * JSON event the Kafka Avro path makes of a value (`readAvro`); where the source names a reader
 * schema (`avro.schema`, `InputFile.avro`), that schema is resolved into it, so old exports read as one shape.
 */
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import * as zlib from "node:zlib";
import { Decompress as ZstdStream } from "fzstd";
import { decodeAvroValue, avroType, readerArray, resolveInto, sourceReaderSchema, type AvroReader, type ReaderSchema } from "../../gateway/sources/avro.ts";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { zstdDecodeWithin } from "./kafka-codecs.ts";
import { snappyRawDecode, ZSTD_WINDOW_MAX, ZstdWindowGuard } from "./block-codecs.ts";
import { DuplicateKeyError, NestingError, parseEventJson, type RepeatedKeysMode } from "../duckdb/lossless-json.ts";
import { csvDelimiter, csvHeaderFields, csvHeaderNames } from "../exec/csv-header.ts";
import type { Schema } from "../plan/values.ts";
import { parseType, type TypeNode } from "../plan/type-text.ts";
import { heldByPipeline } from "../compile/casts.ts";
import { decimalsInTransport, narrowedColumns, narrowedValueSql, type FileColumn, type NarrowedColumn } from "./parquet-columns.ts";
import { counted } from "../../notebook/format/counted.ts";

export interface InputFile {
  path: string;
  mtimeMs: number;
  format: "ndjson" | "json" | "csv" | "parquet" | "avro";
  /**
   * The source's reader schema (`avro.schema`): an Avro file's own schema is resolved into it, so files
   * written with older schemas read as one shape (absent: each file is read in its own schema's shape).
   */
  avro?: ReaderSchema;
}

type Compression = "gzip" | "zstd";

const COMPRESSED_SUFFIX = /\.(gz|gzip|zst|zstd)$/i;

/** The codec a file's extension names, as DuckDB's `compression = 'auto'` picks it. */
function compressionNamed(path: string): Compression | null {
  const m = COMPRESSED_SUFFIX.exec(path);
  if (!m) return null;
  return m[1]!.toLowerCase().startsWith("g") ? "gzip" : "zstd";
}

/**
 * A file's format by its name, a compression suffix set aside (`orders.csv.gz` is CSV). A name that
 * says nothing (`.log`, `.txt`, none) is read as `otherwise`: the source's own format.
 */
export function formatOf(path: string, otherwise: InputFile["format"] = "ndjson"): InputFile["format"] {
  const lower = path.toLowerCase().replace(COMPRESSED_SUFFIX, "");
  if (lower.endsWith(".parquet")) return "parquet";
  // An Avro Object Container File (Kafka Connect's S3 sink, Spark, Hive exports): it was read as JSON, every block a dead letter.
  if (lower.endsWith(".avro")) return "avro";
  // A tab-separated export (`.tsv`, `.tab`) is CSV to DuckDB's read_csv; it was read as NDJSON, every line a dead letter.
  if (lower.endsWith(".csv") || lower.endsWith(".tsv") || lower.endsWith(".tab")) return "csv";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl") || lower.endsWith(".ldjson")) return "ndjson";
  return otherwise;
}

function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        // `**/` is any number of whole folders, none too: `a/**/b.json` is `a/b.json` or `a/x/b.json`, not `a/xb.json`.
        re += "(?:.*/)?";
        i++;
      } else re += ".*";
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[" && pattern.indexOf("]", i + 2) > 0) {
      // A class, as DuckDB's glob reads it: `[0-9]`, `[!a]` (not a).
      const close = pattern.indexOf("]", i + 2);
      const body = pattern.slice(i + 1, close);
      const negated = body.startsWith("!");
      re += `[${negated ? "^/" : ""}${(negated ? body.slice(1) : body).replace(/[\\\]^[]/g, "\\$&")}]`;
      i = close;
    } else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** A name a folder listing leaves out: dot files (`.DS_Store`, `._x`, `.x.crc`) and `_` files (`_SUCCESS`, `_delta_log`). */
const hidden = (name: string): boolean => name.startsWith(".") || name.startsWith("_");

async function walk(dir: string, withHidden: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!withHidden && hidden(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const p of await walk(path, withHidden)) out.push(p);
    else if (entry.isFile()) out.push(path);
    // A link to a file is read, as DuckDB's glob reads it (it was skipped, unsaid); a link to a folder is not followed, as in DuckDB.
    else if (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isFile()) out.push(path);
  }
  return out;
}

/**
 * The files `spec` names, oldest first; an empty match is an error naming the pattern. A file whose
 * name does not say its format is read as `otherwise` (the source's format).
 */
export async function listInputs(spec: string, otherwise: InputFile["format"] = "ndjson"): Promise<InputFile[]> {
  let paths: string[];
  const url = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec);
  if (url) throw new Error(`run: input ${spec} is a URL (${url[1]}:); --input reads local files, a folder or a glob (copy the objects down first, e.g. aws s3 sync)`);
  // A name with `[` is a pattern only when no file has that very name (`report [final].csv`).
  const wild = /[*?]/.test(spec) || (spec.includes("[") && (await stat(spec).catch(() => null)) === null);
  if (wild) {
    const firstWild = spec.search(/[*?[]/);
    const base = spec.slice(0, firstWild).includes("/") ? dirname(spec.slice(0, firstWild) + "x") : ".";
    const re = globToRegExp(resolve(spec).split(sep).join("/"));
    // Hidden names are left out unless the pattern spells one below its base folder (`logs/.x*`, `logs/**/_x`).
    const withHidden = spec.slice(base === "." ? 0 : base.length).split("/").some((part) => hidden(part) && part !== "." && part !== "..");
    let found: string[];
    try {
      found = await walk(base, withHidden);
    } catch (error) {
      throw new Error(`run: input ${spec} matches no file (${base} cannot be read: ${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    paths = found.filter((p) => re.test(resolve(p).split(sep).join("/")));
  } else {
    let info;
    try {
      info = await stat(spec);
    } catch (error) {
      throw new Error(`run: input ${spec} does not exist`, { cause: error });
    }
    paths = info.isDirectory() ? await walk(spec, false) : [spec];
  }
  const files = await Promise.all(paths.map(async (path) => ({ path, mtimeMs: (await stat(path)).mtimeMs, format: formatOf(path, otherwise) })));
  if (files.length === 0) throw new Error(`run: input ${spec} matches no file${wild ? "" : " (hidden names, .x and _x, are left out of a folder)"}`);
  return mergeInputs([files]);
}

/**
 * The files of several `--input`s of one source as one list, oldest first across all of them (not
 * each list in turn), a file named twice (a folder and a glob in it) read once.
 */
export function mergeInputs(lists: InputFile[][]): InputFile[] {
  const seen = new Set<string>();
  const files = lists.flat().filter((f) => {
    const key = resolve(f.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A line of an NDJSON file that is not JSON: `runFiles` makes it a dead letter with this reason and the line. */
export class UnreadableEvent {
  constructor(
    readonly reason: string,
    readonly raw: string,
  ) {}
}

/** A file that cannot be read as a whole, or not to its end (not the gzip it is named, cut off): one dead letter. */
class FileUnreadable extends Error {}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const startsWith = (head: Uint8Array, magic: number[]): boolean => magic.every((b, i) => head[i] === b);
const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // PAR1
/** Compressed or archived files read as text gave a dead letter per line of binary; now one saying what they are. */
const OTHER_CODECS: [number[], string][] = [
  [[0x42, 0x5a, 0x68], "a bzip2 file"],
  [[0xfd, 0x37, 0x7a, 0x58], "an xz file"],
  [[0x50, 0x4b, 0x03, 0x04], "a zip archive"],
  [[0x04, 0x22, 0x4d, 0x18], "an LZ4 frame"],
  [[0xff, 0x06, 0x00, 0x00], "a Snappy-framed file"],
];

async function headOf(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** How a file is compressed: its extension's codec (its first bytes must agree, as DuckDB refuses a `.gz` that is not gzip), else its first bytes'. */
async function compressionOf(path: string): Promise<Compression | null> {
  const head = await headOf(path);
  const n = head.length;
  const named = compressionNamed(path);
  // A zstd file may start with a skippable frame (magic 0x184D2A50 to 5F): pzstd writes one before each frame, and such a file was "not a Zstandard stream".
  const skippable = n >= 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18;
  const sniffed = n >= 2 && startsWith(head, GZIP_MAGIC) ? "gzip" : n >= 4 && (startsWith(head, ZSTD_MAGIC) || skippable) ? "zstd" : null;
  for (const [magic, what] of OTHER_CODECS) {
    if (n >= magic.length && startsWith(head, magic) && (what !== "a bzip2 file" || (head[3]! >= 0x31 && head[3]! <= 0x39))) throw new FileUnreadable(`${what} is not read (DuckDB reads gzip and zstd); decompress it first`);
  }
  if (named && n === 0) return null; // an empty `.gz` holds no records, as DuckDB reads it
  if (named === "gzip" && sniffed !== "gzip") throw new FileUnreadable(`Input is not a GZIP stream`);
  if (named === "zstd" && sniffed !== "zstd") throw new FileUnreadable(`Input is not a Zstandard stream (Unknown frame descriptor)`);
  return sniffed;
}

/** A file's bytes, decompressed. A stream that breaks off (a cut download) throws `FileUnreadable` after the bytes before the break. */
async function* fileBytes(path: string, compression: Compression | null, position?: ReadPosition): AsyncGenerator<Buffer> {
  const raw = createReadStream(path);
  if (position) position.stream = raw;
  let inflate: zlib.Gunzip | null = null;
  try {
    if (compression === null) {
      yield* raw as AsyncIterable<Buffer>;
    } else if (compression === "gzip") {
      // Node's gunzip reads gzip members one after another (`cat a.gz b.gz`), as DuckDB does.
      inflate = zlib.createGunzip();
      const gunzip = inflate;
      raw.on("error", (error) => gunzip.destroy(error));
      raw.on("data", (chunk) => {
        if (!gunzip.write(chunk)) raw.pause();
      });
      gunzip.on("drain", () => raw.resume());
      // Flushed before the end, so a stream cut off gives every byte before the cut; the end then says it is cut.
      raw.on("end", () => gunzip.flush(zlib.constants.Z_SYNC_FLUSH, () => gunzip.end()));
      // Read by events, not the stream's async iterator, which throws an error before the bytes it still holds.
      const queue: Buffer[] = [];
      let failed: unknown = null;
      let ended = false;
      let wake: (() => void) | null = null;
      const poke = (): void => {
        wake?.();
        wake = null;
      };
      gunzip.on("data", (chunk: Buffer) => {
        queue.push(chunk);
        if (queue.length > 16) gunzip.pause();
        poke();
      });
      gunzip.on("end", () => {
        ended = true;
        poke();
      });
      gunzip.on("error", (error) => {
        failed = error;
        poke();
      });
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          if (queue.length < 4) gunzip.resume();
          yield chunk;
          continue;
        }
        if (failed !== null) throw new FileUnreadable(`${compression} stream is damaged: ${failed instanceof Error ? failed.message : String(failed)}`, { cause: failed });
        if (ended) break;
        await new Promise<void>((r) => (wake = r));
      }
    } else {
      // zstd through fzstd, also where Node has zstd (22.15 and later): Node's decompressor stops
      // after the first frame, and a file of several frames (`zstd a >> f`, pzstd) lost the rest.
      let out: Uint8Array[] = [];
      // Copied: fzstd hands out views of buffers it reuses for the next block.
      const zstd = new ZstdStream((data) => void out.push(Uint8Array.prototype.slice.call(data)));
      // Each frame's header is read before fzstd is given it: fzstd allocates the window a header
      // declares (a 12-byte file declaring 2 GB was given 2 GB, and read as no records, no word).
      const guard = new ZstdWindowGuard(ZSTD_WINDOW_MAX, (window, at) => Object.assign(new FileUnreadable(zstdWindowRefusal(window, at)), { at }));
      // The frame being decompressed and its bytes so far: one that holds other than its header declares is
      // damaged (zstd and DuckDB: "Data corruption detected"); fzstd read it without a word.
      let frame: { at: number; content: number | null } | null = null;
      let produced = 0;
      const push = (chunk: Uint8Array, final: boolean): Buffer[] => {
        try {
          zstd.push(chunk, final);
        } catch (error) {
          throw new FileUnreadable(`zstd stream is damaged: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        const got = out.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength));
        out = [];
        for (const g of got) produced += g.length;
        return got;
      };
      // Called where the next frame starts (every byte of this one given to fzstd, so all of its output made) and at the end.
      const frameEnds = (): void => {
        if (frame !== null && frame.content !== null && produced !== frame.content) {
          throw new FileUnreadable(`zstd frame at byte ${frame.at} declares ${frame.content} bytes and holds ${produced} (zstd: "Data corruption detected")`);
        }
        frame = null;
        produced = 0;
      };
      let read = 0;
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        let refused: FileUnreadable | null = null;
        let upTo = chunk.length;
        try {
          guard.feed(chunk);
        } catch (error) {
          if (!(error instanceof FileUnreadable)) throw error;
          // The frames before the refused one are read.
          refused = error;
          upTo = (error as FileUnreadable & { at: number }).at - read;
        }
        // A slice at a time, each one's bytes handed on before the next: a block of one repeated byte
        // (RLE) is 4 bytes for 128 KiB, so a 64 KiB read chunk of them was 2 GiB held at once.
        for (let at = 0; at < upTo; ) {
          let end = Math.min(at + ZSTD_SLICE, upTo);
          const next = guard.frames[0];
          // Where this frame's output is all made: the next frame's start, and no sooner than
          // FZSTD_HOLD bytes past this frame's own (fzstd holds a frame's first bytes until it has that
          // many, so a frame shorter, as `zstd --no-check` makes of a short line, made its records only
          // with the next frame's bytes, and was taken as holding none). The next frame makes nothing before then.
          const done = next === undefined ? null : Math.max(next.at, frame === null ? 0 : frame.at + FZSTD_HOLD);
          if (done !== null && done - read < end) {
            if (done - read <= at) {
              // At that point (or past it, where the next frame's header began in the last chunk).
              frameEnds();
              frame = guard.frames.shift()!;
              continue;
            }
            end = done - read;
          }
          yield* push(chunk.subarray(at, end), false);
          at = end;
        }
        if (refused) {
          // The frames before it flushed (fzstd holds a short one's bytes), where none of its own bytes were given.
          if (upTo >= 0) {
            yield* push(new Uint8Array(0), true);
            for (const next of guard.frames.splice(0)) {
              frameEnds();
              frame = next;
            }
            frameEnds();
          }
          throw refused;
        }
        read += chunk.length;
      }
      yield* push(new Uint8Array(0), true);
      for (const next of guard.frames.splice(0)) {
        frameEnds();
        frame = next;
      }
      frameEnds();
    }
  } finally {
    raw.destroy();
    inflate?.destroy();
  }
}

/** The bytes fzstd holds at a frame's start before it reads the frame (its header and first block's, at most). */
const FZSTD_HOLD = 18;

/** Compressed bytes of a zstd file given to fzstd at once: at most 32 MiB of output (RLE blocks, 4 bytes for 128 KiB). */
const ZSTD_SLICE = 1024;

/** Why a zstd file is not read: a frame asks for a window past what zstd and DuckDB decode without being told. */
function zstdWindowRefusal(window: number, at: number): string {
  const mib = (n: number): string => String(Math.round((n / 1024 / 1024) * 100) / 100);
  return `zstd frame at byte ${at} asks for a ${mib(window)} MiB window, past the ${mib(ZSTD_WINDOW_MAX)} MiB zstd and DuckDB decode without being told (zstd: "Frame requires too much memory for decoding"); it is refused rather than given the memory. A file written with zstd --long: decompress it first (zstd -d --long=31)`;
}

/**
 * A file that starts with a UTF-16 byte order mark (PowerShell's `Out-File`, Excel's "Unicode
 * text") as UTF-8. DuckDB's read_json refuses it ("UTF-16 encoding is not supported") and
 * read_csv reads it when told (`encoding = 'utf-16'`); each record was a dead letter of NUL bytes.
 */
async function* utf16AsUtf8(bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let decoder: TextDecoder | null = null;
  let first = true;
  for await (const chunk of bytes) {
    if (first) {
      first = false;
      if (chunk[0] === 0xff && chunk[1] === 0xfe) decoder = new TextDecoder("utf-16le");
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) decoder = new TextDecoder("utf-16be");
    }
    yield decoder ? Buffer.from(decoder.decode(chunk, { stream: true }), "utf8") : chunk;
  }
  if (decoder) yield Buffer.from(decoder.decode(), "utf8");
}

/** One record's bytes as the scanner cut them, and the line it starts on. */
interface Piece {
  bytes: Buffer;
  line: number;
}

/** Bytes beyond which one record is a dead letter rather than a string V8 cannot hold. */
const MAX_RECORD = 256 * 1024 * 1024;

/** Bytes of a file's first array held back until it is known whether a value follows it. */
const HOLD_ARRAY = 16 * 1024 * 1024;

/**
 * Cuts a JSON file's bytes into records as DuckDB's `read_json` with `format = 'auto'` finds them:
 * - a file whose first character is `[` is one array, its elements the records (`format = 'array'`),
 *   unless a value follows the array (`[1, 2] [3]`): then each value is one record, the arrays whole,
 *   as read_json's detection reads it (checked for a first array up to `HOLD_ARRAY` bytes long);
 * - else records are JSON values one after another. When the first one ends on its first line, the
 *   file is newline-delimited: from then on each line is one record (`format = 'newline_delimited'`;
 *   a line cut off is one dead letter, not the rest of the file swallowed, and a line holding two
 *   values is split by `splitValues` when it does not parse whole). When the first record does not
 *   end on its line (pretty-printed), records run over lines until they close (`format = 'unstructured'`).
 * A line break inside a string ends the record there (JSON has none): it is a dead letter.
 * Structure only: each record's text is then parsed, and a record that does not parse is a dead letter.
 */
export class RecordCutter {
  private line = 1;
  private started = false; // a byte other than whitespace and a byte order mark was seen
  private inArray = false; // inside the file's one top-level array
  private mode: "unknown" | "lines" | "multi";
  // The record being cut.
  private open = false;
  private kind: "container" | "string" | "scalar" | "line" = "container";
  private depth = 0;
  private inString = false;
  private escaped = false;
  private recordLine = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private oversize = false;
  private bomChecked = false;
  readonly oversized: number[] = [];
  // The file's first array, while it is not known to be the file's only value: its elements and its bytes.
  private holding = false;
  private held: Piece[] = [];
  private raw: Buffer[] = [];
  private rawSize = 0;
  private arrayLine = 0;
  private arrayEndLine = -1; // the line its `]` is on, once seen

  constructor(mode: "unknown" | "multi" = "unknown") {
    this.mode = mode;
  }

  /** Whether records are whole lines (the file is newline-delimited). */
  get byLines(): boolean {
    return this.mode === "lines";
  }

  /** Records completed by this chunk. */
  feed(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    let i = 0;
    if (!this.bomChecked) {
      const head = this.parts.length > 0 ? Buffer.concat([...this.parts, chunk]) : chunk;
      this.parts = [];
      if (head.length < 3 && (head.length === 0 || head[0] === 0xef) && (head.length < 2 || head[1] === 0xbb)) {
        // Maybe the start of a byte order mark: kept until there are bytes enough to tell.
        this.parts.push(head);
        return out;
      }
      this.bomChecked = true;
      chunk = head;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let start = this.open ? 0 : -1;
    let rawFrom = this.holding && this.arrayEndLine < 0 ? i : -1;
    const end = (to: number): void => {
      // The record ends before `to`; a line's trailing whitespace (a CR) is not part of it.
      let piece = chunk.subarray(start, to);
      if (this.kind === "line") {
        let n = piece.length;
        while (n > 0 && (piece[n - 1] === 0x0d || piece[n - 1] === 0x20 || piece[n - 1] === 0x09)) n--;
        piece = piece.subarray(0, n);
      }
      if (!this.oversize) {
        const bytes = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece]);
        (this.holding ? this.held : out).push({ bytes, line: this.recordLine });
      } else this.oversized.push(this.recordLine);
      this.open = false;
      this.parts = [];
      this.size = 0;
      this.oversize = false;
      this.inString = false;
      this.escaped = false;
      this.depth = 0;
      start = -1;
    };
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (!this.open) {
        if (b === 0x0a) {
          this.line++;
          continue;
        }
        if (b === 0x20 || b === 0x09 || b === 0x0d) continue;
        if (this.inArray && b === 0x2c) continue;
        if (this.inArray && b === 0x5d) {
          this.inArray = false;
          if (this.holding) {
            this.raw.push(chunk.subarray(rawFrom, i + 1));
            rawFrom = -1;
            this.arrayEndLine = this.line;
          }
          continue;
        }
        if (!this.started && b === 0x5b && this.mode === "unknown") {
          this.started = true;
          this.inArray = true;
          this.holding = true;
          this.arrayLine = this.line;
          rawFrom = i;
          continue;
        }
        if (this.holding && !this.inArray) {
          // A value after the first array: the file is values one after another (`[1] [2]`), the array
          // one record whole, as read_json reads it; the rest is read as lines or multi-line records.
          out.push({ bytes: Buffer.concat(this.raw), line: this.arrayLine });
          this.mode = this.arrayEndLine === this.arrayLine ? "lines" : "multi";
          this.holding = false;
          this.held = [];
          this.raw = [];
        }
        this.started = true;
        this.open = true;
        start = i;
        this.recordLine = this.line;
        this.kind = this.mode === "lines" && !this.inArray ? "line" : b === 0x7b || b === 0x5b ? "container" : b === 0x22 ? "string" : "scalar";
        this.depth = this.kind === "container" ? 1 : 0;
        this.inString = this.kind === "string";
        continue;
      }
      if (this.kind === "line") {
        const nl = chunk.indexOf(0x0a, i);
        if (nl < 0) {
          i = chunk.length;
          break;
        }
        end(nl);
        this.line++;
        i = nl;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === 0x5c) this.escaped = true;
        else if (b === 0x22) {
          this.inString = false;
          if (this.kind === "string") {
            if (this.mode === "unknown" && !this.inArray) this.mode = this.line === this.recordLine ? "lines" : "multi";
            end(i + 1);
          }
        } else if (b === 0x0a) {
          end(i);
          this.line++;
        }
        continue;
      }
      if (this.kind === "scalar") {
        // Outside an array a scalar runs to the end of its line: `not json at all` is one dead letter.
        const stop = this.inArray ? b === 0x2c || b === 0x5d || b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a : b === 0x0a;
        if (stop) {
          if (this.mode === "unknown" && !this.inArray) this.mode = "lines";
          end(i);
          i--; // the byte is read again between records
        }
        continue;
      }
      if (b === 0x22) this.inString = true;
      else if (b === 0x7b || b === 0x5b) this.depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--this.depth === 0) {
          if (this.mode === "unknown" && !this.inArray && this.line === this.recordLine) {
            // The first record closed on its own line: the file is newline-delimited, and this line
            // is one record to its end (`{"a": 1} junk` is one dead letter, as the Kafka runner makes it).
            this.mode = "lines";
            this.kind = "line";
            continue;
          }
          if (this.mode === "unknown" && !this.inArray) this.mode = "multi";
          end(i + 1);
        }
      } else if (b === 0x0a) this.line++;
    }
    if (this.open) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > MAX_RECORD) {
        this.oversize = true;
        this.parts = [];
      } else this.parts.push(rest);
    }
    if (rawFrom >= 0) {
      this.raw.push(chunk.subarray(rawFrom));
      this.rawSize += chunk.length - rawFrom;
      // An array this long is the file's one array (DuckDB detects the format from the file's start): its elements go on.
      // One by one: spread as arguments, an array of ~125,000 short records overflowed the call stack
      // ("Maximum call stack size exceeded") and stopped the run at any JSON array file past 16 MB.
      if (this.rawSize > HOLD_ARRAY) for (const piece of this.release()) out.push(piece);
    }
    return out;
  }

  /** The first array's elements held so far, and no more holding. */
  private release(): Piece[] {
    const held = this.held;
    this.holding = false;
    this.held = [];
    this.raw = [];
    return held;
  }

  /** The record left open at the end of the file (a scalar, a last line, or one cut off). */
  finish(): Piece[] {
    if (!this.bomChecked && this.parts.length > 0) {
      const head = Buffer.concat(this.parts);
      this.parts = [];
      this.bomChecked = true;
      return this.feed(head).concat(this.finish());
    }
    // The first array was the file's only value (or is cut off): its elements are the records.
    if (this.holding) return this.release().concat(this.finish());
    if (!this.open) return [];
    this.open = false;
    if (this.oversize) {
      this.oversized.push(this.recordLine);
      return [];
    }
    let bytes = Buffer.concat(this.parts);
    this.parts = [];
    let n = bytes.length;
    while (n > 0 && (bytes[n - 1] === 0x0d || bytes[n - 1] === 0x20 || bytes[n - 1] === 0x09 || bytes[n - 1] === 0x0a)) n--;
    bytes = bytes.subarray(0, n);
    return n === 0 ? [] : [{ bytes, line: this.recordLine }];
  }
}

/** The values of a line that holds more than one (`{"a": 1} {"a": 2}`, which read_json reads as two records). */
function splitValues(text: string): string[] {
  const cutter = new RecordCutter("multi");
  const pieces = [...cutter.feed(Buffer.from(text)), ...cutter.finish()];
  return pieces.map((p) => p.bytes.toString("utf8"));
}

/**
 * A file's events in batches of at most `size` (a record that is not JSON as an `UnreadableEvent`).
 * `schema`, the plan's source schema, says how a Parquet file's exact types are handed over (see
 * parquet-columns.ts).
 */
/**
 * How far a read is through its file on disk (compressed bytes for a compressed file), for progress:
 * JSON is read as a stream and says so as it goes; CSV and Parquet go through DuckDB and stay at 0.
 */
export class ReadPosition {
  stream: { bytesRead: number } | null = null;
  get bytes(): number {
    return this.stream?.bytesRead ?? 0;
  }
}

export async function* readEvents(file: InputFile, size: number, repeatedKeys: RepeatedKeysMode = "refuse", schema?: Schema, position?: ReadPosition): AsyncGenerator<unknown[]> {
  let compression: Compression | null;
  try {
    compression = await compressionOf(file.path);
  } catch (error) {
    // Not the codec its name says, or not readable at all (no permission, gone since it was listed).
    if (!(error instanceof FileUnreadable) && typeof (error as { code?: unknown }).code !== "string") throw error;
    yield [new UnreadableEvent(`run: ${file.path}: ${(error as Error).message}`, "")];
    return;
  }
  // A Parquet file named otherwise (`.parq`, `.pq`, no extension) is Parquet by its first bytes, as for DuckDB's `FROM 'file'`.
  const head = compression === null ? await headOf(file.path) : null;
  const parquet = file.format === "parquet" || (head !== null && startsWith(head, PARQUET_MAGIC));
  // An Avro container file is known by its first bytes too (`Obj` 1), whatever its name.
  if (!parquet && (file.format === "avro" || (head !== null && startsWith(head, AVRO_MAGIC)))) {
    yield* readAvro(file.path, compression, size, position, file.avro);
    return;
  }
  if (!parquet && (file.format === "ndjson" || file.format === "json")) {
    yield* readJson(file.path, compression, size, repeatedKeys, position);
    return;
  }
  yield* readWithDuckDB(parquet ? { ...file, format: "parquet" } : file, compression, size, schema);
}

/** Whether `file` is read as Parquet: so named, or an uncompressed file starting with Parquet's magic bytes. */
export async function isParquet(file: InputFile): Promise<boolean> {
  if (file.format === "parquet") return true;
  try {
    return (await compressionOf(file.path)) === null && startsWith(await headOf(file.path), PARQUET_MAGIC);
  } catch (error) {
    // Not readable: the read makes it a dead letter saying why.
    if (error instanceof FileUnreadable || typeof (error as { code?: unknown }).code === "string") return false;
    throw error;
  }
}

/**
 * The first value of each Parquet file that the plan's floating type would write as another number
 * (see parquet-columns.ts), as `refusal` words it; null when every value survives. One DuckDB for
 * all the files; a file DuckDB cannot read is passed over (its read makes it a dead letter).
 */
export async function parquetNarrowing(paths: readonly string[], schema: Schema, refusal: (path: string, column: NarrowedColumn, value: string, written: string | null) => string): Promise<string | null> {
  if (paths.length === 0) return null;
  const { openDuckDB } = await import("../duckdb/open.node.ts").catch((cause: unknown) => {
    throw new Error(`run: reading ${paths[0]} needs DuckDB; install @duckdb/node-api beside the bundle (npm install @duckdb/node-api)`, { cause });
  });
  const { describeQuery } = await import("../duckdb/describe.node.ts");
  const db = await openDuckDB({ threads: 1 });
  try {
    for (const path of paths) {
      const from = `read_parquet('${path.replaceAll("'", "''")}')`;
      let columns: FileColumn[];
      try {
        columns = await describeQuery(db, `SELECT * FROM ${from}`);
      } catch (error) {
        // A damaged file (DuckDB's error): readEvents makes it one dead letter with DuckDB's reason.
        if (!(error instanceof Error)) throw error;
        continue;
      }
      const named = inSchemaCase(from, columns, schema);
      for (const column of narrowedColumns(named.columns, schema)) {
        const [found] = (await db.read(narrowedValueSql(named.from, column))).getRowObjectsJS();
        if (found) return refusal(path, column, String(found.value), found.written === null ? null : String(found.written));
      }
    }
  } finally {
    db.close();
  }
  return null;
}

/** Whether `t` holds, at some depth, a type whose `to_json` text `read_json` types otherwise: a DECIMAL (a DOUBLE), a TIMESTAMP WITH TIME ZONE (text). */
function holdsTypedText(t: TypeNode): boolean {
  switch (t.kind) {
    case "decimal":
      return true;
    case "scalar":
      return t.name === "TIMESTAMP WITH TIME ZONE";
    case "list":
    case "array":
      return holdsTypedText(t.child);
    case "struct":
      return t.fields.some((f) => holdsTypedText(f.type));
    case "map":
      return holdsTypedText(t.key) || holdsTypedText(t.value);
    default:
      return false;
  }
}

/**
 * The types a Parquet sample file fixes for its source's columns, as `read_parquet` reads them: each
 * column holding a DECIMAL or a TIMESTAMP WITH TIME ZONE (at any depth), whose JSON the source's
 * inference types DOUBLE or VARCHAR (`date_trunc('hour', ts)` then read text, and the lake held
 * VARCHAR where DuckDB has TIMESTAMP WITH TIME ZONE). `unheld`: the first column of a type no
 * pipeline holds (TIMESTAMP_NS: a pipeline keeps microseconds), which the source cannot be typed as
 * the file has it; `parquetUnheldRefusal` says what to do.
 */
export function parquetKeptTypes(columns: readonly FileColumn[]): { types: Record<string, string>; unheld: FileColumn | null } {
  const types: Record<string, string> = {};
  let unheld: FileColumn | null = null;
  for (const c of columns) {
    // TIMESTAMP_MS and TIMESTAMP_S hold microseconds exactly: they travel as TIMESTAMP, as before.
    if (!heldByPipeline(c.type.replace(/\bTIMESTAMP_(MS|S)\b/g, "TIMESTAMP"))) unheld ??= c;
    else if (holdsTypedText(parseType(c.type))) types[c.name] = c.type;
  }
  return { types, unheld };
}

/** The type a pipeline holds that a column of a type it does not can be cast to in a copy of the file. */
const INSTEAD_OF: Record<string, string> = { TIMESTAMP_NS: "TIMESTAMP", "TIME WITH TIME ZONE": "TIME", TIME_NS: "TIME" };

/** Why a Parquet sample is refused: its column `column` is of a type no pipeline holds. */
export function parquetUnheldRefusal(path: string, column: FileColumn): string {
  const quoted = quoteName(column.name);
  const file = path.replaceAll("'", "''");
  const instead = INSTEAD_OF[column.type] ?? null;
  const held = instead === null ? "" : column.type === "TIMESTAMP_NS" ? `; a pipeline holds timestamps in microseconds (TIMESTAMP), as DuckDB's CAST(${quoted} AS TIMESTAMP) keeps them` : `; a pipeline holds ${instead}, as DuckDB's CAST(${quoted} AS ${instead}) makes it`;
  return (
    `column ${column.name} is ${column.type} in the Parquet file, which a pipeline does not hold${held}, so the source cannot be typed as read_parquet reads it. ` +
    (instead === null ? "" : `Cast it in a copy of the sample, COPY (SELECT * REPLACE (CAST(${quoted} AS ${instead}) AS ${quoted}) FROM '${file}') TO 'sample.parquet', and pass that: the source reads ${instead}, and a backfill of the original files reads them cast as DuckDB casts them; `) +
    `or keep its values as text: COPY (SELECT * REPLACE (CAST(${quoted} AS VARCHAR) AS ${quoted}) FROM '${file}') TO 'sample.parquet'`
  );
}

/** Lower case as DuckDB compares identifiers: ASCII letters only (`É` is not `é` to its binder). */
const foldCase = (name: string): string => name.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * `from` with each column that is a schema column's name in another case (ASCII letters, as DuckDB's
 * binder folds them) renamed to the schema's spelling, where the file has no column of that very
 * name and only one of that name folded: `SELECT id` over a file whose header says `ID` reads it.
 */
function inSchemaCase<C extends { name: string }>(from: string, columns: C[], schema: Schema): { from: string; columns: C[] } {
  const exact = new Set(columns.map((c) => c.name));
  const renames = new Map<string, string>();
  for (const field of schema) {
    if (exact.has(field.name)) continue;
    const matching = columns.filter((c) => foldCase(c.name) === foldCase(field.name));
    if (matching.length === 1) renames.set(matching[0]!.name, field.name);
  }
  if (renames.size === 0) return { from, columns };
  const list = [...renames].map(([name, to]) => `${quoteName(name)} AS ${quoteName(to)}`).join(", ");
  return { from: `(SELECT * RENAME (${list}) FROM ${from})`, columns: columns.map((c) => (renames.has(c.name) ? { ...c, name: renames.get(c.name)! } : c)) };
}

async function* readJson(path: string, compression: Compression | null, size: number, repeatedKeys: RepeatedKeysMode, position?: ReadPosition): AsyncGenerator<unknown[]> {
  const cutter = new RecordCutter();
  let batch: unknown[] = [];
  const take = (pieces: Piece[]): void => {
    for (const { bytes, line } of pieces) {
      // Each record is decoded as strict UTF-8: one that is not is a dead letter, as DuckDB refuses
      // it, where a lossy decode wrote U+FFFD into the lake. Its raw text is the bytes as Latin-1
      // (`Buffer.from(raw, "latin1")` gives them back, as the Worker and the Kafka runner keep them).
      let text: string;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        batch.push(new UnreadableEvent(`run: ${path} line ${line} is not valid UTF-8`, bytes.toString("latin1")));
        continue;
      }
      try {
        // JSON.parse where it is exact (nearly always), else the exact parser, as the Kafka runner and the Worker parse.
        batch.push(parseEventJson(text, undefined, repeatedKeys));
      } catch (error) {
        // An object with a key twice: DuckDB refuses the record, in these words. Nested too deep: said so.
        if (error instanceof DuplicateKeyError || error instanceof NestingError) {
          batch.push(new UnreadableEvent(`run: ${path} line ${line}: ${error.message.replace(/^json: /, "")}`, text));
          continue;
        }
        if (cutter.byLines) {
          // A line of several values, each of them JSON, is those records (one with a key twice a dead
          // letter); otherwise the line is one dead letter.
          const values = splitValues(text);
          let parsed: unknown[] | null = null;
          if (values.length > 1) {
            try {
              parsed = values.map((v) => {
                try {
                  return parseEventJson(v, undefined, repeatedKeys);
                } catch (inner) {
                  if (inner instanceof DuplicateKeyError) return new UnreadableEvent(`run: ${path} line ${line}: ${inner.message}`, v);
                  throw inner;
                }
              });
            } catch {
              parsed = null;
            }
          }
          if (parsed) {
            for (const p of parsed) batch.push(p);
            continue;
          }
        }
        // One bad record is a dead letter; the rest of the file still counts.
        batch.push(new UnreadableEvent(`run: ${path} line ${line} is not JSON: ${error instanceof Error ? error.message : String(error)}`, text));
      }
    }
    for (const line of cutter.oversized.splice(0)) batch.push(new UnreadableEvent(`run: ${path} line ${line}: a record longer than ${MAX_RECORD} bytes`, ""));
  };
  // A batch's worth at a time: the 16 MB of a JSON array's elements held back come out at once,
  // and parsed together they were ~125,000 events on the heap beside the batch being run.
  function* takeAll(pieces: Piece[]): Generator<unknown[]> {
    let i = 0;
    do {
      take(pieces.length <= size ? pieces : pieces.slice(i, i + size));
      i += size;
      while (batch.length >= size) yield batch.splice(0, size);
    } while (i < pieces.length);
  }
  let broken: FileUnreadable | null = null;
  try {
    for await (const chunk of utf16AsUtf8(fileBytes(path, compression, position))) {
      yield* takeAll(cutter.feed(chunk));
    }
  } catch (error) {
    if (!(error instanceof FileUnreadable)) throw error;
    broken = error;
  }
  yield* takeAll(cutter.finish());
  if (broken) batch.push(new UnreadableEvent(`run: ${path}: ${broken.message}; the records before the damage are read`, ""));
  while (batch.length > 0) yield batch.splice(0, size);
}

async function* readWithDuckDB(file: InputFile, compression: Compression | null, size: number, schema?: Schema): AsyncGenerator<unknown[]> {
  // DuckDB (a native module) is loaded only for CSV and Parquet, so the bundled runner.js starts without it.
  const { openDuckDB } = await import("../duckdb/open.node.ts").catch((cause: unknown) => {
    throw new Error(`run: reading ${file.path} needs DuckDB; install @duckdb/node-api beside the bundle (npm install @duckdb/node-api)`, { cause });
  });
  const db = await openDuckDB({ threads: 1 });
  try {
    // Freed result chunks go back to the system at 4 MB, not DuckDB's 128 MB: a CSV of 1 KB
    // records held 745 MB resident, 505 MB with this (fetches run on several threads, each
    // keeping its own freed memory up to the threshold).
    await db.run("SET allocator_flush_threshold = '4MB'");
    await db.run("SET allocator_bulk_deallocation_flush_threshold = '4MB'");
    const path = file.path.replaceAll("'", "''");
    const { describeQuery } = await import("../duckdb/describe.node.ts");
    // The codec is named outright: a gzip file whose name does not say so is read too.
    const codec = `compression = '${compression ?? "none"}'`;
    let maxLine = "";
    let dialect = "";
    let header: string[] = [];
    if (file.format === "csv") {
      const shape = await csvShape(file.path, compression);
      maxLine = `max_line_size = ${shape.maxLine}`;
      try {
        ({ options: dialect, header } = await csvDialect(file.path, compression, shape.singleThreaded));
      } catch (error) {
        if (!(error instanceof FileUnreadable)) throw error;
        yield [new UnreadableEvent(`run: ${file.path}: ${error.message}`, "")];
        return;
      }
    }
    let from = file.format === "csv" ? `read_csv('${path}', ${dialect}, ${codec}, ${maxLine})` : `read_parquet('${path}')`;
    let columns: { name: string; type: string }[];
    try {
      columns = await describeQuery(db, `SELECT * FROM ${from}`);
    } catch (error) {
      // A file DuckDB cannot read with that dialect (a quote left open, `\"` escapes) is read as its
      // own sniffer reads it, as before.
      // A record past max_line_size stops the sniffer as well: no second try.
      if (file.format !== "csv" || /Maximum line size/.test(String(error))) {
        yield [new UnreadableEvent(`run: ${file.path} is not read: ${duckdbReason(error)}`, "")];
        return;
      }
      const encoding = dialect.includes("utf-16") ? ", encoding = 'utf-16'" : "";
      from = `read_csv('${path}', all_varchar = true, header = true, ${codec}, ${maxLine}${encoding})`;
      let sniffed: { name: string; type: string }[] | null = null;
      try {
        sniffed = await describeQuery(db, `SELECT * FROM ${from}`);
      } catch (sniffError) {
        if (/Maximum line size/.test(String(sniffError))) {
          // A record past max_line_size in its first rows: the file is one dead letter, the run goes on.
          yield [new UnreadableEvent(`run: ${file.path} is not read: ${duckdbReason(error)}`, "")];
          return;
        }
      }
      if (sniffed !== null && sameNames(sniffed, header)) columns = sniffed;
      else {
        // The sniffer found other columns than the header line has (a file cut off inside a quoted
        // field reads as one column named `id,name`, and every row was written with its columns
        // NULL, no dead letter), or none: the header's columns are pinned and nothing is sniffed,
        // so each record is read with the dialect and one DuckDB refuses (the one cut off) is a
        // dead letter with its line.
        const pinned = header.map((name) => `'${name.replaceAll("'", "''")}': 'VARCHAR'`).join(", ");
        from = `read_csv('${path}', ${dialect.replace("all_varchar = true", "auto_detect = false")}, columns = {${pinned}}, ${codec}, ${maxLine})`;
        try {
          columns = await describeQuery(db, `SELECT * FROM ${from}`);
        } catch {
          yield [new UnreadableEvent(`run: ${file.path} is not read: ${duckdbReason(error)}`, "")];
          return;
        }
      }
    }
    // A column named as the source's but in another case (an export's `ID;User_Id` header, a Parquet
    // file's `UserId`) is the source's column, as the cell's SQL binds it over read_csv/read_parquet;
    // the event kept DuckDB's name and every such column was written NULL, no dead letter.
    if (schema !== undefined) ({ from, columns } = inSchemaCase(from, columns, schema));
    // A DECIMAL the plan reads as text or as a DECIMAL travels as its exact text: to_json prints it as a
    // number, which the event parser reads as a double (digits past the 16th and the scale's zeros lost).
    const exact = file.format === "parquet" && schema !== undefined ? decimalsInTransport(columns, schema) : [];
    if (exact.length > 0) from = `(SELECT * REPLACE (${exact.map((c) => `CAST(${quoteName(c.name)} AS ${c.type}) AS ${quoteName(c.name)}`).join(", ")}) FROM ${from})`;
    // A TIMESTAMP or TIME on a whole second travels with a fraction (`10:00:00.000`): to_json leaves it off, and
    // read_json types a column VARCHAR where one value has no fraction and others do, so a Parquet file's
    // TIMESTAMP column (INT96, or milliseconds with one value on the second) was text to the sample and the plan.
    const times = file.format === "parquet" ? columns.filter((c) => TIMES.has(c.type) && !readAsText(schema, c.name)) : [];
    if (times.length > 0) from = `(SELECT * REPLACE (${times.map((c) => `${withFraction(quoteName(c.name))} AS ${quoteName(c.name)}`).join(", ")}) FROM ${from})`;
    // The row's alias must not be a column's name: `to_json(t)` of a file with a column `t` is that
    // column's value (DuckDB binds a column before a table), and every row was a dead letter.
    const taken = new Set(columns.map((c) => c.name.toLowerCase()));
    let alias = "t";
    while (taken.has(alias)) alias += "_";
    let batch: unknown[] = [];
    try {
      const result = await db.connection.stream(`SELECT to_json(${alias})::VARCHAR AS event FROM ${from} AS ${alias}`);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const [text] of chunk.getRows()) {
          try {
            batch.push(parseEventJson(String(text)));
          } catch (error) {
            // A row our parser cannot take (DuckDB wrote it): that row is a dead letter, not the rest of the file.
            batch.push(new UnreadableEvent(`run: ${file.path}: a row is not read: ${error instanceof Error ? error.message : String(error)}`, String(text)));
          }
          if (batch.length >= size) {
            yield batch;
            batch = [];
          }
        }
      }
    } catch (error) {
      // DuckDB gave up inside the file (a record longer than max_line_size, a damaged gzip member):
      // the rows before are written and the rest of the file is one dead letter saying why, where
      // the whole run stopped and printed the record.
      batch.push(new UnreadableEvent(`run: ${file.path}: DuckDB stopped reading the file here, the rest of it is not read: ${duckdbReason(error)}`, ""));
    }
    if (from.includes("store_rejects")) {
      // A record DuckDB would not read with the dialect pinned (too few or too many fields, a quote
      // left open) is a dead letter with its line, as the Worker's and the gateway's parsers make it.
      // One per record: DuckDB notes a short record once for each missing field ("Found: 2", "Found:
      // 3", …), and each was a dead letter of its own, so a replay ran the record that many times.
      // Read a batch at a time and handed on in batches: all of them at once (an export whose free
      // text has unquoted commas refuses every other record) was one batch of 200,000 letters, which
      // overflowed the call stack where it was added, and held them all on the heap.
      const rejects = await db.connection.stream(
        "SELECT line, arg_min(line_byte_position, column_idx) AS at, arg_min(error_type, column_idx) AS error_type, arg_min(csv_line, column_idx) AS csv_line, arg_min(error_message, column_idx) AS error_message FROM reject_errors GROUP BY line ORDER BY line",
      );
      // DuckDB's `line` counts records (a quoted line break does not count), so it named a record
      // lines above the one refused; its byte position finds the line an editor shows, in one pass
      // over the file for all the pages. A UTF-16 file's positions are not the text's: DuckDB's count is kept there.
      const finder = dialect.includes("utf-16") ? null : new RecordPlaces(file.path, compression);
      try {
        let page: { line: unknown; at: number; errorType: unknown; csvLine: string; message: unknown }[] = [];
        const letters = async (): Promise<void> => {
          const places = finder === null || page.length === 0 ? null : await finder.find(page.map((r) => ({ at: r.at, lines: r.csvLine.split("\n").length, bytes: r.errorType === "INVALID ENCODING" })));
          page.forEach((r, i) => {
            const place = places?.[i];
            // A record that is not UTF-8: its bytes as Latin-1 text (`Buffer.from(raw, "latin1")` gives them back, as the
            // Worker and the Kafka runner keep them), where DuckDB's copy had `?` for each byte it could not read.
            batch.push(new UnreadableEvent(`run: ${file.path} line ${place?.line ?? r.line}: ${r.message}`, place?.raw ?? r.csvLine));
          });
          page = [];
        };
        for (;;) {
          const chunk = await rejects.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          for (const [line, at, errorType, csvLine, message] of chunk.getRows()) {
            page.push({ line, at: Number(at), errorType, csvLine: String(csvLine ?? "").replace(/^[\r\n]+/, ""), message });
          }
          if (page.length >= size) {
            await letters();
            while (batch.length >= size) yield batch.splice(0, size);
          }
        }
        await letters();
      } finally {
        await finder?.close();
      }
      while (batch.length > size) yield batch.splice(0, size);
    }
    if (batch.length > 0) yield batch;
  } finally {
    db.close();
  }
}

interface Place {
  line: number;
  raw?: string;
}

/**
 * For each record DuckDB refused, the line it starts on as an editor counts lines (LF, CRLF or CR
 * ends; quoted line breaks too), and where `bytes` is asked, its `lines` lines' bytes as Latin-1
 * text. DuckDB's `line_byte_position` (in the decompressed bytes) is one past the record's first
 * byte in an LF file and the first byte itself after a CRLF: the record is on the line holding the
 * byte before it, or on the next line where that byte ends a line. Records come a page at a time
 * (`find`), each page after the one before in the file: one pass over the file, to the last record
 * only, where a page before the bytes already read starts the pass again.
 */
class RecordPlaces {
  private bytes!: AsyncGenerator<Buffer>;
  private pending: Buffer | null = null; // bytes of a chunk not read yet: the next page starts in it
  private ended = false;
  private offset = 0;
  private line = 1;
  private prev = -1;
  private current: number[] = []; // the bytes of the line being read, up to MAX_RAW

  constructor(
    private readonly path: string,
    private readonly compression: Compression | null,
  ) {
    this.restart();
  }

  private restart(): void {
    void this.bytes?.return(undefined);
    this.bytes = fileBytes(this.path, this.compression);
    this.pending = null;
    this.ended = false;
    this.offset = 0;
    this.line = 1;
    this.prev = -1;
    this.current = [];
  }

  async close(): Promise<void> {
    await this.bytes.return(undefined);
  }

  async find(records: { at: number; lines: number; bytes: boolean }[]): Promise<(Place | undefined)[]> {
    const order = records.map((_, i) => i).sort((a, b) => records[a]!.at - records[b]!.at);
    const places: (Place | undefined)[] = records.map(() => undefined);
    if (records.length === 0) return places;
    if (records[order[0]!]!.at - 1 < this.offset) {
      await this.close();
      this.restart();
    }
    let next = 0; // index into order
    let copying: { index: number; parts: number[]; left: number }[] = [];
    let waiting: number[] = []; // records that start on the next line
    const start = (index: number, line: number, parts: number[]): void => {
      places[index] = { line };
      if (records[index]!.bytes) copying.push({ index, parts, left: records[index]!.lines });
    };
    const lineEnds = (): void => {
      this.line++;
      this.current = [];
      copying = copying.filter((c) => {
        if (--c.left > 0) return true;
        places[c.index]!.raw = Buffer.from(c.parts).toString("latin1");
        return false;
      });
      for (const index of waiting) start(index, this.line, []);
      waiting = [];
    };
    const done = (): boolean => next === order.length && waiting.length === 0 && copying.length === 0;
    while (!done()) {
      let chunk = this.pending;
      this.pending = null;
      if (chunk === null) {
        if (this.ended) break;
        let got: IteratorResult<Buffer>;
        try {
          got = await this.bytes.next();
        } catch (error) {
          if (!(error instanceof FileUnreadable)) throw error;
          this.ended = true;
          break;
        }
        if (got.done) {
          this.ended = true;
          break;
        }
        chunk = got.value;
      }
      const last = this.offset + chunk.length - 1;
      if (copying.length === 0 && waiting.length === 0 && this.prev !== 0x0d && records[order[next]!]!.at - 1 > last && chunk.indexOf(0x0d) < 0) {
        // No refused record in this chunk: only its line ends are counted.
        let at = chunk.indexOf(0x0a);
        let after = 0;
        while (at >= 0) {
          this.line++;
          after = at + 1;
          at = chunk.indexOf(0x0a, after);
        }
        const current = this.current;
        this.current = after > 0 ? [...chunk.subarray(after, after + MAX_RAW)] : current.length < MAX_RAW ? current.concat([...chunk.subarray(0, MAX_RAW - current.length)]) : current;
        this.offset += chunk.length;
        this.prev = chunk[chunk.length - 1] ?? this.prev;
        continue;
      }
      for (let k = 0; k < chunk.length; k++) {
        const b = chunk[k]!;
        // A bare CR ended a line (the byte after it is not LF).
        if (this.prev === 0x0d && b !== 0x0a) lineEnds();
        const newline = b === 0x0a || b === 0x0d;
        while (next < order.length && records[order[next]!]!.at - 1 <= this.offset) {
          const index = order[next++]!;
          if (newline) waiting.push(index);
          else start(index, this.line, [...this.current]);
        }
        if (!newline) {
          if (this.current.length < MAX_RAW) this.current.push(b);
          for (const c of copying) if (c.parts.length < MAX_RAW) c.parts.push(b);
        } else if (b === 0x0a) lineEnds();
        else for (const c of copying) if (c.left > 1 && c.parts.length < MAX_RAW) c.parts.push(b); // a CR inside a quoted field, kept
        this.prev = b;
        this.offset++;
        if (done()) {
          // The page is placed: the rest of the chunk is where the next page starts reading.
          if (k + 1 < chunk.length) this.pending = chunk.subarray(k + 1);
          break;
        }
      }
    }
    for (const c of copying) places[c.index]!.raw = Buffer.from(c.parts).toString("latin1");
    return places;
  }
}

/** Bytes of a refused record kept as its dead letter's raw text. */
const MAX_RAW = 1 << 20;

/**
 * What one streamed pass over a CSV file finds. `maxLine`, the longest CSV record read: the file's
 * longest record (`scanRecords`), at least DuckDB's 2 MB and at most 512 MiB. DuckDB's default
 * `max_line_size` stopped the whole run at one long record (a JSON blob in a field); the Worker and
 * the Kafka runner read such a record, so the backfill does too. It was the file's size, and DuckDB
 * sizes its read buffer by it: a 264 MB CSV was held whole (500 MB resident from its first rows)
 * and a 1 GB one took 1.3 GB. A compressed file: 8 MiB, as DuckDB allocates 16 times this for its
 * buffers. `singleThreaded`: the scanner `csvDialect` picks, single-threaded unless the file ends
 * inside a quoted field (cut off) or is past SINGLE_THREADED_MAX; a compressed file is decompressed
 * once more for it.
 */
async function csvShape(path: string, compression: Compression | null): Promise<{ maxLine: number; singleThreaded: boolean }> {
  if (compression !== null) {
    const { quoted, total } = await scanRecords(fileBytes(path, compression));
    return { maxLine: 8 * 1024 * 1024, singleThreaded: !quoted && total <= SINGLE_THREADED_MAX };
  }
  const { longest, quoted, total } = await scanRecords(createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>);
  return { maxLine: Math.min(Math.max(longest + 1024, 2_097_152), 512 * 1024 * 1024), singleThreaded: !quoted && total <= SINGLE_THREADED_MAX };
}

/**
 * The largest CSV (its decompressed bytes) read with DuckDB's single-threaded scanner (see
 * `csvDialect`). That scanner's memory grows with the file: a 300 MB export peaked at 955 MB, where
 * the parallel one stays at ~470 MB (`tests/runner/backfill-memory.test.ts`), so a larger file is
 * read by the parallel scanner, whose early stop after a refused record is then still possible.
 */
const SINGLE_THREADED_MAX = 256 * 1024 * 1024;

/**
 * The bytes of a CSV file's longest record, and whether it ends inside quotes, in one streamed
 * pass: records end at LF outside `"` quotes (a quoted line break is inside the record, as DuckDB
 * counts its limit; `""` closes and opens again). A quote left open runs to the end of the file.
 * A compressed stream that breaks off is read to the break.
 */
async function scanRecords(bytes: AsyncIterable<Buffer>): Promise<{ longest: number; quoted: boolean; total: number }> {
  let longest = 0;
  let total = 0;
  let current = 0; // bytes of the record being read, before this chunk
  let quoted = false;
  try {
    for await (const chunk of bytes) {
      let start = 0; // where the record being read starts in this chunk
      let i = 0;
      // The next quote and line feed at or after i, found once each and again only when passed.
      let quote = chunk.indexOf(0x22);
      let newline = chunk.indexOf(0x0a);
      while (i < chunk.length) {
        if (quoted) {
          if (quote < 0) break;
          i = quote + 1;
          quoted = false;
          quote = chunk.indexOf(0x22, i);
          if (newline >= 0 && newline < i) newline = chunk.indexOf(0x0a, i);
        } else if (quote >= 0 && (newline < 0 || quote < newline)) {
          i = quote + 1;
          quoted = true;
          quote = chunk.indexOf(0x22, i);
        } else if (newline >= 0) {
          longest = Math.max(longest, current + newline - start);
          current = 0;
          start = i = newline + 1;
          newline = chunk.indexOf(0x0a, i);
        } else break;
      }
      current += chunk.length - start;
      total += chunk.length;
    }
  } catch (error) {
    // DuckDB says what is wrong with the stream when it reads it.
    if (!(error instanceof FileUnreadable)) throw error;
  }
  return { longest: Math.max(longest, current), quoted, total };
}

/** The first lines of a DuckDB error, without the record it quotes (which can be megabytes). */
function duckdbReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^(Original Line:|Possible Solution:| )/.test(line))
    .slice(0, 3)
    .join(" ")
    .replace(/^duckdb: /, "")
    .replace(/ \(line \d+, column \d+\)/, "");
}

/**
 * read_csv's options for an input file, its dialect pinned as the Worker and the gateway read a
 * CSV body (RFC 4180 quotes, a header line, the delimiter sniffed from it by `csvDelimiter`), and
 * fields as text. Left to DuckDB's sniffer, a file with one ragged record was read as a single
 * column named `id,v,s`, and every row was written with all its columns NULL; now such a
 * record is a dead letter (`store_rejects`) and the others are read. The header is read from the
 * decompressed bytes of a compressed file.
 */
async function csvDialect(path: string, compression: Compression | null, singleThreaded: boolean): Promise<{ options: string; header: string[] }> {
  const parts: Buffer[] = [];
  let got = 0;
  const bytes = fileBytes(path, compression);
  try {
    for await (const chunk of bytes) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= 1 << 20) break;
    }
  } catch (error) {
    if (!(error instanceof FileUnreadable)) throw error;
  } finally {
    await bytes.return(undefined);
  }
  const bytes0 = Buffer.concat(parts).subarray(0, 1 << 20);
  // A UTF-16 export (Excel's "Unicode text", PowerShell) is read as read_csv reads it when told.
  if (bytes0[0] === 0xfe && bytes0[1] === 0xff) throw new FileUnreadable("UTF-16 big-endian text is not read (DuckDB's read_csv reads UTF-16 little-endian only); convert it to UTF-8");
  const utf16 = bytes0[0] === 0xff && bytes0[1] === 0xfe;
  const head = new TextDecoder(utf16 ? "utf-16le" : "utf-8").decode(bytes0).replace(/^\uFEFF/, "");
  const delimiter = csvDelimiter(head);
  return {
    // parallel = false: DuckDB 1.4.3's parallel scanner (used on one thread too) with store_rejects
    // stops without a word where a record it reads across one of its 32 MiB buffers is followed by
    // one it refuses: the rest of the file was neither rows nor dead letters (a 35 MB export, every
    // other record ragged, lost 3 % of its records; a 110 MB one at 64 MiB buffers, 39 %). The
    // single-threaded scanner reads the same rows, rejects and byte positions to the end, but drops a
    // record cut off inside quotes at the end of the file without a reject: such a file is read as before,
    // and so is a file past SINGLE_THREADED_MAX.
    options: `all_varchar = true, header = true, delim = '${delimiter.replaceAll("'", "''")}', quote = '"', escape = '"', comment = '', store_rejects = true${singleThreaded ? ", parallel = false" : ""}${utf16 ? ", encoding = 'utf-16'" : ""}`,
    header: csvHeaderNames(csvHeaderFields(head, delimiter)),
  };
}

/** Whether DuckDB's columns are the header line's (as `csvHeaderNames` names them), in order. */
function sameNames(columns: readonly { name: string }[], header: readonly string[]): boolean {
  return columns.length === header.length && columns.every((c, i) => c.name === header[i]);
}

/** DuckDB's types of a Parquet time column whose whole-second values `to_json` writes without a fraction. */
const TIMES = new Set(["TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "TIME"]);

/** Whether the plan reads column `name` as text: its values then keep DuckDB's own text for them. */
function readAsText(schema: Schema | undefined, name: string): boolean {
  const type = schema?.find((f) => foldCase(f.name) === foldCase(name))?.type;
  return type === "VARCHAR" || type === "JSON";
}

/** A time value's text with a fraction where it has none (`2024-01-02 10:00:00.000`); infinity and NULL as they are. */
function withFraction(column: string): string {
  const text = `CAST(${column} AS VARCHAR)`;
  return `CASE WHEN regexp_matches(${text}, ':[0-9][0-9]$') THEN ${text} || '.000' ELSE ${text} END`;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const AVRO_MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // `Obj` 1

/** The compressed bytes of one Avro block, and what it inflates to, beyond which the block is a dead letter (a damaged size, a bomb). */
const MAX_AVRO_BLOCK = MAX_RECORD;

/** Records one block may declare beyond its bytes (records that take none): more is a damaged count. */
const MAX_EMPTY_RECORDS = 1 << 20;

/** A file's bytes read a piece at a time, kept whole between `fill`s (one copy per fill, not per chunk). */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private base = 0; // the file offset of buf[0]
  private ended = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Where the reader is in the (decompressed) file. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Whether `n` bytes are there to read (false: the file ends sooner). */
  async fill(n: number): Promise<boolean> {
    if (this.available >= n) return true;
    const parts: Buffer[] = [this.buf.subarray(this.pos)];
    let have = this.available;
    while (have < n && !this.ended) {
      const got = await this.source.next();
      if (got.done) this.ended = true;
      else {
        parts.push(got.value);
        have += got.value.length;
      }
    }
    // Nothing came (the file has ended): the bytes held stay, so `rewind` can still go back into them.
    if (parts.length === 1) return false;
    this.base += this.pos;
    this.buf = Buffer.concat(parts);
    this.pos = 0;
    return have >= n;
  }

  /** An Avro long (zig-zag varint); null where the file ends inside it, NaN past 2^53 or longer than a long. */
  async long(): Promise<number | null> {
    await this.fill(10);
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) return null;
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return n > Number.MAX_SAFE_INTEGER ? NaN : n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    return NaN;
  }

  /** The next `n` bytes (fewer where the file ends sooner). */
  async take(n: number): Promise<Buffer> {
    await this.fill(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += out.length;
    return out;
  }

  /** Back to `offset`, read since the last `fill` (or at the bytes it kept). */
  rewind(offset: number): void {
    if (offset < this.base) throw new Error(`avro: cannot go back to byte ${offset}`);
    this.pos = offset - this.base;
  }

  /** Past the next `marker`: true, or false where the file ends first. */
  async skipPast(marker: Buffer): Promise<boolean> {
    for (;;) {
      const at = this.buf.indexOf(marker, this.pos);
      if (at >= 0) {
        this.pos = at + marker.length;
        return true;
      }
      // The marker can start in the last bytes held: they are kept for the next look.
      this.pos = Math.max(this.pos, this.buf.length - marker.length + 1);
      if (!(await this.fill(this.available + 1))) return false;
    }
  }
}

/** Why an Avro file's header cannot be read: the whole file is one dead letter. */
class AvroHeaderError extends Error {}

/** The header of an Avro Object Container File: its metadata and sync marker, after the magic bytes. */
async function avroHeader(bytes: ByteReader): Promise<{ meta: Map<string, Buffer>; sync: Buffer }> {
  const magic = await bytes.take(4);
  if (magic.length < 4 || !startsWith(magic, AVRO_MAGIC)) {
    throw new AvroHeaderError(`is not an Avro Object Container File (it does not start with the bytes "Obj" 1${magic.length === 0 ? "; it is empty" : ""}); a file of bare Avro values, or of Schema Registry-framed ones, is not read`);
  }
  const meta = new Map<string, Buffer>();
  const cut = (): never => {
    throw new AvroHeaderError(`is an Avro file cut off inside its header, at byte ${bytes.offset}`);
  };
  const sized = async (what: string): Promise<Buffer> => {
    const n = await bytes.long();
    if (n === null) return cut();
    if (!(n >= 0 && n <= MAX_AVRO_BLOCK)) throw new AvroHeaderError(`has a damaged Avro header: ${what} at byte ${bytes.offset} declares ${n} bytes`);
    const got = await bytes.take(n);
    return got.length < n ? cut() : got;
  };
  for (;;) {
    let n = await bytes.long();
    if (n === null) return cut();
    if (Number.isNaN(n)) throw new AvroHeaderError(`has a damaged Avro header: its metadata count at byte ${bytes.offset} is not a number`);
    if (n === 0) break;
    if (n < 0) {
      n = -n;
      if ((await bytes.long()) === null) return cut();
    }
    for (let i = 0; i < n; i++) {
      const key = (await sized("a metadata key")).toString("utf8");
      meta.set(key, Buffer.from(await sized(`metadata ${key}`)));
    }
  }
  const sync = Buffer.from(await bytes.take(16));
  if (sync.length < 16) return cut();
  return { meta, sync };
}

/** The codecs of Avro's spec that are read; their decompression of one block's bytes (throws saying why not). */
const AVRO_CODECS: Record<string, (data: Buffer) => Buffer> = {
  null: (data) => data,
  deflate: (data) => zlib.inflateRawSync(data, { maxOutputLength: MAX_AVRO_BLOCK }),
  snappy: (data) => {
    if (data.length < 4) throw new Error("it is shorter than its CRC-32");
    const block = snappyRawDecode(data.subarray(0, data.length - 4), MAX_AVRO_BLOCK, (declared) => new Error(`it declares ${declared} bytes, past ${MAX_AVRO_BLOCK}`));
    const out = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    const crc = data.readUInt32BE(data.length - 4);
    if (zlib.crc32(out) !== crc) throw new Error("its CRC-32 does not match its bytes");
    return out;
  },
  // Bounded as deflate is: fzstd's one-shot call gave a block the buffer its frame header declared (2 GB from 13 bytes).
  zstandard: (data) => {
    const out = zstdDecodeWithin(data, MAX_AVRO_BLOCK, () => new Error(`it decompresses to more than ${MAX_AVRO_BLOCK} bytes`));
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  },
};

/** A schema's avsc type for reading `count` values written one after another: an array of them, framed as Avro frames one block of an array. */
function avroReaders(schema: unknown, path: string): { one: AvroReader; many: AvroReader; arrays: boolean } {
  const one = avroType(schema);
  const many = avroType({ type: "array", items: schema });
  const name = one.name ?? one.typeName;
  const base = { schemaId: null, framing: "none" as const, source: "", file: path };
  return { one: { ...base, type: one, name }, many: { ...base, type: many, name }, arrays: one.typeName === "array" };
}

/**
 * `files` of a source, its Avro files to be read in the shape of its reader schema when it names one
 * (`avro.schema` of a Kafka source: `runnel run --input`, a `--sample` file); the files as they are otherwise.
 */
export function withReaderSchema(files: InputFile[], spec: SourceSpec | undefined, source: string): InputFile[] {
  const avro = spec?.kind === "kafka" ? sourceReaderSchema(spec.avro, source) : null;
  return avro === null ? files : files.map((file) => ({ ...file, avro }));
}

/** Why an Avro file's schema does not resolve into the source's reader schema: the file is one dead letter. */
class AvroResolveError extends Error {}

/**
 * `avroReaders` of a file's schema resolved into the source's reader schema (`avro.schema`): its records
 * read as the reader's shape (`resolveInto`). Throws `AvroResolveError` saying why not.
 */
function resolvedReaders(readers: ReturnType<typeof avroReaders>, into: ReaderSchema): ReturnType<typeof avroReaders> {
  const one = resolveInto(into, readers.one.type);
  const many = typeof one === "string" ? one : resolveInto(readerArray(into), readers.many.type);
  if (typeof one === "string" || typeof many === "string") {
    const why = typeof one === "string" ? one : (many as string);
    throw new AvroResolveError(`is an Avro file whose schema (${readers.one.name}) cannot be read as the reader schema ${into.file} (sources.${into.source}.avro.schema): ${why}; its records are not read`);
  }
  return {
    one: { ...readers.one, into: { type: into.type, resolver: one } },
    many: { ...readers.many, into: { type: readerArray(into).type, resolver: many } },
    arrays: into.type.typeName === "array",
  };
}

/** An Avro long's bytes (zig-zag varint). */
export function avroLong(n: number): Buffer {
  const out: number[] = [];
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 128) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}

/**
 * An Avro Object Container File's records as events, each value turned into JSON as a Kafka
 * message value of the file's schema is (`decodeAvroValue`): one event per record (per element of
 * a record that is an array). The schema is the file's own (its header's), so files written with
 * different schemas are each read with theirs. Codecs `null`, `deflate`, `snappy` and `zstandard`
 * (Avro's names); a file of another (bzip2, xz) is one dead letter saying so. A block that does not
 * read (damaged bytes, a sync marker that is not the file's, a record that does not decode) is a
 * dead letter naming the file, the block and its byte; its records before the damage are read, and
 * the file is read on from the next block (the next sync marker).
 */
async function* readAvro(path: string, compression: Compression | null, size: number, position?: ReadPosition, into?: ReaderSchema): AsyncGenerator<unknown[]> {
  const stream = fileBytes(path, compression, position);
  const bytes = new ByteReader(stream[Symbol.asyncIterator]());
  let batch: unknown[] = [];
  const letter = (reason: string, raw = ""): void => void batch.push(new UnreadableEvent(`run: ${path}${reason}`, raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw));
  try {
    let readers: ReturnType<typeof avroReaders>;
    let inflate: (data: Buffer) => Buffer;
    let sync: Buffer;
    try {
      const header = await avroHeader(bytes);
      sync = header.sync;
      const codec = header.meta.get("avro.codec")?.toString("utf8") || "null";
      const codecOf = AVRO_CODECS[codec];
      if (codecOf === undefined || !Object.hasOwn(AVRO_CODECS, codec)) throw new AvroHeaderError(`is an Avro file compressed with ${JSON.stringify(codec)}, which is not read (null, deflate, snappy and zstandard are); rewrite it with one of those`);
      inflate = codecOf;
      const text = header.meta.get("avro.schema");
      if (text === undefined) throw new AvroHeaderError("is an Avro file without a schema in its header (avro.schema)");
      let schema: unknown;
      try {
        schema = JSON.parse(text.toString("utf8"));
      } catch (error) {
        throw new AvroHeaderError(`is an Avro file whose header's schema is not JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      try {
        readers = avroReaders(schema, path);
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        throw new AvroHeaderError(`is an Avro file whose header's schema is not an Avro schema: ${error.message}`);
      }
      if (into !== undefined) readers = resolvedReaders(readers, into);
    } catch (error) {
      if (!(error instanceof AvroHeaderError) && !(error instanceof AvroResolveError)) throw error;
      letter(`: ${error.message}`);
      yield batch;
      return;
    }
    const take = (value: unknown): void => {
      if (readers.arrays && Array.isArray(value)) for (const v of value) batch.push(v);
      else batch.push(value);
    };
    let block = 0;
    for (;;) {
      // Every full batch a block made: a block of more records than a batch held all but one of them back, block after block.
      while (batch.length >= size) yield batch.splice(0, size);
      if (!(await bytes.fill(1))) break;
      block++;
      const start = bytes.offset;
      const count = await bytes.long();
      const length = count === null ? null : await bytes.long();
      const named = `: Avro block ${block} (at byte ${start})`;
      if (count === null || length === null) {
        letter(`${named} is cut off: the file ends inside its count and size`);
        break;
      }
      const dataStart = bytes.offset;
      // More records than bytes only where records take no bytes (a record of nulls), and not past a bound then.
      if (!(count >= 0 && length! >= 0 && length! <= MAX_AVRO_BLOCK && (count <= length! || count <= MAX_EMPTY_RECORDS))) {
        const said = Number.isNaN(count) || Number.isNaN(length) ? "a count or size that is not a number" : `${records(count)} in ${length} bytes`;
        letter(`${named} is damaged: it declares ${said}; the file is read on from the next sync marker`);
        bytes.rewind(dataStart);
        if (!(await bytes.skipPast(sync))) break;
        continue;
      }
      // The block and the sync marker after it are held together: a marker read by a later fill (one that
      // crossed a read chunk's end) dropped the block's bytes, and a wrong marker could not go back to them
      // ("cannot go back to byte …": the run stopped on a damaged file instead of lettering the block).
      await bytes.fill(length! + 16);
      const data = await bytes.take(length!);
      if (data.length < length!) {
        // A cut download: the records before the cut are read where the block is not compressed.
        const read = inflate === AVRO_CODECS.null ? decodeAvroRecords(data, count, readers, take, () => {}) : { records: 0, why: "" };
        letter(`${named} is cut off: it declares ${length} bytes and the file ends ${data.length} bytes into it; ${read.records === 0 ? `its ${records(count)} ${count === 1 ? "is" : "are"}` : `${count - read.records} of its ${records(count)} are`} not read`);
        break;
      }
      const marker = await bytes.take(16);
      if (!marker.equals(sync)) {
        letter(`${named} is damaged: the ${marker.length < 16 ? "file ends where its sync marker should be" : "sync marker after it is not the file's (its count or size is wrong)"}; the file is read on from the next sync marker`);
        bytes.rewind(dataStart);
        if (!(await bytes.skipPast(sync))) break;
        continue;
      }
      let plain: Buffer;
      try {
        plain = inflate(data);
      } catch (error) {
        letter(`${named} does not decompress: ${error instanceof Error ? error.message : String(error)}; its ${records(count)} ${count === 1 ? "is" : "are"} not read`, data.toString("latin1"));
        continue;
      }
      if (count === 0) continue;
      const read = decodeAvroRecords(plain, count, readers, take, (record, why, raw) => letter(`${named}, record ${record} of ${count}: ${why}`, raw));
      if (read.why !== "") letter(`${named}, record ${read.records + 1} of ${count}: ${read.why}`, read.raw ?? "");
    }
  } catch (error) {
    // A compressed file (`.avro.gz`) that breaks off: its records before the break are read.
    if (!(error instanceof FileUnreadable)) throw error;
    batch.push(new UnreadableEvent(`run: ${path}: ${error.message}; the records before the damage are read`, ""));
  } finally {
    await stream.return(undefined);
  }
  while (batch.length > 0) yield batch.splice(0, size);
}

/**
 * The `count` records of one block's bytes, each `take`n as its JSON value. Read as one Avro array
 * (fast); where that fails, record by record, each as a Kafka message value, to say which record
 * breaks: the records before it are taken, it and the rest of the block are not (`why`). A record
 * the JSON mapping refuses (nested too deep) is its own dead letter, and the block reads on.
 */
function decodeAvroRecords(
  plain: Buffer,
  count: number,
  readers: ReturnType<typeof avroReaders>,
  take: (value: unknown) => void,
  refused: (record: number, why: string, raw: string) => void,
): { records: number; why: string; raw?: string } {
  const whole = decodeAvroValue(Buffer.concat([avroLong(count), plain, ZERO]), readers.many, 0);
  if (whole.every((e) => e.ok) && whole.length === count) {
    for (const e of whole) take((e as { value: unknown }).value);
    return { records: count, why: "" };
  }
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let end = -1;
    try {
      end = readers.one.type.decode(plain, pos).offset;
    } catch {
      end = -1;
    }
    // The record decoded as one value from here to its end; otherwise its reason in the Kafka path's words.
    const events = decodeAvroValue(plain.subarray(pos, end < 0 ? plain.length : end), readers.one, 0);
    if (end < 0) {
      const failed = events.find((e) => !e.ok) as { error: string } | undefined;
      const rest = count - i - 1;
      return { records: i, why: `${(failed?.error ?? "it does not decode").replace(/^decode: /, "")}${rest === 0 ? "" : `; the block's other ${records(rest)} after it ${rest === 1 ? "is" : "are"} not read`}`, raw: plain.subarray(pos).toString("latin1") };
    }
    for (const e of events) {
      if (e.ok) take(e.value);
      else refused(i + 1, e.error.replace(/^decode: /, ""), e.raw);
    }
    pos = end;
  }
  if (pos !== plain.length) return { records: count, why: `${plain.length - pos} bytes follow the block's ${records(count)} (its count is wrong, or its bytes are damaged)`, raw: plain.subarray(pos).toString("latin1") };
  return { records: count, why: "" };
}

const ZERO = Buffer.from([0]);

const records = (n: number): string => counted(n, "record");

import { randomUUID } from "node:crypto";
import { closeSync, openSync, unlink, writeSync, writevSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** One webhook delivery as kept: the raw body and the headers that matter. */
export interface Delivery {
  id: string;
  receivedAt: number;
  /** Lower-case header names: the delivery id, event type, content type. */
  headers: Record<string, string>;
  /** The body exactly as received, or decompressed when it was sent gzip- or deflate-compressed (what the Worker reads). */
  body: Uint8Array;
}

/**
 * A delivery as one JSON line: how `readDeliveryLines` shows a log, and how
 * logs written before the binary format held them (`.ndjson` segments).
 */
export interface DeliveryLine {
  id: string;
  receivedAt: number;
  headers: Record<string, string>;
  encoding: "utf8" | "base64";
  body: string;
}

/**
 * The last `keep` deliveries of one webhook source, in memory and on disk, so
 * a sample survives a restart. The folder holds segments of `keep` deliveries
 * each (`000001.bin`, ...): appends go to the newest; when it is full a new
 * one starts and all but the two newest are deleted, so the disk holds
 * between `keep` and `3 × keep` deliveries and nothing is ever rewritten.
 *
 * A segment is a sequence of records, each
 *
 *   u32 LE  length of the meta JSON    u32 LE  length of the body
 *   meta    UTF-8 JSON {id, receivedAt, headers}
 *   body    the bytes as received
 *
 * so a body is written as it came (no base64, no JSON escaping) and a torn
 * last record (a crash mid-write) is recognised by its lengths. Segments of
 * the older NDJSON format (`000001.ndjson`, one {@link DeliveryLine} per
 * line) are still read at start; new deliveries always go to a binary segment.
 *
 * Appends are group committed: the deliveries of one event-loop turn go out in
 * one `write(2)` at the end of the turn, and each caller's promise resolves
 * once its record is written (not fsynced: a process crash loses nothing, a
 * power cut may lose the last writes). The write is synchronous on purpose: a
 * page-cache write of a few KiB costs microseconds, while a hop through
 * libuv's thread pool costs milliseconds on a busy machine, and every 202
 * waits for it. Deleting old segments is the one step that does not delay a
 * delivery, so it happens in the thread pool.
 */
export class DeliveryLog {
  private readonly dir: string;
  private readonly keep: number;
  private recent: Delivery[] = [];
  private readonly seen = new Set<string>();
  private seenOrder: string[] = [];
  /** Segments on disk, oldest first; the last is the one appended to. */
  private onDisk: { number: number; file: string }[] = [];
  private inSegment = 0;
  private fd: number | null = null;
  /** Records waiting for the end of the turn, two buffers each: lengths and meta, then the body. */
  private pending: Buffer[] = [];
  private waiting: { delivery: Delivery; done: () => void; fail: (err: unknown) => void }[] = [];
  private scheduled = false;
  /** Why starting a segment or deleting an old one failed, reported by the next append. */
  private maintenanceError: Error | null = null;

  private constructor(dir: string, keep: number) {
    this.dir = dir;
    this.keep = keep;
  }

  /** Opens (or creates) the log in folder `dir`, reading back what a previous run kept. */
  static async open(dir: string, keep: number): Promise<DeliveryLog> {
    const log = new DeliveryLog(dir, keep);
    await mkdir(dir, { recursive: true });
    const segments = segmentFiles(await readdir(dir));
    let appendable: number | null = null;
    for (const { number, name, binary } of segments) {
      const file = join(dir, name);
      const { deliveries, torn } = binary ? parseSegment(await readFile(file), file) : parseNdjsonSegment(await readFile(file, "utf8"), file);
      for (const delivery of deliveries) log.remember(delivery);
      log.onDisk.push({ number, file });
      // Appending after a torn record would hide the records behind it.
      appendable = binary && !torn && deliveries.length < keep ? deliveries.length : null;
    }
    if (appendable !== null) {
      log.inSegment = appendable;
    } else {
      const number = (log.onDisk[log.onDisk.length - 1]?.number ?? 0) + 1;
      log.onDisk.push({ number, file: log.segmentFile(number) });
      log.inSegment = 0;
    }
    log.fd = openSync(log.onDisk[log.onDisk.length - 1]!.file, "a");
    return log;
  }

  /** Whether a delivery with this id was already stored. */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  /**
   * Stores a delivery; null when its id was seen before (a retry), in which
   * case nothing is written. `body` is kept and written as given (not
   * copied), so the caller must not reuse its memory.
   */
  async append(body: Uint8Array, headers: Record<string, string>, id: string | null, receivedAt: number): Promise<Delivery | null> {
    if (id !== null && this.seen.has(id)) return null;
    if (this.maintenanceError) {
      const err = this.maintenanceError;
      this.maintenanceError = null;
      throw new Error(`webhook: cannot rotate the delivery segments in ${this.dir}`, { cause: err });
    }
    const delivery: Delivery = { id: id ?? randomUUID(), receivedAt, headers, body };
    this.pending.push(recordHead(delivery), Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    this.remember(delivery);
    await new Promise<void>((done, fail) => {
      this.waiting.push({ delivery, done, fail });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
    return delivery;
  }

  /** The newest `n` deliveries (at most `keep`), oldest first. */
  latest(n: number): Delivery[] {
    return this.recent.slice(-Math.min(n, this.keep));
  }

  async close(): Promise<void> {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private remember(delivery: Delivery): void {
    this.recent.push(delivery);
    if (this.recent.length > this.keep * 2) this.recent.splice(0, this.recent.length - this.keep);
    this.seen.add(delivery.id);
    this.seenOrder.push(delivery.id);
    // Ids are remembered well past the kept deliveries, so a late retry is still recognised.
    const limit = Math.max(this.keep * 4, 10_000);
    if (this.seenOrder.length > limit * 2) {
      for (const old of this.seenOrder.splice(0, this.seenOrder.length - limit)) this.seen.delete(old);
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    if (batch.length === 0) return;
    const buffers = this.pending;
    this.waiting = [];
    this.pending = [];
    try {
      if (this.fd === null) throw new Error(`webhook: deliveries in ${this.dir} are closed`);
      writeAll(this.fd, buffers);
    } catch (err) {
      // Not stored, so not remembered either: the sender's retry must be stored, not taken for a duplicate.
      const failed = new Set(batch.map((p) => p.delivery));
      this.recent = this.recent.filter((d) => !failed.has(d));
      for (const d of failed) this.seen.delete(d.id);
      const wrapped = new Error(`webhook: cannot write deliveries to ${this.dir}`, { cause: err });
      for (const p of batch) p.fail(wrapped);
      return;
    }
    this.inSegment += batch.length;
    for (const p of batch) p.done();
    if (this.inSegment >= this.keep) {
      try {
        this.rotate();
      } catch (err) {
        // Appends go on to the full segment meanwhile; the next delivery reports it.
        this.maintenanceError ??= err as Error;
      }
    }
  }

  /** Starts a new segment and deletes those no longer needed to hold `keep` deliveries. */
  private rotate(): void {
    const number = this.onDisk[this.onDisk.length - 1]!.number + 1;
    const file = this.segmentFile(number);
    const fd = openSync(file, "a");
    if (this.fd !== null) closeSync(this.fd);
    this.fd = fd;
    this.onDisk.push({ number, file });
    this.inSegment = 0;
    // The full segment before the new one stays; older ones go, off the event loop.
    for (const old of this.onDisk.splice(0, this.onDisk.length - 2)) {
      unlink(old.file, (err) => {
        if (err && err.code !== "ENOENT") this.maintenanceError ??= err;
      });
    }
  }

  private segmentFile(number: number): string {
    return join(this.dir, `${String(number).padStart(6, "0")}.bin`);
  }
}

/** Segment files in a folder, oldest first; a number never has both kinds. */
function segmentFiles(names: string[]): { number: number; name: string; binary: boolean }[] {
  const found: { number: number; name: string; binary: boolean }[] = [];
  for (const name of names) {
    const m = /^(\d{6,})\.(bin|ndjson)$/.exec(name);
    if (m) found.push({ number: Number(m[1]), name, binary: m[2] === "bin" });
  }
  return found.sort((a, b) => a.number - b.number);
}

/** The start of a record: both lengths and the meta JSON; the body follows as it is. */
function recordHead(delivery: Delivery): Buffer {
  const meta = JSON.stringify({ id: delivery.id, receivedAt: delivery.receivedAt, headers: delivery.headers });
  const metaBytes = Buffer.byteLength(meta);
  const head = Buffer.allocUnsafe(8 + metaBytes);
  head.writeUInt32LE(metaBytes, 0);
  head.writeUInt32LE(delivery.body.byteLength, 4);
  head.write(meta, 8);
  return head;
}

interface Segment {
  deliveries: Delivery[];
  /** Whether it ends in a torn record (a crash mid-write), which is left out. */
  torn: boolean;
}

/** The deliveries of a binary segment. */
function parseSegment(bytes: Buffer, file: string): Segment {
  const deliveries: Delivery[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 8) return { deliveries, torn: true };
    const metaBytes = bytes.readUInt32LE(at);
    const bodyBytes = bytes.readUInt32LE(at + 4);
    const end = at + 8 + metaBytes + bodyBytes;
    if (end > bytes.length) return { deliveries, torn: true };
    let meta: { id: string; receivedAt: number; headers: Record<string, string> };
    try {
      meta = JSON.parse(bytes.toString("utf8", at + 8, at + 8 + metaBytes));
    } catch (err) {
      throw new Error(`webhook: ${file}: the record at byte ${at} does not start with delivery JSON`, { cause: err });
    }
    // A copy, so a kept delivery does not hold the whole segment's memory.
    const body = Uint8Array.prototype.slice.call(bytes, at + 8 + metaBytes, end);
    deliveries.push({ id: meta.id, receivedAt: meta.receivedAt, headers: meta.headers, body });
    at = end;
  }
  return { deliveries, torn: false };
}

/** The deliveries of an NDJSON segment (the format before the binary one). */
function parseNdjsonSegment(text: string, file: string): Segment {
  const lines = text.split("\n").filter((line) => line !== "");
  const deliveries: Delivery[] = [];
  for (const [i, line] of lines.entries()) {
    let parsed: DeliveryLine;
    try {
      parsed = JSON.parse(line) as DeliveryLine;
    } catch (err) {
      // A torn last line from a crash mid-write: the deliveries before it are intact.
      if (i === lines.length - 1) return { deliveries, torn: true };
      throw new Error(`webhook: ${file} line ${i + 1} is not JSON`, { cause: err });
    }
    deliveries.push({ id: parsed.id, receivedAt: parsed.receivedAt, headers: parsed.headers, body: deliveryBytes(parsed) });
  }
  return { deliveries, torn: false };
}

/** Writes all of `buffers` in one `writev(2)`, and the rest in more when the kernel takes less. */
function writeAll(fd: number, buffers: Buffer[]): void {
  const total = buffers.reduce((sum, b) => sum + b.length, 0);
  const written = writevSync(fd, buffers);
  if (written === total) return;
  const rest = Buffer.concat(buffers).subarray(written);
  for (let at = 0; at < rest.length; ) at += writeSync(fd, rest, at, rest.length - at);
}

/** Every delivery in a delivery folder as a JSON line (body in base64), oldest first (for tests and inspection). */
export async function readDeliveryLines(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const lines: string[] = [];
  for (const { name, binary } of segmentFiles(names)) {
    const file = join(dir, name);
    const { deliveries } = binary ? parseSegment(await readFile(file), file) : parseNdjsonSegment(await readFile(file, "utf8"), file);
    for (const d of deliveries) {
      const line: DeliveryLine = { id: d.id, receivedAt: d.receivedAt, headers: d.headers, encoding: "base64", body: Buffer.from(d.body).toString("base64") };
      lines.push(JSON.stringify(line));
    }
  }
  return lines;
}

/** A delivery's body as bytes, from a kept delivery or its JSON line. */
export function deliveryBytes(delivery: Delivery | DeliveryLine): Uint8Array {
  if (typeof delivery.body !== "string") return delivery.body;
  return (delivery as DeliveryLine).encoding === "utf8" ? Buffer.from(delivery.body, "utf8") : Buffer.from(delivery.body, "base64");
}

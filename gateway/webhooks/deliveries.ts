import { randomUUID } from "node:crypto";
import { closeSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** One webhook delivery as kept on disk: the raw body and the headers that matter. */
export interface Delivery {
  id: string;
  receivedAt: number;
  /** Lower-case header names: the delivery id, event type, content type. */
  headers: Record<string, string>;
  /** The body in base64 (older logs may hold UTF-8 text, `encoding: "utf8"`). */
  body: string;
  encoding: "utf8" | "base64";
}

/**
 * The last `keep` deliveries of one webhook source, in memory and on disk, so
 * a sample survives a restart. The folder holds NDJSON segments of `keep`
 * lines each (`000001.ndjson`, ...): appends go to the newest; when it is
 * full a new one starts and all but the two newest are deleted, so the disk
 * holds between `keep` and `3 × keep` deliveries and nothing is ever rewritten.
 * Appends are group committed: the deliveries of one event-loop turn go out in
 * one `write(2)` at the end of the turn, and each caller's promise resolves
 * once its line is written (not fsynced: a process crash loses nothing, a
 * power cut may lose the last writes). The write is synchronous on purpose: a
 * page-cache write of a few KiB costs microseconds, while a hop through
 * libuv's thread pool costs milliseconds on a busy machine, and every 202
 * waits for it.
 */
export class DeliveryLog {
  private readonly dir: string;
  private readonly keep: number;
  private recent: Delivery[] = [];
  private readonly seen = new Set<string>();
  private seenOrder: string[] = [];
  private segment = 0;
  private linesInSegment = 0;
  private fd: number | null = null;
  private pending: { line: string; done: () => void; fail: (err: unknown) => void }[] = [];
  private scheduled = false;

  private constructor(dir: string, keep: number) {
    this.dir = dir;
    this.keep = keep;
  }

  /** Opens (or creates) the log in folder `dir`, reading back what a previous run kept. */
  static async open(dir: string, keep: number): Promise<DeliveryLog> {
    const log = new DeliveryLog(dir, keep);
    await mkdir(dir, { recursive: true });
    const segments = await log.segments();
    for (const number of segments) {
      const file = log.segmentFile(number);
      const lines = (await readFile(file, "utf8")).split("\n").filter((line) => line !== "");
      for (const [i, line] of lines.entries()) {
        let delivery: Delivery;
        try {
          delivery = JSON.parse(line) as Delivery;
        } catch (err) {
          // A torn last line from a crash mid-write: the deliveries before it are intact.
          if (i === lines.length - 1) break;
          throw new Error(`webhook: ${file} line ${i + 1} is not JSON`, { cause: err });
        }
        log.remember(delivery);
      }
      log.segment = number;
      log.linesInSegment = lines.length;
    }
    if (log.segment === 0 || log.linesInSegment >= keep) {
      log.segment++;
      log.linesInSegment = 0;
    }
    log.fd = openSync(log.segmentFile(log.segment), "a");
    return log;
  }

  /** Whether a delivery with this id was already stored. */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  /**
   * Stores a delivery; null when its id was seen before (a retry), in which
   * case nothing is written.
   */
  async append(body: Uint8Array, headers: Record<string, string>, id: string | null, receivedAt: number): Promise<Delivery | null> {
    if (id !== null && this.seen.has(id)) return null;
    // Base64 needs no JSON escaping, so the line is concatenated: JSON.stringify
    // of a 7 KiB body that is itself JSON (quotes to escape) costs ten times more.
    const base64 = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("base64");
    const delivery: Delivery = { id: id ?? randomUUID(), receivedAt, headers, body: base64, encoding: "base64" };
    const line = `{"id":${JSON.stringify(delivery.id)},"receivedAt":${receivedAt},"headers":${JSON.stringify(headers)},"encoding":"base64","body":"${base64}"}\n`;
    this.remember(delivery);
    await new Promise<void>((done, fail) => {
      this.pending.push({ line, done, fail });
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
    const batch = this.pending.splice(0, this.pending.length);
    if (batch.length === 0) return;
    try {
      if (this.fd === null) throw new Error(`webhook: deliveries in ${this.dir} are closed`);
      writeSync(this.fd, batch.map((p) => p.line).join(""));
      this.linesInSegment += batch.length;
      if (this.linesInSegment >= this.keep) this.rotate(this.fd);
    } catch (err) {
      const wrapped = new Error(`webhook: cannot write deliveries to ${this.dir}`, { cause: err });
      for (const p of batch) p.fail(wrapped);
      return;
    }
    for (const p of batch) p.done();
  }

  /** Starts a new segment and deletes those no longer needed to hold `keep` deliveries. */
  private rotate(fd: number): void {
    closeSync(fd);
    this.segment++;
    this.linesInSegment = 0;
    this.fd = openSync(this.segmentFile(this.segment), "a");
    for (const number of this.segmentsSync()) {
      if (number < this.segment - 1) rmSync(this.segmentFile(number), { force: true });
    }
  }

  private segmentsSync(): number[] {
    return segmentNumbers(readdirSync(this.dir));
  }

  private async segments(): Promise<number[]> {
    return segmentNumbers(await readdir(this.dir));
  }

  private segmentFile(number: number): string {
    return join(this.dir, `${String(number).padStart(6, "0")}.ndjson`);
  }
}

function segmentNumbers(names: string[]): number[] {
  return names
    .map((name) => /^(\d{6,})\.ndjson$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Every line of every segment in a delivery folder, oldest first (for tests and inspection). */
export async function readDeliveryLines(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith(".ndjson")).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), "utf8")));
  return texts.flatMap((text) => text.split("\n").filter((line) => line !== ""));
}

/** A delivery's body as bytes again. */
export function deliveryBytes(delivery: Delivery): Uint8Array {
  return delivery.encoding === "utf8" ? Buffer.from(delivery.body, "utf8") : Buffer.from(delivery.body, "base64");
}

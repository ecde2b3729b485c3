import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

/** One webhook delivery as kept on disk: the raw body and the headers that matter. */
export interface Delivery {
  id: string;
  receivedAt: number;
  /** Lower-case header names: the delivery id, event type, content type. */
  headers: Record<string, string>;
  /** The body as UTF-8 text, or base64 when it is not valid UTF-8. */
  body: string;
  encoding: "utf8" | "base64";
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The last `keep` deliveries of one webhook source, in memory and in an
 * append-only NDJSON file, so a sample survives a restart. Appends are group
 * committed: deliveries arriving while a write is in flight go out together in
 * the next write, and each caller's promise resolves once its line is written
 * (not fsynced: a process crash loses nothing, a power cut may lose the tail).
 * The file is rewritten to the last `keep` lines when it holds twice that.
 */
export class DeliveryLog {
  private readonly file: string;
  private readonly keep: number;
  private recent: Delivery[] = [];
  private readonly seen = new Set<string>();
  private seenOrder: string[] = [];
  private lines = 0;
  private handle: FileHandle | null = null;
  private pending: { line: string; done: () => void; fail: (err: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;

  private constructor(file: string, keep: number) {
    this.file = file;
    this.keep = keep;
  }

  /** Opens (or creates) the log at `file`, reading back what a previous run kept. */
  static async open(file: string, keep: number): Promise<DeliveryLog> {
    const log = new DeliveryLog(file, keep);
    await mkdir(dirname(file), { recursive: true });
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`webhook: cannot read deliveries ${file}`, { cause: err });
    }
    const lines = text.split("\n").filter((line) => line !== "");
    for (const line of lines) {
      let delivery: Delivery;
      try {
        delivery = JSON.parse(line) as Delivery;
      } catch (err) {
        // A torn last line from a crash mid-write: the deliveries before it are intact.
        if (line === lines[lines.length - 1]) break;
        throw new Error(`webhook: ${file} has a line that is not JSON`, { cause: err });
      }
      log.remember(delivery);
    }
    log.lines = lines.length;
    log.handle = await open(file, "a");
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
    let text: string;
    let encoding: Delivery["encoding"] = "utf8";
    try {
      text = utf8.decode(body);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      text = Buffer.from(body).toString("base64");
      encoding = "base64";
    }
    const delivery: Delivery = { id: id ?? randomUUID(), receivedAt, headers, body: text, encoding };
    this.remember(delivery);
    await new Promise<void>((done, fail) => {
      this.pending.push({ line: JSON.stringify(delivery) + "\n", done, fail });
      this.writing ??= this.flush();
    });
    return delivery;
  }

  /** The newest `n` deliveries, oldest first. */
  latest(n: number): Delivery[] {
    return this.recent.slice(-n);
  }

  async close(): Promise<void> {
    await this.writing;
    await this.handle?.close();
    this.handle = null;
  }

  private remember(delivery: Delivery): void {
    this.recent.push(delivery);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    this.seen.add(delivery.id);
    this.seenOrder.push(delivery.id);
    // Ids are remembered well past the kept deliveries, so a late retry is still recognised.
    const limit = Math.max(this.keep * 4, 10_000);
    if (this.seenOrder.length > limit) {
      for (const old of this.seenOrder.splice(0, this.seenOrder.length - limit)) this.seen.delete(old);
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.pending.length);
      try {
        if (!this.handle) throw new Error(`webhook: deliveries ${this.file} is closed`);
        await this.handle.write(batch.map((p) => p.line).join(""));
        this.lines += batch.length;
        if (this.lines >= this.keep * 2) await this.compact();
        for (const p of batch) p.done();
      } catch (err) {
        const wrapped = new Error(`webhook: cannot write deliveries to ${this.file}`, { cause: err });
        for (const p of batch) p.fail(wrapped);
      }
    }
    this.writing = null;
  }

  /** Rewrites the file to the kept deliveries (temp file + rename, so a crash leaves one or the other). */
  private async compact(): Promise<void> {
    const temp = `${this.file}.compact`;
    await writeFile(temp, this.recent.map((d) => JSON.stringify(d) + "\n").join(""));
    await this.handle?.close();
    await rename(temp, this.file);
    this.handle = await open(this.file, "a");
    this.lines = this.recent.length;
  }
}

/** A delivery's body as bytes again. */
export function deliveryBytes(delivery: Delivery): Uint8Array {
  return delivery.encoding === "utf8" ? Buffer.from(delivery.body, "utf8") : Buffer.from(delivery.body, "base64");
}

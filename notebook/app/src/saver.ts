import { KEEPALIVE_BYTES, type NotebookVersion, saveNotebook } from "./api.ts";

export type SaveStatus =
  | { kind: "saved" }
  | { kind: "unsaved" }
  | { kind: "saving" }
  | { kind: "conflict"; mine: string; theirs: NotebookVersion | null }
  | { kind: "failed"; message: string };

/**
 * What the bar says when the gateway did not answer a write at all (stopped, restarting, the network
 * gone): the browser's own words ("Failed to fetch") said neither what happened nor that the edit is kept.
 */
export const UNREACHABLE_MESSAGE = "the gateway does not answer (is it running?); the edit stays on this page and is saved when it answers again";

/**
 * Debounced saves through the notebooks API. Every write names the version it
 * was edited from (If-Match); a 412 stops saving and reports both versions so
 * the person chooses, instead of one silently overwriting the other.
 */
export class Saver {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private text: string | null = null;
  private running: Promise<void> | null = null;
  private blocked = false;

  constructor(
    private readonly path: string,
    private etag: string,
    private readonly onStatus: (status: SaveStatus) => void,
    private readonly delayMs = 800,
    /** How long after a write the gateway did not answer the page tries it again. */
    private readonly retryMs = 2000,
  ) {}

  /** Queues `text` to be written after a quiet spell. */
  schedule(text: string): void {
    this.text = text;
    this.onStatus({ kind: "unsaved" });
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes what is queued now; resolves when the gateway answered. */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    while (this.running !== null) await this.running;
    if (this.text === null || this.blocked) return;
    const text = this.text;
    this.text = null;
    this.running = this.write(text).finally(() => {
      this.running = null;
    });
    await this.running;
  }

  /**
   * The page is being left (reloaded, a link followed, the tab closed): writes what is queued at
   * once, by a request that outlives the page; an edit made in the last 800 ms was lost before.
   * False when something would still be lost (a conflict not settled, a write that must wait for
   * the one under way, or a text too large to outlive the page): the page then asks the browser
   * to confirm leaving, and the edit stays queued if the person stays.
   */
  leave(): boolean {
    if (this.blocked) return false;
    if (this.text === null) return this.running === null || this.runningOutlivesPage;
    if (this.running !== null || !outlivesPage(this.text)) return false;
    // flush() sends the request before its first await, so it is on its way before the page goes.
    // After a failed write (the gateway down) it is tried too, but the page asks: it may fail again.
    const failedBefore = this.failed;
    void this.flush();
    return !failedBefore;
  }

  /** After a conflict, the person took the disk's version: nothing of the page's is to be written any more. */
  discard(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.text = null;
    this.blocked = false;
  }

  pending(): boolean {
    return this.text !== null || this.running !== null || this.timer !== null;
  }

  /** After a conflict: write `text` over the version the person has now seen. */
  async resolveWith(text: string, seenEtag: string | null): Promise<void> {
    if (seenEtag !== null) this.etag = seenEtag;
    this.blocked = false;
    this.text = text;
    await this.flush();
  }

  private runningOutlivesPage = false;
  private failed = false;

  /** The last write got no answer: the bar keeps saying so while it is tried again (not "saving…" every 2 s). */
  private unreachable = false;

  private async write(text: string): Promise<void> {
    if (!this.unreachable) this.onStatus({ kind: "saving" });
    this.runningOutlivesPage = outlivesPage(text);
    try {
      const result = await saveNotebook(this.path, text, this.etag, { keepalive: this.runningOutlivesPage });
      this.failed = false;
      this.unreachable = false;
      if (result.kind === "saved") {
        this.etag = result.etag;
        this.onStatus(this.text === null ? { kind: "saved" } : { kind: "unsaved" });
      } else {
        this.blocked = true;
        this.onStatus({ kind: "conflict", mine: text, theirs: result.current });
      }
    } catch (error) {
      this.failed = true;
      this.text ??= text;
      // An answer with an error status is the gateway's word on this text: it is not tried again until the next
      // edit. No answer at all (the gateway stopped or restarting) is tried again until one comes: the edit was
      // left unsaved, and the bar said "not saved: Failed to fetch" after the gateway was back, until the next keystroke.
      // fetch rejects with a TypeError exactly when no answer came.
      const unreachable = error instanceof TypeError;
      this.unreachable = unreachable;
      this.onStatus({ kind: "failed", message: unreachable ? UNREACHABLE_MESSAGE : error instanceof Error ? error.message : String(error) });
      if (unreachable && this.timer === null) this.timer = setTimeout(() => void this.flush(), this.retryMs);
    }
  }
}

/** Whether a write of `text` can be sent with keepalive (the browser caps such bodies). */
function outlivesPage(text: string): boolean {
  return new TextEncoder().encode(text).byteLength <= KEEPALIVE_BYTES;
}

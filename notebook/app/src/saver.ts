import { type NotebookVersion, saveNotebook } from "./api.ts";

export type SaveStatus =
  | { kind: "saved" }
  | { kind: "unsaved" }
  | { kind: "saving" }
  | { kind: "conflict"; mine: string; theirs: NotebookVersion | null }
  | { kind: "failed"; message: string };

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

  private async write(text: string): Promise<void> {
    this.onStatus({ kind: "saving" });
    try {
      const result = await saveNotebook(this.path, text, this.etag);
      if (result.kind === "saved") {
        this.etag = result.etag;
        this.onStatus(this.text === null ? { kind: "saved" } : { kind: "unsaved" });
      } else {
        this.blocked = true;
        this.onStatus({ kind: "conflict", mine: text, theirs: result.current });
      }
    } catch (error) {
      this.text ??= text;
      this.onStatus({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    }
  }
}

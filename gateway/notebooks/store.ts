import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { Notebook } from "../../notebook/format/model.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { GatewayError } from "../http/error.ts";
import { resolveNotebookPath } from "./paths.ts";

/** A notebook file's text and its version. */
export interface NotebookFile {
  path: string;
  text: string;
  etag: string;
}

/** The version of a text: a strong ETag over its bytes, so equal text means equal version. */
export function etagOf(text: string): string {
  return `"${createHash("sha256").update(text).digest("hex").slice(0, 32)}"`;
}

/**
 * Notebook files under one root. Reads and writes go through the path guard;
 * writes are atomic (temp file + rename) and serialised per path so the
 * If-Match check and the write cannot interleave with another write.
 */
export class NotebookStore {
  readonly root: string;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly parsed = new Map<string, { checkedAt: number; etag: string; notebook: Notebook }>();
  private readonly rechecking = new Map<string, Promise<Notebook>>();
  private readonly recheckMs: number;
  private readonly now: () => number;

  /**
   * `recheckMs`: how long a parsed notebook is trusted before the file is read
   * again. Writes through the store take effect at once; an edit made outside
   * the gateway (an editor, git pull) shows within this time.
   */
  constructor(root: string, options: { recheckMs?: number; now?: () => number } = {}) {
    this.root = root;
    this.recheckMs = options.recheckMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The notebook at `path` parsed, for routes on the hot path (webhook
   * deliveries, samples): the file is read and parsed at most once per
   * `recheckMs`, and parsed again only when its text changed. Only notebooks
   * that exist are kept, so the cache is bounded by the root's files.
   */
  notebook(path: string): Promise<Notebook> {
    const hit = this.parsed.get(path);
    const now = this.now();
    if (hit && now - hit.checkedAt < this.recheckMs) return Promise.resolve(hit.notebook);
    // One read per path at a time: requests arriving meanwhile share it.
    let pending = this.rechecking.get(path);
    if (!pending) {
      pending = (async () => {
        try {
          const file = await this.read(path);
          const notebook = hit?.etag === file.etag ? hit.notebook : parseNotebook(file.text, path).notebook;
          this.parsed.set(path, { checkedAt: now, etag: file.etag, notebook });
          return notebook;
        } finally {
          this.rechecking.delete(path);
        }
      })();
      this.rechecking.set(path, pending);
    }
    return pending;
  }

  /** Relative paths of every `.md` file under the root, sorted; symlinks are not followed. */
  async list(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.name.startsWith(".")) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile() && entry.name.endsWith(".md")) found.push(relative(this.root, full).split(sep).join("/"));
      }
    };
    await walk(this.root);
    return found.sort();
  }

  async read(path: string): Promise<NotebookFile> {
    const full = await resolveNotebookPath(this.root, path);
    const text = await readText(full, path);
    if (text === null) throw new GatewayError(404, "not_found", `notebooks: no notebook at ${JSON.stringify(path)}`);
    return { path, text, etag: etagOf(text) };
  }

  /**
   * Writes `text` to `path`. `ifMatch` is the version the writer last saw:
   * `null` means "create; it must not exist", a string must equal the current
   * ETag (`*` matches any existing file). A mismatch throws 412 carrying the
   * current text and ETag, so the client can merge instead of overwriting.
   */
  async write(path: string, text: string, ifMatch: string | null): Promise<{ etag: string; created: boolean }> {
    const full = await resolveNotebookPath(this.root, path);
    return this.serialise(full, async () => {
      const current = await readText(full, path);
      if (ifMatch === null && current !== null) {
        throw new GatewayError(412, "precondition_failed", `notebooks: ${JSON.stringify(path)} already exists; send If-Match with its ETag to replace it`, {
          extra: { current: { text: current, etag: etagOf(current) } },
          headers: { etag: etagOf(current) },
        });
      }
      if (ifMatch !== null && (current === null || (ifMatch !== "*" && ifMatch !== etagOf(current)))) {
        const message = current === null
          ? `notebooks: ${JSON.stringify(path)} does not exist, so If-Match ${ifMatch} cannot match`
          : `notebooks: ${JSON.stringify(path)} changed since version ${ifMatch}; the current version is ${etagOf(current)}`;
        throw new GatewayError(412, "precondition_failed", message, {
          extra: { current: current === null ? null : { text: current, etag: etagOf(current) } },
          headers: current === null ? {} : { etag: etagOf(current) },
        });
      }
      await mkdir(dirname(full), { recursive: true });
      const temp = `${full}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temp, text);
      await rename(temp, full);
      this.parsed.delete(path);
      return { etag: etagOf(text), created: current === null };
    });
  }

  private async serialise<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.then(() => undefined, () => undefined);
    this.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }
}

async function readText(full: string, path: string): Promise<string | null> {
  try {
    return await readFile(full, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EISDIR") throw new GatewayError(400, "bad_request", `notebooks: ${JSON.stringify(path)} is a folder`);
    throw new Error(`notebooks: cannot read ${path}`, { cause: err });
  }
}

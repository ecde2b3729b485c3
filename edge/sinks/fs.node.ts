import { randomUUID } from "node:crypto";
import { link, mkdir, open, readdir, readFile, rename, rmdir, unlink } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { checkKey, compareKeys } from "./keys.ts";
import type { Sink } from "./sink.ts";

/** Where half-written objects wait before their atomic rename or link; never listed, never a key. */
const STAGING = ".runnel-staging";

/**
 * A sink over a local folder (the embedded default). Keys map to files
 * under `root`, never outside it. Writes go to a staging file that is
 * flushed to disk and then renamed into place (put) or hard-linked (putIfAbsent,
 * which fails when the name exists), so a reader sees the old object or the
 * whole new one, and a crash leaves at most a stray staging file.
 */
export function fsSink(root: string): Sink {
  const base = resolve(root);
  const staging = join(base, STAGING);

  function pathOf(key: string): string {
    checkKey("fs", key);
    if (key === STAGING || key.startsWith(`${STAGING}/`)) throw new Error(`sink fs: invalid key ${JSON.stringify(key)}: ${STAGING}/ is reserved`);
    const path = join(base, ...key.split("/"));
    // checkKey already refuses `..`; this guards against whatever the platform's join does differently.
    if (!path.startsWith(base + sep)) throw new Error(`sink fs: invalid key ${JSON.stringify(key)}: resolves outside ${base}`);
    return path;
  }

  async function stage(body: Uint8Array): Promise<string> {
    await mkdir(staging, { recursive: true });
    const temp = join(staging, randomUUID());
    const file = await open(temp, "wx");
    try {
      await file.writeFile(body);
      await file.sync();
    } finally {
      await file.close();
    }
    return temp;
  }

  /** Runs `place` after creating the target's folder; again once if a concurrent delete removed that folder meanwhile. */
  async function intoPlace(path: string, place: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await mkdir(dirname(path), { recursive: true });
      try {
        await place();
        return;
      } catch (error) {
        if (code(error) !== "ENOENT" || attempt >= 2) throw error;
      }
    }
  }

  return {
    describe: `file://${base}/`,

    async put(key, body) {
      const path = pathOf(key);
      const temp = await stage(body);
      try {
        await intoPlace(path, () => rename(temp, path));
      } catch (cause) {
        await unlink(temp).catch((error: unknown) => {
          if (code(error) !== "ENOENT") throw error;
        });
        throw new Error(`sink fs: cannot write ${path}`, { cause });
      }
    },

    async putIfAbsent(key, body) {
      const path = pathOf(key);
      const temp = await stage(body);
      try {
        await intoPlace(path, () => link(temp, path));
        return true;
      } catch (cause) {
        if (code(cause) === "EEXIST") return false;
        throw new Error(`sink fs: cannot write ${path}`, { cause });
      } finally {
        await unlink(temp);
      }
    },

    async get(key) {
      const path = pathOf(key);
      try {
        return new Uint8Array(await readFile(path));
      } catch (cause) {
        const c = code(cause);
        if (c === "ENOENT" || c === "EISDIR" || c === "ENOTDIR") return null;
        throw new Error(`sink fs: cannot read ${path}`, { cause });
      }
    },

    async list(prefix) {
      // Walk only the folder the prefix names fully; its last partial segment filters names.
      const cut = prefix.lastIndexOf("/");
      const folder = cut < 0 ? "" : prefix.slice(0, cut + 1);
      const keys: string[] = [];
      await walk(join(base, ...folder.split("/").filter(Boolean)), folder, prefix, keys);
      return keys.sort(compareKeys);
    },

    async delete(key) {
      const path = pathOf(key);
      try {
        await unlink(path);
      } catch (cause) {
        if (code(cause) === "ENOENT" || code(cause) === "ENOTDIR") return;
        throw new Error(`sink fs: cannot delete ${path}`, { cause });
      }
      // Drop folders the delete emptied, as object stores have no empty prefixes.
      for (let dir = dirname(path); dir !== base && dir.startsWith(base + sep); dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch (error) {
          const c = code(error);
          if (c === "ENOTEMPTY" || c === "EEXIST" || c === "ENOENT") break;
          throw new Error(`sink fs: cannot remove empty folder ${dir}`, { cause: error });
        }
      }
    },
  };

  async function walk(dir: string, keyPrefix: string, want: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (cause) {
      if (code(cause) === "ENOENT" || code(cause) === "ENOTDIR") return;
      throw new Error(`sink fs: cannot list ${dir}`, { cause });
    }
    for (const entry of entries) {
      if (dir === base && entry.name === STAGING) continue;
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) {
        if (key.startsWith(want) || want.startsWith(`${key}/`)) await walk(join(dir, entry.name), `${key}/`, want, out);
      } else if (entry.isFile() && key.startsWith(want)) {
        out.push(key);
      }
    }
  }
}

function code(error: unknown): string | undefined {
  return error instanceof Error && "code" in error ? String((error as { code: unknown }).code) : undefined;
}

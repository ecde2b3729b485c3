/**
 * `runnel dev-edge --lake <dir>`: copies of the local R2 buckets as plain files, `<dir>/<bucket>/<key>`,
 * so DuckDB reads what the Worker wrote with the bundle README's queries. miniflare keeps an R2 object as
 * a blob named by its hash, and wrangler lists no local bucket, so a dev-edge run's lake could not be read.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import type { R2BucketLike } from "../sinks/r2.ts";

export interface LakeMirror {
  /** Copies every object not copied yet; returns the keys copied, as `<bucket>/<key>`. */
  sync(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Mirrors `buckets` (bucket name → binding) into `dir` every `everyMs`. The Worker never changes an object
 * once written (a flush repeated after a crash writes the same key with the same bytes), so a key copied
 * once is not read again.
 */
export function mirrorLake(dir: string, buckets: Record<string, R2BucketLike>, everyMs = 1000): LakeMirror {
  const root = resolve(dir);
  const copied = new Set<string>();
  let running: Promise<string[]> | null = null;
  const syncOnce = async (): Promise<string[]> => {
    const done: string[] = [];
    for (const [name, bucket] of Object.entries(buckets)) {
      let cursor: string | undefined;
      do {
        const page = await bucket.list(cursor === undefined ? {} : { cursor });
        for (const { key } of page.objects) {
          const id = `${name}/${key}`;
          if (copied.has(id)) continue;
          const path = resolve(root, name, ...key.split("/"));
          // A key is the Worker's own (layout.ts checks it), but a copy must never land outside the folder.
          if (!path.startsWith(root + sep)) throw new Error(`dev-edge: R2 key ${JSON.stringify(key)} would be copied outside ${root}`);
          const object = await bucket.get(key);
          if (object === null) continue;
          await mkdir(dirname(path), { recursive: true });
          // Written whole, then renamed: a reader never sees half a Parquet file.
          await writeFile(`${path}.part`, new Uint8Array(await object.arrayBuffer()));
          await rename(`${path}.part`, path);
          copied.add(id);
          done.push(id);
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor !== undefined);
    }
    return done;
  };
  const sync = () => (running ??= syncOnce().finally(() => (running = null)));
  let failed: unknown = null;
  const timer = setInterval(() => {
    sync().catch((error: unknown) => {
      // Said once, not every second; the next round tries again.
      if (failed === null) process.stderr.write(`runnel dev-edge: copying the lake to ${root} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      failed = error;
    });
  }, everyMs);
  return {
    sync,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

import { checkKey, compareKeys } from "./keys.ts";
import type { Sink } from "./sink.ts";

/**
 * The part of a Workers R2 binding (`env.BUCKET`) the sink uses, written
 * out so this file needs no ambient workerd types: `R2Bucket` from
 * `@cloudflare/workers-types` and miniflare's `getR2Bucket()` both fit.
 */
export interface R2BucketLike {
  put(
    key: string,
    value: Uint8Array,
    options?: { onlyIf?: { etagDoesNotMatch?: string }; httpMetadata?: { contentType?: string } },
  ): Promise<unknown | null>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<{
    objects: { key: string }[];
    truncated: boolean;
    cursor?: string;
  }>;
  delete(key: string): Promise<void>;
}

/**
 * A sink over an R2 bucket binding. putIfAbsent is R2's conditional put
 * (`onlyIf: { etagDoesNotMatch: "*" }`): R2 stores nothing and answers null
 * when an object already has the key. A binding put takes up to 5 GiB in one
 * call, so there is no multipart path; a Worker's memory bounds a flush first.
 */
export function r2Sink(bucket: R2BucketLike, options: { prefix?: string; name?: string; listPageSize?: number } = {}): Sink {
  const prefix = options.prefix ?? "";
  const label = options.name ?? "bucket";
  const where = (key: string) => `r2://${label}/${prefix}${key}`;

  async function attempt<T>(what: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      throw new Error(`sink r2: ${what} ${where(key)} failed`, { cause });
    }
  }

  return {
    describe: `r2://${label}/${prefix}`,

    async put(key, body, opts) {
      checkKey("r2", key);
      await attempt("put", key, () => bucket.put(prefix + key, body, { httpMetadata: { contentType: opts?.contentType ?? "application/octet-stream" } }));
    },

    async putIfAbsent(key, body, opts) {
      checkKey("r2", key);
      const stored = await attempt("conditional put", key, () =>
        bucket.put(prefix + key, body, {
          onlyIf: { etagDoesNotMatch: "*" },
          httpMetadata: { contentType: opts?.contentType ?? "application/octet-stream" },
        }),
      );
      return stored !== null;
    },

    async get(key) {
      checkKey("r2", key);
      return attempt("get", key, async () => {
        const object = await bucket.get(prefix + key);
        return object === null ? null : new Uint8Array(await object.arrayBuffer());
      });
    },

    async list(listPrefix) {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await attempt("list", listPrefix, () =>
          bucket.list({ prefix: prefix + listPrefix, cursor, limit: options.listPageSize ?? 1000 }),
        );
        for (const object of page.objects) keys.push(object.key.slice(prefix.length));
        cursor = page.truncated ? page.cursor : undefined;
        if (page.truncated && !cursor) throw new Error(`sink r2: list ${where(listPrefix)} is truncated but has no cursor`);
      } while (cursor);
      return keys.sort(compareKeys);
    },

    async delete(key) {
      checkKey("r2", key);
      await attempt("delete", key, () => bucket.delete(prefix + key));
    },
  };
}

import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { afterAll, beforeAll, expect, test } from "vitest";
import { r2Sink, type R2BucketLike } from "./r2.ts";
import { describeSink } from "./sink.case.ts";

// workerd's own R2 implementation, in memory, through miniflare's programmatic API.
let mf: Miniflare;
let bucket: R2BucketLike;
beforeAll(async () => {
  // Miniflare 5 takes a new options shape; the v4 shape (documented in its README) converts.
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: "export default { fetch() { return new Response('unused'); } }",
      r2Buckets: ["LAKE"],
    }),
  );
  bucket = (await mf.getR2Bucket("LAKE")) as unknown as R2BucketLike;
}, 120_000); // starting workerd takes seconds, more on a busy machine
afterAll(async () => {
  await mf?.dispose();
});

let suiteRun = 0;
describeSink(
  "r2",
  async () => ({ sink: r2Sink(bucket, { name: "LAKE", prefix: `suite-${suiteRun++}/`, listPageSize: 5 }) }),
  // Miniflare's binding proxy moves bodies slowly (20 MiB takes ~20 s); 4 MiB still crosses its chunking.
  { largeBytes: 4 * 1024 * 1024 + 5 },
);

test("R2's etagDoesNotMatch '*' refuses an existing key in real workerd (the putIfAbsent condition)", async () => {
  const key = "probe/conditional";
  expect(await bucket.put(key, new Uint8Array([1]), { onlyIf: { etagDoesNotMatch: "*" } })).not.toBeNull();
  expect(await bucket.put(key, new Uint8Array([2]), { onlyIf: { etagDoesNotMatch: "*" } })).toBeNull();
  const object = await bucket.get(key);
  expect(new Uint8Array(await object!.arrayBuffer())).toEqual(new Uint8Array([1]));
});

test("r2 sink describes itself with binding and prefix", () => {
  expect(r2Sink(bucket, { name: "LAKE", prefix: "turnstile/" }).describe).toBe("r2://LAKE/turnstile/");
});

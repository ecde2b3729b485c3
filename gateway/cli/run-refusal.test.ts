import { expect, test } from "vitest";
import { S3Refusal } from "../../edge/sinks/s3.ts";
import type { SinkTarget } from "../../edge/runner/sink-writer.ts";
import { refusal } from "./run.ts";

/** A target whose listing fails with `error` (the S3 answers themselves are tested against the real server in tests/runner/sink-refusal.test.ts). */
const failing = (error: Error) => ({ spec: {}, opened: { prefix: "lake/", sink: { list: async () => Promise.reject(error) } } }) as unknown as SinkTarget;

test("the preflight stops on answers every request would get, and not on a denial that may be only of listing", async () => {
  const no = (status: number, code: string) => new S3Refusal(`sink s3: LIST s3://b/lake/_runnel-preflight/ failed: ${status} ${code}: the server's words`, status, code);
  expect(await refusal(failing(no(404, "NoSuchBucket")))).toMatch(/404 NoSuchBucket/);
  expect(await refusal(failing(no(403, "SignatureDoesNotMatch")))).toMatch(/SignatureDoesNotMatch/);
  expect(await refusal(failing(no(403, "InvalidAccessKeyId")))).toMatch(/InvalidAccessKeyId/);
  // A key allowed to put objects under the prefix but not to list the bucket still backfills.
  expect(await refusal(failing(no(403, "AccessDenied")))).toBeNull();
  expect(await refusal(failing(new Error("sink s3: LIST failed after 5 attempts: network error")))).toBeNull();
});

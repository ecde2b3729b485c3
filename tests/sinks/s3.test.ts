import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { s3 as config } from "../servers/config.ts";
import { describeSink } from "../../edge/sinks/sink.case.ts";
import { s3Sink, type S3SinkOptions } from "../../edge/sinks/s3.ts";

const base = {
  endpoint: config.endpoint,
  bucket: config.bucket,
  region: config.region,
  accessKeyId: config.accessKeyId,
  secretAccessKey: config.secretAccessKey,
} satisfies S3SinkOptions;

describeSink("s3", async () => {
  const prefix = `sink-suite/${randomUUID()}/`;
  // Small pages and parts so the suite exercises pagination and multipart uploads.
  const sink = s3Sink({ ...base, prefix, listPageSize: 5, partSize: 5 * 1024 * 1024 });
  return {
    sink,
    close: async () => {
      for (const key of await sink.list("")) await sink.delete(key);
    },
  };
});

test("s3 sink retries 5xx answers and network errors, then succeeds", async () => {
  let calls = 0;
  const flaky: typeof fetch = async (input, init) => {
    calls++;
    if (calls === 1) throw new TypeError("fetch failed (simulated connection reset)");
    if (calls === 2) return new Response("<Error><Code>SlowDown</Code><Message>Reduce your request rate</Message></Error>", { status: 503 });
    return fetch(input, init);
  };
  const sleeps: number[] = [];
  const sink = s3Sink({ ...base, prefix: `retry/${randomUUID()}/`, fetch: flaky, backoffMs: 10, sleep: async (ms) => void sleeps.push(ms) });
  await sink.put("a", new Uint8Array([1]));
  expect(calls).toBe(3);
  expect(sleeps).toEqual([10, 20]);
  expect(await sink.get("a")).toEqual(new Uint8Array([1]));
  await sink.delete("a");
});

test("s3 sink surfaces the last answer after its last try", async () => {
  const down: typeof fetch = async () => new Response("<Error><Code>InternalError</Code><Message>We encountered an internal error</Message></Error>", { status: 500, statusText: "Internal Server Error" });
  const sink = s3Sink({ ...base, fetch: down, attempts: 3, backoffMs: 1 });
  await expect(sink.put("x/y", new Uint8Array([1]))).rejects.toThrow(
    `sink s3: PUT s3://${config.bucket}/x/y failed after 3 attempts: 500 Internal Server Error InternalError: We encountered an internal error`,
  );
  const refused = s3Sink({ ...base, endpoint: "http://127.0.0.1:1", attempts: 2, backoffMs: 1 });
  await expect(refused.get("x")).rejects.toThrow(/^sink s3: GET s3:\/\/runnel-test\/x failed after 2 attempts: network error/);
});

test("s3 sink reports a wrong secret as the server's error, without retrying", async () => {
  let calls = 0;
  const counting: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const sink = s3Sink({ ...base, secretAccessKey: "wrong", fetch: counting });
  await expect(sink.get("any")).rejects.toThrow(/^sink s3: GET s3:\/\/runnel-test\/any failed: 403/);
  expect(calls).toBe(1);
});

test("a multipart upload that fails midway is aborted and leaves no object and no pending upload", async () => {
  const prefix = `abort/${randomUUID()}/`;
  let parts = 0;
  const failSecondPart: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (request.method === "PUT" && new URL(request.url).searchParams.has("partNumber") && ++parts === 2) {
      return new Response("<Error><Code>InvalidPart</Code><Message>simulated</Message></Error>", { status: 400 });
    }
    return fetch(request);
  };
  const sink = s3Sink({ ...base, prefix, fetch: failSecondPart, partSize: 5 * 1024 * 1024, partConcurrency: 1 });
  await expect(sink.put("big", new Uint8Array(11 * 1024 * 1024))).rejects.toThrow(/^sink s3: multipart PUT .* \(part 2 of 3\) failed: 400/);
  expect(await sink.list("")).toEqual([]);
  const { S3Client, ListMultipartUploadsCommand } = await import("@aws-sdk/client-s3");
  const client = new S3Client({ endpoint: config.endpoint, region: config.region, forcePathStyle: true, credentials: base });
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: config.bucket, Prefix: prefix }));
  expect(uploads.Uploads ?? []).toEqual([]);
});

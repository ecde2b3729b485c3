import { expect, test } from "vitest";
import { s3Sink } from "./s3.ts";

test("an S3 put past the multipart threshold counts one request per part and two more (a Worker's subrequest budget counts them)", () => {
  const MiB = 1024 * 1024;
  const sink = s3Sink({ bucket: "lake", endpoint: "http://127.0.0.1:1", region: "us-east-1", accessKeyId: "k", secretAccessKey: "s" });
  expect(sink.requestsFor!(1000)).toBe(1);
  expect(sink.requestsFor!(8 * MiB)).toBe(1);
  expect(sink.requestsFor!(8 * MiB + 1)).toBe(4);
  expect(sink.requestsFor!(40 * MiB)).toBe(7);
});

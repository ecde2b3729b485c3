import { createHash, randomUUID } from "node:crypto";
import { afterAll, describe, expect, test } from "vitest";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { s3 as config } from "../servers/config.ts";
import { testS3Client } from "../servers/s3.ts";

const client = testS3Client();
const Bucket = config.bucket;
const prefix = `smoke/${randomUUID()}/`;

async function read(Key: string): Promise<Uint8Array> {
  const answer = await client.send(new GetObjectCommand({ Bucket, Key }));
  return answer.Body!.transformToByteArray();
}

async function statusOf(promise: Promise<unknown>): Promise<number | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode ?? 0;
    throw error;
  }
}

describe("the test S3 server", () => {
  afterAll(() => client.destroy());

  test("returns an object's bytes after a put", async () => {
    await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}day=2026-11-22/a.txt`, Body: "héllo" }));
    expect(new TextDecoder().decode(await read(`${prefix}day=2026-11-22/a.txt`))).toBe("héllo");
  });

  test("lists keys under a prefix with ListObjectsV2, delimiter folders included", async () => {
    await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}list/day=1/x.parquet`, Body: "1" }));
    await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}list/day=2/y.parquet`, Body: "22" }));
    const flat = await client.send(new ListObjectsV2Command({ Bucket, Prefix: `${prefix}list/` }));
    expect(flat.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      [`${prefix}list/day=1/x.parquet`, 1],
      [`${prefix}list/day=2/y.parquet`, 2],
    ]);
    const folders = await client.send(new ListObjectsV2Command({ Bucket, Prefix: `${prefix}list/`, Delimiter: "/" }));
    expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toEqual([`${prefix}list/day=1/`, `${prefix}list/day=2/`]);
  });

  test("answers 412 to a second put with If-None-Match: * and keeps the first object", async () => {
    const Key = `${prefix}once.parquet`;
    expect(await statusOf(client.send(new PutObjectCommand({ Bucket, Key, Body: "first", IfNoneMatch: "*" })))).toBe("ok");
    expect(await statusOf(client.send(new PutObjectCommand({ Bucket, Key, Body: "second", IfNoneMatch: "*" })))).toBe(412);
    expect(new TextDecoder().decode(await read(Key))).toBe("first");
  });

  test("assembles a multipart upload from its parts in order", async () => {
    const Key = `${prefix}big.parquet`;
    const first = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251);
    const last = new TextEncoder().encode("the last, short part");
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const parts = [];
    for (const [index, Body] of [first, last].entries()) {
      const { ETag } = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body }));
      parts.push({ PartNumber: index + 1, ETag });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    const whole = await read(Key);
    const sha = (bytes: Uint8Array[]) => bytes.reduce((h, b) => h.update(b), createHash("sha256")).digest("hex");
    expect(whole.length).toBe(first.length + last.length);
    expect(sha([whole])).toBe(sha([first, last]));
  });

  test("answers 412 when completing a multipart upload with If-None-Match: * over an existing key", async () => {
    const Key = `${prefix}once.parquet`;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const { ETag } = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: "late" }));
    const complete = new CompleteMultipartUploadCommand({
      Bucket,
      Key,
      UploadId,
      IfNoneMatch: "*",
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
    });
    expect(await statusOf(client.send(complete))).toBe(412);
  });
});

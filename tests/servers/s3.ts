import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, ListBucketsCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { s3 as config } from "./config.ts";
import { cacheDir, dataDir, serversDir } from "./paths.ts";
import { runStep } from "./process.ts";
import type { Launch, TestServer } from "./server.ts";

/**
 * versitygw (Apache-2.0, maintained) built from the Go module proxy: the
 * newest tag when this was written (`go list -m -versions
 * github.com/versity/versitygw`). Its POSIX backend answers `If-None-Match: *`
 * with 412 on PutObject and CompleteMultipartUpload, accepts the SDK's default
 * checksum trailers, and implements ListObjectsV2 and ListParts.
 */
export const versitygwVersion = "v1.8.0";

/** An S3 client for the test server, configured as every test should be. */
export function testS3Client(options: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    ...options,
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  });
}

/** Builds the server once per version into the cache; returns the binary's path. */
async function ensureBinary(): Promise<string> {
  const home = join(cacheDir, `versitygw-${versitygwVersion}`);
  const binary = join(home, "versitygw");
  if (existsSync(binary)) return binary;
  const staging = join(home, "build");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await runStep(
    `building versitygw ${versitygwVersion} with go install into ${home} (a few minutes, once)`,
    "go",
    ["install", `github.com/versity/versitygw/cmd/versitygw@${versitygwVersion}`],
    {
      env: { ...process.env, GOBIN: staging, GOFLAGS: "-buildvcs=false", CGO_ENABLED: "0" },
      cwd: home,
      log: join(serversDir, `versitygw-${versitygwVersion}-build.log`),
    },
  );
  // Renamed only once complete, so an interrupted build is never mistaken for a cached one.
  renameSync(join(staging, "versitygw"), binary);
  rmSync(staging, { recursive: true, force: true });
  return binary;
}

/** versitygw on 127.0.0.1:19000 with the POSIX backend in `.data/s3`; the test bucket exists once up. */
export const s3Server: TestServer = {
  name: "s3",
  address: new URL(config.endpoint).host,

  async answers() {
    const client = testS3Client({ maxAttempts: 1 });
    try {
      await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
      return true;
    } catch (error) {
      if (error instanceof S3ServiceException) {
        throw new Error(
          `servers: s3: something on ${config.endpoint} answers but refuses the test credentials (${error.name})`,
          { cause: error },
        );
      }
      // Refused, reset or unreadable: not (yet) an S3 server. If the port is taken by
      // something else, starting ours fails and its log says so.
      return false;
    } finally {
      client.destroy();
    }
  },

  async prepare(): Promise<Launch> {
    const binary = await ensureBinary();
    const home = join(dataDir, "s3");
    rmSync(home, { recursive: true, force: true });
    mkdirSync(join(home, "buckets"), { recursive: true });
    mkdirSync(join(home, "meta"), { recursive: true });
    return {
      command: binary,
      args: [
        "--port",
        this.address,
        "--region",
        config.region,
        "posix",
        // A sidecar folder for metadata, because the POSIX backend otherwise needs xattrs.
        "--sidecar",
        join(home, "meta"),
        join(home, "buckets"),
      ],
      env: { ...process.env, ROOT_ACCESS_KEY: config.accessKeyId, ROOT_SECRET_KEY: config.secretAccessKey },
      version: versitygwVersion,
      marker: "versitygw",
    };
  },

  async provision() {
    const client = testS3Client();
    try {
      await client.send(new CreateBucketCommand({ Bucket: config.bucket }));
    } catch (error) {
      if (!(error instanceof S3ServiceException && error.name === "BucketAlreadyOwnedByYou")) {
        throw new Error(`servers: s3: cannot create bucket ${config.bucket}`, { cause: error });
      }
    } finally {
      client.destroy();
    }
  },
};

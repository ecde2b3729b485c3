import { describe, expect, it } from "vitest";
import { canonicalQuery, EMPTY_SHA256, sigV4Signer, subtleDigests, type Digests } from "./sigv4.ts";
import { nodeDigests } from "./sigv4-node.node.ts";

// The "GET Object" example of AWS's Signature Version 4 documentation for S3 (header signing).
const example = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
  service: "s3",
  now: () => new Date("2013-05-24T00:00:00Z"),
};

describe.each<[string, Digests]>([
  ["Web Crypto", subtleDigests],
  ["node:crypto", nodeDigests],
])("SigV4 with %s digests", (_name, digests) => {
  it("signs AWS's documented GET Object example to its documented signature", async () => {
    const sign = sigV4Signer({ ...example, digests });
    const headers = await sign({ method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: "", headers: { range: "bytes=0-9" }, payloadHash: EMPTY_SHA256 });
    expect(headers.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
    expect(headers["x-amz-date"]).toBe("20130524T000000Z");
  });

  it("hashes a body as SHA-256 hex", async () => {
    expect(await digests.sha256Hex(new Uint8Array())).toBe(EMPTY_SHA256);
    expect(await digests.sha256Hex(new TextEncoder().encode("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("canonical query", () => {
  it("encodes names and values per RFC 3986 and sorts them", () => {
    expect(canonicalQuery({ prefix: "a b/c*", "list-type": "2", uploads: "" })).toBe("list-type=2&prefix=a%20b%2Fc%2A&uploads=");
  });
});

describe("node digests are synchronous", () => {
  it("returns values, not promises, so a busy thread's upload is signed before it yields", () => {
    expect(typeof nodeDigests.sha256Hex(new Uint8Array([1]))).toBe("string");
    expect(nodeDigests.hmacSha256(new Uint8Array([1]), "x")).toBeInstanceOf(Uint8Array);
  });
});

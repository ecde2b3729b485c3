/**
 * AWS Signature Version 4 for the S3 sink's requests (header signing, the
 * payload's SHA-256 sent in `x-amz-content-sha256`). The hash and HMAC come
 * from a `Digests`: Web Crypto (`subtleDigests`, asynchronous, everywhere
 * including workerd) or Node's `node:crypto` (`nodeDigests` in
 * sigv4-node.node.ts, synchronous). Synchronous digests matter in the Kafka
 * runner's worker thread: it encodes flush after flush without yielding, and
 * with Web Crypto each upload waited for the encoding to end before its
 * signature (several thread-pool round trips) was done and it could leave.
 */
export interface Digests {
  sha256Hex(data: Uint8Array): string | Promise<string>;
  hmacSha256(key: Uint8Array, data: string): Uint8Array | Promise<Uint8Array>;
}

const utf8 = new TextEncoder();

const hex = (bytes: Uint8Array): string => {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
};

export const subtleDigests: Digests = {
  async sha256Hex(data) {
    return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>)));
  },
  async hmacSha256(key, data) {
    const k = await crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", k, utf8.encode(data)));
  },
};

/** The SHA-256 of an empty body, as S3 expects for requests without one. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** RFC 3986 percent-encoding (everything but A-Z a-z 0-9 - _ . ~), as SigV4 canonicalises names and values. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A query string in SigV4's canonical form: pairs encoded by `uriEncode`, sorted by name then value. */
export function canonicalQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

export interface SignerOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  service: string;
  digests: Digests;
  now?: () => Date;
}

export interface SignInput {
  method: string;
  /** The Host header: host and port, e.g. `127.0.0.1:19000`. */
  host: string;
  /** Already percent-encoded once, as sent. */
  path: string;
  /** Exactly the string sent after `?` (canonicalQuery's output), or "". */
  query: string;
  /** Lower-case names; all of them are signed. */
  headers: Record<string, string>;
  payloadHash: string;
}

/** Returns the headers to send: the input's plus host-independent `x-amz-*` and `authorization`. */
export function sigV4Signer(options: SignerOptions): (input: SignInput) => Promise<Record<string, string>> {
  const { digests } = options;
  const now = options.now ?? (() => new Date());
  let cached: { day: string; key: Uint8Array } | null = null;

  async function signingKey(day: string): Promise<Uint8Array> {
    if (cached?.day === day) return cached.key;
    let key = await digests.hmacSha256(utf8.encode(`AWS4${options.secretAccessKey}`), day);
    for (const part of [options.region, options.service, "aws4_request"]) key = await digests.hmacSha256(key, part);
    cached = { day, key };
    return key;
  }

  return async (input) => {
    const stamp = now().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = stamp.slice(0, 8);
    const headers: Record<string, string> = { ...input.headers, "x-amz-date": stamp, "x-amz-content-sha256": input.payloadHash };
    if (options.sessionToken) headers["x-amz-security-token"] = options.sessionToken;
    const signing: Record<string, string> = { ...headers, host: input.host };
    const names = Object.keys(signing).sort();
    const canonicalHeaders = names.map((n) => `${n}:${signing[n]!.trim().replace(/\s+/g, " ")}\n`).join("");
    const signedHeaders = names.join(";");
    const request = [input.method, input.path, input.query, canonicalHeaders, signedHeaders, input.payloadHash].join("\n");
    const scope = `${day}/${options.region}/${options.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${await digests.sha256Hex(utf8.encode(request))}`;
    const signature = hex(await digests.hmacSha256(await signingKey(day), toSign));
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${options.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  };
}

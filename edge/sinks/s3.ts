import { canonicalQuery, EMPTY_SHA256, sigV4Signer, subtleDigests, uriEncode, type Digests } from "./sigv4.ts";
import { checkKey, compareKeys } from "./keys.ts";
import type { Sink } from "./sink.ts";

/**
 * The server answered, and the answer was no (a 4xx other than 429: no such
 * bucket, access denied, a bad signature). Asking again will not help.
 */
export class S3Refusal extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** S3's error code (`NoSuchBucket`, `SignatureDoesNotMatch`, …), when the answer had one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface S3SinkOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:19000` or `https://<account>.r2.cloudflarestorage.com`. Buckets are addressed path-style. */
  endpoint: string;
  bucket: string;
  /** Prepended to every key, e.g. `turnstile/`. */
  prefix?: string;
  /** `us-east-1` unless given; R2 takes `auto`. */
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Bodies larger than this go up as a multipart upload (default: `partSize`). */
  multipartThreshold?: number;
  /** Bytes per multipart part, ≥ 5 MiB as S3 requires (default 8 MiB). */
  partSize?: number;
  /** Parts in flight at once (default 4). */
  partConcurrency?: number;
  /** Tries per request before the error surfaces (default 5). */
  attempts?: number;
  /** First retry delay; doubles each retry (default 200 ms). */
  backoffMs?: number;
  /** Keys per ListObjectsV2 page (default 1000, S3's maximum). */
  listPageSize?: number;
  /** SigV4's hash and HMAC: Web Crypto unless given (Node callers pass sigv4-node's synchronous ones). */
  digests?: Digests;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

const MiB = 1024 * 1024;

/**
 * A sink over any S3-compatible service (AWS S3, R2's S3 API, MinIO,
 * versitygw) with requests signed by sigv4.ts and sent with `fetch`, so the
 * same code runs in workerd, Node and browsers. putIfAbsent is a conditional
 * PUT (`If-None-Match: *`, 412 when the key exists). Bodies above the
 * threshold go up in parts, and a failed multipart upload is aborted.
 * Requests that fail with 5xx, 429 or a network error are retried with
 * exponential backoff; after the last try the error names the operation,
 * the object and the last answer.
 */
export function s3Sink(options: S3SinkOptions): Sink {
  const endpoint = options.endpoint.replace(/\/+$/, "");
  const prefix = options.prefix ?? "";
  const partSize = options.partSize ?? 8 * MiB;
  const threshold = options.multipartThreshold ?? partSize;
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 200;
  const pageSize = options.listPageSize ?? 1000;
  const partConcurrency = options.partConcurrency ?? 4;
  const doFetch = options.fetch ?? ((input: Request) => fetch(input));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (partSize < 5 * MiB) throw new Error(`sink s3: partSize must be at least 5 MiB, got ${partSize}`);
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`sink s3: attempts must be a positive integer, got ${attempts}`);
  if (prefix !== "") checkKey("s3", prefix.endsWith("/") ? `${prefix}x` : prefix);
  const digests = options.digests ?? subtleDigests;
  const sign = sigV4Signer({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    sessionToken: options.sessionToken,
    service: "s3",
    region: options.region ?? "us-east-1",
    digests,
  });
  const { origin, host } = new URL(endpoint);
  // An endpoint may carry a path of its own (a gateway in front of the store); it precedes the bucket.
  const basePath = endpoint.slice(origin.length);
  const where = (key: string) => `s3://${options.bucket}/${prefix}${key}`;

  interface Target {
    path: string;
    query: string;
  }

  function url(key: string | null, query: Record<string, string> = {}): Target {
    return { path: `${basePath}/${uriEncode(options.bucket)}${key === null ? "" : `/${encodeKey(prefix + key)}`}`, query: canonicalQuery(query) };
  }

  /**
   * One S3 request with retries. Answers other than 5xx/429 (and statuses in
   * `retryOn`) come back to the caller, who decides what they mean.
   */
  async function send(
    what: string,
    method: string,
    target: Target,
    init: { headers?: Record<string, string>; body?: Uint8Array; retryOn?: number[] } = {},
  ): Promise<Response> {
    const payloadHash = init.body ? await digests.sha256Hex(init.body) : EMPTY_SHA256;
    const href = `${origin}${target.path}${target.query ? `?${target.query}` : ""}`;
    let last = "";
    let lastCause: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
      let response: Response;
      try {
        const headers = await sign({ method, host, path: target.path, query: target.query, headers: { ...init.headers }, payloadHash });
        response = await doFetch(new Request(href, { method, headers, body: init.body as Uint8Array<ArrayBuffer> | undefined }));
      } catch (cause) {
        last = `network error: ${networkFailure(origin, cause)}`;
        lastCause = cause;
        continue;
      }
      if (response.status >= 500 || response.status === 429 || init.retryOn?.includes(response.status)) {
        last = await describeFailure(response);
        lastCause = undefined;
        continue;
      }
      return response;
    }
    throw new Error(`sink s3: ${what} failed after ${attempts} attempts: ${last}`, lastCause ? { cause: lastCause } : undefined);
  }

  async function expectOk(what: string, response: Response, ok: number[] = [200]): Promise<Response> {
    if (ok.includes(response.status)) return response;
    const text = await response.text();
    const code = text.includes("<Error>") ? (xmlValues(text, "Code")[0] ?? null) : null;
    throw new S3Refusal(`sink s3: ${what} failed: ${failureText(response, text)}`, response.status, code);
  }

  async function putSingle(key: string, body: Uint8Array, contentType: string | undefined, ifAbsent: boolean): Promise<boolean> {
    const what = `${ifAbsent ? "conditional " : ""}PUT ${where(key)}`;
    const headers: Record<string, string> = { "content-type": contentType ?? "application/octet-stream" };
    // S3 answers 409 ConditionalRequestConflict while another conditional write to the key is in flight.
    if (ifAbsent) headers["if-none-match"] = "*";
    const response = await send(what, "PUT", url(key), { headers, body, retryOn: ifAbsent ? [409] : [] });
    if (ifAbsent && response.status === 412) {
      await response.body?.cancel();
      return false;
    }
    await expectOk(what, response);
    await response.body?.cancel();
    return true;
  }

  async function putMultipart(key: string, body: Uint8Array, contentType: string | undefined, ifAbsent: boolean): Promise<boolean> {
    const what = `multipart PUT ${where(key)}`;
    const created = await expectOk(
      `${what} (create)`,
      await send(`${what} (create)`, "POST", url(key, { uploads: "" }), {
        headers: { "content-type": contentType ?? "application/octet-stream" },
      }),
    );
    const uploadId = xmlValues(await created.text(), "UploadId")[0];
    if (!uploadId) throw new Error(`sink s3: ${what} (create) answered without an UploadId`);
    const target = (query: Record<string, string>) => url(key, { ...query, uploadId });
    try {
      const count = Math.ceil(body.length / partSize);
      const etags: string[] = new Array(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const index = next++;
          const part = body.subarray(index * partSize, Math.min(body.length, (index + 1) * partSize));
          const label = `${what} (part ${index + 1} of ${count})`;
          const response = await expectOk(label, await send(label, "PUT", target({ partNumber: String(index + 1) }), { body: part }));
          await response.body?.cancel();
          const etag = response.headers.get("etag");
          if (!etag) throw new Error(`sink s3: ${label} answered without an ETag`);
          etags[index] = etag;
        }
      };
      await Promise.all(Array.from({ length: Math.min(partConcurrency, count) }, worker));
      const xml =
        "<CompleteMultipartUpload>" +
        etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join("") +
        "</CompleteMultipartUpload>";
      const headers: Record<string, string> = { "content-type": "application/xml" };
      if (ifAbsent) headers["if-none-match"] = "*";
      const label = `${what} (complete)`;
      const response = await send(label, "POST", target({}), { headers, body: new TextEncoder().encode(xml), retryOn: ifAbsent ? [409] : [] });
      if (ifAbsent && response.status === 412) {
        await response.body?.cancel();
        await abort();
        return false;
      }
      await expectOk(label, response);
      // S3 can answer 200 and still report an error in the body.
      const text = await response.text();
      if (text.includes("<Error>")) throw new Error(`sink s3: ${label} failed: ${describeXmlError(text)}`);
      return true;
    } catch (error) {
      await abort().catch((abortError: unknown) => {
        throw new AggregateError([error, abortError], `sink s3: ${what} failed, and aborting the upload failed too`);
      });
      throw error;
    }

    async function abort(): Promise<void> {
      const label = `${what} (abort)`;
      const response = await expectOk(label, await send(label, "DELETE", target({})), [200, 204, 404]);
      await response.body?.cancel();
    }
  }

  function put(key: string, body: Uint8Array, contentType: string | undefined, ifAbsent: boolean): Promise<boolean> {
    checkKey("s3", key);
    return body.length > threshold ? putMultipart(key, body, contentType, ifAbsent) : putSingle(key, body, contentType, ifAbsent);
  }

  return {
    describe: `s3://${options.bucket}/${prefix}`,

    requestsFor(bytes) {
      return bytes > threshold ? Math.ceil(bytes / partSize) + 2 : 1;
    },

    async put(key, body, opts) {
      await put(key, body, opts?.contentType, false);
    },

    putIfAbsent(key, body, opts) {
      return put(key, body, opts?.contentType, true);
    },

    async get(key) {
      checkKey("s3", key);
      const what = `GET ${where(key)}`;
      const response = await send(what, "GET", url(key));
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      await expectOk(what, response);
      return new Uint8Array(await response.arrayBuffer());
    },

    async list(listPrefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const query: Record<string, string> = { "list-type": "2", prefix: prefix + listPrefix, "max-keys": String(pageSize) };
        if (token) query["continuation-token"] = token;
        const what = `LIST ${where(listPrefix)}`;
        const xml = await (await expectOk(what, await send(what, "GET", url(null, query)))).text();
        for (const key of xmlValues(xml, "Key")) keys.push(key.slice(prefix.length));
        token = xmlValues(xml, "IsTruncated")[0] === "true" ? xmlValues(xml, "NextContinuationToken")[0] : undefined;
        if (xmlValues(xml, "IsTruncated")[0] === "true" && !token) throw new Error(`sink s3: ${what} is truncated but has no NextContinuationToken`);
      } while (token);
      return keys.sort(compareKeys);
    },

    async delete(key) {
      checkKey("s3", key);
      const what = `DELETE ${where(key)}`;
      const response = await expectOk(what, await send(what, "DELETE", url(key)), [200, 204, 404]);
      await response.body?.cancel();
    },
  };
}

/** A key as an S3 URL path: each segment percent-encoded the way SigV4 canonicalises it. */
function encodeKey(key: string): string {
  return key
    .split("/")
    .map(uriEncode)
    .join("/");
}

async function describeFailure(response: Response): Promise<string> {
  return failureText(response, await response.text());
}

function failureText(response: Response, text: string): string {
  return `${response.status} ${response.statusText}${text.includes("<Error>") ? ` ${describeXmlError(text)}` : ""}`.trim();
}

function describeXmlError(xml: string): string {
  const code = xmlValues(xml, "Code")[0] ?? "";
  const message = xmlValues(xml, "Message")[0] ?? "";
  return [code, message].filter(Boolean).join(": ");
}

/** The text of every `<tag>` element, entities decoded. S3's answers are flat enough that this is exact. */
function xmlValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g");
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(unescapeXml(m[1]!));
  return out;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity[0] === "#") return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[entity]!;
  });
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

/**
 * A request that got no answer, in words that name the server: `fetch failed` alone leaves a person
 * guessing which endpoint was tried (a missing `RUNNEL_S3_ENDPOINT` sends a local server's writes to
 * AWS). The innermost cause carries the system's reason (`connect ECONNREFUSED …`, `getaddrinfo ENOTFOUND …`).
 */
function networkFailure(origin: string, cause: unknown): string {
  let inner = cause;
  while (inner instanceof Error && inner.cause !== undefined) inner = inner.cause;
  const reason = inner instanceof Error ? inner.message : String(inner);
  const outer = cause instanceof Error ? cause.message : String(cause);
  return `cannot reach ${origin} (${outer === reason ? reason : `${outer}: ${reason}`})`;
}

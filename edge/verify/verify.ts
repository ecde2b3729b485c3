/**
 * Webhook signature verification with web standards only (`crypto.subtle`),
 * so the Worker, the browser and Node share it. Signatures are compared in
 * constant time: every byte is looked at whatever the first difference.
 *
 *   github  X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
 *   stripe  Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=...]
 *   sha256  X-Signature-256 (or X-Signature): sha256=<hex HMAC-SHA256(secret, body)>
 *   bearer  Authorization: Bearer <secret>
 */
export type VerifyScheme = "github" | "stripe" | "sha256" | "bearer";

export type Verdict = { ok: true } | { ok: false; reason: string };

export interface VerifyInput {
  scheme: VerifyScheme;
  secret: string;
  /** A `Headers`, or anything that reads a header by name (the gateway passes Hono's). */
  headers: { get(name: string): string | null };
  body: Uint8Array;
  /** Seconds since the epoch, for Stripe's timestamp tolerance. */
  nowSeconds: number;
  /** Stripe's default: a signature more than five minutes from now is refused. */
  toleranceSeconds?: number;
}

const utf8 = new TextEncoder();

/** Verifies a delivery the way its sender signs it. Never throws for bad input; a verdict says why. */
export async function verifyDelivery(input: VerifyInput): Promise<Verdict> {
  const { scheme, secret, headers, body } = input;
  switch (scheme) {
    case "github":
      return checkHex(headers.get("x-hub-signature-256"), "X-Hub-Signature-256", await hmacSha256(secret, body));
    case "sha256":
      return checkHex(headers.get("x-signature-256") ?? headers.get("x-signature"), "X-Signature-256", await hmacSha256(secret, body));
    case "bearer": {
      const match = headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i);
      if (!match) return { ok: false, reason: "verify: missing Authorization: Bearer header" };
      return bytesEqual(utf8.encode(match[1]!), utf8.encode(secret)) ? { ok: true } : { ok: false, reason: "verify: the bearer token does not match" };
    }
    case "stripe":
      return verifyStripe(headers.get("stripe-signature"), secret, body, input.nowSeconds, input.toleranceSeconds ?? 300);
  }
}

async function verifyStripe(header: string | null, secret: string, body: Uint8Array, now: number, tolerance: number): Promise<Verdict> {
  if (!header) return { ok: false, reason: "verify: missing Stripe-Signature header" };
  const parts = header.split(",").map((part) => part.trim().split("=", 2) as [string, string?]);
  const timestamp = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k]) => k === "v1").map(([, v]) => v ?? "");
  if (!timestamp || !/^\d+$/.test(timestamp) || signatures.length === 0) {
    return { ok: false, reason: "verify: Stripe-Signature needs t=<unix time> and v1=<signature>" };
  }
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    return { ok: false, reason: `verify: Stripe-Signature timestamp is more than ${tolerance} s from the receiver's clock` };
  }
  const prefix = utf8.encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  const expected = await hmacSha256(secret, signed);
  // Every candidate is compared, so the time taken does not reveal which one matched.
  let matched = false;
  for (const candidate of signatures) matched = hexEqual(candidate, expected) || matched;
  return matched ? { ok: true } : { ok: false, reason: "verify: no v1 signature in Stripe-Signature matches" };
}

const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA256 of `body` under `secret`; imported keys are cached per secret. */
export async function hmacSha256(secret: string, body: Uint8Array): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    if (keys.size > 16) keys.clear();
    keys.set(secret, key);
  }
  return new Uint8Array(await crypto.subtle.sign("HMAC", await key, body as Uint8Array<ArrayBuffer>));
}

function checkHex(header: string | null, name: string, expected: Uint8Array): Verdict {
  if (!header) return { ok: false, reason: `verify: missing ${name} header` };
  const given = header.startsWith("sha256=") ? header.slice(7) : header;
  return hexEqual(given, expected) ? { ok: true } : { ok: false, reason: `verify: ${name} does not match the body` };
}

/** A hex string against digest bytes; constant time for input of the right length. */
export function hexEqual(hex: string, expected: Uint8Array): boolean {
  if (hex.length !== expected.length * 2 || !/^[0-9a-fA-F]+$/.test(hex)) return false;
  const given = new Uint8Array(expected.length);
  for (let i = 0; i < given.length; i++) given[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytesEqual(given, expected);
}

/** Constant-time equality: the loop always runs over the longer input. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** The X-Hub-Signature-256 value GitHub would send for `body` (tests, benches). */
export async function githubSignature(secret: string, body: Uint8Array | string): Promise<string> {
  return `sha256=${toHex(await hmacSha256(secret, typeof body === "string" ? utf8.encode(body) : body))}`;
}

/** The Stripe-Signature value Stripe would send for `body` at `timestamp`. */
export async function stripeSignature(secret: string, body: Uint8Array | string, timestamp: number): Promise<string> {
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  const prefix = utf8.encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + bytes.length);
  signed.set(prefix);
  signed.set(bytes, prefix.length);
  return `t=${timestamp},v1=${toHex(await hmacSha256(secret, signed))}`;
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

import { createHmac, timingSafeEqual } from "node:crypto";
import type { SignatureScheme } from "../../notebook/format/model.ts";
import { secretsEqual } from "../token.ts";
import { base64Equal, standardHeaders, standardKey, standardMismatch, timestampRefusal } from "../../edge/verify/verify.ts";

/** What verification reads from a request: `Headers`, or a lighter reader of the same shape. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Why a delivery was refused, or null when it verifies. */
export type Verdict = { ok: true } | { ok: false; reason: string };

export interface VerifyInput {
  scheme: Exclude<SignatureScheme, "none">;
  secret: string;
  headers: HeaderReader;
  body: Uint8Array;
  /** Seconds since the epoch, for Stripe's timestamp tolerance. */
  nowSeconds: number;
  /** Stripe's default: a signature older or newer than five minutes is refused. */
  toleranceSeconds?: number;
}

/**
 * Verifies a webhook delivery the way its sender signs it, comparing in
 * constant time:
 *
 *   github  X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
 *   stripe  Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=...]
 *   sha256  X-Signature-256 (or X-Signature): sha256=<hex HMAC-SHA256(secret, body)>
 *   bearer  Authorization: Bearer <secret>
 *   shopify, slack, standard  as `edge/verify/verify.ts` describes them
 */
export function verifyDelivery(input: VerifyInput): Verdict {
  const { scheme, secret, headers, body } = input;
  switch (scheme) {
    case "github":
      return checkHex(headers.get("x-hub-signature-256"), "X-Hub-Signature-256", hmacHex(secret, body));
    case "sha256":
      return checkHex(headers.get("x-signature-256") ?? headers.get("x-signature"), "X-Signature-256", hmacHex(secret, body));
    case "bearer": {
      const match = headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i);
      if (!match) return { ok: false, reason: "webhook: missing Authorization: Bearer header" };
      return secretsEqual(match[1]!, secret) ? { ok: true } : { ok: false, reason: "webhook: the bearer token does not match" };
    }
    case "stripe":
      return verifyStripe(headers.get("stripe-signature"), secret, body, input.nowSeconds, input.toleranceSeconds ?? 300);
    case "shopify": {
      const given = headers.get("x-shopify-hmac-sha256");
      if (!given) return { ok: false, reason: "webhook: missing X-Shopify-Hmac-Sha256 header" };
      return base64Equal(given.trim(), hmacHex(secret, body)) ? { ok: true } : { ok: false, reason: "webhook: X-Shopify-Hmac-Sha256 does not match the body" };
    }
    case "slack":
      return verifySlack(headers, secret, body, input.nowSeconds, input.toleranceSeconds ?? 300);
    case "standard":
      return verifyStandard(headers, secret, body, input.nowSeconds, input.toleranceSeconds ?? 300);
  }
}

function verifySlack(headers: HeaderReader, secret: string, body: Uint8Array, now: number, tolerance: number): Verdict {
  const signature = headers.get("x-slack-signature");
  if (!signature) return { ok: false, reason: "webhook: missing X-Slack-Signature header" };
  const t = headers.get("x-slack-request-timestamp");
  const late = timestampRefusal("X-Slack-Request-Timestamp", t, now, tolerance, "gateway");
  if (late) return { ok: false, reason: `webhook: ${late}` };
  if (!signature.startsWith("v0=")) return { ok: false, reason: "webhook: X-Slack-Signature must start with v0=" };
  const expected = createHmac("sha256", secret).update(`v0:${t!.trim()}:`).update(body).digest();
  return hexEqual(signature.slice(3), expected) ? { ok: true } : { ok: false, reason: "webhook: X-Slack-Signature does not match the body" };
}

function verifyStandard(headers: HeaderReader, secret: string, body: Uint8Array, now: number, tolerance: number): Verdict {
  const { id, t, signature } = standardHeaders(headers);
  if (!signature) return { ok: false, reason: "webhook: missing webhook-signature header" };
  if (!id) return { ok: false, reason: "webhook: missing webhook-id header" };
  const late = timestampRefusal("webhook-timestamp", t, now, tolerance, "gateway");
  if (late) return { ok: false, reason: `webhook: ${late}` };
  const key = standardKey(secret);
  if (!key) return { ok: false, reason: "webhook: the secret is not a Standard Webhooks secret (whsec_<base64>)" };
  const expected = createHmac("sha256", key).update(`${id}.${t!.trim()}.`).update(body).digest();
  const refused = standardMismatch(signature, expected);
  return refused === null ? { ok: true } : { ok: false, reason: `webhook: ${refused}` };
}

function verifyStripe(header: string | null, secret: string, body: Uint8Array, now: number, tolerance: number): Verdict {
  if (!header) return { ok: false, reason: "webhook: missing Stripe-Signature header" };
  const parts = header.split(",").map((part) => part.trim().split("=", 2) as [string, string?]);
  const timestamp = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k]) => k === "v1").map(([, v]) => v ?? "");
  if (!timestamp || !/^\d+$/.test(timestamp) || signatures.length === 0) {
    return { ok: false, reason: "webhook: Stripe-Signature needs t=<unix time> and v1=<signature>" };
  }
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    return { ok: false, reason: `webhook: Stripe-Signature timestamp is more than ${tolerance} s from the gateway's clock` };
  }
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
  // Every candidate is compared, so the time taken does not reveal which one matched.
  let matched = false;
  for (const candidate of signatures) matched = hexEqual(candidate, expected) || matched;
  return matched ? { ok: true } : { ok: false, reason: "webhook: no v1 signature in Stripe-Signature matches" };
}

function hmacHex(secret: string, body: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

function checkHex(header: string | null, name: string, expected: Buffer): Verdict {
  if (!header) return { ok: false, reason: `webhook: missing ${name} header` };
  const given = header.startsWith("sha256=") ? header.slice(7) : header;
  return hexEqual(given, expected) ? { ok: true } : { ok: false, reason: `webhook: ${name} does not match the body` };
}

/** A hex string against digest bytes, in constant time for well-formed input. */
function hexEqual(hex: string, expected: Buffer): boolean {
  if (hex.length !== expected.length * 2 || !/^[0-9a-fA-F]+$/.test(hex)) return false;
  return timingSafeEqual(Buffer.from(hex, "hex"), expected);
}

/** The header value GitHub would send for `body` (for tests, benches and fixtures). */
export function githubSignature(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The Stripe-Signature value Stripe would send for `body` at `timestamp`. */
export function stripeSignature(secret: string, body: Uint8Array | string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

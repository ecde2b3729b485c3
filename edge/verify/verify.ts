/**
 * Webhook signature verification with web standards only (`crypto.subtle`),
 * so the Worker, the browser and Node share it. Signatures are compared in
 * constant time: every byte is looked at whatever the first difference.
 *
 *   github  X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
 *   stripe  Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=...]
 *   sha256  X-Signature-256 (or X-Signature): sha256=<hex HMAC-SHA256(secret, body)>
 *   bearer  Authorization: Bearer <secret>
 *   shopify X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>
 *   slack   X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:<t>:<body>")>, X-Slack-Request-Timestamp: <t>
 *   standard  Standard Webhooks (Svix, Clerk, Resend, OpenAI, …): webhook-signature: v1,<base64
 *           HMAC-SHA256(key, "<id>.<t>.<body>")> [v1,<…>]…, webhook-id: <id>, webhook-timestamp: <t>,
 *           the key being the secret's base64 after `whsec_` (svix-id/-timestamp/-signature read too)
 *
 * The schemes with a timestamp refuse one more than five minutes from the receiver's clock.
 */
export type VerifyScheme = "github" | "stripe" | "sha256" | "bearer" | "shopify" | "slack" | "standard";

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
    case "shopify": {
      const given = headers.get("x-shopify-hmac-sha256");
      if (!given) return { ok: false, reason: "verify: missing X-Shopify-Hmac-Sha256 header" };
      return base64Equal(given.trim(), await hmacSha256(secret, body)) ? { ok: true } : { ok: false, reason: "verify: X-Shopify-Hmac-Sha256 does not match the body" };
    }
    case "slack":
      return verifySlack(headers, secret, body, input.nowSeconds, input.toleranceSeconds ?? 300);
    case "standard":
      return verifyStandard(headers, secret, body, input.nowSeconds, input.toleranceSeconds ?? 300);
  }
}

/** The part of a timestamped scheme that does not depend on the hash: is `t` a time near enough to now. */
export function timestampRefusal(name: string, t: string | null, now: number, tolerance: number, where: string): string | null {
  if (t === null || !/^\d{1,12}$/.test(t.trim())) return `${name} must be a Unix time in seconds${t === null ? " (missing)" : `, got '${t.slice(0, 40)}'`}`;
  if (Math.abs(now - Number(t.trim())) > tolerance) return `${name} is more than ${tolerance} s from the ${where}'s clock`;
  return null;
}

async function verifySlack(headers: VerifyInput["headers"], secret: string, body: Uint8Array, now: number, tolerance: number): Promise<Verdict> {
  const signature = headers.get("x-slack-signature");
  if (!signature) return { ok: false, reason: "verify: missing X-Slack-Signature header" };
  const t = headers.get("x-slack-request-timestamp");
  const late = timestampRefusal("X-Slack-Request-Timestamp", t, now, tolerance, "receiver");
  if (late) return { ok: false, reason: `verify: ${late}` };
  if (!signature.startsWith("v0=")) return { ok: false, reason: "verify: X-Slack-Signature must start with v0=" };
  const expected = await hmacSha256(secret, joinBytes(utf8.encode(`v0:${t!.trim()}:`), body));
  return hexEqual(signature.slice(3), expected) ? { ok: true } : { ok: false, reason: "verify: X-Slack-Signature does not match the body" };
}

/** A Standard Webhooks secret's key: the base64 after `whsec_`, or null when it is not base64. */
export function standardKey(secret: string): Uint8Array | null {
  const text = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  if (text.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1) return null;
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * A delivery's id, from the header the source names (`delivery_header`, defaulted by scheme); for
 * Standard Webhooks also from Svix's name for it (`svix-id`), which Svix and Clerk send instead.
 */
export function deliveryIdOf(source: { signature: string; deliveryHeader: string | null }, headers: VerifyInput["headers"]): string | null {
  if (!source.deliveryHeader) return null;
  const id = headers.get(source.deliveryHeader);
  if (id !== null || source.signature !== "standard" || source.deliveryHeader.toLowerCase() !== "webhook-id") return id;
  return headers.get("svix-id");
}

/**
 * For a verified Stripe delivery: an id that a replay of it shares and no other delivery has, so
 * the copy an eavesdropper sends again within the 300 s tolerance is a duplicate (Stripe puts its
 * event id in the body, not in a header a receiver could dedupe by, and signs each attempt
 * anew, so its own retries stay new deliveries). A digest of the signed timestamp and the body,
 * never the signature itself: stored, a signature lets anyone test guesses of the secret offline.
 * The same for Slack, which sends no delivery id and signs each retry at its own time. Null for
 * other schemes. For these two it comes before the source's own delivery header (`deliveryIdOf`):
 * neither signs such a header, so a replay under a new header value would otherwise be new.
 */
export async function replayKey(scheme: VerifyScheme | "none", headers: VerifyInput["headers"], body: Uint8Array): Promise<string | null> {
  // Slack too: it signs each attempt at its own time (X-Slack-Request-Timestamp), so only a copy sent again shares the key.
  const t =
    scheme === "stripe"
      ? (headers.get("stripe-signature") ?? "").split(",").map((part) => part.trim().split("=", 2)).find(([k]) => k === "t")?.[1]
      : scheme === "slack"
        ? headers.get("x-slack-request-timestamp")?.trim()
        : undefined;
  if (t === undefined) return null;
  const digest = await crypto.subtle.digest("SHA-256", joinBytes(utf8.encode(`${scheme}:${t}.`), body) as Uint8Array<ArrayBuffer>);
  return `replay:${toHex(new Uint8Array(digest))}`;
}

/** The three headers of a Standard Webhooks delivery, under their own names or Svix's. */
export function standardHeaders(headers: VerifyInput["headers"]): { id: string | null; t: string | null; signature: string | null } {
  return {
    id: headers.get("webhook-id") ?? headers.get("svix-id"),
    t: headers.get("webhook-timestamp") ?? headers.get("svix-timestamp"),
    signature: headers.get("webhook-signature") ?? headers.get("svix-signature"),
  };
}

async function verifyStandard(headers: VerifyInput["headers"], secret: string, body: Uint8Array, now: number, tolerance: number): Promise<Verdict> {
  const { id, t, signature } = standardHeaders(headers);
  if (!signature) return { ok: false, reason: "verify: missing webhook-signature header" };
  if (!id) return { ok: false, reason: "verify: missing webhook-id header" };
  const late = timestampRefusal("webhook-timestamp", t, now, tolerance, "receiver");
  if (late) return { ok: false, reason: `verify: ${late}` };
  const key = standardKey(secret);
  if (!key) return { ok: false, reason: "verify: the secret is not a Standard Webhooks secret (whsec_<base64>)" };
  const expected = await hmacSha256(key, joinBytes(utf8.encode(`${id}.${t!.trim()}.`), body));
  const refused = standardMismatch(signature, expected);
  return refused === null ? { ok: true } : { ok: false, reason: `verify: ${refused}` };
}

/**
 * Why no `v1,<base64>` of a webhook-signature header is `expected`, or null
 * when one is. Every v1 candidate is compared (several during a key
 * rotation), so the time taken does not reveal which one matched.
 */
export function standardMismatch(header: string, expected: Uint8Array): string | null {
  let matched = false;
  let candidates = 0;
  for (const part of header.split(" ")) {
    const comma = part.indexOf(",");
    if (comma < 0 || part.slice(0, comma) !== "v1") continue;
    candidates++;
    matched = base64Equal(part.slice(comma + 1), expected) || matched;
  }
  if (candidates === 0) return "webhook-signature has no v1,<signature>";
  return matched ? null : "no v1 signature in webhook-signature matches";
}

/**
 * Slack's one-time check of a new Events API URL: a verified delivery of
 * `{"type": "url_verification", "challenge": c}` must be answered with `c`,
 * and is not an event. Returns `c`, or null for any other body.
 */
export function slackChallenge(body: Uint8Array): string | null {
  if (body.length > 4096 || body[0] !== 0x7b) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(body)) as { type?: unknown; challenge?: unknown };
    return value.type === "url_verification" && typeof value.challenge === "string" ? value.challenge : null;
  } catch {
    return null;
  }
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
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

/** HMAC-SHA256 of `body` under `secret` (text as UTF-8, or key bytes); imported keys are cached per secret. */
export async function hmacSha256(secret: string | Uint8Array, body: Uint8Array): Promise<Uint8Array> {
  const id = typeof secret === "string" ? `s:${secret}` : `b:${toHex(secret)}`;
  let key = keys.get(id);
  if (!key) {
    const raw = typeof secret === "string" ? utf8.encode(secret) : secret;
    key = crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    if (keys.size > 16) keys.clear();
    keys.set(id, key);
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

/** A base64 string against digest bytes; constant time for input of the right length. */
export function base64Equal(text: string, expected: Uint8Array): boolean {
  const want = Math.ceil(expected.length / 3) * 4;
  if (text.length !== want || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  return bytesEqual(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)), expected);
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

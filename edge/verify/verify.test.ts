import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { bytesEqual, githubSignature, hexEqual, stripeSignature, verifyDelivery, type VerifyScheme } from "./verify.ts";

const secret = "s3cr3t";
const body = new TextEncoder().encode('{"zen":"Keep it logically awesome.","hook_id":1}');
const now = 1_700_000_000;
const nodeHex = (data: Uint8Array | string) => createHmac("sha256", secret).update(data).digest("hex");

const verify = (scheme: VerifyScheme, headers: Record<string, string>, data = body) =>
  verifyDelivery({ scheme, secret, headers: new Headers(headers), body: data, nowSeconds: now });

describe("verifyDelivery", () => {
  test("github: the signature Node's crypto computes verifies, a changed body or secret does not", async () => {
    const header = `sha256=${nodeHex(body)}`;
    expect(await githubSignature(secret, body)).toBe(header);
    expect(await verify("github", { "X-Hub-Signature-256": header })).toEqual({ ok: true });
    expect(await verify("github", { "X-Hub-Signature-256": header }, new TextEncoder().encode("{}"))).toEqual({ ok: false, reason: "verify: X-Hub-Signature-256 does not match the body" });
    expect(await verify("github", {})).toEqual({ ok: false, reason: "verify: missing X-Hub-Signature-256 header" });
    expect((await verify("github", { "X-Hub-Signature-256": `sha256=${nodeHex(body).slice(0, 63)}` })).ok).toBe(false);
  });

  test("sha256: X-Signature-256 or X-Signature, with or without the sha256= prefix", async () => {
    expect(await verify("sha256", { "X-Signature-256": `sha256=${nodeHex(body)}` })).toEqual({ ok: true });
    expect(await verify("sha256", { "X-Signature": nodeHex(body).toUpperCase() })).toEqual({ ok: true });
    expect((await verify("sha256", { "X-Signature-256": "sha256=zz" })).ok).toBe(false);
  });

  test("stripe: any matching v1 within the tolerance verifies; an old timestamp does not", async () => {
    const good = createHmac("sha256", secret).update(`${now}.`).update(body).digest("hex");
    expect(await stripeSignature(secret, body, now)).toBe(`t=${now},v1=${good}`);
    expect(await verify("stripe", { "Stripe-Signature": `t=${now},v1=${"0".repeat(64)},v1=${good}` })).toEqual({ ok: true });
    expect((await verify("stripe", { "Stripe-Signature": `t=${now - 301},v1=${good}` })).ok).toBe(false);
    expect(await verify("stripe", { "Stripe-Signature": `v1=${good}` })).toEqual({ ok: false, reason: "verify: Stripe-Signature needs t=<unix time> and v1=<signature>" });
  });

  test("bearer: exactly the secret", async () => {
    expect(await verify("bearer", { Authorization: `Bearer ${secret}` })).toEqual({ ok: true });
    expect((await verify("bearer", { Authorization: `Bearer ${secret}x` })).ok).toBe(false);
    expect((await verify("bearer", { Authorization: secret })).ok).toBe(false);
  });
});

describe("constant-time comparison", () => {
  test("bytesEqual compares every byte and the lengths", () => {
    expect(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(bytesEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true);
  });
  test("hexEqual refuses wrong lengths and non-hex text", () => {
    expect(hexEqual("0aff", new Uint8Array([10, 255]))).toBe(true);
    expect(hexEqual("0AFF", new Uint8Array([10, 255]))).toBe(true);
    expect(hexEqual("0af", new Uint8Array([10, 255]))).toBe(false);
    expect(hexEqual("0agf", new Uint8Array([10, 255]))).toBe(false);
  });
});

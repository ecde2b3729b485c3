import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { verifyDelivery as verifyEdge } from "../../edge/verify/verify.ts";
import type { VerifyInput } from "./verify.ts";
import { verifyDelivery as verifyGateway } from "./verify.ts";

// The gateway keeps its own synchronous verifier (node:crypto, no await on the hot path) while the
// Worker uses edge/verify (crypto.subtle). Both must accept and refuse exactly the same deliveries:
// every vector below goes through both, and both must give the expected verdict.

const hex = (secret: string, data: string | Uint8Array) => createHmac("sha256", secret).update(data).digest("hex");
const now = 1_795_000_000;
const fixtures = join(import.meta.dirname, "../../tests/fixtures/github-webhooks");
const payloads = readdirSync(fixtures, { recursive: true, encoding: "utf8" })
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => readFileSync(join(fixtures, name)));

interface Vector {
  name: string;
  input: VerifyInput;
  ok: boolean;
}

function vector(name: string, scheme: VerifyInput["scheme"], secret: string, body: string | Uint8Array, headers: Record<string, string>, ok: boolean): Vector {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return { name, input: { scheme, secret, headers: new Headers(headers), body: bytes, nowSeconds: now }, ok };
}

const body = '{"action":"opened","n":1}';
const stripeSigned = (t: number, b = body, secret = "whsec") => hex(secret, `${t}.${b}`);
const b64 = (secret: string | Buffer, data: string | Uint8Array) => createHmac("sha256", secret).update(data).digest("base64");
const slack = (secret: string, t: number): Record<string, string> => ({
  "x-slack-request-timestamp": String(t),
  "x-slack-signature": `v0=${hex(secret, `v0:${t}:${body}`)}`,
});
// A Standard Webhooks secret: whsec_ and the base64 of the key bytes.
const standardKeyBytes = Buffer.from("runnel-standard-webhooks-key-32b");
const whsec = `whsec_${standardKeyBytes.toString("base64")}`;
const standard = (id: string, t: number): Record<string, string> => ({
  "webhook-id": id,
  "webhook-timestamp": String(t),
  "webhook-signature": `v1,${b64(standardKeyBytes, `${id}.${t}.${body}`)}`,
});
const svix = (id: string, t: number): Record<string, string> =>
  Object.fromEntries(Object.entries(standard(id, t)).map(([k, v]) => [k.replace("webhook-", "svix-"), v]));
const vectors: Vector[] = [
  vector("github: correct", "github", "s", body, { "x-hub-signature-256": `sha256=${hex("s", body)}` }, true),
  vector("github: upper-case hex", "github", "s", body, { "x-hub-signature-256": `sha256=${hex("s", body).toUpperCase()}` }, true),
  vector("github: without the sha256= prefix", "github", "s", body, { "x-hub-signature-256": hex("s", body) }, true),
  vector("github: wrong secret", "github", "t", body, { "x-hub-signature-256": `sha256=${hex("s", body)}` }, false),
  vector("github: one byte more in the body", "github", "s", body + " ", { "x-hub-signature-256": `sha256=${hex("s", body)}` }, false),
  vector("github: truncated signature", "github", "s", body, { "x-hub-signature-256": `sha256=${hex("s", body).slice(0, 62)}` }, false),
  vector("github: not hex", "github", "s", body, { "x-hub-signature-256": `sha256=${"z".repeat(64)}` }, false),
  vector("github: missing header", "github", "s", body, {}, false),
  vector("github: empty body", "github", "s", "", { "x-hub-signature-256": `sha256=${hex("s", "")}` }, true),
  vector("github: non-ASCII secret", "github", "clé-é", body, { "x-hub-signature-256": `sha256=${hex("clé-é", body)}` }, true),
  vector("sha256: X-Signature-256", "sha256", "g", body, { "x-signature-256": `sha256=${hex("g", body)}` }, true),
  vector("sha256: X-Signature fallback", "sha256", "g", body, { "x-signature": hex("g", body) }, true),
  vector("sha256: wrong", "sha256", "g", body, { "x-signature-256": `sha256=${hex("h", body)}` }, false),
  vector("stripe: correct", "stripe", "whsec", body, { "stripe-signature": `t=${now},v1=${stripeSigned(now)}` }, true),
  vector("stripe: second v1 matches", "stripe", "whsec", body, { "stripe-signature": `t=${now},v1=${"0".repeat(64)},v1=${stripeSigned(now)}` }, true),
  vector("stripe: 300 s old", "stripe", "whsec", body, { "stripe-signature": `t=${now - 300},v1=${stripeSigned(now - 300)}` }, true),
  vector("stripe: 301 s old", "stripe", "whsec", body, { "stripe-signature": `t=${now - 301},v1=${stripeSigned(now - 301)}` }, false),
  vector("stripe: 301 s ahead", "stripe", "whsec", body, { "stripe-signature": `t=${now + 301},v1=${stripeSigned(now + 301)}` }, false),
  vector("stripe: timestamp not signed as given", "stripe", "whsec", body, { "stripe-signature": `t=${now + 1},v1=${stripeSigned(now)}` }, false),
  vector("stripe: no timestamp", "stripe", "whsec", body, { "stripe-signature": `v1=${stripeSigned(now)}` }, false),
  vector("stripe: no v1", "stripe", "whsec", body, { "stripe-signature": `t=${now},v0=${stripeSigned(now)}` }, false),
  vector("stripe: spaces after commas", "stripe", "whsec", body, { "stripe-signature": `t=${now}, v1=${stripeSigned(now)}` }, true),
  vector("bearer: exact", "bearer", "let-me-in", body, { authorization: "Bearer let-me-in" }, true),
  vector("bearer: scheme in any case", "bearer", "let-me-in", body, { authorization: "bearer let-me-in" }, true),
  vector("bearer: prefix of the secret", "bearer", "let-me-in", body, { authorization: "Bearer let-me" }, false),
  vector("bearer: no scheme", "bearer", "let-me-in", body, { authorization: "let-me-in" }, false),
  vector("bearer: repeated header (joined)", "bearer", "let-me-in", body, { authorization: "Bearer let-me-in, Bearer x" }, false),
  vector("shopify: correct", "shopify", "shpss", body, { "x-shopify-hmac-sha256": b64("shpss", body) }, true),
  vector("shopify: hex instead of base64", "shopify", "shpss", body, { "x-shopify-hmac-sha256": hex("shpss", body) }, false),
  vector("shopify: wrong secret", "shopify", "other", body, { "x-shopify-hmac-sha256": b64("shpss", body) }, false),
  vector("shopify: missing header", "shopify", "shpss", body, {}, false),
  vector("shopify: base64 without padding", "shopify", "shpss", body, { "x-shopify-hmac-sha256": b64("shpss", body).replace(/=+$/, "") }, false),
  vector("slack: correct", "slack", "8f74", body, slack("8f74", now), true),
  vector("slack: 300 s old", "slack", "8f74", body, slack("8f74", now - 300), true),
  vector("slack: 301 s old", "slack", "8f74", body, slack("8f74", now - 301), false),
  vector("slack: timestamp not the one signed", "slack", "8f74", body, { ...slack("8f74", now), "x-slack-request-timestamp": String(now + 1) }, false),
  vector("slack: no timestamp", "slack", "8f74", body, { "x-slack-signature": slack("8f74", now)["x-slack-signature"]! }, false),
  vector("slack: v1 instead of v0", "slack", "8f74", body, { ...slack("8f74", now), "x-slack-signature": slack("8f74", now)["x-slack-signature"]!.replace("v0=", "v1=") }, false),
  vector("standard: correct", "standard", whsec, body, standard("msg_1", now), true),
  vector("standard: Svix's header names", "standard", whsec, body, svix("msg_1", now), true),
  vector("standard: secret without whsec_", "standard", whsec.slice(6), body, standard("msg_1", now), true),
  vector("standard: second v1 of two (key rotation) matches", "standard", whsec, body, { ...standard("msg_1", now), "webhook-signature": `v1,${"A".repeat(43)}= ${standard("msg_1", now)["webhook-signature"]}` }, true),
  vector("standard: the id is signed (replay under a fresh id)", "standard", whsec, body, { ...standard("msg_1", now), "webhook-id": "msg_2" }, false),
  vector("standard: 301 s ahead", "standard", whsec, body, standard("msg_1", now + 301), false),
  vector("standard: v1a (asymmetric) only", "standard", whsec, body, { ...standard("msg_1", now), "webhook-signature": `v1a,${standard("msg_1", now)["webhook-signature"]!.slice(3)}` }, false),
  vector("standard: missing id", "standard", whsec, body, { "webhook-timestamp": String(now), "webhook-signature": standard("msg_1", now)["webhook-signature"]! }, false),
  vector("standard: a secret that is not base64", "standard", "whsec_not*base64", body, standard("msg_1", now), false),
  ...payloads.flatMap((payload, i) => {
    const flipped = Uint8Array.from(payload);
    flipped[(i * 7919) % flipped.length]! ^= 0x01;
    const signature = `sha256=${hex("fixture-secret", payload)}`;
    return [
      vector(`github fixture ${i}`, "github", "fixture-secret", payload, { "x-hub-signature-256": signature }, true),
      vector(`github fixture ${i}, one bit flipped`, "github", "fixture-secret", flipped, { "x-hub-signature-256": signature }, false),
    ];
  }),
];

test("the GitHub fixtures are there to be verified", () => {
  expect(payloads.length).toBeGreaterThan(5);
});

test.each(vectors.map((v) => [v.name, v] as const))("%s: both verifiers agree", async (_, v) => {
  const gateway = verifyGateway(v.input);
  const edge = await verifyEdge(v.input);
  expect({ gateway: gateway.ok, edge: edge.ok }).toEqual({ gateway: v.ok, edge: v.ok });
});

test("a refused Slack or Standard Webhooks delivery says why, in both verifiers", async () => {
  const cases: Array<[VerifyInput, string]> = [
    [{ scheme: "slack", secret: "8f74", headers: new Headers(slack("8f74", now - 400)), body: Buffer.from(body), nowSeconds: now }, "X-Slack-Request-Timestamp is more than 300 s from the"],
    [{ scheme: "slack", secret: "8f74", headers: new Headers({ ...slack("8f74", now), "x-slack-request-timestamp": "yesterday" }), body: Buffer.from(body), nowSeconds: now }, "X-Slack-Request-Timestamp must be a Unix time in seconds, got 'yesterday'"],
    [{ scheme: "standard", secret: "whsec_not*base64", headers: new Headers(standard("msg_1", now)), body: Buffer.from(body), nowSeconds: now }, "the secret is not a Standard Webhooks secret (whsec_<base64>)"],
    [{ scheme: "standard", secret: whsec, headers: new Headers({ ...standard("msg_1", now), "webhook-id": "msg_2" }), body: Buffer.from(body), nowSeconds: now }, "no v1 signature in webhook-signature matches"],
    [{ scheme: "shopify", secret: "s", headers: new Headers({}), body: Buffer.from(body), nowSeconds: now }, "missing X-Shopify-Hmac-Sha256 header"],
  ];
  for (const [input, reason] of cases) {
    const gateway = verifyGateway(input);
    const edge = await verifyEdge(input);
    expect(gateway.ok ? "" : gateway.reason).toContain(`webhook: ${reason}`);
    expect(edge.ok ? "" : edge.reason).toContain(`verify: ${reason}`);
  }
});

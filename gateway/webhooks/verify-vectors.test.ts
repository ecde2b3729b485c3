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

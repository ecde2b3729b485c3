/**
 * Shopify, Slack and Standard Webhooks (Svix, Clerk, Resend, OpenAI) deliveries to a
 * published Worker on workerd, signed as their senders sign them (node:crypto here, the
 * Worker's crypto.subtle there): 202 and the row in R2; a wrong signature 401 with the
 * reason and nothing stored; a redelivery under the sender's delivery id stored once.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, download, startEdge } from "./harness.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const key = Buffer.from("a-standard-webhooks-signing-key!");
const SECRETS: Record<string, string> = { shopify: "shpss_0123", slack: "8f742231b10e8888abcd99yyyzzz85a5", standard: `whsec_${key.toString("base64")}` };
const hmac = (secret: string | Buffer, text: string, encoding: "hex" | "base64") => createHmac("sha256", secret).update(text).digest(encoding);

/** The headers each sender puts on `body`, `id` being its delivery id where it has one. */
function signed(scheme: string, body: string, id: string, secret = SECRETS[scheme]!): Record<string, string> {
  const t = String(Math.floor(Date.now() / 1000));
  const json = { "content-type": "application/json" };
  if (scheme === "shopify") return { ...json, "x-shopify-hmac-sha256": hmac(secret, body, "base64"), "x-shopify-webhook-id": id };
  if (scheme === "slack") return { ...json, "x-slack-request-timestamp": t, "x-slack-signature": `v0=${hmac(secret, `v0:${t}:${body}`, "hex")}` };
  const k = secret === SECRETS.standard ? key : Buffer.from(secret);
  return { ...json, "webhook-id": id, "webhook-timestamp": t, "webhook-signature": `v1,${hmac(k, `${id}.${t}.${body}`, "base64")}` };
}

describe.each(["shopify", "slack", "standard"])("a %s webhook source on the Worker", (scheme) => {
  test("signed deliveries land in R2, a forged one is refused, a redelivery is stored once", { timeout: 120_000 }, async () => {
    const text = `---\ntitle: ${scheme}\nsources:\n  hook:\n    webhook: { signature: ${scheme}, secret: HOOK_SECRET }\n    format: json\nsinks:\n  out:\n    r2: { binding: LAKE, prefix: out/ }\n---\n\n\`\`\`sql id=out sink=out\nSELECT id, upper(name) AS name FROM hook\n\`\`\`\n`;
    const { notebook, issues } = parseNotebook(text, `${scheme}.md`);
    expect(issues).toEqual([]);
    const plan = await compileWith(notebook, { hook: ['{"id": 1, "name": "zoë"}'] });
    const edge = await startEdge({ name: scheme, plan, notebook, bindings: { HOOK_SECRET: SECRETS[scheme]! } });
    cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
    cleanup.push(() => edge.dispose());

    const first = '{"id": 1, "name": "zoë"}';
    const firstHeaders = signed(scheme, first, "msg_1");
    const ok = await edge.post("hook", first, firstHeaders);
    expect(ok.status, await ok.clone().text()).toBe(202);
    expect(await ok.json()).toMatchObject({ events: 1, rows: 1, duplicate: false });

    const forged = await edge.post("hook", '{"id": 666, "name": "mallory"}', signed(scheme, first, "msg_2"));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toMatch(/^verify: .*(does not match|no v1 signature)/);
    const wrongSecret = await edge.post("hook", '{"id": 667, "name": "eve"}', signed(scheme, '{"id": 667, "name": "eve"}', "msg_3", scheme === "standard" ? "whsec_d3Jvbmc=" : "wrong"));
    expect(wrongSecret.status).toBe(401);

    if (scheme === "slack") {
      // Slack's check of a new Events API URL is answered with its challenge, and is not an event.
      const check = JSON.stringify({ token: "x", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
      const answer = await edge.post("hook", check, signed(scheme, check, ""));
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
      const unsigned = await edge.post("hook", check, { "content-type": "application/json" });
      expect(unsigned.status).toBe(401);
    }

    // A sender's retry: Slack sends no delivery id and signs each attempt at its own time (X-Slack-Retry-Num), so its retries are new deliveries.
    const later = String(Math.floor(Date.now() / 1000) + 1);
    const retry = scheme === "slack" ? { "content-type": "application/json", "x-slack-retry-num": "1", "x-slack-request-timestamp": later, "x-slack-signature": `v0=${hmac(SECRETS.slack!, `v0:${later}:${first}`, "hex")}` } : signed(scheme, first, "msg_1");
    const again = await edge.post("hook", first, retry);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(scheme !== "slack");
    // A copy of the first delivery sent again as it was (a replay within the tolerance) is a duplicate for every scheme.
    const replay = await edge.post("hook", first, firstHeaders);
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as { duplicate: boolean }).duplicate).toBe(true);

    if (scheme === "standard") {
      // Svix and Clerk send the same scheme under svix-* names: verified, and retries still stored once.
      const second = '{"id": 2, "name": "ana"}';
      const svix = Object.fromEntries(Object.entries(signed(scheme, second, "msg_svix")).map(([k, v]) => [k.replace(/^webhook-/, "svix-"), v]));
      expect((await edge.post("hook", second, svix)).status).toBe(202);
      const retry = await edge.post("hook", second, svix);
      expect(((await retry.json()) as { duplicate: boolean }).duplicate).toBe(true);
    }

    expect((await edge.flush()).status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), `runnel-${scheme}-`));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await download(await edge.r2(), "", dir);
    const db = await openDuckDB({ threads: 1 });
    try {
      const rows = (await db.read(`SELECT id, name FROM read_parquet('${dir}/out/**/*.parquet') ORDER BY ALL`)).getRows();
      expect(rows).toEqual(scheme === "slack" ? [[1n, "ZOË"], [1n, "ZOË"]] : scheme === "standard" ? [[1n, "ZOË"], [2n, "ANA"]] : [[1n, "ZOË"]]);
    } finally {
      db.close();
    }
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createHmac } from "node:crypto";
import { afterEach, expect, test } from "vitest";
import { openTestGateway, testToken, type TestGateway } from "../../gateway/test-gateway.ts";
import { shareSinkFromEnv, startGateway, type RunningGateway } from "../../gateway/server.ts";
import type { Logger } from "../../gateway/log.ts";
import { s3 } from "../servers/config.ts";

// A failure's own words name the server's folders, the share bucket, a host. A caller without the token (a share
// link's viewer, a webhook sender through a tunnel) gets the status and a reference; the log line has the reason.

let gw: TestGateway | undefined;
let running: RunningGateway | undefined;
afterEach(async () => {
  await running?.close();
  await gw?.close();
  gw = undefined;
  running = undefined;
});

function collectingLog(): { log: Logger; errors: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = [];
  return { errors, log: { info() {}, warn() {}, error: (msg, fields) => void errors.push({ msg, ...fields }) } };
}

test("a share link whose snapshot store fails answers 500 without the bucket, to the page and to the app; the log has the reason under the reference given", async () => {
  const prefix = `sec14-${Date.now()}/`;
  // The store's credentials no longer work (rotated, expired): every read of a snapshot fails at the real S3 server.
  const shareSink = shareSinkFromEnv({ RUNNEL_SHARE_S3: `s3://${s3.bucket}/${prefix}`, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: "rotated-away", RUNNEL_S3_ENDPOINT: s3.endpoint });
  const { log, errors } = collectingLog();
  gw = await openTestGateway({}, { shareSink, log });
  const id = "5".repeat(64);

  const json = await gw.app.request(`/s/${id}/notebook`);
  expect(json.status).toBe(500);
  const message: string = (await json.json()).error.message;
  expect(message).toMatch(/^gateway: the request failed on the server; its owner finds the reason in the gateway's log under reference [0-9a-f]{8}$/);
  expect(message).not.toContain(s3.bucket);
  const reference = message.slice(-8);
  expect(errors).toContainEqual(expect.objectContaining({ msg: "request failed", path: `/s/${id}/notebook`, reference, error: expect.stringContaining(`s3://${s3.bucket}/${prefix}`) }));

  const page = await gw.app.request(`/s/${id}`, { headers: { "sec-fetch-dest": "document", accept: "text/html" } });
  expect(page.status).toBe(500);
  const html = await page.text();
  expect(html).toContain("the request failed on the server");
  expect(html).not.toContain(s3.bucket);

  // The owner, behind the token, still reads the reason itself.
  const shared = await gw.app.request("/api/share", { method: "POST", headers: { ...gw.auth, "content-type": "application/json" }, body: JSON.stringify({ path: "x.md", text: "---\ntitle: x\n---\n" }) });
  expect(shared.status).toBe(500);
  expect((await shared.json()).error.message).not.toContain("reference");
});

test("a webhook delivery the gateway cannot store answers 500 without the state folder's path, on both ways a delivery is served", async () => {
  const { log, errors } = collectingLog();
  const secret = "sec14-webhook-secret";
  gw = await openTestGateway({ "wh.md": "---\ntitle: wh\nsources:\n  ev:\n    webhook:\n      signature: github\n      secret: WH_SECRET\n    format: json\n---\n" });
  // Where the deliveries folder goes, a file: as a full disk, a read-only mount or a wrong owner make mkdir fail.
  await mkdir(gw.stateDir, { recursive: true });
  await writeFile(join(gw.stateDir, "hooks"), "not a folder");
  running = await startGateway({ port: 0, root: gw.root, stateDir: gw.stateDir, appDir: join(gw.dir, "none"), signals: false, log, env: { WH_SECRET: secret, RUNNEL_TOKEN: testToken } });
  const body = '{"a":1}';
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const base = `http://127.0.0.1:${running.port}`;
  // The plain path is served from Node's request; a query string sends it through Hono.
  for (const path of ["/hooks/wh/ev", "/hooks/wh/ev?attempt=2"]) {
    const res = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body });
    expect(res.status, path).toBe(500);
    const message: string = (await res.json()).error.message;
    expect(message, path).toMatch(/^gateway: the request failed on the server; its owner finds the reason in the gateway's log under reference [0-9a-f]{8}$/);
    expect(message, path).not.toContain(gw.stateDir);
    expect(errors, path).toContainEqual(expect.objectContaining({ msg: "request failed", reference: message.slice(-8), error: expect.stringContaining(gw.stateDir) }));
  }
});

import { createServer, type Server } from "node:http";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { silentLogger } from "../../gateway/log.ts";
import { type RunningGateway, startGateway } from "../../gateway/server.ts";
import { type LaunchedBrowser, launchBrowser } from "../servers/browser.ts";

// The owner opened the gateway (the runnel_token cookie is set), then visits a page on another port of the same
// machine: another dev server, a Docker-published tool. That page is the same site as the gateway, so Chromium sends
// the SameSite=Strict cookie with its forms and no-cors fetches; the gateway must refuse every change they ask for.
let gateway: RunningGateway;
let browser: LaunchedBrowser;
let other: Server;
let otherPort: number;
let dir: string;

const attack = (gatewayUrl: string) => `<!doctype html><html><body>
<form id="f" method="POST" enctype="text/plain" action="${gatewayUrl}/api/notebooks" target="sink">
<input name='{"path":"pwned-form.md","text":"x","pad":"' value='"}'></form>
<iframe name="sink"></iframe>
<script>
window.attempts = (async () => {
  const base = ${JSON.stringify(gatewayUrl)};
  const tries = [
    fetch(base + "/api/notebooks", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: JSON.stringify({ path: "pwned-fetch.md", text: "x" }) }),
    fetch(base + "/api/share", { method: "POST", mode: "no-cors", credentials: "include", body: JSON.stringify({ path: "shop.md" }) }),
    fetch(base + "/api/pipelines/run/shop", { method: "POST", mode: "no-cors", credentials: "include" }),
  ];
  navigator.sendBeacon(base + "/api/notebooks", JSON.stringify({ path: "pwned-beacon.md", text: "x" }));
  document.getElementById("f").submit();
  await Promise.allSettled(tries);
  return "sent";
})();
</script></body></html>`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnel-csrf-sec14-"));
  const root = join(dir, "notebooks");
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "shop.md"), "---\ntitle: Shop\nsources:\n  shop:\n    demo: { generator: shop, rate: 5, seed: 1 }\n    sample_size: 5\n---\n");
  gateway = await startGateway({ port: 0, root, stateDir: join(dir, "state"), appDir: join(dir, "no-app"), log: silentLogger, signals: false, env: {} });
  other = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(attack(`http://127.0.0.1:${gateway.port}`));
  });
  await new Promise<void>((done) => other.listen(0, "127.0.0.1", done));
  otherPort = (other.address() as { port: number }).port;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((done) => other?.close(done));
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

test("a page on another port of 127.0.0.1, with the owner's cookie going along, changes nothing: forms, no-cors fetches and beacons are 403; the gateway's own page still can", async () => {
  const page = await browser.context.newPage();
  // The owner opens the printed URL: the cookie is set.
  await page.goto(gateway.url);
  const cookies = await browser.context.cookies(`http://127.0.0.1:${gateway.port}/`);
  expect(cookies.map((c) => [c.name, c.sameSite, c.httpOnly])).toEqual([["runnel_token", "Strict", true]]);

  const refused: number[] = [];
  page.on("response", (r) => {
    if (r.url().startsWith(`http://127.0.0.1:${gateway.port}/api/`) && r.request().method() === "POST") refused.push(r.status());
  });
  await page.goto(`http://127.0.0.1:${otherPort}/`);
  expect(await page.evaluate(() => (window as unknown as { attempts: Promise<string> }).attempts)).toBe("sent");
  await expect.poll(() => refused.length).toBeGreaterThanOrEqual(4);
  expect(new Set(refused)).toEqual(new Set([403]));

  const auth = { authorization: `Bearer ${gateway.token}` };
  const list = await (await fetch(`http://127.0.0.1:${gateway.port}/api/notebooks`, { headers: auth })).json();
  expect(list.map((n: { path: string }) => n.path)).toEqual(["shop.md"]);
  expect(await (await fetch(`http://127.0.0.1:${gateway.port}/api/pipelines/runs`, { headers: auth })).json()).toEqual([]);

  // The same request from the gateway's own page, with the same cookie, is taken.
  await page.goto(`http://127.0.0.1:${gateway.port}/healthz`);
  const own = await page.evaluate(async () => (await fetch("/api/notebooks", { method: "POST", body: JSON.stringify({ path: "own.md", text: "---\ntitle: own\n---\n" }) })).status);
  expect(own).toBe(201);
});

import { mkdtemp, rm } from "node:fs/promises";
import { rawRequest } from "./raw-request.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContextOptions } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { silentLogger } from "../../gateway/log.ts";
import { type RunningGateway, startGateway } from "../../gateway/server.ts";
import { chromiumArgs, type LaunchedBrowser, launchBrowser } from "../servers/browser.ts";

// DNS rebinding: a web page's own name (rebound.test) is made to resolve to 127.0.0.1, so the page's
// scripts read the gateway's answers as their own origin. Chromium's resolver rule stands in for the
// attacker's DNS server.
let gateway: RunningGateway;
let browser: LaunchedBrowser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnel-host-sec10-"));
  gateway = await startGateway({ port: 0, root: "notebooks", stateDir: join(dir, "state"), appDir: join(dir, "no-app"), log: silentLogger, signals: false, env: {} });
  // launchBrowser passes its options to launchPersistentContext, which takes `args` too.
  browser = await launchBrowser({ args: [...chromiumArgs, "--host-resolver-rules=MAP rebound.test 127.0.0.1"] } as BrowserContextOptions);
});
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A request with the Host header a client chooses (fetch cannot set it). */
function get(path: string, host: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; body: string }> {
  return rawRequest(gateway.port, path, { host, ...headers }, method);
}

test("a page whose name was rebound to 127.0.0.1 gets a 403 saying why, not the gateway's pages", async () => {
  const page = await browser.context.newPage();
  const res = await page.goto(`http://rebound.test:${gateway.port}/`);
  expect(res?.status()).toBe(403);
  expect(await page.textContent("body")).toContain("RUNNEL_ALLOWED_HOSTS");
  const read = await page.evaluate(async () => {
    const r = await fetch("/healthz");
    return { status: r.status, text: await r.text() };
  });
  expect(read.status).toBe(403);
  expect(read.text).not.toContain('"ok":true');
});

test("requests addressed to localhost or an IP address are answered; /hooks from a tunnel's name reach the webhook check", async () => {
  const auth = { authorization: `Bearer ${gateway.token}` };
  expect((await get("/api/notebooks", `127.0.0.1:${gateway.port}`, auth)).status).toBe(200);
  expect((await get("/api/notebooks", `localhost:${gateway.port}`, auth)).status).toBe(200);
  expect((await get("/healthz", `[::1]:${gateway.port}`)).status).toBe(200);
  const withToken = await get("/api/notebooks", `rebound.test:${gateway.port}`, auth);
  expect(withToken.status).toBe(403);
  expect(JSON.parse(withToken.body).error).toEqual({
    code: "forbidden",
    message: `gateway: this gateway listens on 127.0.0.1 and answers requests addressed to localhost or an IP address, not to "rebound.test:${gateway.port}" (a web page pointing its own name at this machine sends such requests); to reach it under that name, list it in RUNNEL_ALLOWED_HOSTS (comma-separated; .example.com for every name under it)`,
  });
  // A webhook sender through a tunnel (ngrok, cloudflared) keeps its public name: the delivery is judged by its signature.
  const hook = await get("/hooks/nope.md/src", "abc123.ngrok-free.app", { "content-type": "application/json", "content-length": "2" }, "POST");
  expect(hook.status).not.toBe(403);
  expect(hook.body).not.toContain("RUNNEL_ALLOWED_HOSTS");
});

test("RUNNEL_ALLOWED_HOSTS opens the gateway under a name of its own (a reverse proxy that keeps the public name)", async () => {
  const named = await startGateway({ port: 0, root: "notebooks", stateDir: join(dir, "state2"), appDir: join(dir, "no-app"), log: silentLogger, signals: false, env: { RUNNEL_ALLOWED_HOSTS: "notebooks.internal, .corp.example" } });
  try {
    const at = async (host: string) => (await rawRequest(named.port, "/healthz", { host })).status;
    expect(await at("notebooks.internal")).toBe(200);
    expect(await at("NOTEBOOKS.internal:443")).toBe(200);
    expect(await at("a.corp.example")).toBe(200);
    expect(await at("rebound.test")).toBe(403);
  } finally {
    await named.close();
  }
});

test("a person opening a share link through a tunnel that keeps its own name gets a page saying why and what to set, not JSON", async () => {
  const page = await get("/s/abc123", "notebooks.tunnel.example", { "sec-fetch-dest": "document", "sec-fetch-mode": "navigate", accept: "text/html" });
  expect(page.status).toBe(403);
  expect(page.body).toMatch(/^<!doctype html>/);
  expect(page.body).toContain("<h1>The gateway does not answer this address</h1>");
  expect(page.body).toContain("start it with <code>RUNNEL_ALLOWED_HOSTS</code> naming it");
  // A script's request still gets the JSON error.
  const api = await get("/api/notebooks", "notebooks.tunnel.example");
  expect(api.status).toBe(403);
  expect(JSON.parse(api.body).error.code).toBe("forbidden");
});

test("the Host check judges the path the routes see: /hooks/%2e%2e/healthz is /healthz", async () => {
  expect((await get("/hooks/%2e%2e/healthz", "rebound.test")).status).toBe(403);
});

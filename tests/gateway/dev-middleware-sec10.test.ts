import { createServer as createHttpServer, request, type Server } from "node:http";
import { rawRequest } from "./raw-request.ts";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer as createVite, type ViteDevServer } from "vite";
import { silentLogger } from "../../gateway/log.ts";
import { type RunningGateway, startGateway } from "../../gateway/server.ts";
import { type LaunchedBrowser, launchBrowser } from "../servers/browser.ts";

// `runnel dev`: the gateway with Vite's dev server in middleware mode in front, as gateway/cli/dev.ts builds it.
// Vite serves any file under the repository by its absolute path (/@fs/...) and answers CORS requests
// from every port of localhost and 127.0.0.1, so the state folder must be inside the repository to be reachable.
let vite: ViteDevServer;
let gateway: RunningGateway;
let attacker: Server;
let browser: LaunchedBrowser;
let stateDir: string;
let root: string;

beforeAll(async () => {
  await mkdir(join(process.cwd(), "test-results"), { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), "test-results", "sec10-dev-"));
  stateDir = join(dir, "state");
  root = join(dir, "notebooks");
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "private.md"), "# private notes\n");
  vite = await createVite({ server: { middlewareMode: true }, appType: "spa", logLevel: "silent" });
  gateway = await startGateway({ port: 0, root, stateDir, log: silentLogger, signals: false, env: {}, middleware: vite.middlewares });
  // Another local server, as any dev server or tool a person runs on this machine: its page is a different origin.
  attacker = createHttpServer((_req, res) => res.end("<!doctype html><title>elsewhere</title>"));
  await new Promise<void>((done) => attacker.listen(0, "127.0.0.1", done));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((done) => attacker?.close(done));
  await gateway?.close();
  await vite?.close();
  await rm(join(stateDir, ".."), { recursive: true, force: true });
});

test("runnel dev: a page on another local port cannot read the token (or the notebooks) through the dev server", async () => {
  const page = await browser.context.newPage();
  const port = (attacker.address() as { port: number }).port;
  await page.goto(`http://localhost:${port}/`);
  const gw = `http://localhost:${gateway.port}`;
  const read = (url: string) =>
    page.evaluate(async (u) => {
      try {
        const res = await fetch(u);
        return { status: res.status, text: await res.text() };
      } catch (err) {
        return { status: 0, text: String(err) };
      }
    }, url);
  const token = await read(`${gw}/@fs${stateDir}/token`);
  // Before: 200 with the token (Vite's CORS allows every local origin). Now the gateway answers 403 without
  // CORS headers, so the page sees a failed fetch (status 0 here) and never the text.
  expect(token.text).not.toContain(gateway.token);
  expect(token.status).toBe(0);
  const notebook = await read(`${gw}/@fs${root}/private.md`);
  expect(notebook.text).not.toContain("private notes");
  expect(notebook.status).toBe(0);
  // The refusal, as the server gives it, says why.
  const direct = await fetch(`${gw}/@fs${stateDir}/token`, { headers: { origin: `http://localhost:${port}`, "sec-fetch-site": "same-site" } });
  expect(direct.status).toBe(403);
  expect((await direct.json()).error.message).toContain("the dev server answers only the gateway's own pages");
});

test("runnel dev: the gateway's state and notebooks are not served by the dev server to anyone, encoded or not", async () => {
  const base = `http://127.0.0.1:${gateway.port}`;
  for (const path of [`/@fs${stateDir}/token`, `/@fs${stateDir.replaceAll(".", "%2e")}/token`, `/@fs${stateDir}/x/%2e%2e/token?raw`, `/@id/${stateDir}/token?raw`, `/@fs${root}/private.md?raw`]) {
    const res = await fetch(base + path);
    const text = await res.text();
    expect(text, path).not.toContain(gateway.token);
    expect(text, path).not.toContain("private notes");
    expect(res.status, path).toBe(403);
  }
});

test("runnel dev: the gateway's own page still loads the app's modules through the dev server", async () => {
  const page = await browser.context.newPage();
  const base = `http://127.0.0.1:${gateway.port}`;
  await page.goto(`${base}/?token=${gateway.token}`);
  const statuses = await page.evaluate(async () => Promise.all(["/@vite/client", "/src/main.ts"].map(async (p) => (await fetch(p)).status)));
  expect(statuses).toEqual([200, 200]);
  expect(await page.evaluate(async () => (await fetch("/api/notebooks")).status)).toBe(200);
});

/** A GET with exactly these headers (fetch sets Sec-Fetch-Mode itself). */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return rawRequest(gateway.port, path, headers);
}

test("runnel dev: a link to the app followed from another site still opens it; the state folder stays closed to it", async () => {
  const navigate = { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", accept: "text/html" };
  const page = await get("/", navigate);
  expect(page.status).toBe(200);
  expect(page.body).toContain("<script");
  const token = await get(`/@fs${stateDir}/token`, navigate);
  expect(token.status).toBe(403);
  expect(token.body).not.toContain(gateway.token);
  // A frame is no top-level navigation: another site's page cannot frame the dev server's app.
  expect((await get("/", { ...navigate, "sec-fetch-dest": "iframe" })).status).toBe(403);
});

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { silentLogger } from "../../gateway/log.ts";
import { type RunningGateway, startGateway } from "../../gateway/server.ts";
import { type LaunchedBrowser, launchBrowser } from "../servers/browser.ts";

// A share link's page is the app's index.html, which names the build's hashed scripts; a new build replaces them.
// The snapshot's data never changes and is kept by caches for a year; the page must not be, or a viewer who opened
// the link before an upgrade keeps loading the old build (or, its scripts gone, a blank page) for a year.
let gateway: RunningGateway;
let browser: LaunchedBrowser;
let dir: string;
let appDir: string;

async function build(version: string): Promise<void> {
  await rm(join(appDir, "assets"), { recursive: true, force: true });
  await mkdir(join(appDir, "assets"), { recursive: true });
  await writeFile(join(appDir, "assets", `index-${version}.js`), `document.body.dataset.app = ${JSON.stringify(version)};\n`);
  await writeFile(join(appDir, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><script type="module" src="/assets/index-${version}.js"></script></head><body></body></html>\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnel-share-upgrade-sec14-"));
  appDir = join(dir, "app");
  await build("v1");
  const root = join(dir, "notebooks");
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "plain.md"), "---\ntitle: Plain\n---\n\nNo sources.\n");
  gateway = await startGateway({ port: 0, root, stateDir: join(dir, "state"), appDir, log: silentLogger, signals: false, env: {} });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

test("a share link opened again after the app is rebuilt loads the new build; the snapshot's data stays cacheable for good", async () => {
  const base = `http://127.0.0.1:${gateway.port}`;
  const made = await fetch(`${base}/api/share`, { method: "POST", headers: { authorization: `Bearer ${gateway.token}`, "content-type": "application/json" }, body: JSON.stringify({ path: "plain.md" }) });
  expect(made.status).toBe(201);
  const { url } = (await made.json()) as { url: string };

  const page = await browser.context.newPage();
  await page.goto(base + url);
  await expect.poll(() => page.evaluate(() => document.body.dataset.app)).toBe("v1");

  await build("v2");
  await page.goto("about:blank");
  await page.goto(base + url);
  await expect.poll(() => page.evaluate(() => document.body.dataset.app)).toBe("v2");

  const html = await fetch(base + url);
  expect(html.headers.get("cache-control")).toBe("no-cache");
  // The sandbox and the rest of the share's policy are unchanged.
  expect(html.headers.get("content-security-policy")).toMatch(/^sandbox allow-scripts; /);
  const data = await fetch(`${base}${url}/notebook`);
  expect(data.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
});

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContextOptions, Locator, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { build } from "vite";
import { createLogger, type Logger } from "../../gateway/log.ts";
import { startGateway } from "../../gateway/server.ts";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";
import { repoRoot } from "../servers/paths.ts";

/** Where browser tests keep their screenshots (an artifact of the run). */
export const screenshotDir = join(repoRoot, "test-results", "browser");

/** The real gateway (demo sources) serving a fresh build of the app, over a temporary copy of `notebooks/`. */
export interface Harness {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  token: string;
  /** The temporary notebooks root; tests read and write files here, never in the repo. */
  root: string;
  /** Where the app's Publish writes bundles. */
  pipelines: string;
  close(): Promise<void>;
}

let built: Promise<string> | null = null;

/** Builds the app once per test process into a temporary folder (the same config `npm run build` uses). */
export function buildApp(): Promise<string> {
  return (built ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), "runnel-app-"));
    await build({ configFile: join(repoRoot, "vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
    return outDir;
  })());
}

export async function startHarness(): Promise<Harness> {
  const appDir = await buildApp();
  const work = mkdtempSync(join(tmpdir(), "runnel-browser-"));
  const root = join(work, "notebooks");
  mkdirSync(root);
  cpSync(join(repoRoot, "notebooks"), root, { recursive: true });
  const lines: string[] = [];
  const log: Logger = createLogger((line) => {
    if (lines.push(line) > 200) lines.shift();
  });
  const pipelines = join(work, "pipelines");
  const gateway = await startGateway({ port: 0, root, demo: true, stateDir: join(work, "state"), appDir, signals: false, log, pipelinesDir: pipelines });
  return {
    origin: `http://127.0.0.1:${gateway.port}`,
    token: gateway.token,
    root,
    pipelines,
    async close() {
      await gateway.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Copies a notebook under a new name in the harness's root, so each test edits its own file. */
export function copyNotebook(harness: Harness, from: string, to: string): string {
  cpSync(join(harness.root, from), join(harness.root, to));
  return to;
}

/** Opens a notebook the way a person does: the token URL first (it sets the cookie), then the notebook. */
export async function openNotebook(page: Page, harness: Harness, path: string, timeout = 60_000): Promise<void> {
  await page.goto(`${harness.origin}/?token=${harness.token}`);
  await page.goto(`${harness.origin}/?notebook=${encodeURIComponent(path)}`);
  await waitReady(page, timeout);
}

export async function waitReady(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForSelector("body[data-ready]", { timeout });
  const state = await page.getAttribute("body", "data-ready");
  if (state !== "true") throw new Error(`browser: the page failed to open: ${await page.locator(".fatal").textContent()}`);
}

/** The cell bound to `name`. */
export function cell(page: Page, name: string) {
  return page.locator(`.cell[data-name="${name}"]`);
}

/** Waits until the cell shows a result (or an error) and returns its state. */
export async function settled(page: Page, name: string): Promise<string> {
  const locator = cell(page, name);
  await locator.and(page.locator("[data-state]")).waitFor({ timeout: 30_000 });
  return (await locator.getAttribute("data-state")) ?? "";
}

/**
 * Saves a picture of `target` (a page or one element) under test-results/browser for a person to look at.
 * A picture is an artifact, not an assertion: Chromium on a loaded 2-core machine has once needed more
 * than 30 s for a frame of a live page, and a test's verdict comes from what it asserts. So a picture is
 * tried twice, and when no frame came it is reported on stderr and the test goes on.
 */
export async function screenshot(target: Page | Locator, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  let failure: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if ("goto" in target) await target.screenshot({ path, fullPage: options.fullPage ?? false, timeout: 15_000 });
      else await target.screenshot({ path, timeout: 15_000 });
      return;
    } catch (cause) {
      failure = cause;
    }
  }
  console.warn(`screenshot ${name} not saved: ${failure instanceof Error ? failure.message.split("\n")[0] : String(failure)}`);
}

/**
 * A describe block's harness and browser: started before its tests with `notebooks` (name → text)
 * written into the harness's root, closed after them. Read `suite.harness` / `suite.browser` inside tests.
 */
export function browserSuite(notebooks: Record<string, string>, options: BrowserContextOptions = {}): { harness: Harness; browser: LaunchedBrowser } {
  const suite = {} as { harness: Harness; browser: LaunchedBrowser };
  beforeAll(async () => {
    suite.harness = await startHarness();
    suite.browser = await launchBrowser({ viewport: { width: 1400, height: 1000 }, ...options });
    for (const [name, text] of Object.entries(notebooks)) writeFileSync(join(suite.harness.root, name), text);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.harness?.close();
  });
  return suite;
}

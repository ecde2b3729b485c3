import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium as playwright, type BrowserContext, type BrowserContextOptions } from "playwright-core";
import { chromium } from "./config.ts";

/**
 * Flags for Debian's Chromium in a container with no network beyond
 * loopback: no sandbox (root, no user namespaces), no GPU, and nothing that
 * phones home, so a page load never waits on a request that cannot succeed.
 */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** A running Chromium with a fresh profile; `close()` ends it and deletes the profile. */
export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches /usr/bin/chromium through playwright-core with a fresh profile in
 * a temporary folder. Playwright refuses `--user-data-dir` in the arguments,
 * so the profile goes through `launchPersistentContext()`.
 */
export async function launchBrowser(options: BrowserContextOptions = {}): Promise<LaunchedBrowser> {
  if (!existsSync(chromium.executablePath)) {
    throw new Error(
      `browser: ${chromium.executablePath} is missing; run \`npx tsx tests/servers/cli.ts up chromium\` or \`npm test\`, which install it`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "runnel-chromium-"));
  let context: BrowserContext;
  try {
    context = await playwright.launchPersistentContext(profile, {
      executablePath: chromium.executablePath,
      headless: true,
      args: [...chromiumArgs],
      ...options,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`browser: cannot launch ${chromium.executablePath}`, { cause: error });
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

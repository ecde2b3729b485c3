import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "./config.ts";
import { serversDir } from "./paths.ts";
import { runStep } from "./process.ts";

/**
 * Installs Debian's chromium when /usr/bin/chromium is missing. Needs root,
 * as on CI and the project's machines; elsewhere it says what to run.
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(chromium.executablePath)) return chromium.executablePath;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `servers: chromium: ${chromium.executablePath} is missing and installing it needs root: sudo apt-get install -y chromium`,
    );
  }
  const log = (step: string) => join(serversDir, `chromium-${step}.log`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await runStep("apt-get update (for chromium)", "apt-get", ["update", "-q"], { env, log: log("apt-update") });
  await runStep("installing chromium with apt-get", "apt-get", ["install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "chromium"], {
    env,
    log: log("apt-install"),
  });
  if (!existsSync(chromium.executablePath)) {
    throw new Error(`servers: chromium: apt-get installed chromium but ${chromium.executablePath} is still missing`);
  }
  return chromium.executablePath;
}

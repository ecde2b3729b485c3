/**
 * A first test delivery to one's own webhook sources, in real Chromium on the real gateway: the card
 * of a source with no events gives a `curl` command, and that command, pasted into a shell as it
 * is, delivers an event that shows up as a row. The card said "Bearer <the gateway's token>" without
 * saying where the token is, and "HMAC-SHA256 in hex" without a way to make one: the first try was a 401.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { browserSuite, cell, openNotebook, screenshot } from "./harness.ts";

const NOTEBOOK = `---
title: First deliveries
sources:
  open:
    webhook: { signature: none }
  signed:
    webhook: { signature: sha256, secret: UI15_HOOK_SECRET }
---

\`\`\`sql id=opened
SELECT * FROM open
\`\`\`

\`\`\`sql id=checked
SELECT * FROM signed
\`\`\`
`;

const run = promisify(execFile);

describe("a webhook source's card with no events yet (Chromium)", () => {
  process.env.UI15_HOOK_SECRET = "ui15 secret's value";
  const suite = browserSuite({ "first-deliveries.md": NOTEBOOK });

  test("says where the gateway's token is, and its curl commands, run in a shell as shown, each deliver a row", async () => {
    const page = await suite.browser.context.newPage();
    await openNotebook(page, suite.harness, "first-deliveries.md");
    const tryBox = (source: string) => page.locator(`.source[data-source="${source}"] .source-try`);
    await tryBox("open").waitFor();
    expect(await tryBox("open").locator("p").textContent()).toBe(
      "The gateway's token is in the file .runnel/token in the folder the gateway was started from (or is $RUNNEL_TOKEN when that is set). A test delivery, from that folder:",
    );
    expect(await tryBox("signed").locator("p").textContent()).toBe("A test delivery, signed with openssl, from a shell where $UI15_HOOK_SECRET holds the secret the gateway has:");
    await screenshot(page, "ui15-webhook-try");

    // The gateway's folder as `runnel start` leaves it, and a shell that has the secret, as the card says.
    const folder = mkdtempSync(join(tmpdir(), "ui15-hooks-"));
    try {
      mkdirSync(join(folder, ".runnel"));
      writeFileSync(join(folder, ".runnel", "token"), suite.harness.token);
      for (const source of ["open", "signed"]) {
        const command = (await tryBox(source).locator(".source-try-command").textContent())!;
        expect(command).toContain(`${suite.harness.origin}/hooks/first-deliveries/${source}`);
        await run("bash", ["-c", `${command} --fail --silent --show-error`], { cwd: folder, env: { ...process.env, UI15_HOOK_SECRET: "ui15 secret's value" } });
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    for (const name of ["opened", "checked"]) {
      await expect.poll(() => cell(page, name).locator(".result-summary").getAttribute("data-rows"), { timeout: 20_000 }).toBe("1");
    }
    // With events, the card no longer offers a first delivery.
    await expect.poll(() => tryBox("open").isHidden()).toBe(true);
    await page.close();
  }, 120_000);
});

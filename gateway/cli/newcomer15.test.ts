import { createHmac } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { startGateway } from "../server.ts";
import { main } from "./main.ts";
import { capturedOutput } from "./captured-output.ts";

const { out, err } = capturedOutput();

// A newcomer follows the README: starts the gateway, sends one test delivery to /hooks/github/github,
// then runs `runnel check` / `runnel publish notebooks/github.md`. The kept delivery (a ping) is then
// the whole sample, and DuckDB's "Referenced column "commits" not found" read as a fault of the notebook.
test("newcomer15: check and publish over one kept test delivery say the sample is that delivery and how to sample other events", { timeout: 120_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), "runnel-newcomer15-"));
  const root = join(work, "notebooks");
  cpSync("notebooks", root, { recursive: true });
  const state = join(work, "state");
  const secret = "newcomer15-secret";
  const silent = { info() {}, warn() {}, error() {} };
  const gateway = await startGateway({ port: 0, root, stateDir: state, appDir: join(work, "none"), signals: false, log: silent, env: { GITHUB_WEBHOOK_SECRET: secret } });
  try {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const answer = await fetch(`http://127.0.0.1:${gateway.port}/hooks/github/github`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": "newcomer15-1",
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
      body,
    });
    expect(answer.status).toBe(202);
  } finally {
    await gateway.close();
  }

  const dir = join(state, "hooks", "github.md", "github");
  const said = `sample of github: the 1 webhook delivery the gateway kept in ${dir}, not the demo stand-in; --sample github=<file> checks other events`;
  const hint =
    `  the sample of github is the 1 webhook delivery the gateway kept in ${dir}, and DuckDB types github from it alone: ` +
    "a field the cells read that it does not have is no column. Pass --sample github=<file> with events that have the fields " +
    "(`npx runnel demo notebooks/github.md --source github > github.ndjson` writes the demo stand-in's), or send deliveries that do";
  try {
    expect(await main(["check", "notebooks/github.md", "--state", state])).toBe(1);
    expect(out.join("")).toContain(`${said}\n`);
    const checkErr = err.join("");
    expect(checkErr).toContain('Referenced column "commits" not found');
    expect(checkErr).toContain(`${hint}\n`);

    out.length = 0;
    err.length = 0;
    expect(await main(["publish", "notebooks/github.md", "--state", state, "--out", join(work, "dist")])).toBe(1);
    expect(out.join("")).toContain(`${said}\n`);
    expect(err.join("")).toContain(`${hint}\nrunnel publish: the notebook does not compile; nothing was published\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("newcomer15: publish --help lists --state, the folder whose kept deliveries are the sample", async () => {
  expect(await main(["publish", "--help"])).toBe(0);
  expect(out.join("")).toMatch(/\n {2}--state <dir> {15}the gateway's state folder, whose kept webhook deliveries are the sample \(default \.runnel\)\n/);
});

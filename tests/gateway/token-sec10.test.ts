import { chmod, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { silentLogger } from "../../gateway/log.ts";
import { startGateway } from "../../gateway/server.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnel-token-sec10-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = () => ({ port: 0, root: "notebooks", stateDir: join(dir, "state"), appDir: join(dir, "no-app"), log: silentLogger, signals: false });

test("a guessable RUNNEL_TOKEN is refused at start, saying how to make one; nothing listens", async () => {
  for (const [token, shown] of [["dev", "it has 3 characters"], ["secret token with spaces that is long enough", "it has 44 characters, some of them others"], ["a+b&c#d".repeat(6), "some of them others"]] as const) {
    const started = startGateway({ ...options(), env: { RUNNEL_TOKEN: token } });
    await expect(started).rejects.toThrow(/^token: RUNNEL_TOKEN must be at least 32 letters, digits, '\.', '_', '~' or '-'/);
    await expect(started).rejects.toThrow(shown);
    await expect(started).rejects.toThrow("openssl rand -hex 32");
  }
  const good = await startGateway({ ...options(), env: { RUNNEL_TOKEN: "0123456789abcdef".repeat(2) } });
  const res = await fetch(`http://127.0.0.1:${good.port}/api/notebooks`, { headers: { authorization: `Bearer ${"0123456789abcdef".repeat(2)}` } });
  expect(res.status).toBe(200);
  await good.close();
});

test("the state folder the gateway makes (token, share key, deliveries, lake) is readable by its user only", async () => {
  const gateway = await startGateway({ ...options(), env: {} });
  try {
    expect((await stat(join(dir, "state"))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "state", "token"))).mode & 0o777).toBe(0o600);
  } finally {
    await gateway.close();
  }
});

test("a state folder an older version left readable by others (0755) is made this user's only on start", async () => {
  await mkdir(join(dir, "state"), { mode: 0o755 });
  await chmod(join(dir, "state"), 0o755);
  const gateway = await startGateway({ ...options(), env: {} });
  try {
    expect((await stat(join(dir, "state"))).mode & 0o777).toBe(0o700);
  } finally {
    await gateway.close();
  }
});

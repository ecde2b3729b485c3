import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { silentLogger } from "../../gateway/log.ts";
import { startGateway } from "../../gateway/server.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnel-token-sec14-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = () => ({ port: 0, root: "notebooks", stateDir: join(dir, "state"), appDir: join(dir, "no-app"), log: silentLogger, signals: false, env: {} });

test("a token written into .runnel/token by hand is held to RUNNEL_TOKEN's rule: a passphrase with spaces is refused at start, naming the file (its printed URL and bearer header did not carry it: every request a 401)", async () => {
  const file = join(dir, "state", "token");
  await mkdir(join(dir, "state"), { recursive: true });
  await writeFile(file, "correct horse battery staple, our team's gateway\n");
  const started = startGateway(options());
  await expect(started).rejects.toThrow(`token: ${file} holds a token of 48 characters, some of them not letters, digits, '.', '_', '~' or '-'`);
  await expect(started).rejects.toThrow(`openssl rand -hex 32 > ${file}`);

  // One of the allowed characters, written by hand, is taken and works over HTTP.
  const own = "my-own.token_of~at-least-32-chars";
  await writeFile(file, `${own}\n`);
  const gateway = await startGateway(options());
  expect(gateway.token).toBe(own);
  expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}/?token=${own}`);
  expect((await fetch(`http://127.0.0.1:${gateway.port}/api/notebooks`, { headers: { authorization: `Bearer ${own}` } })).status).not.toBe(401);
  await gateway.close();
});

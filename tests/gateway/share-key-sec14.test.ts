import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { demoNotebook, openTestGateway, type TestGateway } from "../../gateway/test-gateway.ts";

// A share id is an HMAC of the snapshot under the gateway's key (`.runnel/shares/.key`): no one without the key can
// compute it, even for a notebook whose text and data are public. The key file is read as hex.

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const share = (g: TestGateway) =>
  g.app.request("/api/share", { method: "POST", headers: { ...g.auth, "content-type": "application/json" }, body: JSON.stringify({ path: "shop.md" }) });

test("a share key that is not 64 hex digits is refused, naming the file and what to do (read as hex it was an empty key: ids anyone could compute)", async () => {
  gw = await openTestGateway({ "shop.md": demoNotebook });
  const keyFile = join(gw.stateDir, "shares", ".key");
  await mkdir(join(gw.stateDir, "shares"), { recursive: true });
  for (const written of ["correct horse battery staple\n", "", "0123abcd\n"]) {
    await writeFile(keyFile, written);
    const res = await share(gw);
    const answer = await res.json();
    expect(answer.id, JSON.stringify(written)).toBeUndefined();
    expect(res.status).toBe(500);
    expect(answer.error.message).toContain(`share: ${keyFile} must hold a 256-bit key as 64 hex digits`);
    expect(answer.error.message).toContain("openssl rand -hex 32");
  }
  // Moved aside, as the message says: the next share makes a new key and is made.
  await rm(keyFile);
  const made = await share(gw);
  expect(made.status).toBe(201);
  expect((await readFile(keyFile, "utf8")).trim()).toMatch(/^[0-9a-f]{64}$/);
});

test("the key made on first use is kept and gives the same snapshot the same id", async () => {
  gw = await openTestGateway({ "shop.md": demoNotebook });
  const body = JSON.stringify({ path: "shop.md", text: "---\ntitle: Still\n---\n\nNo sources, so the snapshot is the same each time.\n" });
  const ask = async () => (await (await gw!.app.request("/api/share", { method: "POST", headers: { ...gw!.auth, "content-type": "application/json" }, body })).json()).id;
  const first = await ask();
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  const key = await readFile(join(gw.stateDir, "shares", ".key"), "utf8");
  expect(key.trim()).toMatch(/^[0-9a-f]{64}$/);
  expect(await ask()).toBe(first);
});

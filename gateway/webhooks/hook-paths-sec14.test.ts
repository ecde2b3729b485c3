import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { openTestGateway, type TestGateway } from "../test-gateway.ts";

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const generic = "webhook: no webhook source at this path; deliveries go to /hooks/<notebook>/<source> (the gateway's owner sees why in its log, or with the gateway token)";

test("a /hooks path the notebooks root refuses answers as any path with no webhook source: a caller without the token learns nothing of the root's files", async () => {
  gw = await openTestGateway({ "shop.md": "---\ntitle: x\n---\n", "team/plan.md": "---\ntitle: y\n---\n" });
  await mkdir(join(gw.dir, "elsewhere"), { recursive: true });
  await writeFile(join(gw.dir, "elsewhere", "secret.md"), "---\ntitle: z\n---\n");
  await symlink(join(gw.dir, "elsewhere"), join(gw.root, "out"));
  await mkdir(join(gw.root, "folder.md"));
  const post = (path: string, headers: Record<string, string> = {}) => gw!.app.request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
  for (const path of ["/hooks/shop.md/sub/ev", "/hooks/out/secret/ev", "/hooks/folder/ev", "/hooks/nothing/ev"]) {
    const res = await post(path);
    expect(res.status, path).toBe(404);
    expect((await res.json()).error.message, path).toBe(generic);
  }
  // The owner, with the token, reads why.
  const owner = await post("/hooks/out/secret/ev", gw.auth);
  expect(owner.status).toBe(404);
  expect((await owner.json()).error.message).toContain("leaves the notebooks root through a symlink");
});

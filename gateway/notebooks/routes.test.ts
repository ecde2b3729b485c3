import { symlink, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { etagOf } from "./store.ts";
import { demoNotebook, openTestGateway, type TestGateway } from "../test-gateway.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "shop.md": demoNotebook, "team/other.md": "# Other notebook\n" });
});
afterEach(async () => {
  await gw.close();
});

const put = (path: string, text: string, headers: Record<string, string>) =>
  gw.app.request(`/api/notebooks/${path}`, { method: "PUT", body: text, headers: { ...gw.auth, "content-type": "text/markdown", ...headers } });

describe("notebooks API", () => {
  test("lists every notebook under the root with its title and version", async () => {
    const res = await gw.app.request("/api/notebooks", { headers: gw.auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { path: "shop.md", title: "Shop entrances", etag: etagOf(demoNotebook) },
      { path: "team/other.md", title: "Other notebook", etag: etagOf("# Other notebook\n") },
    ]);
  });

  test("reads a notebook's text with its ETag", async () => {
    const res = await gw.app.request("/api/notebooks/shop.md", { headers: gw.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(etagOf(demoNotebook));
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await res.text()).toBe(demoNotebook);
  });

  test("a missing notebook is 404 with a JSON error", async () => {
    const res = await gw.app.request("/api/notebooks/nope.md", { headers: gw.auth });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: 'notebooks: no notebook at "nope.md"' } });
  });

  test("a write with the current ETag replaces the file and returns the new version", async () => {
    const text = demoNotebook.replace("Entrances only.", "Entrances, and only those.");
    const res = await put("shop.md", text, { "if-match": etagOf(demoNotebook) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ etag: etagOf(text), issues: [] });
    expect(await readFile(join(gw.root, "shop.md"), "utf8")).toBe(text);
  });

  test("a stale write is 412 with the current text and ETag, and changes nothing", async () => {
    const first = demoNotebook.replace("Entrances only.", "Tab one was here.");
    expect((await put("shop.md", first, { "if-match": etagOf(demoNotebook) })).status).toBe(200);
    const res = await put("shop.md", demoNotebook.replace("Entrances only.", "Tab two was here."), { "if-match": etagOf(demoNotebook) });
    expect(res.status).toBe(412);
    expect(res.headers.get("etag")).toBe(etagOf(first));
    expect(await res.json()).toEqual({
      error: { code: "precondition_failed", message: `notebooks: "shop.md" changed since version ${etagOf(demoNotebook)}; the current version is ${etagOf(first)}` },
      current: { text: first, etag: etagOf(first) },
    });
    expect(await readFile(join(gw.root, "shop.md"), "utf8")).toBe(first);
  });

  test("a write without If-Match is 428: no silent overwrite", async () => {
    const res = await put("shop.md", "# overwritten\n", {});
    expect(res.status).toBe(428);
    expect((await res.json()).error.code).toBe("precondition_required");
    expect(await readFile(join(gw.root, "shop.md"), "utf8")).toBe(demoNotebook);
  });

  test("PUT with If-None-Match: * creates a notebook, and a second create is 412", async () => {
    const res = await put("team/new.md", "# New\n", { "if-none-match": "*" });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ etag: etagOf("# New\n"), issues: [] });
    const again = await put("team/new.md", "# Newer\n", { "if-none-match": "*" });
    expect(again.status).toBe(412);
    expect((await again.json()).current).toEqual({ text: "# New\n", etag: etagOf("# New\n") });
  });

  test("POST creates a notebook from { path, text }", async () => {
    const res = await gw.app.request("/api/notebooks", {
      method: "POST",
      headers: { ...gw.auth, "content-type": "application/json" },
      body: JSON.stringify({ path: "fresh.md", text: "# Fresh\n" }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ path: "fresh.md", etag: etagOf("# Fresh\n"), issues: [] });
    expect(await readFile(join(gw.root, "fresh.md"), "utf8")).toBe("# Fresh\n");
  });

  test("an invalid notebook is still saved, and the answer carries its positioned issues", async () => {
    const broken = "---\ntitle: Broken\nsources:\n  s:\n    kafka: { topic: t }\n---\n\n```sql id=1bad\nSELECT 1\n```\n";
    const res = await put("shop.md", broken, { "if-match": etagOf(demoNotebook) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.etag).toBe(etagOf(broken));
    expect(body.issues.length).toBeGreaterThan(0);
    for (const issue of body.issues) {
      expect(issue).toMatchObject({ file: "shop.md", line: expect.any(Number), column: expect.any(Number), message: expect.any(String) });
    }
    expect(body.issues.some((i: { line: number }) => i.line === 8)).toBe(true);
    expect(await readFile(join(gw.root, "shop.md"), "utf8")).toBe(broken);
  });

  test.each([
    ["..%2Fescape.md", "has an empty, '.' or '..' segment"],
    ["team%2F..%2F..%2Fescape.md", "has an empty, '.' or '..' segment"],
    ["%2Fetc%2Fpasswd.md", "is absolute; paths are relative to the notebooks root"],
    ["team%5C..%5Cescape.md", "contains a NUL byte or a backslash"],
    ["notes.txt", "does not end in .md"],
  ])("the path %s is refused with 400", async (path, why) => {
    const res = await put(path, "# x\n", { "if-none-match": "*" });
    expect(res.status).toBe(400);
    const decoded = decodeURIComponent(path);
    expect(await res.json()).toEqual({ error: { code: "bad_request", message: `notebooks: path ${JSON.stringify(decoded)} ${why}` } });
  });

  test("paths the file system refuses are a 400 that says why, not a 500 with the server's folder in it", async () => {
    const long = `${"a".repeat(300)}.md`;
    await symlink("loop", join(gw.root, "loop"));
    const cases: [string, string][] = [
      [long, "has a segment longer than 255 bytes"],
      ["shop.md/inner.md", "goes through a file as if it were a folder"],
      ["loop/x.md", "goes through a symlink loop"],
    ];
    for (const [path, why] of cases) {
      for (const res of [await gw.app.request(`/api/notebooks/${path}`, { headers: gw.auth }), await put(path, "# x\n", { "if-none-match": "*" })]) {
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: { code: "bad_request", message: `notebooks: path ${JSON.stringify(path)} ${why}` } });
      }
    }
  });

  test("a symlink out of the root is refused with 400, for reads and writes", async () => {
    const outside = join(gw.dir, "outside");
    await mkdir(outside);
    await writeFile(join(outside, "secret.md"), "# secret\n");
    await symlink(outside, join(gw.root, "link"));
    await symlink(join(outside, "secret.md"), join(gw.root, "secret.md"));
    for (const path of ["link/secret.md", "secret.md", "link/new.md"]) {
      const read = await gw.app.request(`/api/notebooks/${path}`, { headers: gw.auth });
      expect(read.status).toBe(400);
      expect((await read.json()).error.message).toBe(`notebooks: path ${JSON.stringify(path)} leaves the notebooks root through a symlink`);
    }
    const write = await put("link/new.md", "# planted\n", { "if-none-match": "*" });
    expect(write.status).toBe(400);
    expect(await readFile(join(outside, "secret.md"), "utf8")).toBe("# secret\n");
  });

  test("a body over the limit is 413", async () => {
    const res = await put("shop.md", "x".repeat(1024 * 1024 + 1), { "if-match": etagOf(demoNotebook) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: "payload_too_large", message: "gateway: request body is larger than 1048576 bytes" } });
    expect(await readFile(join(gw.root, "shop.md"), "utf8")).toBe(demoNotebook);
  });

  test.each([
    ["GET", "/api/notebooks"],
    ["GET", "/api/notebooks/shop.md"],
    ["PUT", "/api/notebooks/shop.md"],
    ["POST", "/api/notebooks"],
  ])("%s %s without the token is 401", async (method, path) => {
    const res = await gw.app.request(path, { method, body: method === "GET" ? undefined : "{}" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "unauthorized", message: "gateway: this route needs the token (Authorization: Bearer <token> or the runnel_token cookie)" },
    });
  });
});

import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startGateway } from "./server.ts";
import { demoNotebook, openTestGateway, type TestGateway, testToken } from "./test-gateway.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await openTestGateway({ "shop.md": demoNotebook });
});
afterEach(async () => {
  await gw.close();
});

describe("pages and the token", () => {
  test("without a built app, / says how to build it", async () => {
    const res = await gw.app.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toContain("Run <code>npm run build</code>");
  });

  test("opening / with the valid ?token= sets an HttpOnly SameSite=Strict cookie and drops the token from the URL", async () => {
    const res = await gw.app.request(`/?token=${testToken}&x=1`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/?x=1");
    expect(res.headers.get("set-cookie")).toBe(`runnel_token=${testToken}; Path=/; HttpOnly; SameSite=Strict`);
  });

  test("the cookie opens the API like the bearer header", async () => {
    const res = await gw.app.request("/api/notebooks", { headers: { cookie: `runnel_token=${testToken}` } });
    expect(res.status).toBe(200);
  });

  test("a page on another port of the same host cannot POST with the owner's cookie (same-site CSRF)", async () => {
    const cookie = `runnel_token=${testToken}`;
    const body = JSON.stringify({ path: "pwned.md", text: "# pwned" });
    // What Chromium sends for a form or no-cors fetch from http://127.0.0.1:3000 to the gateway.
    const fromOtherPort = await gw.app.request("http://127.0.0.1:8080/api/notebooks", {
      method: "POST",
      body,
      headers: { cookie, origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-site", "content-type": "text/plain" },
    });
    expect(fromOtherPort.status).toBe(403);
    expect((await fromOtherPort.json()).error.code).toBe("forbidden");
    // A sandboxed (opaque-origin) page sends Origin: null.
    const fromOpaque = await gw.app.request("http://127.0.0.1:8080/api/pipelines/run/shop.md", { method: "POST", headers: { cookie, origin: "null" } });
    expect(fromOpaque.status).toBe(403);
    const fromOtherSite = await gw.app.request("http://127.0.0.1:8080/api/notebooks/shop.md", { method: "PUT", body: "x", headers: { cookie, "if-match": "*", "sec-fetch-site": "cross-site" } });
    expect(fromOtherSite.status).toBe(403);
    expect(await readFile(join(gw.root, "shop.md"), "utf8")).toBe(demoNotebook);
    // The app's own fetches (same origin) and token-bearing clients keep working.
    const own = await gw.app.request("http://127.0.0.1:8080/api/notebooks", { method: "POST", body, headers: { cookie, origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-origin" } });
    expect(own.status).toBe(201);
    const bearer = await gw.app.request("http://127.0.0.1:8080/api/notebooks", { method: "POST", body: JSON.stringify({ path: "b.md", text: "x" }), headers: { ...gw.auth, origin: "http://127.0.0.1:3000" } });
    expect(bearer.status).toBe(201);
    // Reading with the cookie stays open (a cross-origin page cannot read the answer anyway).
    expect((await gw.app.request("http://127.0.0.1:8080/api/notebooks", { headers: { cookie, "sec-fetch-site": "same-site" } })).status).toBe(200);
  });

  test("the app cannot be framed by another origin (clickjacking from another port of the same host)", async () => {
    for (const path of ["/", "/api/notebooks"]) {
      const res = await gw.app.request(path, { headers: { cookie: `runnel_token=${testToken}` } });
      expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(res.headers.get("content-security-policy")).toBe("frame-ancestors 'self'");
    }
  });

  test("a wrong ?token= is 401 and sets no cookie", async () => {
    const res = await gw.app.request("/?token=not-the-token");
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "gateway: the token in the URL is not valid" } });
  });

  test("a browser opening a wrong ?token= gets a page saying what to open; /api and /hooks answer JSON even to a page load", async () => {
    const page = await gw.app.request("/?token=not-the-token", { headers: { "sec-fetch-dest": "document", accept: "text/html" } });
    expect(page.status).toBe(401);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(await page.text()).toContain("<p class=\"reason\">gateway: the token in the URL is not valid (401)</p>");
    for (const path of ["/api/notebooks", "/hooks/shop.md/nope"]) {
      const res = await gw.app.request(path, { headers: { "sec-fetch-dest": "document", accept: "text/html" } });
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
    }
  });

  test("a wrong bearer token is 401", async () => {
    const res = await gw.app.request("/api/notebooks", { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "gateway: the token is not valid" } });
  });

  test("CORS is closed: the API answers no cross-origin headers, and a preflight is refused", async () => {
    const res = await gw.app.request("/api/notebooks", { headers: { ...gw.auth, origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await gw.app.request("/api/notebooks/shop.md", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "PUT" },
    });
    expect(preflight.status).toBe(401);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a DuckDB extension the app does not ship is a 404 the share page can read; other 404s stay closed to other origins", async () => {
    const missing = await gw.app.request("/duckdb-extensions/v1.4.3/wasm_eh/icu.duckdb_extension.wasm", { headers: { origin: "null" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("*");
    const other = await gw.app.request("/nope/nothing", { headers: { ...gw.auth, origin: "null" } });
    expect(other.status).toBe(404);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("the app reads which DuckDB extensions it is deployed with from one listing that always answers, [] when there are none", async () => {
    const none = await gw.app.request("/duckdb-extensions/v1.4.3/wasm_eh/index.json", { headers: { origin: "null" } });
    expect(none.status).toBe(200);
    expect(none.headers.get("access-control-allow-origin")).toBe("*");
    expect(await none.json()).toEqual([]);
    expect(await (await gw.app.request("/duckdb-extensions/../wasm_eh/index.json")).status).not.toBe(500);

    const appDir = join(gw.dir, "app-with-icu");
    await mkdir(join(appDir, "duckdb-extensions", "v1.4.3", "wasm_eh"), { recursive: true });
    await writeFile(join(appDir, "duckdb-extensions", "v1.4.3", "wasm_eh", "icu.duckdb_extension.wasm"), "wasm");
    await writeFile(join(appDir, "duckdb-extensions", "v1.4.3", "wasm_eh", "notes.txt"), "not an extension");
    const deployed = await openTestGateway({}, { appDir });
    try {
      expect(await (await deployed.app.request("/duckdb-extensions/v1.4.3/wasm_eh/index.json")).json()).toEqual(["icu.duckdb_extension.wasm"]);
      expect(await (await deployed.app.request("/duckdb-extensions/v1.4.3/wasm_mvp/index.json")).json()).toEqual([]);
    } finally {
      await deployed.close();
    }
  });

  test("an unknown route is a JSON 404", async () => {
    const res = await gw.app.request("/nope/nothing", { headers: gw.auth });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "gateway: no route for GET /nope/nothing" } });
  });
});

test("a built app is served at / with its assets", async () => {
  const appDir = join(gw.dir, "app");
  await mkdir(join(appDir, "assets"), { recursive: true });
  await writeFile(join(appDir, "index.html"), "<!doctype html><title>app</title><script type=module src=/assets/main.js></script>");
  await writeFile(join(appDir, "assets", "main.js"), "console.log('app')");
  const built = await openTestGateway({}, { appDir });
  expect(await (await built.app.request("/")).text()).toContain("<title>app</title>");
  const asset = await built.app.request("/assets/main.js");
  expect(asset.status).toBe(200);
  expect(await asset.text()).toBe("console.log('app')");
  expect((await built.app.request("/assets/../../etc/passwd")).status).toBe(404);
  await built.close();
});

test("startGateway makes a token on first start, keeps it private, prints the URL with it, and reuses it", async () => {
  const lines: string[] = [];
  const log = { info: (msg: string, f?: object) => lines.push(JSON.stringify({ msg, ...f })), warn() {}, error() {} };
  const options = { port: 0, root: gw.root, stateDir: gw.stateDir, appDir: join(gw.dir, "none"), signals: false, log, env: {} };
  const first = await startGateway(options);
  const tokenFile = join(gw.stateDir, "token");
  expect((await readFile(tokenFile, "utf8")).trim()).toBe(first.token);
  expect(first.token).toMatch(/^[0-9a-f]{64}$/);
  expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
  expect(first.url).toBe(`http://127.0.0.1:${first.port}/?token=${first.token}`);
  const listening = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "gateway listening");
  expect(listening).toMatchObject({ url: first.url, tokenCreated: true });

  const over = await fetch(`http://127.0.0.1:${first.port}/api/notebooks`, { headers: { authorization: `Bearer ${first.token}` } });
  expect(over.status).toBe(200);
  expect(await over.json()).toEqual([{ path: "shop.md", title: "Shop entrances", etag: expect.any(String) }]);
  await first.close();

  const second = await startGateway(options);
  expect(second.token).toBe(first.token);
  await second.close();
});

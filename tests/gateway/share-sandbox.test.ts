import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { silentLogger } from "../../gateway/log.ts";
import { type RunningGateway, startGateway } from "../../gateway/server.ts";
import { type LaunchedBrowser, launchBrowser } from "../servers/browser.ts";

let gateway: RunningGateway;
let browser: LaunchedBrowser;
let stateDir: string;
const base = () => `http://127.0.0.1:${gateway.port}`;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "runnel-share-sandbox-"));
  gateway = await startGateway({ port: 0, root: "notebooks", stateDir, log: silentLogger, signals: false, env: {} });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await rm(stateDir, { recursive: true, force: true });
});

test("a shared page runs in an opaque origin: its scripts cannot read the viewer's token cookie or call the API", async () => {
  const page = await browser.context.newPage();
  // The viewer is signed in to their own gateway: the token cookie is set.
  await page.goto(`${base()}/?token=${gateway.token}`);
  expect((await browser.context.cookies()).map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([["runnel_token", true, "Strict"]]);
  const signedIn = await page.evaluate(async () => (await fetch("/api/notebooks")).status);
  expect(signedIn).toBe(200);

  const res = await fetch(`${base()}/api/share`, {
    method: "POST",
    headers: { authorization: `Bearer ${gateway.token}`, "content-type": "application/json" },
    body: JSON.stringify({ path: "shop-entrances.md" }),
  });
  expect(res.status).toBe(201);
  const { url } = (await res.json()) as { url: string };

  await page.goto(`${base()}${url}`);
  const seen = await page.evaluate(async () => {
    let cookie: string;
    try {
      cookie = document.cookie;
    } catch (err) {
      cookie = `threw ${(err as Error).name}`;
    }
    let api: string;
    try {
      api = String((await fetch("/api/notebooks", { credentials: "include" })).status);
    } catch (err) {
      api = `threw ${(err as Error).name}`;
    }
    const shared = (await fetch(location.pathname + "/notebook")).status;
    return { origin: self.origin, cookie, api, shared };
  });
  expect(seen).toEqual({ origin: "null", cookie: "threw SecurityError", api: "threw TypeError", shared: 200 });
});

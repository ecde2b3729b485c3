import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type LaunchedBrowser } from "../servers/browser.ts";

const page = `<!doctype html>
<title>smoke</title>
<p id="static">served by the test</p>
<p id="scripted"></p>
<script>document.getElementById("scripted").textContent = "rows: " + [1, 2, 3].map((n) => n * 2).join(",");</script>`;

describe("Chromium driven by playwright-core", () => {
  let server: Server;
  let url: string;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    server = createServer((_, response) => response.writeHead(200, { "content-type": "text/html" }).end(page));
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((closed) => server.close(closed));
  });

  test("opens a page from a loopback server and reads the text its script wrote", async () => {
    const tab = await browser.context.newPage();
    await tab.goto(url);
    expect(await tab.title()).toBe("smoke");
    expect(await tab.locator("#static").textContent()).toBe("served by the test");
    expect(await tab.locator("#scripted").textContent()).toBe("rows: 2,4,6");
    await tab.close();
  });
});

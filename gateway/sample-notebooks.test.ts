import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseNotebook } from "../notebook/format/parse.ts";
import { silentLogger } from "./log.ts";
import { createApp, type GatewayApp } from "./server.ts";
import { readSse } from "./sample/sse.ts";
import { testToken } from "./test-gateway.ts";

const root = join(import.meta.dirname, "../notebooks");
const sources = readdirSync(root)
  .filter((f) => f.endsWith(".md"))
  .flatMap((file) => Object.keys(parseNotebook(readFileSync(join(root, file), "utf8"), file).notebook.sources).map((name) => [file, name] as const));
const auth = { authorization: `Bearer ${testToken}` };

let app: GatewayApp;
let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "runnel-sample-notebooks-"));
  app = createApp({ root, token: testToken, stateDir, log: silentLogger, env: {} });
});
afterAll(async () => {
  await app.close();
  await rm(stateDir, { recursive: true, force: true });
});

test("every sample notebook has sources", () => {
  expect(sources.length).toBeGreaterThanOrEqual(6);
});

test.each(sources)("with nothing else running, %s's source %s has a typed sample and a live tail", async (file, name) => {
  const path = `/api/sources/${file}/${name}`;
  const sample = await app.request(`${path}/sample?n=200`, { headers: auth });
  expect(sample.status).toBe(200);
  const table = tableFromIPC(new Uint8Array(await sample.arrayBuffer()));
  expect(table.numRows).toBeGreaterThan(0);
  expect(table.numCols).toBeGreaterThan(0);
  const tail = await app.request(`${path}/tail`, { headers: auth });
  const { events } = await readSse(tail.body!, 1, 5000);
  expect(JSON.parse(events[0]!.data).events.length).toBeGreaterThan(0);
});

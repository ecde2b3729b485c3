import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "vitest";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { openHttpSource } from "./http-source.ts";
import { describeSource } from "./source.case.ts";

type HttpSpec = Extract<SourceSpec, { kind: "http" }>;

/** A real HTTP server on loopback whose next answer the test decides. */
async function endpoint() {
  let pending: string[] = [];
  let polls = 0;
  const requested: string[] = [];
  const server: Server = createServer((req, res) => {
    polls++;
    requested.push(req.url ?? "");
    const body = pending.join("\n");
    pending = [];
    res.writeHead(200, { "content-type": "application/x-ndjson" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  const waitForPoll = async () => {
    const seen = polls;
    while (polls < seen + 2) await new Promise((r) => setTimeout(r, 10));
  };
  return {
    url, requested, waitForPoll,
    push: (lines: string[]) => { pending.push(...lines); },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describeSource("http", async () => {
  const server = await endpoint();
  const spec: HttpSpec = { kind: "http", name: "feed", url: server.url, intervalSeconds: 0.05, format: "ndjson", sampleSize: 1000, demo: null };
  const source = openHttpSource(spec);
  let n = 0;
  return {
    source,
    async produce(count) {
      const values = Array.from({ length: count }, () => ({ n: n++ }));
      server.push(values.map((v) => JSON.stringify(v)));
      await server.waitForPoll();
      return values;
    },
    async produceUndecodable(raw) {
      server.push([raw]);
      await server.waitForPoll();
    },
    async close() {
      await source.close();
      await server.close();
    },
  };
});

test("an http source fetches only the notebook's URL", async () => {
  const server = await endpoint();
  const source = openHttpSource({ kind: "http", name: "feed", url: server.url, intervalSeconds: 0.05, format: "ndjson", sampleSize: 10, demo: null });
  await source.sample(10);
  await server.waitForPoll();
  await source.close();
  await server.close();
  expect(new Set(server.requested)).toEqual(new Set(["/events"]));
});

test("an http source that answers an error status shows it as an error row", async () => {
  const server = createServer((_req, res) => res.writeHead(503).end("down for maintenance"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const source = openHttpSource({ kind: "http", name: "feed", url, intervalSeconds: 60, format: "json", sampleSize: 10, demo: null });
  const sample = await source.sample(10);
  await source.close();
  await new Promise<void>((r) => server.close(() => r()));
  expect(sample).toEqual([{ ok: false, raw: "down for maintenance", error: `http: GET ${url} answered 503`, receivedAt: expect.any(Number), meta: { url } }]);
});

test("an http response larger than the limit is an error row, read no further than the limit", async () => {
  const server = createServer((_req, res) => res.writeHead(200).end("[" + "1,".repeat(5000) + "1]"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const source = openHttpSource({ kind: "http", name: "feed", url, intervalSeconds: 60, format: "json", sampleSize: 10, demo: null }, { maxBytes: 1000 });
  const sample = await source.sample(10);
  await source.close();
  await new Promise<void>((r) => server.close(() => r()));
  expect(sample).toEqual([{ ok: false, raw: "", error: `http: GET ${url} answered more than the 1000 bytes allowed`, receivedAt: expect.any(Number), meta: { url } }]);
});

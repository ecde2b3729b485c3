/**
 * A runner SIGKILLed in the middle of a flush: its checkpoint stored and some of the flush's Parquet
 * objects written, another still uploading. The uploads go through a pass-through HTTP proxy in
 * front of the real S3 server that, once armed, holds Parquet PUTs unanswered, so the kill lands
 * exactly there. The runner started again (straight to S3) must write every event once: DuckDB's
 * answer over the events, no row missing, none twice.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, test } from "vitest";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { compareWithDuckDB, download, fillTopic, publish, readPlan, sleep, startRunner, uniqueName } from "./harness.ts";

let pii: { bundle: string; plan: Plan };

beforeAll(async () => {
  const bundle = await publish("pii-staging");
  pii = { bundle, plan: await readPlan(bundle) };
}, 240_000);

/** Forwards every request to the S3 server; after `passParquet` Parquet PUTs, holds the next ones unanswered. */
async function holdingProxy(passParquet: number): Promise<{ endpoint: string; held: () => number; passed: () => number; close: () => void }> {
  const target = new URL(s3Config.endpoint);
  let passed = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parquet = req.method === "PUT" && (req.url ?? "").includes(".parquet");
    if (parquet && passed >= passParquet) {
      held.push(res);
      req.resume();
      return;
    }
    if (parquet) passed++;
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    held: () => held.length,
    passed: () => passed,
    close: () => {
      for (const res of held) res.destroy();
      server.close();
    },
  };
}

describe("a runner killed in the middle of a flush", () => {
  test("with its checkpoint stored and part of the flush's Parquet written: started again, it writes every event once", { timeout: 300_000 }, async () => {
    const topic = uniqueName("kafka9-midflush");
    const events = demoEvents({ generator: "pii", rate: 50, seed: 31 }, 0, 12_000);
    await fillTopic(topic, 2, events, (e) => String((e as { user_id?: unknown }).user_id ?? ""));
    const proxy = await holdingProxy(3);
    try {
      const first = startRunner(pii.bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "1000"], { RUNNEL_S3_ENDPOINT: proxy.endpoint });
      for (let i = 0; i < 240 && proxy.held() === 0; i++) await sleep(250);
      expect(proxy.held(), first.output()).toBeGreaterThan(0);
      await sleep(1000);
      first.child.kill("SIGKILL");
      await first.exited;
      const partial = await download(`${topic}/`);
      expect(partial.keys.filter((k) => k.endsWith(".parquet")).length).toBe(3);
      expect(partial.keys.some((k) => k.includes("_state/"))).toBe(true);
    } finally {
      proxy.close();
    }
    const second = startRunner(pii.bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "1000"]);
    expect(await second.exited, second.output()).toBe(0);
    const { dir, keys } = await download(`${topic}/`);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c.expected).toBeGreaterThan(9_000);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
  });
});

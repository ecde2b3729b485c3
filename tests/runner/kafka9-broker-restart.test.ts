/**
 * The broker restarted under a live runner, as a rolling restart or a crashed node does: a broker of
 * this test's own (the shared one stays up for other tests), SIGKILLed while the runner reads and
 * started again on the same log folder. The runner must say that it lost the broker (it used to say
 * nothing for as long as the broker was gone, its progress line showing a lag of 0), wait for it,
 * read on, and write every event once: DuckDB's answer over the events, every offset committed.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { beforeAll, describe, expect, test } from "vitest";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { answers, privateBroker } from "./kafka9-private-broker.ts";
import { compareWithDuckDB, download, publish, readPlan, sleep, startRunner, uniqueName } from "./harness.ts";

let pii: { bundle: string; plan: Plan };

beforeAll(async () => {
  const bundle = await publish("pii-staging");
  pii = { bundle, plan: await readPlan(bundle) };
}, 240_000);

describe("a runner whose broker is restarted under it", () => {
  test("waits for the broker, reads on, and writes every event once with every offset committed", { timeout: 480_000 }, async () => {
    const port = 19092 + 400 + 2 * Math.floor(Math.random() * 40);
    const brokers = [`127.0.0.1:${port}`];
    const metricsPort = port + 1000;
    const broker = privateBroker(port, await mkdtemp(join(tmpdir(), "kafka9-broker-")));
    let server = broker.start();
    try {
      await answers(brokers);
      const topic = uniqueName("kafka9-restart");
      const client = new Kafka({ brokers, logLevel: logLevel.NOTHING });
      const admin = client.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await admin.disconnect();
      const events = demoEvents({ generator: "pii", rate: 50, seed: 9 }, 0, 9_000);
      const send = async (slice: unknown[]) => {
        const producer = client.producer();
        await producer.connect();
        await producer.send({ topic, messages: slice.map((e) => ({ key: String((e as { user_id?: unknown }).user_id ?? ""), value: JSON.stringify(e) })) });
        await producer.disconnect();
      };
      await send(events.slice(0, 3_000));
      const run = startRunner(pii.bundle, ["--brokers", brokers[0]!, "--topic", topic, "--group", topic, "--sink", `staging=s3://${s3Config.bucket}/${topic}/`, "--flush-rows", "1000", "--flush-seconds", "2", "--metrics-port", String(metricsPort)]);
      for (let i = 0; i < 240 && !/ 3000 events/.test(run.output()); i++) await sleep(250);
      expect(run.output()).toMatch(/ 3000 events/);

      server.kill("SIGKILL");
      await new Promise((r) => server.once("exit", r));
      await sleep(20_000);
      expect(run.child.exitCode, run.output()).toBe(null);
      // kafkajs names the loss by what failed first, which depends on timing: the connection refused, or (its
      // metadata refresh having failed first, on a loaded machine) no broker left to ask.
      const lost = `(?:Connection error: connect ECONNREFUSED ${brokers[0]!.replace(/\./g, "\\.")}|No broker available)`;
      expect(run.output()).toMatch(new RegExp(`\\nrunner: lost the broker \\(${lost}\\); waiting for it to answer — what was read is kept, and reading goes on from there\\n`));
      expect(run.output()).toMatch(new RegExp(`\\n  waiting \\d+ s for the broker \\(${lost}\\) · 3000 events · \\d+ files? · 0 dead letters\\n`));
      const during = (await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).json()) as { broker_unreachable_seconds: number };
      expect(during.broker_unreachable_seconds).toBeGreaterThan(5);
      server = broker.start();
      await answers(brokers);
      await send(events.slice(3_000, 6_000));
      await sleep(5_000);
      await send(events.slice(6_000));

      const committed = async () => {
        const a = client.admin();
        await a.connect();
        try {
          const [offsets] = await a.fetchOffsets({ groupId: topic, topics: [topic] });
          return offsets!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
        } finally {
          await a.disconnect();
        }
      };
      try {
        await expect.poll(committed, { timeout: 180_000, interval: 1000 }).toBe(events.length);
      } catch (error) {
        console.log(run.output().split("\n").slice(-60).join("\n"));
        throw error;
      }
      expect(run.output()).toMatch(/\nrunner: the broker answers again after \d+ s; reading on\n/);
      const after = (await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).json()) as { broker_unreachable_seconds: number };
      expect(after.broker_unreachable_seconds).toBe(0);
      run.child.kill("SIGTERM");
      expect(await run.exited, run.output()).toBe(0);
      const { dir, keys } = await download(`${topic}/`);
      const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
      expect(c.expected).toBeGreaterThan(6_000);
      expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
    } finally {
      server.kill("SIGKILL");
    }
  });
});

/**
 * A cluster that takes only SASL (the test broker's second listener, PLAIN):
 * the published runner and the notebook's sample reader both log in with the
 * RUNNEL_KAFKA_* environment, and a wrong password is a clear failure.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { kafkaTls } from "../servers/kafka-tls.ts";
import { compareWithDuckDB, download, fillTopic, publish, readPlan, startRunner, uniqueName } from "./harness.ts";

let pii: { bundle: string; plan: Plan };
let topic: string;
const events = demoEvents({ generator: "pii", rate: 50, seed: 31 }, 0, 3_000);
const saslEnv = (password: string) => ({
  RUNNEL_KAFKA_SASL_MECHANISM: kafkaConfig.sasl.mechanism,
  RUNNEL_KAFKA_USERNAME: kafkaConfig.sasl.username,
  RUNNEL_KAFKA_PASSWORD: password,
});
const saslBrokers = kafkaConfig.saslBrokers.join(",");

beforeAll(async () => {
  const bundle = await publish("pii-staging");
  pii = { bundle, plan: await readPlan(bundle) };
  topic = uniqueName("sasl");
  await fillTopic(topic, 2, events, (e) => String((e as { user_id?: unknown }).user_id ?? ""));
}, 240_000);

describe("Kafka over SASL", () => {
  test("the runner logs in with RUNNEL_KAFKA_* and writes exactly DuckDB's rows", { timeout: 120_000 }, async () => {
    const sink = ["--sink", `staging=s3://${s3Config.bucket}/${topic}/`];
    const run = startRunner(pii.bundle, ["--topic", topic, "--group", topic, "--until-caught-up", ...sink, "--brokers", saslBrokers], saslEnv(kafkaConfig.sasl.password));
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/runner stopped: 3000 events/);
    const { dir, keys } = await download(`${topic}/`);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });
  });

  test("a wrong password stops the runner with the broker's authentication error, and an unknown mechanism is a usage error", { timeout: 60_000 }, async () => {
    const sink = ["--sink", `staging=s3://${s3Config.bucket}/${uniqueName("never")}/`];
    const run = startRunner(pii.bundle, ["--topic", topic, "--group", uniqueName("g"), "--until-caught-up", ...sink, "--brokers", saslBrokers], saslEnv("wrong"));
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/SASL PLAIN authentication failed/);
    const usage = startRunner(pii.bundle, ["--topic", topic, "--until-caught-up", ...sink], { ...saslEnv("x"), RUNNEL_KAFKA_SASL_MECHANISM: "oauthbearer" });
    expect(await usage.exited).toBe(2);
    expect(usage.output()).toMatch(/RUNNEL_KAFKA_SASL_MECHANISM must be plain, scram-sha-256, scram-sha-512, got 'oauthbearer'/);
  });

  test("the notebook's sample reads the SASL listener with the same settings, and says why when the login fails", { timeout: 60_000 }, async () => {
    const spec = { kind: "kafka" as const, name: "accounts", topic, brokers: [...kafkaConfig.saslBrokers], format: "json" as const, sampleSize: 1000, demo: null };
    const good = openKafkaSource(spec, "runnel-gateway", { sasl: { ...kafkaConfig.sasl } });
    try {
      const sample = await good.sample(100);
      expect(sample).toHaveLength(100);
      expect(sample.every((e) => e.ok)).toBe(true);
    } finally {
      await good.close();
    }
    // As the gateway opens it: no settings passed, RUNNEL_KAFKA_* read from the environment.
    const saved = { ...process.env };
    Object.assign(process.env, saslEnv(kafkaConfig.sasl.password));
    const fromEnv = openKafkaSource(spec);
    try {
      expect(await fromEnv.sample(10)).toHaveLength(10);
    } finally {
      await fromEnv.close();
      for (const k of Object.keys(saslEnv(""))) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
    const bad = openKafkaSource(spec, "runnel-gateway", { sasl: { ...kafkaConfig.sasl, password: "wrong" } });
    try {
      await expect(bad.sample(10)).rejects.toThrow(/SASL PLAIN authentication failed/);
    } finally {
      await bad.close();
    }
  });

  test("over TLS (SASL_SSL, as managed clusters take it): the runner trusts the CA in RUNNEL_KAFKA_CA_FILE, and refuses a certificate it cannot verify", { timeout: 120_000 }, async () => {
    const brokers = kafkaConfig.saslTlsBrokers.join(",");
    const sink = ["--sink", `staging=s3://${s3Config.bucket}/${topic}-tls/`];
    const run = startRunner(pii.bundle, ["--topic", topic, "--group", `${topic}-tls`, "--until-caught-up", ...sink, "--brokers", brokers], {
      ...saslEnv(kafkaConfig.sasl.password),
      RUNNEL_KAFKA_CA_FILE: kafkaTls.caFile,
    });
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/runner stopped: 3000 events/);
    const { dir, keys } = await download(`${topic}-tls/`);
    const c = await compareWithDuckDB("pii-staging", pii.plan, events, dir, keys);
    expect(c).toMatchObject({ actual: c.expected, missing: 0, extra: 0 });

    // TLS with the system's CAs only: the self-signed broker is not trusted.
    const untrusted = startRunner(pii.bundle, ["--topic", topic, "--group", uniqueName("g"), "--until-caught-up", ...sink, "--brokers", brokers], {
      ...saslEnv(kafkaConfig.sasl.password),
      RUNNEL_KAFKA_SSL: "1",
    });
    expect(await untrusted.exited).not.toBe(0);
    expect(untrusted.output()).toMatch(/self[- ]signed certificate/i);
  });

  test("a broker that is not there, or TLS against a plaintext listener, stops the runner in seconds with what to check", { timeout: 60_000 }, async () => {
    const sink = ["--sink", `staging=s3://${s3Config.bucket}/${uniqueName("never")}/`];
    const nobody = startRunner(pii.bundle, ["--topic", topic, "--until-caught-up", ...sink, "--brokers", "127.0.0.1:9"]);
    expect(await nobody.exited).toBe(1);
    expect(nobody.output()).toMatch(/runner: cannot reach the Kafka brokers 127\.0\.0\.1:9: .*ECONNREFUSED.*; check --brokers/);
    const tls = startRunner(pii.bundle, ["--topic", topic, "--until-caught-up", ...sink, "--brokers", kafkaConfig.brokers.join(",")], { RUNNEL_KAFKA_SSL: "1" });
    expect(await tls.exited).toBe(1);
    expect(tls.output()).toMatch(/cannot reach the Kafka brokers .*; check --brokers, and that this listener speaks TLS/);
  });
});

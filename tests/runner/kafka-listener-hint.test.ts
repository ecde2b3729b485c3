/**
 * A runner pointed at a listener that wants a SASL login, started without one, stops at once and
 * says what to set: kafkajs's connect succeeds there (the broker answers the handshake) and the
 * first real request ends in "Closed connection", which said nothing about a login.
 */
import { describe, expect, test } from "vitest";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { publish, startRunner, uniqueName } from "./harness.ts";

describe("a runner against a listener that wants a login it lacks", () => {
  test("stops with exit 1, naming TLS and the SASL variables", { timeout: 240_000 }, async () => {
    const bundle = await publish("pii-staging");
    const runner = startRunner(bundle, ["--topic", uniqueName("t"), "--until-caught-up", "--sink", `staging=s3://${s3Config.bucket}/${uniqueName("never")}/`, "--brokers", kafkaConfig.saslBrokers.join(",")], {
      RUNNEL_KAFKA_SASL_MECHANISM: "",
      RUNNEL_KAFKA_SSL: "",
    });
    expect(await runner.exited).toBe(1);
    expect(runner.output()).toContain(
      `runner: cannot reach the Kafka brokers ${kafkaConfig.saslBrokers[0]}: Closed connection; the broker closed the connection, as a listener does that wants TLS (RUNNEL_KAFKA_SSL=1, or RUNNEL_KAFKA_CA_FILE for a private CA) or a SASL login (RUNNEL_KAFKA_SASL_MECHANISM, RUNNEL_KAFKA_USERNAME, RUNNEL_KAFKA_PASSWORD); set them in the environment, or check --brokers (or the notebook's brokers)`,
    );
    expect(runner.output()).not.toMatch(/^\s+at /m);
  });
});

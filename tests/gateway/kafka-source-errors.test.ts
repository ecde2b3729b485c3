/**
 * A notebook's Kafka source that cannot be read says what to fix, against the real broker's
 * listeners: a port nothing listens on, a listener that wants a SASL login, one that wants TLS, a
 * topic that is not there. The page shows these words on the source's card and in its readers.
 */
import { describe, expect, test } from "vitest";
import type { SourceSpec } from "../../notebook/format/model.ts";
import { openKafkaSource } from "../../gateway/sources/kafka-source.ts";
import { kafka as config } from "../servers/config.ts";
import { closedPort } from "../servers/ports.ts";

type KafkaSpec = Extract<SourceSpec, { kind: "kafka" }>;
const specFor = (topic: string, brokers: readonly string[]): KafkaSpec => ({ kind: "kafka", name: "orders", topic, brokers: [...brokers], format: "json", sampleSize: 1000, demo: null });

async function failure(spec: KafkaSpec): Promise<string> {
  const source = openKafkaSource(spec, "runnel-gateway-tests", {});
  try {
    await source.sample(10);
  } catch (error) {
    return (error as Error).message;
  } finally {
    await source.close();
  }
  throw new Error(`the sample of ${spec.topic} on ${spec.brokers.join(",")} did not fail`);
}

describe("a Kafka source that cannot be read says what to fix", () => {
  test("a listener that wants a SASL login: names the login's variables and TLS", async () => {
    const broker = config.saslBrokers[0];
    expect(await failure(specFor("walk6-any", config.saslBrokers))).toBe(
      `kafka: cannot reach topic walk6-any on ${broker}: Closed connection; the broker closed the connection, as a listener does that wants TLS (RUNNEL_KAFKA_SSL=1, or RUNNEL_KAFKA_CA_FILE for a private CA) or a SASL login (RUNNEL_KAFKA_SASL_MECHANISM, RUNNEL_KAFKA_USERNAME, RUNNEL_KAFKA_PASSWORD); set them in the environment, or check sources.orders.kafka.brokers`,
    );
  });

  test("a listener that wants TLS: the same words", async () => {
    expect(await failure(specFor("walk6-any", config.saslTlsBrokers))).toContain(
      "the broker closed the connection, as a listener does that wants TLS (RUNNEL_KAFKA_SSL=1, or RUNNEL_KAFKA_CA_FILE for a private CA) or a SASL login",
    );
  });

  test("a port nothing listens on: check the brokers and that the broker runs", async () => {
    const port = await closedPort();
    expect(await failure(specFor("walk6-any", [`127.0.0.1:${port}`]))).toBe(
      `kafka: cannot reach topic walk6-any on 127.0.0.1:${port}: Connection error: connect ECONNREFUSED 127.0.0.1:${port}; check sources.orders.kafka.brokers, and that the broker is running (nothing answers there)`,
    );
  });

  test("a topic that does not exist: create it or name another", async () => {
    const topic = `walk6-missing-${Date.now()}`;
    expect(await failure(specFor(topic, config.brokers))).toBe(
      `kafka: topic ${topic} does not exist on ${config.brokers[0]}; create it, or name another in sources.orders.kafka.topic (the notebook does not create topics)`,
    );
  });
});

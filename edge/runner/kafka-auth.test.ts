import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { KafkaSecurityError, kafkaSecurityFromEnv } from "./kafka-auth.ts";

describe("Kafka security from the environment", () => {
  test("nothing set is a plain connection; TLS and each SASL mechanism are read", () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
    expect(kafkaSecurityFromEnv({ RUNNEL_KAFKA_SSL: "0" })).toEqual({});
    const env = { RUNNEL_KAFKA_SSL: "1", RUNNEL_KAFKA_SASL_MECHANISM: "SCRAM-SHA-512", RUNNEL_KAFKA_USERNAME: "u", RUNNEL_KAFKA_PASSWORD: "p" };
    expect(kafkaSecurityFromEnv(env)).toEqual({ ssl: true, sasl: { mechanism: "scram-sha-512", username: "u", password: "p" } });
  });

  test("a setting that cannot work is an error naming the variable", () => {
    expect(() => kafkaSecurityFromEnv({ RUNNEL_KAFKA_SSL: "true" })).toThrow("RUNNEL_KAFKA_SSL takes 1 (TLS) or 0, got 'true'");
    expect(() => kafkaSecurityFromEnv({ RUNNEL_KAFKA_SASL_MECHANISM: "gssapi", RUNNEL_KAFKA_USERNAME: "u", RUNNEL_KAFKA_PASSWORD: "p" })).toThrow(
      "RUNNEL_KAFKA_SASL_MECHANISM must be plain, scram-sha-256, scram-sha-512, got 'gssapi'",
    );
    expect(() => kafkaSecurityFromEnv({ RUNNEL_KAFKA_SASL_MECHANISM: "plain", RUNNEL_KAFKA_USERNAME: "u" })).toThrow(KafkaSecurityError);
  });

  test("RUNNEL_KAFKA_CA_FILE trusts a private CA (and means TLS); a file that is not one is an error", () => {
    const dir = mkdtempSync(join(tmpdir(), "runnel-ca-"));
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    writeFileSync(join(dir, "ca.pem"), pem);
    writeFileSync(join(dir, "key.txt"), "not a certificate");
    expect(kafkaSecurityFromEnv({ RUNNEL_KAFKA_CA_FILE: join(dir, "ca.pem") })).toEqual({ ssl: { ca: [pem] } });
    expect(() => kafkaSecurityFromEnv({ RUNNEL_KAFKA_CA_FILE: join(dir, "key.txt") })).toThrow(`RUNNEL_KAFKA_CA_FILE names ${join(dir, "key.txt")}, which holds no PEM certificate`);
    expect(() => kafkaSecurityFromEnv({ RUNNEL_KAFKA_CA_FILE: join(dir, "missing.pem") })).toThrow(/RUNNEL_KAFKA_CA_FILE names .*missing\.pem, which cannot be read/);
  });
});

/**
 * How runnel authenticates to a Kafka cluster: from the environment only, so
 * no secret sits in a notebook, a bundle or a command line. The same settings
 * serve the published runner and the notebook's sample reader (a managed
 * cluster — Confluent Cloud, MSK, Aiven, Redpanda Cloud — takes both TLS and
 * SASL).
 *
 * - `RUNNEL_KAFKA_SSL=1`: TLS with the system's CAs; `RUNNEL_KAFKA_CA_FILE`
 *   (a PEM file) trusts a private CA instead, and implies TLS.
 * - `RUNNEL_KAFKA_SASL_MECHANISM` (`plain`, `scram-sha-256`, `scram-sha-512`)
 *   with `RUNNEL_KAFKA_USERNAME` and `RUNNEL_KAFKA_PASSWORD`.
 */
import { readFileSync } from "node:fs";
import type { SASLOptions } from "kafkajs";

export interface KafkaSecurity {
  ssl?: boolean | { ca: string[] };
  sasl?: SASLOptions;
}

/** A setting that cannot be used; its message names the variable and what it takes. */
export class KafkaSecurityError extends Error {}

const MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;

export function kafkaSecurityFromEnv(env: Record<string, string | undefined> = process.env): KafkaSecurity {
  const security: KafkaSecurity = {};
  const ssl = env.RUNNEL_KAFKA_SSL;
  if (ssl !== undefined && ssl !== "" && ssl !== "0") {
    if (ssl !== "1") throw new KafkaSecurityError(`RUNNEL_KAFKA_SSL takes 1 (TLS) or 0, got '${ssl}'`);
    security.ssl = true;
  }
  const caFile = env.RUNNEL_KAFKA_CA_FILE;
  if (caFile !== undefined && caFile !== "") {
    let pem: string;
    try {
      pem = readFileSync(caFile, "utf8");
    } catch (error) {
      throw new KafkaSecurityError(`RUNNEL_KAFKA_CA_FILE names ${caFile}, which cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new KafkaSecurityError(`RUNNEL_KAFKA_CA_FILE names ${caFile}, which holds no PEM certificate`);
    security.ssl = { ca: [pem] };
  }
  const mechanism = env.RUNNEL_KAFKA_SASL_MECHANISM;
  if (mechanism === undefined || mechanism === "") return security;
  const chosen = MECHANISMS.find((m) => m === mechanism.toLowerCase());
  if (!chosen) throw new KafkaSecurityError(`RUNNEL_KAFKA_SASL_MECHANISM must be ${MECHANISMS.join(", ")}, got '${mechanism}'`);
  const username = env.RUNNEL_KAFKA_USERNAME;
  const password = env.RUNNEL_KAFKA_PASSWORD;
  if (!username || !password) throw new KafkaSecurityError("RUNNEL_KAFKA_SASL_MECHANISM is set; RUNNEL_KAFKA_USERNAME and RUNNEL_KAFKA_PASSWORD must be too");
  security.sasl = { mechanism: chosen, username, password } as SASLOptions;
  return security;
}

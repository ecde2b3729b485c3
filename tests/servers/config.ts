/**
 * Where the real test servers listen. Fixed loopback ports and test-only
 * credentials, so every test and every developer shell agrees without
 * passing anything around. Run-time data lives in the git-ignored `.data/`.
 *
 * `RUNNEL_TEST_PORT_OFFSET` (an integer, default 0) shifts every port, so a
 * second checkout can run its own servers beside a developer's (the
 * fresh-clone check uses it). Read with `globalThis` so this file also loads
 * where there is no `process`.
 */
const offset = Number(
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RUNNEL_TEST_PORT_OFFSET ?? 0,
);
if (!Number.isInteger(offset) || offset < 0 || offset > 10_000) {
  throw new Error(`servers: RUNNEL_TEST_PORT_OFFSET must be an integer from 0 to 10000, not ${String(offset)}`);
}
const port = (base: number) => base + offset;

export const kafka = {
  brokers: [`127.0.0.1:${port(19092)}`],
  controller: `127.0.0.1:${port(19093)}`,
  /** A second listener of the same broker that takes only SASL/PLAIN with this user. */
  saslBrokers: [`127.0.0.1:${port(19094)}`],
  sasl: { mechanism: "plain", username: "runnel-test", password: "runnel-test-sasl-secret" },
  /** A third listener: SASL/PLAIN over TLS, as managed clusters take it (certificate: `kafka-tls.ts`). */
  saslTlsBrokers: [`127.0.0.1:${port(19095)}`],
} as const;

export const s3 = {
  endpoint: `http://127.0.0.1:${port(19000)}`,
  region: "us-east-1",
  accessKeyId: "runnel-test",
  secretAccessKey: "runnel-test-secret-key",
  bucket: "runnel-test",
} as const;

/** Apicurio Registry's Confluent-compatible API (`registry.ts`): a Schema Registry's base URL. */
export const registry = {
  url: `http://127.0.0.1:${port(19081)}/apis/ccompat/v7`,
} as const;

export const chromium = {
  executablePath: "/usr/bin/chromium",
} as const;

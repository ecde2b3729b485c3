/**
 * What to check when Kafka brokers do not answer as a reader expected, in words a person can act
 * on. A listener that wants TLS or a SASL login answers kafkajs's first handshake and then closes
 * the connection at the first real request, which kafkajs reports as only "Closed connection".
 */

const SASL_VARIABLES = "RUNNEL_KAFKA_SASL_MECHANISM, RUNNEL_KAFKA_USERNAME, RUNNEL_KAFKA_PASSWORD";

/**
 * The hint for kafkajs's `said` when reaching brokers with `security` (TLS and SASL as the reader
 * has them) fails; `brokersNamedIn` says where the brokers come from (`--brokers (or the notebook's
 * brokers)`, `sources.orders.kafka.brokers`).
 */
export function kafkaConnectHint(said: string, security: { ssl?: unknown; sasl?: unknown }, brokersNamedIn: string): string {
  if (/SASL|authentication/i.test(said)) {
    return "check RUNNEL_KAFKA_SASL_MECHANISM, RUNNEL_KAFKA_USERNAME and RUNNEL_KAFKA_PASSWORD, and that this listener takes SASL";
  }
  const closed = /Closed connection/i.test(said);
  if (security.ssl) {
    const login = closed && !security.sasl ? `, and whether it wants a SASL login (${SASL_VARIABLES})` : "";
    return `check ${brokersNamedIn}, and that this listener speaks TLS (RUNNEL_KAFKA_SSL / RUNNEL_KAFKA_CA_FILE are set)${login}`;
  }
  if (closed) {
    const wanted = security.sasl ? "TLS (RUNNEL_KAFKA_SSL=1, or RUNNEL_KAFKA_CA_FILE for a private CA)" : `TLS (RUNNEL_KAFKA_SSL=1, or RUNNEL_KAFKA_CA_FILE for a private CA) or a SASL login (${SASL_VARIABLES})`;
    return `the broker closed the connection, as a listener does that wants ${wanted}; set them in the environment, or check ${brokersNamedIn}`;
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection timeout/i.test(said)) {
    return `check ${brokersNamedIn}, and that the broker is running (nothing answers there)`;
  }
  return `check ${brokersNamedIn}, and RUNNEL_KAFKA_SSL / RUNNEL_KAFKA_SASL_MECHANISM if the cluster needs them`;
}

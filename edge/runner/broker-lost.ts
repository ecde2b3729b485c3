/**
 * Whether a failure kafkajs restarts its consumer after is the broker going away (stopped, restarted,
 * unreachable, still loading its groups after a restart) rather than something the runner did.
 * kafkajs wraps the cause: a `KafkaJSNumberOfRetriesExceeded` or `KafkaJSNonRetriableError` holds
 * it as `cause` (as `originalError` in kafkajs before 2.2), e.g. a refused connection as
 * `KafkaJSNumberOfRetriesExceeded > KafkaJSConnectionError` while the broker is down.
 */
const GONE = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSGroupCoordinatorNotFound",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSNoBrokerAvailableError",
]);

/** Protocol errors a broker answers while it starts again or hands a partition or a group over. */
const MOVING = new Set(["COORDINATOR_NOT_AVAILABLE", "NOT_COORDINATOR", "COORDINATOR_LOAD_IN_PROGRESS", "LEADER_NOT_AVAILABLE", "NOT_LEADER_OR_FOLLOWER", "BROKER_NOT_AVAILABLE"]);

/** Whether `error` (a consumer crash kafkajs restarts after) is the broker gone or moving, down its chain of causes. */
export function brokerUnreachable(error: unknown): boolean {
  for (let at = error, depth = 0; at instanceof Error && depth < 8; depth++) {
    if (GONE.has(at.name)) return true;
    const type = (at as { type?: unknown }).type;
    if (at.name === "KafkaJSProtocolError" && typeof type === "string" && MOVING.has(type)) return true;
    at = (at as { originalError?: unknown }).originalError ?? at.cause;
  }
  return false;
}

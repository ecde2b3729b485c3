import { KafkaJSConnectionError, KafkaJSError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { describe, expect, test } from "vitest";
import { brokerUnreachable } from "./broker-lost.ts";

describe("brokerUnreachable", () => {
  test("a refused connection, as kafkajs wraps it after its retries, is the broker gone", () => {
    const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
    expect(brokerUnreachable(refused)).toBe(true);
    expect(brokerUnreachable(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 4000 }))).toBe(true);
  });

  // kafkajs builds a protocol error from the broker's error code ({ message, type, code }); its typings take only an Error.
  const protocolError = (type: string, code: number) => new KafkaJSProtocolError({ message: type, type, code } as unknown as Error);

  test("a group coordinator still loading after a restart is the broker moving; a runner's own failure is not", () => {
    expect(brokerUnreachable(protocolError("COORDINATOR_LOAD_IN_PROGRESS", 14))).toBe(true);
    expect(brokerUnreachable(protocolError("GROUP_AUTHORIZATION_FAILED", 30))).toBe(false);
    expect(brokerUnreachable(new Error("runner: partition 0: flush of offsets 0-99 failed"))).toBe(false);
    expect(brokerUnreachable(new KafkaJSError("something else"))).toBe(false);
  });
});

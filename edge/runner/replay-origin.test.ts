import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import type { SourceSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import { decodeDeadLetters, encodeDeadLetters, type DeadLetter } from "../sinks/dead-letter.ts";
import { deliveryOrigin } from "../worker/delivery-origin.ts";
import { kafkaOrigin } from "./kafka-metadata.ts";
import { replayInputs } from "./replay.ts";

const plan = { pipelines: [], sources: { ev: { format: "json", schema: [] }, hook: { format: "json", schema: [] } } } as unknown as Plan;
const at = "2026-03-01T00:00:00.000Z";

type Webhook = Extract<SourceSpec, { kind: "webhook" }>;
const hook: Webhook = {
  kind: "webhook", name: "hook", path: "/hook", signature: "github", secret: "GITHUB_SECRET", deliveryHeader: "X-GitHub-Delivery",
  metadata: ["received_at", "delivery_id"], headers: ["x-github-event"], format: "json", sampleSize: 100, demo: null,
};
const delivery = {
  receivedAt: Date.UTC(2026, 2, 1, 10, 0, 0, 250),
  headers: new Headers({ "x-github-event": "push", "x-github-delivery": "d-1", "x-hub-signature-256": "sha256=secret", authorization: "Bearer t" }),
};

async function replayedLines(letters: DeadLetter[], sources?: Record<string, SourceSpec>) {
  const file = join(mkdtempSync(join(tmpdir(), "runnel-replay-origin-")), "letters.ndjson");
  writeFileSync(file, encodeDeadLetters(letters));
  const replay = await replayInputs(plan, [file], sources);
  const lines = Object.fromEntries(Object.entries(replay.inputs).map(([s, [input]]) => [s, readFileSync(input!.path, "utf8").trimEnd().split("\n")]));
  return { replay, lines };
}

test("a letter's origin is written as a versioned field and read back; an old letter has none; another version is an error naming the line", () => {
  const origin = kafkaOrigin(["key", "offset", "headers"], { key: new Uint8Array([0xff, 0x41]), timestamp: 5, partition: 2, offset: 9007199254740993n, topic: "t", headers: { a: [new TextEncoder().encode("x"), null] } });
  const letters: DeadLetter[] = [{ reason: "cast", raw: '{"id":1}', source: "ev", at, origin }, { reason: "cast", raw: '{"id":2}', source: "ev", at }];
  const bytes = encodeDeadLetters(letters);
  expect(new TextDecoder().decode(bytes).split("\n")[0]).toBe('{"reason":"cast","raw":"{\\"id\\":1}","source":"ev","at":"2026-03-01T00:00:00.000Z","origin":{"v":1,"kafka":{"key":"/0E=","offset":"9007199254740993","headers":[["a","eA=="],["a",null]]}}}');
  expect(decodeDeadLetters(bytes)).toEqual(letters);
  const future = new TextEncoder().encode(`${JSON.stringify({ reason: "r", raw: "{}", source: "ev", at, origin: { v: 2 } })}\n`);
  expect(() => decodeDeadLetters(future)).toThrow("dead-letter: line 1 is not a dead letter");
  try {
    decodeDeadLetters(future);
  } catch (error) {
    expect(((error as Error).cause as Error).message).toBe("origin version 2 is not one this runnel reads (1); replay with the runnel that wrote it");
  }
});

test("a Kafka letter replays with the record's columns after the event's own text; an old letter replays as before and is counted", async () => {
  const origin = kafkaOrigin(["key", "timestamp", "partition", "offset", "topic", "headers"], { key: new TextEncoder().encode("order-2"), timestamp: 1700000001000, partition: 0, offset: 1n, topic: "orders", headers: { trace: new TextEncoder().encode("t2") } });
  const { replay, lines } = await replayedLines([
    { reason: "cast", raw: '{"id": 2, "amount": 10.0}', source: "ev", at, origin },
    { reason: "cast", raw: "null", source: "ev", at, origin },
    { reason: "cast", raw: '{"id": 3}', source: "ev", at: "2026-03-01T00:00:01.000Z" },
  ], { ev: { kind: "kafka", name: "ev", topic: "orders", brokers: [], metadata: ["key", "offset", "headers", "timestamp"], format: "json", sampleSize: 100, demo: null } });
  expect(lines.ev).toEqual([
    '{"id": 2, "amount": 10.0,"_key":"order-2","_offset":1,"_headers":[{"key":"trace","value":"t2"}],"_timestamp":"2023-11-14 22:13:21.000"}',
    '{"_key":"order-2","_offset":1,"_headers":[{"key":"trace","value":"t2"}],"_timestamp":"2023-11-14 22:13:21.000"}',
    '{"id": 3}',
  ]);
  expect(replay.withOrigin).toEqual({ ev: 2 });
  expect(replay.withoutOrigin).toEqual({ ev: 1 });
});

test("a Kafka letter the live run would refuse again (a key that is not UTF-8, a field of a column's name) is left out with the live reason", async () => {
  const notUtf8 = kafkaOrigin(["key"], { key: new Uint8Array([0xff, 0xfe]), timestamp: 0, partition: 0, offset: 0n, topic: "t", headers: undefined });
  const { replay } = await replayedLines([
    { reason: "r", raw: '{"id": 1}', source: "ev", at, origin: notUtf8 },
    { reason: "r", raw: '{"id": 1, "_KEY": "mine"}', source: "ev", at, origin: kafkaOrigin(["key"], { key: null, timestamp: 0, partition: 0, offset: 0n, topic: "t", headers: undefined }) },
  ]);
  expect(replay.replayed).toEqual({});
  expect(replay.skipped.map((s) => s.reason).sort()).toEqual([
    "still refused as the live run refused it: kafka: the event already has a field _KEY, and metadata: key adds the column _key; rename the field in the producer, or leave key out of metadata:",
    "still refused as the live run refused it: kafka: the record's key is not UTF-8 text (bytes fffe); leave it out of metadata: to read this topic",
  ]);
});

test("a webhook delivery's letter keeps only the selected headers and replays with _received_at, _delivery_id and _headers", async () => {
  const origin = deliveryOrigin(hook, delivery)!;
  expect(origin).toEqual({ v: 1, webhook: { receivedAt: delivery.receivedAt, deliveryId: "d-1", headers: { "x-github-event": "push" } } });
  expect(JSON.stringify(origin)).not.toContain("secret");
  expect(deliveryOrigin({ ...hook, metadata: [], headers: [] }, delivery)).toBeUndefined();
  for (const sources of [{ hook }, undefined]) {
    const { replay, lines } = await replayedLines([{ reason: "cast", raw: '{"action":"opened"}', source: "hook", at, origin }], sources);
    expect(lines.hook).toEqual(['{"action":"opened","_received_at":"2026-03-01 10:00:00.250","_delivery_id":"d-1","_headers":{"x-github-event":"push"}}']);
    expect(replay.withOrigin).toEqual({ hook: 1 });
  }
  // A notebook fixed to select a header the letter did not keep: the letter cannot give it, and is counted.
  const { replay } = await replayedLines([{ reason: "cast", raw: '{"action":"opened"}', source: "hook", at, origin }], { hook: { ...hook, headers: ["x-github-event", "x-github-hook-id"] } });
  expect(replay.withoutOrigin).toEqual({ hook: 1 });
});

import { appendFile, mkdtemp, readdir, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { DeliveryLog, deliveryBytes, readDeliveryLines } from "./deliveries.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnel-deliveries-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const bodies = (log: DeliveryLog) => log.latest(100).map((d) => text(d.body));

test("a delivery's bytes come back exactly after a restart, whatever they are", async () => {
  const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
  const log = await DeliveryLog.open(dir, 10);
  await log.append(binary, { "x-github-event": "push" }, "d-1", 5);
  await log.append(Buffer.from('{"quote":"\\"","nl":"\\n"}'), {}, null, 6);
  await log.close();
  const again = await DeliveryLog.open(dir, 10);
  const [first, second] = again.latest(10);
  expect(first).toMatchObject({ id: "d-1", receivedAt: 5, headers: { "x-github-event": "push" } });
  expect(Buffer.from(first!.body).equals(Buffer.from(binary))).toBe(true);
  expect(text(second!.body)).toBe('{"quote":"\\"","nl":"\\n"}');
  expect(again.has("d-1")).toBe(true);
  await again.close();
});

test("a torn last record (a crash mid-write) is left out, and new deliveries go to a fresh segment", async () => {
  const log = await DeliveryLog.open(dir, 10);
  for (const i of [1, 2, 3]) await log.append(Buffer.from(`{"i":${i}}`), {}, `d-${i}`, i);
  await log.close();
  const [segment] = await readdir(dir);
  await truncate(join(dir, segment!), (await stat(join(dir, segment!))).size - 3);
  const again = await DeliveryLog.open(dir, 10);
  expect(bodies(again)).toEqual(['{"i":1}', '{"i":2}']);
  await again.append(Buffer.from('{"i":4}'), {}, "d-4", 4);
  await again.close();
  expect((await readdir(dir)).sort()).toEqual(["000001.bin", "000002.bin"]);
  const third = await DeliveryLog.open(dir, 10);
  expect(bodies(third)).toEqual(['{"i":1}', '{"i":2}', '{"i":4}']);
  await third.close();
});

test("NDJSON segments of the older format are read at start; new deliveries follow in binary", async () => {
  const line = (id: string, body: string, encoding: "utf8" | "base64") =>
    JSON.stringify({ id, receivedAt: 1, headers: {}, encoding, body: encoding === "utf8" ? body : Buffer.from(body).toString("base64") }) + "\n";
  await writeFile(join(dir, "000001.ndjson"), line("a", '{"old":1}', "utf8") + line("b", '{"old":2}', "base64"));
  await appendFile(join(dir, "000001.ndjson"), '{"id":"torn","rec');
  const log = await DeliveryLog.open(dir, 10);
  expect(bodies(log)).toEqual(['{"old":1}', '{"old":2}']);
  expect(await log.append(Buffer.from("{}"), {}, "a", 2)).toBeNull();
  await log.append(Buffer.from('{"new":3}'), {}, "c", 3);
  await log.close();
  expect((await readdir(dir)).sort()).toEqual(["000001.ndjson", "000002.bin"]);
  const lines = await readDeliveryLines(dir);
  expect(lines.map((l) => text(deliveryBytes(JSON.parse(l))))).toEqual(['{"old":1}', '{"old":2}', '{"new":3}']);
});

test("deliveries of one event-loop turn are written together, each promise resolving once written", async () => {
  const log = await DeliveryLog.open(dir, 100);
  const stored = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(Buffer.from(`{"i":${i}}`), {}, `d-${i}`, i)));
  expect(stored.map((d) => d?.id)).toEqual(Array.from({ length: 20 }, (_, i) => `d-${i}`));
  expect(await readDeliveryLines(dir)).toHaveLength(20);
  await log.close();
});

test("rotation keeps the two newest segments and deletes older ones", async () => {
  const log = await DeliveryLog.open(dir, 3);
  for (let i = 0; i < 10; i++) await log.append(Buffer.from(`{"i":${i}}`), {}, `d-${i}`, i);
  await log.close();
  // Deletion runs in the thread pool; wait until it has.
  for (let tries = 0; tries < 100 && (await readdir(dir)).length > 2; tries++) await new Promise((r) => setTimeout(r, 10));
  expect((await readdir(dir)).sort()).toEqual(["000003.bin", "000004.bin"]);
  const again = await DeliveryLog.open(dir, 3);
  expect(bodies(again)).toEqual(['{"i":7}', '{"i":8}', '{"i":9}']);
  await again.close();
});

test("a delivery whose write failed is not remembered, so the sender's retry is not taken for a duplicate", async () => {
  const log = await DeliveryLog.open(dir, 10);
  await log.append(Buffer.from('{"i":1}'), {}, "kept", 1);
  await log.close();
  await expect(log.append(Buffer.from('{"i":2}'), {}, "lost", 2)).rejects.toThrow(/cannot write deliveries/);
  expect(log.has("lost")).toBe(false);
  expect(log.has("kept")).toBe(true);
  expect(bodies(log)).toEqual(['{"i":1}']);
});

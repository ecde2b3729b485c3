import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import type { Plan } from "../plan/types.ts";
import { encodeDeadLetters } from "../sinks/dead-letter.ts";
import { readEvents } from "./read-inputs.ts";
import { replayInputs } from "./replay.ts";

const plan = { pipelines: [], sources: { orders: {} } } as unknown as Plan;

test("a pretty-printed payload (a Stripe body) is replayed as the same event; a multi-line payload that is not JSON is left out", async () => {
  const dir = mkdtempSync(join(tmpdir(), "runnel-replay-unit-"));
  const pretty = '{\r\n  "id": "evt_1",\n  "amount": 12345678901234567890,\n  "note": "a\\nb"\n}';
  const file = join(dir, "letters.ndjson");
  writeFileSync(
    file,
    encodeDeadLetters([
      { reason: "cast", raw: pretty, source: "orders", at: "2026-03-01T00:00:01.000Z" },
      { reason: "not json", raw: "id,amount\n1,2", source: "orders", at: "2026-03-01T00:00:02.000Z" },
      { reason: "cast", raw: '{"id": "evt_0"}', source: "orders", at: "2026-03-01T00:00:00.000Z" },
    ]),
  );
  const replay = await replayInputs(plan, [file]);
  expect(replay.replayed).toEqual({ orders: 2 });
  expect(replay.skipped).toEqual([{ reason: "the payload holds a line break and is not JSON, so it is not one event of NDJSON", count: 1 }]);
  const input = replay.inputs.orders![0]!;
  expect(readFileSync(input.path, "utf8").split("\n").length).toBe(3);
  const events: unknown[] = [];
  for await (const batch of readEvents(input, 100)) events.push(...batch);
  expect(events.map((e) => (e as { id: string }).id)).toEqual(["evt_0", "evt_1"]);
  expect((events[1] as { note: string }).note).toBe("a\nb");
  expect(String((events[1] as { amount: unknown }).amount)).toBe("12345678901234567890");
});

test("the payloads' copies are removed when the process exits (they were left in the temporary folder)", () => {
  const dir = mkdtempSync(join(tmpdir(), "runnel-replay-unit-"));
  const file = join(dir, "letters.ndjson");
  writeFileSync(file, encodeDeadLetters([{ reason: "cast", raw: '{"id": 1}', source: "orders", at: "2026-03-01T00:00:00.000Z" }]));
  const script = `
    import { replayInputs } from ${JSON.stringify(join(import.meta.dirname, "replay.ts"))};
    const replay = await replayInputs({ pipelines: [], sources: { orders: {} } }, [${JSON.stringify(file)}]);
    console.log(replay.inputs.orders[0].path);
  `;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  const written = child.stdout.trim();
  expect(written).toMatch(/runnel-replay-.*orders\.ndjson$/);
  expect(existsSync(written)).toBe(false);
  expect(existsSync(join(written, ".."))).toBe(false);
});

test("letters that hold an output row or a failed group's keys are not events: they are left out, with why", async () => {
  const dir = mkdtempSync(join(tmpdir(), "runnel-replay-unit-"));
  const file = join(dir, "letters.ndjson");
  writeFileSync(
    file,
    encodeDeadLetters([
      { reason: "lake: a partition value past 255 bytes", raw: '{"id":2,"k":"xxx"}', source: "orders", at: "2026-03-01T00:00:00.000Z", kind: "row" },
      { reason: "sink lake: Out of Range Error", raw: '["a",1]', source: "orders", at: "2026-03-01T00:00:01.000Z", kind: "group" },
      { reason: "cast", raw: '{"id": 3}', source: "orders", at: "2026-03-01T00:00:02.000Z" },
    ]),
  );
  const replay = await replayInputs(plan, [file]);
  expect(replay.replayed).toEqual({ orders: 1 });
  expect(replay.skipped.map((s) => s.reason)).toEqual([
    "an output row no file could hold (not an event; fix the sink's columns or partition values and backfill)",
    "an aggregate group that failed as it was emitted (its keys, not an event)",
  ]);
});

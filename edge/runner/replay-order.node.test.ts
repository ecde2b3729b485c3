/**
 * A replay is named by a digest of what it replays, so replaying the same letters twice replaces
 * its objects. "The same letters" must not depend on the order the dead-letter files are named or
 * listed in: letters of one time (one batch's, split over two files, or two sources') come out in
 * the same order and under the same writer name whichever file is read first.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compilePlan } from "../compile/compile.ts";
import { gatherCompileInputs } from "../compile/inputs.node.ts";
import { loadEvents, openDuckDB } from "../duckdb/index.node.ts";
import type { Plan } from "../plan/types.ts";
import { encodeDeadLetters, type DeadLetter } from "../sinks/dead-letter.ts";
import { replayInputs, type ReplayInputs } from "./replay.ts";

const dir = mkdtempSync(join(tmpdir(), "runnel-replay-order-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let plan: Plan;
beforeAll(async () => {
  const text =
    "---\nsources:\n  ev:\n    webhook: { signature: none }\n    format: json\n  other:\n    webhook: { signature: none }\n    format: json\nsinks:\n  out:\n    fs: { dir: out }\n  out2:\n    fs: { dir: out2 }\n---\n\n```sql id=o sink=out\nSELECT id FROM ev\n```\n\n```sql id=p sink=out2\nSELECT id FROM other\n```\n";
  const { notebook } = parseNotebook(text, "order.md");
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadEvents(db, "ev", [{ id: 1 }]);
    await loadEvents(db, "other", [{ id: 1 }]);
    plan = compilePlan(await gatherCompileInputs(db, notebook));
  } finally {
    db.close();
  }
});

const AT = "2026-12-06T05:00:00.000Z";
const letter = (source: string, id: number): DeadLetter => ({ reason: "refused", raw: JSON.stringify({ id }), source, at: AT });

/** What a replay runs: its writer name and each source's events in order. */
const replayed = (r: ReplayInputs) => ({
  writer: r.writer,
  events: Object.entries(r.inputs).map(([source, files]) => [source, files.map((f) => readFileSync(f.path, "utf8"))]),
});

test("the same letters replayed from files named in another order, or listed in another order, run the same events under the same writer", async () => {
  // One moment's letters, written as two files (a flush bound split the batch) and two sources.
  const lake = join(dir, "lake", "_errors");
  mkdirSync(join(lake, "source=ev", "day=2026-12-06"), { recursive: true });
  mkdirSync(join(lake, "source=other", "day=2026-12-06"), { recursive: true });
  const a = join(lake, "source=ev", "day=2026-12-06", "edge-0a0b0c0d-00000000000000000001-00000000000000000002.ndjson");
  const b = join(lake, "source=ev", "day=2026-12-06", "edge-0a0b0c0d-00000000000000000003-00000000000000000004.ndjson");
  const c = join(lake, "source=other", "day=2026-12-06", "edge-0a0b0c0d-00000000000000000005-00000000000000000005.ndjson");
  writeFileSync(a, encodeDeadLetters([letter("ev", 1), letter("ev", 2)]));
  writeFileSync(b, encodeDeadLetters([letter("ev", 3), letter("ev", 4)]));
  writeFileSync(c, encodeDeadLetters([letter("other", 5)]));

  const inOrder = replayed(await replayInputs(plan, [a, b, c]));
  expect(inOrder.events).toEqual([
    ["ev", ['{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}\n']],
    ["other", ['{"id":5}\n']],
  ]);
  // The files named the other way round.
  expect(replayed(await replayInputs(plan, [c, b, a]))).toEqual(inOrder);
  // The folder, its files' times the other way round (a copy made by `aws s3 sync` or `cp`).
  utimesSync(a, new Date(3_000_000), new Date(3_000_000));
  utimesSync(b, new Date(2_000_000), new Date(2_000_000));
  utimesSync(c, new Date(1_000_000), new Date(1_000_000));
  expect(replayed(await replayInputs(plan, [lake]))).toEqual(inOrder);
});

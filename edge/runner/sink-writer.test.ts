import { describe, expect, test } from "vitest";
import type { SinkSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import type { Schema } from "../plan/values.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { SinkWriter } from "./sink-writer.ts";

const schema: Schema = [
  { name: "id", type: "BIGINT" },
  { name: "user_id", type: "UUID" },
  { name: "note", type: "VARCHAR" },
  { name: "tags", type: "VARCHAR[]" },
];

function writer(bytes: number): SinkWriter {
  const plan = { version: 1, notebook: "t.md", sources: {}, pipelines: [{ sink: "s", cell: { cell: "c", file: "t.md", line: 1 }, ops: [{ op: "sink", sink: "s", partitionBy: [], schema, origin: { cell: "c", file: "t.md", line: 1 } }] }] } as unknown as Plan;
  const spec = { flush: { rows: 1_000_000, bytes, seconds: 3600 } } as SinkSpec;
  // add() and due() never touch the opened sink.
  return new SinkWriter(plan, { s: { spec, opened: null as never } }, runnelWriter, "w", () => 0);
}

describe("SinkWriter's flush.bytes bound", () => {
  test("counts fixed-size columns by type and text by its length", () => {
    // A row: 8 (row) + 8 (BIGINT) + 72 (UUID text) + 2 × 100 (note) + list 8 + 2 × 3 (one tag) = 302.
    const row = { id: 1n, user_id: "3dd3bf51-2911-4439-b54f-2c025fbb79b0", note: "x".repeat(100), tags: ["abc"] };
    const w = writer(302 * 10);
    w.add("s", Array.from({ length: 9 }, () => row));
    expect(w.due()).toBe(false);
    w.add("s", [row]);
    expect(w.due()).toBe(true);
  });

  test("a few long texts reach the bound sooner than many short ones", () => {
    const w = writer(100_000);
    w.add("s", Array.from({ length: 100 }, (_, i) => ({ id: BigInt(i), user_id: null, note: "short", tags: null })));
    expect(w.due()).toBe(false);
    w.add("s", [{ id: 0n, user_id: null, note: "y".repeat(60_000), tags: null }]);
    expect(w.due()).toBe(true);
  });
});

/**
 * A sink partitioned by a column of many values (a user id, a timestamp to the second): each
 * flush writes a file per partition, and what the open partitions hold stays bounded.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import type { SinkSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import type { Row, Schema } from "../plan/values.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { OPEN_AFTER_ROWS, SinkWriter } from "./sink-writer.ts";

const schema: Schema = [
  { name: "user_id", type: "VARCHAR" },
  { name: "event", type: "VARCHAR" },
  { name: "amount", type: "DOUBLE" },
  { name: "ts", type: "TIMESTAMP" },
];

function sinkWriter(flush: SinkSpec["flush"], puts: { key: string; body: Uint8Array }[] = []): SinkWriter {
  const plan = { version: 1, notebook: "t.md", sources: {}, pipelines: [{ sink: "s", cell: { cell: "c", file: "t.md", line: 1 }, ops: [{ op: "scan", source: "events" }, { op: "sink", sink: "s", partitionBy: ["user_id"], schema, origin: { cell: "c", file: "t.md", line: 1 } }] }] } as unknown as Plan;
  const sink = { async put(key: string, body: Uint8Array) { puts.push({ key, body }); } };
  return new SinkWriter(plan, { s: { spec: { flush } as SinkSpec, opened: { sink, prefix: "" } as never } }, runnelWriter, "w", () => 0);
}

const row = (user: number, i: number): Row => ({ user_id: `u${String(user).padStart(5, "0")}`, event: i % 3 === 0 ? "login" : "view", amount: i / 4, ts: BigInt(i) * 1_000_000n });

describe("SinkWriter with many partitions", () => {
  test("every partition's file has the bytes one write of its rows gives, small partitions and ones past OPEN_AFTER_ROWS alike", async () => {
    const puts: { key: string; body: Uint8Array }[] = [];
    const w = sinkWriter({ rows: 1_000_000, bytes: 1 << 30, seconds: 3600 }, puts);
    const expected = new Map<string, Row[]>();
    // 3,000 users with 1–3 rows, one with 5 × OPEN_AFTER_ROWS rows, arriving interleaved.
    const rows: Row[] = [];
    for (let i = 0; i < 6_000; i++) rows.push(row(i % 3_000 === 7 ? 7 : (i * 7919) % 3_000, i));
    for (let i = 0; i < OPEN_AFTER_ROWS * 5; i++) rows.push(row(7, 6_000 + i));
    for (let at = 0; at < rows.length; at += 100) w.add("s", rows.slice(at, at + 100));
    for (const r of rows) {
      const key = `s/user_id=${r.user_id}/w-00000000000000000000-00000000000000009999.parquet`;
      expected.set(key, [...(expected.get(key) ?? []), r]);
    }
    const result = await w.flush(0, 9_999);
    expect(result.files).toHaveLength(expected.size);
    expect(result.files.reduce((n, f) => n + f.rows, 0)).toBe(rows.length);
    const body = schema.slice(1);
    for (const p of puts) expect(p.body).toEqual(runnelWriter.write(body, expected.get(p.key)!));
  });

  test("each partition counts towards flush.bytes, so a flush comes before thousands of tiny partitions pile up", () => {
    // 1 MiB: ~1,000 partitions' cost, far more than 600 tiny rows' values.
    const w = sinkWriter({ rows: 1_000_000, bytes: 1 << 20, seconds: 3600 });
    w.add("s", Array.from({ length: 600 }, (_, i) => row(0, i)));
    expect(w.due()).toBe(false);
    w.add("s", Array.from({ length: 600 }, (_, i) => row(i, i)));
    expect(w.due()).toBe(false);
    w.add("s", Array.from({ length: 600 }, (_, i) => row(600 + i, i)));
    expect(w.due()).toBe(true);
  });

  test("20,000 partitions of two rows hold little more than their rows", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const w = sinkWriter({ rows: 1_000_000, bytes: 1 << 30, seconds: 3600 });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let at = 0; at < 40_000; at += 1_000) w.add("s", Array.from({ length: 1_000 }, (_, i) => row((at + i) % 20_000, at + i)));
    gc();
    const perPartition = (process.memoryUsage().heapUsed - before) / 20_000;
    // An open Parquet file a partition took ~9.6 KB (190 MB here) before its first page.
    expect(perPartition).toBeLessThan(2_500);
    expect(w.depth).toBe(40_000);
  });

  test("a flush that cannot finish a file fails with the reason each time and keeps every row (none of another sink's are lost)", async () => {
    let deep = "BIGINT";
    for (let i = 0; i < 300; i++) deep = `STRUCT(k ${deep})`;
    const origin = { cell: "c", file: "t.md", line: 1 };
    const deepSchema: Schema = [{ name: "id", type: "BIGINT" }, { name: "d", type: deep }];
    const plan = {
      version: 1, notebook: "t.md", sources: {},
      pipelines: [
        { sink: "a", cell: origin, ops: [{ op: "scan", source: "events" }, { op: "sink", sink: "a", partitionBy: ["user_id"], schema, origin }] },
        { sink: "b", cell: origin, ops: [{ op: "scan", source: "events" }, { op: "sink", sink: "b", partitionBy: [], schema: deepSchema, origin }] },
      ],
    } as unknown as Plan;
    const puts: string[] = [];
    const sink = { async put(key: string) { puts.push(key); } };
    const spec = { flush: { rows: 1_000_000, bytes: 1 << 30, seconds: 3600 } } as SinkSpec;
    const w = new SinkWriter(plan, { a: { spec, opened: { sink, prefix: "" } as never }, b: { spec, opened: { sink, prefix: "" } as never } }, runnelWriter, "w", () => 0);
    w.add("a", [row(1, 1), row(2, 2)]);
    w.add("b", [{ id: 1n, d: null }]);
    const reason = /^parquet: column "d" nests too deep for Parquet: d\.k\.k\.….k\.k needs definition level 301/;
    await expect(w.flush(0, 2)).rejects.toThrow(reason);
    await expect(w.flush(0, 2)).rejects.toThrow(reason);
    expect(w.depth).toBe(3);
    expect(puts).toEqual([]);
  });
});

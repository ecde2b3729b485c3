import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { SinkSpec } from "../../notebook/format/model.ts";
import type { Plan } from "../plan/types.ts";
import type { Schema } from "../plan/values.ts";
import { queryJson, sqlString, withDuckDB } from "../parquet/duckdb-oracle.node.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { PARTITION_BYTES, SinkWriter } from "./sink-writer.ts";

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
    // A row: 8 (row) + 8 (BIGINT) + 72 (UUID text) + 2 × 100 (note) + list 8 + 2 × 3 (one tag) = 302;
    // plus PARTITION_BYTES for the one partition.
    const row = { id: 1n, user_id: "3dd3bf51-2911-4439-b54f-2c025fbb79b0", note: "x".repeat(100), tags: ["abc"] };
    const w = writer(302 * 10 + PARTITION_BYTES);
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

describe("SinkWriter's flush", () => {
  test("takes what is buffered when it starts: rows added while it writes go to the next flush, a failed flush is written again the same", async () => {
    const puts: { key: string; body: Uint8Array }[] = [];
    let failNext = false;
    let release: (() => void) | null = null;
    const sink = {
      async put(key: string, body: Uint8Array) {
        if (release === null) await new Promise<void>((r) => (release = r));
        if (failNext) {
          failNext = false;
          throw new Error("store down");
        }
        puts.push({ key, body });
      },
    };
    const plan = { version: 1, notebook: "t.md", sources: {}, pipelines: [{ sink: "s", cell: { cell: "c", file: "t.md", line: 1 }, ops: [{ op: "sink", sink: "s", partitionBy: [], schema, origin: { cell: "c", file: "t.md", line: 1 } }] }] } as unknown as Plan;
    const spec = { flush: { rows: 1_000_000, bytes: 1 << 30, seconds: 3600 } } as SinkSpec;
    const w = new SinkWriter(plan, { s: { spec, opened: { sink, prefix: "" } as never } }, runnelWriter, "w", () => 0);
    const row = (id: number) => ({ id: BigInt(id), user_id: null, note: `n${id}`, tags: null });
    w.add("s", [row(0), row(1)]);
    w.addDeadLetters([{ reason: "bad", raw: "{", source: "src", at: "2026-12-05T00:00:00.000Z" }]);
    const first = w.flush(0, 2);
    // While the first flush waits for the store, more rows and a dead letter arrive.
    w.add("s", [row(2)]);
    w.addDeadLetters([{ reason: "worse", raw: "[", source: "src", at: "2026-12-05T00:00:00.000Z" }]);
    expect(w.depth).toBe(3);
    failNext = true;
    release!();
    await expect(first).rejects.toThrow("store down");
    // The retry writes the first flush again, not the row added since.
    const again = await w.flush(0, 2);
    expect(again.files.map((f) => [f.key, f.rows])).toEqual([["s/w-00000000000000000000-00000000000000000002.parquet", 2]]);
    expect(again.deadLetterFiles).toHaveLength(1);
    expect(w.depth).toBe(1);
    const next = await w.flush(3, 3);
    expect(next.files.map((f) => [f.key, f.rows])).toEqual([["s/w-00000000000000000003-00000000000000000003.parquet", 1]]);
    expect(next.deadLetterFiles).toHaveLength(1);
    expect(w.depth).toBe(0);
    expect(w.deadLetterDepth).toBe(0);
    const letters = puts.filter((p) => p.key.includes("_errors")).map((p) => new TextDecoder().decode(p.body));
    expect(letters.map((l) => JSON.parse(l.trim()).reason)).toEqual(["bad", "worse"]);
  });
});

describe("SinkWriter and partition values no key can hold", () => {
  test("a row whose partition folder would pass 255 bytes is a dead letter with the reason; the rows around it are written", async () => {
    const puts: { key: string; body: Uint8Array }[] = [];
    const sink = { async put(key: string, body: Uint8Array) { puts.push({ key, body }); } };
    const cols: Schema = [{ name: "cat", type: "VARCHAR" }, { name: "n", type: "BIGINT" }];
    const plan = { version: 1, notebook: "t.md", sources: {}, pipelines: [{ sink: "s", cell: { cell: "c", file: "t.md", line: 1 }, ops: [{ op: "scan", source: "events" }, { op: "sink", sink: "s", partitionBy: ["cat"], schema: cols, origin: { cell: "c", file: "t.md", line: 1 } }] }] } as unknown as Plan;
    const spec = { flush: { rows: 1_000_000, bytes: 1 << 30, seconds: 3600 } } as SinkSpec;
    const w = new SinkWriter(plan, { s: { spec, opened: { sink, prefix: "" } as never } }, runnelWriter, "w", () => Date.parse("2026-12-05T10:00:00Z"));
    const long = "é".repeat(200);
    w.add("s", [{ cat: "a", n: 1n }, { cat: long, n: 2n }, { cat: "a", n: 3n }, { cat: "b/c", n: 4n }, { cat: long, n: 5n }]);
    expect(w.depth).toBe(3);
    const result = await w.flush(0, 4);
    expect(result.files.map((f) => [f.key, f.rows])).toEqual([
      ["s/cat=a/w-00000000000000000000-00000000000000000004.parquet", 2],
      ["s/cat=b%2Fc/w-00000000000000000000-00000000000000000004.parquet", 1],
    ]);
    const letters = puts.filter((p) => p.key.includes("_errors")).flatMap((p) => new TextDecoder().decode(p.body).trim().split("\n").map((l) => JSON.parse(l)));
    expect(letters).toHaveLength(2);
    expect(letters[0].reason).toMatch(/^s: partition value of cat makes a folder name of 404 bytes; object stores and file systems take at most 255/);
    expect(JSON.parse(letters[1].raw)).toEqual({ cat: long, n: 5 });
    expect(letters[0].source).toBe("events");
  });
});

describe("SinkWriter and HUGEINT columns", () => {
  test("a sum is written as DECIMAL(38,0), which DuckDB reads back as the number; a value past 38 digits is a dead letter", async () => {
    const puts: { key: string; body: Uint8Array }[] = [];
    const sink = { async put(key: string, body: Uint8Array) { puts.push({ key, body }); } };
    const cols: Schema = [{ name: "k", type: "VARCHAR" }, { name: "total", type: "HUGEINT" }, { name: "parts", type: "STRUCT(n UHUGEINT[])" }];
    const plan = { version: 1, notebook: "t.md", sources: {}, pipelines: [{ sink: "s", cell: { cell: "c", file: "t.md", line: 1 }, ops: [{ op: "scan", source: "events" }, { op: "sink", sink: "s", partitionBy: [], schema: cols, origin: { cell: "c", file: "t.md", line: 1 } }] }] } as unknown as Plan;
    const spec = { flush: { rows: 1_000_000, bytes: 1 << 30, seconds: 3600 } } as SinkSpec;
    const w = new SinkWriter(plan, { s: { spec, opened: { sink, prefix: "" } as never } }, runnelWriter, "w", () => Date.parse("2026-12-05T10:00:00Z"));
    const d38 = 10n ** 38n - 1n;
    w.add("s", [
      { k: "a", total: 18446744073709551616n, parts: { n: [1n, null] } },
      { k: "past", total: 10n ** 38n, parts: null },
      { k: "b", total: -d38, parts: { n: [d38] } },
      { k: "deep", total: 1n, parts: { n: [2n ** 128n - 1n] } },
      { k: "c", total: null, parts: { n: null } },
    ]);
    expect(w.depth).toBe(3);
    const result = await w.flush(0, 4);
    expect(result.files.map((f) => f.rows)).toEqual([3]);
    const dir = mkdtempSync(join(tmpdir(), "runnel-hugeint-"));
    try {
      const path = join(dir, "f.parquet");
      writeFileSync(path, puts.find((p) => p.key.endsWith(".parquet"))!.body);
      await withDuckDB(async (db) => {
        const types = await queryJson(db, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(path)}))`);
        expect(types.map((t) => t.column_type)).toEqual(["VARCHAR", "DECIMAL(38,0)", "STRUCT(n DECIMAL(38,0)[])"]);
        const got = await queryJson(db, `SELECT k, (total + 1)::VARCHAR AS t, parts::VARCHAR AS p FROM read_parquet(${sqlString(path)}) ORDER BY k`);
        expect(got).toEqual([
          { k: "a", t: "18446744073709551617", p: "{'n': [1, NULL]}" },
          { k: "b", t: `${-d38 + 1n}`, p: `{'n': [${d38}]}` },
          { k: "c", t: null, p: "{'n': NULL}" },
        ]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const letters = puts.filter((p) => p.key.includes("_errors")).flatMap((p) => new TextDecoder().decode(p.body).trim().split("\n").map((l) => JSON.parse(l)));
    expect(letters.map((l) => l.reason)).toEqual([
      "s: total is 100000000000000000000000000000000000000, past the 38 digits of DECIMAL(38,0), the Parquet type a HUGEINT is written as: cast it to DOUBLE or VARCHAR in the cell to keep such values",
      `s: parts.n[] is ${2n ** 128n - 1n}, past the 38 digits of DECIMAL(38,0), the Parquet type a UHUGEINT is written as: cast it to DOUBLE or VARCHAR in the cell to keep such values`,
    ]);
    expect(JSON.parse(letters[0].raw).k).toBe("past");
  });
});

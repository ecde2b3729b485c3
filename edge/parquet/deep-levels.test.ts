/**
 * Columns nested so deep that their Parquet levels pass a byte: DuckDB cannot read such a file
 * (and the encoder keeps levels in bytes), so the writers refuse the schema with the reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Value } from "../plan/values.ts";
import { queryJson, sqlString, withDuckDB } from "./duckdb-oracle.node.ts";
import { hyparquetWriter } from "./hyparquet.ts";
import { runnelWriter } from "./runnel.ts";

function nestedStruct(depth: number): { type: string; value: Value } {
  let type = "BIGINT";
  let value: Value = 7n;
  for (let i = 0; i < depth; i++) {
    type = `STRUCT(k ${type})`;
    value = { k: value };
  }
  return { type, value };
}

describe("Parquet levels past a byte", () => {
  test("a STRUCT 254 deep (definition level 255) is written and DuckDB reads it back", async () => {
    const { type, value } = nestedStruct(254);
    const dir = mkdtempSync(join(tmpdir(), "runnel-deep-"));
    try {
      const path = join(dir, "deep.parquet");
      writeFileSync(path, runnelWriter.write([{ name: "d", type }], [{ d: value }, { d: null }]));
      await withDuckDB(async (db) => {
        const got = await queryJson(db, `SELECT d${".k".repeat(254)} AS v FROM read_parquet(${sqlString(path)})`);
        expect(got).toEqual([{ v: "7" }, { v: null }]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a STRUCT 255 deep, or a LIST 128 deep, is refused with the reason (levels wrapped past 255 before, and DuckDB failed on the file)", () => {
    const { type, value } = nestedStruct(255);
    for (const writer of [runnelWriter, hyparquetWriter]) {
      expect(() => writer.write([{ name: "d", type }], [{ d: value }])).toThrow(
        'parquet: column "d" nests too deep for Parquet: d.k.k.….k.k needs definition level 256, and readers keep levels in a byte (DuckDB fails past 255); write it as JSON (CAST(d AS JSON)) or select the fields you need',
      );
    }
    expect(() => runnelWriter.open!([{ name: "l", type: `BIGINT${"[]".repeat(128)}` }])).toThrow(/^parquet: column "l" nests too deep for Parquet: l\.list\.element\.….list\.element needs definition level 257/);
    expect(() => runnelWriter.open!([{ name: "l", type: `BIGINT${"[]".repeat(127)}` }])).not.toThrow();
  });
});

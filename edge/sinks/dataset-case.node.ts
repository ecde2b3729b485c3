import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import type { Row } from "../plan/values.ts";
import { hyparquetWriter } from "../parquet/hyparquet.ts";
import { runnelWriter } from "../parquet/runnel.ts";
import { queryJson, sqlString, withDuckDB } from "../parquet/duckdb-oracle.node.ts";
import { datasetSql, hiveTypes, type LayoutOptions } from "./layout.ts";
import type { Sink } from "./sink.ts";
import { writeBatch } from "./write-batch.ts";
import { datasetSchema, partitionBy } from "./dataset-rows.ts";

export { datasetRows, datasetSchema, partitionBy } from "./dataset-rows.ts";

/** Writes the rows in two flushes (two writer ranges) through `writeBatch`; returns the keys. */
export async function writeDataset(sink: Sink, rows: Row[], layout?: LayoutOptions): Promise<string[]> {
  const half = Math.floor(rows.length / 2);
  const common = { sink, parquet: runnelWriter, schema: datasetSchema, partitionBy, sinkName: "per_minute", prefix: "lake/", layout };
  const a = await writeBatch({ ...common, rows: rows.slice(0, half), writer: "w0", first: 0, last: half - 1, parquetOptions: { rowGroupSize: 50 } });
  const b = await writeBatch({ ...common, rows: rows.slice(half), writer: "w0", first: half, last: rows.length - 1 });
  return [...a, ...b].map((f) => f.key);
}

/** Copies every object under `lake/` into `dir`, as a download of the bucket would. */
export async function downloadTo(sink: Sink, dir: string): Promise<void> {
  for (const key of await sink.list("lake/")) {
    const path = join(dir, ...key.split("/"));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, (await sink.get(key))!);
  }
}

/**
 * DuckDB reads the folder back as a Hive-partitioned dataset and must get
 * exactly the source rows and types.
 */
export async function expectDatasetReadsBack(dir: string, rows: Row[], layout?: LayoutOptions): Promise<void> {
  // The source goes through the other encoder, so a mistake shared by writer and oracle cannot hide.
  const sourcePath = join(dir, "source.parquet");
  writeFileSync(sourcePath, hyparquetWriter.write(datasetSchema, rows));
  const glob = join(dir, "lake", "per_minute", "**", "*.parquet");
  await withDuckDB(async (db) => {
    await db.run(`CREATE TABLE source AS SELECT * FROM read_parquet(${sqlString(sourcePath)})`);
    await db.run(`CREATE TABLE got AS ${datasetSql(glob, datasetSchema, partitionBy, layout)}`);
    expect(await queryJson(db, "SELECT column_name, column_type FROM (DESCRIBE got)")).toEqual(
      datasetSchema.map((c) => ({ column_name: c.name, column_type: c.type })),
    );
    expect(await queryJson(db, "SELECT count(*) AS n FROM got")).toEqual([{ n: String(rows.length) }]);
    const missing = await queryJson(db, "SELECT id FROM (SELECT * FROM source EXCEPT ALL SELECT * FROM got) ORDER BY id");
    const extra = await queryJson(db, "SELECT id FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM source) ORDER BY id");
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    if (layout?.nullValue === "NULL") {
      // With DuckDB's own null folder name, plain read_parquet with hive_types is exact too.
      const plain = `SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = true, hive_types = ${hiveTypes(datasetSchema, partitionBy)})`;
      const names = datasetSchema.map((c) => `"${c.name}"`).join(", ");
      const diff = await queryJson(
        db,
        `SELECT count(*) AS n FROM ((SELECT ${names} FROM (${plain}) EXCEPT ALL SELECT * FROM source) UNION ALL (SELECT * FROM source EXCEPT ALL SELECT ${names} FROM (${plain})))`,
      );
      expect(diff).toEqual([{ n: "0" }]);
    }
  });
}

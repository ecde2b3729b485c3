import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { afterAll, beforeAll, expect, test } from "vitest";
import { s3 as config } from "../servers/config.ts";
import { datasetRows, downloadTo, expectDatasetReadsBack } from "../../edge/sinks/dataset-case.node.ts";
import { r2Sink, type R2BucketLike } from "../../edge/sinks/r2.ts";
import { s3Sink } from "../../edge/sinks/s3.ts";

/**
 * The Parquet encoder and the r2 and s3 sinks inside real workerd: a Worker
 * bundled from the same sources writes the test dataset through both sinks
 * (S3 over fetch to the loopback server), and DuckDB reads each copy back.
 */
const workerSource = `
import { runnelWriter } from "./edge/parquet/runnel.ts";
import { r2Sink } from "./edge/sinks/r2.ts";
import { s3Sink } from "./edge/sinks/s3.ts";
import { writeBatch } from "./edge/sinks/write-batch.ts";
import { datasetRows, datasetSchema, partitionBy } from "./edge/sinks/dataset-rows.ts";

export default {
  async fetch(request, env) {
    const { target, prefix } = await request.json();
    const sink = target === "r2"
      ? r2Sink(env.LAKE, { name: "LAKE", prefix })
      : s3Sink({ endpoint: env.S3_ENDPOINT, bucket: env.S3_BUCKET, region: env.S3_REGION, accessKeyId: env.S3_KEY, secretAccessKey: env.S3_SECRET, prefix });
    const rows = datasetRows(500);
    const common = { sink, parquet: runnelWriter, schema: datasetSchema, partitionBy, sinkName: "per_minute", prefix: "lake/" };
    const a = await writeBatch({ ...common, rows: rows.slice(0, 250), writer: "w0", first: 0, last: 249, parquetOptions: { rowGroupSize: 50 } });
    const b = await writeBatch({ ...common, rows: rows.slice(250), writer: "w0", first: 250, last: 499 });
    const conditional = await sink.putIfAbsent(a[0].key, new Uint8Array([1]));
    return Response.json({ keys: [...a, ...b].map((f) => f.key), conditional });
  },
};
`;

let mf: Miniflare;
beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: workerSource, resolveDir: process.cwd(), loader: "ts", sourcefile: "worker.ts" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["worker", "browser"],
    write: false,
    logLevel: "silent",
  });
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundle.outputFiles[0]!.text,
      compatibilityDate: "2025-09-01",
      r2Buckets: ["LAKE"],
      bindings: {
        S3_ENDPOINT: config.endpoint,
        S3_BUCKET: config.bucket,
        S3_REGION: config.region,
        S3_KEY: config.accessKeyId,
        S3_SECRET: config.secretAccessKey,
      },
    }),
  );
});
afterAll(async () => {
  await mf?.dispose();
});

for (const target of ["r2", "s3"] as const) {
  test(`inside workerd, the encoder and the ${target} sink write a dataset DuckDB reads back exactly`, async () => {
    const prefix = `workerd/${randomUUID()}/`;
    const response = await mf.dispatchFetch("http://worker/", { method: "POST", body: JSON.stringify({ target, prefix }) });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const { keys, conditional } = JSON.parse(text) as { keys: string[]; conditional: boolean };
    expect(conditional).toBe(false);
    const sink =
      target === "r2"
        ? r2Sink((await mf.getR2Bucket("LAKE")) as unknown as R2BucketLike, { prefix })
        : s3Sink({ ...config, prefix });
    expect(await sink.list("lake/")).toEqual([...keys].sort());
    const dir = mkdtempSync(join(tmpdir(), `runnel-workerd-${target}-`));
    try {
      await downloadTo(sink, dir);
      await expectDatasetReadsBack(dir, datasetRows(500));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const key of await sink.list("")) await sink.delete(key);
    }
  });
}

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { s3 as config } from "../servers/config.ts";
import { datasetRows, downloadTo, expectDatasetReadsBack, writeDataset } from "../../edge/sinks/dataset-case.node.ts";
import { s3Sink } from "../../edge/sinks/s3.ts";

test("a partitioned dataset written to the S3 server reads back in DuckDB as exactly the source rows", async () => {
  const sink = s3Sink({
    endpoint: config.endpoint,
    bucket: config.bucket,
    region: config.region,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    prefix: `dataset/${randomUUID()}/`,
  });
  const dir = mkdtempSync(join(tmpdir(), "runnel-s3-dataset-"));
  try {
    const rows = datasetRows(500);
    const keys = await writeDataset(sink, rows);
    expect(await sink.list("lake/")).toEqual([...keys].sort());
    // DuckDB's httpfs cannot be downloaded here: copy the bucket's objects to a folder and read that.
    await downloadTo(sink, dir);
    await expectDatasetReadsBack(dir, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const key of await sink.list("")) await sink.delete(key);
  }
});

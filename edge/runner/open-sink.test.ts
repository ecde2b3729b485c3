import { describe, expect, test } from "vitest";
import type { SinkSpec } from "../../notebook/format/model.ts";
import { parseSinkOverride } from "./open-sink.ts";

const declared: SinkSpec = {
  name: "lake",
  target: { kind: "s3", bucket: "lake", prefix: "orders/", endpoint: "http://127.0.0.1:9000", region: "eu-central-1" },
  partitionBy: [],
  flush: { rows: 100_000, bytes: 64 * 1024 * 1024, seconds: 60 },
  lateness: 0,
};

describe("--sink <name>=s3://bucket/prefix", () => {
  test("keeps the declared store's endpoint and region when RUNNEL_S3_ENDPOINT is not set", () => {
    expect(parseSinkOverride("s3://other/x", declared, {}).target).toEqual({ kind: "s3", bucket: "other", prefix: "x/", endpoint: "http://127.0.0.1:9000", region: "eu-central-1" });
  });

  test("leaves the endpoint to RUNNEL_S3_ENDPOINT when it is set", () => {
    expect(parseSinkOverride("s3://other/x/", declared, { RUNNEL_S3_ENDPOINT: "https://r2.example" }).target).toEqual({ kind: "s3", bucket: "other", prefix: "x/", endpoint: null, region: "eu-central-1" });
  });
});

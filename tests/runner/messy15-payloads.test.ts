/**
 * Realistic payload shapes end to end (session 15): CloudTrail records, Debezium change events,
 * OpenTelemetry log records and IoT readings, each its own webhook source. `runnel publish` checks
 * the notebook with the files as its samples, `runnel run --input` writes the same files, and DuckDB,
 * reading the Parquet back, must find its own answer for every sink cell over the same lines.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { loadJsonTexts, openDuckDB, stringifyJsonLossless, type DuckDB } from "../../edge/duckdb/index.node.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { cloudtrail, debezium, iot, otel } from "../conformance/cases/messy15.ts";
import { runnel } from "./harness.ts";

const SOURCES: Record<string, readonly unknown[]> = { trail: cloudtrail, cdc: debezium, otel, iot };

const CELLS: Record<string, string> = {
  trail_flat: `SELECT eventName, eventTime::TIMESTAMPTZ AS at, coalesce(userIdentity.userName, regexp_extract(userIdentity.arn, '[^/]+$'), userIdentity.type) AS who,
  requestParameters::JSON->>'bucketName' AS bucket, json_extract_string(requestParameters::JSON, '$.tags[1].value') AS tag2,
  CASE WHEN errorCode IS NOT NULL THEN 'error' ELSE 'ok' END AS outcome, parse_dirpath(requestParameters.key) AS dir, parse_filename(requestParameters.key, true) AS stem,
  CAST(eventTime::TIMESTAMP AS DATE) AS day
FROM trail`,
  trail_minute: `SELECT date_trunc('minute', eventTime::TIMESTAMP) AS minute, eventSource, count(*) AS n, count(DISTINCT userIdentity.accountId) AS accounts
FROM trail GROUP BY ALL`,
  cdc_rows: `SELECT payload.op AS op, coalesce(payload.after.id, payload.before.id) AS id, coalesce(payload.after.name, payload.before.name) AS name,
  make_timestamp_ms(payload.ts_ms) AS at, make_timestamp(payload.ts_us) AS at_us, make_timestamp(payload.after.updated_at) AS updated,
  hex(from_base64(payload.after.price)) AS price_bytes, CAST(payload.after.price_s AS DECIMAL(10, 2)) AS price, payload.source.lsn AS lsn
FROM cdc`,
  otel_logs: `SELECT make_timestamp(timeUnixNano::BIGINT // 1000) AS at, severityText AS sev,
  map_from_entries([(a.key, coalesce(a.value.stringValue, a.value.intValue, a.value.doubleValue::VARCHAR, a.value.boolValue::VARCHAR)) FOR a IN attributes]) AS attrs,
  list_filter(resource.attributes, r -> r.key = 'service.name')[1].value.stringValue AS service
FROM otel`,
  iot_readings: `SELECT device, TRY_CAST(ts AS TIMESTAMPTZ) AS at, TRY_CAST(temp AS DOUBLE) AS temp, TRY_CAST(hum AS DOUBLE) AS hum, pressure,
  TRY_CAST(volt AS DOUBLE) AS volt, TRY_CAST(seq AS HUGEINT) AS seq
FROM iot`,
  iot_minute: `SELECT device, time_bucket(INTERVAL '1 minute', TRY_CAST(ts AS TIMESTAMP)) AS w, count(TRY_CAST(temp AS DOUBLE)) AS n,
  max(TRY_CAST(temp AS DOUBLE)) AS hi, min(TRY_CAST(temp AS DOUBLE)) AS lo, max(pressure) AS p
FROM iot GROUP BY ALL`,
};

const NOTEBOOK = `---
title: Messy payloads fifteen
sources:
${Object.keys(SOURCES).map((s) => `  ${s}:\n    webhook: { path: /${s}, signature: none }\n    format: json`).join("\n")}
sinks:
${Object.keys(CELLS).map((c) => `  ${c}:\n    fs: { dir: out/${c} }${c === "trail_flat" ? "\n    partition_by: [day]" : ""}`).join("\n")}
---

${Object.entries(CELLS).map(([id, sql]) => `\`\`\`sql id=${id} sink=${id}\n${sql}\n\`\`\``).join("\n\n")}
`;

const lines = (events: readonly unknown[]): string[] => events.map((e) => stringifyJsonLossless(e, { duckdb: true }));

let work: string;
let plan: Plan;
let published: string;
let db: DuckDB;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-messy15-"));
  await writeFile(join(work, "messy15.md"), NOTEBOOK);
  for (const [s, events] of Object.entries(SOURCES)) await writeFile(join(work, `${s}.ndjson`), `${lines(events).join("\n")}\n`);
  const files = (flag: string) => Object.keys(SOURCES).flatMap((s) => [flag, `${s}=${join(work, `${s}.ndjson`)}`]);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "messy15.md"), ...files("--sample"), "--out", join(work, "dist")], { encoding: "utf8" });
  published = `${pub.stdout}\n${pub.stderr}`;
  expect(pub.status, published).toBe(0);
  const bundle = join(work, "dist", "messy15");
  plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
  const sinks = plan.pipelines.flatMap((p) => ["--sink", `${p.sink}=fs:${join(work, "out")}`]);
  const run = spawnSync(process.execPath, [runnel, "run", bundle, ...files("--input"), ...sinks], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  db = await openDuckDB({ threads: 1 });
  for (const [s, events] of Object.entries(SOURCES)) await loadJsonTexts(db, s, lines(events));
}, 240_000);

afterAll(() => db?.close());

describe("CloudTrail, Debezium, OpenTelemetry and IoT payloads, published and run from files", () => {
  test("publish checks every cell against DuckDB over the files as samples", () => {
    expect(published).toMatch(/agrees with DuckDB/);
    expect(plan.pipelines.map((p) => p.sink).sort()).toEqual(Object.keys(CELLS).sort());
  });

  test.each(Object.keys(CELLS))("the Parquet of sink %s is DuckDB's answer over the same lines", async (sink) => {
    const sinkOp = plan.pipelines.find((p) => p.sink === sink)!.ops.at(-1) as SinkOp;
    const actual = datasetSql(`${join(work, "out")}/${sink}/**/*.parquet`, sinkOp.schema, sinkOp.partitionBy);
    const r = await db.read(`WITH expected AS (${CELLS[sink]}), actual AS (${actual})
      SELECT (SELECT count(*) FROM expected), (SELECT count(*) FROM actual), (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)),
        (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))`);
    const [expected, written, missing, extra] = r.getRows()[0]!.map(Number);
    expect({ sink, written, missing, extra }).toEqual({ sink, written: expected, missing: 0, extra: 0 });
  });

  test("the MAP built from attribute tuples reads back by key", async () => {
    const sinkOp = plan.pipelines.find((p) => p.sink === "otel_logs")!.ops.at(-1) as SinkOp;
    const r = await db.read(`SELECT sev, attrs['http.status_code'] AS status, attrs['retry'] AS retry FROM (${datasetSql(`${join(work, "out")}/otel_logs/**/*.parquet`, sinkOp.schema, sinkOp.partitionBy)}) AS w ORDER BY "at"`);
    expect(r.getRowObjectsJson()).toEqual([
      { sev: null, status: null, retry: null },
      { sev: "WARN", status: null, retry: null },
      { sev: "INFO", status: "200", retry: null },
      { sev: "ERROR", status: "503", retry: "true" },
    ]);
  });
});

/**
 * Where `runnel run` sends an S3 sink's objects. A notebook that declares its store's endpoint
 * (a local S3 server, R2) and a run that moves the sink to another prefix with
 * `--sink lake=s3://bucket/prefix/` still write to that store: the override used to drop the
 * endpoint, so without RUNNEL_S3_ENDPOINT the rows went to AWS and the run failed with
 * "network error: fetch failed". And a store that does not answer is named, with the system's
 * reason, in the error that stops the run.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { download, runnel, uniqueName } from "./harness.ts";
import { closedPort } from "../servers/ports.ts";

const notebook = (endpoint: string) => `---
title: Orders
sources:
  orders:
    kafka: { topic: orders, brokers: ["127.0.0.1:9092"] }
sinks:
  lake:
    s3: { bucket: ${s3Config.bucket}, prefix: declared/, endpoint: "${endpoint}" }
    partition_by: [currency]
---

\`\`\`sql id=clean sink=lake
SELECT id, user, amount, coalesce(currency, 'none') AS currency, note FROM orders
\`\`\`
`;

const events = Array.from({ length: 400 }, (_, i) => ({
  id: i,
  user: ["ada", "chloé", "李雷"][i % 3],
  amount: (i * 37) % 1000 / 10,
  ...(i % 5 === 0 ? {} : { currency: ["EUR", "USD", "JPY"][i % 3] }),
  note: ["café ☕", "emoji 🚀", ""][i % 3],
}));

let dir: string;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnel-sink-endpoint-"));
  input = join(dir, "orders.ndjson");
  await writeFile(input, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
});

/** Publishes a notebook whose sink declares `endpoint`; returns the bundle folder. */
async function published(name: string, endpoint: string): Promise<string> {
  await writeFile(join(dir, `${name}.md`), notebook(endpoint));
  const r = spawnSync(process.execPath, [runnel, "publish", join(dir, `${name}.md`), "--out", join(dir, "dist"), "--sample", `orders=${input}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`publish failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return join(dir, "dist", name);
}

/** `runnel run` with the test keys and no RUNNEL_S3_ENDPOINT: the notebook's endpoint is all it has. */
function run(bundle: string, args: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, AWS_ACCESS_KEY_ID: s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Config.secretAccessKey };
  delete env.RUNNEL_S3_ENDPOINT;
  return spawnSync(process.execPath, [runnel, "run", bundle, ...args], { encoding: "utf8", timeout: 120_000, env });
}

describe("an S3 sink's endpoint in runnel run", () => {
  test("--sink lake=s3://bucket/prefix/ writes to the store the notebook declares, every row once", async () => {
    const bundle = await published("orders", s3Config.endpoint);
    const prefix = `${uniqueName("override")}/`;
    const r = run(bundle, ["--input", `orders=${input}`, "--sink", `lake=s3://${s3Config.bucket}/${prefix}`]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("400 events → 400 rows");
    expect(r.stdout).toContain(`sink lake → s3://${s3Config.bucket}/${prefix} at ${s3Config.endpoint}\n`);

    const { dir: got } = await download(prefix);
    const db = await openDuckDB({ threads: 1 });
    try {
      const rows = (await db.read(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, count(*) FILTER (WHERE currency = 'none')::INTEGER AS none
        FROM read_parquet('${got}/lake/**/*.parquet', hive_partitioning = true)`)).getRowObjectsJson();
      expect(rows).toEqual([{ n: 400, ids: 400, none: 80 }]);
    } finally {
      db.close();
    }
  });

  test("a store that does not answer stops the run with its address and the system's reason", async () => {
    const port = await closedPort();
    const bundle = await published("closed", `http://127.0.0.1:${port}`);
    const r = run(bundle, ["--input", `orders=${input}`]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`failed after 5 attempts: network error: cannot reach http://127\\.0\\.0\\.1:${port} \\(fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)`),
    );
  });
});

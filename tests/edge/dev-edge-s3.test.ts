/**
 * `runnel dev-edge` on a webhook bundle whose sink is S3 with no endpoint in the notebook: the
 * Worker takes the endpoint from RUNNEL_S3_ENDPOINT and the key from AWS_* (the names `runnel run`
 * reads), and writes to the real S3 server. It went to AWS and failed with "network error".
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { writeWorkerBundle } from "../../edge/worker/bundle.node.ts";
import { startDevEdge } from "../../edge/worker/dev.node.ts";
import { githubSignature } from "../../edge/verify/verify.ts";
import { s3Sink } from "../../edge/sinks/s3.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { compileWith } from "./harness.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("a dev-edge Worker writes its S3 sink to RUNNEL_S3_ENDPOINT with the AWS_* key", { timeout: 120_000 }, async () => {
  const prefix = `dev-edge-${Date.now()}/`;
  const text = `---\ntitle: hooks\nsources:\n  hook:\n    webhook: { signature: github, secret: HOOK_SECRET }\n    format: json\nsinks:\n  out:\n    s3: { bucket: ${s3Config.bucket}, prefix: ${prefix} }\n---\n\n\`\`\`sql id=out sink=out\nSELECT id, name FROM hook\n\`\`\`\n`;
  const { notebook, issues } = parseNotebook(text, "hooks.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, { hook: ['{"id": 1, "name": "a"}'] });
  const dir = mkdtempSync(join(tmpdir(), "runnel-dev-s3-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  await writeWorkerBundle(join(dir, "worker"), plan, notebook);
  const edge = await startDevEdge({
    dir,
    port: 0,
    vars: { HOOK_SECRET: "s", AWS_ACCESS_KEY_ID: s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Config.secretAccessKey, RUNNEL_S3_ENDPOINT: s3Config.endpoint },
  });
  cleanup.push(() => edge.dispose());
  expect(edge.missingSecrets).toEqual([]);
  const body = '{"id": 7, "name": "zoë"}';
  const posted = await fetch(new URL("/ingest/hook", edge.url), { method: "POST", body, headers: { "x-hub-signature-256": await githubSignature("s", body), "x-github-delivery": "d-1" } });
  expect(posted.status).toBe(202);
  const flushed = await fetch(new URL("/flush", edge.url), { method: "POST", headers: { authorization: `Bearer ${edge.adminToken}` } });
  expect(flushed.status, await flushed.clone().text()).toBe(200);
  const sink = s3Sink({ endpoint: s3Config.endpoint, bucket: s3Config.bucket, prefix, accessKeyId: s3Config.accessKeyId, secretAccessKey: s3Config.secretAccessKey });
  const keys = await sink.list("");
  expect(keys.filter((k) => k.endsWith(".parquet"))).toHaveLength(1);
});

/**
 * A sink the S3 server refuses (no such bucket, wrong secret) stops
 * `runnel run` before it reads an event, with the server's reason, in both
 * modes: a runner would otherwise retry the same refusal at every flush.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { kafka as kafkaConfig, s3 as s3Config } from "../servers/config.ts";
import { publish, runnel, uniqueName } from "./harness.ts";

let bundle: string;
let input: string;

beforeAll(async () => {
  bundle = await publish("pii-staging");
  input = join(await mkdtemp(join(tmpdir(), "runnel-refusal-")), "accounts.ndjson");
  await writeFile(input, demoEvents({ generator: "pii", rate: 50, seed: 3 }, 0, 50).map((e) => JSON.stringify(e)).join("\n") + "\n");
}, 240_000);

function run(args: string[], secret: string = s3Config.secretAccessKey) {
  return spawnSync(process.execPath, [runnel, "run", bundle, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, AWS_ACCESS_KEY_ID: s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: secret, RUNNEL_S3_ENDPOINT: s3Config.endpoint },
  });
}

describe("a sink the S3 server refuses", () => {
  test("a bucket that does not exist stops a backfill and a Kafka runner at once, naming the bucket", () => {
    const missing = uniqueName("no-such-bucket");
    for (const mode of [["--input", `accounts=${input}`], ["--topic", uniqueName("t"), "--until-caught-up", "--brokers", kafkaConfig.brokers.join(",")]]) {
      const r = run([...mode, "--sink", `staging=s3://${missing}/lake/`]);
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`runnel run: sink staging cannot be written: sink s3: LIST s3://${missing}/lake/_runnel-preflight/ failed: 404`);
      expect(r.stderr).toContain("NoSuchBucket");
      expect(r.stdout).not.toMatch(/run done|consuming/);
    }
  });

  test("a wrong secret is the server's signature refusal; the right one writes", () => {
    const prefix = uniqueName("refusal");
    const wrong = run(["--input", `accounts=${input}`, "--sink", `staging=s3://${s3Config.bucket}/${prefix}/`], "not-the-secret");
    expect(wrong.status, wrong.stdout + wrong.stderr).toBe(1);
    expect(wrong.stderr).toMatch(/sink staging cannot be written: sink s3: LIST .* failed: 403 .*SignatureDoesNotMatch/);
    const right = run(["--input", `accounts=${input}`, "--sink", `staging=s3://${s3Config.bucket}/${prefix}/`]);
    expect(right.status, right.stdout + right.stderr).toBe(0);
    expect(right.stdout).toMatch(/run done in .*: 50 events → \d+ rows?\b/);
  });
});

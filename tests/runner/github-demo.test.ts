/**
 * The github notebook published from its demo stand-in (what `npm start` and a first publish use)
 * must take real GitHub deliveries: every fixture payload through `runnel run`, no dead letter. The
 * demo typed `repository.created_at` as a TIMESTAMP from ISO text, while GitHub's push deliveries
 * carry Unix seconds there, and every real push was a dead letter in each sink.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { repoRoot } from "../servers/paths.ts";
import { runnel } from "./harness.ts";

test("real GitHub deliveries of every kind go through the pipeline published from the demo stand-in without a dead letter", { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-github-demo-"));
  const published = spawnSync(process.execPath, [runnel, "publish", join(repoRoot, "notebooks", "github.md"), "--out", dir], { encoding: "utf8" });
  expect(published.status, published.stdout + published.stderr).toBe(0);
  const fixtures = join(repoRoot, "tests", "fixtures", "github-webhooks");
  const payloads = readdirSync(fixtures, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.stringify(JSON.parse(readFileSync(join(fixtures, f), "utf8"))));
  const pushes = payloads.filter((p) => p.includes('"pusher"')).length;
  expect(pushes).toBeGreaterThan(3);
  const input = join(dir, "deliveries.ndjson");
  await writeFile(input, payloads.join("\n") + "\n");
  const out = join(dir, "out");
  const sinks = ["pushes", "commits", "pulls", "issues"].flatMap((s) => ["--sink", `${s}=fs:${out}`]);
  const run = spawnSync(process.execPath, [runnel, "run", join(dir, "github"), "--input", `github=${input}`, ...sinks], { encoding: "utf8" });
  expect(run.status, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`run done in .*: ${payloads.length} events → \\d+ rows? in .*; 0 dead letters`));
  expect(run.stdout).toMatch(/pushes\//);

  // Without --input a run is a Kafka consumer: a webhook bundle says so before asking for any sink's credentials.
  const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _b, ...env } = process.env;
  const consumer = spawnSync(process.execPath, [runnel, "run", join(dir, "github")], { encoding: "utf8", env });
  expect(consumer.status).toBe(2);
  expect(consumer.stderr).toMatch(/^runnel run: the bundle reads github \(webhook\), not Kafka; pass --input <source>=<files>/);
  expect(consumer.stderr).not.toMatch(/set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment/);
  const replay = spawnSync(process.execPath, [runnel, "run", join(dir, "github"), "--replay", join(dir, "no-such", "_errors")], { encoding: "utf8" });
  expect(replay.status).toBe(1);
  expect(replay.stderr).toMatch(/^runnel run: replay: the dead-letter path .*no-such\/_errors does not exist/);
});

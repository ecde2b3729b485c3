/**
 * The Kafka runner with a reading from a device whose clock reads 9999-12-31 among 31 turnstile
 * readings: the runner's clock is passed to the executor, so the far reading is one dead letter with
 * its reason (more than the sink's max_ahead, a day, ahead of the runner's clock) and the 30 others are
 * written as DuckDB answers them. Until 2026-12-06 the 29 readings after it were late dead letters.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { decodeDeadLetters } from "../../edge/sinks/dead-letter.ts";
import type { Plan } from "../../edge/plan/types.ts";
import { s3 as s3Config } from "../servers/config.ts";
import { compareWithDuckDB, download, fillTopic, runnel, startRunner, uniqueName } from "./harness.ts";

const reading = (i: number, ts: string) => ({ station: "59 ST", ca: "A002", unit: "R051", scp: `00-00-0${i % 3}`, linename: "NQR456W", division: "IRT", ts, desc: "REGULAR", entries: 100 + i, exits: 200 + i });
const GOOD = Array.from({ length: 30 }, (_, i) => reading(i, new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + i * 20_000).toISOString()));
const FAR = reading(99, "9999-12-31T00:00:00.000Z");

test("the Kafka runner makes the far-future reading one dead letter and writes DuckDB's rows over the other 30", async () => {
  const topic = uniqueName("ahead10");
  const dir = await mkdtemp(join(tmpdir(), "ahead10-"));
  await writeFile(join(dir, "turnstile.md"), await readFile(join("notebooks", "turnstile.md"), "utf8"));
  await writeFile(join(dir, "sample.ndjson"), `${GOOD.map((e) => JSON.stringify(e)).join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(dir, "turnstile.md"), "--sample", `turnstile=${join(dir, "sample.ndjson")}`, "--out", join(dir, "dist")], { encoding: "utf8" });
  expect(pub.status, pub.stdout + pub.stderr).toBe(0);
  const bundle = join(dir, "dist", "turnstile");
  const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;

  const events = [GOOD[0]!, FAR, ...GOOD.slice(1)];
  await fillTopic(topic, 1, events, () => "one");
  const run = startRunner(bundle, ["--topic", topic, "--group", topic, "--until-caught-up", "--sink", `lake=s3://${s3Config.bucket}/${topic}/`]);
  expect(await run.exited, run.output()).toBe(0);
  expect(run.output()).toContain("runner stopped: 31 events → 30 rows");
  expect(run.output()).toMatch(/; 1 dead letter$/m);
  const { dir: got, keys } = await download(`${topic}/`);
  const letters = [];
  for (const key of keys.filter((k) => k.startsWith("_errors/"))) letters.push(...decodeDeadLetters(await readFile(join(got, ...key.split("/")))));
  expect(letters).toHaveLength(1);
  expect(letters[0]!.reason).toMatch(/^lake: event time 9999-12-31 00:00:00 is more than 1 day ahead of the pipeline's clock \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC; max_ahead 1 day\); taken into the window it would make every later event late/);
  expect(JSON.parse(letters[0]!.raw).ts).toBe("9999-12-31T00:00:00.000Z");
  // DuckDB over the events less the dead-lettered one: every row, none missing, none extra.
  const c = await compareWithDuckDB("turnstile", plan, events, got, keys);
  expect(c).toMatchObject({ expected: 30, actual: 30, missing: 0, extra: 0, deadLetters: 1 });
}, 300_000);

/**
 * words16: the counts `runnel run` prints read as English for one: "1 event → 1 row in 1 file",
 * "1 dead letter", "from 1 file", not "1 files" and "1 dead letters".
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { demoEvents } from "../sources/demo/index.ts";
import { main } from "./main.ts";
import { capturedOutput } from "./captured-output.ts";

const { out, err } = capturedOutput();

test("runnel run over one good event and one line that is not JSON says 1 event, 1 row, 1 file and 1 dead letter; its replay and a refused run over the file again say 1 file too", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-words16-"));
  expect(await main(["publish", "notebooks/pii-staging.md", "--out", join(dir, "dist")]), err.join("")).toBe(0);
  const bundle = join(dir, "dist", "pii-staging");
  const [event] = demoEvents({ generator: "pii", rate: 10, seed: 77 }, 0, 1);
  await writeFile(join(dir, "one.ndjson"), `${JSON.stringify(event)}\nnot json\n`);
  const lake = join(dir, "lake");

  out.length = 0;
  expect(await main(["run", bundle, "--input", `accounts=${dir}/one.ndjson`, "--sink", `staging=fs:${lake}`]), err.join("")).toBe(0);
  const run = out.join("");
  expect(run).toMatch(/run done in [\d.]+ s: 2 events → 1 row in 1 file \(\d+ bytes\); 1 dead letter in \S+\n/);
  expect(run).toMatch(/\n {2}staging\/day=[\d-]+\/backfill-[0-9a-f]{16}-\d{20}-\d{20}\.parquet {2}1 row\n/);

  // The same file again beside another: refused, naming the one file an earlier run wrote.
  await writeFile(join(dir, "two.ndjson"), `${JSON.stringify(event)}\n`);
  err.length = 0;
  expect(await main(["run", bundle, "--input", `accounts=${dir}/*.ndjson`, "--sink", `staging=fs:${lake}`])).toBe(1);
  expect(err.join("")).toMatch(/runnel run: the sinks already hold the rows of 1 of these 2 files \(one\.ndjson\), written by backfill-[0-9a-f]{16} on \S+ from 1 file; running them again/);

  out.length = 0;
  err.length = 0;
  expect(await main(["run", bundle, "--replay", join(lake, "_errors"), "--sink", `staging=fs:${join(dir, "replayed")}`]), err.join("")).toBe(0);
  const replay = out.join("");
  expect(replay).toContain("replaying 1 of accounts dead letters from 1 file\n");
  expect(replay).toMatch(/run done in [\d.]+ s: 1 event → 0 rows in 0 files \(0 bytes\); 1 dead letter in \S+\n/);
}, 120_000);

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { demoEvents } from "../sources/demo/index.ts";
import { main } from "./main.ts";
import { capturedOutput } from "./captured-output.ts";

const { out, err } = capturedOutput();

test("runnel check passes on the turnstile notebook with its demo sample and shows each step", async () => {
  const code = await main(["check", "notebooks/turnstile.md", "--random", "3"]);
  expect(err.join("")).toBe("");
  expect(code).toBe(0);
  const text = out.join("");
  expect(text).toContain("✓ per_minute → lake · sample: 1,000 events");
  expect(text).toContain("✓ per_minute → lake · edge cases:");
  expect(text).toContain("✓ per_minute → lake · random: 25 events");
  expect(text).toMatch(/check passed: \d+ comparisons agree \(floats within a relative 1e-9\)\n$/);
});

test("runnel check reads --sample files as NDJSON", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-check-"));
  const file = join(dir, "accounts.ndjson");
  const events = demoEvents({ generator: "pii", rate: 10, seed: 9 }, 0, 200);
  await writeFile(file, events.map((e) => JSON.stringify(e)).join("\n"));
  const code = await main(["check", "notebooks/pii-staging.md", "--sample", `accounts=${file}`, "--random", "2"]);
  expect(code).toBe(0);
  expect(out.join("")).toContain("loading samples: accounts (200 events)");
});

test("runnel check fails with a positioned message when a cell feeding a sink uses a window function", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-check-"));
  const text = (await readFile("notebooks/turnstile.md", "utf8")).replace("SELECT\n  station,\n  md5(", "SELECT\n  station,\n  row_number() OVER (PARTITION BY station ORDER BY ts) AS rn,\n  md5(");
  const file = join(dir, "turnstile.md");
  await writeFile(file, text);
  const code = await main(["check", file]);
  expect(code).toBe(1);
  expect(err.join("")).toMatch(/^plan: unsupported window function row_number\(\) OVER \(\.\.\.\) in cell clean \(.*turnstile\.md line \d+\): .*arg_max\(x, ts\).*time_bucket/);
});

test("runnel check refuses a --sample for a source the notebook does not declare", async () => {
  const code = await main(["check", "notebooks/turnstile.md", "--sample", "nope=x.ndjson"]);
  expect(code).toBe(2);
  expect(err.join("")).toContain("--sample names source 'nope'");
});

test("a --sample file with a record DuckDB refuses names the file and line, without the usage text (the arguments were right)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-check-"));
  const file = join(dir, "accounts.ndjson");
  await writeFile(file, '{"event": "signup", "user_id": 1}\n{"event": "login", "user_id": 2, "user_id": 3}\n{"event": \n');
  const code = await main(["check", "notebooks/pii-staging.md", "--sample", `accounts=${file}`]);
  expect(code).toBe(2);
  const text = err.join("");
  expect(text).toMatch(/^runnel check: .*accounts\.ndjson.* line [23]/);
  expect(text).not.toContain("usage: runnel check");
});

test("runnel check of a notebook with no sink cell says there is nothing to check and fails, as publish refuses it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "runnel-check-"));
  const file = join(dir, "nosink.md");
  await writeFile(file, "---\ntitle: x\nsources:\n  s:\n    webhook: { signature: none }\n---\n\n```sql id=a\nSELECT 1 AS one\n```\n");
  const code = await main(["check", file]);
  expect(code).toBe(1);
  expect(err.join("")).toBe(`runnel check: ${file} has no cell with sink=; nothing to check. Mark the cell whose rows should be written, e.g. \`\`\`sql id=clean sink=lake\n`);
  expect(out.join("")).not.toContain("check passed");
});

test("the comparisons check announces are the ones its verdict counts, batches rerun one event at a time aside (cart-cdc)", async () => {
  const code = await main(["check", "notebooks/cart-cdc.md", "--random", "2"]);
  expect(code).toBe(0);
  const text = out.join("");
  expect(text).toContain("one event at a time");
  const announced = /comparing (\d+) times/.exec(text)?.[1];
  expect(announced).toBeDefined();
  expect(text).toMatch(new RegExp(`check passed: ${announced} comparisons agree`));
});

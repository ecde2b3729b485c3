import { access, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { main } from "./main.ts";
import { capturedOutput } from "./captured-output.ts";

const { out, err } = capturedOutput();

/** A webhook notebook whose sink cell selects `items` (one per line, from line 13), and its two-event sample. */
async function notebook(items: string[]): Promise<{ dir: string; file: string; sample: string }> {
  const dir = await mkdtemp(join(tmpdir(), "runnel-casts-"));
  const file = join(dir, "casts.md");
  await writeFile(file, [
    "---", "title: casts", "sources:", "  s:", "    webhook: { signature: none }", "sinks:", "  lake:", `    fs: { dir: ${join(dir, "lake")} }`, "---", "",
    "```sql id=amounts sink=lake", "SELECT id,", ...items.map((x, i) => `  ${x}${i < items.length - 1 ? "," : ""}`), "FROM s", "```", "",
  ].join("\n"));
  const sample = join(dir, "s.ndjson");
  await writeFile(sample, '{"id": 1, "n": "12345678901234567890123", "t": "10:00:00+02"}\n{"id": 2, "n": "5", "t": "11:00:00"}\n');
  return { dir, file, sample };
}

test("runnel publish refuses CAST(x AS BIGNUM) at its line instead of publishing a pipeline that dead-letters every event", async () => {
  const { dir, file, sample } = await notebook(["t", "CAST(n AS BIGNUM) AS big"]);
  expect(await main(["publish", file, "--sample", `s=${sample}`, "--out", join(dir, "dist")])).toBe(1);
  expect(err.join("")).toBe(
    `plan: CAST to BIGNUM in cell amounts (${file} line 14): a pipeline holds no BIGNUM values (it would fail or be NULL on every event); keep the number as HUGEINT (38 digits), DECIMAL(38,s) or VARCHAR (text keeps every digit)\n` +
    "runnel publish: the notebook does not compile; nothing was published\n");
  await expect(access(join(dir, "dist"))).rejects.toThrow();
});

test("runnel check refuses TRY_CAST(x AS TIMETZ) and x::TIMETZ, which were NULL or a dead letter on every event", async () => {
  for (const item of ["TRY_CAST(t AS TIMETZ)::VARCHAR AS tz", "t::TIMETZ::VARCHAR AS tz"]) {
    err.length = 0;
    const { file, sample } = await notebook([item]);
    expect(await main(["check", file, "--sample", `s=${sample}`])).toBe(1);
    expect(err.join("")).toContain(`plan: ${item.startsWith("TRY") ? "TRY_CAST" : "CAST"} to TIMETZ in cell amounts (${file} line 13): a pipeline holds no TIME WITH TIME ZONE values`);
    expect(err.join("")).toContain("cast to TIME for the time of day");
  }
});

test("runnel check still passes a cast to DECIMAL(38,0), the suggested type for a 23-digit number", async () => {
  const { file, sample } = await notebook(["CAST(n AS DECIMAL(38,0)) AS big"]);
  expect(await main(["check", file, "--sample", `s=${sample}`, "--random", "1"])).toBe(0);
  expect(out.join("")).toContain("check passed");
});

import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { main, verbNames } from "./main.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const design = "notebook/format/fixtures/design-example.md";

let stdout = "";
let stderr = "";
beforeEach(() => {
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI from the repository root and returns what a terminal would show. */
async function runnel(...argv: string[]) {
  const code = await main(argv.map((arg) => (arg.endsWith(".md") && !arg.startsWith("/") ? join(root, arg) : arg)));
  return { code, stdout: stdout.replaceAll(root, ""), stderr: stderr.replaceAll(root, "") };
}

const scratch = mkdtempSync(join(tmpdir(), "runnel-cli-"));
function notebook(name: string, ...lines: string[]): string {
  const path = join(scratch, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}
const head = ["---", "sources:", "  events:", "    demo: shop", "sinks:", "  lake:", "    fs: { dir: out }", "---", ""];

test("runnel start says where to open the app in one plain line, beside the JSON log", async () => {
  const { spawn } = await import("node:child_process");
  const cwd = mkdtempSync(join(tmpdir(), "runnel-start-"));
  const child = spawn(process.execPath, [join(root, "bin", "runnel.js"), "start", "--port", "0", "--no-demo", "--root", cwd], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += String(d)));
  const deadline = Date.now() + 60_000;
  while (!/runnel is up/.test(err) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGTERM");
  expect(err).toMatch(/^\nrunnel is up: open http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}\n/);
}, 90_000);

test("runnel demo piped into a reader that stops early (| head) exits 0 without a stack trace", async () => {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [join(root, "bin", "runnel.js"), "demo", join(root, "notebooks", "turnstile.md"), "--count", "200000"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += String(d)));
  await new Promise<void>((r) => child.stdout.once("data", () => r()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  expect(code).toBe(0);
  expect(err).not.toMatch(/EPIPE|at /);
}, 60_000);

describe("runnel demo", () => {
  test("prints a source's demo events as NDJSON, the same every time, from any index", async () => {
    const { demoEvents } = await import("../sources/demo/index.ts");
    const all = await runnel("demo", "notebooks/turnstile.md", "--count", "5");
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(JSON.parse(JSON.stringify(demoEvents({ generator: "turnstile", rate: 4, seed: 1 }, 0, 5))));
    stdout = "";
    const tail = await runnel("demo", "notebooks/turnstile.md", "--count", "2", "--from", "3");
    expect(tail.stdout.trimEnd().split("\n")).toEqual(lines.slice(3));
    stderr = "";
    const none = await runnel("demo", "notebooks/turnstile.md", "--source", "nope");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/runnel demo: the notebook has no source 'nope' \(turnstile\)/);
  });
});

describe("runnel", () => {
  test("--help lists every command and exits 0", async () => {
    const result = await runnel("--help");
    expect(result.code).toBe(0);
    for (const name of verbNames) expect(result.stdout).toContain(`  ${name} `);
  });

  test("a failure prints one line naming the command, the problem and its cause, and exits 1", async () => {
    const missing = join(scratch, "no-such-bundle");
    expect(await runnel("run", missing, "--input", "events=x.ndjson")).toEqual({
      code: 1,
      stdout: "",
      stderr: `runnel run: bundle: ${missing}/bundle.json cannot be read; is ${missing} a folder written by runnel publish? (ENOENT: no such file or directory, open '${missing}/bundle.json')\n`,
    });
  });

  test("no command prints the usage to stderr and exits 2", async () => {
    const result = await runnel();
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(/^runnel: expected a command\n\nusage: runnel <command>/);
  });

  test("an unknown command suggests the closest and exits 2", async () => {
    const result = await runnel("grahp");
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("runnel: unknown command 'grahp' (did you mean 'graph'?)");
  });

  test.each(verbNames)("runnel %s --help prints that command's usage", async (name) => {
    const result = await runnel(name, "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: runnel ${name}`));
  });
});

describe("runnel graph", () => {
  test("prints the cells, sinks, run order and sink closure", async () => {
    const result = await runnel("graph", design);
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout: `Turnstile entries by station (${design})

sources
  turnstile  kafka topic mta.turnstile on 127.0.0.1:9092 · json

sinks
  lake  s3://lake/turnstile/ · partition_by day · flush 100000 rows / 64 MiB / 60s  ← per_minute

cells
  clean       sql  line 16  reads turnstile (source)
  per_minute  sql  line 23  reads clean  → sink lake
  #3          js   line 30  reads Plot (builtin), per_minute

order         clean → per_minute → #3
sink closure  clean → per_minute
`,
    });
  });

  test("--json prints one object with cells, references, order and closure", async () => {
    const result = await runnel("graph", design, "--json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual(["version", "file", "title", "sources", "sinks", "cells", "order", "sinkClosure", "issues"]);
    expect(json.cells[1]).toEqual({
      index: 1,
      label: "per_minute",
      language: "sql",
      id: "per_minute",
      sink: "lake",
      line: 23,
      defines: [{ name: "per_minute", line: 23, column: 11 }],
      references: [{ name: "clean", kind: "cell", cell: "clean", line: 26, column: 6 }],
      dependsOn: ["clean"],
    });
    expect(json.sinks[0]).toMatchObject({ name: "lake", cells: ["per_minute"] });
    expect(json.order).toEqual(["clean", "per_minute", "#3"]);
    expect(json.sinkClosure).toEqual(["clean", "per_minute"]);
    expect(json.issues).toEqual([]);
  });

  test("a cycle is printed with its place and exits 1", async () => {
    const path = notebook("cycle.md", ...head, "```sql id=a", "SELECT * FROM b", "```", "```sql id=b sink=lake", "SELECT * FROM a", "```");
    expect(await runnel("graph", path)).toEqual({
      code: 1,
      stdout: "",
      stderr: `graph: ${path}:11:15: cells form a cycle: a → b → a\nrunnel graph: 1 problem in ${path}\n`,
    });
  });

  test("a duplicate id, an undeclared sink and SQL that does not parse are each printed with their place", async () => {
    const path = notebook("broken.md", ...head, "```sql id=a sink=lak", "SELECT * FROM events", "```", "```sql id=a", "SELECT FROM WHERE", "```");
    const result = await runnel("graph", path);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toEqual([
      `format: ${path}:10:13: sink 'lak' of cell a is not declared under sinks: (did you mean 'lake'?)`,
      `graph: ${path}:13:11: 'a' is defined twice: cell a here and cell a at line 10`,
      `graph: ${path}:14:13: SQL in cell a does not parse: syntax error at or near "WHERE"`,
      `runnel graph: 3 problems in ${path}`,
      "",
    ]);
  });

  test("--json still prints the graph when there are problems, with the problems in it", async () => {
    const path = notebook("unknown.md", ...head, "```sql id=a", "SELECT * FROM nowhere", "```");
    const result = await runnel("graph", path, "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).issues).toEqual([
      { subsystem: "graph", file: path, line: 11, column: 15, message: "unknown table 'nowhere' in cell a; expected a source or a named cell" },
    ]);
  });

  test("a missing path, two paths, an unknown option and a missing file are usage errors", async () => {
    for (const [args, first] of [
      [["graph"], "runnel graph: expected a notebook path"],
      [["graph", "a.md", "b.md"], "runnel graph: expected one notebook path, got 2"],
      [["graph", design, "--jsn"], "runnel graph: unknown option '--jsn' (did you mean '--json'?)"],
      [["graph", "notebooks/none.md"], "runnel graph: no notebook at notebooks/none.md"],
    ] as const) {
      stderr = "";
      const result = await runnel(...args);
      expect(result.code).toBe(2);
      expect(result.stderr.split("\n")[0]).toBe(first);
      expect(result.stderr).toContain("usage: runnel graph <notebook> [--json]");
    }
  });
});

describe("bin/runnel.js", () => {
  const run = promisify(execFile);

  test("runs `graph` as a process and exits 0", async () => {
    const { stdout: out, stderr: err } = await run(process.execPath, ["bin/runnel.js", "graph", design], { cwd: root });
    expect(err).toBe("");
    expect(out).toContain("sink closure  clean → per_minute\n");
  });

  test("exits 2 on an unknown command", async () => {
    await expect(run(process.execPath, ["bin/runnel.js", "nope"], { cwd: root })).rejects.toMatchObject({ code: 2 });
  });

  const samples = readdirSync(join(root, "notebooks")).filter((name) => name.endsWith(".md"));
  test.skipIf(samples.length === 0).each(samples)("the sample notebook %s has no problems", async (name) => {
    const { stderr: err } = await run(process.execPath, ["bin/runnel.js", "graph", `notebooks/${name}`], { cwd: root });
    expect(err).toBe("");
  });
});

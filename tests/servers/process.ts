import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serversDir } from "./paths.ts";

/** Who brought a server up: a developer's `cli.ts up` (left running) or a test run (stopped after it). */
export type StartedBy = "cli" | "test";

/** What `.data/servers/<name>.json` holds about a server this checkout started. */
export interface PidRecord {
  name: string;
  pid: number;
  startedBy: StartedBy;
  startedAt: string;
  version: string;
  /** A word of the process's command line, checked before signalling so a reused pid is never hit. */
  marker: string;
  log: string;
}

/** Writes a progress line that shows through vitest's and the shell's output alike. */
export function say(message: string): void {
  process.stderr.write(`servers: ${message}\n`);
}

export function logPath(name: string): string {
  return join(serversDir, `${name}.log`);
}

/**
 * For error messages: a log's first error lines (a Java stack trace buries
 * its cause), then its last lines; or a note that there is no log.
 */
export function tailFile(path: string, lines = 20): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  const all = readFileSync(path, "utf8").trimEnd().split("\n");
  const tail = all.slice(-lines);
  const errors = all
    .slice(0, -lines)
    .filter((line) => /\b(ERROR|FATAL|Error:|Caused by:)/.test(line))
    .slice(0, 8)
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}...` : line));
  return [...(errors.length > 0 ? [...errors, "..."] : []), ...tail].join("\n");
}

/**
 * Runs a build or download step to completion with its output in a log file,
 * printing how long it took. Fails with the step's name and the log's tail.
 */
export async function runStep(
  label: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log: string },
): Promise<void> {
  say(`${label} ...`);
  const began = Date.now();
  mkdirSync(serversDir, { recursive: true });
  const fd = openSync(options.log, "w");
  const code = await new Promise<number | string>((resolveExit, rejectSpawn) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", fd, fd],
    });
    child.on("error", (error) => rejectSpawn(new Error(`servers: ${label}: cannot run ${command}`, { cause: error })));
    child.on("exit", (exitCode, signal) => resolveExit(exitCode ?? signal ?? "unknown"));
  }).finally(() => closeSync(fd));
  if (code !== 0) {
    throw new Error(
      `servers: ${label} failed (${command} exited with ${code}); log ${options.log}:\n${tailFile(options.log)}`,
    );
  }
  say(`${label} done in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

/** True while a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    if ((error as NodeJS.ErrnoException).code === "EPERM") return true;
    throw error;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  // The state letter follows the parenthesised command name; Z is a zombie nobody reaped yet.
  const text = readFileSync(stat, "utf8");
  return text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3) !== "Z";
}

function commandLine(pid: number): string {
  const path = `/proc/${pid}/cmdline`;
  if (!existsSync(path)) return "";
  return readFileSync(path, "utf8").replaceAll("\0", " ");
}

function recordPath(name: string): string {
  return join(serversDir, `${name}.json`);
}

/** The record of a server this checkout started, if its process still runs. */
export function readRecord(name: string): PidRecord | undefined {
  const path = recordPath(name);
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, "utf8")) as PidRecord;
  if (!isAlive(record.pid) || !commandLine(record.pid).includes(record.marker)) {
    rmSync(path, { force: true });
    return undefined;
  }
  return record;
}

/**
 * Hands a running server to a new owner: `cli.ts up` adopts one a test run
 * started, so the end of that run leaves it running.
 */
export function adoptRecord(record: PidRecord, startedBy: StartedBy): PidRecord {
  if (record.startedBy === startedBy) return record;
  const adopted = { ...record, startedBy };
  writeFileSync(recordPath(record.name), `${JSON.stringify(adopted, null, 2)}\n`);
  return adopted;
}

/**
 * Starts a long-running server in its own process group, detached from the
 * caller so `cli.ts up` can exit and leave it running; stdout and stderr go to
 * `.data/servers/<name>.log`.
 */
export function spawnServer(spec: {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  startedBy: StartedBy;
  version: string;
  marker: string;
}): PidRecord {
  mkdirSync(serversDir, { recursive: true });
  const log = logPath(spec.name);
  const fd = openSync(log, "w");
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) {
    throw new Error(`servers: cannot start ${spec.name}: ${spec.command} did not spawn; log ${log}:\n${tailFile(log)}`);
  }
  child.on("error", (error) => say(`${spec.name}: ${error.message}`));
  child.unref();
  const record: PidRecord = {
    name: spec.name,
    pid: child.pid,
    startedBy: spec.startedBy,
    startedAt: new Date().toISOString(),
    version: spec.version,
    marker: spec.marker,
    log,
  };
  writeFileSync(recordPath(spec.name), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** SIGTERM to the server's process group, SIGKILL after `graceMs`; removes its record. */
export async function stopServer(record: PidRecord, graceMs = 15_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, sig);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(record.pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(record.pid)) {
    say(`${record.name} (pid ${record.pid}) ignored SIGTERM for ${graceMs / 1000} s; sending SIGKILL`);
    signal("SIGKILL");
    while (isAlive(record.pid)) await sleep(100);
  }
  rmSync(recordPath(record.name), { force: true });
}

/**
 * Runs `task` while holding `.data/servers/<name>.lock`, so two test runs or a
 * test run and `cli.ts up` never start the same server twice. A lock whose
 * owner died is taken over.
 */
export async function withLock<T>(name: string, task: () => Promise<T>, waitMs = 20 * 60_000): Promise<T> {
  mkdirSync(serversDir, { recursive: true });
  const path = join(serversDir, `${name}.lock`);
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let text: string;
    let age: number;
    try {
      text = readFileSync(path, "utf8");
      age = Date.now() - statSync(path).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
      throw error;
    }
    const owner = Number(text);
    // An empty lock is one whose owner is between creating and writing it, unless it is old.
    const writing = text === "" && age < 10_000;
    if (!writing && (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner))) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`servers: ${name}: process ${owner} has held ${path} for over ${waitMs / 60_000} min`);
    }
    if (!announced && !writing) say(`${name}: waiting for process ${owner}, which is starting it`);
    announced ||= !writing;
    await sleep(500);
  }
  try {
    return await task();
  } finally {
    rmSync(path, { force: true });
  }
}

/** An error's message followed by its chain of causes, for a reader who sees only text. */
export function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 6; depth += 1) {
    lines.push(depth === 0 ? String((current as Error).message ?? current) : `  caused by: ${String((current as Error).message ?? current)}`);
    current = (current as Error).cause;
  }
  return lines.join("\n");
}

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheDir, serversDir } from "./paths.ts";
import { runStep } from "./process.ts";

const run = promisify(execFile);

/** The Python that makes the environments: `RUNNEL_PYTHON`, else the first python3 on PATH. */
const basePython = process.env.RUNNEL_PYTHON ?? "python3";

export interface PythonEnv {
  /** The environment's folder name in the cache: name it by the pinned versions, so a new pin makes a new one. */
  name: string;
  /** What the install step says it does, and what a missing prerequisite says it was for. */
  purpose: string;
  /** pip's arguments after `install --quiet`. */
  install: string[];
  /** Python imports that must succeed in the finished environment. */
  imports: string[];
  /** Other commands the environment's programs need on the machine (`java` for Spark). */
  needs?: string[][];
}

const pending = new Map<string, Promise<string>>();

/**
 * A virtual environment made once in the cache (outside the clone, like Kafka's jars) with
 * `python -m venv` and `pip install` from PyPI; returns its python. Concurrent callers share one
 * build; a finished one is reused at once.
 */
export function ensurePythonEnv(env: PythonEnv): Promise<string> {
  let made = pending.get(env.name);
  if (!made) {
    made = build(env);
    pending.set(env.name, made);
  }
  return made;
}

async function build(env: PythonEnv): Promise<string> {
  const home = join(cacheDir, env.name);
  const python = join(home, "venv", "bin", "python");
  const complete = join(home, ".complete");
  if (existsSync(complete)) return python;
  mkdirSync(home, { recursive: true });
  // One process builds; another (a second vitest worker, a second clone) waits for its `.complete` rather than
  // replacing the venv under it. A lock older than the longest build is a crashed builder's, and taken over.
  const lock = join(home, ".building");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(complete)) return python;
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 30 * 60_000) rmSync(lock, { recursive: true, force: true });
      else if (held) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  try {
    if (existsSync(complete)) return python;
    return await install(env, home, python, complete);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function install(env: PythonEnv, home: string, python: string, complete: string): Promise<string> {
  // Built beside, renamed when complete: an interrupted install is never taken for a cached one.
  // (A venv's scripts name its folder, so it is built under its final name in a scratch parent.)
  const scratch = join(home, `building-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const log = join(serversDir, `${env.name}-install.log`);
  try {
    await run(basePython, ["-c", "import sys, venv; assert sys.version_info >= (3, 10), sys.version"]);
  } catch (error) {
    throw new Error(`${env.purpose}: ${basePython} (3.10 or newer, with venv) is needed; install python3 and python3-venv or set RUNNEL_PYTHON`, { cause: error });
  }
  for (const [command, ...args] of env.needs ?? []) {
    try {
      await run(command!, args);
    } catch (error) {
      throw new Error(`${env.purpose}: \`${[command, ...args].join(" ")}\` failed; it is needed too`, { cause: error });
    }
  }
  await runStep(`making a Python environment in ${home}`, basePython, ["-m", "venv", join(scratch, "venv")], { log });
  await runStep(`installing ${env.purpose} from PyPI`, join(scratch, "venv", "bin", "python"), ["-m", "pip", "install", "--quiet", ...env.install], { log });
  rmSync(join(home, "venv"), { recursive: true, force: true });
  renameSync(join(scratch, "venv"), join(home, "venv"));
  rmSync(scratch, { recursive: true, force: true });
  // The rename moved the folder the venv's scripts name; `python -m` does not go through them.
  await run(python, ["-c", `import ${env.imports.join(", ")}`]);
  writeFileSync(complete, `${new Date().toISOString()}\n`);
  return python;
}

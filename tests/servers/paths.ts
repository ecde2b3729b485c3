import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: two folders above this file. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const offset = process.env.RUNNEL_TEST_PORT_OFFSET ?? "0";

/**
 * Run-time data of the test servers (broker logs, buckets, pid files);
 * git-ignored. Servers on shifted ports (see `config.ts`) keep theirs apart.
 */
export const dataDir = join(repoRoot, ".data", ...(offset === "0" || offset === "" ? [] : [`port-offset-${offset}`]));

/** Pid files, locks, leases and logs of servers started by the CLI or a test run. */
export const serversDir = join(dataDir, "servers");

/**
 * Downloads and builds (Kafka jars, the S3 server binary) live outside the
 * clone, keyed by version, so a fresh clone on the same machine starts fast
 * and a new machine rebuilds everything from the registries.
 */
export const cacheDir = join(
  process.env.XDG_CACHE_HOME !== undefined && process.env.XDG_CACHE_HOME !== ""
    ? process.env.XDG_CACHE_HOME
    : join(homedir(), ".cache"),
  "runnel",
);

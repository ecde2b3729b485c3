/**
 * Global setup of vitest's "integration" project: makes Kafka, S3 and
 * Chromium available before any integration test runs, and afterwards stops
 * what test runs started.
 *
 * Servers that already answer on the fixed ports (a developer's
 * `cli.ts up`, another checkout's) are reused and never stopped. Concurrent
 * test runs in one checkout each hold a lease in `.data/servers/leases/`;
 * the last run to finish stops the servers that test runs started.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allServers } from "./all.ts";
import { ensureChromium } from "./chromium.ts";
import { serversDir } from "./paths.ts";
import { describeError, isAlive, readRecord, say, stopServer } from "./process.ts";
import { bringUp } from "./server.ts";

const leases = join(serversDir, "leases");

/** Pids of other test runs still going; leases of runs that died without teardown are removed. */
function otherLiveLeases(): number[] {
  const live: number[] = [];
  for (const file of readdirSync(leases)) {
    const pid = Number(file);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (isAlive(pid)) live.push(pid);
    else rmSync(join(leases, file), { force: true });
  }
  return live;
}

/** Stops the servers test runs started, unless another test run still uses them. */
async function release(): Promise<void> {
  rmSync(join(leases, String(process.pid)), { force: true });
  const others = otherLiveLeases();
  if (others.length > 0) {
    say(`leaving servers up for the test runs still going (pids ${others.join(", ")})`);
    return;
  }
  await Promise.all(
    allServers.map(async (server) => {
      const record = readRecord(server.name);
      if (record?.startedBy !== "test") return;
      await stopServer(record);
      say(`${server.name} stopped`);
    }),
  );
}

export default async function setup(): Promise<() => Promise<void>> {
  mkdirSync(leases, { recursive: true });
  writeFileSync(join(leases, String(process.pid)), `${new Date().toISOString()}\n`);

  const outcomes = await Promise.allSettled([
    ensureChromium().then(() => "chromium ready"),
    ...allServers.map(async (server) => {
      const up = await bringUp(server, "test");
      const version = up.record?.version ?? "";
      return `${server.name}${version === "" ? "" : ` ${version}`} ${up.started ? `started in ${up.seconds} s` : "reused"}`;
    }),
  ]);
  const failures = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [describeError(outcome.reason)] : []));
  if (failures.length > 0) {
    await release();
    throw new Error(`integration servers could not start:\n\n${failures.join("\n\n")}`);
  }
  say(outcomes.map((outcome) => (outcome.status === "fulfilled" ? outcome.value : "")).join(", "));
  return release;
}

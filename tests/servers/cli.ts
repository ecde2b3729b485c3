/**
 * Brings the test servers up detached, so a developer can leave them running
 * between test runs (the global setup then reuses them):
 *
 *   npx tsx tests/servers/cli.ts up [kafka|s3|registry|chromium ...]
 *   npx tsx tests/servers/cli.ts status
 *   npx tsx tests/servers/cli.ts down [kafka|s3 ...]
 *
 * Every verb is idempotent. `down` stops only servers this checkout started.
 */
import { ensureChromium } from "./chromium.ts";
import { describeError, readRecord, say } from "./process.ts";
import { allServers } from "./all.ts";
import { bringDown, bringUp, type TestServer } from "./server.ts";

function pick(names: string[]): { servers: TestServer[]; chromium: boolean } {
  const known = new Set([...allServers.map((server) => server.name), "chromium"]);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`servers: unknown server ${unknown.join(", ")}; choose from ${[...known].join(", ")}`);
  }
  const all = names.length === 0;
  return {
    servers: allServers.filter((server) => all || names.includes(server.name)),
    chromium: all || names.includes("chromium"),
  };
}

async function up(names: string[]): Promise<void> {
  const { servers, chromium } = pick(names);
  if (chromium) await ensureChromium();
  const results = await Promise.allSettled(servers.map((server) => bringUp(server, "cli")));
  const failures: string[] = [];
  results.forEach((result, index) => {
    const server = servers[index]!;
    if (result.status === "rejected") failures.push(describeError(result.reason));
    else if (!result.value.started) say(`${server.name} already answers on ${server.address}; left as it is`);
  });
  if (failures.length > 0) throw new Error(failures.join("\n\n"));
}

async function down(names: string[]): Promise<void> {
  const { servers } = pick(names);
  await Promise.all(
    servers.map(async (server) => {
      const stopped = await bringDown(server);
      say(stopped ? `${server.name} stopped` : `${server.name} was not started by this checkout; nothing to stop`);
    }),
  );
}

async function status(): Promise<void> {
  for (const server of allServers) {
    const answers = await server.answers();
    const record = readRecord(server.name);
    const owner =
      record === undefined
        ? "not started by this checkout"
        : `pid ${record.pid}, ${record.version}, started by ${record.startedBy} at ${record.startedAt}, log ${record.log}`;
    console.log(`${server.name.padEnd(8)} ${answers ? "up  " : "down"}  ${server.address.padEnd(16)} ${owner}`);
  }
}

const [verb, ...names] = process.argv.slice(2);
const verbs: Record<string, (names: string[]) => Promise<void>> = { up, down, status };
const action = verb === undefined ? undefined : verbs[verb];
if (action === undefined) {
  console.error("usage: npx tsx tests/servers/cli.ts up|down|status [kafka|s3|registry|chromium ...]");
  process.exitCode = 2;
} else {
  try {
    await action(names);
  } catch (error) {
    console.error(describeError(error));
    process.exitCode = 1;
  }
}

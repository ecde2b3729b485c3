import { adoptRecord, isAlive, readRecord, say, spawnServer, stopServer, tailFile, withLock, type PidRecord, type StartedBy } from "./process.ts";

/** How to run a server once its binaries are on disk. */
export interface Launch {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  version: string;
  /** A word of the command line that identifies this server's process. */
  marker: string;
}

/**
 * One real server the tests need. `kafka.ts` and `s3.ts` implement it; the
 * global setup and the CLI drive every implementation the same way.
 */
export interface TestServer {
  name: string;
  /** Where it listens, for messages. */
  address: string;
  /** Whether something already serves this protocol on the fixed port. */
  answers(): Promise<boolean>;
  /** Downloads or builds what is missing (cached), prepares fresh run-time data, and says how to run it. */
  prepare(): Promise<Launch>;
  /** Once it answers: make what tests expect to exist (the test bucket). Safe to repeat. */
  provision?(): Promise<void>;
}

export interface UpResult {
  name: string;
  /** True when this call started the server; false when it reused one that answered. */
  started: boolean;
  record?: PidRecord;
  seconds: number;
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/**
 * Makes `server` answer on its fixed port: reuses one that already answers,
 * or builds and starts it and waits until it answers. Throws a message naming
 * the server, the cause and the tail of its log.
 */
export async function bringUp(server: TestServer, startedBy: StartedBy, readyMs = 60_000): Promise<UpResult> {
  const began = Date.now();
  const seconds = () => Math.round((Date.now() - began) / 100) / 10;
  const reuse = async (): Promise<UpResult> => {
    await server.provision?.();
    const record = readRecord(server.name);
    return {
      name: server.name,
      started: false,
      record: record !== undefined && startedBy === "cli" ? adoptRecord(record, "cli") : record,
      seconds: seconds(),
    };
  };
  if (await server.answers()) return reuse();
  return withLock(server.name, async () => {
    // Another process may have started it while we waited for the lock.
    if (await server.answers()) return reuse();
    const stale = readRecord(server.name);
    if (stale !== undefined) {
      say(`${server.name}: pid ${stale.pid} from an earlier start does not answer; stopping it`);
      await stopServer(stale);
    }
    const launch = await server.prepare();
    say(`starting ${server.name} ${launch.version} on ${server.address}`);
    const record = spawnServer({ name: server.name, startedBy, ...launch });
    const deadline = Date.now() + readyMs;
    for (;;) {
      if (!isAlive(record.pid)) {
        await stopServer(record, 0);
        throw new Error(
          `servers: ${server.name} ${launch.version} exited before answering on ${server.address}; log ${record.log}:\n${tailFile(record.log)}`,
        );
      }
      if (await server.answers()) break;
      if (Date.now() > deadline) {
        await stopServer(record);
        throw new Error(
          `servers: ${server.name} ${launch.version} did not answer on ${server.address} within ${readyMs / 1000} s; log ${record.log}:\n${tailFile(record.log)}`,
        );
      }
      await sleep(500);
    }
    await server.provision?.();
    say(`${server.name} ${launch.version} up on ${server.address} (pid ${record.pid}) in ${seconds()} s`);
    return { name: server.name, started: true, record, seconds: seconds() };
  });
}

/** Stops the server this checkout started, if any; says whether there was one. */
export async function bringDown(server: TestServer): Promise<boolean> {
  const record = readRecord(server.name);
  if (record === undefined) return false;
  await stopServer(record);
  return true;
}

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { kafkaServer } from "../servers/kafka.ts";
import { registryServer } from "../servers/registry.ts";
import { repoRoot } from "../servers/paths.ts";
import { s3Server } from "../servers/s3.ts";
import { bringUp } from "../servers/server.ts";

const run = promisify(execFile);

describe("the test-server tooling", () => {
  test("bringing the servers up again reuses the running ones instead of starting others", async () => {
    const results = await Promise.all([bringUp(s3Server, "test"), bringUp(kafkaServer, "test")]);
    expect(results.map(({ name, started }) => ({ name, started }))).toEqual([
      { name: "s3", started: false },
      { name: "kafka", started: false },
    ]);
  });

  test("cli.ts status reports every server up at its address", async () => {
    const { stdout } = await run(join(repoRoot, "node_modules/.bin/tsx"), ["tests/servers/cli.ts", "status"], { cwd: repoRoot });
    const lines = stdout.trim().split("\n").map((line) => line.split(/\s+/).slice(0, 3).join(" "));
    expect(lines).toEqual([`kafka up ${kafkaServer.address}`, `s3 up ${s3Server.address}`, `registry up ${registryServer.address}`]);
  });
});

/**
 * `--metrics-port` on a port another process holds: the runner says so and exits 1 before it joins
 * its group, instead of crashing with Node's "Unhandled 'error' event" stack after joining.
 */
import { createServer } from "node:net";
import { describe, expect, test } from "vitest";
import { s3 as s3Config } from "../servers/config.ts";
import { fillTopic, publish, startRunner, uniqueName } from "./harness.ts";

describe("--metrics-port", () => {
  test("a port in use stops the runner with what to do, before it joins the group", { timeout: 240_000 }, async () => {
    const bundle = await publish("pii-staging");
    const topic = uniqueName("metrics-port");
    await fillTopic(topic, 1, [{ event: "signup" }], () => "k");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      const runner = startRunner(bundle, ["--topic", topic, "--group", uniqueName("g"), "--metrics-port", String(port), "--sink", `staging=s3://${s3Config.bucket}/${uniqueName("never")}/`]);
      expect(await runner.exited).toBe(1);
      expect(runner.output()).toContain(`run: --metrics-port ${port}: cannot serve /metrics on 127.0.0.1:${port}: another process listens there; pick a free port`);
      expect(runner.output()).not.toContain("joined group");
      expect(runner.output()).not.toContain("Unhandled 'error' event");
    } finally {
      holder.close();
    }
  });
});

/**
 * A Kafka broker of a test's own, for tests that stop it under a runner (the shared test broker stays
 * up for every other test): one KRaft node from the jars and the formatted log folder the test
 * servers cache (`tests/servers/kafka.ts`), on a port the test picks, kept in a folder it gives, so it
 * can be SIGKILLed and started again on the same log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { cacheDir } from "../servers/paths.ts";
import { sleep } from "./harness.ts";

const VERSION = "4.1.1";

/** A one-node KRaft broker on `port` (controller on port + 1) keeping its log in `home`, from the test servers' cached jars and formatted folder. */
export function privateBroker(port: number, home: string): { start: () => ChildProcess } {
  const libs = join(cacheDir, `kafka-${VERSION}`, "libs");
  mkdirSync(home, { recursive: true });
  cpSync(join(cacheDir, `kafka-${VERSION}`, "formatted"), join(home, "logs"), { recursive: true });
  const properties = join(home, "server.properties");
  writeFileSync(
    properties,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${port + 1}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      "inter.broker.listener.name=PLAINTEXT",
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      `log.dirs=${join(home, "logs")}`,
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "",
    ].join("\n"),
  );
  const start = () =>
    spawn("java", ["-Xms128m", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", `${libs}/*`, "kafka.Kafka", properties], { stdio: "ignore" });
  return { start };
}

/** Waits (up to 2 minutes) until the broker answers and its group coordinator is ready. */
export async function answers(brokers: string[]): Promise<void> {
  let last: unknown = null;
  for (let i = 0; i < 240; i++) {
    // A fresh client each time: one that failed to connect keeps no broker to try again.
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      if ((await admin.describeCluster()).brokers.length > 0) {
        await admin.disconnect();
        // The group coordinator (the offsets topic, made on the first FindCoordinator) within kafkajs's retries.
        const groups = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
        await groups.connect();
        await groups.describeGroups(["kafka9-probe"]);
        await groups.disconnect();
        return;
      }
    } catch (error) {
      last = error;
    }
    await admin.disconnect().catch(() => undefined);
    await sleep(500);
  }
  throw new Error(`test: the private broker on ${brokers[0]} did not answer in 2 minutes`, { cause: last });
}

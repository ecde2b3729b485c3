import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { kafka as config } from "./config.ts";
import { loggingFlag, pom, serverProperties } from "./kafka-files.ts";
import { ensureKafkaTls } from "./kafka-tls.ts";
import { cacheDir, dataDir, serversDir } from "./paths.ts";
import { runStep, say } from "./process.ts";
import type { Launch, TestServer } from "./server.ts";

/**
 * Apache Kafka as one KRaft node (broker and controller in one JVM), run
 * from the jars Maven Central publishes. The newest version is tried first;
 * `RUNNEL_KAFKA_VERSION` picks one.
 */
export const kafkaVersions = ["4.1.1", "3.9.1"] as const;

const run = promisify(execFile);

/** Downloads the broker's jars once per version into the cache; returns the folder of jars. */
async function ensureJars(version: string): Promise<string> {
  const home = join(cacheDir, `kafka-${version}`);
  const libs = join(home, "libs");
  const complete = join(home, ".complete");
  if (existsSync(complete)) return libs;
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, "pom.xml"), pom(version));
  await runStep(
    `downloading Kafka ${version} jars with Maven into ${home}`,
    "mvn",
    [
      "-B",
      "-q",
      `-Dmaven.repo.local=${join(cacheDir, "m2")}`,
      "-f",
      join(home, "pom.xml"),
      "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${libs}`,
    ],
    { log: join(serversDir, `kafka-${version}-download.log`) },
  );
  if (!readdirSync(libs).some((file) => file.startsWith(`kafka_2.13-${version}`))) {
    throw new Error(`servers: kafka: Maven finished but ${libs} has no kafka_2.13-${version} jar`);
  }
  writeFileSync(complete, `${new Date().toISOString()}\n`);
  return libs;
}

/**
 * A freshly formatted log folder (meta.properties and the bootstrap metadata,
 * nothing that names a port or a path), made once per version and copied on
 * each start: formatting starts a JVM, which takes 2–12 s on busy cores.
 */
async function formattedLogDir(version: string, classpath: string, logging: string): Promise<string> {
  const template = join(cacheDir, `kafka-${version}`, "formatted");
  if (existsSync(template)) return template;
  const scratch = join(cacheDir, `kafka-${version}`, `formatting-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const properties = join(scratch, "server.properties");
  writeFileSync(properties, serverProperties(join(scratch, "logs"), await ensureKafkaTls()));
  const began = Date.now();
  // A short-lived JVM starts faster with the client compiler and the serial collector.
  const quick = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"];
  const args = ["format", "-t", clusterId(), "-c", properties, "--ignore-formatted"];
  try {
    await run("java", [...quick, logging, "-cp", classpath, "kafka.tools.StorageTool", ...args]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`servers: kafka: StorageTool format failed:\n${stderr.split("\n").slice(-20).join("\n")}`, {
      cause: error,
    });
  }
  // Renamed only when complete; a concurrent start that got there first wins.
  if (!existsSync(template)) renameSync(join(scratch, "logs"), template);
  rmSync(scratch, { recursive: true, force: true });
  say(`kafka: formatted a log folder for ${version} in ${((Date.now() - began) / 1000).toFixed(1)} s (cached)`);
  return template;
}

/** What `StorageTool random-uuid` prints (16 random bytes, base64url), without starting a JVM for it. */
function clusterId(): string {
  return randomBytes(16).toString("base64url");
}

function probeClient(): Kafka {
  return new Kafka({
    clientId: "runnel-servers",
    brokers: [...config.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
}

/** Kafka on 127.0.0.1:19092 (broker) and :19093 (controller), data in `.data/kafka`. */
export const kafkaServer: TestServer = {
  name: "kafka",
  address: config.brokers[0],

  async answers() {
    const admin = probeClient().admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch (error) {
      // Refused or not ready yet is the answer "no"; anything else is a fault worth seeing.
      const name = (error as Error).name;
      if (name.startsWith("KafkaJS")) return false;
      throw new Error("servers: kafka: probing the broker failed", { cause: error });
    } finally {
      await admin.disconnect();
    }
  },

  /**
   * The consumer-offsets topic is created on the first FindCoordinator; doing
   * it here spares the first consumer group of a test run its retries.
   */
  async provision() {
    const admin = probeClient().admin();
    const deadline = Date.now() + 60_000;
    try {
      await admin.connect();
      for (;;) {
        try {
          await admin.describeGroups(["runnel-servers-probe"]);
          return;
        } catch (error) {
          if (Date.now() > deadline) {
            throw new Error("servers: kafka: no group coordinator within 60 s", { cause: error });
          }
          await new Promise((wake) => setTimeout(wake, 500));
        }
      }
    } finally {
      await admin.disconnect();
    }
  },

  async prepare(): Promise<Launch> {
    const wanted = process.env.RUNNEL_KAFKA_VERSION;
    const versions = wanted !== undefined && wanted !== "" ? [wanted] : [...kafkaVersions];
    let libs: string | undefined;
    let version = "";
    const failures: string[] = [];
    for (const candidate of versions) {
      try {
        libs = await ensureJars(candidate);
        version = candidate;
        break;
      } catch (error) {
        failures.push((error as Error).message);
        say(`kafka ${candidate} unavailable; ${versions.at(-1) === candidate ? "no version left" : "trying the next version"}`);
      }
    }
    if (libs === undefined) throw new Error(`servers: kafka: no version could be downloaded:\n${failures.join("\n")}`);

    const home = join(dataDir, "kafka");
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    const properties = join(home, "server.properties");
    writeFileSync(properties, serverProperties(join(home, "logs"), await ensureKafkaTls()));
    const logging = loggingFlag(version, home);
    const classpath = `${libs}/*`;
    cpSync(await formattedLogDir(version, classpath, logging), join(home, "logs"), { recursive: true });
    // The client compiler alone and the serial collector start the broker in about
    // two thirds of the time on two busy cores; RUNNEL_KAFKA_FULL_JIT=1 restores the
    // JVM's defaults for throughput measurements.
    const jit = process.env.RUNNEL_KAFKA_FULL_JIT === "1" ? [] : ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];
    return {
      command: "java",
      args: ["-Xms256m", "-Xmx512m", ...jit, logging, "-Drunnel.server=kafka", "-cp", classpath, "kafka.Kafka", properties],
      version,
      marker: "-Drunnel.server=kafka",
    };
  },
};

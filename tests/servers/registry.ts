import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registry as config } from "./config.ts";
import { cacheDir, dataDir, serversDir } from "./paths.ts";
import { runStep } from "./process.ts";
import { APPLICATION_PROPERTIES, apicurioVersion, EMPTY_DYNAMIC_CONFIG, pom } from "./registry-files.ts";
import type { Launch, TestServer } from "./server.ts";

/**
 * Apicurio Registry (Apache-2.0), whose `ccompat` API is Confluent's Schema Registry API, built once
 * from Maven Central into the cache: Central holds the registry's module jars but no runnable
 * distribution, so a small project (registry-files.ts) packages them with the Quarkus plugin as
 * Apicurio's own build does. Storage is in memory (H2): every start is an empty registry.
 */
async function ensureApp(): Promise<string> {
  const home = join(cacheDir, `apicurio-registry-${apicurioVersion}`);
  const complete = join(home, ".complete");
  const target = join(home, "target");
  if (existsSync(complete)) return runnerJar(target);
  rmSync(home, { recursive: true, force: true });
  const sources = join(home, "src", "main");
  mkdirSync(join(sources, "java", "runnel", "tests", "registry"), { recursive: true });
  mkdirSync(join(sources, "resources"), { recursive: true });
  writeFileSync(join(home, "pom.xml"), pom());
  writeFileSync(join(sources, "java", "runnel", "tests", "registry", "EmptyDynamicConfig.java"), EMPTY_DYNAMIC_CONFIG);
  writeFileSync(join(sources, "resources", "application.properties"), APPLICATION_PROPERTIES);
  await runStep(
    `building Apicurio Registry ${apicurioVersion} with Maven into ${home} (a few minutes, once)`,
    "mvn",
    ["-B", "-q", `-Dmaven.repo.local=${join(cacheDir, "m2")}`, "-f", join(home, "pom.xml"), "package"],
    { log: join(serversDir, `registry-${apicurioVersion}-build.log`) },
  );
  const jar = runnerJar(target);
  writeFileSync(complete, `${new Date().toISOString()}\n`);
  return jar;
}

/** The Quarkus runner jar the build made (Apicurio's settings ask for a `legacy-jar`: the jar and `lib/` beside it). */
function runnerJar(target: string): string {
  const jar = existsSync(target) ? readdirSync(target).find((file) => file.endsWith("-runner.jar")) : undefined;
  if (jar === undefined) throw new Error(`servers: registry: the Maven build finished but ${target} has no *-runner.jar`);
  return join(target, jar);
}

/** Apicurio Registry on 127.0.0.1:19081, Confluent's API under `/apis/ccompat/v7` (`config.registry.url`). */
export const registryServer: TestServer = {
  name: "registry",
  address: new URL(config.url).host,

  async answers() {
    try {
      const response = await fetch(`${config.url}/subjects`, { signal: AbortSignal.timeout(2_000) });
      if (response.status !== 200) throw new Error(`servers: registry: something on ${config.url} answers GET /subjects with ${response.status}, not a Schema Registry`);
      return Array.isArray(await response.json());
    } catch (error) {
      // Refused or not listening yet is the answer "no"; anything that answers wrongly is worth seeing.
      if (error instanceof Error && (error.name === "TimeoutError" || error.message === "fetch failed")) return false;
      throw error;
    }
  },

  async prepare(): Promise<Launch> {
    const jar = await ensureApp();
    const home = join(dataDir, "registry");
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    const { hostname, port } = new URL(config.url);
    return {
      command: "java",
      // The client compiler and the serial collector start it sooner on two busy cores; H2 in memory needs little heap.
      args: ["-Xms64m", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Drunnel.server=registry", `-Dquarkus.http.host=${hostname}`, `-Dquarkus.http.port=${port}`, "-jar", jar],
      env: { ...process.env, HTTP_PORT: port },
      cwd: home,
      version: apicurioVersion,
      marker: "-Drunnel.server=registry",
    };
  },
};

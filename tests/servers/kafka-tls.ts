import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheDir } from "./paths.ts";

/**
 * The test broker's TLS identity: a self-signed certificate for 127.0.0.1
 * (its own CA), made once with the JDK's keytool and kept in the cache. The
 * broker reads the PKCS12 keystore; clients trust `caFile` (PEM).
 */
const dir = join(cacheDir, "kafka-tls");
export const kafkaTls = {
  keystore: join(dir, "broker.p12"),
  password: "runnel-test-keystore",
  caFile: join(dir, "broker.pem"),
} as const;

export async function ensureKafkaTls(): Promise<typeof kafkaTls> {
  if (existsSync(kafkaTls.keystore) && existsSync(kafkaTls.caFile)) return kafkaTls;
  const scratch = `${dir}.${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const keytool = (...args: string[]) => promisify(execFile)("keytool", args);
  const store = ["-keystore", join(scratch, "broker.p12"), "-storetype", "PKCS12", "-storepass", kafkaTls.password];
  await keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keypass", kafkaTls.password, ...store);
  await keytool("-exportcert", "-rfc", "-alias", "broker", "-file", join(scratch, "broker.pem"), ...store);
  // Renamed only when complete; a concurrent start that got there first wins.
  if (!existsSync(dir)) renameSync(scratch, dir);
  rmSync(scratch, { recursive: true, force: true });
  return kafkaTls;
}

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * The gateway token: read from `file`, or made on first start (256 random bits,
 * hex) and written there with owner-only permissions. `fromEnv` (RUNNEL_TOKEN)
 * wins when set, for scripted starts.
 */
export async function loadOrCreateToken(file: string, fromEnv?: string): Promise<{ token: string; created: boolean }> {
  if (fromEnv) return { token: fromEnv, created: false };
  try {
    const token = (await readFile(file, "utf8")).trim();
    if (token.length >= 32) return { token, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`token: cannot read ${file}`, { cause: err });
  }
  const token = randomBytes(32).toString("hex");
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, token + "\n", { mode: 0o600 });
  return { token, created: true };
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so the
 * buffers handed to timingSafeEqual always have equal length and a length
 * mismatch leaks nothing.
 */
export function secretsEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

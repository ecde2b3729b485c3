import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** What a token may be: long enough not to be guessed, and characters a URL, a cookie and a bearer header carry unchanged. */
const tokenShape = /^[A-Za-z0-9._~-]{32,}$/;

/**
 * The gateway token: read from `file`, or made on first start (256 random bits,
 * hex) and written there with owner-only permissions. `fromEnv` (RUNNEL_TOKEN)
 * wins when set, for scripted starts.
 */
export async function loadOrCreateToken(file: string, fromEnv?: string): Promise<{ token: string; created: boolean }> {
  if (fromEnv) {
    // The token is all that guards the API, and a bearer header can be tried by anything that reaches the port:
    // `RUNNEL_TOKEN=dev` could be guessed. It travels in the printed URL (`?token=`), a cookie and `Bearer <token>`,
    // so `+`, `&`, `#` or a space would make a URL or header that no longer carries it.
    if (!tokenShape.test(fromEnv)) {
      throw new Error(`token: RUNNEL_TOKEN must be at least 32 letters, digits, '.', '_', '~' or '-' (it has ${fromEnv.length} characters${/^[A-Za-z0-9._~-]*$/.test(fromEnv) ? "" : ", some of them others"}); make one with \`openssl rand -hex 32\`, or unset it and the gateway makes one in ${file}`);
    }
    return { token: fromEnv, created: false };
  }
  let kept: string | null = null;
  try {
    kept = (await readFile(file, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`token: cannot read ${file}`, { cause: err });
  }
  if (kept !== null && kept.length >= 32) {
    // A token written into the file by hand is held to RUNNEL_TOKEN's rule: a passphrase with spaces made a printed
    // URL and a bearer header that no longer carried it, every request a 401 with no word of why.
    if (!tokenShape.test(kept)) {
      throw new Error(`token: ${file} holds a token of ${kept.length} characters, some of them not letters, digits, '.', '_', '~' or '-', which a URL or an Authorization header cannot carry as they are; write one with \`openssl rand -hex 32 > ${file}\`, or delete the file and the gateway makes one`);
    }
    return { token: kept, created: false };
  }
  const token = randomBytes(32).toString("hex");
  // The state folder holds the token, the share key, webhook deliveries and the local lake: this user's only.
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
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

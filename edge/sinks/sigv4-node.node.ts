import { createHash, createHmac } from "node:crypto";
import type { Digests } from "./sigv4.ts";

/** SigV4's digests from `node:crypto`, synchronous (see sigv4.ts for why that matters). */
export const nodeDigests: Digests = {
  sha256Hex: (data) => createHash("sha256").update(data).digest("hex"),
  hmacSha256: (key, data) => new Uint8Array(createHmac("sha256", key).update(data).digest()),
};

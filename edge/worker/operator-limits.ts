import { BINDINGS, type WorkerLimits } from "./config.ts";

/**
 * The limits an operator may change on a deployed Worker without publishing again, as wrangler vars (or
 * `.dev.vars` locally): the largest body taken, and how long a delivery id is remembered. The bundle's own
 * values are the defaults. A CloudTrail file or a batching sender's delivery passes the 1 MiB default
 * (Cloudflare itself takes 100 MB bodies on Free and Pro), and Stripe retries for three days against the
 * one-day memory, and neither could be raised: the limits were fixed in `worker.js`.
 * `limits.shards` stays fixed: changing it would send a retry to another object than the one that remembers
 * its id, writing it twice.
 */
export const LIMIT_VARS = {
  maxBodyBytes: BINDINGS.maxBodyBytes,
  dedupSeconds: BINDINGS.dedupSeconds,
} as const satisfies Partial<Record<keyof WorkerLimits, string>>;

/** `limits` with the operator's vars applied, or why a var cannot be used (a whole number of bytes or seconds, at least 1). */
export function operatorLimits(env: Record<string, unknown>, limits: WorkerLimits): { ok: true; limits: WorkerLimits } | { ok: false; reason: string } {
  const out = { ...limits };
  for (const [key, name] of Object.entries(LIMIT_VARS) as [keyof typeof LIMIT_VARS, string][]) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      const unit = key === "maxBodyBytes" ? "bytes, such as 8388608 for 8 MiB" : "seconds, such as 259200 for three days";
      return { ok: false, reason: `worker: the var ${name} is ${JSON.stringify(value)}; expected a whole number of ${unit}` };
    }
    out[key] = n;
  }
  return { ok: true, limits: out };
}

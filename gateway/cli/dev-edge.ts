/**
 * `runnel dev-edge <bundle>`: runs a published webhook pipeline's Worker and
 * Durable Objects locally in workerd (miniflare), with state kept on disk,
 * until interrupted.
 */
import { readArgs } from "./args.ts";
import { printErr, printOut } from "./output.ts";
import type { Verb } from "./verb.ts";
import { UsageError } from "./verb.ts";

const USAGE = `usage: runnel dev-edge <bundle> [--port <n>] [--host <addr>] [--persist <dir>] [--lake <dir>]

Runs the Worker of a bundle written by runnel publish (dist/pipelines/<name>,
or its worker/ folder) in local workerd through miniflare: POST
/ingest/<source>, GET /metrics, POST /flush. Durable Object storage and R2
objects are kept in <bundle>/worker/.runnel-edge (or --persist), so a restart
carries on where it stopped. Secrets come from worker/.dev.vars (NAME=value
lines) or the environment, as do the vars RUNNEL_S3_ENDPOINT, RUNNEL_MAX_BODY_BYTES
and RUNNEL_DEDUP_SECONDS.

  --port <n>        port to listen on (default 8787)
  --host <addr>     address to listen on (default 127.0.0.1)
  --persist <dir>   where state is kept
  --lake <dir>      copy the R2 buckets' objects into <dir>/<bucket>/ as they are
                    written, for DuckDB (miniflare keeps them as blobs named by hash)`;

export const verb: Verb = {
  name: "dev-edge",
  summary: "run a published webhook pipeline's Worker locally in workerd, state kept on disk",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = readArgs(args, {
      port: { type: "string" },
      host: { type: "string" },
      persist: { type: "string" },
      lake: { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one bundle folder");
    const port = values.port === undefined ? 8787 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${values.port}`);
    // Loaded here, not at the top: miniflare is heavy, and `runnel --help` loads every verb.
    const { startDevEdge } = await import("../../edge/worker/dev.node.ts");
    const edge = await startDevEdge({ dir: positionals[0]!, port, host: values.host, persist: values.persist, lake: values.lake });
    for (const name of edge.missingSecrets) {
      const sources = Object.entries(edge.config.sources).filter(([, s]) => s.secret === name).map(([n]) => n);
      const effect = sources.length ? `deliveries to ${sources.join(", ")} answer 503` : "the S3 sinks' flushes fail (GET /metrics shows lastError)";
      printErr(`runnel dev-edge: secret ${name} is not set (worker/.dev.vars or the environment); ${effect}`);
    }
    for (const why of edge.badSecrets) printErr(`runnel dev-edge: ${why}`);
    const base = edge.url.href.replace(/\/$/, "");
    printOut(`runnel dev-edge: ${edge.config.name} on ${base} (state in ${edge.persist})`);
    for (const source of Object.keys(edge.config.sources)) printOut(`  POST ${base}/ingest/${source}`);
    printOut(`  GET  ${base}/metrics\n  POST ${base}/flush`);
    const buckets = Object.values(edge.config.sinks).some((s) => s.target.kind === "r2");
    if (buckets) printOut(edge.lake ? `  R2 objects copied to ${values.lake}/<bucket>/ as they are written (read them as worker/README.md says)` : "  R2 objects stay in miniflare's blobs; add --lake <dir> for copies DuckDB can read");
    // A token the user chose stays out of the terminal (and of logs that keep it); one made for this run is printed.
    printOut(
      edge.adminTokenMade
        ? `  operator token (made for this run; set RUNNEL_ADMIN_TOKEN in worker/.dev.vars or the environment to keep one): Authorization: Bearer ${edge.adminToken}`
        : "  operator token: RUNNEL_ADMIN_TOKEN, as set in worker/.dev.vars or the environment",
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await edge.dispose();
    return 0;
  },
};

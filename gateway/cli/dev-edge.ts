/**
 * `runnel dev-edge <bundle>`: runs a published webhook pipeline's Worker and
 * Durable Objects locally in workerd (miniflare), with state kept on disk,
 * until interrupted.
 */
import { readArgs } from "./args.ts";
import { printErr, printOut } from "./output.ts";
import type { Verb } from "./verb.ts";
import { UsageError } from "./verb.ts";

const USAGE = `usage: runnel dev-edge <bundle> [--port <n>] [--host <addr>] [--persist <dir>]

Runs the Worker of a bundle written by runnel publish (dist/pipelines/<name>,
or its worker/ folder) in local workerd through miniflare: POST
/ingest/<source>, GET /metrics, POST /flush. Durable Object storage and R2
objects are kept in <bundle>/worker/.runnel-edge (or --persist), so a restart
carries on where it stopped. Secrets come from worker/.dev.vars (NAME=value
lines) or the environment.

  --port <n>        port to listen on (default 8787)
  --host <addr>     address to listen on (default 127.0.0.1)
  --persist <dir>   where state is kept`;

export const verb: Verb = {
  name: "dev-edge",
  summary: "run a published webhook pipeline's Worker locally in workerd, state kept on disk",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = readArgs(args, {
      port: { type: "string" },
      host: { type: "string" },
      persist: { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one bundle folder");
    const port = values.port === undefined ? 8787 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${values.port}`);
    // Loaded here, not at the top: miniflare is heavy, and `runnel --help` loads every verb.
    const { startDevEdge } = await import("../../edge/worker/dev.node.ts");
    const edge = await startDevEdge({ dir: positionals[0]!, port, host: values.host, persist: values.persist });
    for (const name of edge.missingSecrets) printErr(`runnel dev-edge: secret ${name} is not set (worker/.dev.vars or the environment); requests that need it answer 500`);
    const base = edge.url.href.replace(/\/$/, "");
    printOut(`runnel dev-edge: ${edge.config.name} on ${base} (state in ${edge.persist})`);
    for (const source of Object.keys(edge.config.sources)) printOut(`  POST ${base}/ingest/${source}`);
    printOut(`  GET  ${base}/metrics\n  POST ${base}/flush`);
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

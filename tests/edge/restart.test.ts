import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openDuckDB } from "../../edge/duckdb/index.node.ts";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { githubSignature } from "../../edge/verify/verify.ts";
import { compileWith, download, githubFixtures, readNotebook, startEdge, type EdgeRuntime } from "./harness.ts";

/**
 * The runtime is killed mid-stream under concurrent load (8 clients, flushes
 * running every second or 40 rows), then started again on the persisted
 * state. Clients retry what was not acknowledged with the same delivery id,
 * as GitHub does. Every acknowledged event must be in the output exactly once.
 */
const SECRET = "restart-secret";
const EVENTS = 400;
const CLIENTS = 8;
const RESTART_AT = 150;

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

test("a restart under concurrent load keeps every acknowledged event exactly once, and retries add nothing", async () => {
  const { notebook } = readNotebook("github.md", (t) =>
    t
      .replace(/s3: \{ bucket: lake, prefix: (\S+) \}/g, "r2: { binding: LAKE, prefix: $1 }")
      .replace(/flush: \{ rows: \d+, seconds: 120 \}/g, "flush: { rows: 40, seconds: 1 }"),
  );
  const sample = githubFixtures(["push", "issues", "pull_request"]);
  const plan = await compileWith(notebook, { github: sample.map((f) => f.text) });
  const push = JSON.parse(sample.find((f) => f.event === "push" && f.file === "with-new-branch.payload.json")!.text) as Record<string, unknown>;
  const bodies = Array.from({ length: EVENTS }, (_, i) => JSON.stringify({ ...push, after: i.toString(16).padStart(40, "0") }));
  const signatures = await Promise.all(bodies.map((b) => githubSignature(SECRET, b)));

  const start = (persist?: string, script?: string) => startEdge({ name: "restart", plan, notebook, bindings: { GITHUB_WEBHOOK_SECRET: SECRET }, persist, script });
  let edge: EdgeRuntime & { script: string } = await start();
  const persist = edge.persist;
  cleanup.push(() => rmSync(persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());

  let acked = 0;
  let failures = 0;
  let restarting: Promise<void> | null = null;
  let restarted = false;
  const ackedIds = new Set<number>();
  const send = (i: number) => edge.post("github", bodies[i]!, { "x-github-delivery": `delivery-${i}`, "x-hub-signature-256": signatures[i]! });
  let next = 0;
  const client = async () => {
    while (next < EVENTS) {
      const i = next++;
      for (;;) {
        if (restarting) await restarting;
        let status = 0;
        try {
          const response = await send(i);
          status = response.status;
          await response.arrayBuffer();
        } catch {
          // The runtime went away mid-request: not acknowledged, so retry it (same delivery id).
          failures++;
          continue;
        }
        if (status !== 202) {
          failures++;
          continue;
        }
        ackedIds.add(i);
        if (++acked === RESTART_AT && !restarted) {
          restarted = true;
          restarting = (async () => {
            const script = edge.script;
            await edge.dispose();
            edge = await start(persist, script);
          })();
          await restarting;
          restarting = null;
        }
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  expect(restarted).toBe(true);
  expect(ackedIds.size).toBe(EVENTS);

  // Retries of acknowledged deliveries change nothing.
  for (let i = 0; i < EVENTS; i += 8) {
    const response = await send(i);
    expect(response.status).toBe(202);
    expect(((await response.json()) as { duplicate: boolean }).duplicate).toBe(true);
  }
  const flushed = await edge.flush();
  expect(flushed.status, await flushed.clone().text()).toBe(200);
  const metrics = await edge.metrics();
  expect({ eventsIn: metrics.eventsIn, bufferRows: metrics.bufferRows, deadLetters: metrics.deadLetters }).toEqual({ eventsIn: EVENTS, bufferRows: 0, deadLetters: 0 });

  const dir = mkdtempSync(join(tmpdir(), "runnel-edge-restart-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const keys = await download(await edge.r2(), "github/pushes/", dir);
  expect(keys.length).toBeGreaterThan(EVENTS / 40 / 2);
  const db = await openDuckDB({ threads: 1 });
  cleanup.push(() => db.close());
  const pushes = plan.pipelines.find((p) => p.sink === "pushes")!.ops.at(-1)!;
  const sql = datasetSql(join(dir, "github", "pushes", "pushes", "**", "*.parquet"), pushes.schema, ["day"]);
  const row = (await db.read(`SELECT count(*), count(DISTINCT after_sha) FROM (${sql})`)).getRows()[0]!.map(Number);
  expect({ rows: row[0], distinct: row[1], failuresSeen: failures >= 0 }).toEqual({ rows: EVENTS, distinct: EVENTS, failuresSeen: true });
  // One push row and one commit row per event.
  expect(metrics.rowsOut).toBe(2 * EVENTS);
});

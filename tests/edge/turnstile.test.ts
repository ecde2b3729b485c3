import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import { demoEvents } from "../../gateway/sources/demo/index.ts";
import { compareDataset, compileWith, createCellViews, download, readNotebook, startEdge, type EdgeRuntime } from "./harness.ts";

/**
 * turnstile.md published as a webhook pipeline: a tumbling one-minute window
 * with two minutes of allowed lateness, kept in one Durable Object's SQLite
 * storage across a restart of the runtime.
 */
const TOKEN = "turnstile-token";
const asWebhook = (text: string) =>
  text
    .replace(/kafka: \{ topic: mta\.turnstile, brokers: \[[^\]]*\] \}/, "webhook: { signature: bearer, secret: TURNSTILE_TOKEN }")
    .replace(/s3: \{ bucket: lake, prefix: turnstile\/ \}/, "r2: { binding: LAKE, prefix: turnstile/ }");

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const reading = (scp: string, time: string, entries: number) => ({
  station: "59 ST",
  ca: "A002",
  unit: "R051",
  scp,
  linename: "NQR456W",
  division: "IRT",
  ts: `2026-11-22T10:${time}.000Z`,
  desc: "REGULAR",
  entries,
  exits: entries * 2,
});

test("each minute window is emitted once, a late reading within lateness is counted in it, one beyond it is a dead letter", async () => {
  const { notebook } = readNotebook("turnstile.md", asWebhook);
  const sample = demoEvents({ generator: "turnstile", rate: 4, seed: 1 }, 0, 1000).map((e) => JSON.stringify(e));
  const plan = await compileWith(notebook, { turnstile: sample });
  let edge: EdgeRuntime & { script: string } = await startEdge({ name: "turnstile", plan, notebook, bindings: { TURNSTILE_TOKEN: TOKEN } });
  const persist = edge.persist;
  cleanup.push(() => rmSync(persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());

  // In arrival order; each a request of its own (the watermark moves per request).
  const steps: { events: ReturnType<typeof reading>[]; restartAfter?: boolean; flushAfter?: boolean }[] = [
    { events: [reading("00-00-00", "00:10", 100), reading("00-00-01", "00:50", 500)] },
    { events: [reading("00-00-00", "00:50", 110)] },
    { events: [reading("00-00-00", "01:30", 120)] },
    { events: [reading("00-00-01", "02:10", 520)], flushAfter: true },
    // watermark 10:01:30: the 10:00 window closes
    { events: [reading("00-00-00", "03:30", 140)], restartAfter: true },
    // within lateness: window 10:01 is still open (watermark 10:01:30)
    { events: [reading("00-00-01", "01:40", 515)] },
    // watermark 10:03: 10:01 and 10:02 close
    { events: [reading("00-00-00", "05:00", 160)], flushAfter: true },
    // beyond lateness: 10:00 was emitted
    { events: [reading("00-00-00", "00:30", 105)] },
    // watermark 10:07: 10:03 and 10:05 close; 10:09 stays open
    { events: [reading("00-00-00", "09:00", 190), reading("00-00-01", "09:10", 590)] },
  ];
  const posted: ReturnType<typeof reading>[] = [];
  for (const step of steps) {
    const body = step.events.map((e) => JSON.stringify(e)).join("\n");
    const response = await edge.post("turnstile", `[${step.events.map((e) => JSON.stringify(e)).join(",")}]`, { authorization: `Bearer ${TOKEN}` });
    expect(response.status, `${body}: ${await response.clone().text()}`).toBe(202);
    posted.push(...step.events);
    if (step.flushAfter) expect((await edge.flush()).status).toBe(200);
    if (step.restartAfter) {
      await edge.dispose();
      edge = await startEdge({ name: "turnstile", plan, notebook, bindings: { TURNSTILE_TOKEN: TOKEN }, persist, script: edge.script });
    }
  }
  const unauthorized = await edge.post("turnstile", JSON.stringify(reading("00-00-00", "09:30", 200)), { authorization: "Bearer nope" });
  expect(unauthorized.status).toBe(401);
  expect((await edge.flush()).status).toBe(200);

  const metrics = await edge.metrics();
  expect({ late: metrics.lateEvents, dead: metrics.deadLetters, events: metrics.eventsIn }).toEqual({ late: 1, dead: 1, events: posted.length });
  expect(metrics.windowRows).toBe(2);

  const dir = mkdtempSync(join(tmpdir(), "runnel-edge-turnstile-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const keys = await download(await edge.r2(), "turnstile/", dir);
  expect(keys.filter((k) => k.endsWith(".parquet")).length).toBe(2);
  const errors = keys.filter((k) => k.includes("/_errors/"));
  expect(errors.length).toBe(1);

  // Expected: DuckDB's per_minute over every reading but the one beyond lateness, windows the final watermark (10:07) closed.
  const db = await openDuckDB({ threads: 1 });
  cleanup.push(() => db.close());
  const kept = posted.filter((e) => e.ts !== "2026-11-22T10:00:30.000Z");
  await loadJsonTexts(db, "turnstile", kept.map((e) => JSON.stringify(e)), { schema: plan.sources.turnstile!.schema });
  await createCellViews(db, notebook);
  const cell = notebook.cells.find((c) => c.sink === "lake")!;
  const result = await compareDataset(db, {
    sql: `SELECT * FROM (${cell.code}) WHERE minute + INTERVAL 1 minute <= TIMESTAMP '2026-11-22 10:07:00'`,
    glob: join(dir, "turnstile", "lake", "**", "*.parquet"),
    plan,
    sink: "lake",
  });
  expect(result).toEqual({ expected: 7, got: 7, missing: 0, extra: 0 });
  const once = await db.read(`SELECT count(*) FROM (SELECT device, minute FROM got_lake GROUP BY ALL HAVING count(*) > 1)`);
  expect(Number(once.getRows()[0]![0])).toBe(0);
  const late = await db.read(`SELECT readings, entries_last FROM got_lake WHERE minute = TIMESTAMP '2026-11-22 10:01:00' AND entries_first = 515`);
  expect(late.getRows().map((r) => r.map(Number))).toEqual([[1, 515]]);
});

/**
 * Windows over local wall time — `date_trunc('hour', ts AT TIME ZONE 'Europe/Berlin')`,
 * `time_bucket(INTERVAL 15 minutes, ts AT TIME ZONE 'America/New_York')`, a Berlin day — across both
 * 2026 clock changes of both zones. Each change has an event 3 s before it arriving after one 1 s past
 * it, within the 5-minute lateness: `runnel check` agrees with DuckDB, and `runnel run` writes every
 * window once with DuckDB's count. Two events truly more than 5 minutes late (in real time) are the
 * only dead letters, each in the hourly and the quarter-hour sink, whose windows they missed.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { loadJsonTexts, openDuckDB } from "../../edge/duckdb/index.node.ts";
import type { AggregateOp, Plan } from "../../edge/plan/types.ts";
import { BERLIN_LATE_REASON, CELLS, LATE, SINKS, dstNotebook, onTimeOrders, ordersWithLate, type DstSink as Sink } from "./dst-events.ts";
import { runnel } from "./harness.ts";

let work: string;
let sample: string[];
let input: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-dst-"));
  await writeFile(join(work, "nb.md"), dstNotebook((s) => `fs: { dir: out/${s} }`));
  sample = onTimeOrders().map((e) => JSON.stringify(e));
  input = ordersWithLate().map((e) => JSON.stringify(e));
  expect(input.length).toBe(sample.length + LATE.length);
  await writeFile(join(work, "sample.ndjson"), `${sample.join("\n")}\n`);
  await writeFile(join(work, "input.ndjson"), `${input.join("\n")}\n`);
});

/** DuckDB's answer of each cell over the events, sorted, as text. */
async function duckdbAnswer(plan: Plan, lines: string[], sink: Sink): Promise<Record<string, string>[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    await loadJsonTexts(db, "orders", lines, { schema: plan.sources.orders!.schema });
    return (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM (${CELLS[sink]}) ORDER BY 1`)).getRowObjectsJson() as Record<string, string>[];
  } finally {
    db.close();
  }
}

async function written(sink: Sink): Promise<Record<string, string>[]> {
  const db = await openDuckDB({ threads: 1 });
  try {
    return (await db.read(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet('${join(work, "out", sink)}/**/*.parquet') ORDER BY 1`)).getRowObjectsJson() as Record<string, string>[];
  } finally {
    db.close();
  }
}

async function deadLetters(dir: string): Promise<{ reason: string; raw: string }[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".ndjson"));
  const out: { reason: string; raw: string }[] = [];
  for (const f of files) {
    for (const line of (await readFile(join(dir, f), "utf8")).split("\n").filter(Boolean)) out.push(JSON.parse(line) as { reason: string; raw: string });
  }
  return out;
}

describe("local-time windows across the 2026 clock changes in Berlin and New York", () => {
  test("runnel check agrees with DuckDB, stream order included: an event 3 s before a change that arrives 1 s after it is not late", () => {
    const r = spawnSync(process.execPath, [runnel, "check", join(work, "nb.md"), "--sample", `orders=${join(work, "sample.ndjson")}`], { encoding: "utf8" });
    expect(r.stdout, r.stderr).toMatch(/stream order: \d+ events one at a time in arrival order, no event arrives after its window closed/);
    expect(r.stdout.match(/✓ .* · stream order/g)).toHaveLength(3);
    expect(r.stdout).not.toMatch(/✗/);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 120_000);

  test("published and run from a file: every local window written once with DuckDB's count, and only the events late in real time are dead letters", async () => {
    const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "nb.md"), "--sample", `orders=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
    expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
    const bundle = join(work, "dist", "nb");
    const plan = JSON.parse(await readFile(join(bundle, "plan.json"), "utf8")) as Plan;
    const zones = plan.pipelines.map((p) => (p.ops.find((o) => o.op === "aggregate") as AggregateOp).window?.wall?.zone);
    expect(zones.sort()).toEqual(["America/New_York", "Europe/Berlin", "Europe/Berlin"]);

    const sinks = SINKS.flatMap((s) => ["--sink", `${s}=fs:${join(work, "out")}`]);
    const run = spawnSync(process.execPath, [runnel, "run", bundle, "--input", `orders=${join(work, "input.ndjson")}`, ...sinks], { encoding: "utf8" });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const letters = await deadLetters(join(work, "out"));
    expect(letters.map((l) => l.reason.replace(/:.*/, "")).sort()).toEqual(["berlin_hours", "berlin_hours", "ny_quarters", "ny_quarters"]);
    expect(letters.find((l) => l.reason.startsWith("berlin_hours") && l.raw.includes("2026-03-29T00:50:00"))?.reason).toBe(`berlin_hours: ${BERLIN_LATE_REASON}`);

    // The late events are not in the hourly and quarter-hour files; the Berlin day, still open, counts them.
    const lateTimes = new Set(LATE.map((l) => l.ts));
    const onTimeLines = input.filter((l) => !lateTimes.has((JSON.parse(l) as { ts: string }).ts));
    for (const sink of SINKS) {
      const expected = await duckdbAnswer(plan, sink === "berlin_days" ? input : onTimeLines, sink);
      expect({ sink, rows: await written(sink) }).toEqual({ sink, rows: expected });
    }
    const hours = await written("berlin_hours");
    // Spring: no 02:00 in Berlin; the 01:00 hour holds the event 3 s before the change (10 events 6 min apart from 00:00 UTC, plus it).
    expect(hours.some((r) => r.berlin_hour === "2026-03-29 02:00:00")).toBe(false);
    expect(hours.find((r) => r.berlin_hour === "2026-03-29 01:00:00")?.orders).toBe("11");
    // Autumn: 02:00 in Berlin is two real hours, one window (20 events 6 min apart, less the one at the change, plus the pair around it).
    expect(hours.find((r) => r.berlin_hour === "2026-10-25 02:00:00")?.orders).toBe("21");
    // New York's repeated 01:00–02:00: the 01:00 quarter holds both passes (05:00, 05:06, 05:12 and 06:00 less the change itself, 06:00:01, 06:06, 06:12 UTC).
    const quarters = await written("ny_quarters");
    expect(quarters.find((r) => r.ny_quarter === "2026-11-01 01:00:00")?.orders).toBe("6");
    const days = await written("berlin_days");
    // The 23-hour 29 March holds all 4 hours around the change (40 − 1 + 2) and the late event, its day still open.
    expect(days.find((r) => r.berlin_day === "2026-03-29")?.orders).toBe("42");
  }, 240_000);
});

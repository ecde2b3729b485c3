import { rmSync } from "node:fs";
import { afterAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, startEdge } from "./harness.ts";

/**
 * A group whose aggregate fails as its window closes (stddev over an
 * infinity: DuckDB's out-of-range error), or whose SELECT list fails after the
 * aggregate (a CAST overflow), must not stop a published Worker: the Durable
 * Object writes every other group and makes that one a dead letter naming the
 * error and the group's keys. Before, the error escaped the object: the
 * request answered 500 and every retry, and every alarm, failed the same way.
 */
const NOTEBOOK = `---
title: Groups that fail
sources:
  ev:
    webhook: { signature: bearer, secret: EV_TOKEN }
    format: json
sinks:
  per_min:
    r2: { binding: LAKE, prefix: lake/ }
  totals:
    r2: { binding: LAKE, prefix: lake/ }
---

\`\`\`sql id=per_min sink=per_min
SELECT k, time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS m, count(*) AS n, stddev_pop(v) AS sd
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=totals sink=totals
SELECT k, count(*) AS n, CAST(count(*) * 1000000000 AS INTEGER) AS big
FROM ev GROUP BY ALL
\`\`\`
`;

const TOKEN = "failing-group-token";
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const at = (minute: number, second: number) => `2026-11-22 10:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}`;

test("a group that fails as it is emitted becomes a dead letter in the Worker; every other group is written", async () => {
  const { notebook, issues } = parseNotebook(NOTEBOOK, "failing-group.md");
  expect(issues).toEqual([]);
  const sample = [JSON.stringify({ k: "a", ts: at(0, 0), v: 1.5 })];
  const plan = await compileWith(notebook, { ev: sample });
  const edge = await startEdge({ name: "failing-group", plan, notebook, bindings: { EV_TOKEN: TOKEN } });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());

  const events = [
    { k: "inf", ts: at(0, 1), v: 1e308 }, { k: "inf", ts: at(0, 2), v: 1e308 }, { k: "inf", ts: at(0, 3), v: 1 },
    { k: "ok", ts: at(0, 4), v: 2 }, { k: "ok", ts: at(0, 5), v: 4 },
    // Closes the 10:00 window (lateness 0).
    { k: "ok", ts: at(2, 0), v: 1 },
  ];
  const response = await edge.post("ev", JSON.stringify(events), { authorization: `Bearer ${TOKEN}` });
  expect(response.status, await response.clone().text()).toBe(202);
  const flushed = await edge.flush();
  expect(flushed.status, await flushed.clone().text()).toBe(200);

  const r2 = await edge.r2();
  const keys = await r2.list("lake/");
  const parquet = keys.filter((k) => k.endsWith(".parquet"));
  expect(parquet.some((k) => k.startsWith("lake/per_min/"))).toBe(true);
  expect(parquet.some((k) => k.startsWith("lake/totals/"))).toBe(false);
  const letters = [];
  for (const key of keys.filter((k) => k.startsWith("lake/_errors/"))) {
    for (const line of new TextDecoder().decode((await r2.get(key))!).split("\n")) if (line) letters.push(JSON.parse(line) as { reason: string; raw: string; source: string });
  }
  // per_min: the "inf" group of 10:00 fails (stddev over an infinity); totals: "inf" and "ok" have 3 rows each, and 3e9 is past INTEGER.
  const reasons = letters.map((l) => `${l.reason} ${l.raw}`).sort();
  expect(reasons).toHaveLength(3);
  expect(reasons.filter((r) => /^sink per_min: a group's aggregate row failed: .*STDDEV_POP is out of range.* \["inf",\d+\]$/.test(r))).toHaveLength(1);
  expect(reasons.filter((r) => /^sink totals: a group's aggregate row failed: .*out of range.* \["(inf|ok)"\]$/.test(r))).toHaveLength(2);
  expect(letters.every((l) => l.source === "ev")).toBe(true);
  const m = await edge.metrics();
  // Written: per_min's "ok" of 10:00 (10:02's window is still open); totals' nothing (both groups failed).
  expect(m.rowsOut).toBe(1);
  expect(m.deadLetters).toBe(3);
});

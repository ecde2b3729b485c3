import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDuckDB } from "../../edge/duckdb/open.node.ts";
import { afterAll, expect, test } from "vitest";
import { parseNotebook } from "../../notebook/format/parse.ts";
import { compileWith, startEdge } from "./harness.ts";

/**
 * An aggregate's argument that fails on one event's value (`sum(CAST(s AS INTEGER))` over `s = 'x'`)
 * is computed in the Durable Object, where the rows are aggregated. That event must be a dead
 * letter with DuckDB's reason, counted nowhere, and every other event aggregated. Before, the error
 * escaped the object: the delivery answered 500 on every retry (a window sink), or every flush of
 * a per-flush sink failed and nothing more was written.
 */
const NOTEBOOK = `---
title: Arguments that fail
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
SELECT k, time_bucket(INTERVAL 1 minute, CAST(ts AS TIMESTAMP)) AS m, count(*) AS n, sum(CAST(s AS INTEGER)) AS total
FROM ev GROUP BY ALL
\`\`\`

\`\`\`sql id=totals sink=totals
SELECT k, count(*) AS n, sum(CAST(s AS INTEGER)) AS total
FROM ev GROUP BY ALL
\`\`\`
`;

const TOKEN = "failing-argument-token";
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const at = (minute: number, second: number) => `2026-11-22 10:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}`;

test("an event whose aggregate argument fails in the Durable Object is a dead letter; the others are aggregated and written", async () => {
  const { notebook, issues } = parseNotebook(NOTEBOOK, "failing-argument.md");
  expect(issues).toEqual([]);
  const plan = await compileWith(notebook, { ev: [JSON.stringify({ k: "a", ts: at(0, 0), s: "1" })] });
  const edge = await startEdge({ name: "failing-argument", plan, notebook, bindings: { EV_TOKEN: TOKEN } });
  cleanup.push(() => rmSync(edge.persist, { recursive: true, force: true }));
  cleanup.push(() => edge.dispose());

  const events = [
    { k: "a", ts: at(0, 1), s: "1" },
    { k: "a", ts: at(0, 2), s: "x" },
    { k: "b", ts: at(0, 3), s: "oops" },
    { k: "a", ts: at(0, 4), s: "2" },
    // Closes the 10:00 window (lateness 0).
    { k: "a", ts: at(2, 0), s: "5" },
  ];
  const response = await edge.post("ev", JSON.stringify(events), { authorization: `Bearer ${TOKEN}` });
  expect(response.status, await response.clone().text()).toBe(202);
  const flushed = await edge.flush();
  expect(flushed.status, await flushed.clone().text()).toBe(200);

  const r2 = await edge.r2();
  const keys = await r2.list("lake/");
  const letters: { reason: string; raw: string; kind?: string }[] = [];
  for (const key of keys.filter((k) => k.startsWith("lake/_errors/"))) {
    for (const line of new TextDecoder().decode((await r2.get(key))!).split("\n")) if (line) letters.push(JSON.parse(line) as { reason: string; raw: string });
  }
  // Each failing event once per sink, with DuckDB's words: the window sink's with the event as sent, the
  // per-flush sink's (aggregated at the flush, from the rows the Worker buffered) with its buffered row.
  const said = letters.map((l) => `${l.reason} | ${l.kind ?? "event"} ${l.raw}`).sort();
  expect(said).toEqual([
    `sink per_min: Could not convert string 'oops' to INT32 | event {"k":"b","ts":"${at(0, 3)}","s":"oops"}`,
    `sink per_min: Could not convert string 'x' to INT32 | event {"k":"a","ts":"${at(0, 2)}","s":"x"}`,
    `sink totals: Could not convert string 'oops' to INT32 | row ["b","1795341603000000","oops"]`,
    `sink totals: Could not convert string 'x' to INT32 | row ["a","1795341602000000","x"]`,
  ]);
  const m = await edge.metrics();
  // Written: per_min's ("a", 10:00) with n 2 and total 3 (10:02's window is still open); totals' "a" with n 3, total 8 ("b" had only its failing event).
  expect(m.deadLetters).toBe(4);
  expect(m.rowsOut).toBe(2);
  // The rows, read back by DuckDB: the failing events counted in no aggregate.
  const dir = mkdtempSync(join(tmpdir(), "failing-argument-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const db = await openDuckDB();
  cleanup.push(() => db.close());
  const read = async (sink: string): Promise<unknown[]> => {
    const files = keys.filter((k) => k.startsWith(`lake/${sink}/`) && k.endsWith(".parquet"));
    const paths = await Promise.all(files.map(async (k, i) => {
      const path = join(dir, `${sink}-${i}.parquet`);
      writeFileSync(path, (await r2.get(k))!);
      return `'${path}'`;
    }));
    return (await db.read(`SELECT k, n, total FROM read_parquet([${paths.join(", ")}]) ORDER BY k`)).getRowObjectsJS();
  };
  expect(await read("per_min")).toEqual([{ k: "a", n: 2n, total: 3 }]);
  expect(await read("totals")).toEqual([{ k: "a", n: 3n, total: 8 }]);
});

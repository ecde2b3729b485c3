/**
 * A billing feed as production sends it, published from a sample and then run over a later file
 * that drifted from it: Stripe-like charges (an expandable `customer` that is an id, an object or
 * null; `metadata` with arbitrary keys; fields null in every sample event) that also carry the
 * invoice date as European text (`25-12-2024`). DuckDB's read_json types that text DATE by a
 * format of its own, which a pinned schema cannot carry; until 2026-12-06 the check then stopped
 * with a DuckDB error and nothing could be published. The later file adds fields, changes a
 * field's type, drops one, sends an object where a string was and an integer past 2^63: the
 * Parquet DuckDB reads back must be DuckDB's own answer over the events it reads with the pinned
 * schema, and exactly the events it refuses must be dead letters whose reason names the field.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { decodeDeadLetters, type DeadLetter } from "../../edge/sinks/dead-letter.ts";
import { datasetSql } from "../../edge/sinks/layout.ts";
import { loadJsonTexts, openDuckDB, quoteIdent, type DuckDB } from "../../edge/duckdb/index.node.ts";
import { parseNotebook } from "../../notebook/format/index.ts";
import type { Plan, SinkOp } from "../../edge/plan/types.ts";
import { runnel } from "./harness.ts";

const NOTEBOOK = `---
title: Charges
sources:
  stripe:
    webhook: { path: /stripe, signature: none }
    format: json
sinks:
  charges:
    fs: { dir: out, prefix: charges/ }
  per_day:
    fs: { dir: out, prefix: per_day/ }
---

\`\`\`sql id=charges sink=charges
SELECT
  id AS event_id,
  to_timestamp(created) AS created_at,
  data.object.amount / 100 AS amount,
  upper(data.object.currency) AS currency,
  coalesce(data.object.customer->>'id', data.object.customer->>'$') AS customer_id,
  data.object.metadata.order_id AS order_id,
  data.object.metadata."Plan Tier" AS tier,
  data.object.description AS description,
  invoice_date,
  CAST(try_strptime(invoice_date, '%d-%m-%Y') AS DATE) AS invoice_day
FROM stripe
\`\`\`

\`\`\`sql id=per_day sink=per_day
SELECT CAST(try_strptime(invoice_date, '%d-%m-%Y') AS DATE) AS invoice_day, count(*) AS n, sum(data.object.amount) AS cents
FROM stripe
GROUP BY ALL
\`\`\`
`;

function charge(i: number): Record<string, unknown> {
  const customer = i % 3 === 0 ? { id: `cus_${i}`, object: "customer", email: `u${i}@x.com` } : i % 3 === 1 ? `cus_${i}` : null;
  return {
    id: `evt_${i}`,
    created: 1733400000 + i * 37,
    type: "charge.succeeded",
    invoice_date: `${String(1 + (i % 28)).padStart(2, "0")}-${String(1 + (i % 12)).padStart(2, "0")}-2024`,
    data: { object: { id: `ch_${i}`, amount: 1000 + i * 7, currency: i % 2 ? "usd" : "eur", customer, metadata: i % 2 ? { order_id: String(9000 + i), "Plan Tier": "gold" } : {}, description: null } },
  };
}

const sample = Array.from({ length: 40 }, (_, i) => JSON.stringify(charge(i)));

/** Later events: some fit the pinned schema as they are, some drifted past it. */
const later = [
  ...Array.from({ length: 10 }, (_, i) => JSON.stringify(charge(40 + i))),
  JSON.stringify({ ...charge(50), livemode: true, data: { object: { ...(charge(50).data as { object: object }).object, new_field: { x: 1 } } } }),
  JSON.stringify({ ...charge(51), invoice_date: "2024-12-25" }),
  JSON.stringify({ ...charge(52), invoice_date: null }),
  JSON.stringify({ ...charge(53), data: { object: { ...(charge(53).data as { object: object }).object, metadata: { order_id: 123, nested: { a: 1 } } } } }),
  JSON.stringify({ ...charge(54), data: { object: { ...(charge(54).data as { object: object }).object, description: { text: "an object where only nulls were" } } } }),
  JSON.stringify({ ...charge(55), data: { object: { ...(charge(55).data as { object: object }).object, currency: undefined } } }),
  JSON.stringify({ ...charge(56), created: "2024-12-05T12:00:00Z" }),
  JSON.stringify({ ...charge(57), data: { object: { ...(charge(57).data as { object: object }).object, metadata: "none" } } }),
  JSON.stringify({ ...charge(58), data: "ch_58" }),
  JSON.stringify(charge(59)).replace('"amount":1413', '"amount":9223372036854775808'),
];

let work: string;
let plan: Plan;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "runnel-payload-drift-"));
  await writeFile(join(work, "charges.md"), NOTEBOOK);
  await writeFile(join(work, "sample.ndjson"), `${sample.join("\n")}\n`);
  await writeFile(join(work, "later.ndjson"), `${later.join("\n")}\n`);
  const pub = spawnSync(process.execPath, [runnel, "publish", join(work, "charges.md"), "--sample", `stripe=${join(work, "sample.ndjson")}`, "--out", join(work, "dist")], { encoding: "utf8" });
  expect(pub.status, `${pub.stdout}\n${pub.stderr}`).toBe(0);
  plan = JSON.parse(await readFile(join(work, "dist", "charges", "plan.json"), "utf8")) as Plan;
  const sinks = plan.pipelines.flatMap((p) => ["--sink", `${p.sink}=fs:${join(work, "out")}`]);
  const run = spawnSync(process.execPath, [runnel, "run", join(work, "dist", "charges"), "--input", `stripe=${join(work, "later.ndjson")}`, ...sinks], { encoding: "utf8" });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
}, 240_000);

async function deadLetters(dir: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".ndjson")) out.push(...decodeDeadLetters(await readFile(join(entry.parentPath, entry.name))));
  }
  return out;
}

/** Loads `texts` with the pinned schema and defines the notebook's cells over them. */
async function loadWithCells(db: DuckDB, texts: string[]): Promise<void> {
  await loadJsonTexts(db, "stripe", texts, { schema: plan.sources.stripe!.schema });
  const { notebook } = parseNotebook(NOTEBOOK, join(work, "charges.md"));
  for (const cell of notebook.cells.filter((c) => c.language === "sql" && c.id)) {
    await db.run(`CREATE OR REPLACE VIEW ${quoteIdent(cell.id!)} AS ${cell.code.replace(/;\s*$/, "")}`);
  }
}

describe("a billing feed published from a sample with European dates, run over a later file that drifted", () => {
  test("the sample's European invoice dates are pinned as text, so the notebook parses them with strptime", () => {
    expect(plan.sources.stripe!.schema.find((c) => c.name === "invoice_date")?.type).toBe("VARCHAR");
  });

  test("the Parquet DuckDB reads back is DuckDB's answer over the events it reads with the pinned schema, and exactly the events it refuses are dead letters naming the field", async () => {
    const db = await openDuckDB({ threads: 1 });
    try {
      const refused: number[] = [];
      const read: string[] = [];
      for (const [i, text] of later.entries()) {
        try {
          await loadWithCells(db, [text]);
          await db.read("SELECT * FROM charges");
          read.push(text);
        } catch {
          refused.push(i);
        }
      }
      // Four drifted events DuckDB cannot read: `created` as text, `metadata` and `data` as text, an amount past 2^63.
      expect(refused).toEqual([16, 17, 18, 19]);
      const letters = (await deadLetters(join(work, "out", "_errors"))).filter((l) => l.reason.startsWith("charges:"));
      expect(letters.map((l) => later.indexOf(l.raw)).sort((a, b) => a - b)).toEqual(refused);
      expect(letters.map((l) => /field (\S+):/.exec(l.reason)?.[1]).sort()).toEqual(["created", "data", "data.object.amount", "data.object.metadata"]);
      await loadWithCells(db, read);
      for (const pipeline of plan.pipelines) {
        const sinkOp = pipeline.ops.at(-1) as SinkOp;
        const glob = `${join(work, "out", pipeline.sink)}/**/*.parquet`;
        const r = await db.read(`WITH expected AS (SELECT * FROM ${quoteIdent(pipeline.cell.cell)}), actual AS (${datasetSql(glob, sinkOp.schema, sinkOp.partitionBy)})
          SELECT (SELECT count(*) FROM expected), (SELECT count(*) FROM actual),
            (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)),
            (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))`);
        const [expected, actual, missing, extra] = r.getRows()[0]!.map(Number) as [number, number, number, number];
        expect({ sink: pipeline.sink, actual, missing, extra }).toEqual({ sink: pipeline.sink, actual: expected, missing: 0, extra: 0 });
        expect(expected).toBeGreaterThan(pipeline.sink === "charges" ? 15 : 5);
      }
      // The ISO invoice date drifted in as text is kept as sent, and parses to no day rather than a wrong one.
      const iso = await db.read(`SELECT invoice_date, invoice_day FROM read_parquet('${join(work, "out", "charges")}/**/*.parquet') WHERE event_id = 'evt_51'`);
      expect(iso.getRowObjectsJson()).toEqual([{ invoice_date: "2024-12-25", invoice_day: null }]);
    } finally {
      db.close();
    }
  });
});

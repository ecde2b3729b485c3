/**
 * Random expressions (fast-check, seeded) over a fixed table: for each, the
 * compiled plan must give DuckDB's answer or fail with DuckDB's error class.
 * The corpus lists constructs one by one; this mixes them in ways no one wrote down.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDuckDB, type DuckDB } from "../../edge/duckdb/open.node.ts";
import { defaultLibrary } from "../../edge/exec/library.ts";
import { runGenerated } from "./runner.ts";

const schema = [
  { name: "a", type: "INTEGER" },
  { name: "b", type: "BIGINT" },
  { name: "x", type: "DOUBLE" },
  { name: "d", type: "DECIMAL(9,2)" },
  { name: "s", type: "VARCHAR" },
  { name: "p", type: "BOOLEAN" },
  { name: "ts", type: "TIMESTAMP" },
];
const rows = [
  { a: 1, b: 10, x: 1.5, d: "2.25", s: "abc", p: true, ts: "2026-11-22 10:00:00" },
  { a: -7, b: -3, x: -0.5, d: "-1.10", s: "", p: false, ts: "1999-12-31 23:59:59" },
  { a: null, b: 0, x: null, d: null, s: null, p: null, ts: null },
  { a: 0, b: 9007199254740993n, x: 1e300, d: "0.01", s: "Ünïcødé", p: true, ts: "2024-02-29 12:30:00" },
  { a: 2147483647, b: -1, x: 0.1, d: "9999999.99", s: "10", p: false, ts: "1970-01-01 00:00:00" },
];

const num = fc.letrec((tie) => ({
  n: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", "x", "d", "1", "2", "0", "-3", "1.5", "NULL", "length(s)"),
    fc.tuple(tie("n"), fc.constantFrom("+", "-", "*", "/", "//", "%"), tie("n")).map(([l, o, r]) => `(${l} ${o} ${r})`),
    fc.tuple(tie("b"), tie("n"), tie("n")).map(([c, t, e]) => `CASE WHEN ${c} THEN ${t} ELSE ${e} END`),
    fc.tuple(tie("n"), tie("n")).map(([l, r]) => `coalesce(${l}, ${r})`),
    fc.tuple(tie("n"), fc.constantFrom("INTEGER", "BIGINT", "DOUBLE", "DECIMAL(18,3)", "SMALLINT")).map(([e, t]) => `TRY_CAST(${e} AS ${t})`),
    tie("n").map((e) => `abs(${e})`),
  ),
  b: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("p", "true", "false", "NULL::BOOLEAN", "s LIKE 'a%'", "s IS NULL", "ts > TIMESTAMP '2000-01-01'"),
    fc.tuple(tie("n"), fc.constantFrom("=", "<>", "<", "<=", ">", ">="), tie("n")).map(([l, o, r]) => `(${l} ${o} ${r})`),
    fc.tuple(tie("b"), fc.constantFrom("AND", "OR"), tie("b")).map(([l, o, r]) => `(${l} ${o} ${r})`),
    tie("b").map((e) => `(NOT ${e})`),
    fc.tuple(tie("n"), tie("n"), tie("n")).map(([v, l, h]) => `(${v} BETWEEN ${l} AND ${h})`),
    fc.tuple(tie("n"), tie("n"), tie("n")).map(([v, l, h]) => `(${v} IN (${l}, ${h}))`),
    fc.tuple(tie("n"), tie("n")).map(([l, r]) => `(${l} IS DISTINCT FROM ${r})`),
  ),
}));

let db: DuckDB;
beforeAll(async () => {
  db = await openDuckDB({ threads: 1 });
});
afterAll(() => db.close());

test("random expressions give DuckDB's answer or DuckDB's error", async () => {
  const queries = fc.sample(fc.tuple(num.n, num.n, num.b), { seed: 7, numRuns: 80 }).map(([e1, e2, w]) => `SELECT ${e1} AS e1, ${e2} AS e2, ${w} AS w FROM t WHERE ${w} OR a IS NULL`);
  const { failures, unbindable } = await runGenerated(db, queries, rows, schema, defaultLibrary);
  expect(failures.slice(0, 3)).toEqual([]);
  // Most generated queries must be ones DuckDB binds, or the test proves little.
  expect(unbindable).toBeLessThan(queries.length / 4);
}, 120_000);

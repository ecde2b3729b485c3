/**
 * Aggregates stepped per row without an argument array (`stepOne`, `unrolledSteps` in
 * edge/exec/window.ts): up to 8 aggregates each from a call site of its own, more round a loop,
 * and a FILTER or DISTINCT among them sends the whole group the general way.
 */
import type { ConformanceCase } from "../case.ts";

const rows = [
  { k: "a", b: 9223372036854775807n, d: 1.5, s: "é", u: 18446744073709551615n },
  { k: "a", b: -9223372036854775808n, d: "NaN", s: "e\u0301", u: 0n },
  { k: "b", b: null, d: null, s: null, u: null },
  { k: "b", b: 3n, d: -0.0, s: "", u: 7n },
  { k: null, b: 1n, d: "-Infinity", s: "😀", u: 1n },
];
const schema = [
  { name: "k", type: "VARCHAR" },
  { name: "b", type: "BIGINT" },
  { name: "d", type: "DOUBLE" },
  { name: "s", type: "VARCHAR" },
  { name: "u", type: "UBIGINT" },
];

export const cases: ConformanceCase[] = [
  {
    name: "agg-steps12: eight one-argument aggregates per group (each from its own site)",
    sql: "SELECT k, count(*) AS n, count(b) AS nb, min(b) AS lo, max(b) AS hi, sum(b) AS s, min(d) AS dlo, max(d) AS dhi, max(s) AS shi FROM t GROUP BY k",
    rows,
    schema,
  },
  {
    name: "agg-steps12: eleven aggregates per group (past the unrolled eight)",
    sql: "SELECT k, count(*) AS n, count(b) AS nb, min(b) AS lo, max(b) AS hi, sum(b) AS s, min(d) AS dlo, max(d) AS dhi, min(s) AS slo, max(s) AS shi, sum(u) AS su, max(u) AS mu FROM t GROUP BY k",
    rows,
    schema,
  },
  {
    name: "agg-steps12: a FILTER and a DISTINCT beside plain aggregates",
    sql: "SELECT k, min(b) AS lo, max(b) FILTER (WHERE d > 0) AS hi, count(DISTINCT s) AS ds, sum(u) AS su FROM t GROUP BY k",
    rows,
    schema,
  },
];

/**
 * To go into tests/conformance/cases/messy-hunt.ts (or its own file) once expr-cse.diff is applied
 * to edge/exec/expr.ts: each of the first four fails without it (the plan raises a Conversion Error
 * DuckDB does not); the last two guard what must stay (DuckDB computes these ahead and fails).
 */
import type { ConformanceCase } from "../case.ts";

const stamps = [{ ts: "1704067200000" }, { ts: "1704067200" }, { ts: "yesterday" }, { ts: null }];

export const cases: ConformanceCase[] = [
  {
    name: "messy: two CASEs guarding the same CAST with different conditions share nothing (the CAST runs only where a CASE takes it)",
    sql: "SELECT ts, CASE WHEN regexp_matches(ts, '^[0-9]{13}$') THEN epoch_ms(CAST(ts AS BIGINT)) END AS from_ms, CASE WHEN regexp_full_match(ts, '[0-9]{10}') THEN to_timestamp(CAST(ts AS BIGINT)) END AS from_s FROM t",
    rows: stamps,
  },
  {
    name: "messy: an expression repeated only in THEN, ELSE, later WHENs or AND's second operand is not computed ahead",
    sql: "SELECT CASE WHEN ts NOT LIKE '1%' OR ts IS NULL THEN 0 WHEN CAST(ts AS BIGINT) > 0 THEN 1 END AS a, CASE WHEN ts NOT LIKE '1%' OR ts IS NULL THEN 5 WHEN CAST(ts AS BIGINT) > 0 THEN 6 END AS b, CASE WHEN ts NOT LIKE '1%' OR ts IS NULL THEN 0 ELSE CAST(ts AS BIGINT) END AS c, CASE WHEN ts NOT LIKE '1%' OR ts IS NULL THEN 0 ELSE CAST(ts AS BIGINT) + 1 END AS d FROM t",
    rows: stamps,
  },
  {
    name: "messy: a CAST under AND under OR in two CASE conditions is not computed ahead",
    sql: "SELECT CASE WHEN ts IS NULL OR (ts LIKE '1%' AND CAST(ts AS BIGINT) > 0) THEN 1 END AS a, CASE WHEN ts IS NULL OR (ts LIKE '1%' AND CAST(ts AS BIGINT) > 5) THEN 2 END AS b FROM t",
    rows: stamps,
  },
  {
    name: "messy: the same guarded CASE twice, inside functions, is computed lazily",
    sql: "SELECT abs(CASE WHEN ts LIKE '1%' THEN CAST(ts AS BIGINT) END) AS a, abs(CASE WHEN ts LIKE '1%' THEN CAST(ts AS BIGINT) END) + 1 AS b FROM t",
    rows: stamps,
  },
  {
    name: "messy: (guard) a condition repeated whole, AND and all, is computed ahead for every row and fails as DuckDB's",
    sql: "SELECT CASE WHEN ts LIKE '1%' AND CAST(ts AS BIGINT) > 0 THEN 1 END AS a, CASE WHEN ts LIKE '1%' AND CAST(ts AS BIGINT) > 0 THEN 2 END AS b FROM t",
    rows: stamps, expect: "error",
  },
  {
    name: "messy: (guard) a CAST repeated in two COALESCEs is computed ahead and fails as DuckDB's",
    sql: "SELECT coalesce(ts, CAST(ts AS BIGINT)::VARCHAR) AS a, coalesce(ts, CAST(ts AS BIGINT)::VARCHAR, 'x') AS b FROM t",
    rows: stamps, expect: "error",
  },
];
cases.push({
  name: "messy: FILTERed aggregates over two CASEs guarding the same CAST share nothing, computed below the aggregate",
  sql: "SELECT k, sum(CASE WHEN ts LIKE '1%' THEN CAST(ts AS BIGINT) END) FILTER (WHERE k = 'a') AS a, max(CASE WHEN ts LIKE '17%' THEN CAST(ts AS BIGINT) END) FILTER (WHERE k <> 'c') AS b FROM t GROUP BY k",
  rows: [{ ts: "1704067200000", k: "a" }, { ts: "yesterday", k: "a" }, { ts: null, k: "b" }, { ts: "17", k: "b" }],
});

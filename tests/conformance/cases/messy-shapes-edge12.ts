import type { ConformanceCase } from "../case.ts";

// Found by edge/exec/messy-shapes-fuzz12.node.test.ts (cells feeding GROUP BY, lists, lookups, windows against DuckDB).

// array_agg(x ORDER BY x): DuckDB's parser makes list(x ORDER BY x) list_sort(list(x)) but runs its alias
// array_agg as an ordered aggregate; both sort by the value itself. It was refused with a message asking for
// exactly what was written ("order by the aggregated value itself (array_agg(x ... ORDER BY x))").
const rows = [
  { k: "a", x: 1.5, s: "é" },
  { k: "a", x: null, s: "e\u0301" },
  { k: "b", x: -0.5, s: "Z" },
  { k: "a", x: -2, s: null },
  { k: null, x: 3, s: "😀" },
  { k: "b", x: 1.5, s: "z" },
];
const schema = [{ name: "k", type: "VARCHAR" }, { name: "x", type: "DOUBLE" }, { name: "s", type: "VARCHAR" }];
export const cases: ConformanceCase[] = [
  { name: "array_agg(x ORDER BY x) per group is DuckDB's sorted list, NULLs last by default", sql: "SELECT k, array_agg(x ORDER BY x) AS a FROM t GROUP BY k", rows, schema },
  { name: "array_agg(x ORDER BY x DESC NULLS FIRST) and ARRAY_AGG of text ordered by itself are DuckDB's lists", sql: "SELECT k, array_agg(x ORDER BY x DESC NULLS FIRST) AS a, ARRAY_AGG(s ORDER BY s) AS b FROM t GROUP BY ALL", rows, schema },
  { name: "array_agg(DISTINCT x ORDER BY x) with a FILTER, unaliased, over a clean cell", sql: "SELECT k, array_agg(DISTINCT s ORDER BY s) FILTER (WHERE x IS NOT NULL) FROM clean GROUP BY k", rows, schema, cells: { clean: "SELECT k, x, upper(s) AS s FROM t WHERE k IS NOT NULL" } },
  { name: "array_agg(x ORDER BY x) over a time window is DuckDB's sorted list", sql: "SELECT time_bucket(INTERVAL '5 minutes', ts) AS w, array_agg(n ORDER BY n) AS a FROM t GROUP BY ALL", rows: [{ ts: "2024-01-01 00:00:00", n: 3 }, { ts: "2024-01-01 00:01:00", n: 1 }, { ts: "2024-01-01 00:07:00", n: 2 }, { ts: null, n: 0 }], schema: [{ name: "ts", type: "TIMESTAMP" }, { name: "n", type: "INTEGER" }] },
  { name: "array_agg(x ORDER BY another column) is still refused at compile", sql: "SELECT k, array_agg(s ORDER BY x) AS a FROM t GROUP BY k", rows, schema, expect: "compile-error", message: "ORDER BY inside list()" },
];

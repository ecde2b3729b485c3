/**
 * review14 (2026-12-07): a subquery over the event's own list whose unnest has a table alias and no
 * column alias (`FROM unnest(tags) AS tag`). There DuckDB reads `tag` alone as the table's row, a
 * STRUCT(unnest ...) that is never NULL, where the list rewrite read the outer row's column `tag`:
 * counts and EXISTS answered other rows than the notebook showed. It is refused, with the list
 * functions to write; `AS u(tag)` names the element and keeps its list form.
 */
import type { ConformanceCase } from "../case.ts";

const rows = [
  { id: 1, tag: "gift", tags: ["gift", "x", null] },
  { id: 2, tag: null, tags: ["a", null] },
  { id: 3, tag: "x", tags: null },
  { id: 4, tag: null, tags: [] },
];

/** Doubles that overflow a sum: DuckDB's list_aggregate finishes its one Kahan state as it is (Infinity). */
const huge = [{ id: 1, l: [1.5, 1e308, 1e308] }, { id: 2, l: [2.5, -1.0] }, { id: 3, l: [] }];

export const cases: ConformanceCase[] = [
  { name: "review14: FROM unnest(l) AS tag, then tag IS NULL, beside an outer column tag, is refused (DuckDB reads the row struct)", sql: "SELECT id, (SELECT count(*) FROM unnest(tags) AS tag WHERE tag IS NULL) AS n FROM t", rows, expect: "compile-error", message: "list functions" },
  { name: "review14: count(tag) over FROM unnest(l) AS tag beside an outer column tag is refused", sql: "SELECT id, (SELECT count(tag) FROM unnest(tags) AS tag) AS n FROM t", rows, expect: "compile-error", message: "list functions" },
  { name: "review14: EXISTS over FROM unnest(l) AS tag WHERE tag IS NOT NULL beside an outer column tag is refused", sql: "SELECT id, EXISTS (SELECT 1 FROM unnest(tags) AS tag WHERE tag IS NOT NULL) AS e FROM t", rows, expect: "compile-error", message: "list functions" },
  { name: "review14: FROM unnest(l) AS tag read as tag.unnest, and AS u(tag), keep their list form beside an outer column tag", sql: "SELECT id, (SELECT count(*) FROM unnest(tags) AS tag WHERE tag.unnest IS NULL) AS a, (SELECT count(tag) FROM unnest(tags) AS u(tag)) AS b, EXISTS (SELECT 1 FROM unnest(tags) AS u(tag) WHERE tag = 'gift') AS c FROM t", rows },
  { name: "review14: fsum over the event's own list and list_aggregate(l, 'fsum') that overflow are Infinity, as DuckDB's list_aggregate (the aggregate's combine step made NaN)", sql: "SELECT id, (SELECT fsum(x) FROM unnest(l) u(x)) AS s, list_aggregate(l, 'fsum') AS a, list_aggregate(l, 'kahan_sum') AS k FROM t", rows: huge },
];

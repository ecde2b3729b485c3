/**
 * Messy nested payloads, tumbling windows and time zones written through notebooks a data engineer
 * would write, found by the second messy hunt (2026-12-06): each case failed before its fix.
 */
import type { ConformanceCase } from "../case.ts";

/** Carts: a matrix of numbers with NULL rows and NULL cells, and line items with option lists. */
const carts = [
  { id: 1, matrix: [[1, 2], [3]], items: [{ sku: "A1", opts: ["red", null, "XL"] }, null, { sku: null, opts: [] }] },
  { id: 2, matrix: [[], null], items: [] },
  { id: 3, matrix: null, items: null },
  { id: 4, matrix: [[null, 4], [5, 6, 7]], items: [{ sku: "ç3", opts: null }, { sku: "", opts: [null] }] },
];
const cartSchema = [
  { name: "id", type: "INTEGER" },
  { name: "matrix", type: "BIGINT[][]" },
  { name: "items", type: "STRUCT(sku VARCHAR, opts VARCHAR[])[]" },
];

/** Pairs of instants, most near month ends and leap days, some a microsecond apart, some reversed. */
const instants: { a: string; b: string }[] = [];
let seed = 11;
const draw = (n: number): number => Math.floor((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 * n);
const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
const instant = (): string => {
  const y = [1970, 1999, 2000, 2023, 2024, 2100, 1600][draw(7)]!;
  const m = 1 + draw(12);
  const d = [1, 28, 29, 30, 31, 15][draw(6)]!;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${pad(m)}-${pad(Math.min(d, last))} ${pad(draw(24))}:${pad(draw(60))}:${pad(draw(60))}.${pad(draw(1000000), 6)}+00`;
};
for (let i = 0; i < 600; i++) instants.push({ a: instant(), b: instant() });
instants.push({ a: "2024-01-31 10:00:00+00", b: "2024-02-29 09:00:00+00" }, { a: "2024-01-30 10:00:00+00", b: "2024-02-29 09:00:00+00" }, { a: "2024-02-29 12:00:00+00", b: "2025-02-28 12:00:00+00" });
instants.push({ a: "2024-03-31 00:59:59.000001+00", b: "2024-04-30 00:59:59+00" }, { a: "2024-03-31 01:00:00+02", b: "2024-10-27 02:30:00+01" }, { a: "2024-01-31 00:00:00.000500+00", b: "2024-02-29 00:00:00.000400+00" });

export const cases: ConformanceCase[] = [
  {
    name: "messy2: a lambda inside a lambda (each row of a matrix, each option of each line item) agrees",
    sql: `SELECT id,
      list_transform(matrix, r -> list_transform(r, v -> v * 10)) AS m10,
      list_transform(matrix, r -> list_filter(r, v -> v > 1)) AS big,
      list_filter(matrix, r -> len(list_filter(r, v -> v IS NULL)) = 0) AS complete,
      list_transform(items, it -> list_transform(it.opts, o -> upper(o) || '/' || it.sku)) AS tagged,
      list_transform(matrix, r -> list_transform(r, v -> CAST(v AS DOUBLE) / len(r))) AS share,
      list_transform(matrix, r -> list_transform(r, v -> v + id)) AS plus_id
    FROM t`,
    rows: carts, schema: cartSchema,
  },
  {
    name: "messy2: date_sub of TIMESTAMPTZ (ICU's calendar: months and years by adding to the start) agrees, where every row failed with not_implemented",
    sql: `SELECT a, b, date_sub('month', a, b) AS mo, date_sub('year', a, b) AS y, date_sub('quarter', a, b) AS q, date_sub('decade', a, b) AS dec,
      date_sub('century', a, b) AS c, date_sub('week', a, b) AS w, date_sub('day', a, b) AS d, date_sub('hour', a, b) AS h, date_sub('minute', a, b) AS mi,
      date_sub('second', a, b) AS s, date_sub('millisecond', a, b) AS ms, date_sub('microsecond', a, b) AS us,
      date_sub('month', a, CAST(b AS TIMESTAMP)) AS mixed, date_sub('day', CAST(a AS DATE), b) AS from_date
    FROM (SELECT CAST(a AS TIMESTAMPTZ) AS a, CAST(b AS TIMESTAMPTZ) AS b FROM t)`,
    rows: instants,
  },
  {
    name: "messy2: generate_subscripts(list, 1) beside unnest(list) numbers the elements (NULL and empty lists give no rows, NULL elements keep their place)",
    sql: `SELECT id, unnest(items) AS it, generate_subscripts(items, 1) AS pos, generate_subscripts(items, 1) - 1 AS idx,
      unnest(matrix) AS r, generate_subscripts(matrix, 1) AS r_pos FROM t`,
    rows: carts, schema: cartSchema,
  },
  {
    name: "messy2: generate_subscripts in a cleaning cell, then read by name and filtered",
    cells: { lines: "SELECT id, unnest(items) AS it, generate_subscripts(items, 1) AS pos FROM t" },
    sql: "SELECT id, pos, it.sku AS sku FROM lines WHERE pos > 1",
    rows: carts, schema: cartSchema,
  },
  {
    name: "messy2: generate_subscripts without a name is refused with the form that works (DuckDB names the column by its text)",
    sql: "SELECT id, unnest(items) AS it, generate_subscripts(items, 1) FROM t",
    rows: carts, schema: cartSchema,
    expect: "compile-error", message: "generate_subscripts(items, 1) AS pos",
  },
  {
    name: "messy2: struct_insert adds named fields after a struct's own (a NULL struct gives NULL fields, not NULL)",
    sql: `SELECT struct_insert(s, c := l1, d := 2) AS si, struct_insert(s, "Weird Name" := upper(s.b)) AS w,
      struct_insert({'k': 1}, v := s) AS nested, (struct_insert(s, e := 1.5)).e AS e FROM t`,
    rows: [{ s: { a: 1, b: "x" }, l1: [1, 2, 3] }, { s: null, l1: null }, { s: { a: null, b: "ü" }, l1: [] }],
    schema: [{ name: "s", type: "STRUCT(a INTEGER, b VARCHAR)" }, { name: "l1", type: "INTEGER[]" }],
  },
];

/**
 * What a data engineer writes every day around joins (the "joins2" hunt, 2026-12-05): JOIN ... USING,
 * an unnest in FROM joined to a static table, COLUMNS(...) as a whole select item.
 */
import type { ConformanceCase } from "../case.ts";

const events = [
  { id: 1, k: "FR", n: 2, d: 1.5, items: [{ pid: 10, q: 1 }, { pid: 11, q: 2 }] },
  { id: 2, k: null, n: null, d: null, items: null },
  { id: 3, k: "ZZ", n: 5, d: -0.0, items: [] },
  { id: 4, k: "DE", n: 1, d: 2.25, items: [{ pid: 12, q: 3 }, { pid: 10, q: null }, null] },
];
const countries = "SELECT * FROM (VALUES ('FR', 'France', 1), ('DE', 'Germany', 2), ('DE', 'Deutschland', 3), (NULL, 'none', 4)) v(k, name, rank)";
const countries2 = "SELECT * FROM (VALUES ('FR', 'France', 2), ('DE', 'Germany', 2), ('DE', 'Deutschland', 1), (NULL, 'none', NULL)) v(k, name, n)";
const products = "SELECT * FROM (VALUES (10, 'pen'), (11, 'ink'), (13, 'cap')) p(pid, title)";

export const cases: ConformanceCase[] = [
  // JOIN ... USING: one column k (the left side's), not two.
  { name: "JOIN USING: SELECT * shows the key once, the left side's", sql: "SELECT * FROM t JOIN c USING (k)", rows: events, cells: { c: countries } },
  { name: "LEFT JOIN USING: SELECT * keeps unmatched rows with the left side's key", sql: "SELECT * EXCLUDE (items) FROM t LEFT JOIN c USING (k)", rows: events, cells: { c: countries } },
  { name: "LEFT JOIN USING: the unqualified key is the left side's, the qualified ones each side's", sql: "SELECT id, k, t.k AS tk, c.k AS ck, name FROM t LEFT JOIN c USING (k)", rows: events, cells: { c: countries } },
  { name: "JOIN USING two columns", sql: "SELECT * EXCLUDE (items) FROM t JOIN c USING (k, n)", rows: events, cells: { c: countries2 } },
  { name: "JOIN USING a key whose types differ: the key is the left side's INTEGER, matched through DuckDB's cast", sql: "SELECT * FROM t JOIN (VALUES ('1', 'one'), ('01', 'one again'), (' 2', 'two'), ('3', 'never')) v(id, w) USING (id)", rows: [{ id: 1 }, { id: 2 }], schema: [{ name: "id", type: "INTEGER" }] },
  { name: "JOIN USING a key whose types differ: a text that is no number is DuckDB's Conversion Error", sql: "SELECT * FROM t JOIN (VALUES ('1', 'one'), ('x', 'never')) v(id, w) USING (id)", rows: [{ id: 1 }], schema: [{ name: "id", type: "INTEGER" }], expect: "error" },
  { name: "JOIN USING with the static table on the left: its key is the one shown", sql: "SELECT * FROM (VALUES (1.0::DOUBLE, 'one'), (2.5, 'x')) v(id, w) JOIN t USING (id)", rows: [{ id: 1 }, { id: 2 }], schema: [{ name: "id", type: "INTEGER" }] },
  { name: "v.* after JOIN USING still holds v's own key", sql: "SELECT c.*, t.id FROM t LEFT JOIN c USING (k)", rows: events, cells: { c: countries } },
  { name: "GROUP BY the USING key", sql: "SELECT k, count(*) AS c, count(name) AS named FROM t LEFT JOIN c USING (k) GROUP BY k", rows: events, cells: { c: countries } },
  { name: "two JOIN USING in a chain on the same key", sql: "SELECT * EXCLUDE (items) FROM t JOIN c USING (k) LEFT JOIN (VALUES ('FR', 'EUR')) m(k, cur) USING (k)", rows: events, cells: { c: countries } },
  { name: "SEMI JOIN USING", sql: "SELECT id, k FROM t SEMI JOIN c USING (k)", rows: events, cells: { c: countries } },
  { name: "JOIN USING against a one-column cell (once refused with a rewrite)", sql: "SELECT * FROM t JOIN two USING (a)", rows: [{ a: 1, s: "x", ts: "2026-11-22 10:00:00" }, { a: 2, s: "y", ts: null }], cells: { two: "SELECT * FROM (VALUES (1)) v(a)" } },
  { name: "a table's name as a value after JOIN USING is its whole row, key included", sql: "SELECT id, c AS r, to_json(t) AS j FROM t LEFT JOIN c USING (k)", rows: events.map(({ items: _, ...e }) => e), cells: { c: countries } },
  { name: "JOIN USING a column one side lacks is refused, as DuckDB refuses it", sql: "SELECT * FROM t JOIN c USING (id)", rows: events, cells: { c: countries }, expect: "compile-error", message: "the right side has no column id" },
  { name: "NATURAL JOIN is USING the columns both sides name", sql: "SELECT * EXCLUDE (items) FROM t NATURAL JOIN c", rows: events, cells: { c: countries } },
  { name: "NATURAL LEFT JOIN on two shared columns", sql: "SELECT * EXCLUDE (items) FROM t NATURAL LEFT JOIN c", rows: events, cells: { c: countries2 } },
  { name: "NATURAL JOIN with no shared column is refused, as DuckDB refuses it", sql: "SELECT * FROM t NATURAL JOIN (VALUES ('b', 'x')) v(z, w)", rows: events, expect: "compile-error", message: "No columns found to join on in NATURAL JOIN" },
];

const orders = [
  { id: 1, k: "FR", items: [{ pid: 10, q: 1 }, { pid: 11, q: 2 }], tags: ["a", "b"] },
  { id: 2, k: null, items: null, tags: null },
  { id: 3, k: "ZZ", items: [], tags: [] },
  { id: 4, k: "DE", items: [{ pid: 12, q: 3 }, { pid: 10, q: null }, null], tags: ["b", null] },
];

cases.push(
  // An unnest in FROM followed by joins with static tables.
  { name: "an unnest in FROM (comma) then JOIN a static table on the element's field", sql: "SELECT t.id, u.item.pid AS pid, p.title FROM t, unnest(t.items) AS u(item) JOIN p ON p.pid = u.item.pid", rows: orders, cells: { p: products } },
  { name: "an unnest in FROM then LEFT JOIN, SELECT * in DuckDB's column order", sql: "SELECT * EXCLUDE (items, tags) FROM t, unnest(items) AS u(item) LEFT JOIN p ON p.pid = item.pid", rows: orders, cells: { p: products } },
  { name: "CROSS JOIN unnest then JOIN a static table", sql: "SELECT id, tag, v.w FROM t CROSS JOIN unnest(tags) AS x(tag) JOIN (VALUES ('a', 1), ('b', 2)) v(tag2, w) ON x.tag = v.tag2", rows: orders },
  { name: "an unnest in FROM then JOIN USING the element", sql: "SELECT * EXCLUDE (items) FROM t, unnest(tags) AS x(tag) JOIN (VALUES ('a', 1), ('b', 2)) v(tag, w) USING (tag)", rows: orders },
  { name: "an unnest without alias in FROM then JOIN", sql: "SELECT id, unnest, v.w FROM t, unnest(tags) JOIN (VALUES ('a', 1)) v(tag2, w) ON unnest = v.tag2", rows: orders },
  { name: "an unnest in FROM then a JOIN whose condition also reads the stream's row", sql: "SELECT id, tag, v.w FROM t, unnest(tags) AS x(tag) JOIN (VALUES ('a', 'FR', 1), ('b', 'DE', 2)) v(tag2, k, w) ON x.tag = v.tag2 AND t.k = v.k", rows: orders },
  { name: "an unnest in FROM then a SEMI JOIN stays refused (DuckDB: Not implemented), naming the forms that work", sql: "SELECT id, tag FROM t, unnest(tags) AS x(tag) SEMI JOIN (VALUES ('a')) v(tag2) ON x.tag = v.tag2", rows: orders, expect: "compile-error", message: "then JOIN or LEFT JOIN a static table" },
  { name: "two unnests in FROM then a JOIN", sql: "SELECT id, tag, u.item.q AS q, v.w FROM t, unnest(items) AS u(item), unnest(tags) AS x(tag) JOIN (VALUES ('a', 1), ('b', 2)) v(tag2, w) ON x.tag = v.tag2", rows: orders },
);

const wide = [
  { id: 1, k: "FR", n_a: 2, n_b: 1.5, name: "x" },
  { id: 2, k: null, n_a: null, n_b: null, name: null },
  { id: 3, k: "DE", n_a: -7, n_b: -0.0, name: "" },
];

cases.push(
  // COLUMNS(...) as a whole select item: the columns DuckDB expands it into.
  { name: "COLUMNS('regex') as a select item gives the matching columns", sql: "SELECT COLUMNS('^n_') FROM t", rows: wide },
  { name: "COLUMNS(*) is every column", sql: "SELECT COLUMNS(*) FROM t WHERE k IS NOT NULL", rows: wide },
  { name: "COLUMNS('regex') beside other items matches anywhere in the name", sql: "SELECT id AS i, COLUMNS('n') FROM t", rows: wide },
  { name: "COLUMNS(lambda) filters the column names", sql: "SELECT COLUMNS(c -> c LIKE 'n%') FROM t", rows: wide },
  { name: "COLUMNS(list of names) in the list's order", sql: "SELECT COLUMNS(['k', 'id']) FROM t", rows: wide },
  { name: "COLUMNS(* EXCLUDE (...))", sql: "SELECT COLUMNS(* EXCLUDE (name)) FROM t", rows: wide },
  { name: "COLUMNS('(?i)regex') is case-insensitive", sql: "SELECT COLUMNS('(?i)^N') FROM t", rows: wide },
  { name: "COLUMNS(*) after JOIN USING shows the key once", sql: "SELECT COLUMNS(*) FROM t JOIN (VALUES (1, 'a'), (3, 'c')) v(id, w) USING (id)", rows: wide },
  { name: "COLUMNS(v.*) takes one table's columns", sql: "SELECT COLUMNS(v.*) FROM t LEFT JOIN (VALUES (1, 'a')) v(id, w) USING (id)", rows: wide },
  { name: "COLUMNS('regex') over a join takes both tables' columns of one name (read as id, id_1)", sql: "SELECT id, id_1 FROM c", rows: wide, cells: { c: "SELECT COLUMNS('id') FROM t JOIN (VALUES (1, 'a')) v(id, w) ON t.id = v.id" } },
  { name: "COLUMNS('regex') inside an aggregate gives one column per match", sql: "SELECT k, max(COLUMNS('n_')) FROM t GROUP BY k", rows: wide },
);
